#!/usr/bin/env bash
# Imports a directory file (NDJSON, or a FHIR Bundle) into D1, local or remote.
#
#   scripts/d1-import.sh [--remote] [--dry-run] [--batch N] [--now INSTANT] [--validate core|minimal]
#                        [--out DIR] FILE [wrangler args…]
#
# 1. `practice-fhir import` validates every resource as the worker's writes do; rejected ones
#    are listed with their reasons (summary on stderr, one JSON line each in DIR/rejects.ndjson)
#    and the rest are written as SQL files of at most N whole resources (default 1000).
# 2. Each file goes to `wrangler d1 execute DB --local|--remote --file F`. Wrangler runs a file
#    as one batch (local) or one import (remote), all-or-nothing, and every resource's rows are
#    delete-then-insert: a failed file leaves nothing half-stored and can simply be re-run.
#    The import stops at the first failed file and says which files are in.
#
# --remote     the Cloudflare D1 named in wrangler.toml (needs `wrangler login` or an API token)
# --dry-run    write the SQL files, then print the wrangler commands instead of running them
# Extra arguments go to wrangler (e.g. --persist-to DIR for a local database elsewhere).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"
cd "$ROOT"

where=--local dry=0 batch=1000 now="" validate=core out="target/import" file=""
wrangler_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --remote) where=--remote ;;
    --local) where=--local ;;
    --dry-run) dry=1 ;;
    --batch) batch="$2"; shift ;;
    --now) now="$2"; shift ;;
    --validate) validate="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) if [ -z "$file" ] && [ -f "$1" ]; then file="$1"; else wrangler_args+=("$1"); fi ;;
  esac
  shift
done
if [ -z "$file" ]; then
  echo "usage: scripts/d1-import.sh [--remote] [--dry-run] [--batch N] [--now INSTANT] [--validate core|minimal] [--out DIR] FILE [wrangler args…]" >&2
  exit 2
fi

mkdir -p "$out"
name="$(basename "$file")"; name="${name%.*}"
rm -f "$out/$name".*.sql
import_args=(import "$file" --sql "$out/$name.sql" --batch "$batch" --validate "$validate" --rejects "$out/$name.rejects.ndjson")
[ -n "$now" ] && import_args+=(--now "$now")
PF="${PRACTICE_FHIR_BIN:-}"
if [ -z "$PF" ]; then
  cargo build --quiet --profile tools -p practice-fhir-tools --bin practice-fhir
  PF="${CARGO_TARGET_DIR:-$ROOT/target}/tools/practice-fhir"
fi
"$PF" "${import_args[@]}"

files=("$out/$name".*.sql)
[ -e "${files[0]}" ] || { echo "d1-import: nothing to load (every resource was rejected?)" >&2; exit 1; }
total=${#files[@]}
i=0
started=$SECONDS
for f in "${files[@]}"; do
  i=$((i + 1))
  cmd=(wrangler d1 execute DB "$where" --file "$f" --yes "${wrangler_args[@]}")
  if [ "$dry" = 1 ]; then
    printf '%q' "${cmd[0]}"; printf ' %q' "${cmd[@]:1}"; echo
    continue
  fi
  printf 'd1-import: [%d/%d] %s ' "$i" "$total" "$f" >&2
  t=$SECONDS
  if ! log=$("${cmd[@]}" 2>&1); then
    echo "FAILED" >&2
    echo "$log" | tail -20 >&2
    echo "d1-import: files 1-$((i - 1)) of $total are loaded; $f and later are not. Re-running is safe." >&2
    exit 1
  fi
  echo "ok ($((SECONDS - t)) s)" >&2
done
if [ "$dry" = 1 ]; then
  echo "d1-import: dry run, $total file(s) written under $out, nothing executed" >&2
else
  echo "d1-import: loaded $total file(s) into the ${where#--} D1 in $((SECONDS - started)) s" >&2
fi
