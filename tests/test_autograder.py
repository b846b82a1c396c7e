"""Gradescope's autograder: the zip's layout, setup.sh into a fresh environment, run_autograder in a simulated
/autograder tree, and results.json checked against Gradescope's published format and the visibility rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import numpy as np
import pytest

from gradelab.assignments import load
from gradelab.grading.autograder import build_autograder, submissions, unpack
from gradelab.grading.engine import expected_output
from gradelab.grading.report import VISIBILITIES
from gradelab.grading.selftest import solution_source, variant_source

# Gradescope's results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/): the keys it reads.
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format", "visibility",
            "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags", "visibility",
             "extra_data"}


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """PATH with a fresh virtual environment's python3 and a pip3 that installs into it; this one's packages, not gradelab."""
    root = tmp_path_factory.mktemp("fresh")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
    python = root / "bin" / "python"
    target = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 capture_output=True, text=True, check=True).stdout.strip())
    packages = root / "packages"  # this environment's packages, linked one by one, gradelab's left out
    packages.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.lower().startswith(("gradelab", "__editable__")) and entry.suffix != ".pth":
            (packages / entry.name).symlink_to(entry)
    (target / "packages.pth").write_text(f"{packages}\n", encoding="utf-8")
    pip = root / "bin" / "pip3"
    pip.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m pip --python "{python}" "$@"\n', encoding="utf-8")
    pip.chmod(0o755)
    # The kernel sandbox mounts a fresh /tmp, where this environment lives: workers run behind the Python guard here.
    return {"PATH": f"{root / 'bin'}:/usr/bin:/bin", "GRADELAB_ISOLATION": "0", "HOME": str(root), "PYTHONNOUSERSITE": "1"}


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory, environment: dict[str, str]) -> Path:
    """initialization's autograder.zip, unpacked as Gradescope unpacks it, with setup.sh run once."""
    folder = tmp_path_factory.mktemp("autograder")
    zip_path = build_autograder(load("initialization"), folder / "autograder.zip")
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
    assert {"setup.sh", "run_autograder", "autograder.json"} <= names and any(n.startswith("wheels/gradelab-") for n in names)
    root = unpack(zip_path, folder / "autograder")
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], cwd=root / "source", env=environment,
                           capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    where = subprocess.run(["python3", "-c", "import gradelab; print(gradelab.__file__)"], env=environment,
                           capture_output=True, text=True, check=True).stdout
    assert str(folder.parent) not in where or "site-packages" in where, where  # installed from the wheel, not src/
    return root


def run_autograder(root: Path, environment: dict[str, str], submission: str, name: str = "submission.py") -> dict:
    for old in (root / "submission").iterdir():
        old.unlink()
    (root / "submission" / name).write_text(submission, encoding="utf-8")
    result = subprocess.run([str(root / "run_autograder")], env={**environment, "AUTOGRADER_ROOT": str(root)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def validate(results: dict) -> None:
    """The fields Gradescope reads, their types and values, and a score that is the sum of the tests'."""
    assert set(results) <= TOP_KEYS, set(results) - TOP_KEYS
    assert isinstance(results["score"], int | float) and isinstance(results["execution_time"], int | float)
    assert isinstance(results["output"], str) and results.get("visibility", "visible") in VISIBILITIES
    for test in results["tests"]:
        assert set(test) <= TEST_KEYS, set(test) - TEST_KEYS
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], int | float) and isinstance(test["max_score"], int | float)
        assert 0 <= test["score"] <= test["max_score"] and test["status"] in ("passed", "failed")
        assert test["visibility"] in VISIBILITIES
    assert results["score"] == pytest.approx(sum(test["score"] for test in results["tests"]), abs=1e-9)


def visible_text(results: dict) -> str:
    return "\n".join([results["output"], *(test["output"] + test["name"] for test in results["tests"]
                                           if test["visibility"] == "visible")])


def hidden_values(assignment_name: str) -> list[str]:
    """The hidden cases' input and expected values as the grader's messages print them (8 significant digits)."""
    assignment, texts = load(assignment_name), []
    for exercise in assignment.exercises:
        for case in exercise.hidden_cases():
            args, kwargs = case.inputs()
            for value in [args, kwargs, expected_output(exercise, exercise.reference, args, kwargs)]:
                for array in _arrays(value):
                    texts += [f"{x:.8g}" for x in np.ravel(array)[:200] if np.ndim(x) == 0 and x not in (0, 1, -1)]
    return [text for text in texts if len(text) > 4]


def _arrays(tree: object) -> list:
    if isinstance(tree, np.ndarray | float):
        return [tree]
    items = tree.values() if isinstance(tree, dict) else tree if isinstance(tree, list | tuple) else ()
    return [array for item in items for array in _arrays(item)]


def test_solution_scores_full_marks_with_hidden_tests_after_publication(autograder: Path, environment: dict[str, str]) -> None:
    results = run_autograder(autograder, environment, solution_source(load("initialization")))
    validate(results)
    assert results["score"] == pytest.approx(10)
    hidden = [test for test in results["tests"] if test["visibility"] != "visible"]
    assert hidden and {test["visibility"] for test in hidden} == {"after_published"}
    assert all(test["status"] == "passed" for test in results["tests"])


def test_a_mistake_shows_its_hint_and_hides_the_hidden_cases_values(autograder: Path, environment: dict[str, str]) -> None:
    assignment = load("initialization")
    exercise = assignment.exercise("TestHeInitialization")
    mistake = exercise.mistakes[0]
    results = run_autograder(autograder, environment, variant_source(solution_source(assignment), exercise.function,
                                                                     mistake.function))
    validate(results)
    tests = {test["name"]: test for test in results["tests"]}
    name = f"{exercise.id} ({exercise.function})"
    public, hidden = tests[f"{name}: public cases"], tests[f"{name}: hidden cases"]
    assert public["status"] == "failed" and mistake.hint in public["output"]
    assert hidden["visibility"] == "after_published" and "hidden case '" in hidden["output"]
    assert "expected" not in hidden["output"] and "shape" not in hidden["output"]
    text = visible_text(results)
    leaked = [value for value in hidden_values("initialization") if value in text]
    assert not leaked, leaked[:5]
    assert results["score"] < 10


def test_hidden_visibility_is_an_option_and_a_missing_notebook_scores_zero(autograder: Path, environment: dict[str, str]) -> None:
    config_path = autograder / "source" / "autograder.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    try:
        config_path.write_text(json.dumps({**config, "hidden_visibility": "after_due_date"}), encoding="utf-8")
        results = run_autograder(autograder, environment, "import numpy as np\n")
        validate(results)
        assert {test["visibility"] for test in results["tests"]} == {"visible", "after_due_date"}
        assert results["score"] == 0
        results = run_autograder(autograder, environment, "no code", name="README.txt")
        validate(results)
        assert results["score"] == 0 and "No .ipynb notebook or .py file" in results["output"]
    finally:
        config_path.write_text(json.dumps(config), encoding="utf-8")


def test_a_bundle_uploaded_whole_is_graded_by_its_notebook_only(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "checker.py").write_text("", encoding="utf-8")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "work-checkpoint.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "work.ipynb").write_text("{}", encoding="utf-8")
    assert submissions(tmp_path) == [tmp_path / "work.ipynb"]


def test_cli_builds_the_zip_with_an_own_assignment_and_refuses_a_bad_visibility(tmp_path: Path) -> None:
    declaration = tmp_path / "mine.py"
    declaration.write_text("from gradelab.assignments.convolution import ASSIGNMENT as BASE\n"
                           "ASSIGNMENT = BASE\n", encoding="utf-8")
    out = tmp_path / "autograder.zip"
    result = subprocess.run([sys.executable, "-m", "gradelab.cli", "autograder", "convolution", "--out", str(out),
                             "--assignment-path", str(declaration)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        assert "assignment/mine.py" in archive.namelist()
        assert json.loads(archive.read("autograder.json"))["assignment_path"] == "assignment/mine.py"
    with pytest.raises(ValueError, match="after_published"):
        build_autograder(load("convolution"), tmp_path / "bad.zip", hidden_visibility="later")


def _report_with_a_failed_hidden_case() -> object:
    from gradelab.grading.outcome import CaseOutcome, ExerciseOutcome, Finding, GradeReport, Status

    assignment = load("initialization")
    exercise = assignment.exercise("TestHeInitialization")
    public, hidden = exercise.public_cases()[0], exercise.hidden_cases()[0]
    leak = "parameters['W1'] (W[1]): values differ: largest difference 0.4 at [3, 2] (expected 1.4113782, got 0.9979951)"
    outcome = ExerciseOutcome(exercise, score=1.0, status=Status.FAILED, cases=[
        CaseOutcome(public, Status.PASSED, returned=True), CaseOutcome(hidden, Status.FAILED, [Finding("fail", leak, "values")],
                                                                       returned=True)])
    return GradeReport(assignment, "alice.ipynb", [outcome], hidden_included=True), hidden


def test_results_show_a_hidden_case_as_what_it_varies_unless_an_instructor_asks() -> None:
    from gradelab.grading.report import exercise_output, to_gradescope

    report, hidden = _report_with_a_failed_hidden_case()
    for results in (to_gradescope(report), to_gradescope(report, hidden_visibility="hidden")):
        validate(results)
        text = json.dumps(results)
        assert "1.4113782" not in text and "[3, 2]" not in text
        assert f"hidden case '{hidden.varies}': values differ" in text
    assert "expected 1.4113782" in exercise_output(report.exercises[0], show_hidden=True)
    assert "expected 1.4113782" in json.dumps(to_gradescope(report, show_hidden=True))
    assert "expected 1.4113782" not in exercise_output(report.exercises[0])
