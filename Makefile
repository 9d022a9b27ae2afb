# Two commands for a fresh machine with Python 3.11 and pip: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_OUT ?= demo-out
BENCH_ORG_ACCOUNTS ?= 5,10,20,50

.PHONY: demo test lint bench install clean catalogue

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/resilience demo --output $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check resilience rules reports tests benchmarks tools
	$(BIN)/python tools/lint_imports.py

BENCH_SIZES ?= 10000,100000

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_scan.py
	$(BIN)/python benchmarks/bench_scale.py --sizes $(BENCH_SIZES)
	$(BIN)/python benchmarks/bench_org.py --accounts $(BENCH_ORG_ACCOUNTS)
	$(BIN)/python benchmarks/bench_history.py

catalogue: $(STAMP)
	$(BIN)/resilience rules --format md > rules/CATALOGUE.md

clean:
	rm -rf $(VENV) $(DEMO_OUT) resilience-out bench-out build dist *.egg-info .pytest_cache
