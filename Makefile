# The two commands of the README: `make demo` and `make test`.
VENV ?= .venv
PYTHON := $(VENV)/bin/python
BOOTSTRAP_PYTHON ?= python3
PIP := $(PYTHON) -m pip --disable-pip-version-check -q
DEMO_PORT ?= 8000

# The tests' databases are built once per backend and kept outside the
# working tree (tests/layers.py), so that a new clone of the same sources
# (as CI makes) starts from them
PGURI ?= postgresql://postgres@127.0.0.1:5432/
PYTEST_ARGS ?=

.PHONY: test demo bench bench-kpi install web browser clean

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(PYTHON) || $(BOOTSTRAP_PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade 'pip>=23' 'setuptools>=64' wheel
	$(PIP) install -e '.[test,demo]'
	touch $@

install: $(VENV)/.installed

# The web client: tryton-sao of the same series, from the npm registry, with
# its runtime dependencies installed by npm beside it; trytond serves it.
SAO_VERSION ?= 8.0
SAO := var/sao
$(SAO)/.installed:
	@command -v npm >/dev/null || { echo "npm is needed for the web client" \
		"(Debian: apt-get install nodejs npm)" >&2; exit 1; }
	rm -rf $(SAO).tmp && mkdir -p $(SAO).tmp
	cd $(SAO).tmp && npm pack --silent 'tryton-sao@$(SAO_VERSION)' \
		&& tar -xzf tryton-sao-*.tgz
	cd $(SAO).tmp/package && npm install --omit=dev --legacy-peer-deps --no-package-lock \
		--no-audit --no-fund --loglevel=error
	rm -rf $(SAO) && mv $(SAO).tmp/package $(SAO) && rm -rf $(SAO).tmp
	touch $(SAO)/custom.js $(SAO)/custom.css
	touch $@

web: $(SAO)/.installed

# The browser test drives the web client in Debian's chromium with
# playwright-core from the npm registry; where node or chromium is missing it
# is skipped and says why (CI installs them and requires it).
CHROMIUM ?= /usr/bin/chromium
BROWSER := $(shell command -v npm >/dev/null 2>&1 \
	&& test -x $(CHROMIUM) && echo browser)
tests/browser/node_modules/.installed: tests/browser/package.json
	cd tests/browser && npm install --no-package-lock --no-audit --no-fund \
		--loglevel=error
	touch $@

browser: web tests/browser/node_modules/.installed

test: install $(BROWSER)
	@test -n "$(BROWSER)" || echo "No npm or no $(CHROMIUM): the browser" \
		"test will be skipped (Debian: apt-get install nodejs npm chromium)"
	$(PYTHON) -m pytest -rfEs modules tests $(PYTEST_ARGS)

demo: install web
	$(PYTHON) scripts/demo.py --port $(DEMO_PORT) --web-root $(SAO)

bench: install
	$(PYTHON) benchmarks/sla_deadline.py
	$(PYTHON) benchmarks/save_cost.py
	$(PYTHON) benchmarks/sla_search.py

# The KPIs over a million requests on PostgreSQL (several minutes; see its
# docstring for --requests, --keep and --reuse)
BENCH_DATABASE_URI ?= postgresql://postgres@127.0.0.1:5432/
bench-kpi: install
	TRYTOND_DATABASE_URI=$(BENCH_DATABASE_URI) $(PYTHON) benchmarks/kpi_scale.py $(BENCH_ARGS)

# The caches of the tests: the files, and the template databases on the
# PostgreSQL server of TRYTOND_DATABASE_URI (else PGURI) when it answers
clean:
	rm -rf var/cache
	TRYTOND_DATABASE_URI=$(or $(TRYTOND_DATABASE_URI),$(PGURI)) \
		$(if $(wildcard $(PYTHON)),$(PYTHON),$(BOOTSTRAP_PYTHON)) scripts/test_db_cache.py
