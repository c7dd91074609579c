#!/usr/bin/env bash
# Fails (exit 1, naming file:line) when a stored field name is used as a
# string literal to read or write a record, outside the schema
# (common/model/schema.hpp). Records are read and written through the
# schema's typed fields, so that a renamed field fails to compile instead of
# silently reading "".
#
# Usage: scripts/check_schema.sh [repo root]
set -euo pipefail

# Where the rule holds. Extending it is one more line here.
CHECKED=(
  common
  server
  client
)

root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"
schema=common/model/schema.hpp

# Every stored field name, from the schema's definitions: Field<...> name{"name"}.
mapfile -t names < <(grep -oE 'Field<[^>]+> [a-z_]+\{"[a-z_]+"\}' "$schema" | sed -E 's/.*\{"([a-z_]+)"\}/\1/' | sort -u)
if [ "${#names[@]}" -eq 0 ]; then
  echo "check_schema: no fields found in $schema" >&2
  exit 2
fi
alt=$(IFS='|'; echo "${names[*]}")

# Record access with a literal name as its first argument (on a record or
# through a pointer to one), or set(record, "name", ...).
access="((\.|->)(get|value|set|spelling)|\bset|\bput|fields\[|fields(\.|->)(at|find|count|erase)|base\[|base\.(at|find|count))\(?[[:space:]]*\"($alt)\""
# A helper given a record and a literal name: set(record, "name", ...), ms_field(record, "name").
setter="\b(set|put|ms_field[a-z_]*)\([^,()]+,[[:space:]]*\"($alt)\""

files=()
for path in "${CHECKED[@]}"; do
  if [ -d "$path" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$path" -type f \( -name '*.cpp' -o -name '*.hpp' \) | sort)
  elif [ -f "$path" ]; then
    files+=("$path")
  fi
done

found=0
for f in "${files[@]}"; do
  case "$f" in common/model/schema.*) continue ;; esac
  if grep -nE "$access|$setter" "$f" | sed "s|^|$f:|"; then found=1; fi
done

if [ "$found" -ne 0 ]; then
  echo "check_schema: stored field names used as string literals above; use the fields of $schema" >&2
  exit 1
fi
echo "check_schema: ${#files[@]} files, no field names as string literals"
