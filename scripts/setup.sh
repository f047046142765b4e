#!/usr/bin/env bash
# Idempotent toolchain setup for a fresh Debian machine with Rust (rustup) and Node 20.
# Every step checks first and skips what is already in place, so a second run takes seconds.
# Versions are pinned to what ../shared/TOOLCHAIN.md found working; wasm-bindgen-cli must
# equal the wasm-bindgen pinned in Cargo.toml/Cargo.lock.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WASM_BINDGEN_VERSION="0.2.130"
WORKER_BUILD_VERSION="0.8.7"
WASM_PACK_VERSION="0.15.1"

step() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

have_version() { # have_version <cmd> <version>: true when <cmd> --version mentions <version>
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q -- "$2"
}

# 1. Rust wasm target
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "wasm32 target: present"
else
  step "wasm32 target: installing"
  rustup target add wasm32-unknown-unknown
fi

# 2. Rust tools (the slow part: ~12 min on 2 cores the first time)
cargo_tool() { # cargo_tool <bin> <crate> <version> [extra cargo install args]
  local bin="$1" crate="$2" version="$3"; shift 3
  if have_version "$bin" "$version"; then
    step "$crate $version: present"
  else
    step "$crate $version: installing (cargo install)"
    cargo install "$crate" --version "$version" --force "$@"
  fi
}
# --locked fails for wasm-bindgen-cli 0.2.130 (a locked dependency is missing from the index).
cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
cargo_tool worker-build worker-build "$WORKER_BUILD_VERSION" --locked
cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION" --locked

# 3. Node packages (wrangler, miniflare, Node 22, binaryen, esbuild, playwright-core, typescript)
# npm install, not npm ci: the lockfile lacks workerd's darwin/windows packages (TOOLCHAIN.md).
stamp="node_modules/.setup-stamp"
if [ -f "$stamp" ] && [ "$stamp" -nt package.json ] && { [ ! -f package-lock.json ] || [ "$stamp" -nt package-lock.json ]; }; then
  step "node_modules: up to date"
else
  step "node_modules: npm install"
  npm install --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

# 4. Chromium + chromedriver for wasm-bindgen-test in the browser and page tests
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  step "chromium + chromedriver: present"
else
  step "chromium + chromedriver: apt-get install"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# 5. Local development key pair for minting dev JWTs (never a production key; not committed)
if [ -f .dev/jwt-private.pem ] && [ -f .dev/jwks.json ] && [ -f .dev.vars ]; then
  step "dev JWT key pair: present"
else
  step "dev JWT key pair: generating"
  node scripts/dev-keys.mjs
fi

# 6. Python venv for the strict FHIR parser test (tests/node/strict.test.mjs: fhir.resources)
#    and schemathesis (tests/node/schemathesis.test.mjs), pinned; .venv is gitignored.
FHIR_RESOURCES_VERSION="8.3.0"
SCHEMATHESIS_VERSION="4.32.5"
venv_has() { # venv_has <distribution> <version>
  [ -x .venv/bin/python ] && [ "$(.venv/bin/python -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null)" = "$2" ]
}
if venv_has fhir.resources "$FHIR_RESOURCES_VERSION" && venv_has schemathesis "$SCHEMATHESIS_VERSION"; then
  step "python venv (fhir.resources $FHIR_RESOURCES_VERSION, schemathesis $SCHEMATHESIS_VERSION): present"
else
  step "python venv (fhir.resources $FHIR_RESOURCES_VERSION, schemathesis $SCHEMATHESIS_VERSION): installing"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "fhir.resources==$FHIR_RESOURCES_VERSION" "schemathesis==$SCHEMATHESIS_VERSION"
fi

step "done"
