// The end-to-end fixture: a real psm-server process with the demo reference
// data and one account per role, and psm processes with their own homes.
#pragma once

#include "support/process.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace psm::e2e {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::TempDir;

inline constexpr const char* kPassword = "correct horse battery";
inline constexpr const char* kPassphrase = "my device passphrase";

inline std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class EndToEnd : public ::testing::Test {
 protected:
  // Arguments added to `psm-server serve` by start_server() (set before SetUp).
  std::vector<std::string> serve_args_;

  void SetUp() override {
    data_ = dir_.path / "server";
    auto init = run({server_bin(), "init", "--data", data_.string()});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    auto import = run(
        {server_bin(), "import", "--data", data_.string(), (source_dir() / "scripts/demo/reference.json").string()});
    ASSERT_EQ(import.exit_code, 0) << import.err;
    for (auto [user, person, role] :
         {std::tuple{"jo", "carer-okafor", "foster-carer"}, std::tuple{"priya", "csw-shah", "child-social-worker"},
          std::tuple{"alex", "ssw-morgan", "supervising-social-worker"},
          std::tuple{"lee", "ftm-walsh", "fostering-team-manager"}, std::tuple{"ruth", "iro-ahmed", "iro"},
          std::tuple{"sasha", "panel-grant", "panel-member"}}) {
      auto add = run({server_bin(), "user", "add", "--data", data_.string(), "--username", user, "--role", role,
                      "--name", user, "--person", person},
                     {{"PSM_PASSWORD", kPassword}});
      ASSERT_EQ(add.exit_code, 0) << add.err;
    }
    start_server();
  }

  void start_server(std::uint16_t port = 0) {
    server_ = std::make_unique<Server>(data_, port, serve_args_);
    ASSERT_TRUE(server_->ready()) << server_->output();
  }

  fs::path home(const std::string& who) { return dir_.path / ("home-" + who); }
  fs::path ca() { return data_ / "tls" / "ca.pem"; }

  RunResult psm(const std::string& who, std::vector<std::string> args,
                std::map<std::string, std::string> env = {{"PSM_PASSPHRASE", kPassphrase}}) {
    std::vector<std::string> argv{client_bin().string(), "--home", home(who).string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, env);
  }

  void enrol(const std::string& who) {
    auto r = psm(who, {"enrol", "--server", server_->url(), "--ca", ca().string(), "--username", who},
                 {{"PSM_PASSWORD", kPassword}, {"PSM_PASSPHRASE", kPassphrase}});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  // `who` records that everyone who must attend meeting `id` attended.
  void attend_mandatory(const std::string& who, const std::string& id) {
    const auto meeting = json_of(who, {"meeting", id});
    for (const auto& inv : meeting.at("invitations").as_array()) {
      if (!inv.at("mandatory").as_bool()) continue;
      auto r = psm(who, {"record-attendance", std::string(inv.at("id").as_string()), "--status", "attended"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }

  json::value json_of(const std::string& who, std::vector<std::string> args) {
    args.push_back("--json");
    auto r = psm(who, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  TempDir dir_;
  fs::path data_;
  std::unique_ptr<Server> server_;
};

}  // namespace psm::e2e
