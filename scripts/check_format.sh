#!/usr/bin/env bash
# Fails when a C++ file of the project is not as clang-format (.clang-format)
# would write it, naming each file; `scripts/check_format.sh --fix` rewrites
# them instead. Runs in a few seconds over the whole tree.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
format=$(command -v clang-format-14 || command -v clang-format || true)
[ -n "$format" ] || { echo "format: clang-format is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' | grep -v '^tests/browser/node_modules/')
if [ "${1:-}" = "--fix" ]; then
  "$format" -i "${files[@]}"
  echo "format: rewrote ${#files[@]} files"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  "$format" --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  printf 'format: not as clang-format writes it: %s\n' "${bad[@]}" >&2
  echo "format: run scripts/check_format.sh --fix (or git clang-format) and commit" >&2
  exit 1
fi
echo "format: ok (${#files[@]} files)"
