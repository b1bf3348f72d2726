# Two commands: `make run` (serve with demo data) and `make test` (the suite).
# Without DATABASE_URL both use an embedded PostgreSQL in .pgdata/ (git-ignored).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint messages check clean-db bench

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# The Nu HTML Checker for the browser tests (tests/browser/test_every_page.py), from npm into .tools/
# (git-ignored); it runs on Java. The tests fail with a clear message when it is missing in CI.
VNU := .tools/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU):
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed to install the Nu HTML Checker (apt-get install npm)"; exit 1; }
	npm install --silent --no-audit --no-fund --prefix .tools vnu-jar@26
.PHONY: vnu
vnu: $(VNU)

# A real OpenID Connect provider for the single sign-on tests (tests/test_sso.py starts
# tests/oidc/provider.mjs on 127.0.0.1): node's oidc-provider from npm into .tools/ (git-ignored).
OIDC_PROVIDER := .tools/node_modules/oidc-provider/package.json
$(OIDC_PROVIDER):
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed to install the test OpenID Connect provider (apt-get install npm)"; exit 1; }
	npm install --silent --no-audit --no-fund --prefix .tools oidc-provider@8
.PHONY: oidc-provider
oidc-provider: $(OIDC_PROVIDER)

# Development commands use the test settings: with DEBUG off, settings.py needs a real secret key.
messages: export DJANGO_SETTINGS_MODULE = attachment_site.settings_test
test: export DJANGO_SETTINGS_MODULE = attachment_site.settings_test

messages: install
	$(PY) manage.py compilemessages --ignore=.venv >/dev/null

# `make run PORT=8001` serves on another port. scripts/run_dev.py compiles the catalogue, migrates, seeds
# the demo, then runs the task worker (batch exports) beside the web server; stopping it (Ctrl-C, SIGTERM)
# stops both, and the embedded PostgreSQL too when it was the one to start it.
PORT ?= 8000
run: export DJANGO_DEBUG = 1
run: install
	exec $(PY) scripts/run_dev.py --port $(PORT)

test: install messages $(VNU) $(OIDC_PROVIDER)
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(TYPECHECK)
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Types: mypy with django-stubs (config in pyproject.toml). The plugin loads the settings but never
# connects, so a placeholder DATABASE_URL spares starting the embedded PostgreSQL.
TYPECHECK = DATABASE_URL="$${DATABASE_URL:-postgresql://localhost/mypy-never-connects}" $(VENV)/bin/mypy
.PHONY: typecheck
typecheck: install
	$(TYPECHECK)

# bench/run: every page on the scale organisation (seed_scale) through gunicorn, p50/p95 beside its SQL
# (table in bench/results/); then the older in-process benchmarks.
bench: install messages
	PYTHON=$(PY) bench/run
	$(PY) bench/report_bench.py
	$(PY) bench/overview_bench.py

# The README's production steps against gunicorn on a throwaway database (scripts/production_smoke.py).
.PHONY: smoke
smoke: install
	$(PY) scripts/production_smoke.py

# The restore drill: seed a demo database, pg_dump -Fc it, pg_restore it into a fresh one, and check the
# restored app serves the same pages and PDF text, the rollup equals a rebuild, every table's rows (the
# access log, the histories) came along (attachment_site/restore_drill.py). Drops its databases again.
.PHONY: restore-drill
restore-drill: export DJANGO_SETTINGS_MODULE = attachment_site.settings_test
restore-drill: install messages
	$(PY) scripts/restore_drill.py

# The embedded PostgreSQL keeps running between commands; these stop it (and remove its data).
.PHONY: stop-db
stop-db:
	@[ ! -x $(PY) ] || $(PY) attachment_site/embedded_db.py stop

clean-db: stop-db
	rm -rf .pgdata
