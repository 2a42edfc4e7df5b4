# The few commands a contributor needs. Everything runs from a local virtual environment.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help demo test lint format sandbox bench bench-full screenshot cassettes clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)  ## run the main job twice against the embedded sandbox (no accounts needed)
	$(BIN)/scenario-sync demo

test: $(STAMP)  ## lint, then the whole test suite
	$(BIN)/ruff check sync tests benchmarks
	$(BIN)/ruff format --check sync tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -n 2 -q

lint: $(STAMP)  ## lint only
	$(BIN)/ruff check sync tests benchmarks

format: $(STAMP)  ## format the code in place
	$(BIN)/ruff format sync tests benchmarks
	$(BIN)/ruff check --fix sync tests benchmarks

sandbox: $(STAMP)  ## start both emulators and leave them running (Ctrl-C stops)
	$(BIN)/scenario-sync sandbox up --seed demo

bench: $(STAMP)  ## benchmark: 100 and 1,000 entries at 10x time (a few minutes; not part of make test)
	$(BIN)/python -m benchmarks.bench --sizes 100,1000 --plan 180 --time-scale 10

bench-full: $(STAMP)  ## benchmark 100, 1,000 and 5,000 entries, writing benchmarks/results.md (~12 minutes)
	$(BIN)/python -m benchmarks.bench --sizes 100,1000,5000 --plan 180 --time-scale 10 --out benchmarks/results.md

screenshot: $(STAMP)  ## the README's screenshot of a demo page (needs chromium)
	$(BIN)/python -m tests.support.screenshot docs/img/entry-page.png

cassettes: $(STAMP)  ## re-record the golden HTTP cassettes (tests/cassettes) from the emulators
	$(BIN)/python -m tests.support.cassettes

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist *.egg-info
