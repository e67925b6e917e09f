# faas-ems on one machine. `make up` runs the whole system; `make test` runs every test.
# `make swarm-test` deploys the Swarm stack on a real Docker engine and runs it end to end.
# `make up DEMO=1` adds a demo client whose meters the simulator feeds.
# Both set up what they need first: the Python environment, the web app, the services.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.* frontend/tsconfig*.json -type f 2>/dev/null)

.PHONY: up test lint pytest frontend-test services test-tools spa venv clean swarm-test

up: venv spa services
	$(BIN)/ems up $(if $(filter 1,$(DEMO)),--demo)

test: lint frontend-test pytest

venv: $(STAMP)

$(STAMP): pyproject.toml
	@echo "==> Python environment ($(VENV))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

services: venv
	@echo "==> PostgreSQL, RabbitMQ and Redis"
	$(BIN)/ems services --start

spa: frontend/dist/index.html

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	@echo "==> web app packages (npm install, pinned by package-lock.json)"
	@# Not `npm ci`: npm leaves other platforms' optional binaries (rollup, esbuild) out of a
	@# lock file made on Linux, and `npm ci` then calls the lock out of sync.
	cd frontend && npm install --no-audit --no-fund --loglevel=error

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	@echo "==> web app build"
	cd frontend && npm run build

# Debian's chromium for the browser tests, nginx for the Swarm proxy's configuration tests.
test-tools:
	@missing=""; \
	command -v chromium >/dev/null || missing="chromium"; \
	[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing="$$missing nginx-light"; \
	if [ -n "$$missing" ]; then \
		echo "==> installing Debian's$$missing for the tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

lint: venv
	@echo "==> ruff"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

frontend-test: spa
	@echo "==> web app component tests (vitest)"
	cd frontend && npm test

pytest: venv services spa test-tools
	@echo "==> pytest (real PostgreSQL, RabbitMQ, Redis; headless Chromium)"
	$(BIN)/pytest

# Installs and starts what it needs (docker.io, dockerd, a swarm) and undoes it after;
# see docs/deployment.md. Images it built stay, so that the next run reuses them.
swarm-test: venv
	tests/swarm_e2e/run.sh

clean:
	rm -rf $(VENV) .ems frontend/node_modules frontend/dist
