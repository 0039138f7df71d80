# The README's commands. Each creates .venv and installs the pinned versions
# from requirements.lock when needed, so a fresh clone needs only Python 3.11+.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Local runs use DEBUG and SQLite; tests run with DEBUG off, as in production.
# The key below encrypts test data only; it is public on purpose.
TEST_ENV := DEBUG=false SECRET_KEY=tests-only-not-a-secret \
	FIELD_ENCRYPTION_KEYS=dGVzdHMtb25seS1ub3QtYS1zZWNyZXQtZmVybmV0LWs=


.PHONY: run test lint format lock check-python clean seed-scale bench-dashboard stack bench

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "). Set PYTHON=/path/to/python3.11.")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $@

# The demo lets every role in without an authenticator app (README, Demo sign-ins).
# `make run PORT=8001` serves on another port; links in emails follow it.
PORT ?= 8000
RUN_ENV := DEBUG=true MFA_REQUIRED_ROLES=none MFA_REQUIRED_FOR_STAFF=false \
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}

# After seeding: a sample of the demo supervisor's digest email in var/outbox/ (a .eml file).
run: $(INSTALLED)
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo --print-logins
	$(RUN_ENV) $(BIN)/python manage.py refresh_dashboard
	$(RUN_ENV) $(BIN)/python manage.py sample_digest --supervisor ruth.supervisor@example.org
	@echo "\nOpen http://127.0.0.1:$(PORT) and sign in with one of the logins above.\n"
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The Nu HTML Checker (vnu-jar) that tests/e2e/test_crawl.py runs, from
# package-lock.json. Without npm the crawl test skips (and fails in CI).
# --ignore-scripts: vnu-jar's postinstall would fetch a Java; the system's is used.
NODE_INSTALLED := node_modules/.installed
$(NODE_INSTALLED): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: tests/e2e/test_crawl.py will skip (apt-get install npm)"; fi

test: $(INSTALLED) $(NODE_INSTALLED)
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --configfile pyproject.toml --recursive .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-pin every dependency to what a fresh install resolves today.
lock: $(BIN)/python
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	( echo '# Exact versions installed by `make` (pip install -c requirements.lock -e .[dev]).'; \
	  echo '# Regenerate after changing pyproject.toml: make lock'; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable ) > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .ruff_cache

# The dashboard at scale (docs/performance.md). Use a database of its own:
#   psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE pod_scale OWNER pod"
#   make seed-scale bench-dashboard SCALE_DATABASE_URL=postgres://pod:pod@127.0.0.1:5432/pod_scale
# SCALE_ARGS makes it smaller, e.g. SCALE_ARGS="--teams 10 --meetings 20000 --reflections 100000".
SCALE_DATABASE_URL ?= postgres://pod:pod@127.0.0.1:5432/pod_scale
SCALE_ENV := DEBUG=true DATABASE_URL=$(SCALE_DATABASE_URL)

seed-scale: $(INSTALLED)
	$(SCALE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SCALE_ENV) $(BIN)/python manage.py seed_scale $(SCALE_ARGS)
	$(SCALE_ENV) $(BIN)/python manage.py refresh_dashboard

bench-dashboard: $(INSTALLED)
	$(SCALE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SCALE_ENV) $(BIN)/python manage.py bench_dashboard

# The production processes natively (scripts/stack.py runs the Procfile): migrate
# and collectstatic, then gunicorn, a Celery worker and one beat, DEBUG off.
# Needs DATABASE_URL, REDIS_URL, SECRET_KEY and FIELD_ENCRYPTION_KEYS set; plain
# http on 127.0.0.1 unless SECURE_COOKIES=true. Ctrl-C stops all three.
stack: $(INSTALLED)
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" || { echo "make stack needs DATABASE_URL and REDIS_URL (see README)"; exit 1; }
	PATH="$(CURDIR)/$(BIN):$$PATH" DEBUG=false SECURE_COOKIES=$${SECURE_COOKIES:-false} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} $(BIN)/python scripts/stack.py

# The load benchmark on the seed_scale data set (docs/performance.md): gunicorn
# with 2 workers on 127.0.0.1, wrk (apt-get install wrk) at 8 connections for
# BENCH_SECONDS per page, queries per page, worker memory, autosave server time.
# The notes were encrypted by seed_scale with the development key under var/.
BENCH_SECONDS ?= 30
BENCH_ENV := DEBUG=false SECRET_KEY=bench-only-not-a-secret SECURE_COOKIES=false \
	FIELD_ENCRYPTION_KEYS=$${FIELD_ENCRYPTION_KEYS:-$$(cat var/field_encryption.key)} \
	ALLOWED_HOSTS=127.0.0.1,testserver DATABASE_URL=$(SCALE_DATABASE_URL) \
	MFA_REQUIRED_ROLES=none MFA_REQUIRED_FOR_STAFF=false LOG_LEVEL=WARNING

bench: $(INSTALLED)
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BENCH_ENV) $(BIN)/python devdata/bench.py --seconds $(BENCH_SECONDS)

# Digests for 1,000 supervisors through Redis and ONE Celery worker (solo pool) to an
# aiosmtpd server on 127.0.0.1 (docs/performance.md). A database and a Redis db of its own:
#   psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE pod_digest_bench OWNER pod"
# It migrates, replaces its own rows (people named digest-bench-*), and drops nothing.
.PHONY: bench-digests
DIGEST_DATABASE_URL ?= postgres://pod:pod@127.0.0.1:5432/pod_digest_bench
DIGEST_REDIS_URL ?= redis://127.0.0.1:6379/11
DIGEST_ENV := DEBUG=false SECRET_KEY=bench-only-not-a-secret SECURE_COOKIES=false \
	FIELD_ENCRYPTION_KEYS=$${FIELD_ENCRYPTION_KEYS:-$$(cat var/field_encryption.key)} \
	DATABASE_URL=$(DIGEST_DATABASE_URL) REDIS_URL=$(DIGEST_REDIS_URL)

bench-digests: $(INSTALLED)
	$(DIGEST_ENV) $(BIN)/python devdata/bench_digests.py $(DIGEST_ARGS)

# docker-compose.yml for real, with podman (docs/operations.md, "The compose check"):
# base images built locally when missing (no registry needed), the project's image
# built once, the stack up, /healthz, worker, beat, a digest through an SMTP sink,
# a clean stop and the database across down and up; down -v at the end. As root:
# installs podman, podman-compose, runc and debootstrap with apt when missing.
.PHONY: compose-test
compose-test:
	bash scripts/compose-test.sh
