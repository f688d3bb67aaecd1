# kalshi-actor. `make help` lists the targets.
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: help build run test lint fmt bench clean deps pg-down soak-restart soak bench-service dashboard dashboard-test e2e chromium train-default record-sim

# The dashboard (React + Vite): rebuilt when its sources or its lockfile change.
DASHBOARD_SRC := $(shell find dashboard/src dashboard/public dashboard/index.html dashboard/vite.config.ts dashboard/tsconfig.json -type f 2>/dev/null)
# npm 11 installs the lockfile; where the machine's npm is older, npx runs npm 11 for it.
NPM_CI := npm ci --no-audit --no-fund --loglevel=error || npx --yes npm@11 ci --no-audit --no-fund --loglevel=error

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

deps: ## Install what builds and tests need (Rust components)
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

build: ## Build the release binary
	$(CARGO) build --release --locked

run: build dashboard ## Run the service with config.toml (sim mode: embedded exchange simulator); dashboard on http://127.0.0.1:8080/
	./target/release/kalshi-actor run

dashboard/node_modules/.package-lock.json: dashboard/package-lock.json
	cd dashboard && ($(NPM_CI))

dashboard/dist/index.html: dashboard/node_modules/.package-lock.json $(DASHBOARD_SRC)
	cd dashboard && npm run build

dashboard: dashboard/dist/index.html ## Build the dashboard (npm ci, vite build) when its sources changed

dashboard-test: dashboard/node_modules/.package-lock.json ## The dashboard's component tests (Vitest)
	cd dashboard && npm test

chromium: ## Install Debian's Chromium for the end-to-end test when it is missing
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

e2e: dashboard chromium ## The dashboard in headless Chromium against `kalshi-actor run`; screenshots in target/e2e
	$(CARGO) build --locked
	node dashboard/e2e/dashboard.e2e.mjs

test: deps ## Format check, clippy with warnings denied, and every test (SQLite and PostgreSQL)
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --locked -- -D warnings
	KALSHI_ACTOR_TEST_POSTGRES_URL=$$(./scripts/pg-test-up.sh) $(CARGO) test --all-targets --locked
	$(CARGO) test --locked --test tests -- --ignored --exact soak::two_minute_soak_with_every_fault_passes_every_check
	$(MAKE) dashboard-test
	$(MAKE) e2e

soak-restart: ## The SIGKILL restart test with 200 rounds instead of 20
	KALSHI_ACTOR_RESTART_ROUNDS=200 $(CARGO) test --locked --test tests -- restart:: --nocapture

record-sim: build ## Record the two simulator captures the default model is trained and judged on (150 s each)
	mkdir -p model_weights/data
	for seed in 1 2; do d=$$(mktemp -d); \
	  (cd $$d && KALSHI_ACTOR_EXCHANGE__SIM_SEED=$$seed KALSHI_ACTOR_WEB__LISTEN=127.0.0.1:0 KALSHI_ACTOR_ACTOR__ENABLED=false \
	   ORDERBOOK_MARKET_LIMIT=3 KALSHI_ACTOR_FEED__CAPTURE_PATH=$$d/capture.jsonl RL_ACTOR_MODEL_ID=$(CURDIR)/model_weights/ppo_default.zip \
	   timeout -s INT 150 $(CURDIR)/target/release/kalshi-actor run) ; \
	  cp $$d/capture.jsonl model_weights/data/sim-$$([ $$seed = 1 ] && echo train || echo heldout).jsonl; rm -rf $$d; done

train-default: build ## Train model_weights/ppo_sim (the default model) on the committed simulator capture
	./target/release/kalshi-actor train --input model_weights/data/sim-train.jsonl --out model_weights/ppo_sim \
	  --steps 1000000 --seed 1 --target-mode all --eval-every 25
	for p in "--model ppo_sim" "--baseline hold" "--baseline random --seed 1"; do \
	  ./target/release/kalshi-actor replay --input model_weights/data/sim-heldout.jsonl --target-mode all $$p; done

pg-down: ## Stop the test PostgreSQL started by `make test`
	-runuser -u postgres -- $$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_ctl -D /tmp/kalshi-actor-pg -m fast -w stop

lint: deps ## Clippy and format check only
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --locked -- -D warnings

fmt: ## Format the code
	$(CARGO) fmt --all

bench: ## Criterion benchmarks (book, feed parse, simulator, pipeline, persistence); results in target/criterion
	$(CARGO) bench --locked --bench book
	$(CARGO) bench --locked --bench sim
	$(CARGO) bench --locked --bench policy
	$(CARGO) bench --locked --bench observer
	$(CARGO) bench --locked --bench broadcast
	$(CARGO) bench --locked --bench replay
	KALSHI_ACTOR_TEST_POSTGRES_URL=$$(./scripts/pg-test-up.sh) $(CARGO) bench --locked --bench pipeline
	$(MAKE) bench-service

bench-service: build ## The service against the simulator (P3, P5, P8): 100 markets at 5 000 frames/s, then 10x
	./target/release/kalshi-actor bench --markets 100 --rate 5000 --seconds 60
	./target/release/kalshi-actor bench --markets 100 --rate 50000 --seconds 60

soak: build ## One hour at the default load with every fault injection on, after a 10-minute warm-up (finished orders are kept 10 minutes: memory is steady after); fails on any failed check
	./target/release/kalshi-actor bench --faults --markets 100 --rate 5000 --seconds 3600 --warmup 600

clean: ## Remove build output
	$(CARGO) clean
	rm -rf dashboard/dist dashboard/node_modules
