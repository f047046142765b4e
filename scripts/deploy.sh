#!/usr/bin/env bash
# `make deploy [ENV=staging|production] [DRY_RUN=1]`: the edge API into your Cloudflare
# account, idempotently (README "Deploy to Cloudflare"):
#   1. the D1 database and KV namespace of the environment, created when missing, their ids
#      written into [env.<name>] of wrangler.toml;
#   2. the identity and CORS configuration (from your shell: OIDC_ISSUER, JWT_ISSUER,
#      JWT_AUDIENCE, ALLOWED_ORIGINS, SCOPE_CLAIM, SITES_CLAIM) written into
#      [env.<name>.vars]; JWKS_FILE, if set, put into KV as config:jwks (a static key set);
#   3. the migrations applied to the remote D1;
#   4. the worker built and deployed, then discovery and /metadata smoke-tested on its URL
#      (DEPLOY_URL overrides the URL wrangler prints, e.g. for a custom domain).
# --dry-run needs no account (--no-build: reuse worker/build/ instead of rebuilding): it writes the configuration it would deploy to a copy
# (wrangler.dry-run.toml, removed afterwards), prints its changes and every command it would
# run, builds, and runs `wrangler deploy --dry-run` into target/deploy/<env>/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"
cd "$ROOT"

DRY=0
BUILD=1
TARGET="staging"
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY=1 ;;
    --no-build) BUILD=0 ;;
    --env) TARGET="${2:-}"; shift ;;
    --env=*) TARGET="${1#--env=}" ;;
    *) echo "usage: scripts/deploy.sh [--dry-run [--no-build]] [--env staging|production]" >&2; exit 2 ;;
  esac
  shift
done
case "$TARGET" in
  staging|production) ;;
  *) echo "deploy: ENV must be staging or production (got '$TARGET')" >&2; exit 2 ;;
esac

CONFIG="wrangler.toml"
say() { printf '[deploy %s] %s\n' "$TARGET" "$*"; }
would() { printf '[deploy %s] would run: %s\n' "$TARGET" "$*"; }
run() { if [ "$DRY" = 1 ]; then would "$*"; else say "running: $*"; "$@"; fi; }
field() { node -e 'const r = JSON.parse(process.argv[1]); const v = r[process.argv[2]]; process.stdout.write(v == null ? "" : String(v))' "$1" "$2"; }

if [ "$DRY" = 1 ]; then
  CONFIG="wrangler.dry-run.toml"
  cp wrangler.toml "$CONFIG"
  trap 'rm -f "$ROOT/wrangler.dry-run.toml"' EXIT
  # --no-build (the test suite, after its build step): bundle worker/build/ as it is.
  if [ "$BUILD" = 0 ]; then node scripts/deploy-config.mjs no-build - --file "$CONFIG"; fi
else
  if ! wrangler whoami >/dev/null 2>&1; then
    echo "deploy: wrangler is not logged in; run 'wrangler login' or set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID)" >&2
    exit 1
  fi
fi

STATE="$(node scripts/deploy-config.mjs show "$TARGET" "$CONFIG")"
D1_NAME="$(field "$STATE" d1Name)"
D1_ID="$(field "$STATE" d1Id)"
KV_ID="$(field "$STATE" kvId)"
WORKER="practice-fhir-$TARGET"
KV_TITLE="$WORKER-KV"
PLACEHOLDER_D1="00000000-0000-0000-0000-000000000000"
PLACEHOLDER_KV="00000000000000000000000000000000"

# 1. D1 and KV: found by name when they exist, created otherwise.
# find_id <name key> <id key> <name>: the id of the listed resource (stdin, JSON) so named.
find_id() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const [nameKey,idKey,name]=process.argv.slice(1);const r=JSON.parse(s).find(x=>x[nameKey]===name);process.stdout.write(r?r[idKey]:"")})' "$@"
}
# ensure_resource <d1|kv>: the environment's D1 database or KV namespace, its id written into
# wrangler.toml; the two differ only in the words below.
ensure_resource() {
  local short label name id placeholder table list create pattern nameKey idKey
  case "$1" in
    d1) short=D1; label="D1 database"; name="$D1_NAME"; id="$D1_ID"; placeholder="$PLACEHOLDER_D1"
        table="d1_databases"; list=(d1 list --json); create=(d1 create "$D1_NAME")
        pattern='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'; nameKey=name; idKey=uuid
        local plan="wrangler d1 list --json (find '$D1_NAME'), else: wrangler d1 create $D1_NAME" what="database_id" ;;
    kv) short=KV; label="KV namespace"; name="$KV_TITLE"; id="$KV_ID"; placeholder="$PLACEHOLDER_KV"
        table="kv_namespaces"; list=(kv namespace list); create=(kv namespace create "$KV_TITLE")
        pattern='[0-9a-f]{32}'; nameKey=title; idKey=id
        local plan="wrangler kv namespace list (find '$KV_TITLE'), else: wrangler kv namespace create $KV_TITLE" what="id" ;;
  esac
  if [ -n "$id" ] && [ "$id" != "$placeholder" ]; then
    say "$short $name: $id (already in wrangler.toml)"
  elif [ "$DRY" = 1 ]; then
    would "$plan"
    say "would write its $what into [[env.$TARGET.$table]] of wrangler.toml"
  else
    id="$(wrangler "${list[@]}" | find_id "$nameKey" "$idKey" "$name")"
    if [ -z "$id" ]; then
      say "creating $label $name"
      id="$(wrangler "${create[@]}" | grep -Eo "$pattern" | head -1)"
    fi
    [ -n "$id" ] || { echo "deploy: could not find or create $label $name" >&2; exit 1; }
    node scripts/deploy-config.mjs set "$TARGET" --file "$CONFIG" "$1=$id"
    say "$short $name: $id (in wrangler.toml)"
  fi
}
ensure_resource d1
ensure_resource kv

# 2. Identity and CORS configuration: the variables you set, into [env.<name>.vars].
VARS=()
for name in OIDC_ISSUER JWT_ISSUER JWT_AUDIENCE ALLOWED_ORIGINS SCOPE_CLAIM SITES_CLAIM; do
  if [ -n "${!name+x}" ]; then VARS+=("var:$name=${!name}"); fi
done
if [ ${#VARS[@]} -gt 0 ]; then
  node scripts/deploy-config.mjs set "$TARGET" --file "$CONFIG" "${VARS[@]}"
  for v in "${VARS[@]}"; do say "config ${v#var:}"; done
fi
if [ "$DRY" = 1 ]; then
  say "the configuration it would deploy (changes to wrangler.toml):"
  diff -u wrangler.toml "$CONFIG" | tail -n +3 || true
fi
if [ -n "${JWKS_FILE:-}" ]; then
  run wrangler kv key put config:jwks --path "$JWKS_FILE" --binding KV --env "$TARGET" --remote --config "$CONFIG"
fi

# 3. Migrations, remotely (wrangler applies only those not applied yet).
if [ "$DRY" = 1 ]; then
  would "wrangler d1 migrations apply DB --env $TARGET --remote"
  for m in migrations/*.sql; do say "  migration $(basename "$m")"; done
else
  run wrangler d1 migrations apply DB --env "$TARGET" --remote --config "$CONFIG"
fi

# 4. Build and deploy (wrangler runs the [build] command), then the smoke test.
if [ "$DRY" = 1 ]; then
  OUT="target/deploy/$TARGET"
  rm -rf "$OUT"
  wrangler deploy --dry-run --env "$TARGET" --config "$CONFIG" --outdir "$OUT"
  say "bundle in $OUT: $(du -sh "$OUT" | cut -f1)"
  would "wrangler deploy --env $TARGET"
  would "GET <worker URL>/.well-known/api-configuration and <worker URL>/metadata (smoke test)"
  say "dry run complete: nothing was created or deployed"
  exit 0
fi
LOG="$(mktemp)"
wrangler deploy --env "$TARGET" --config "$CONFIG" 2>&1 | tee "$LOG"
URL="${DEPLOY_URL:-$(grep -Eo 'https://[A-Za-z0-9.-]+\.workers\.dev' "$LOG" | head -1)}"
rm -f "$LOG"
[ -n "$URL" ] || { echo "deploy: no URL in wrangler's output; set DEPLOY_URL to smoke-test" >&2; exit 1; }
say "smoke test on $URL"
node -e '
const url = process.argv[1];
const get = async (p) => { for (let i = 0; ; i++) { try { const r = await fetch(url + p); if (r.ok || i >= 9) return r; } catch (e) { if (i >= 9) throw e; } await new Promise((r) => setTimeout(r, 2000)); } };
(async () => {
  const d = await get("/.well-known/api-configuration");
  const doc = await d.json();
  if (d.status !== 200 || !String(doc.search_practitioner_endpoint).startsWith(url)) throw new Error(`discovery: HTTP ${d.status}`);
  const m = await get("/metadata");
  const cs = await m.json();
  if (m.status !== 200 || cs.resourceType !== "CapabilityStatement") throw new Error(`/metadata: HTTP ${m.status}`);
  console.log(`discovery ok, /metadata ok (FHIR ${cs.fhirVersion}, cors ${cs.rest[0].security.cors}), x-request-id ${m.headers.get("x-request-id")}`);
})().catch((e) => { console.error(`smoke test failed: ${e.message}`); process.exit(1); });
' "$URL"
say "deployed $WORKER to $URL"
