# `make run` and `make test` each set up .venv on a bare machine, then do their job.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench fuzz browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/evlaunch run

test: $(STAMP)
	# compile the numba kernels once, here, before the tests start processes that load them
	$(BIN)/evlaunch run --no-save > /dev/null
	# generated examples from a fixed seed, so a run that lands is a run anyone can repeat;
	# `make fuzz` explores fresh ones
	$(BIN)/python -m pytest -q --hypothesis-seed=0

fuzz: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_properties.py tests/web/test_contract.py

$(VENV)/.bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(VENV)/.bench

# every figure in BENCHMARKS.md; the ratios the tests check are recorded in bench/ratios.json
bench: $(VENV)/.bench
	$(BIN)/python bench/ratios.py --record
	$(BIN)/python bench/bench_cli.py
	$(BIN)/python bench/bench_plan.py --saa 200
	$(BIN)/python bench/bench_risk.py
	$(BIN)/python bench/bench_dashboard.py
	$(BIN)/python bench/bench_sweep.py
	$(BIN)/python bench/bench_hindcast.py --mdape-seeds 4
	$(BIN)/python bench/bench_what_it_takes.py

browser:  # Debian's chromium, for the browser tests (needs root; .ci/run does this)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

clean:
	rm -rf $(VENV) build *.egg-info
