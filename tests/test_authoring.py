"""An instructor's own assignment from `gradelab new` to a graded class, as docs/AUTHORING.md tells it."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradelab.assignments import load
from gradelab.authoring import new_assignment
from gradelab.batch import run_batch
from gradelab.cli import main
from gradelab.grading.engine import grade


@pytest.fixture(scope="module")
def softmax(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("course")
    new_assignment("softmax", folder)
    return folder / "softmax"


def test_the_skeleton_passes_selftest(softmax, capsys):
    assert main(["selftest", "softmax", "--assignment-path", str(softmax)]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and out.count("ok ") == 4


def test_a_name_that_is_no_identifier_or_a_folder_that_exists_is_refused(softmax, capsys):
    assert main(["new", "3x", "--into", str(softmax.parent)]) == 2
    assert main(["new", "softmax", "--into", str(softmax.parent)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert sorted(p.name for p in softmax.iterdir() if p.suffix == ".py") == [
        "__init__.py", "alternatives.py", "mistakes.py", "reference.py", "solution.py"]


def test_the_solution_file_is_named_in_the_declaration(softmax, tmp_path):
    assignment = load("softmax", str(softmax))
    assert assignment.solution == "solution.py"
    student = tmp_path / "alice.py"
    student.write_text((softmax / "solution.py").read_text())
    assert grade(assignment, student).score == 10


def test_a_class_is_graded_with_the_bundle_written(softmax, tmp_path):
    assert main(["assign", "softmax", str(tmp_path / "bundle"), "--assignment-path", str(softmax)]) == 0
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    (submissions / "alice.py").write_text((softmax / "solution.py").read_text())
    wrong_axis = "import numpy as np\n\ndef softmax(Z):\n    return np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)\n"
    (submissions / "bob.py").write_text(wrong_axis)
    code = run_batch(load("softmax", str(softmax)), submissions, tmp_path / "out", workers=1)
    assert code == 0
    grades = (tmp_path / "out" / "grades.csv").read_text()
    assert "alice" in grades and "bob" in grades
