# Karte: `make run` to try it, `make test` to check it. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
PYTEST_WORKERS ?= 2
# make run PORT=8080 serves elsewhere; the printed addresses follow.
PORT ?= 8000

.PHONY: run test suites setup demo lint bench bench-transfer bench-push bench-queues bench-ledger bench-duplicates messages screenshots soak

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/pip: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/npm: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

setup: $(STAMPS)/pip $(STAMPS)/npm
	@mkdir -p var/static
	$(BIN)/python manage.py compile_translations
	$(BIN)/python manage.py migrate --noinput

demo: setup
	$(BIN)/python manage.py load_demo --base-url http://127.0.0.1:$(PORT)

run: demo
	PORT=$(PORT) scripts/run-dev

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run

test: lint
	scripts/ensure-test-tools
	scripts/with-rgw $(MAKE) --no-print-directory suites

# The suite on SQLite, and when DATABASE_URL names PostgreSQL: the whole suite through a PgBouncer in
# transaction mode, as production runs it, and what differs without a pool (the `unpooled` and
# `postgres_only` tests) directly (make test wraps it with a real S3).
suites:
	@echo "== tests on SQLite"
	env -u DATABASE_URL $(BIN)/pytest -n $(PYTEST_WORKERS)
	@case "$$DATABASE_URL" in \
	postgres*) \
		echo "== tests on PostgreSQL through PgBouncer"; \
		scripts/with-pgbouncer $(BIN)/pytest -n $(PYTEST_WORKERS) && \
		echo "== tests on PostgreSQL directly: what a pool changes" && \
		$(BIN)/pytest -n $(PYTEST_WORKERS) -m "unpooled or postgres_only";; \
	?*) \
		echo "== tests on $${DATABASE_URL%%:*}"; \
		$(BIN)/pytest -n $(PYTEST_WORKERS);; \
	esac

# The crash test with 200 kills instead of the 20 of make test.
soak: setup
	scripts/ensure-test-tools
	KARTE_CRASH_KILLS=200 env -u DATABASE_URL $(BIN)/pytest -p no:xdist -s tests/test_crash.py
	@if [ -n "$$DATABASE_URL" ]; then KARTE_CRASH_KILLS=200 $(BIN)/pytest -p no:xdist -s tests/test_crash.py; fi

# Refresh docs/screenshots from the browser tests.
screenshots: setup
	scripts/ensure-test-tools
	KARTE_SCREENSHOTS=1 env -u DATABASE_URL $(BIN)/pytest -p no:xdist tests/browser

bench: setup
	env -u DATABASE_URL $(BIN)/python scripts/bench.py
	@if [ -n "$$DATABASE_URL" ]; then $(BIN)/python scripts/bench.py; fi

# The import and export timings alone (a section of docs/bench-*.md).
bench-transfer: setup
	env -u DATABASE_URL $(BIN)/python scripts/bench_transfer.py
	@if [ -n "$$DATABASE_URL" ]; then $(BIN)/python scripts/bench_transfer.py; fi

# The 予約台帳 at 2,000 and 200,000 appointments, side by side.
bench-ledger: setup
	env -u DATABASE_URL $(BIN)/python scripts/bench_ledger.py
	@if [ -n "$$DATABASE_URL" ]; then $(BIN)/python scripts/bench_ledger.py; fi

# Push fan-out: a broadcast to 100,000 phones against a local push service, beside a bare loop.
# The duplicate finder at 10,000 and 200,000 customers (a section of docs/bench-*.md).
bench-duplicates: setup
	env -u DATABASE_URL $(BIN)/python scripts/bench_duplicates.py
	@if [ -n "$$DATABASE_URL" ]; then $(BIN)/python scripts/bench_duplicates.py; fi

# Another salon's photo, upload → ready, while one salon broadcasts to every phone and exports.
bench-queues: setup
	scripts/ensure-test-tools
	$(BIN)/python scripts/bench_queues.py

bench-push: setup
	env -u DATABASE_URL $(BIN)/python scripts/bench_push.py

# Refresh the Japanese catalogue after changing user-facing strings (needs GNU gettext).
# The source strings are English, so English needs no catalogue of its own.
messages: setup
	$(BIN)/python manage.py makemessages -l ja --no-obsolete --no-location --ignore=.venv --ignore=node_modules --ignore=var
