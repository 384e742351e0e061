# fazhi — the two commands: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_WORKSPACE ?= demo-workspace
PYTEST_ARGS ?=

.PHONY: install demo test test-fast lint format bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "fazhi needs Python >= 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/fazhi demo --workspace $(DEMO_WORKSPACE) $(if $(NO_LAUNCH),--no-launch,)

test: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy fazhi grading

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(DEMO_WORKSPACE) build *.egg-info

# ---- multi-user deployment (deploy/, docs/deploy.md) -----------------------------------------
HUB_STATE ?= deploy/hub-state
HUB_PORT ?= 8000
FAZHI_HUB_DB_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/fazhi_hub

.PHONY: hub e2e

deploy/node_modules/.bin/configurable-http-proxy: deploy/package.json
	cd deploy && npm install --no-audit --no-fund
	touch $@

hub: $(STAMP) deploy/node_modules/.bin/configurable-http-proxy
	FAZHI_DB_URL=$(FAZHI_HUB_DB_URL) $(BIN)/python deploy/trial.py $(HUB_STATE)
	PATH="$(abspath $(BIN)):$$PATH" FAZHI_DB_URL=$(FAZHI_HUB_DB_URL) FAZHI_HUB_STATE=$(abspath $(HUB_STATE)) \
		FAZHI_HUB_PORT=$(HUB_PORT) $(BIN)/jupyterhub -f deploy/jupyterhub_config_local.py

e2e: $(STAMP) deploy/node_modules/.bin/configurable-http-proxy
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pytest -m e2e tests/deploy $(PYTEST_ARGS)
