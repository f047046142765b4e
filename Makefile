# practice-fhir: the two commands a new user needs are `make dev` and `make test`.
# Everything else here is what those two call.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(CURDIR)
ENV := . $(ROOT)/scripts/env.sh

.PHONY: help setup dev test build pkg worker db seed token bench lint fmt clean-local import prices deploy

help:
	@echo "make dev    set up if needed, build, create + seed the local D1/KV, serve on http://127.0.0.1:8787"
	@echo "make test   set up if needed, run every test (Rust native, wasm in Node + Chromium, worker e2e, page)"
	@echo "make bench  run the benchmarks and print the tables recorded in docs/benchmarks.md"
	@echo "make token  mint a local development JWT"
	@echo "make import FILE=d.ndjson [REMOTE=1] [DRY_RUN=1]  validate and load a directory file into D1"
	@echo "make prices FILE=fees.csv SITE=HC00JXI [REMOTE=1] [DRY_RUN=1] [MODE=replace]  import a fee schedule into a site"
	@echo "make deploy [ENV=staging|production] [DRY_RUN=1]  deploy to your Cloudflare account (README \"Deploy to Cloudflare\")"

setup:
	@scripts/setup.sh

pkg: setup
	@scripts/build-pkg.sh

worker: setup
	@scripts/build-worker.sh

build: pkg worker

# Local D1: apply migrations (idempotent) and load the seed data.
db: setup
	@$(ENV); wrangler d1 migrations apply DB --local
	@scripts/seed-local.sh

# Prints a 12-hour token for the seeded sites and a link that signs the page in with it.
dev: pkg db
	@$(ENV); tok=$$(node scripts/mint-token.mjs --sites "$$(node scripts/seed-sql.mjs --sites)" --ttl 43200); \
	  echo "token (12 h, seeded sites): $$tok"; \
	  echo "fee preview, signed in:     http://127.0.0.1:8787/#token=$$tok"; \
	  echo "serving on http://127.0.0.1:8787 (Ctrl-C to stop)"; \
	  wrangler dev --ip 127.0.0.1 --port 8787

test: setup
	@scripts/test.sh

# Validate a directory file (NDJSON or a Bundle) and load it into the local D1, or with
# REMOTE=1 the Cloudflare one; DRY_RUN=1 prints the wrangler commands instead.
import: setup
	@test -n "$(FILE)" || { echo "usage: make import FILE=data.ndjson [REMOTE=1] [DRY_RUN=1] [ARGS=...]" >&2; exit 2; }
	@scripts/d1-import.sh $(if $(REMOTE),--remote) $(if $(DRY_RUN),--dry-run) $(FILE) $(ARGS)

# Import a fee schedule (CSV with a header row: payor, service, procedure, location,
# practitioner, price, isESTV; or NDJSON) into one site of the local D1, or with REMOTE=1 the
# Cloudflare one. Every line is validated as the API's writes are; one rejected line and
# nothing is written. DRY_RUN=1 reports what would be added, changed, removed and rejected.
# MODE=replace makes the file each named payor's whole schedule.
prices: setup
	@test -n "$(FILE)" -a -n "$(SITE)" || { echo "usage: make prices FILE=fees.csv SITE=HC00JXI [REMOTE=1] [DRY_RUN=1] [MODE=merge|replace] [ARGS=...]" >&2; exit 2; }
	@scripts/prices-import.sh $(if $(REMOTE),--remote) $(if $(DRY_RUN),--dry-run) $(if $(MODE),--mode $(MODE)) $(FILE) $(SITE) $(ARGS)

# Setup chatter goes to stderr so that TOKEN=$$(make -s token) captures only the token.
token:
	@scripts/setup.sh >&2
	@node scripts/mint-token.mjs $(ARGS)

bench: pkg
	@scripts/bench.sh

lint: setup
	@node scripts/openapi.mjs --check
	@$(ENV); cargo fmt --all -- --check
	@$(ENV); cargo clippy -p practice-fhir --all-targets -- -D warnings
	@$(ENV); cargo clippy -p practice-fhir-tools --all-targets -- -D warnings
	@$(ENV); CARGO_TARGET_DIR=target/worker cargo clippy -p practice-fhir-worker --target wasm32-unknown-unknown -- -D warnings
	@# The npm skin (npm/), for the target it ships on, its wasm-bindgen tests included.
	@$(ENV); CARGO_TARGET_DIR=target/wasm-pack cargo clippy -p practice-fhir-npm --all-targets --target wasm32-unknown-unknown -- -D warnings

# Deploy to Cloudflare (scripts/deploy.sh; README "Deploy to Cloudflare").
# `make deploy ENV=production` on the command line picks the environment (this Makefile's own
# ENV variable is the env.sh prelude, so only a command-line ENV counts); default staging.
# NO_BUILD=1 (with DRY_RUN=1) bundles worker/build/ as it is instead of rebuilding it.
DEPLOY_ENV = $(if $(filter command line,$(origin ENV)),$(ENV),staging)
deploy: setup
	@scripts/deploy.sh --env "$(DEPLOY_ENV)" $(if $(DRY_RUN),--dry-run) $(if $(NO_BUILD),--no-build)
