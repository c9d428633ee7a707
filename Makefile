# VC Assure: the commands the README names. `make run` and `make test` work on a fresh machine
# with Python 3.11+; everything else they need they install themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint pytest bench browser messages clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

messages: $(STAMP)
	$(BIN)/python manage.py compile_catalogues

## run: set up and serve the platform on SQLite with the in-process worker and the demo province
run: $(STAMP) messages
	$(BIN)/python manage.py run_platform

## browser: Debian's Chromium for the Playwright tests (installed with apt-get when missing)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy vcassure config
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py check_catalogues
	$(BIN)/djlint vcassure --lint --quiet

pytest: $(STAMP) messages browser
	$(BIN)/pytest -q -n 2 $(PYTEST_ARGS)

## test: set up, lint, and run the whole suite (SQLite by default; DATABASE_URL picks another)
test: lint pytest

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
