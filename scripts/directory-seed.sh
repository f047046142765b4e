#!/usr/bin/env bash
# Generates a synthetic practitioner directory and loads it into the local D1 with the very
# statements the worker writes (index_rows), through scripts/d1-import.sh. Idempotent: each
# resource's rows are deleted and re-inserted. Usage: scripts/directory-seed.sh
# [PRACTITIONERS=1000] [SEED=1] [d1-import/wrangler args…] (e.g. --remote, --dry-run,
# --persist-to DIR; apply migrations first: wrangler d1 migrations apply DB --local).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"
cd "$ROOT"
N="${1:-1000}"
SEED="${2:-1}"
shift $(( $# > 2 ? 2 : $# ))
mkdir -p target/directory
cargo build --quiet --profile tools -p practice-fhir-tools --bin practice-fhir
export PRACTICE_FHIR_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/tools/practice-fhir"
"$PRACTICE_FHIR_BIN" generate --practitioners "$N" --seed "$SEED" \
  --out "target/directory/directory-$N-$SEED.ndjson"
scripts/d1-import.sh --batch 2000 --out target/directory "target/directory/directory-$N-$SEED.ndjson" "$@"
echo "directory: $N practitioners (seed $SEED)"
