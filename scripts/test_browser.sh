#!/usr/bin/env bash
# The local app's browser tests (tests/browser): headless Chromium, driven by
# playwright-core, against real psm-server and psm processes from a build.
#   PSM_BUILD_DIR  the build to test (default: build/); needs psm and psm-server
#   PSM_CHROMIUM   the browser (default: /usr/bin/chromium)
# Screenshots of the main screens land in tests/browser/artifacts/.
# Takes about a minute; bounded by a 5-minute limit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export PSM_BUILD_DIR=${PSM_BUILD_DIR:-$root/build}
cd "$root/tests/browser"
# Exactly the versions in package-lock.json, from the npm registry.
npm ci --no-audit --no-fund --loglevel=error
timeout 300 node --test --test-concurrency=1 tests/
