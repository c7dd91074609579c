// psm: the command line, with the local app wired in as its `app` subcommand.
// The only place that knows both front ends (docs/architecture.md, "Client layout").
#include "client/app/app.hpp"
#include "client/cli/cli.hpp"

int main(int argc, char** argv) {
  const psm::client::FrontEndCommand front_ends[] = {psm::client::app::app_command()};
  return psm::client::run_cli(argc, argv, front_ends);
}
