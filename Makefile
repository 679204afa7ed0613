# Warm Bee: `make run` to try it, `make test` for everything CI checks.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run install install-dev messages messages-update test lint types migrations-check pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

messages: install
	$(BIN)/python manage.py compile_catalogue

messages-update: install-dev
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-location \
		--ignore=.venv --ignore=artifacts --ignore=staticfiles --ignore=var

run: install messages
	mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py load_demo
	@echo "Warm Bee is on http://127.0.0.1:8000 (English: http://127.0.0.1:8000/en/)"
	@# The background worker (coverage runs) runs beside the server and stops with it.
	DEBUG=1 $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install-dev
	$(BIN)/mypy .

migrations-check: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: install-dev messages
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint types migrations-check pytest

bench: install-dev messages
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache
