// The seam through which main.cpp hands other front ends (the local app) to
// the command line: the CLI offers their subcommands and runs the one named,
// without knowing what they are.
#include "client/cli/cli.hpp"

#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace psm::client {
namespace {

struct FakeFrontEnd {
  std::string flag_value;
  std::optional<std::string> ran_with_home;

  FrontEndCommand command() {
    FrontEndCommand c;
    c.add = [this](CLI::App& psm) {
      auto* sub = psm.add_subcommand("fake", "a front end for this test");
      sub->add_option("--flag", flag_value);
      return sub;
    };
    c.run = [this](const HomePaths& home) {
      ran_with_home = home.root.string();
      return 42;
    };
    return c;
  }
};

int run(std::vector<std::string> args, FakeFrontEnd& fake) {
  args.insert(args.begin(), "psm");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  const FrontEndCommand front_ends[] = {fake.command()};
  return run_cli(static_cast<int>(argv.size()), argv.data(), front_ends);
}

TEST(CliFrontEnds, FrontEndSubcommand_IsRunWithTheHomeAndItsOptions_AndItsExitCodeReturned) {
  psm::testing::TempDir dir;
  FakeFrontEnd fake;
  EXPECT_EQ(run({"--home", dir.path.string(), "fake", "--flag", "on"}, fake), 42);
  ASSERT_TRUE(fake.ran_with_home);
  EXPECT_EQ(*fake.ran_with_home, dir.path.string());
  EXPECT_EQ(fake.flag_value, "on");
}

TEST(CliFrontEnds, FrontEndSubcommand_WithoutHome_IsAUsageError_AndNotRun) {
  FakeFrontEnd fake;
  EXPECT_EQ(run({"fake"}, fake), kExitUsage);
  EXPECT_FALSE(fake.ran_with_home);
}

TEST(CliFrontEnds, OtherCommand_DoesNotRunTheFrontEnd) {
  FakeFrontEnd fake;
  EXPECT_EQ(run({"deadline", "--type", "support", "--from", "2026-11-19T10:00"}, fake), kExitOk);
  EXPECT_FALSE(fake.ran_with_home);
}

}  // namespace
}  // namespace psm::client
