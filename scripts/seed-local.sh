#!/usr/bin/env bash
# Loads the seed data (data/*.sql, in name order) into the local D1. Extra arguments go to
# wrangler (e.g. --persist-to <dir> for the e2e tests' private database). Idempotent: the
# seed files use INSERT OR REPLACE.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"
cd "$ROOT"
shopt -s nullglob
files=(data/*.sql)
if [ ${#files[@]} -eq 0 ]; then
  echo "seed: no data/*.sql files yet"
  exit 0
fi
for f in "${files[@]}"; do
  echo "seed: $f"
  wrangler d1 execute DB --local --file "$f" "$@" >/dev/null
done
