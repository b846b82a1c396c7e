"""A gradebook knows its assignment: another assignment's run is refused, a changed declaration regrades and says so."""

from __future__ import annotations

import copy
import dataclasses
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gradelab import __version__
from gradelab.assignments import load
from gradelab.batch import Gradebook, _identity, run_batch
from gradelab.batch.gradebook import SCHEMA, OtherAssignment, check_identity
from gradelab.batch.grading import declaration_digests
from gradelab.batch.sample import write_submission
from gradelab.grading import Limits
from gradelab.grading.selftest import variants

ASSIGNMENT = load("initialization")
LIMITS = Limits(timeout=2.0)
SOLUTION = next(v for v in variants(ASSIGNMENT) if v.kind == "solution").source


def _class(root: Path, graded: bool = True) -> Path:
    """One student to grade (``graded``) and one empty file, which is recorded without grading."""
    folder = root / "class"
    folder.mkdir()
    (folder / "empty.py").write_text("")
    if graded:
        write_submission(folder, "ada", SOLUTION, notebook=False)
    return folder


def _graded_at(out: Path) -> dict[str, str]:
    book = Gradebook(out / "gradebook.sqlite")
    try:
        return {row["student"]: row["graded_at"] for row in book.submissions()}
    finally:
        book.close()


def _with_points(assignment, exercise_id: str, points: float):
    """``assignment`` with one exercise worth other points: a declaration that changed in what decides a grade."""
    changed = copy.copy(assignment)
    changed.exercises = [copy.copy(e) for e in assignment.exercises]
    for exercise in changed.exercises:
        if exercise.id == exercise_id:
            exercise.points = points
    return changed


# --- the declaration's digest -------------------------------------------------------------------------------------------

def test_the_digest_is_the_same_in_another_process():
    """A digest that changed between runs would regrade every class on every run."""
    code = ("import json; from gradelab.assignments import load, available; from gradelab.batch.grading import declaration_digests; "
            "print(json.dumps({n: declaration_digests(load(n)) for n in available()}))")
    other = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert other == {name: declaration_digests(load(name)) for name in other}
    assert "initialization" in other


def test_the_digest_follows_what_decides_a_grade_and_only_that():
    digests = declaration_digests(ASSIGNMENT)
    first = ASSIGNMENT.exercises[0]
    assert set(digests) == {"", *(e.id for e in ASSIGNMENT.exercises)}
    changed = declaration_digests(_with_points(ASSIGNMENT, first.id, first.points + 1))
    assert changed[""] != digests[""] and changed[first.id] != digests[first.id]
    assert all(changed[e.id] == digests[e.id] for e in ASSIGNMENT.exercises[1:])
    retitled = copy.copy(ASSIGNMENT)
    retitled.title = "another title"
    assert declaration_digests(retitled) == digests, "a title decides no grade: changing it must not regrade a class"
    seeded = _with_points(ASSIGNMENT, first.id, first.points)
    seeded.exercises[0].cases = [dataclasses.replace(first.cases[0], seed=first.cases[0].seed + 1), *first.cases[1:]]
    assert declaration_digests(seeded)[first.id] != digests[first.id]


# --- another assignment -------------------------------------------------------------------------------------------------

def test_another_assignments_run_is_refused_and_changes_nothing(tmp_path, capsys):
    folder, out = _class(tmp_path, graded=False), tmp_path / "out"
    assert run_batch(ASSIGNMENT, folder, out, workers=1, progress=False) == 0
    csv_before = (out / "grades.csv").read_bytes()
    rows_before = _graded_at(out)
    capsys.readouterr()
    assert run_batch(load("deep_network"), folder, out, workers=1, progress=False) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{out / 'gradebook.sqlite'} is the gradebook of assignment 'initialization' (first graded 20" in err
    assert "not of 'deep_network': give another --out folder, or move" in err
    assert (out / "grades.csv").read_bytes() == csv_before, "the refused run rewrote the other assignment's exports"
    assert _graded_at(out) == rows_before


def test_the_cli_refuses_it_with_exit_2(tmp_path, capsys):
    from gradelab.cli import main

    folder, out = _class(tmp_path, graded=False), tmp_path / "out"
    assert run_batch(ASSIGNMENT, folder, out, workers=1, progress=False) == 0
    assert main(["grade-batch", "deep_network", str(folder), "--out", str(out), "--allow-unisolated"]) == 2
    assert "is the gradebook of assignment 'initialization'" in capsys.readouterr().err


def test_the_gradebook_records_its_assignment_declaration_and_grader(tmp_path):
    out = tmp_path / "out"
    assert run_batch(ASSIGNMENT, _class(tmp_path, graded=False), out, workers=1, progress=False) == 0
    book = Gradebook(out / "gradebook.sqlite")
    identity = book.identity()
    book.close()
    digests = declaration_digests(ASSIGNMENT)
    assert (identity.assignment, identity.declaration, identity.grader_version) == ("initialization", digests[""], __version__)
    assert identity.exercises == {key: value for key, value in digests.items() if key}
    assert identity.created_at <= identity.updated_at


# --- a changed declaration ----------------------------------------------------------------------------------------------

def test_a_changed_declaration_regrades_every_submission_and_says_so(tmp_path, capsys):
    folder, out = _class(tmp_path), tmp_path / "out"
    assert run_batch(ASSIGNMENT, folder, out, workers=1, limits=LIMITS, progress=False) == 0
    first = _graded_at(out)
    assert run_batch(ASSIGNMENT, folder, out, workers=1, limits=LIMITS, progress=False) == 0
    assert _graded_at(out)["ada"] == first["ada"], "an unchanged declaration regraded an unchanged submission"
    assert "changed since the last run" not in capsys.readouterr().err
    exercise = ASSIGNMENT.exercises[1]
    changed = _with_points(ASSIGNMENT, exercise.id, exercise.points + 1)
    assert run_batch(changed, folder, out, workers=1, limits=LIMITS, progress=False) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert f"the declaration of initialization changed since the last run ({exercise.id}): regrading all 1 submissions" in err
    assert _graded_at(out)["ada"] > first["ada"]
    again = _graded_at(out)
    assert run_batch(changed, folder, out, workers=1, limits=LIMITS, progress=False) == 0
    assert _graded_at(out)["ada"] == again["ada"] and "changed since" not in capsys.readouterr().err


def test_an_interrupted_regrade_is_taken_up_by_the_next_run(tmp_path, capsys):
    folder, out = _class(tmp_path), tmp_path / "out"
    assert run_batch(ASSIGNMENT, folder, out, workers=1, limits=LIMITS, progress=False) == 0
    exercise = ASSIGNMENT.exercises[0]
    changed = _with_points(ASSIGNMENT, exercise.id, exercise.points + 1)
    assert run_batch(changed, folder, out, workers=1, limits=LIMITS, progress=False, max_submissions=0) == 0
    capsys.readouterr()
    before = _graded_at(out)
    assert run_batch(changed, folder, out, workers=1, limits=LIMITS, progress=False) == 0
    assert "regrading all 1 submissions" in " ".join(capsys.readouterr().err.split())
    assert _graded_at(out)["ada"] > before["ada"]


# --- gradebooks of the previous version ---------------------------------------------------------------------------------

def _previous_schema(path: Path) -> None:
    """A gradebook as the previous version wrote it: the three tables, no identity."""
    db = sqlite3.connect(path)
    db.executescript(SCHEMA[:SCHEMA.index("CREATE TABLE IF NOT EXISTS identity")])
    db.close()


def test_a_gradebook_of_the_previous_version_opens_and_gets_the_new_tables(tmp_path):
    _previous_schema(tmp_path / "gradebook.sqlite")
    book = Gradebook(tmp_path / "gradebook.sqlite")
    try:
        tables = {row[0] for row in book.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"identity", "ignored", "roster"} <= tables and book.identity() is None
    finally:
        book.close()


def test_a_previous_versions_gradebook_of_another_assignment_is_refused(tmp_path):
    _previous_schema(tmp_path / "gradebook.sqlite")
    book = Gradebook(tmp_path / "gradebook.sqlite")
    try:
        book.record({"student": "ada", "path": "ada.py", "sha256": "0", "grader_version": "0", "status": "graded", "score": 1.0,
                     "max_score": 1.0, "exercises": [{"id": "softmax", "function": "softmax", "status": "passed", "score": 1.0,
                                                      "max_score": 1.0, "mistake": None, "hint": None}]})
        with pytest.raises(OtherAssignment, match=r"exercises softmax, which 'initialization' does not declare"):
            check_identity(book, _identity(ASSIGNMENT))
    finally:
        book.close()


def test_the_schema_check_still_refuses_a_table_it_did_not_create(tmp_path):
    from gradelab.batch.gradebook import UntrustedGradebook

    _previous_schema(tmp_path / "gradebook.sqlite")
    db = sqlite3.connect(tmp_path / "gradebook.sqlite")
    db.execute("CREATE TABLE identity (assignment TEXT)")  # a table named like ours, not as ours
    db.close()
    with pytest.raises(UntrustedGradebook, match="identity"):
        Gradebook(tmp_path / "gradebook.sqlite")


def test_a_new_grader_version_says_why_the_class_is_graded_again(tmp_path, capsys):
    folder, out = _class(tmp_path, graded=False), tmp_path / "out"
    assert run_batch(ASSIGNMENT, folder, out, workers=1, progress=False) == 0
    book = Gradebook(out / "gradebook.sqlite")
    book.write_identity(dataclasses.replace(book.identity(), grader_version="0.0.1"))
    book.close()
    capsys.readouterr()
    assert run_batch(ASSIGNMENT, folder, out, workers=1, progress=False) == 0
    assert f"the grader changed since the last run (gradelab 0.0.1, now {__version__})" in capsys.readouterr().err
