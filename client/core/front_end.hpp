// The seam between the command line and the other front ends the psm binary
// starts as one of its subcommands (today `psm app`, the local web app).
// main.cpp hands each one to run_cli(), so the CLI parses and dispatches a
// front end's subcommand without including it, and the front end never
// includes the CLI: both depend only on this shared layer.
//
// A pair of functions rather than a class hierarchy: nothing else is swapped here.
#pragma once

#include "client/replica/replica.hpp"

#include <functional>

namespace CLI {
class App;
}  // namespace CLI

namespace psm::client {

struct FrontEndCommand {
  // Adds the subcommand and its options to psm's command line; called once,
  // before parsing. The options write into state the front end keeps.
  std::function<CLI::App*(CLI::App& psm)> add;
  // Runs the front end once parsing named its subcommand. `home` is --home
  // (required); the replica is not open. Returns a psm exit code (exit_codes.hpp).
  std::function<int(const HomePaths& home)> run;
};

}  // namespace psm::client
