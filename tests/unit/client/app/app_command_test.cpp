// `psm app` as the command line sees it (client/core/front_end.hpp): its
// options and their checks, and the refusals it makes before listening.
#include "client/app/app.hpp"

#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

namespace psm::client::app {
namespace {

TEST(AppCommand, LockAfterOutOfRange_IsRefusedByTheParser) {
  CLI::App psm;
  const auto command = app_command();
  command.add(psm);
  EXPECT_THROW(psm.parse("app --lock-after 3", /*program_name_included=*/false), CLI::ValidationError);
}

TEST(AppCommand, ListenOffLoopback_IsAUsageError) {
  psm::testing::TempDir dir;
  CLI::App psm;
  const auto command = app_command();
  command.add(psm);
  psm.parse("app --listen 0.0.0.0:8080", /*program_name_included=*/false);
  EXPECT_EQ(command.run(HomePaths(dir.path)), kExitUsage);
}

TEST(AppCommand, HomeWithoutAReplica_IsNotEnrolled) {
  psm::testing::TempDir dir;
  CLI::App psm;
  const auto command = app_command();
  command.add(psm);
  psm.parse("app", /*program_name_included=*/false);
  EXPECT_EQ(command.run(HomePaths(dir.path)), kExitNotEnrolled);
}

}  // namespace
}  // namespace psm::client::app
