# The commands the README and docs/development.md name, on Odoo 18.0 or 19.0: ODOO=18 or ODOO=19 (default: the Odoo
# that python3 imports; the launcher also finds $$ODOO19_PYTHON or ~/.virtualenvs/odoo19).
# PostgreSQL settings come from PGHOST, PGPORT, PGUSER (default: odoo), PGPASSWORD.
PYTHON ?= python3
ODOO ?=
export ODOO
LAUNCH := $(PYTHON) -m tools.trace_odoo
MODULES := trace_compliance trace_recall trace_warranty

.PHONY: run test test-core test-core-all install-matrix lint lint-tools format readme help pot bench loadtest replica screenshots

help:
	@echo "Each command on Odoo 18.0 or 19.0: make test ODOO=19 (default: the Odoo python3 imports)"
	@echo "make run             serve the demo database on http://localhost:8069 (admin / admin)"
	@echo "make test            fresh database, install the three add-ons, run every test, then test-core"
	@echo "make test-core       Odoo's own tests of the modules we extend, with and without the add-ons"
	@echo "make test-core-all   the same with every test of those modules (about 30 minutes)"
	@echo "make install-matrix  install each add-on on its own, without demo data"
	@echo "make lint            pre-commit's hooks on every file: ruff, pylint-odoo, OCA's checks, prettier, eslint, README.rst current"
	@echo "make format          the same hooks, letting them fix what they can"
	@echo "make readme          each add-on's README.rst and static/description/index.html, from readme/"
	@echo "make bench           benchmark at 1,000,000 move lines (BENCH_SIZE=100000 for another size)"
	@echo "make loadtest        4 workers under concurrent readers and writers for 60 s (LOAD_SIZE=100000 lines)"
	@echo "make replica         a hot standby on port 5433, then the load test reading from it"
	@echo "make screenshots     docs/screenshots/ of the user guide, from the demo database make run builds (Playwright)"

run:
	$(LAUNCH) run

test:
	$(LAUNCH) test

# The gate: Odoo's own tests (a selection; test-core-all: all of them) of stock, mrp,
# sale_stock, repair, product_expiry, stock_account and purchase_stock, on a database with
# our add-ons and on the same database without them; fails on any failure we add.
test-core:
	$(LAUNCH) test-core

test-core-all:
	$(LAUNCH) test-core --all

install-matrix:
	$(LAUNCH) install-matrix

# The lint is pre-commit's hooks (.pre-commit-config.yaml), all `language: system`: they
# run the tools of $(PYTHON) (pip install -r requirements.txt; its bin directory goes first
# on PATH) and of node_modules/ (npm ci).
PYTHON_BIN = $(shell $(PYTHON) -c 'import os, sys; print(os.path.dirname(sys.executable))')
PRE_COMMIT = PATH="$(PYTHON_BIN):$$PATH" $(PYTHON) -m pre_commit
lint-tools:
	@$(PYTHON) -c 'import pre_commit' 2>/dev/null || { echo "pre-commit is missing: $(PYTHON) -m pip install -r requirements.txt" >&2; exit 2; }
	@test -x node_modules/.bin/eslint -a -x node_modules/.bin/prettier || { echo "node_modules/ is missing: npm ci" >&2; exit 2; }

lint: lint-tools
	$(PRE_COMMIT) run --all-files --show-diff-on-failure

# The performance benchmark: a generated database of BENCH_SIZE done move lines, our trace
# side by side with Odoo's own; a table on screen, the figures in bench-results.json.
BENCH_SIZE ?= 1000000
bench:
	$(PYTHON) -m tools.bench.run --lines $(BENCH_SIZE) --json bench-results.json

# The load test: Odoo's multi-process server (LOAD_WORKERS) on the benchmark's database of
# LOAD_SIZE lines (generated when missing), readers and writers at once for LOAD_SECONDS.
LOAD_SIZE ?= 100000
LOAD_WORKERS ?= 4
LOAD_SECONDS ?= 60
loadtest:
	$(PYTHON) -m tools.loadtest --lines $(LOAD_SIZE) --workers $(LOAD_WORKERS) --duration $(LOAD_SECONDS) --json loadtest-results.json

# A hot standby of the local PostgreSQL (port 5433, streaming), then the load test with Odoo
# reading from it; python3 -m tools.replica stop removes it.
replica:
	$(PYTHON) -m tools.replica status >/dev/null 2>&1 || $(PYTHON) -m tools.replica start
	$(PYTHON) -m tools.loadtest --lines $(LOAD_SIZE) --workers $(LOAD_WORKERS) --duration $(LOAD_SECONDS) --replica-port 5433 --json loadtest-replica-results.json

# The user guide's screenshots (docs/user-guide.md), taken in headless Chromium from the demo
# database that `make run` builds (trace_demo, trace_demo_19 with ODOO=19; TRACE_DB for
# another); needs Playwright's Python package in the Odoo interpreter (pip install playwright).
screenshots:
	$(PYTHON) -m tools.screenshots $(if $(TRACE_DB),--db $(TRACE_DB))

# The hooks that fix (ruff, ruff format, prettier, eslint --fix, whitespace, README.rst)
# leave their changes in the tree; make lint then tells what is left.
format: lint-tools
	-$(PRE_COMMIT) run --all-files

# Each add-on's README.rst and static/description/index.html, generated from its readme/
# fragments and manifest (never edited by hand; make lint fails when they are not current).
README_GEN := $(PYTHON) -m tools.gen_addon_readme --addons-dir=. --org-name=trace-suite --repo-name=trace-suite --branch=main
readme:
	$(README_GEN)

# Regenerate each add-on's i18n/<module>.pot from a database where they are installed.
pot:
	for m in $(MODULES); do \
	    $(LAUNCH) odoo --db $${TRACE_DB:-trace_demo} -- --i18n-export=$$PWD/$$m/i18n/$$m.pot --modules=$$m --stop-after-init --log-level=warn || exit 1; \
	done
