// End-to-end fixture with a fault proxy: a real psm-server with the demo
// reference data, accounts for a foster carer (jo) and the child's social
// worker (priya), and devices enrolled through a FaultProxy so that every
// sync passes through it over real TLS.
#pragma once

#include "support/process.hpp"
#include "testing/fault_proxy.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>

namespace psm::e2e {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::FaultProxy;
using testing::TempDir;
using namespace std::chrono_literals;

inline constexpr const char* kPassword = "correct horse battery";
inline constexpr const char* kPassphrase = "my device passphrase";
inline constexpr const char* kPlacement = "pl-amelia-okafor";

inline fs::path queue_bin() { return PSM_QUEUE_BIN; }

inline std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ProxiedEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path / "server";
    ASSERT_EQ(run({server_bin(), "init", "--data", data_.string()}).exit_code, 0);
    ASSERT_EQ(
        run({server_bin(), "import", "--data", data_.string(), (source_dir() / "scripts/demo/reference.json").string()})
            .exit_code,
        0);
    for (auto [user, person, role] :
         {std::tuple{"jo", "carer-okafor", "foster-carer"}, std::tuple{"priya", "csw-shah", "child-social-worker"}}) {
      auto add = run({server_bin(), "user", "add", "--data", data_.string(), "--username", user, "--role", role,
                      "--name", user, "--person", person},
                     {{"PSM_PASSWORD", kPassword}});
      ASSERT_EQ(add.exit_code, 0) << add.err;
    }
    start_server(0);
    proxy_ = std::make_unique<FaultProxy>(server_->port());
  }

  void start_server(std::uint16_t port) {
    server_ = std::make_unique<Server>(data_, port);
    ASSERT_TRUE(server_->ready()) << server_->output();
  }

  fs::path home(const std::string& who) { return dir_.path / ("home-" + who); }

  std::vector<std::string> psm_argv(const std::string& who, std::vector<std::string> args) {
    std::vector<std::string> argv{client_bin().string(), "--home", home(who).string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  RunResult psm(const std::string& who, std::vector<std::string> args) {
    return run(psm_argv(who, std::move(args)), {{"PSM_PASSPHRASE", kPassphrase}});
  }

  // Enrols through the proxy, so every later sync passes through it too.
  void enrol(const std::string& who) {
    auto r = run(psm_argv(who, {"enrol", "--server", proxy_->url(), "--ca", (data_ / "tls" / "ca.pem").string(),
                                "--username", who}),
                 {{"PSM_PASSWORD", kPassword}, {"PSM_PASSPHRASE", kPassphrase}});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  void queue(int count, const std::string& prefix) {
    auto r = run({queue_bin().string(), home("jo").string(), kPlacement, std::to_string(count), prefix},
                 {{"PSM_PASSPHRASE", kPassphrase}}, "", 120s);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  json::object status(const std::string& who) {
    auto r = psm(who, {"status", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;  // the replica opens cleanly
    return r.exit_code == 0 ? json::parse(r.out).as_object() : json::object{};
  }

  std::size_t waiting(const std::string& who) {
    auto s = status(who);
    return s.empty() ? 0 : static_cast<std::size_t>(s.at("waiting_to_send").as_int64());
  }

  // Reasons of the meetings `who` sees, with how many meetings carry each.
  std::map<std::string, int> meeting_reasons(const std::string& who) {
    auto r = psm(who, {"meetings", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, int> out;
    if (r.exit_code != 0) return out;
    const auto meetings = json::parse(r.out);
    for (const auto& m : meetings.as_array()) ++out[std::string(m.at("reason").as_string())];
    return out;
  }

  // Every operation jo made reached the server exactly once: jo's outbox holds
  // no refused or unsent operation (a second application of a meeting request
  // is refused as "already exists"), and another device pulling from the
  // server sees each of the `count` meetings once.
  void expect_applied_exactly_once(const std::string& prefix, int count, std::vector<std::string> pull = {"sync"}) {
    auto s = status("jo");
    ASSERT_FALSE(s.empty());
    EXPECT_EQ(s.at("waiting_to_send").as_int64(), 0);
    std::map<std::string, int> states;
    for (const auto& op : s.at("operations").as_array()) ++states[std::string(op.at("state").as_string())];
    EXPECT_EQ(states["accepted"], count) << "states: accepted " << states["accepted"] << ", rejected "
                                         << states["rejected"] << ", conflict " << states["conflict"];
    EXPECT_EQ(states["rejected"], 0);

    auto sync = psm("priya", pull);
    ASSERT_EQ(sync.exit_code, 0) << sync.err;
    auto reasons = meeting_reasons("priya");
    int found = 0;
    for (int i = 0; i < count; ++i) {
      const auto it = reasons.find(prefix + " " + std::to_string(i));
      if (it == reasons.end()) {
        ADD_FAILURE() << "meeting \"" << prefix << " " << i << "\" is missing on the server";
        continue;
      }
      EXPECT_EQ(it->second, 1) << "meeting \"" << prefix << " " << i << "\" appears " << it->second << " times";
      ++found;
    }
    EXPECT_EQ(found, count);
    EXPECT_EQ(reasons.size(), static_cast<std::size_t>(count));
  }

  // Waits until the armed fault has fired (the connection is held at its byte).
  bool wait_for_fault() {
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (proxy_->faults_fired() == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
    return proxy_->faults_fired() > 0;
  }

  TempDir dir_;
  fs::path data_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<FaultProxy> proxy_;
};

}  // namespace psm::e2e
