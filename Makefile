# One entry point for humans: make demo, make test, make lint, make bench.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench venv clean serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet --group dev -e .
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/scalpmap plan src/scalpmap/data/sample_scalp.jpg --template mature --age 45 --out out/demo
	@echo "The patient's report: out/demo/plan.html (PDF: out/demo/plan.pdf); the laser facility's: out/demo/facility.pdf"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# The suite runs on every core (pytest-xdist), a test file at a time per worker: some files'
# tests share a module-scoped database in order. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto

test: $(STAMP) lint
	$(BIN)/pytest --numprocesses $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(BIN)/python benchmarks/evaluate_accuracy.py
	$(BIN)/python benchmarks/evaluate_whole_head.py
	$(BIN)/python benchmarks/evaluate_head.py
	$(BIN)/python benchmarks/bench_speed.py
	$(BIN)/python benchmarks/bench_pathological.py
	$(BIN)/python benchmarks/evaluate_plan.py
	$(BIN)/python benchmarks/bench_plan.py
	$(BIN)/python benchmarks/evaluate_clearance.py
	$(BIN)/python benchmarks/bench_designer.py
	$(BIN)/python benchmarks/bench_followup.py
	$(BIN)/python benchmarks/bench_web.py
	$(BIN)/python benchmarks/load_web.py
	$(BIN)/python benchmarks/bench_hardening.py
	$(BIN)/python benchmarks/bench_backup.py
	$(BIN)/python benchmarks/bench_jobs.py
	$(BIN)/python benchmarks/bench_reanalyse.py

serve: $(STAMP)
	$(BIN)/scalpmap serve

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
