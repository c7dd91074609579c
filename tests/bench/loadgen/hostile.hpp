// psm-loadgen --hostile: what strangers who never sign in cost a real
// psm-server (docs/security.md, "Hostile clients before sign-in"). Measures
// how many such connections the server holds and for how long, the server's
// memory while strangers flood it with sign-ins as fast as they can, and how
// long a real `psm sync` takes meanwhile. Prints its figures; asserts nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>

namespace psm::loadgen {

struct HostileOptions {
  std::filesystem::path server_bin;
  std::filesystem::path client_bin;
  std::filesystem::path work_dir;
  std::size_t flooders = 10;            // connections flooding at once
  std::chrono::seconds flood_time{10};  // how long they flood
  std::size_t held_addresses = 40;      // loopback source addresses for the held-connections count
  std::size_t quiet_syncs = 3;          // `psm sync` runs without an attack, for the baseline
};

// Returns 0, or 1 when the server could not be set up.
int run_hostile(const HostileOptions& options);

}  // namespace psm::loadgen
