VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
DB ?= db/claims.db

.PHONY: install build demo test clean

install: $(VENV)/.installed

# torch is pinned and installed first: an unpinned torch pulled in by
# sentence-transformers would fetch the CUDA build (several GB).
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

build: install
	$(VENV)/bin/claims build seeds/ --db $(DB)

demo: build
	$(VENV)/bin/claims serve --db $(DB)

test: install
	$(PY) -m pytest

clean:
	rm -f $(DB) $(DB)-wal $(DB)-shm
