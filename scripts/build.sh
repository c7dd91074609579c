#!/usr/bin/env bash
# Configures and builds psm into build/ (or $PSM_BUILD_DIR) with both cores.
# Extra arguments go to CMake's configure step, e.g. -DPSM_SANITIZE=address,undefined.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PSM_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=${PSM_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$build" -j"${PSM_JOBS:-2}"
