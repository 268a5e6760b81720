# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# openapi-python-client's own venv, for `make client` (it wants an older typer than the service).
CLIENT_TOOL := build/client-tool
# Node's oidc-provider, the real OpenID Connect provider the sign-in tests run on loopback.
OIDC_PROVIDER := tests/oidc_provider

.PHONY: run test docs test-clock browser pdf-libs lint typecheck audit lock test-sqlite test-postgres openapi screenshots migrate bench bench-load clean client

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installed within the locked set (requirements.lock), the same that is audited.
$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e .
	touch $@

$(DEV_STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@ $(STAMP)

## Start the service with demo data on the embedded SQLite database (127.0.0.1:8000).
run: $(STAMP) pdf-libs
	$(BIN)/konsensus dev

## Lint, type-check, audit, build the docs strictly, and run the whole suite on SQLite and on
## PostgreSQL side by side (pytest-xdist workers in each); prints the time of each stage at the end.
test: test-clock $(DEV_STAMP) $(CLIENT_TOOL)/.installed $(OIDC_PROVIDER)/.installed browser pdf-libs
	$(BIN)/python -m tools.test_suite

## Serve the documentation site on 127.0.0.1:8001, rebuilt as its pages change.
docs: $(DEV_STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001

# When `make test` began, so that its summary can say how long the set-up took.
test-clock:
	@mkdir -p build && date +%s > build/test-started

## Headless Chromium for the page tests (Debian's package; Playwright drives it).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Chromium for the page tests ..."; \
			(apt-get install -y -q chromium >/dev/null 2>&1 || \
			 (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) || \
			echo "Could not install Chromium; the page tests will say so."; \
		else \
			echo "Chromium is missing: install it (apt-get install chromium) for the page tests."; \
		fi; \
	fi

## Pango for the PDF reports (WeasyPrint draws with it; Debian's packages).
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
pdf-libs:
	@if ! ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || ! ldconfig -p | grep -q 'libharfbuzz-subset.so.0'; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Pango for the PDF reports ..."; \
			(apt-get install -y -q $(PDF_LIBS) >/dev/null 2>&1 || \
			 (apt-get update -q >/dev/null && apt-get install -y -q $(PDF_LIBS) >/dev/null)) || \
			echo "Could not install Pango; PDF reports will say so."; \
		else \
			echo "Pango is missing: install it (apt-get install $(PDF_LIBS)) for the PDF reports."; \
		fi; \
	fi

lint: $(DEV_STAMP)
	$(BIN)/ruff check service tests bench tools alembic
	$(BIN)/ruff format --check service tests bench tools alembic

## Known vulnerabilities in the locked dependencies (pip-audit); says so when it cannot tell.
audit: $(DEV_STAMP)
	$(BIN)/python -m tools.audit_dependencies --lock requirements.lock

## Pin the dependency set anew after changing pyproject.toml (then commit requirements.lock).
lock: $(DEV_STAMP)
	@echo "# The locked dependency set: installed by make, audited by make audit. Renew: make lock" > requirements.lock
	$(BIN)/pip freeze --exclude-editable | grep -v -i '^konsensus==' >> requirements.lock

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

## One leg alone (pass pytest's own options in ARGS, e.g. ARGS='-n 2 tests/api').
test-sqlite: $(DEV_STAMP)
	KONSENSUS_TEST_DATABASE=sqlite $(BIN)/pytest $(ARGS)

test-postgres: $(DEV_STAMP)
	KONSENSUS_TEST_DATABASE=postgresql $(BIN)/pytest $(ARGS)

## Renew the screenshots the README and the docs show (docs/screenshots/) from the page tests.
screenshots: $(DEV_STAMP) browser
	KONSENSUS_SCREENSHOTS=docs/screenshots KONSENSUS_TEST_DATABASE=sqlite $(BIN)/pytest -q tests/pages/

## Regenerate the committed API contract after changing the API.
openapi: $(DEV_STAMP)
	$(BIN)/konsensus export-openapi --path openapi/openapi.json

## The typed Python client for integrators (docs/integrators/client.md), generated from the
## contract into build/client/; never committed, so it cannot drift from the contract.
$(CLIENT_TOOL)/.installed: tools/client-requirements.lock
	rm -rf $(CLIENT_TOOL)
	$(PYTHON) -m venv $(CLIENT_TOOL)
	$(CLIENT_TOOL)/bin/pip install --quiet -r tools/client-requirements.lock
	touch $@

## The sign-in tests' OpenID Connect provider, exactly as locked (package-lock.json).
$(OIDC_PROVIDER)/.installed: $(OIDC_PROVIDER)/package.json $(OIDC_PROVIDER)/package-lock.json
	cd $(OIDC_PROVIDER) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

client: $(CLIENT_TOOL)/.installed
	PATH="$(CURDIR)/$(CLIENT_TOOL)/bin:$$PATH" $(CLIENT_TOOL)/bin/openapi-python-client generate \
		--path openapi/openapi.json --config tools/client-config.yml --meta pdm \
		--output-path build/client --overwrite

## The load test (bench/bench_load.py, docs/developers/benchmarks.md): a busy day at a
## municipality against two API instances behind HAProxy on the machine's PostgreSQL
## (127.0.0.1:5432); installs HAProxy (Debian's package) first. Options in ARGS, e.g.
## ARGS='--seconds 60 --runs 2'.
bench-load: $(DEV_STAMP)
	@if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing HAProxy for the load test ..."; \
			apt-get install -y -q haproxy >/dev/null 2>&1 || \
			 (apt-get update -q >/dev/null && apt-get install -y -q haproxy >/dev/null); \
		else \
			echo "HAProxy is missing: install it (apt-get install haproxy) for the load test."; \
			exit 1; \
		fi; \
	fi
	$(BIN)/python -m bench.bench_load $(ARGS)

migrate: $(STAMP)
	$(BIN)/konsensus migrate

clean:
	rm -rf $(VENV) konsensus.db konsensus.db-wal konsensus.db-shm .pytest_cache .mypy_cache .ruff_cache
