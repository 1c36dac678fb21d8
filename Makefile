# Two commands set everything up on a fresh machine with Python 3.11+:
#   make run   - create .venv, install, migrate, load the question bank, serve http://127.0.0.1:8000
#   make test  - install the dev tools and run the whole suite (SQLite; set TEST_DATABASE_URL for PostgreSQL)

SHELL := /bin/bash
# The first Python 3.11+ that actually runs. A name on PATH may be a pyenv shim for a version that is
# not installed: it fails (quietly, here) and the next one is tried. Looked up once, when needed.
ifndef PYTHON
PYTHON = $(eval PYTHON := $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done))$(PYTHON)
endif
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is the local, offline developer setup: DEBUG on, embedded SQLite, offline engines.
RUN_ENV := DEBUG=$${DEBUG:-true}

.PHONY: run superuser serve test test-postgres screenshots vendor webapp-export lint format bench speech-worker eval lock install install-dev clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required (python3.11, python3.12 or python3.13 on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py load_questions
	@echo "Serving the mock interviewer at http://$(HOST):$(PORT)/ (API docs: http://$(HOST):$(PORT)/api/docs/)"
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# An admin account on the database `make run` serves (asks for name, e-mail and password).
superuser: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py createsuperuser

# Production-style serving (gunicorn with gunicorn.conf.py: uvicorn ASGI workers by default) on this machine.
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn -c gunicorn.conf.py

test: install-dev
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "Running the suite on $$TEST_DATABASE_URL"; else echo "Running the suite on SQLite"; fi
	@if [ -x /usr/bin/chromium ]; then echo "Browser tests: on, in headless /usr/bin/chromium (config/tests/browser)"; \
		else echo "Browser tests: SKIPPED, /usr/bin/chromium is not installed (apt-get install chromium chromium-driver)"; fi
	DATABASE_URL=$${TEST_DATABASE_URL:-sqlite:///$(CURDIR)/data/db.sqlite3} DEBUG=false SECRET_KEY=test-only-secret-key-for-the-suite-0123456789-abcdefghij \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser tests alone, saving their screenshots of the web app into docs/screenshots/ (for README).
screenshots: install-dev
	DEBUG=false SECRET_KEY=test-only-secret-key-for-the-suite-0123456789-abcdefghij SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots \
		DATABASE_URL=sqlite:///$(CURDIR)/data/db.sqlite3 $(BIN)/python -m pytest config/tests/browser -q $(PYTEST_ARGS)

# Refresh the vendored JavaScript libraries (static/vendor/) from the npm registry at their pinned versions.
vendor:
	bash devtools/vendor_refresh.sh

# The web app as plain files for any static host: make webapp-export WEBAPP_DIR=dist API_BASE_URL=https://api.example.com
WEBAPP_DIR ?= dist/webapp
webapp-export: install
	$(BIN)/python -m devtools.webapp_export $(WEBAPP_DIR) --api-base-url "$(API_BASE_URL)"

test-postgres:
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(MAKE) test

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The benchmark and reliability runs against the production stack; writes BENCHMARKS.md (bench/run.py --help).
bench: install-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Speech worker processes for SPEECH_QUEUE=redis: synthesize the replies' audio off the app servers' CPU.
speech-worker: install
	$(BIN)/python manage.py speech_worker $(WORKER_ARGS)

# The interviewer quality suite: scripted candidates against the production server; writes EVAL.md.
eval: install
	$(BIN)/python eval/run.py $(EVAL_ARGS)

# Re-pin requirements*.txt from requirements*.in (needs the package index).
lock:
	rm -rf /tmp/mi-lock && $(PYTHON) -m venv /tmp/mi-lock
	/tmp/mi-lock/bin/pip install --quiet -r requirements.in
	{ head -2 requirements.txt; /tmp/mi-lock/bin/pip freeze; } > requirements.txt.new && mv requirements.txt.new requirements.txt
	/tmp/mi-lock/bin/pip install --quiet -r requirements-dev.in
	{ head -2 requirements-dev.txt; comm -13 <(grep -v '^[#-]' requirements.txt | sort) <(/tmp/mi-lock/bin/pip freeze | sort); } \
		> requirements-dev.txt.new && mv requirements-dev.txt.new requirements-dev.txt

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
