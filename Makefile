# Two commands for a fresh machine:  `make serve`  and  `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install serve test test-all eval clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "torch==2.13.0"
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## Start the API on http://127.0.0.1:8000 (docs at /docs); ingests corpus/ into ./data on first start.
serve: install
	$(VENV)/bin/assistant serve

## Run the whole test suite (what CI runs).
test: install
	$(VENV)/bin/python -m pytest -q

## Retrieval evaluation of the shipped data set against the naive baseline.
eval: install
	$(VENV)/bin/assistant eval retrieval evals/datasets/corpus-qa

clean:
	rm -rf $(VENV) data
