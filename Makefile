# Two commands: `make run` and `make test` (README). Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYTEST_ARGS ?=

.PHONY: run test install install-dev translations lint typecheck format migrate-check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations

# axe-core for the browser tests' accessibility scan (package.json; never served to users).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install-dev: $(VENV)/.installed-dev translations node_modules/.package-lock.json

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d translations

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	HARC_RUN_SCHEDULER=1 $(FLASK) run --debug --host 127.0.0.1 --port 5000

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy over core, notifications and the services modules (pyproject.toml [tool.mypy]).
typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install-dev lint typecheck
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Extract page strings into the catalogues (then translate translations/bn/LC_MESSAGES/messages.po).
extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o translations/messages.pot --ignore-dirs=".venv node_modules" .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

bench: install-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
