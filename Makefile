# kalshi-actor. `make help` lists the targets.
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: help build run test lint fmt bench clean deps pg-down soak-restart

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

deps: ## Install what builds and tests need (Rust components)
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

build: ## Build the release binary
	$(CARGO) build --release --locked

run: build ## Run the service with config.toml (sim mode: embedded exchange simulator)
	./target/release/kalshi-actor run

test: deps ## Format check, clippy with warnings denied, and every test (SQLite and PostgreSQL)
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --locked -- -D warnings
	KALSHI_ACTOR_TEST_POSTGRES_URL=$$(./scripts/pg-test-up.sh) $(CARGO) test --all-targets --locked

soak-restart: ## The SIGKILL restart test with 200 rounds instead of 20
	KALSHI_ACTOR_RESTART_ROUNDS=200 $(CARGO) test --locked --test tests -- restart:: --nocapture

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
	KALSHI_ACTOR_TEST_POSTGRES_URL=$$(./scripts/pg-test-up.sh) $(CARGO) bench --locked --bench pipeline

clean: ## Remove build output
	$(CARGO) clean
