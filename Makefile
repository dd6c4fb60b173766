# The two commands of the README: `make demo` and `make test`.
VENV ?= .venv
PYTHON := $(VENV)/bin/python
BOOTSTRAP_PYTHON ?= python3
PIP := $(PYTHON) -m pip --disable-pip-version-check -q
DEMO_PORT ?= 8000

# Test databases are cached by a hash of what builds them, so that a change
# of the modules never reuses a stale cache.
MODULE_FILES = $(shell find modules -path '*/tests' -prune -o -type f \
	\( -name '*.py' -o -name '*.xml' -o -name '*.po' -o -name tryton.cfg \) \
	-print | LC_ALL=C sort)
SOURCE_HASH = $(shell cat $(MODULE_FILES) setup.cfg | sha1sum | cut -c1-12)
ifneq ($(findstring postgresql,$(TRYTOND_DATABASE_URI)),)
BACKEND := postgresql
export DB_NAME ?= test_service
else
BACKEND := sqlite
endif
export DB_CACHE ?= $(CURDIR)/var/cache/$(SOURCE_HASH)-$(BACKEND)
PYTEST_ARGS ?=

.PHONY: test demo bench install clean

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(PYTHON) || $(BOOTSTRAP_PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade 'pip>=23' 'setuptools>=64' wheel
	$(PIP) install -e '.[test,demo]'
	touch $@

install: $(VENV)/.installed

test: install
	@echo "Running the tests on $(BACKEND) (database cache $(DB_CACHE))"
	$(PYTHON) -m pytest modules tests $(PYTEST_ARGS)

demo: install
	$(PYTHON) scripts/demo.py --port $(DEMO_PORT)

bench: install
	$(PYTHON) benchmarks/sla_deadline.py

clean:
	rm -rf var/cache
