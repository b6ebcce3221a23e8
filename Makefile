# yiciban: `make run` starts the demo hall, `make test` runs the whole suite.
# Both first install what is missing (Debian packages when root, and .venv).
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_ARGS ?=

.PHONY: install run test lint soak bench openapi screenshots i18n voice deb package-check clean

install:
	@packaging/install-deps.sh

run: install
	$(VENV)/bin/yiciban demo $(DEMO_ARGS)

# the suite on every core (pytest-xdist); tests/conftest.py keeps the tests that share a
# module's server, or the machine's one pcscd, on one worker
TEST_WORKERS ?= 2

test: install
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadgroup

lint: install
	$(VENV)/bin/ruff check .

# the soaks, and the photograph tests where the BoofCV set is beside the checkout
soak: install
	$(PY) -m pytest -q -p no:cacheprovider -m 'soak or photos'

bench: install
	$(VENV)/bin/yiciban bench queue
	$(VENV)/bin/yiciban bench cases
	$(VENV)/bin/yiciban bench notices

screenshots: install
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/yiciban --log-level WARNING screenshots

i18n: install
	$(VENV)/bin/yiciban i18n update

voice: install
	$(VENV)/bin/yiciban voice build

openapi: install
	$(VENV)/bin/yiciban openapi > docs/openapi/hall.json

# Debian 12 packages into build/deb/ (packaging/README.md); DEB_PACKAGES=yiciban for the hall PC's only
deb: install
	packaging/build-deb.sh $(DEB_PACKAGES)

# the hall PC's and a screen's packages built, then installed, upgraded, removed and purged in a fresh Debian 12 root
package-check: install
	$(PY) -m pytest -q -p no:cacheprovider -m package

clean:
	rm -rf $(VENV) build *.egg-info
