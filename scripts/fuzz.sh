#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and
# runs each for a bounded time, starting from a copy of the checked-in corpus
# (tests/fuzz/corpus/NAME, which is never modified). Prints the executions of
# each run; exits non-zero when a target crashes, leaks or times out, leaving
# the crashing input in build-fuzz/fuzz-artifacts/NAME/.
#   PSM_FUZZ_SECONDS   seconds per target (default 60)
#   PSM_FUZZ_TARGETS   which targets (default "decode apply import")
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PSM_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${PSM_FUZZ_SECONDS:-60}
targets=(${PSM_FUZZ_TARGETS:-decode apply import})

fuzzers=()
for t in "${targets[@]}"; do fuzzers+=(--target "psm_fuzz_$t"); done
echo "== build the fuzz targets with clang (ASan + UBSan + libFuzzer)"
CC=clang CXX=clang++ PSM_BUILD_DIR=$build PSM_BUILD_TYPE=RelWithDebInfo bash "$root/scripts/build.sh" \
  -DPSM_FUZZ=ON -DPSM_SANITIZE=address,undefined "${fuzzers[@]}"

status=0
for t in "${targets[@]}"; do
  work=$build/fuzz-corpus/$t
  artifacts=$build/fuzz-artifacts/$t
  rm -rf "$work" "$artifacts"
  mkdir -p "$work" "$artifacts"
  cp "$root/tests/fuzz/corpus/$t/"* "$work/"
  log=$build/fuzz-$t.log
  echo "== fuzz $t for ${seconds}s"
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
     "$build/tests/fuzz/psm_fuzz_$t" "$work" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
       -timeout=25 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    echo "fuzz $t: ${runs:-?} executions in ${seconds}s ($(( ${runs:-0} / seconds ))/s), corpus $(ls "$work" | wc -l) inputs"
  else
    status=1
    echo "fuzz $t: FAILED; the end of $log:" >&2
    tail -40 "$log" >&2
    ls "$artifacts" >&2
  fi
done
exit $status
