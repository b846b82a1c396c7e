"""The commands as students and instructors run them, end to end, in subprocesses."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from gradelab.assignments import load
from gradelab.grading.bundle import build_notebook

GRADELAB = [sys.executable, "-m", "gradelab.cli"]


def run(*args, cwd=None):
    return subprocess.run([*GRADELAB, *args], capture_output=True, text=True, cwd=cwd, timeout=300,
                          env={**os.environ, "COLUMNS": "120"})


@pytest.fixture(scope="module", autouse=True)
def data_cache(pytestconfig, tmp_path_factory):
    """The bundle's data/initialization.pkl, built once and kept between test runs in pytest's cache, not in ~/.cache.

    Its name in the cache changes with the code that makes it, so a kept file is never stale; without pytest's
    cache (-p no:cacheprovider) the first bundle of the session builds it.
    """
    cache = getattr(pytestconfig, "cache", None)
    folder = cache.mkdir("gradelab-data") if cache is not None else tmp_path_factory.mktemp("gradelab-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADELAB_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundle")
    result = run("assign", "initialization", str(folder))
    assert result.returncode == 0, result.stderr
    return folder


def test_assign_writes_notebook_checks_and_data_and_never_overwrites(bundle):
    assert {str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file() and "__pycache__" not in p.parts} == {
        "initialization.ipynb", "tests/test_initialization.py", "tests/__init__.py", "tests/checker.py", "tests/checks.npz",
        "data/initialization.pkl"}
    again = run("assign", "initialization", str(bundle))
    assert again.returncode == 2 and "already exist" in again.stderr and "--force" in again.stderr


def fill_in(bundle: Path) -> Path:
    """The bundle's notebook with each graded cell replaced by the solution's, as a student would fill it."""
    notebook = nbformat.read(bundle / "initialization.ipynb", as_version=4)
    filled = {cell.source.split("(")[0]: cell.source for cell in build_notebook(load("initialization"), blank=False).cells
              if cell.cell_type == "code" and cell.source.startswith("def ")}
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith("def "):
            cell.source = filled[cell.source.split("(")[0]]
    nbformat.write(notebook, bundle / "initialization.ipynb")
    return bundle / "initialization.ipynb"


def test_filled_notebook_runs_top_to_bottom_with_every_check_passing(bundle, monkeypatch):
    """Every cell but the checks, as Python, plots on Agg; then the checks of the saved notebook, from a shell.

    tests/test_student_checker.py runs the check cells themselves in a Jupyter kernel without gradelab."""
    import matplotlib

    matplotlib.use("Agg")
    notebook = nbformat.read(fill_in(bundle), as_version=4)
    namespace: dict = {}
    monkeypatch.setenv("MPLBACKEND", "Agg")
    cwd = os.getcwd()
    os.chdir(bundle)
    try:
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            if not cell.source.startswith("from tests import check"):
                exec(compile(cell.source, "cell", "exec"), namespace)
    finally:
        os.chdir(cwd)
    check = subprocess.run([sys.executable, "tests/test_initialization.py"], cwd=bundle, capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": passed") == 5
    assert set(namespace["results"]) == {"zero initialization", "random initialization", "he initialization"}


def test_grade_writes_gradescope_results_and_exits_zero_whatever_the_score(tmp_path):
    submission = tmp_path / "empty.py"
    submission.write_text("import numpy as np\n")
    result = run("grade", "initialization", str(submission), "--json", str(tmp_path / "results.json"))
    assert result.returncode == 0, result.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["score"] == 0 and len(results["tests"]) == 10  # per exercise: its public cases, its hidden cases
    assert {test["status"] for test in results["tests"]} == {"failed"}
    public = [test for test in results["tests"] if test["visibility"] == "visible"]
    assert len(public) == 5 and all("is not defined" in test["output"] for test in public)
    assert {test["visibility"] for test in results["tests"]} == {"visible", "after_published"}


def test_check_exits_one_on_failure_and_names_the_exercise(tmp_path):
    submission = tmp_path / "wrong.py"
    submission.write_text("import numpy as np\ndef initialize_parameters_zeros(layers_dims):\n    return {}\n")
    result = run("check", "initialization", str(submission), "--test_case", "TestZeroInitialization")
    assert result.returncode == 1
    assert "TestZeroInitialization" in result.stdout and "missing keys 'W1', 'b1', 'W2', 'b2'" in result.stdout


def test_assignments_lists_every_shipped_assignment():
    result = run("assignments")
    assert result.returncode == 0
    for name in ("initialization", "deep_network", "convolution", "keras_intro"):
        assert name in result.stdout


def test_unknown_assignment_is_a_clear_error(tmp_path):
    result = run("check", "initialisation", str(tmp_path / "x.py"))
    assert result.returncode == 2 and "unknown assignment 'initialisation'" in result.stderr
    assert "initialization" in result.stderr
