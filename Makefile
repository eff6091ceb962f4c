# Developer entry points. Every target installs into .venv first; that step is quick when the
# requirements files have not changed since the last install (a stamp file records it).
#
#   make run          migrate, demo content, then web server + Celery worker + beat (Ctrl-C stops all)
#   make test         the test suite, without the tests that need a real worker
#   make test-worker  the tests marked `worker` (Redis, PostgreSQL and a Celery worker)
#   make test-browser the tests marked `browser` (headless Chromium: Debian's chromium, chromium-driver)
#   make test-replica the tests marked `replica` (a PostgreSQL primary and streaming replica of their own)
#   make test-cache   the tests marked `cache` (a Varnish of their own with deploy/varnish/newsroom.vcl)
#   make lint         ruff, the import contracts (docs/architecture.md), system checks, migrations
#   make fuzz-api     schemathesis against a running server, from the API's own schema
#   make faults       fault injection: kill/restart Redis, workers, beat, PostgreSQL connections
#   make cluster      a cluster on 127.0.0.1: primary + replica, Redis, S3, 2 web nodes behind
#                     Varnish, 2 worker hosts, beat; publish, correct, unpublish, kill, check targets
#   make bench        seed a PostgreSQL bench database, gunicorn + wrk, table and bench/results/*.json
#   make bench-wxr    the WordPress import of a generated 10,000-post export, on PostgreSQL

PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-x -k seed"`; CI passes --create-db.
PYTEST_ARGS ?=

.PHONY: install run test test-worker test-browser test-replica test-cache lint fuzz-api audit faults cluster bench bench-wxr

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

# SQLite, media, the broker's files and the beat schedule live here (ignored by git).
var:
	@mkdir -p var

run: export DEBUG = 1
run: install | var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo --admin-url http://$(HOST):$(PORT)/admin/
	$(BIN)/python manage.py published_rebuild
	@echo ""
	@echo "Starting the web server, a Celery worker and the beat scheduler; Ctrl-C stops all."
	@echo "  Admin: http://$(HOST):$(PORT)/admin/  (demo logins above)"
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" WEB_ADDRESS=$(HOST):$(PORT) \
		$(BIN)/honcho --procfile Procfile.dev --env /dev/null start

test: install
	$(BIN)/pytest -m "not worker and not browser and not replica and not cache" $(PYTEST_ARGS)

test-worker: install
	$(BIN)/pytest -m worker $(PYTEST_ARGS)

# Starts its own primary and replica (initdb and pg_basebackup as the postgres user, free
# ports; tests/support/pgcluster.py), whatever DATABASE_URL says.
test-replica: install
	$(BIN)/pytest -m replica tests/replicas $(PYTEST_ARGS)

# Starts its own Varnish (Debian's varnish and varnish-modules) with deploy/varnish/newsroom.vcl
# in front of a live test server (tests/support/varnish.py).
test-cache: install
	$(BIN)/pytest -m cache tests/cache $(PYTEST_ARGS)

# Screenshots and page sources of failed browser tests land in var/browser-failures/.
test-browser: install
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

lint: install | var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

fuzz-api: install
	bash scripts/api_fuzz.sh

# Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and redis-server on PATH; starts its own
# Redis, gunicorn, workers and beat on free ports (scripts/faults/run.py, docs/operations.md).
faults: install
	$(BIN)/python scripts/faults/run.py

# Its own PostgreSQL primary + streaming replica, Redis, S3 server (moto) and Varnish on free
# ports, whatever DATABASE_URL says (scripts/cluster/run.py, docs/operations.md; ~5 minutes).
cluster: install
	$(BIN)/python scripts/cluster/run.py

# Needs PyPI's advisory service; --strict fails on any dependency it could not check.
audit: install
	$(BIN)/pip-audit -r requirements.txt --progress-spinner off --strict

# Needs PostgreSQL (BENCH_DATABASE_URL, recreated), wrk and ../shared/bench; BENCH_ARTICLES
# (default 10000) or BENCH_JSONL=<gen_dataset.py output>. Then a load test with Locust
# (bench/load.py) for BENCH_LOAD_MINUTES (default 10, 0 skips it). See docs/performance.md.
bench: install | var
	$(BIN)/python bench/run.py

# The WordPress import on PostgreSQL: a generated export of BENCH_WXR_POSTS posts (default
# 10000) into BENCH_WXR_DATABASE_URL (recreated); posts per second and peak memory.
bench-wxr: install | var
	cd bench && ../$(BIN)/python wxr_import.py
