# fazhi — the two commands: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_WORKSPACE ?= demo-workspace
PYTEST_ARGS ?=
# Tests run in parallel (pytest-xdist); one file's tests share a worker and its fixtures.
PYTEST_PARALLEL ?= -n auto --dist loadfile

.PHONY: install demo test test-fast lint format bench docs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "fazhi needs Python >= 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m fazhi.lab_install
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/fazhi demo --workspace $(DEMO_WORKSPACE) $(if $(NO_LAUNCH),--no-launch,)

test: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-fast: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pytest -m "not slow" $(PYTEST_PARALLEL) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy fazhi grading

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python benchmarks/run_all.py

docs: $(STAMP)
	$(BIN)/python -m fazhi.cli.reference > docs/commands.md.tmp
	mv docs/commands.md.tmp docs/commands.md

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

# ---- the officer's JupyterLab: prebuilt extension and screenshots -----------------------------
SCREENSHOTS ?= docs/screenshots

.PHONY: labextension screenshots

# Rebuild the fazhi-lab extension from labextension/src (needs Node and the npm registry); the
# output in fazhi/labextension/ is committed, so installing fazhi never builds or downloads it.
labextension: $(STAMP)
	cd labextension && npm ci --no-audit --no-fund && npx tsc
	cd labextension && node node_modules/@jupyterlab/builder/lib/build-labextension.js \
		--core-path "$$($(abspath $(BIN))/python -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging"))')" .
	$(BIN)/python -m fazhi.lab_install

# The officer's path in a real browser (tests/deploy/test_officer_browser.py), saving a
# screenshot of each step into $(SCREENSHOTS)/.
screenshots: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" FAZHI_SCREENSHOTS=$(abspath $(SCREENSHOTS)) \
		$(BIN)/pytest -p no:cacheprovider -q tests/deploy/test_officer_browser.py $(PYTEST_ARGS)
