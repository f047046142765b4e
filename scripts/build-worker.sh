#!/usr/bin/env bash
# wrangler's [build] command: builds worker/ with worker-build into worker/build/.
# Its own target dir, so switching between this and the npm (wasm feature) build never
# rebuilds everything.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"
export CARGO_TARGET_DIR="$ROOT/target/worker"
cd "$ROOT/worker"
worker-build --release
