// The scenarios of the performance targets (docs/performance.md), each with a
// size so CI can run them tiny.
#pragma once

#include "harness.hpp"
#include "report.hpp"

#include <vector>

namespace psm::loadgen {

struct Options {
  fs::path server_bin;
  fs::path work_dir;
  std::vector<std::size_t> caseloads{1'000, 10'000, 100'000};  // pushed in stages; each stage pulled fresh
  std::vector<std::size_t> fleets{100, 1'000, 5'000};
  std::size_t storm_devices = 5'000;
  std::size_t storm_threads = 100;
  std::size_t live_samples = 200;
  std::size_t delta_repetitions = 5;
  std::size_t large_store_records = 1'000'000;  // delta sync again with the store this big (0: skip)
  std::size_t ceiling_records = 100'000;
  std::size_t echo_messages = 50'000;
  int unlock_repetitions = 3;
};

Report run_all(const Options& options);

}  // namespace psm::loadgen
