# Học tập suốt đời: `make run` to try it (needs Python >= 3.11 and make), `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Everything but the browser journeys, the server processes and the whole-app sweeps.
FAST := not browser and not deploy and not slow
# pytest-xdist workers for test-fast (each has its own database); JOBS=0 runs in one process.
JOBS ?= 2
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host

.PHONY: install install-dev translations messages migrate courses demo run serve \
	test test-fast test-prerequisites lint lock sqlmap-scan clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "Python >= 3.11 is needed: '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." \
	    "Run e.g. make run PYTHON=python3.12" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# The lock files pin every package by version and hash (`make lock` regenerates them); the
# project itself goes in editable, without its dependencies, so nothing unpinned comes along.
# Runtime only: what `make run` and `make serve` need (no test tools, no Node).
$(VENV)/.installed-run: requirements/run.txt pyproject.toml | $(BIN)/python
	$(PIP) install --require-hashes -r requirements/run.txt
	$(PIP) install --no-deps -e .
	touch $@

# Tests, lint and type checks: the dev and postgres extras (a superset of run.txt).
$(VENV)/.installed-dev: requirements/dev.txt pyproject.toml | $(BIN)/python
	$(PIP) install --require-hashes -r requirements/dev.txt
	$(PIP) install --no-deps -e .
	touch $@

install: $(VENV)/.installed-run translations

install-dev: $(VENV)/.installed-dev translations

# Ralph, the Learning Record Store the xAPI tests send to (tests/xapi, bench/xapi_push.py): a
# venv of its own, since its pins (pydantic, click, fastapi...) are not ours.
$(VENV)-ralph/.installed: requirements/ralph.txt
	$(PYTHON) -m venv $(VENV)-ralph
	$(VENV)-ralph/bin/python -m pip --quiet install --require-hashes -r requirements/ralph.txt
	touch $@

# axe-core for the browser accessibility tests; npm writes this file on every install.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

translations: $(VENV)/.installed-run
	@for po in lms/translations/*/LC_MESSAGES/messages.po; do \
	  [ -f "$$po" ] || continue; \
	  $(BIN)/pybabel compile -i "$$po" -o "$${po%.po}.mo" -l "$$(basename $$(dirname $$(dirname $$po)))" >/dev/null; \
	done

# After changing user-visible strings: refresh the catalogs, then translate the new entries.
messages: $(VENV)/.installed-run
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o lms/translations/messages.pot .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching --ignore-obsolete

migrate: install
	$(FLASK) db upgrade

# Re-importing unchanged courses or dictionaries changes nothing, so this is safe on every start.
# The dictionaries come first: lessons may refer to their entries.
courses: migrate
	$(FLASK) dictionary import dictionaries
	$(FLASK) courses import courses

# The demo's certificates can be downloaded as Open Badges: a signing key on first run.
demo: migrate
	LMS_DEMO=1 $(FLASK) demo seed --url http://$(HOST):$(PORT)
	$(FLASK) credentials keygen --if-missing

run: courses demo
	LMS_DEMO=1 $(FLASK) run --host $(HOST) --port $(PORT)

serve: migrate
	$(BIN)/gunicorn --workers $${WORKERS:-2} --bind $(HOST):$${PORT:-8000} wsgi:app

# Chromium, npm (or node_modules), PostgreSQL's tools, LibreOffice: named before installing.
test-prerequisites:
	@scripts/test-prerequisites $(PYTHON)

# The whole suite: SQLite always (browser tests included); PostgreSQL as well when
# LMS_TEST_POSTGRES_URL names a server (CI sets it).
test: test-prerequisites install-dev node_modules/.package-lock.json $(VENV)-ralph/.installed
	$(BIN)/pytest
	@if [ -n "$$LMS_TEST_POSTGRES_URL" ]; then \
	  echo "== the same suite on PostgreSQL =="; \
	  LMS_TEST_DATABASE_URL="$$LMS_TEST_POSTGRES_URL" $(BIN)/pytest -m "not browser"; \
	elif [ "$$CI" = "true" ]; then \
	  echo "CI must test PostgreSQL: set LMS_TEST_POSTGRES_URL" >&2; exit 1; \
	fi

# The loop to run while working (under 2 minutes): SQLite, no browser, no Node, no servers.
# The HTTP access matrix is replaced here by the check of each route's declared rule.
test-fast: install-dev
	$(BIN)/pytest -n $(JOBS) -m "$(FAST)"

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Regenerate the lock files from pyproject.toml after changing a dependency there; current
# pins are kept where they still fit (delete a file, or pass --upgrade, to take newer releases).
lock: $(VENV)/.installed-dev
	$(PIP_COMPILE) --output-file requirements/run.txt pyproject.toml
	$(PIP_COMPILE) --extra dev --extra postgres --output-file requirements/dev.txt pyproject.toml
	$(PIP_COMPILE) --extra sqlmap --output-file requirements/sqlmap.txt pyproject.toml
	$(PIP_COMPILE) --output-file requirements/ralph.txt requirements/ralph.in

# The SQL-injection scan of bench/sqlmap_scan.py (about 25 minutes); sqlmap is its own extra.
$(VENV)/.installed-sqlmap: requirements/sqlmap.txt pyproject.toml | $(BIN)/python
	$(PIP) install --require-hashes -r requirements/sqlmap.txt
	$(PIP) install --no-deps -e .
	touch $@

sqlmap-scan: $(VENV)/.installed-sqlmap install
	$(BIN)/python bench/sqlmap_scan.py $(ARGS)

clean:
	rm -rf $(VENV) $(VENV)-ralph .pytest_cache .ruff_cache .mypy_cache
