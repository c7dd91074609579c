#!/usr/bin/env bash
# Runs the curated clang-tidy checks (.clang-tidy) on the C++ sources changed
# since a base commit and fails on any finding. The base is $PSM_TIDY_BASE when
# it is set, else the commit named in .ci/tidy-base: the newest commit whose
# changed sources were already checked clean (each stop, before it lands,
# moves it to the head CI last passed, so CI checks exactly that stop's
# changes). When neither names a commit in this clone, every commit in the 24
# hours before HEAD. Needs a configured build tree for compile_commands.json:
# $PSM_BUILD_DIR, default build/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${PSM_BUILD_DIR:-$root/build}
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
[ -n "$tidy" ] || { echo "tidy: clang-tidy is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
[ -f "$build/compile_commands.json" ] || { echo "tidy: no $build/compile_commands.json; build first" >&2; exit 1; }

base=${PSM_TIDY_BASE:-}
if [ -z "$base" ] && [ -f .ci/tidy-base ]; then
  base=$(sed -n 's/^\([0-9a-f]\{7,40\}\).*/\1/p' .ci/tidy-base | head -n 1)
  git cat-file -e "${base:-none}^{commit}" 2>/dev/null || base=
fi
if [ -z "$base" ]; then
  newest=$(git log -1 --format=%ct HEAD)
  base=$(git rev-list -1 --before="$((newest - 24 * 3600))" HEAD || true)
fi
if [ -n "$base" ]; then
  # Files whose change is more than layout (a clang-format pass alone does not count).
  mapfile -t files < <(git diff -w --numstat --no-renames --diff-filter=AM "$base" HEAD -- 'common/*.cpp' 'server/*.cpp' 'client/*.cpp' |
                         awk '$1 + $2 > 0 { print $3 }')
else
  mapfile -t files < <(git ls-files 'common/*.cpp' 'server/*.cpp' 'client/*.cpp')
fi
# Only files the build compiles (a generated or removed file has no entry).
checked=()
for f in "${files[@]}"; do grep -q "\"file\": \"$root/$f\"" "$build/compile_commands.json" && checked+=("$f"); done
if [ ${#checked[@]} -eq 0 ]; then echo "tidy: no changed sources to check"; exit 0; fi
echo "tidy: checking ${#checked[@]} changed sources since ${base:0:12}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! printf '%s\n' "${checked[@]}" | xargs -P "${PSM_JOBS:-2}" -n 1 \
     "$tidy" -p "$build" --quiet --warnings-as-errors='*' >"$log" 2>&1; then
  grep -E 'error:|warning:' "$log" | sort -u >&2 || cat "$log" >&2
  echo "tidy: findings above; fix them or, for a deliberate exception, NOLINT(check) with the reason" >&2
  exit 1
fi
echo "tidy: ok"
