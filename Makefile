# VC Assure: the commands the README names. `make run` and `make test` work on a fresh machine
# with Python 3.11+; everything else they need they install themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint pytest bench tools messages clean

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

## tools: Debian's Chromium (Playwright tests), GNU gettext (catalogue check) and the Noto CJK fonts
## (Chinese text in the PDF reports), with apt-get when missing
tools:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v xgettext >/dev/null 2>&1 || missing="$$missing gettext"; \
	ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing="$$missing libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: $(STAMP) tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/check_doors.py
	$(BIN)/bandit -c pyproject.toml -r vcassure config -ll -q
	$(BIN)/lint-imports
	$(BIN)/mypy vcassure config
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py check_catalogues
	$(BIN)/djlint vcassure --lint --quiet

pytest: $(STAMP) messages tools
	$(BIN)/pytest -q -n 2 $(PYTEST_ARGS)

## test: set up, lint, and run the whole suite (SQLite by default; DATABASE_URL picks another)
test: lint pytest

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
