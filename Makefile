# The few commands a contributor needs. Everything runs from a local virtual environment.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help demo test lint format sandbox clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)  ## run the main job twice against the embedded sandbox (no accounts needed)
	$(BIN)/scenario-sync demo

test: $(STAMP)  ## lint, then the whole test suite
	$(BIN)/ruff check sync tests
	$(BIN)/ruff format --check sync tests
	$(BIN)/mypy
	$(BIN)/pytest -n 2 -q

lint: $(STAMP)  ## lint only
	$(BIN)/ruff check sync tests

format: $(STAMP)  ## format the code in place
	$(BIN)/ruff format sync tests
	$(BIN)/ruff check --fix sync tests

sandbox: $(STAMP)  ## start both emulators and leave them running (Ctrl-C stops)
	$(BIN)/scenario-sync sandbox up --seed demo

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist *.egg-info
