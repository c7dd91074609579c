#!/usr/bin/env bash
# Configures and builds psm into build/ (or $PSM_BUILD_DIR) with both cores.
# Arguments starting with -D go to CMake's configure step (e.g.
# -DPSM_SANITIZE=address,undefined); `--target NAME` builds only that target.
# Links with lld when it is installed (scripts/setup.sh installs it): it links
# the big test binaries in about a third of ld's time (docs/reliability.md,
# "What the test command costs").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PSM_BUILD_DIR:-$root/build}
configure=()
build_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) build_args+=(--target "$2"); shift 2 ;;
    *) configure+=("$1"); shift ;;
  esac
done
# Given first, so a -DPSM_LINKER= among the arguments wins.
linker=()
if command -v ld.lld >/dev/null 2>&1; then linker=(-DPSM_LINKER=lld); fi
cmake -S "$root" -B "$build" "${linker[@]}" -DCMAKE_BUILD_TYPE=${PSM_BUILD_TYPE:-RelWithDebInfo} "${configure[@]}" >/dev/null
cmake --build "$build" -j"${PSM_JOBS:-2}" "${build_args[@]}"
