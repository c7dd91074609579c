// The psm command line: one front end over the shared layer (client/core).
// main.cpp only calls run_cli().
#pragma once

#include "client/core/exit_codes.hpp"
#include "client/core/front_end.hpp"

#include <span>

namespace psm::client {

// Parses the command line and runs the command it names. `front_ends` are the
// other front ends psm starts as subcommands (main.cpp passes the local app's);
// each is offered after `receipts` in the help, and run with --home before the
// replica is opened. Returns an exit code (client/core/exit_codes.hpp).
int run_cli(int argc, char** argv, std::span<const FrontEndCommand> front_ends = {});

}  // namespace psm::client
