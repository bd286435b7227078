# The two commands of the README. Each does its own set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test explorer bench-smoke schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

explorer:
	bash explorer/build.sh

run: $(STAMP) explorer
	mkdir -p var
	$(BIN)/govops db upgrade
	$(BIN)/govops seed-demo
	$(BIN)/govops serve

# One pytest worker per core (pytest-xdist); each worker has its own PostgreSQL database and Redis database.
TEST_WORKERS ?= auto

test: $(STAMP) explorer
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

# Rewrite schema/schema.graphql from the code (review the diff: it is the contract).
schema: $(STAMP)
	$(BIN)/python -m schema.export > schema/schema.graphql

bench-smoke: $(STAMP)
	$(BIN)/python bench/smoke.py

clean:
	rm -rf $(VENV) var explorer/node_modules explorer/dist
