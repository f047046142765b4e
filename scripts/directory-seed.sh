#!/usr/bin/env bash
# Generates a synthetic practitioner directory and loads it into the local D1 with the very
# statements the worker writes (index_rows). Idempotent: each resource's rows are deleted and
# re-inserted. Usage: scripts/directory-seed.sh [PRACTITIONERS=1000] [SEED=1] [wrangler args…]
# (apply migrations first: wrangler d1 migrations apply DB --local).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"
cd "$ROOT"
N="${1:-1000}"
SEED="${2:-1}"
shift $(( $# > 2 ? 2 : $# ))
mkdir -p target/directory
rm -f target/directory/directory-"$N"-"$SEED".*.sql
cargo run --quiet --release --bin practice-fhir -- generate --practitioners "$N" --seed "$SEED" \
  --out "target/directory/directory-$N-$SEED.ndjson"
cargo run --quiet --release --bin practice-fhir -- import "target/directory/directory-$N-$SEED.ndjson" \
  --sql "target/directory/directory-$N-$SEED.sql" --batch 2000
for f in target/directory/directory-"$N"-"$SEED".*.sql; do
  wrangler d1 execute DB --local --file "$f" "$@" >/dev/null
done
echo "directory: loaded $N practitioners (seed $SEED)"
