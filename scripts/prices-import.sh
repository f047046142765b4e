#!/usr/bin/env bash
# Imports a fee schedule (CSV with a header row, or NDJSON) into one site of D1, local or remote.
#
#   scripts/prices-import.sh [--remote] [--dry-run] [--mode merge|replace] [--current SNAPSHOT]
#                            [--rows-per-file N] [--now INSTANT] [--out DIR] FILE SITE [wrangler args…]
#   scripts/prices-import.sh --bench [PAYORS PROCEDURES]   (default 30 × 3300: ~100,000 prices)
#
# 1. `practice-fhir prices import` reads the site's current state (the core's slice queries
#    through `wrangler d1 execute --json`, or the --current snapshot), validates every line as
#    the API's `$contract-price` does (codes, money, payors, tariff maximums) and writes the
#    difference as SQL files of at most N prices (default 20,000): the core's own write
#    statements, guards, version bumps and an audit row each. A rejected line and nothing is
#    written: every rejected line is listed with its number, field and reason.
# 2. Each file goes to `wrangler d1 execute DB --local|--remote --file F`, one batch each, all
#    or nothing. The import stops at the first failed file; re-running it reads the state
#    again and writes only what is still missing.
#
# --dry-run   report what would be added, changed (old → new fee), removed and rejected;
#             nothing is written (the report is DIR/NAME.report.json)
# --bench     generate a hospital, load its contracts into a fresh local D1, then time this
#             import of its prices (the issue's target: 100,000 prices in under 60 s)
# Extra arguments go to wrangler (e.g. --persist-to DIR for a local database elsewhere).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"
cd "$ROOT"

where=--local dry=0 mode=merge current="" rows="" now="" out="target/prices" bench=0
file="" site="" persist=""
wrangler_args=() bench_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --remote) where=--remote ;;
    --local) where=--local ;;
    --dry-run) dry=1 ;;
    --bench) bench=1 ;;
    --mode) mode="$2"; shift ;;
    --current) current="$2"; shift ;;
    --rows-per-file) rows="$2"; shift ;;
    --now) now="$2"; shift ;;
    --out) out="$2"; shift ;;
    --persist-to) persist="$2"; wrangler_args+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --*) wrangler_args+=("$1") ;;
    *)
      if [ "$bench" = 1 ]; then bench_args+=("$1")
      elif [ -z "$file" ]; then file="$1"
      elif [ -z "$site" ]; then site="$1"
      else wrangler_args+=("$1"); fi ;;
  esac
  shift
done

PF="${PRACTICE_FHIR_BIN:-}"
if [ -z "$PF" ]; then
  cargo build --quiet --profile tools -p practice-fhir-tools --bin practice-fhir
  PF="${CARGO_TARGET_DIR:-$ROOT/target}/tools/practice-fhir"
fi

if [ "$bench" = 1 ]; then
  payors="${bench_args[0]:-30}" procedures="${bench_args[1]:-3300}"
  dir="$ROOT/target/prices-bench"
  rm -rf "$dir"; mkdir -p "$dir"
  "$PF" prices generate --site HCBIG01 --payors "$payors" --procedures "$procedures" --seed 1 \
    --out "$dir/prices.csv" --snapshot "$dir/site.json"
  wrangler d1 migrations apply DB --local --persist-to "$dir/d1" >/dev/null
  "$PF" contracts-sql "$dir/site.json" > "$dir/site.sql"
  wrangler d1 execute DB --local --persist-to "$dir/d1" --file "$dir/site.sql" --yes >/dev/null
  t0=$(date +%s%N)
  PRACTICE_FHIR_BIN="$PF" "$0" --out "$dir/out" --persist-to "$dir/d1" --now 2026-12-01T10:00:00Z \
    "$dir/prices.csv" HCBIG01 > "$dir/summary.txt"
  t1=$(date +%s%N)
  n=$(wrangler d1 execute DB --local --persist-to "$dir/d1" --json \
    --command "SELECT count(*) AS n FROM contract_price WHERE site = 'HCBIG01'" 2>/dev/null \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].results[0].n))')
  ms=$(( (t1 - t0) / 1000000 ))
  printf 'prices-bench: %s prices in the local D1; the import (state read, validation, SQL files, wrangler) took %d.%01d s (target: 100,000 in under 60 s)\n' \
    "$n" $((ms / 1000)) $((ms % 1000 / 100))
  exit 0
fi

if [ -z "$file" ] || [ -z "$site" ]; then
  echo "usage: scripts/prices-import.sh [--remote] [--dry-run] [--mode merge|replace] [--current SNAPSHOT] [--rows-per-file N] [--now INSTANT] [--out DIR] FILE SITE [wrangler args…]" >&2
  exit 2
fi

mkdir -p "$out"
name="$(basename "$file")"; name="${name%.*}"
args=(prices import "$file" --site "$site" --mode "$mode" --sql "$out/$name.sql" --report "$out/$name.report.json")
if [ -n "$current" ]; then
  args+=(--current "$current")
elif [ "$where" = --remote ]; then
  args+=(--d1-remote)
else
  args+=(--d1-local)
  [ -n "$persist" ] && args+=(--persist-to "$persist")
fi
[ "$dry" = 1 ] && args+=(--dry-run)
[ -n "$rows" ] && args+=(--rows-per-file "$rows")
[ -n "$now" ] && args+=(--now "$now")
rm -f "$out/$name".sql "$out/$name".[0-9][0-9][0-9][0-9].sql
"$PF" "${args[@]}"
if [ "$dry" = 1 ]; then
  echo "prices-import: dry run, nothing written (report: $out/$name.report.json)" >&2
  exit 0
fi

shopt -s nullglob
files=("$out/$name".[0-9][0-9][0-9][0-9].sql)
[ -f "$out/$name.sql" ] && files=("$out/$name.sql")
if [ ${#files[@]} -eq 0 ]; then
  echo "prices-import: nothing to load, the site already has every price" >&2
  exit 0
fi
total=${#files[@]}
i=0
started=$SECONDS
for f in "${files[@]}"; do
  i=$((i + 1))
  printf 'prices-import: [%d/%d] %s ' "$i" "$total" "$f" >&2
  t=$SECONDS
  if ! log=$(wrangler d1 execute DB "$where" --file "$f" --yes "${wrangler_args[@]}" 2>&1); then
    echo "FAILED" >&2
    echo "$log" | tail -20 >&2
    echo "prices-import: files 1-$((i - 1)) of $total are loaded; $f and later are not. Re-running the import writes only what is still missing." >&2
    exit 1
  fi
  echo "ok ($((SECONDS - t)) s)" >&2
done
echo "prices-import: loaded $total file(s) into the ${where#--} D1 in $((SECONDS - started)) s" >&2
