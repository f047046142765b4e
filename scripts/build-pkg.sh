#!/usr/bin/env bash
# Builds the npm package into pkg/: the ES module build for browsers and bundlers at the
# root of the package, the CommonJS build for Node under pkg/node, one package.json whose
# "exports" picks the right one. The page gets a copy under www/pkg.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"
cd "$ROOT"
export CARGO_TARGET_DIR="$ROOT/target/wasm-pack"
wasm-pack build --release --no-pack --target web --out-dir pkg --out-name practice_fhir . -- --features wasm
wasm-pack build --release --no-pack --target nodejs --out-dir pkg/node --out-name practice_fhir . -- --features wasm
node scripts/package-npm.mjs
rm -rf www/pkg && mkdir -p www/pkg
cp pkg/practice_fhir.js pkg/practice_fhir_bg.wasm pkg/practice_fhir.d.ts www/pkg/
# The page's offline "demo contracts": the seed books and the demo site, as make dev seeds them.
node -e 'const fs = require("fs"); const books = [...JSON.parse(fs.readFileSync("data/seed-contracts.json")), JSON.parse(fs.readFileSync("data/demo-site.json"))]; fs.writeFileSync("www/demo-contracts.json", JSON.stringify(books))'
