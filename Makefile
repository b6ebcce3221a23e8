# yiciban: `make run` starts the demo hall, `make test` runs the whole suite.
# Both first install what is missing (Debian packages when root, and .venv).
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_ARGS ?=

.PHONY: install run test lint soak bench openapi clean

install:
	@packaging/install-deps.sh

run: install
	$(VENV)/bin/yiciban demo $(DEMO_ARGS)

test: install
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -p no:cacheprovider

lint: install
	$(VENV)/bin/ruff check .

soak: install
	$(PY) -m pytest -q -p no:cacheprovider -m soak

bench: install
	$(VENV)/bin/yiciban bench queue

openapi: install
	$(VENV)/bin/yiciban openapi > docs/openapi/hall.json

clean:
	rm -rf $(VENV) build *.egg-info
