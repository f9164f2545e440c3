# Học tập suốt đời: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install translations messages migrate courses demo run serve test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed translations node_modules/.package-lock.json

# axe-core for the browser accessibility tests; npm writes this file on every install.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

translations: $(VENV)/.installed
	@for po in lms/translations/*/LC_MESSAGES/messages.po; do \
	  [ -f "$$po" ] || continue; \
	  $(BIN)/pybabel compile -i "$$po" -o "$${po%.po}.mo" -l "$$(basename $$(dirname $$(dirname $$po)))" >/dev/null; \
	done

# After changing user-visible strings: refresh the catalogs, then translate the new entries.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o lms/translations/messages.pot .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching --ignore-obsolete

migrate: install
	$(FLASK) db upgrade

# Re-importing unchanged courses changes nothing, so this is safe on every start.
courses: migrate
	$(FLASK) courses import courses

demo: migrate
	LMS_DEMO=1 $(FLASK) demo seed --url http://$(HOST):$(PORT)

run: courses demo
	LMS_DEMO=1 $(FLASK) run --host $(HOST) --port $(PORT)

serve: migrate
	$(BIN)/gunicorn --workers $${WORKERS:-2} --bind $(HOST):$${PORT:-8000} wsgi:app

# SQLite always; PostgreSQL as well when LMS_TEST_POSTGRES_URL names a server (CI sets it).
test: install
	$(BIN)/pytest
	@if [ -n "$$LMS_TEST_POSTGRES_URL" ]; then \
	  echo "== the same suite on PostgreSQL =="; \
	  LMS_TEST_DATABASE_URL="$$LMS_TEST_POSTGRES_URL" $(BIN)/pytest -m "not browser"; \
	elif [ "$$CI" = "true" ]; then \
	  echo "CI must test PostgreSQL: set LMS_TEST_POSTGRES_URL" >&2; exit 1; \
	fi

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
