#!/usr/bin/env bash
# `make bench`: every benchmark, each measuring its contenders in one run, tables recorded
# in docs/benchmarks.md. Pass --no-record to only print.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"
cd "$ROOT"
REC="--record"; [ "${1:-}" = "--no-record" ] && REC=""
mkdir -p target
node bench/make_bundle.mjs --count 1000 --out target/practitioners-1000.json
echo "== parse + validate (Node, wasm vs JSON.parse vs Medplum)"
node bench/parse.mjs target/practitioners-1000.json $REC
echo "== native parse (criterion)"
cargo bench -p practice-fhir --bench parse -- --noplot 2>&1 | grep -E 'time:|thrpt:|^[a-z_/ -]+$' || true
echo "== fees (native criterion vs wasm in Node)"
node bench/fees.mjs $REC
echo "== edge (autocannon against wrangler dev vs native core call)"
node bench/edge.mjs $REC
echo "== directory at the edge (10k and 100k practitioners in local D1: autocannon vs the same search on SQLite)"
node bench/directory-edge.mjs $REC
echo "== contracts at hospital scale (5k/20k/100k prices imported into local D1, wrangler dev) and natively on SQLite"
node bench/contracts-scale.mjs $REC
cargo bench -p practice-fhir --bench contracts_scale 2>&1 | grep '^|' | tee target/contracts-native.md
[ -n "$REC" ] && node -e "import('./bench/record.mjs').then((m) => m.record('contracts-native', require('fs').readFileSync('target/contracts-native.md', 'utf8').trim()))"
echo "== fee-schedule import (~100,000 generated prices into a fresh local D1 through SQL files)"
scripts/prices-import.sh --bench
echo "== fee-preview page (input change to fee on screen, headless Chromium)"
node bench/page.mjs $REC
# Issue 14: cold start (bundle size, `wrangler check startup`, the wasm in V8, the first
# requests after a `wrangler dev` restart) against the 1 s startup limit.
echo "== cold start (worker startup and first requests after a wrangler dev restart)"
scripts/build-worker.sh >/dev/null
node bench/cold-start.mjs $REC
