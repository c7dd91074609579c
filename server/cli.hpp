// The psm-server command line. main() only calls run_cli(); every command is
// reachable from tests without the executable.
#pragma once

namespace psm::server {

// Exit codes (docs/operations.md): 0 ok, 1 failure, 2 bad arguments,
// 3 data directory problem (missing, wrong permissions, already initialised).
int run_cli(int argc, char** argv);

}  // namespace psm::server
