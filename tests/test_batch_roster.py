"""Discovery and roster: a student's folder is one submission, strays are ignored, the roster names who is missing, --only."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import gradelab
from gradelab.assignments import load
from gradelab.batch import Gradebook, run_batch
from gradelab.batch.discover import digest_of, read_roster, survey
from gradelab.batch.sample import write_submission
from gradelab.batch.snapshot import Snapshots, verify
from gradelab.cli import main
from gradelab.grading import Limits
from gradelab.grading.selftest import variants

ASSIGNMENT = load("initialization")
LIMITS = Limits(timeout=2.0)
SOLUTION = next(v for v in variants(ASSIGNMENT) if v.kind == "solution").source
HELPER = "def scale(n):\n    return 2.0 / n\n"


def _student_folder(root: Path, student: str, notebook: bool = True) -> Path:
    folder = root / student
    folder.mkdir()
    write_submission(folder, "assignment", SOLUTION, notebook=notebook)
    (folder / "helpers.py").write_text(HELPER)
    return folder


def _rows(out: Path) -> dict[str, dict]:
    book = Gradebook(out / "gradebook.sqlite")
    try:
        return {row["student"]: dict(row) for row in book.submissions()}
    finally:
        book.close()


# --- discovery ----------------------------------------------------------------------------------------------------------

def test_a_notebook_with_helper_modules_beside_it_is_one_submission(tmp_path):
    folder = _student_folder(tmp_path, "bob")
    (entry,) = survey(tmp_path).entries
    assert (entry.student, entry.status) == ("bob", None)
    assert entry.path == str(folder / "assignment.ipynb") and entry.helpers == (str(folder / "helpers.py"),)
    named = [(path.name, path.read_bytes()) for path in (folder / "assignment.ipynb", folder / "helpers.py")]
    assert entry.sha256 == digest_of(named), "the helper module is part of what a resumed run compares"


@pytest.mark.parametrize(("files", "expected"), [
    (["a.ipynb", "b.ipynb", "helpers.py"], "holds 2 notebooks (a.ipynb, b.ipynb)"),
    (["a.py", "b.py"], "holds 2 .py files and no notebook (a.py, b.py)"),
])
def test_a_folder_whose_submission_is_unclear_is_a_duplicate(tmp_path, files, expected):
    (tmp_path / "cleo").mkdir()
    for name in files:
        (tmp_path / "cleo" / name).write_text("x = 1\n")
    (entry,) = survey(tmp_path).entries
    assert entry.status == "duplicate" and expected in entry.error


def test_files_that_are_not_submissions_are_ignored_not_students(tmp_path):
    write_submission(tmp_path, "alice", SOLUTION, notebook=False)
    (tmp_path / "alice.txt").write_text("my notes")
    (tmp_path / "syllabus.pdf").write_bytes(b"%PDF")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    found = survey(tmp_path)
    assert [entry.student for entry in found.entries] == ["alice"]
    reasons = {Path(item.path).name: item.reason for item in found.ignored}
    assert set(reasons) == {"alice.txt", "syllabus.pdf", ".DS_Store"}
    assert "beside alice's submission" in reasons["alice.txt"] and "not a .py file" in reasons["syllabus.pdf"]


def test_the_snapshot_holds_the_helpers_and_a_changed_helper_is_found(tmp_path):
    (tmp_path / "class").mkdir()
    _student_folder(tmp_path / "class", "bob")
    (entry,) = survey(tmp_path / "class").entries
    with Snapshots(tmp_path / "out") as snapshots:
        taken = snapshots.take(entry)
        copy = Path(taken.snapshot)
        assert taken.sha256 == entry.sha256 and (copy.parent / "helpers.py").read_text() == HELPER
        assert verify(copy, taken.sha256) is None
        (copy.parent / "helpers.py").chmod(0o600)
        (copy.parent / "helpers.py").write_text(HELPER + "# changed\n")
        assert "changed after the batch planned it" in verify(copy, taken.sha256)


def test_a_folder_with_a_helper_is_graded_not_called_a_duplicate(tmp_path):
    (tmp_path / "class").mkdir()
    _student_folder(tmp_path / "class", "bob")
    (tmp_path / "class" / "notes.txt").write_text("not a submission")
    out = tmp_path / "out"
    assert run_batch(ASSIGNMENT, tmp_path / "class", out, workers=1, limits=LIMITS, progress=False) == 0
    rows = _rows(out)
    assert set(rows) == {"bob"}, "notes.txt became a student"
    assert (rows["bob"]["status"], rows["bob"]["score"]) == ("graded", 10)
    book = Gradebook(out / "gradebook.sqlite")
    ignored = [(Path(row["path"]).name, row["reason"]) for row in book.ignored()]
    book.close()
    assert ignored == [("notes.txt", "not a .py file or .ipynb notebook")]


# --- the roster ---------------------------------------------------------------------------------------------------------

def _roster(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_read_roster_keeps_the_other_columns(tmp_path):
    roster = _roster(tmp_path / "roster.csv", "\ufeffName,ID,Email\nAda L,ada,a@x.org\n\nBob,bob,b@x.org\n")
    assert read_roster(roster) == [("ada", {"Name": "Ada L", "Email": "a@x.org"}), ("bob", {"Name": "Bob", "Email": "b@x.org"})]


@pytest.mark.parametrize(("text", "expected"), [
    ("name,email\nAda,a@x\n", "has no column 'student' or 'id' in its header (name, email)"),
    ("student\nada\nada\n", "line 3: student 'ada' is listed twice"),
    ("student,name\n,Ada\n", "line 2: no student id in column 'student'"),
    ("", "is empty: expected a CSV file whose header names a column 'student' or 'id'"),
])
def test_a_bad_roster_is_exit_2_and_nothing_is_written(tmp_path, text, expected, capsys):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ada.py").write_text("")
    roster = _roster(tmp_path / "roster.csv", text)
    assert main(["grade-batch", "initialization", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                 "--roster", str(roster), "--allow-unisolated"]) == 2
    err = capsys.readouterr().err
    assert f"roster {roster}" in err and expected in err
    assert not (tmp_path / "out").exists()


def test_a_missing_roster_file_is_exit_2(tmp_path, capsys):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ada.py").write_text("")
    assert main(["grade-batch", "initialization", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                 "--roster", str(tmp_path / "nope.csv"), "--allow-unisolated"]) == 2
    assert f"roster {tmp_path / 'nope.csv'} does not exist" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_missing_students_get_a_not_submitted_row_and_strangers_are_flagged(tmp_path, capsys):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    for student in ("ada", "zoe"):  # empty files: recorded without a grading, which is not what is tested here
        (folder / f"{student}.py").write_text("")
    roster = _roster(tmp_path / "roster.csv", "id,name\nada,Ada\ncid,Cid\n")
    assert run_batch(ASSIGNMENT, folder, out, workers=1, progress=False, roster=roster) == 0
    err = " ".join(capsys.readouterr().err.split())
    rows = _rows(out)
    assert (rows["cid"]["status"], rows["cid"]["score"], rows["cid"]["max_score"]) == ("not submitted", 0.0, 10.0)
    assert "cid is on the roster but handed in nothing" in rows["cid"]["error"]
    assert "1 student(s) on the roster handed in nothing" in err and "cid" in err
    assert "1 submission(s) from ids not on the roster, graded anyway: zoe" in err
    assert rows["zoe"]["status"] == "empty", "a student not on the roster is still graded"
    grades = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert grades["cid"]["status"] == "not submitted" and grades["cid"]["total"] == "0"
    book = Gradebook(out / "gradebook.sqlite")
    stored = [(row["student"], json.loads(row["fields"])) for row in book.roster()]
    book.close()
    assert stored == [("ada", {"name": "Ada"}), ("cid", {"name": "Cid"})]


def test_the_roster_is_kept_and_a_student_dropped_from_it_loses_the_not_submitted_row(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    (folder / "ada.py").write_text("")
    assert run_batch(ASSIGNMENT, folder, out, workers=1, progress=False,
                     roster=_roster(tmp_path / "r1.csv", "student\nada\ncid\n")) == 0
    assert run_batch(ASSIGNMENT, folder, out, workers=1, progress=False) == 0
    assert _rows(out)["cid"]["status"] == "not submitted", "a run without --roster forgot the roster"
    assert run_batch(ASSIGNMENT, folder, out, workers=1, progress=False,
                     roster=_roster(tmp_path / "r2.csv", "student\nada\n")) == 0
    assert set(_rows(out)) == {"ada"}


# --- --only -------------------------------------------------------------------------------------------------------------

def test_only_regrades_the_chosen_students_alone(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    for student in ("ada", "bob"):
        write_submission(folder, student, SOLUTION, notebook=False)
    assert run_batch(ASSIGNMENT, folder, out, workers=1, limits=LIMITS, progress=False) == 0
    before = _rows(out)
    assert run_batch(ASSIGNMENT, folder, out, workers=1, limits=LIMITS, progress=False, only=["bob"]) == 0
    after = _rows(out)
    assert after["bob"]["graded_at"] > before["bob"]["graded_at"], "--only bob did not regrade bob"
    assert after["ada"]["graded_at"] == before["ada"]["graded_at"], "--only bob regraded ada too"
    assert after["bob"]["score"] == 10


def test_only_an_unknown_student_is_exit_2_naming_them(tmp_path, capsys):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    (folder / "ada.py").write_text("")
    assert run_batch(ASSIGNMENT, folder, out, workers=1, progress=False) == 0
    before = (out / "gradebook.sqlite").read_bytes()
    capsys.readouterr()
    assert main(["grade-batch", "initialization", str(folder), "--out", str(out), "--only", "ada", "zed",
                 "--allow-unisolated"]) == 2
    err = capsys.readouterr().err
    assert "--only zed: no submission named so in the class folder" in err and "(ada)" in err
    assert (out / "gradebook.sqlite").read_bytes() == before


def test_only_needs_an_existing_gradebook(tmp_path, capsys):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ada.py").write_text("")
    assert main(["grade-batch", "initialization", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--only", "ada",
                 "--allow-unisolated"]) == 2
    assert "--only regrades students into an existing gradebook" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_students_folder_is_graded_with_the_helper_modules_it_imports(tmp_path):
    """A notebook that imports its own helpers.py: the helper runs in the worker with it, and full marks follow."""
    assignment = load("initialization")
    solution = (Path(gradelab.__file__).parent / "assignments" / "initialization" / "solution.py").read_text()
    folder = tmp_path / "class" / "ada"
    folder.mkdir(parents=True)
    (folder / "scaling.py").write_text("import numpy as np\n\ndef he_scale(n_prev):\n    return np.sqrt(2.0 / n_prev)\n")
    he = ("from scaling import he_scale\n\ndef initialize_parameters_he(layers_dims, seed=3):\n"
          "    np.random.seed(seed)\n    parameters = {}\n    for l in range(1, len(layers_dims)):\n"
          "        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * he_scale(layers_dims[l - 1])\n"
          "        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))\n    return parameters\n")
    nbformat.write(new_notebook(cells=[new_code_cell(solution), new_code_cell(he)]), folder / "work.ipynb")
    assert run_batch(assignment, tmp_path / "class", tmp_path / "out", workers=1, progress=False) == 0
    with sqlite3.connect(tmp_path / "out" / "gradebook.sqlite") as db:
        assert db.execute("SELECT student, score, status FROM submissions").fetchall() == [("ada", 10.0, "graded")]


def test_a_batch_ends_with_a_summary_line_and_an_eta_that_moves_while_nothing_finishes(tmp_path):
    from types import SimpleNamespace

    from gradelab.batch.progress import EtaColumn, summary_line

    gradebook = tmp_path / "g.sqlite"
    with sqlite3.connect(gradebook) as db:
        db.execute("CREATE TABLE submissions (status TEXT, score REAL)")
        db.executemany("INSERT INTO submissions VALUES (?, ?)", [("graded", 10), ("graded", 6), ("timeout", 0), ("not submitted", 0)])
    assert summary_line(gradebook, 10) == "summary: 4 students: 2 graded (mean 8/10), 1 not gradable (1 timeout), 1 not submitted"
    column = EtaColumn()
    early, later = (str(column.render(SimpleNamespace(completed=2, total=10, elapsed=elapsed))) for elapsed in (10.0, 20.0))
    assert early == "eta 0:00:40" and later == "eta 0:01:20"  # stuck on one submission: the estimate grows
