#!/usr/bin/env bash
# Builds the npm package into pkg/ from the npm skin crate (npm/), as wasm-pack would (cargo,
# then wasm-bindgen, then wasm-opt), twice: the whole package, and the `practice-fhir/fees`
# entry (the crate without its `fhir` feature: contracts and fees only) under pkg/fees. Each
# entry gets the ES module build for browsers and bundlers and the CommonJS build for Node
# (node/); scripts/package-npm.mjs writes the package.json whose "exports" picks the right
# one. The page gets a copy of the whole package's ES build under www/pkg.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"
cd "$ROOT"
export CARGO_TARGET_DIR="$ROOT/target/wasm-pack"
# The profile and wasm-opt passes were chosen by measuring size and speed together
# (docs/benchmarks.md, "npm package: size and speed").
WASM_OPT_FLAGS=(${WASM_OPT_FLAGS:--O3} --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals)

# build_entry <dir under pkg/> <out name> <cargo profile> [cargo flags…]
build_entry() {
  local dir="$1" name="$2" profile="$3"; shift 3
  cargo build --profile "$profile" --target wasm32-unknown-unknown -p practice-fhir-npm "$@"
  local wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile/practice_fhir_npm.wasm"
  mkdir -p "pkg/$dir"
  wasm-bindgen --target web --out-dir "pkg/$dir" --out-name "$name" "$wasm"
  wasm-bindgen --target nodejs --out-dir "pkg/$dir/node" --out-name "$name" "$wasm"
  local web="pkg/$dir/${name}_bg.wasm" node="pkg/$dir/node/${name}_bg.wasm"
  if cmp -s "$web" "$node"; then
    # wasm-bindgen writes the same module for both targets: optimise it once (binaryen.js is slow).
    wasm-opt "${WASM_OPT_FLAGS[@]}" "$web" -o "$web"
    cp "$web" "$node"
  else
    for out in "$web" "$node"; do wasm-opt "${WASM_OPT_FLAGS[@]}" "$out" -o "$out"; done
  fi
}
rm -rf pkg
build_entry . practice_fhir npm
build_entry fees practice_fhir_fees npm-fees --no-default-features
node scripts/package-npm.mjs
rm -rf www/pkg && mkdir -p www/pkg
cp pkg/practice_fhir.js pkg/practice_fhir_bg.wasm pkg/practice_fhir.d.ts www/pkg/
# The page's offline "demo contracts": the seed books and the demo site, as make dev seeds them.
node -e 'const fs = require("fs"); const books = [...JSON.parse(fs.readFileSync("data/seed-contracts.json")), JSON.parse(fs.readFileSync("data/demo-site.json"))]; fs.writeFileSync("www/demo-contracts.json", JSON.stringify(books))'
