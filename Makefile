# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint bench clean browser sandbox

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: $(STAMP)
	$(BIN)/gradelab study init --out out/study-init

# Chromium from the system's packages, for tests/test_report_browser.py (skipped with a reason when missing).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	    else sudo -n apt-get update -qq && sudo -n apt-get install -y -qq chromium; fi; } || \
	  echo "chromium could not be installed: the browser test will be skipped"

# bubblewrap from the system's packages: the kernel sandbox around student code (tests/test_isolation.py and the
# hostile suite run in it; without it grading needs --allow-unisolated and reports say "not isolated").
sandbox:
	@command -v bwrap >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq bubblewrap; \
	    else sudo -n apt-get update -qq && sudo -n apt-get install -y -qq bubblewrap; fi; } || \
	  echo "bubblewrap could not be installed: grading runs unisolated and the isolation tests are skipped"

test: $(DEV_STAMP) browser sandbox
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_study_init.py
	$(BIN)/python benchmarks/bench_conv.py
	$(BIN)/python benchmarks/bench_batch.py --n 200

clean:
	rm -rf out .pytest_cache
