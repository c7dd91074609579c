#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test:
#   1. the layering check, the schema check (no stored field name as a string
#      literal) and clang-format in check mode (a few seconds);
#   2. a warnings-as-errors build and the whole suite (unit, integration over
#      loopback and real TLS, end-to-end with real processes), then the local
#      app's browser tests in headless Chromium (scripts/test_browser.sh, about
#      a minute), then every benchmark once at a small size so none rots (no
#      timing is asserted), and the curated clang-tidy checks on the sources
#      changed since the head CI last passed (.ci/tidy-base; scripts/check_tidy.sh);
#   3. the suite again under AddressSanitizer + UndefinedBehaviorSanitizer, the
#      concurrent parts under ThreadSanitizer, and each fuzz target for
#      PSM_FUZZ_SECONDS (default 45) with libFuzzer (scripts/fuzz.sh).
# Set PSM_SKIP_SANITIZERS=1 to skip step 3 on a quick local run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Each phase prints how long the run has taken so far (docs/reliability.md,
# "What the test command costs", lists what each costs on CI).
phase() { echo "== $1 (at $((SECONDS / 60))m$((SECONDS % 60))s)"; }

bash scripts/setup.sh
bash scripts/check_layering.sh
bash scripts/check_format.sh
bash scripts/check_schema.sh

phase "build (warnings are errors)"
PSM_BUILD_DIR=$root/build bash scripts/build.sh -DPSM_WERROR=ON
phase "tests"
# 400 randomized convergence histories here, 60 more under ASan (docs/reliability.md).
(cd build && PSM_CONVERGENCE_HISTORIES=${PSM_CONVERGENCE_HISTORIES:-400} ctest -j2 --output-on-failure --timeout 1800 -LE bench)
phase "the local app in a browser"
PSM_BUILD_DIR=$root/build bash scripts/test_browser.sh
phase "benchmarks, once each at a small size (nothing timed is asserted; scripts/bench.sh measures)"
(cd build && ctest --output-on-failure -L bench)
phase "clang-tidy on recently changed sources"
PSM_BUILD_DIR=$root/build bash scripts/check_tidy.sh

if [ "${PSM_SKIP_SANITIZERS:-0}" != 1 ]; then
  phase "build with AddressSanitizer + UndefinedBehaviorSanitizer"
  # Debug keeps assertions on; -g1 (line tables) is all the sanitizers' stack
  # traces need, and compiles faster than full debug information.
  PSM_BUILD_DIR=$root/build-asan PSM_BUILD_TYPE=Debug bash scripts/build.sh -DPSM_SANITIZE=address,undefined \
    -DPSM_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG=-g1
  phase "tests under ASan + UBSan (the layering probes check the build, not the code: not again here)"
  (cd build-asan && PSM_CONVERGENCE_HISTORIES=60 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest -j2 --output-on-failure --timeout 1800 -LE 'bench|layering')
fi
if [ "${PSM_SKIP_SANITIZERS:-0}" != 1 ]; then
  phase "build the concurrent parts with ThreadSanitizer"
  # Only the binary of the two test files run here (psm_tsan_tests,
  # tests/CMakeLists.txt), with line tables only.
  PSM_BUILD_DIR=$root/build-tsan PSM_BUILD_TYPE=Debug bash scripts/build.sh -DPSM_SANITIZE=thread \
    -DCMAKE_CXX_FLAGS_DEBUG=-g1 --target psm_tsan_tests
  phase "transport and full server stack under ThreadSanitizer"
  (cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
     ctest -j2 --output-on-failure --timeout 900 -R 'TransportTest|ServerStack')
  phase "fuzz the codec, apply() and the importer (clang, libFuzzer, ASan + UBSan)"
  PSM_FUZZ_SECONDS=${PSM_FUZZ_SECONDS:-45} bash scripts/fuzz.sh
fi
phase "all tests passed"
