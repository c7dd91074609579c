// Sign-in under attack (issue 12): a device's delta sync while wrong
// passwords are tried from many loopback addresses, against its quiet figure;
// what the attack added to the audit trail; the throttle's memory bound.
// `psm-loadgen --sign-in-attack` runs only this (docs/security.md).
#pragma once

#include "report.hpp"

#include <filesystem>

namespace psm::loadgen {

struct AttackOptions {
  std::filesystem::path server_bin;
  std::filesystem::path work_dir;
  std::size_t passwords = 500;  // wrong passwords tried in all
  std::size_t addresses = 25;   // 127.0.0.2, 127.0.0.3, ... (all loopback)
  std::size_t delta_repetitions = 10;
};

Report run_sign_in_attack(const AttackOptions& options);

}  // namespace psm::loadgen
