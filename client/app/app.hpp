// `psm app`: the local web app. Serves the pages built into the binary and a
// JSON API over this device's replica on a loopback address only, and keeps
// syncing in the background while it runs (docs/architecture.md, "The local
// app"; threat model in docs/security.md).
#pragma once

#include "client/core/exit_codes.hpp"
#include "client/core/front_end.hpp"
#include "client/replica/replica.hpp"

#include <chrono>
#include <string>

namespace psm::client::app {

struct AppOptions {
  // IP:PORT on a loopback address (127.0.0.0/8 or ::1); port 0 picks a free one.
  std::string listen = "127.0.0.1:0";
  // Idle time after which the replica is closed and its key dropped.
  std::chrono::seconds lock_after{10 * 60};
  // How often to sync when the server has not said anything changed.
  std::chrono::seconds sync_every{30};
};

// Runs until SIGINT or SIGTERM. Prints the address to open (with the launch
// secret) on stdout. Returns a psm exit code: kExitUsage for a listen address
// that is malformed or not loopback, kExitNotEnrolled when there is no replica.
int run_app(const HomePaths& home, const AppOptions& options);

// `psm app [--listen IP:PORT] [--lock-after SECONDS] [--sync-every SECONDS]`,
// for main.cpp to hand to run_cli(): its options, then run_app() with them.
FrontEndCommand app_command();

}  // namespace psm::client::app
