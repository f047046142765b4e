#!/usr/bin/env bash
# Builds fuzz/corpus/<target>/ (git-ignored) from the samples: the seed documents' requests
# and responses (tests/fixtures/), the seed sites' contract books (data/seed-contracts.json)
# and the hand-written seeds in fuzz/seeds/ (queries, tokens, price files). Idempotent:
# existing corpus entries (what earlier runs found) are kept. Needs node only for splitting
# JSON (the repository's pinned node). Usage: fuzz/seed-corpus.sh
set -euo pipefail
FUZZ="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$FUZZ")"
C="$FUZZ/corpus"
S="$FUZZ/seeds"
mkdir -p "$C"/{parse_resource,query_strings,snapshots,bearer_tokens,price_import,write_bodies}
n=0
put() { # target, flag byte (hex, or "" for none), content file
  local out="$C/$1/seed-$(printf '%04d' "$n")"
  n=$((n + 1))
  if [ -n "$2" ]; then printf "\\x$2" >"$out"; else : >"$out"; fi
  cat "$3" >>"$out"
}
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for f in "$ROOT"/tests/fixtures/*.json; do
  put parse_resource "" "$f"
  case "$f" in *request.json | *multi_proc_set*response.json | *price_validation*response.json) put write_bodies "" "$f" ;; esac
done
# Each seed site's book on its own, and the whole list.
node -e '
const fs = require("fs");
const books = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
books.forEach((b, i) => fs.writeFileSync(`${process.argv[2]}/book-${i}.json`, JSON.stringify(b)));
' "$ROOT/data/seed-contracts.json" "$tmp"
for f in "$tmp"/book-*.json "$ROOT/data/seed-contracts.json"; do put snapshots "" "$f"; done
i=0
while IFS= read -r q; do
  printf '%s' "$q" >"$tmp/q$i"
  put query_strings 00 "$tmp/q$i"
  put query_strings 01 "$tmp/q$i"
  i=$((i + 1))
done <"$S/queries.txt"
while IFS= read -r t; do
  printf '%s' "$t" >"$tmp/t$i"
  put bearer_tokens 00 "$tmp/t$i"
  i=$((i + 1))
done <"$S/tokens.txt"
# header<TAB>claims<TAB>signature lines become header 0xFF claims 0xFF signature.
while IFS= read -r t; do
  printf '%s' "$t" | tr '\t' '\377' >"$tmp/t$i"
  put bearer_tokens 01 "$tmp/t$i"
  i=$((i + 1))
done <"$S/claims.txt"
put price_import 00 "$S/bad-prices.csv"
put price_import 01 "$S/prices.ndjson"
echo "corpus: $(find "$C" -type f | wc -l) files in $C"
