#!/usr/bin/env bash
# `make test`: every test of the project, in order of cost. Each step's output is kept in
# target/test-logs/ and checked for the number of tests it ran: a step that ran zero tests
# fails (the headless-Chrome wasm runner can skip everything and still exit 0).
# The last step is node's test runner, so the output ends with its summary.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"
cd "$ROOT"
LOGS="$ROOT/target/test-logs"
mkdir -p "$LOGS"
SUMMARY=()

banner() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# count_tests <log> <kind>: number of tests the runner reported running.
count_tests() {
  case "$2" in
    cargo) grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' "$1" | awk '{s+=$4} END {print s+0}' ;;
    wasm) grep -Eo '^running [0-9]+ tests?' "$1" | awk '{s+=$2} END {print s+0}' ;;
    node) grep -Eo '^(ℹ|#) tests [0-9]+' "$1" | awk '{s+=$3} END {print s+0}' ;;
  esac
}

# step <name> <kind> <command...>: runs, tees to a log, fails on error or on zero tests.
step() {
  local name="$1" kind="$2"; shift 2
  local log="$LOGS/$name.log"
  banner "$name"
  local start=$SECONDS
  if ! "$@" 2>&1 | tee "$log"; then
    echo "FAILED: $name (log: $log)" >&2
    exit 1
  fi
  if [ "$kind" != none ]; then
    local n; n=$(count_tests "$log" "$kind")
    if [ "$n" -eq 0 ]; then
      echo "FAILED: $name ran zero tests (log: $log)" >&2
      exit 1
    fi
    SUMMARY+=("$name: $n tests, $((SECONDS - start)) s")
  else
    SUMMARY+=("$name: ok, $((SECONDS - start)) s")
  fi
}

step lint none make --no-print-directory lint
step rust-native cargo cargo test -p practice-fhir --all-targets --no-fail-fast
step rust-doc cargo cargo test -p practice-fhir --doc
step rust-tools cargo cargo test -p practice-fhir-tools --all-targets --no-fail-fast
# The npm skin (npm/) has no logic of its own to test natively (the OperationOutcome text it
# used to write is the core's now, tested there); its wasm tests follow.
export CARGO_TARGET_DIR="$ROOT/target/wasm-pack"
# The npm skin's wasm-bindgen tests (npm/tests/wasm.rs), in Node and in headless Chromium.
step wasm-node wasm wasm-pack test --release --node npm --test wasm
step wasm-chromium wasm env WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --release --headless --chrome --chromedriver /usr/bin/chromedriver npm --test wasm
unset CARGO_TARGET_DIR
step build-pkg none scripts/build-pkg.sh
step build-worker none scripts/build-worker.sh
# The node tests serve worker/build/ as just built instead of each rerunning the build.
export PF_WORKER_BUILT=1

banner "steps so far"
printf '  %s\n' "${SUMMARY[@]}"
# node's test runner last: npm package consumer, TypeScript types, worker end-to-end, page.
step node none node --test --test-reporter=spec --test-concurrency=1 tests/node/*.test.mjs
n=$(count_tests "$LOGS/node.log" node)
if [ "$n" -eq 0 ]; then echo "FAILED: node ran zero tests" >&2; exit 1; fi
