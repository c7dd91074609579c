#include "scenarios.hpp"

#include "ceilings.hpp"
#include "common/crypto/kdf.hpp"
#include "common/model/ids.hpp"
#include "support/workload.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include <sys/wait.h>
#include <unistd.h>

namespace psm::loadgen {

using namespace std::chrono_literals;

namespace {

void say(const std::string& line) { std::cerr << "[loadgen] " << line << std::endl; }

std::string fmt(const char* format, double a, double b = 0, double c = 0) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, format, a, b, c);
  return buffer;
}

std::string count(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

ops::RecordView new_view(const std::string& meeting_id, std::uint64_t salt) {
  ops::RecordView v;
  v.view_id = model::new_uuid_v7();
  v.meeting_id = meeting_id;
  v.subject = model::ViewSubject::child;
  v.text = bench::filler_text(bench::kTypicalTextBytes, salt);
  return v;
}

// Queues `n` views on the worker's device, as a person typing them offline would.
double queue_views(SimDevice& worker, const std::string& meeting_id, std::size_t n, std::uint64_t& salt) {
  const auto start = Clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    auto outcome = worker.replica->submit(new_view(meeting_id, salt++));
    if (!outcome.ok()) throw std::runtime_error("submit refused: " + outcome.reason);
  }
  return seconds_since(start);
}

// Authenticates a connection as an enrolled device.
void authenticate(client::net::WebSocketClient& socket, const DeviceCredentials& d) {
  auto answer = round_trip(socket, protocol::AuthRequest{d.device_id, d.token});
  auto* auth = std::get_if<protocol::AuthResult>(&answer);
  if (!auth || !auth->ok) throw std::runtime_error("device authentication failed");
}

// Pulls from `cursor` until up to date; returns the records received.
std::size_t pull_from(client::net::WebSocketClient& socket, std::uint64_t cursor,
                      const std::vector<std::string>& scopes) {
  std::size_t records = 0;
  for (;;) {
    auto answer = round_trip(socket, protocol::PullRequest{cursor, scopes});
    auto* page = std::get_if<protocol::PullResponse>(&answer);
    if (!page) throw std::runtime_error("expected a pull response");
    records += page->records.size();
    cursor = page->cursor;
    if (!page->more) return records;
  }
}

// Devices held connected by a child process. Each connection of the device's
// client costs this process four descriptors (socket, epoll, eventfd,
// timerfd), so thousands are spread over children, each under its own limit.
constexpr std::size_t kConnectionsPerChild = 2'000;

class FleetChild {
 public:
  FleetChild(pid_t pid, int to_child, int from_child) : pid_(pid), to_child_(to_child), from_child_(from_child) {}
  FleetChild(FleetChild&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)),
        to_child_(std::exchange(other.to_child_, -1)),
        from_child_(std::exchange(other.from_child_, -1)) {}
  FleetChild(const FleetChild&) = delete;
  ~FleetChild() { release(); }
  // True once every connection of the child is authenticated.
  bool wait_ready() {
    char status = 0;
    return ::read(from_child_, &status, 1) == 1 && status == 'R';
  }
  // Tells the child to close its connections and waits for it.
  void release() {
    if (pid_ <= 0) return;
    const char go = 'C';
    [[maybe_unused]] const auto written = ::write(to_child_, &go, 1);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    ::close(to_child_);
    ::close(from_child_);
    pid_ = -1;
  }

 private:
  pid_t pid_;
  int to_child_;
  int from_child_;
};

FleetChild hold_connections(const ServerProcess& server, std::size_t first, std::size_t count) {
  int down[2], up[2];
  if (::pipe(down) != 0 || ::pipe(up) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(down[1]);
    ::close(up[0]);
    char status = 'R';
    std::vector<std::unique_ptr<client::net::WebSocketClient>> sockets(count);
    std::atomic<std::size_t> index{0};
    std::atomic<bool> failed{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        try {
          for (std::size_t i; (i = index++) < count;) {
            sockets[i] = connect(server);
            authenticate(*sockets[i], server.devices().at(first + i));
          }
        } catch (const std::exception& e) {
          std::cerr << "[loadgen] fleet connection failed: " << e.what() << std::endl;
          failed = true;
        }
      });
    }
    for (auto& t : threads) t.join();
    if (failed) status = 'F';
    [[maybe_unused]] const auto written = ::write(up[1], &status, 1);
    char go = 0;
    [[maybe_unused]] const auto got = ::read(down[0], &go, 1);
    threads.clear();
    for (std::size_t t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (std::size_t i = t; i < count; i += 4) sockets[i].reset();
      });
    }
    for (auto& t : threads) t.join();
    ::_exit(failed ? 1 : 0);
  }
  ::close(down[0]);
  ::close(up[1]);
  return FleetChild(pid, down[1], up[0]);
}

// Median time to open the replica in `home` with its passphrase (scrypt, then
// the file), each opening closed cleanly before the next.
double median_unlock_ms(const client::HomePaths& home, const std::string& passphrase, int repetitions) {
  std::vector<double> samples;
  for (int i = 0; i < repetitions; ++i) {
    const auto start = Clock::now();
    auto replica = client::Replica::open(home, passphrase);
    if (!replica) throw std::runtime_error("unlock: open failed");
    samples.push_back(seconds_since(start) * 1000);
  }
  return percentile(samples, 50);
}

}  // namespace

Report run_all(const Options& o) {
  Report report;
  const std::size_t fleet_max = o.fleets.empty() ? 0 : *std::max_element(o.fleets.begin(), o.fleets.end());
  const std::size_t pool = o.caseloads.size() + std::max(fleet_max, o.storm_devices) + 1;
  say("creating the server's data directory with " + count(pool) + " enrolled devices");
  ServerProcess server(o.server_bin, o.work_dir / "server", pool);
  std::size_t next_device = 0;
  auto take_device = [&]() -> const DeviceCredentials& { return server.devices().at(next_device++); };

  // --- ceilings
  say("ceiling: batched inserts into the encrypted store");
  const double insert_ceiling = store_insert_ceiling(o.work_dir / "ceiling-store", o.ceiling_records, 500);
  report.ceilings.push_back({"encrypted store, batched inserts", insert_ceiling, "records/s",
                             count(o.ceiling_records) +
                                 " ~500-byte records through `ServerStore::put`, 500 per "
                                 "transaction, the server's SQLCipher settings (WAL, synchronous=FULL), no sync"});
  say("ceiling: TLS WebSocket echo over loopback");
  const auto echo =
      websocket_echo_ceiling(server.data() / "tls", o.echo_messages, std::max<std::size_t>(200, o.live_samples * 5),
                             std::max<std::size_t>(20, o.storm_devices / 10));
  report.ceilings.push_back({"TLS WebSocket echo, pipelined", echo.messages_per_second, "messages/s",
                             "the server's own listener with a handler that echoes, the device's own client, "
                             "500-byte messages, 32 in flight, loopback"});
  report.ceilings.push_back({"TLS WebSocket round trip, p50", echo.rtt_p50_ms, "ms", "same, one message at a time"});
  report.ceilings.push_back({"TLS WebSocket round trip, p99", echo.rtt_p99_ms, "ms", "same"});
  report.ceilings.push_back({"TLS WebSocket connections", echo.connections_per_second, "connections/s",
                             "same listener: TLS and WebSocket handshakes, then close, 4 clients at once"});
  say("ceiling: scrypt at the replica's parameters");
  const double scrypt_ms = scrypt_seconds(o.unlock_repetitions) * 1000;
  report.ceilings.push_back({"scrypt N=2^17, r=8, p=1", scrypt_ms, "ms", "`crypto::scrypt` alone, median"});

  // --- unlock
  {
    say("unlock: open the replica with its passphrase");
    const client::HomePaths home(o.work_dir / "unlock");
    if (!client::Replica::create(home, "a long passphrase for the bench")) throw std::runtime_error("unlock: create");
    const double ms = median_unlock_ms(home, "a long passphrase for the bench", o.unlock_repetitions);
    report.results.push_back(
        {"unlock", "scrypt N=2^17, r=8, p=1", ms, "ms", scrypt_ms, "scrypt alone", "≤ 500 ms", ms <= 500, false, ""});
  }

  server.start();
  say("server listening at " + server.url());

  // --- the worker's device: a real login, then a meeting to record views for.
  SimDevice worker = SimDevice::create(o.work_dir / "worker", {});
  worker.connect_to(server);
  if (auto e = client::enrol_device(*worker.replica, *worker.transport, std::string(kWorker), std::string(kPassword),
                                    "worker-laptop")) {
    throw std::runtime_error("enrol: " + e->message);
  }
  worker.sync();
  const std::string meeting_id = model::new_uuid_v7();
  {
    auto outcome = worker.replica->submit(
        ops::RequestMeeting{meeting_id, std::string(bench::kPlacement), model::MeetingType::support, "bench", 0});
    if (!outcome.ok()) throw std::runtime_error("request meeting refused: " + outcome.reason);
  }
  worker.sync();

  // --- push and initial sync, in stages of growing caseload
  std::uint64_t salt = 0;
  std::size_t queued = 0;
  double push_seconds = 0, queue_seconds = 0;
  SimDevice holder;  // the last fresh device: holds the whole caseload
  for (const std::size_t target : o.caseloads) {
    const std::size_t n = target > queued ? target - queued : 0;
    say("queueing " + count(n) + " operations on the worker's device");
    queue_seconds += queue_views(worker, meeting_id, n, salt);
    queued += n;
    say("push: " + count(n) + " operations");
    const auto start = Clock::now();
    std::optional<double> pushed_after;
    worker.sync([&](const client::SyncReport& r) {
      if (!pushed_after && r.pushed >= n) pushed_after = seconds_since(start);
    });
    push_seconds += pushed_after.value_or(seconds_since(start));

    say("initial sync: a fresh device pulls a caseload of " + count(target) + " records");
    // The device that ends up holding the whole caseload has the replica's
    // real passphrase strength: its unlock is measured below.
    const bool last = target == o.caseloads.back();
    SimDevice fresh = SimDevice::create(o.work_dir / ("fresh-" + std::to_string(target)), take_device(),
                                        last ? crypto::kScryptReplica : crypto::kScryptTest);
    fresh.connect_to(server);
    const auto t0 = Clock::now();
    const auto pulled = fresh.sync().pulled;
    const double s = seconds_since(t0);
    const double rate = static_cast<double>(pulled) / s;
    report.growth.push_back({"initial sync", static_cast<double>(target), rate, "records/s",
                             fmt("%.0f records in %.2f s", static_cast<double>(pulled), s)});
    if (target == o.caseloads.back()) {
      report.results.push_back({"initial sync", count(pulled) + " records into an encrypted replica", rate, "records/s",
                                insert_ceiling, "store inserts", "≥ 30,000 records/s", rate >= 30'000, true, ""});
    }
    holder = std::move(fresh);
  }
  // --- unlock a replica holding the caseload: scrypt, then opening the file
  // (after a clean close, as when the person last closed psm).
  {
    say("unlock: open the replica holding the caseload");
    const client::HomePaths home(o.work_dir / ("fresh-" + std::to_string(o.caseloads.back())));
    holder.replica.reset();
    const double ms = median_unlock_ms(home, "bench passphrase", o.unlock_repetitions);
    // After a crash there is no record of a clean close, and opening checks
    // every page of the file first.
    fs::remove(home.closed_clean());
    const auto start = Clock::now();
    auto checked = client::Replica::open(home, "bench passphrase");
    if (!checked) throw std::runtime_error("unlock: open after a crash failed");
    const double after_crash_ms = seconds_since(start) * 1000;
    holder.replica = std::move(*checked);
    report.results.push_back({"unlock, holding the caseload", count(o.caseloads.back()) + " records, scrypt N=2^17", ms,
                              "ms", scrypt_ms, "scrypt alone", "≤ 500 ms", ms <= 500, false,
                              fmt("after a crash (every page checked first): %.0f ms", after_crash_ms)});
  }
  {
    const double rate = static_cast<double>(queued) / push_seconds;
    report.results.push_back({"push", count(queued) + " operations, acknowledged after commit", rate, "ops/s",
                              insert_ceiling, "store inserts", "≥ 10,000 ops/s", rate >= 10'000, true,
                              fmt("queueing them on the device (apply + outbox, not timed above) ran at %.0f ops/s",
                                  static_cast<double>(queued) / queue_seconds)});
  }

  // --- delta sync
  auto measure_delta = [&](const std::string& label, std::size_t server_records) {
    std::vector<double> samples;
    for (std::size_t rep = 0; rep < o.delta_repetitions; ++rep) {
      queue_views(worker, meeting_id, 10, salt);
      worker.sync();
      const auto t0 = Clock::now();
      const auto pulled = holder.sync().pulled;
      samples.push_back(seconds_since(t0) * 1000);
      if (pulled < 10) throw std::runtime_error("delta sync received " + std::to_string(pulled) + " records, not 10");
    }
    const double worst = *std::max_element(samples.begin(), samples.end());
    const double median = percentile(samples, 50);
    report.results.push_back(
        {label, "10 changes; device holds " + count(o.caseloads.back()) + ", server " + count(server_records), median,
         "ms", echo.rtt_p50_ms * 2, "2 echo round trips", "≤ 50 ms", median <= 50 && worst <= 50, false,
         fmt("worst of %.0f runs: %.1f ms", static_cast<double>(o.delta_repetitions), worst)});
    report.growth.push_back(
        {"delta sync", static_cast<double>(server_records), median, "ms", fmt("worst %.1f ms", worst)});
  };
  say("delta sync: 10 changes");
  measure_delta("delta sync", o.caseloads.back());

  // --- live: A's operation on B's screen
  {
    say("live: device A's operation appears on connected device B");
    std::mutex m;
    std::condition_variable cv;
    std::string expected;
    std::optional<Clock::time_point> seen_at;
    std::atomic<bool> stop{false};
    std::exception_ptr failure;
    std::thread reader([&] {
      try {
        while (!stop) {
          auto poked = client::wait_for_poke(*holder.transport, 50ms);
          if (!poked) throw std::runtime_error("live connection failed");
          if (!*poked) continue;
          holder.sync();
          std::lock_guard lock(m);
          if (!expected.empty() && holder.replica->get(model::collection::kViews, expected)) {
            seen_at = Clock::now();
            expected.clear();
            cv.notify_all();
          }
        }
      } catch (...) {
        std::lock_guard lock(m);
        failure = std::current_exception();
        cv.notify_all();
      }
    });
    std::vector<double> samples;
    for (std::size_t i = 0; i < o.live_samples; ++i) {
      auto view = new_view(meeting_id, salt++);
      {
        std::lock_guard lock(m);
        expected = view.view_id;
        seen_at.reset();
      }
      const auto t0 = Clock::now();
      if (!worker.replica->submit(view).ok()) throw std::runtime_error("live: submit refused");
      worker.sync();
      std::unique_lock lock(m);
      if (!cv.wait_for(lock, 10s, [&] { return seen_at.has_value() || failure; }) || failure) {
        stop = true;
        lock.unlock();
        reader.join();
        if (failure) std::rethrow_exception(failure);
        throw std::runtime_error("live: device B did not see the change within 10 s");
      }
      samples.push_back(std::chrono::duration<double, std::milli>(*seen_at - t0).count());
    }
    stop = true;
    reader.join();
    const double p50 = percentile(samples, 50), p99 = percentile(samples, 99);
    report.results.push_back({"live, p50", count(o.live_samples) + " changes A → B", p50, "ms", echo.rtt_p50_ms * 3,
                              "3 echo round trips", "≤ 10 ms", p50 <= 10, false,
                              "from the moment A's operation is made (A: auth, push, pull; server: poke; B: auth, "
                              "pull, apply) to the record in B's replica"});
    report.results.push_back({"live, p99", count(o.live_samples) + " changes A → B", p99, "ms", echo.rtt_p99_ms * 3,
                              "3 echo round trips", "≤ 50 ms", p99 <= 50, false, ""});
  }

  // --- fleet: server memory per connection
  const std::size_t fleet_first = next_device;
  for (const std::size_t n : o.fleets) {
    say("fleet: " + count(n) + " devices connected at once");
    const auto rss_before = server.rss_kib();
    std::vector<FleetChild> children;
    for (std::size_t first = 0; first < n; first += kConnectionsPerChild) {
      children.push_back(hold_connections(server, fleet_first + first, std::min(kConnectionsPerChild, n - first)));
    }
    bool all_connected = true;
    for (auto& child : children) all_connected = child.wait_ready() && all_connected;
    std::this_thread::sleep_for(500ms);
    const auto rss_after = server.rss_kib();
    say("closing the fleet");
    for (auto& child : children) child.release();
    if (!all_connected) throw std::runtime_error("fleet: not every device could connect and authenticate");
    const double per = (static_cast<double>(rss_after) - static_cast<double>(rss_before)) / static_cast<double>(n);
    report.growth.push_back({"server memory", static_cast<double>(n), per, "KiB/connection",
                             fmt("server RSS %.1f MiB → %.1f MiB", static_cast<double>(rss_before) / 1024,
                                 static_cast<double>(rss_after) / 1024)});
    if (n == fleet_max) {
      report.results.push_back({"fleet", count(n) + " authenticated connections", per, "KiB/connection", std::nullopt,
                                "", "5,000 at ≤ 100 KiB each", n >= 5'000 && per <= 100, false,
                                fmt("server RSS grew from %.1f MiB to %.1f MiB", static_cast<double>(rss_before) / 1024,
                                    static_cast<double>(rss_after) / 1024)});
    }
  }

  // --- reconnect storm
  if (o.storm_devices > 0) {
    say("reconnect storm: " + count(o.storm_devices) + " devices reconnect and pull a 10-operation delta");
    const std::uint64_t cursor = holder.replica->cursor();
    queue_views(worker, meeting_id, 10, salt);
    worker.sync();
    const std::size_t n = o.storm_devices;
    std::vector<double> done_at(n, 0), own(n, 0);
    std::atomic<std::size_t> index{0};
    std::atomic<std::size_t> short_deltas{0};
    std::exception_ptr failure;
    std::mutex m;
    const auto t0 = Clock::now();
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < o.storm_threads; ++t) {
      threads.emplace_back([&] {
        try {
          for (std::size_t i; (i = index++) < n;) {
            const auto started = Clock::now();
            auto socket = connect(server);
            authenticate(*socket, server.devices().at(fleet_first + i));
            if (pull_from(*socket, cursor, server.scopes()) < 10) ++short_deltas;
            done_at[i] = seconds_since(t0);
            own[i] = seconds_since(started);
            // Closed once synced: each client connection here costs four
            // descriptors (socket, epoll, eventfd, timerfd), and 5,000 of them
            // open at once would pass the usual hard limit of 20,000.
          }
        } catch (...) {
          std::lock_guard lock(m);
          failure = std::current_exception();
        }
      });
    }
    for (auto& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);
    if (short_deltas) throw std::runtime_error("storm: some devices received fewer than 10 records");
    const double total = *std::max_element(done_at.begin(), done_at.end());
    const double p99 = percentile(done_at, 99);
    const double own_p99 = percentile(own, 99);
    report.results.push_back({"reconnect storm, all done", count(n) + " devices, 10-operation delta each", total, "s",
                              static_cast<double>(n) / echo.connections_per_second, "handshakes alone", "≤ 15 s",
                              total <= 15, false,
                              fmt("%.0f client threads; each device's time counts from the start of the storm, "
                                  "not from when a client thread reached it (its own connect-to-done p99: %.2f s)",
                                  static_cast<double>(o.storm_threads), own_p99)});
    report.results.push_back({"reconnect storm, p99 per device", count(n) + " devices", p99, "s", std::nullopt, "",
                              "≤ 10 s", p99 <= 10, false, ""});
  }

  // --- delta sync against a much larger store
  if (o.large_store_records > o.caseloads.back()) {
    const std::size_t extra = o.large_store_records - o.caseloads.back();
    say("adding " + count(extra) + " records in scopes no device sees; restarting the server");
    holder.transport.reset();
    holder.socket.reset();
    worker.transport.reset();
    worker.socket.reset();
    server.stop();
    server.add_unrelated_records(extra);
    server.start();
    worker.connect_to(server);
    holder.connect_to(server);
    measure_delta("delta sync, large store", o.large_store_records);
  }

  server.stop();
  report.notes.push_back(
      "All simulated devices belong to one child's social worker's account (each is a separately "
      "enrolled device with its own token); every one of them sees the placement whose caseload "
      "is synced.");
  report.notes.push_back(
      "The worker's device and the devices of the smaller caseloads use a test-strength scrypt "
      "for their replica key so set-up stays short; the two unlock rows use the real parameters "
      "(the second opens the replica that pulled the largest caseload, after a clean close).");
  report.notes.push_back(
      "Fleet and storm devices speak the protocol through the device's own TLS WebSocket client "
      "without a replica each (thousands of SQLCipher files would measure the load generator's "
      "disk, not the server).");
  return report;
}

}  // namespace psm::loadgen
