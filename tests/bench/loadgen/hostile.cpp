#include "hostile.hpp"

#include "harness.hpp"

#include "common/limits.hpp"
#include "common/protocol/codec.hpp"
#include "testing/hostile_client.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace psm::loadgen {
namespace {

using namespace std::chrono_literals;
using testing::HostileClient;

constexpr const char* kPassphrase = "hostile bench passphrase";

void say(const std::string& text) { std::cout << "[hostile] " << text << std::endl; }

std::string quote(const std::string& text) { return "'" + text + "'"; }

// Runs a shell command; its wall time in seconds, or a negative value when it failed.
double timed(const std::string& command) {
  const auto start = Clock::now();
  const int rc = std::system(command.c_str());
  const double seconds = seconds_since(start);
  return rc == 0 ? seconds : -seconds;
}

double median(std::vector<double> samples) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

std::uint16_t port_of(const std::string& url) {
  return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

}  // namespace

int run_hostile(const HostileOptions& options) {
  const auto server_dir = options.work_dir / "server";
  const auto home = options.work_dir / "home";
  ServerProcess server(options.server_bin, server_dir, 0);
  server.start(/*default_caps=*/true);
  const std::uint16_t port = port_of(server.url());
  say("psm-server pid " + std::to_string(server.pid()) + " on " + server.url());

  const std::string client = quote(options.client_bin.string()) + " --home " + quote(home.string());
  const std::string env = std::string("PSM_PASSPHRASE=") + quote(kPassphrase) + " ";
  const std::string quiet = " >>" + quote((options.work_dir / "psm.log").string()) + " 2>&1";
  if (timed("PSM_PASSWORD=" + quote(std::string(kPassword)) + " " + env + client + " enrol --server " +
            quote(server.url()) + " --ca " + quote(server.ca_file().string()) + " --username " + std::string(kWorker) +
            " --device-name bench-laptop" + quiet) < 0) {
    std::cerr << "psm-loadgen: psm enrol failed; see " << (options.work_dir / "psm.log") << "\n";
    return 1;
  }
  const std::string sync = env + client + " sync" + quiet;

  std::vector<double> quiet_syncs;
  for (std::size_t i = 0; i < options.quiet_syncs; ++i) quiet_syncs.push_back(timed(sync));
  const std::uint64_t rss_before = server.rss_kib();
  say("quiet: psm sync median " + std::to_string(median(quiet_syncs)) + " s; server RSS " +
      std::to_string(rss_before / 1024) + " MiB");

  // --- Flood: strangers send sign-ins (unknown account, 15 KB passwords, so
  // each costs a password check) as fast as the server takes them,
  // reconnecting whenever they are closed.
  protocol::LoginRequest login;
  login.username = "nobody";
  login.password = std::string(15'000, 'x');
  login.device_name = "stranger";
  const std::string message = protocol::encode(protocol::Message{login});
  const auto flood_until = Clock::now() + options.flood_time;
  std::atomic<std::uint64_t> sent_bytes{0}, sent_messages{0}, connections{0}, refused{0};
  std::atomic<bool> flooding{true};
  std::atomic<std::uint64_t> rss_max{0};
  std::thread sampler([&] {
    while (flooding) {
      rss_max = std::max(rss_max.load(), server.rss_kib());
      std::this_thread::sleep_for(50ms);
    }
  });
  std::vector<std::thread> flooders;
  for (std::size_t i = 0; i < options.flooders; ++i) {
    flooders.emplace_back([&, i] {
      const std::string source = "127.0.0." + std::to_string(10 + i);
      while (Clock::now() < flood_until) {
        HostileClient stranger;
        if (!stranger.connect(port, source, 5s)) {
          ++refused;
          std::this_thread::sleep_for(100ms);
          continue;
        }
        ++connections;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(flood_until - Clock::now());
        const auto result = stranger.flood(message, std::max(left, 1ms), 2s);
        sent_bytes += result.bytes;
        sent_messages += result.messages;
      }
    });
  }
  std::vector<double> attacked_syncs;
  std::this_thread::sleep_for(500ms);
  while (Clock::now() + 1s < flood_until) attacked_syncs.push_back(timed(sync));
  for (auto& t : flooders) t.join();
  flooding = false;
  sampler.join();
  const std::uint64_t rss_after = server.rss_kib();
  std::size_t failed_syncs = 0;
  for (double& s : attacked_syncs) {
    if (s < 0) {
      ++failed_syncs;
      s = -s;
    }
  }
  say(std::to_string(options.flooders) + " strangers flooding for " + std::to_string(options.flood_time.count()) +
      " s: " + std::to_string(sent_messages.load()) + " sign-ins (" +
      std::to_string(sent_bytes.load() / (1024 * 1024)) + " MiB) sent over " + std::to_string(connections.load()) +
      " connections (" + std::to_string(refused.load()) + " refused)");
  say("server RSS: " + std::to_string(rss_before / 1024) + " MiB before, at most " +
      std::to_string(rss_max.load() / 1024) + " MiB during, " + std::to_string(rss_after / 1024) + " MiB after");
  say("psm sync during the flood: " + std::to_string(attacked_syncs.size()) + " runs, median " +
      std::to_string(median(attacked_syncs)) + " s, longest " +
      std::to_string(attacked_syncs.empty() ? 0 : *std::max_element(attacked_syncs.begin(), attacked_syncs.end())) +
      " s, failed " + std::to_string(failed_syncs) + " (quiet median " + std::to_string(median(quiet_syncs)) + " s)");

  // --- Held: strangers open as many connections as they can, from many
  // addresses, and never sign in.
  std::this_thread::sleep_for(1s);
  std::mutex mutex;
  std::vector<std::unique_ptr<HostileClient>> held;
  std::vector<std::size_t> per_address(options.held_addresses, 0);
  std::atomic<std::size_t> next_address{0};
  const auto opened_from = Clock::now();
  std::vector<std::thread> openers;
  for (int t = 0; t < 8; ++t) {
    openers.emplace_back([&] {
      for (std::size_t a; (a = next_address++) < options.held_addresses;) {
        const std::string source = "127.0." + std::to_string(2 + a / 250) + "." + std::to_string(1 + a % 250);
        for (int attempt = 0; attempt < 2 * static_cast<int>(limits::kMaxConnectionsBeforeSignInPerAddress);
             ++attempt) {
          auto stranger = std::make_unique<HostileClient>();
          if (!stranger->connect(port, source, 5s)) break;  // refused: this address is full
          ++per_address[a];
          std::lock_guard lock(mutex);
          held.push_back(std::move(stranger));
        }
      }
    });
  }
  for (auto& t : openers) t.join();
  const double opening = seconds_since(opened_from);
  std::size_t most_per_address = 0;
  for (auto n : per_address) most_per_address = std::max(most_per_address, n);
  say("server RSS holding them: " + std::to_string(server.rss_kib() / 1024) + " MiB");
  say(std::to_string(held.size()) + " connections before sign-in accepted from " +
      std::to_string(options.held_addresses) + " addresses (at most " + std::to_string(most_per_address) +
      " from one) in " + std::to_string(opening) + " s");
  // How long the first one is kept.
  double held_for = 0;
  if (!held.empty()) {
    const auto code = held.front()->wait_for_close(30s);
    held_for = seconds_since(opened_from);
    say("the first was closed " + std::to_string(held_for) + " s after it was opened (close code " +
        (code ? std::to_string(*code) : std::string("none: still open")) + ")");
  }
  std::size_t still_open = 0;
  for (std::size_t i = 1; i < held.size(); ++i) {
    if (!held[i]->wait_for_close(2s)) ++still_open;
  }
  say(std::to_string(still_open) + " of them still open " + std::to_string(seconds_since(opened_from)) +
      " s after the first was opened");
  server.stop();
  return 0;
}

}  // namespace psm::loadgen
