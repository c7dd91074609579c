// psm-loadgen: starts a real psm-server and drives simulated devices through
// the client library over TLS WebSockets, measuring the scenarios of the
// performance targets against ceilings measured in the same run.
// scripts/bench.sh runs it at full size and writes docs/performance.md;
// `--smoke` runs everything tiny (CI: no timing is asserted).
#include "hostile.hpp"
#include "scenarios.hpp"
#include "sign_in_attack.hpp"

#include <CLI/CLI.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace {

// 5,000 connections need 5,000 descriptors in this process and as many in the
// server (which inherits the limit): raise the soft limit to the hard one.
void raise_descriptor_limit(std::size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < wanted) {
    std::cerr << "psm-loadgen: only " << limit.rlim_cur << " file descriptors allowed; " << wanted
              << " are needed (raise the hard limit: ulimit -Hn)\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  psm::loadgen::Options options;
  options.server_bin = PSM_SERVER_BIN;
  std::string out_json, out_markdown, work_dir;
  bool smoke = false, keep = false;
  CLI::App app{"psm-loadgen: load a real psm-server with simulated devices and report against ceilings"};
  app.add_option("--server-bin", options.server_bin, "psm-server executable");
  app.add_option("--work-dir", work_dir, "scratch directory (default: a new one under /tmp)");
  app.add_flag("--keep", keep, "keep the scratch directory");
  app.add_option("--out", out_json, "write results as JSON here");
  app.add_option("--markdown", out_markdown, "write the results tables as Markdown here");
  app.add_flag("--smoke", smoke, "run every scenario once at a tiny size (for CI)");
  app.add_option("--caseloads", options.caseloads, "caseload sizes pushed and pulled, ascending")->delimiter(',');
  app.add_option("--fleets", options.fleets, "connection counts for the memory measurement")->delimiter(',');
  app.add_option("--storm", options.storm_devices, "devices in the reconnect storm (0: skip)");
  app.add_option("--storm-threads", options.storm_threads, "client threads driving the storm");
  app.add_option("--live-samples", options.live_samples, "A → B changes timed");
  app.add_option("--large-store", options.large_store_records, "server records for the second delta sync (0: skip)");
  app.add_option("--ceiling-records", options.ceiling_records, "records inserted for the store ceiling");
  app.add_option("--echo-messages", options.echo_messages, "messages echoed for the WebSocket ceiling");
  bool sign_in_attack = false;
  psm::loadgen::AttackOptions attack;
  app.add_flag("--sign-in-attack", sign_in_attack,
               "run only the sign-in attack: a delta sync while wrong passwords are tried (docs/security.md)");
  app.add_option("--attack-passwords", attack.passwords, "wrong passwords tried in the sign-in attack");
  app.add_option("--attack-addresses", attack.addresses, "loopback addresses they come from (at most 250)")
      ->check(CLI::Range(1, 250));
  bool hostile = false;
  psm::loadgen::HostileOptions hostile_options;
  hostile_options.client_bin = PSM_CLIENT_BIN;
  app.add_flag("--hostile", hostile,
               "instead of the scenarios: strangers who never sign in against a real server (docs/security.md)");
  app.add_option("--hostile-flooders", hostile_options.flooders, "--hostile: connections flooding at once");
  CLI11_PARSE(app, argc, argv);

  if (smoke) {
    options.caseloads = {100, 300};
    options.fleets = {10, 20};
    options.storm_devices = 20;
    options.storm_threads = 4;
    options.live_samples = 5;
    options.delta_repetitions = 2;
    options.large_store_records = 1'000;
    options.ceiling_records = 1'000;
    options.echo_messages = 320;
    options.unlock_repetitions = 1;
  }
  const std::size_t fleet_max =
      options.fleets.empty() ? 0 : *std::max_element(options.fleets.begin(), options.fleets.end());
  raise_descriptor_limit(2 * std::max(fleet_max, options.storm_devices) + 256);

  namespace fs = std::filesystem;
  bool made_dir = false;
  if (work_dir.empty()) {
    std::string pattern = (fs::temp_directory_path() / "psm-loadgen-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
      std::cerr << "psm-loadgen: cannot make a scratch directory\n";
      return 1;
    }
    work_dir = pattern;
    made_dir = true;
  }
  options.work_dir = work_dir;
  int rc = 0;
  if (hostile) {
    raise_descriptor_limit(8192);
    hostile_options.server_bin = options.server_bin;
    hostile_options.work_dir = work_dir;
    try {
      fs::create_directories(work_dir);
      rc = psm::loadgen::run_hostile(hostile_options);
    } catch (const std::exception& e) {
      std::cerr << "psm-loadgen: " << e.what() << "\n";
      rc = 1;
    }
    if (made_dir && !keep) {
      std::error_code ec;
      fs::remove_all(work_dir, ec);
    }
    return rc;
  }
  try {
    fs::create_directories(options.work_dir);
    attack.server_bin = options.server_bin;
    attack.work_dir = options.work_dir;
    if (smoke) {
      attack.passwords = 20;
      attack.addresses = 4;
      attack.delta_repetitions = 2;
    }
    const auto report = sign_in_attack ? psm::loadgen::run_sign_in_attack(attack) : psm::loadgen::run_all(options);
    if (!out_json.empty()) report.write_json(out_json);
    if (!out_markdown.empty()) report.write_markdown(out_markdown);
    for (const auto& r : report.results) {
      std::cout << r.scenario << ": " << r.value << " " << r.unit << " (target " << r.target << ": "
                << (r.met ? "met" : "missed") << ")\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "psm-loadgen: " << e.what() << "\n";
    rc = 1;
  }
  if (made_dir && !keep) {
    std::error_code ec;
    fs::remove_all(work_dir, ec);
  }
  return rc;
}
