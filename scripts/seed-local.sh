#!/usr/bin/env bash
# Loads the seed data into the local D1 (idempotent: INSERT OR REPLACE). Extra arguments go
# to wrangler (e.g. --persist-to <dir> for the e2e tests' private database).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"
cd "$ROOT"
mkdir -p target
node scripts/seed-sql.mjs > target/seed-contracts.sql
wrangler d1 execute DB --local --file target/seed-contracts.sql "$@" >/dev/null
echo "seed: loaded $(grep -c '^INSERT' target/seed-contracts.sql) contract books"
