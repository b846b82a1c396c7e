"""grade-batch: a small class with every kind of bad input, graded, killed midway, resumed, and exported."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradelab.assignments import load, locate
from gradelab.batch import Gradebook, run_batch
from gradelab.batch.sample import write_submission
from gradelab.grading.sandbox import Limits
from gradelab.grading.selftest import variants

ASSIGNMENT = load("initialization")
LIMITS = Limits(timeout=1.0)
HANG = "import numpy as np\n\ndef initialize_parameters_zeros(layers_dims):\n    while True:\n        pass\n"


def _variant(kind: str, label: str | None = None):
    return next(v for v in variants(ASSIGNMENT) if v.kind == kind and (label is None or v.label == label))


def make_class_folder(folder: Path) -> dict[str, str]:
    """The class: students to grade, then bad input of every kind. Returns the expected status per student."""
    folder.mkdir()
    write_submission(folder, "ada", _variant("solution").source, notebook=False)
    write_submission(folder, "ben", _variant("mistake", "seeds of train and test swapped").source, notebook=False)
    write_submission(folder, "cleo", _variant("mistake", "labels not reshaped").source, notebook=True)
    write_submission(folder, "dan", _variant("alternative").source, notebook=True)
    (folder / "emma").mkdir()
    write_submission(folder / "emma", "work", _variant("mistake", "seed ignored").source, notebook=False)
    (folder / "hang.py").write_text(HANG)
    (folder / "empty.py").write_text("")
    (folder / "notes.txt").write_text("not a submission")
    (folder / "broken.ipynb").write_text("{ this is not json")
    (folder / "twin.py").write_text(_variant("solution").source)
    (folder / "twin.ipynb").write_text("{}")
    (folder / "pair").mkdir()
    (folder / "pair" / "a.py").write_text("x = 1\n")
    (folder / "pair" / "b.py").write_text("x = 2\n")
    return {"ada": "graded", "ben": "graded", "cleo": "graded", "dan": "graded", "emma": "graded", "hang": "timeout",
            "empty": "empty", "broken": "unreadable", "twin": "duplicate", "pair": "duplicate"}  # notes.txt: ignored


def rows(out: Path) -> dict[str, sqlite3.Row]:
    book = Gradebook(out / "gradebook.sqlite")
    try:
        return {row["student"]: row for row in book.submissions()}
    finally:
        book.close()


def exercise_rows(out: Path) -> list[tuple]:
    book = Gradebook(out / "gradebook.sqlite")
    try:
        return [(r["student"], r["exercise_id"], r["status"], r["score"], r["mistake"]) for r in book.exercises()]
    finally:
        book.close()


def _kill_when_graded(out: Path, at_least: int) -> int:
    """Start the CLI, SIGKILL its whole process group once ``at_least`` submissions are graded; rows seen before the kill."""
    command = [sys.executable, "-m", "gradelab.cli", "grade-batch", "initialization", str(out.parent / "class"), "--out",
               str(out), "--timeout", "1", "--workers", "2", "--allow-unisolated"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    seen = 0
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
        if (out / "gradebook.sqlite").exists():
            try:
                seen = len(rows(out))
            except sqlite3.OperationalError:  # the schema is being created
                continue
            if sum(row["seconds"] > 0 for row in rows(out).values()) >= at_least:
                break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return seen


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded by a CLI run killed with SIGKILL midway, then resumed in-process."""
    root = tmp_path_factory.mktemp("batch")
    expected = make_class_folder(root / "class")
    out = root / "out"
    _kill_when_graded(out, at_least=2)
    before = rows(out)
    code = run_batch(ASSIGNMENT, root / "class", out, workers=2, limits=LIMITS, progress=False)
    return {"root": root, "out": out, "expected": expected, "before": before, "code": code}


def test_every_submission_gets_a_row_saying_what_happened(graded):
    assert graded["code"] == 0
    after = rows(graded["out"])
    assert {student: row["status"] for student, row in after.items()} == graded["expected"]
    assert "timed out after 1 s" in after["hang"]["error"]
    assert "twin.ipynb, twin.py" in after["twin"]["error"]
    assert "2 .py files and no notebook" in after["pair"]["error"]
    assert "not valid notebook JSON" in after["broken"]["error"]
    assert "empty" in after["empty"]["error"]
    book = Gradebook(graded["out"] / "gradebook.sqlite")
    ignored = [(Path(row["path"]).name, row["reason"]) for row in book.ignored()]
    book.close()
    assert ignored == [("notes.txt", "not a .py file or .ipynb notebook")]


def test_scores_and_known_mistakes(graded):
    after = rows(graded["out"])
    assert after["ada"]["score"] == 10 and after["dan"]["score"] == 10
    assert after["ben"]["score"] < 10 and after["cleo"]["score"] < 10
    mistakes = {(s, m) for s, _, _, _, m in exercise_rows(graded["out"]) if m}
    assert mistakes == {("ben", "seeds of train and test swapped"), ("cleo", "labels not reshaped"), ("emma", "seed ignored")}
    book = Gradebook(graded["out"] / "gradebook.sqlite")
    hints = book.query("SELECT hint FROM exercises WHERE student = 'cleo' AND mistake IS NOT NULL")
    checks = book.query("SELECT COUNT(*) FROM checks WHERE student = 'ada'")[0][0]
    book.close()
    assert hints and hints[0]["hint"] and checks > 5


def test_killed_run_resumes_without_regrading(graded):
    before, after = graded["before"], rows(graded["out"])
    finished = {s: r for s, r in before.items() if r["seconds"] > 0}
    assert finished, "the killed run wrote no graded submission before it was killed"
    for student, row in finished.items():
        assert after[student]["graded_at"] == row["graded_at"], f"{student} was graded twice"
    assert set(after) == set(graded["expected"])


def test_second_run_skips_everything(graded):
    before = rows(graded["out"])
    started = time.monotonic()
    assert run_batch(ASSIGNMENT, graded["root"] / "class", graded["out"], workers=2, limits=LIMITS, progress=False) == 0
    assert time.monotonic() - started < 10
    assert {s: r["graded_at"] for s, r in rows(graded["out"]).items()} == {s: r["graded_at"] for s, r in before.items()}


def test_exports(graded):
    out = graded["out"]
    with (out / "grades.csv").open() as file:
        table = list(csv.DictReader(file))
    assert [row["student"] for row in table] == sorted(graded["expected"])
    assert set(table[0]) >= {"student", "total"} | {exercise.id for exercise in ASSIGNMENT.exercises}
    ada = next(row for row in table if row["student"] == "ada")
    assert float(ada["total"]) == 10 and all(float(ada[e.id]) == e.points for e in ASSIGNMENT.exercises)
    results = json.loads((out / "results" / "ben.json").read_text())
    assert results["score"] < 10 and {e.id for e in ASSIGNMENT.exercises} == {t["name"].split()[0] for t in results["tests"]}
    assert {"name", "score", "max_score", "status", "output"} <= set(results["tests"][0])
    assert json.loads((out / "results" / "empty.json").read_text())["score"] == 0
    assert (out / "report.html").stat().st_size > 10_000


def test_changed_content_and_regrade_grade_again(tmp_path):
    """Cheap submissions (empty files) are enough: a changed hash or --regrade writes a new row."""
    (tmp_path / "class").mkdir()
    path = tmp_path / "class" / "zoe.py"
    path.write_text("")
    out = tmp_path / "out"
    assert run_batch(ASSIGNMENT, tmp_path / "class", out, workers=1, progress=False) == 0
    first = rows(out)["zoe"]
    path.write_text("   \n")
    run_batch(ASSIGNMENT, tmp_path / "class", out, workers=1, progress=False)
    second = rows(out)["zoe"]
    assert second["sha256"] != first["sha256"] and second["graded_at"] > first["graded_at"]
    run_batch(ASSIGNMENT, tmp_path / "class", out, workers=1, progress=False, regrade=True)
    assert rows(out)["zoe"]["graded_at"] > second["graded_at"]


def test_full_disk_is_reported(tmp_path, monkeypatch, capsys):
    """SQLite's own "database or disk is full", made real by capping the file's pages."""
    (tmp_path / "class").mkdir()
    for number in range(200):  # more rows than the pages the gradebook may have
        (tmp_path / "class" / f"s{number:03d}{'x' * 150}.py").write_text("")  # empty: recorded without a grading
    original = Gradebook.__init__

    def capped(self, path):
        original(self, path)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(Gradebook, "__init__", capped)
    assert run_batch(ASSIGNMENT, tmp_path / "class", tmp_path / "out", workers=1, progress=False) == 1
    assert "is full" in capsys.readouterr().err


def test_missing_dask_is_a_clear_error(tmp_path, monkeypatch, capsys):
    from gradelab.cli import main

    (tmp_path / "class").mkdir()
    write_submission(tmp_path / "class", "solo", "x = 1\n", notebook=False)
    monkeypatch.setitem(sys.modules, "distributed", None)
    assert main(["grade-batch", "initialization", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                 "--scheduler", "local", "--allow-unisolated"]) == 2
    assert "pip install 'gradelab[dask]'" in capsys.readouterr().err


# --- Dask ------------------------------------------------------------------------------------------------------------------------


def test_dask_local_cluster_writes_the_same_gradebook(graded):
    pytest.importorskip("distributed")
    out = graded["root"] / "out-dask"
    assert run_batch(ASSIGNMENT, graded["root"] / "class", out, workers=2, limits=LIMITS, scheduler="local", progress=False) == 0
    assert exercise_rows(out) == exercise_rows(graded["out"])
    assert {s: r["status"] for s, r in rows(out).items()} == graded["expected"]
    assert {s: r["score"] for s, r in rows(out).items()} == {s: r["score"] for s, r in rows(graded["out"]).items()}


def _dies_once(marker, location, student, path, sha256, limits, snapshot=None):
    """A grading task that kills its Dask worker the first time it sees the victim."""
    import os
    from pathlib import Path

    from gradelab.batch.grading import grade_one

    if student == "victim" and not Path(marker).exists():
        Path(marker).touch()
        os._exit(1)
    return grade_one(location, student, path, sha256, limits, snapshot)


def test_dask_worker_lost_midway_is_graded_again(tmp_path):
    pytest.importorskip("distributed")
    import functools

    import cloudpickle

    from gradelab.batch.dask_runner import run_dask
    from gradelab.batch.discover import discover

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
    (tmp_path / "class").mkdir()
    for student in ("victim", "bystander"):
        write_submission(tmp_path / "class", student, _variant("solution").source, notebook=False)
    results, lost = [], []
    task = functools.partial(_dies_once, str(tmp_path / "killed"))
    run_dask(locate(ASSIGNMENT), discover(tmp_path / "class"), LIMITS, 2, "local",
             results.append, lambda entry, reason: lost.append(reason), task=task)
    assert (tmp_path / "killed").exists()
    assert not lost and sorted(r["student"] for r in results) == ["bystander", "victim"]
    assert all(r["score"] == 10 for r in results)
