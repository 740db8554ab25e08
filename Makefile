# TĐKT Workflow — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install lint bench frontend migrate demo clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) frontend

# The front-end bundle is built with npm when the project has one (package.json).
frontend:
	@if [ -f package.json ]; then \
		if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi; \
		npm run build; \
	fi

migrate: install
	$(BIN)/tdkt db upgrade

demo: migrate
	$(BIN)/tdkt demo load

run: demo
	$(BIN)/tdkt serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check engine workflows webapp tests bench
	$(BIN)/mypy engine
	$(BIN)/lint-imports

# English catalogue: extract the Vietnamese msgids (N_ marks run-time labels in
# webapp/i18n_data.py), merge them into the committed .po keeping its translations, compile.
# Untranslated or fuzzy entries make tests/webapp/test_pages_english.py fail.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --no-location --no-wrap -o /tmp/tdkt-messages.pot .
	$(BIN)/pybabel update -i /tmp/tdkt-messages.pot -d webapp/translations -l en --no-wrap --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d webapp/translations --statistics

bench: install
	$(BIN)/python -m bench.engine

clean:
	rm -rf $(VENV) node_modules webapp/static/dist .pytest_cache .ruff_cache .mypy_cache
