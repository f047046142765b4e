#!/usr/bin/env bash
# Loads the seed data into the local D1 (idempotent: INSERT OR REPLACE / delete-and-insert).
# Contracts: the documents' sample sites (data/seed-contracts.json). Directory: the seed 000
# Practitioner, roles and their location (data/directory-seed.json) plus a small synthetic
# directory, written with the very statements the worker uses (the core's index_rows).
# Extra arguments go to wrangler (e.g. --persist-to <dir> for the e2e tests' database).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"
cd "$ROOT"
mkdir -p target/seed
PF=(cargo run --quiet -p practice-fhir-tools --bin practice-fhir --)
# Contracts: each seeded site's rows cleared and written with the worker's own statements.
"${PF[@]}" contracts-sql data/seed-contracts.json data/demo-site.json > target/seed/contracts.sql 2>/dev/null
wrangler d1 execute DB --local --file target/seed/contracts.sql "$@" >/dev/null
echo "seed: loaded $(node scripts/seed-sql.mjs --sites | tr ',' '\n' | wc -l) contract sites as rows"
"${PF[@]}" generate --practitioners "${SEED_PRACTITIONERS:-300}" --seed 1 --out target/seed/directory.ndjson >/dev/null
# The documents' own sample practitioner has a telecom without a system (FHIR's cpt-2): it is
# the contract, so it is loaded with the directory's checks only.
"${PF[@]}" import data/directory-seed.json --sql target/seed/directory-samples.sql --now 2026-01-01T00:00:00Z --validate minimal --progress none >/dev/null
"${PF[@]}" import target/seed/directory.ndjson --sql target/seed/directory.sql --now 2026-01-01T00:00:00Z --progress none >/dev/null
for f in target/seed/directory-samples.sql target/seed/directory.sql; do
  wrangler d1 execute DB --local --file "$f" "$@" >/dev/null
done
echo "seed: loaded the seed 000 directory samples and ${SEED_PRACTITIONERS:-300} synthetic practitioners"
