#!/usr/bin/env bash
# The long runs: each target in turn (never two at once on a shared machine), at the lowest
# priority, for SECONDS_EACH seconds (default 600) from fuzz/corpus/<target> (seed it first
# with fuzz/seed-corpus.sh). Logs go to fuzz/logs/<target>.log; a crash stops that target
# (its input lands in fuzz/artifacts/<target>/) and the next one starts.
# Usage: fuzz/run-all.sh [target ...]   (default: every target)
set -uo pipefail
FUZZ="$(cd "$(dirname "$0")" && pwd)"
cd "$FUZZ"
. ../scripts/env.sh
SECONDS_EACH="${SECONDS_EACH:-600}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(query_strings snapshots write_bodies price_import bearer_tokens parse_resource identity_documents)
mkdir -p logs
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  echo "$(date -u +%H:%M:%S) $t: start"
  nice -n 19 cargo +nightly fuzz run -a "$t" -- \
    -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    >"logs/$t.log" 2>&1
  rc=$?
  echo "$(date -u +%H:%M:%S) $t: exit $rc; $(grep -E '^#[0-9]+[[:space:]]+DONE' "logs/$t.log" | tail -1)"
  grep -E '^stat::|^Done ' "logs/$t.log" | tr '\n' ' '
  echo
done
