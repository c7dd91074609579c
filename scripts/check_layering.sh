#!/usr/bin/env bash
# Fails when a module includes what it must not (STYLE.md, "Direction of
# dependencies"): common/ knows no sockets or SQL outside common/store;
# client/ and server/ never include each other.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
status=0
if grep -rnE '#include *[<"](boost/(asio|beast)|sqlcipher/|sqlite3)' common | grep -v '^common/store/'; then
  echo "layering: common/ may not include networking, or SQL outside common/store" >&2; status=1
fi
if grep -rnE '#include *"client/' server; then echo "layering: server/ includes client/" >&2; status=1; fi
if grep -rnE '#include *"server/' client; then echo "layering: client/ includes server/" >&2; status=1; fi
[ $status -eq 0 ] && echo "layering: ok"
exit $status
