"""Files the grader writes are its own: nothing planted at an output path receives a grade, nothing planted in the
gradebook changes one, and what is graded is the submission as it was when the batch planned it."""

from __future__ import annotations

import json
import os
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from gradelab.assignments import load
from gradelab.batch import Gradebook, export, run_batch, runner
from gradelab.batch.discover import Entry
from gradelab.batch.gradebook import entry_record
from gradelab.batch.names import MAX_STEM, safe_name
from gradelab.batch.sample import write_submission
from gradelab.cli import main
from gradelab.grading.protocol.limits import Limits
from gradelab.grading.selftest import variants

ASSIGNMENT = load("initialization")
LIMITS = Limits(timeout=2.0, load_timeout=10.0)
SOLUTION = next(v.source for v in variants(ASSIGNMENT) if v.kind == "solution")
MISTAKE = next(v for v in variants(ASSIGNMENT) if v.kind == "mistake" and v.label == "seed ignored")
ANYWHERE = ["--allow-unisolated"]  # these tests are about files: they must run where the sandbox is missing too


def _rows(out: Path) -> dict[str, tuple[str, float, str, str]]:
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        return {row[0]: row[1:] for row in db.execute("SELECT student, status, score, error, sha256 FROM submissions")}


def _reader(path: Path) -> int:
    """An open read end on the FIFO at ``path``: whatever anyone writes into the FIFO can be read back from it."""
    os.mkfifo(path)
    return os.open(path, os.O_RDONLY | os.O_NONBLOCK)


def _drained(handle: int) -> bytes:
    try:
        return os.read(handle, 1 << 20)
    except BlockingIOError:
        return b""


# --- gradelab grade --json ---------------------------------------------------------------------------------------------------


def test_grade_refuses_a_fifo_at_the_json_path(tmp_path, capsys):
    submission = tmp_path / "s.py"
    submission.write_text("x = 1\n")
    reader = _reader(tmp_path / "results.json")
    try:
        assert main(["grade", "initialization", str(submission), "--json", str(tmp_path / "results.json"), *ANYWHERE]) == 2
        assert _drained(reader) == b""
    finally:
        os.close(reader)
    error = capsys.readouterr().err
    assert "results.json is a FIFO, device or socket" in error and "regular file" in error


def test_grade_refuses_a_directory_at_the_json_path(tmp_path, capsys):
    submission = tmp_path / "s.py"
    submission.write_text("x = 1\n")
    assert main(["grade", "initialization", str(submission), "--json", str(tmp_path), *ANYWHERE]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_grade_replaces_a_symlink_at_the_json_path_instead_of_writing_through_it(tmp_path, capsys):
    submission, victim, link = tmp_path / "s.py", tmp_path / "victim.txt", tmp_path / "results.json"
    submission.write_text("x = 1\n")
    victim.write_text("the instructor's notes\n")
    link.symlink_to(victim)
    assert main(["grade", "initialization", str(submission), "--json", str(link), "--quiet", *ANYWHERE]) == 0
    assert victim.read_text() == "the instructor's notes\n"
    assert not link.is_symlink() and json.loads(link.read_text())["score"] == 0


def test_write_gradescope_replaces_a_fifo_planted_after_the_check(tmp_path, monkeypatch):
    """The race: a FIFO appears between the check and the write; the rename replaces it, the reader gets nothing."""
    from gradelab.grading import report as report_module
    from gradelab.grading.engine import grade

    graded = grade(ASSIGNMENT, _file(tmp_path, "x = 1\n"))
    path, handles = tmp_path / "results.json", []
    original = report_module.to_gradescope

    def plant_then_build(report, *options):
        handles.append(_reader(path))
        return original(report, *options)

    monkeypatch.setattr(report_module, "to_gradescope", plant_then_build)
    report_module.write_gradescope(graded, path)
    try:
        assert _drained(handles[0]) == b""
    finally:
        os.close(handles[0])
    assert path.is_file() and json.loads(path.read_text())["score"] == 0


def _file(folder: Path, text: str) -> Path:
    path = folder / "submission.py"
    path.write_text(text)
    return path


# --- exports -----------------------------------------------------------------------------------------------------------------


def _book_with(out: Path, students: list[str]) -> Gradebook:
    book = Gradebook(out / "gradebook.sqlite")
    for student in students:
        book.record(entry_record(Entry(student, f"{student}.py", "0" * 64, "empty", f"{student}.py is empty"), 10, "test"))
    return book


def test_planted_links_and_fifos_in_the_output_folder_receive_nothing(tmp_path):
    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    book = _book_with(out, ["ada", "ben"])
    (out / "results").mkdir()
    (outside / "ada.json").write_text("untouched\n")
    (out / "results" / "ada.json").symlink_to(outside / "ada.json")
    (out / "results" / "ben.json").symlink_to(outside / "missing.json")  # a dangling link: writing through it creates a file
    readers = [_reader(out / "grades.csv"), _reader(out / "report.html")]
    try:
        assert export(book, ASSIGNMENT, out) == []
        assert all(_drained(reader) == b"" for reader in readers)
    finally:
        book.close()
        for reader in readers:
            os.close(reader)
    assert (outside / "ada.json").read_text() == "untouched\n" and not (outside / "missing.json").exists()
    for name in ("results/ada.json", "results/ben.json", "grades.csv", "report.html"):
        assert (out / name).is_file() and not (out / name).is_symlink(), name
    assert json.loads((out / "results" / "ada.json").read_text())["score"] == 0
    assert "ada" in (out / "grades.csv").read_text()


def test_a_results_folder_that_is_a_link_is_replaced(tmp_path):
    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    book = _book_with(out, ["ada"])
    (out / "results").symlink_to(outside, target_is_directory=True)
    try:
        export(book, ASSIGNMENT, out)
    finally:
        book.close()
    assert list(outside.iterdir()) == [] and not (out / "results").is_symlink()
    assert (out / "results" / "ada.json").is_file()


def test_exports_keep_the_users_umask(tmp_path):
    book = _book_with(tmp_path / "out", ["ada"])
    old = os.umask(0o027)
    try:
        export(book, ASSIGNMENT, tmp_path / "out")
    finally:
        os.umask(old)
        book.close()
    for name in ("grades.csv", "report.html", "results/ada.json"):
        assert (tmp_path / "out" / name).stat().st_mode & 0o777 == 0o640, name


# --- student ids and file names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("student", ["../etc/passwd", ".hidden", "...", "a/b", "a\\b", "x" * 300, "ｆｕｌｌ", "café", "",
                                     "a\0b", "-rf", "CON"])
def test_safe_names_stay_in_their_folder(student):
    name = safe_name(student)
    assert name and "/" not in name and "\\" not in name and "\0" not in name and not name.startswith(".")
    assert len(name) <= MAX_STEM and name == unicodedata.normalize("NFKC", name) and name.isascii()


def test_long_ids_with_one_prefix_get_distinct_names():
    assert safe_name("x" * 200 + "1") != safe_name("x" * 200 + "2")


def test_colliding_ids_are_reported_never_merged(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    composed, decomposed = unicodedata.normalize("NFC", "zoé"), unicodedata.normalize("NFD", "zoé")
    for student in ("a b", "a_b", "Ada", "ada", composed, decomposed, "solo"):
        write_submission(folder, student, "", notebook=False)  # empty: recorded at once, nothing to grade
    out = tmp_path / "out"
    assert run_batch(ASSIGNMENT, folder, out, workers=1, progress=False) == 0
    rows = _rows(out)
    assert len(rows) == 7
    for group in (("a b", "a_b"), ("Ada", "ada"), (composed, decomposed)):
        for student in group:
            status, _, error, _ = rows[student]
            other = next(s for s in group if s != student)
            assert status == "collision" and repr(other) in error and "rename" in error, (student, error)
    assert rows["solo"][0] == "empty"
    assert sorted(path.name for path in (out / "results").iterdir()) == ["solo.json"]


def test_an_export_never_merges_rows_from_different_runs(tmp_path):
    """Rows written by earlier runs may collide too (a renamed file): no file for either, and the export says so."""
    book = _book_with(tmp_path / "out", ["a b", "a_b", "solo"])
    (tmp_path / "out" / "results").mkdir()
    (tmp_path / "out" / "results" / "a_b.json").write_text('{"score": 10}')  # written when only a_b was in the class
    try:
        problems = export(book, ASSIGNMENT, tmp_path / "out")
    finally:
        book.close()
    assert len(problems) == 1 and "'a b', 'a_b'" in problems[0] and "a_b.json" in problems[0]
    assert sorted(path.name for path in (tmp_path / "out" / "results").iterdir()) == ["solo.json"]


# --- what is graded is what was planned --------------------------------------------------------------------------------------


def test_a_submission_rewritten_after_planning_is_graded_as_planned(tmp_path):
    """While the batch runs, a classmate's process rewrites z_victim.py (a known mistake) into the solution."""
    folder = tmp_path / "class"
    folder.mkdir()
    write_submission(folder, "a_first", SOLUTION, notebook=False)
    victim = write_submission(folder, "z_victim", MISTAKE.source, notebook=False)
    planned = victim.read_bytes()

    def rewrite(pool: runner.Pool) -> None:
        if victim.read_bytes() == planned:
            victim.write_text(SOLUTION)

    out = tmp_path / "out"
    assert run_batch(ASSIGNMENT, folder, out, workers=1, limits=LIMITS, progress=False, on_pool=rewrite) == 0
    assert victim.read_text() == SOLUTION, "the rewrite did not happen during the batch"
    status, score, _, sha256 = _rows(out)["z_victim"]
    assert status == "graded" and score < 10
    from gradelab.batch.discover import digest_of

    assert sha256 == digest_of([(victim.name, planned)])
    assert not list(out.glob(".snapshots-*")), "the batch left its snapshots behind"


def test_a_tampered_snapshot_is_not_graded(tmp_path):
    """Even the grader's own copy is checked against its planned sha256 before it is graded."""
    folder = tmp_path / "class"
    folder.mkdir()
    write_submission(folder, "a_first", SOLUTION, notebook=False)
    write_submission(folder, "z_victim", MISTAKE.source, notebook=False)
    out = tmp_path / "out"

    def tamper(pool: runner.Pool) -> None:
        for copy in out.glob(".snapshots-*/*/z_victim.py"):
            if "# tampered" not in copy.read_text():
                copy.chmod(0o600)
                copy.write_text(SOLUTION + "\n# tampered\n")

    assert run_batch(ASSIGNMENT, folder, out, workers=1, limits=LIMITS, progress=False, on_pool=tamper) == 0
    status, score, error, _ = _rows(out)["z_victim"]
    assert (status, score) == ("error", 0.0) and "changed after the batch planned it" in error


# --- the gradebook -----------------------------------------------------------------------------------------------------------

TRIGGERS = """
CREATE TRIGGER lift AFTER INSERT ON submissions WHEN NEW.student = 'cheater'
BEGIN UPDATE submissions SET score = 10 WHERE student = 'cheater'; END;
CREATE TRIGGER sink AFTER INSERT ON submissions WHEN NEW.student = 'classmate'
BEGIN UPDATE submissions SET score = 0 WHERE student = 'classmate'; END;
"""


@pytest.mark.parametrize("planted", [TRIGGERS, "CREATE VIEW grades AS SELECT student, 10 AS score FROM submissions;",
                                     "CREATE TABLE notes (text TEXT);",
                                     "CREATE INDEX by_score ON submissions(score);"])
def test_a_gradebook_with_planted_schema_is_refused(tmp_path, planted, capsys):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    write_submission(folder, "cheater", "", notebook=False)
    Gradebook(out / "gradebook.sqlite").close()
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        db.executescript(planted)
    assert main(["grade-batch", "initialization", str(folder), "--out", str(out), *ANYWHERE]) == 2
    error = capsys.readouterr().err
    assert "schema the grader did not create" in error and "move it away" in error
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0
    assert not (out / "grades.csv").exists()


def test_planted_triggers_would_have_changed_grades(tmp_path):
    """The attack the check stops, shown working on a bare connection: the grader's own writes set off the triggers."""
    path = tmp_path / "gradebook.sqlite"
    book = Gradebook(path)
    book.db.executescript(TRIGGERS)
    book.record({**entry_record(Entry("cheater", "c.py", "0" * 64, "empty", ""), 10, "t"), "status": "graded"})
    assert book.query("SELECT score FROM submissions WHERE student = 'cheater'")[0][0] == 10
    book.close()


def test_a_gradebook_that_is_a_link_is_refused(tmp_path):
    (tmp_path / "elsewhere.sqlite").write_bytes(b"")
    (tmp_path / "gradebook.sqlite").symlink_to(tmp_path / "elsewhere.sqlite")
    from gradelab.batch.gradebook import UntrustedGradebook

    with pytest.raises(UntrustedGradebook, match="symbolic link"):
        Gradebook(tmp_path / "gradebook.sqlite")


def test_an_honest_gradebook_opens_again(tmp_path):
    Gradebook(tmp_path / "gradebook.sqlite").close()
    Gradebook(tmp_path / "gradebook.sqlite").close()


def test_exports_run_even_when_the_grading_is_interrupted(tmp_path, monkeypatch):
    folder = tmp_path / "class"
    folder.mkdir()
    write_submission(folder, "ada", "", notebook=False)
    write_submission(folder, "ben", SOLUTION, notebook=False)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("gradelab.batch.run_local", interrupted)
    assert run_batch(ASSIGNMENT, folder, tmp_path / "out", workers=1, progress=False) == 130
    assert "ada" in (tmp_path / "out" / "grades.csv").read_text() and (tmp_path / "out" / "report.html").exists()



def test_a_fifo_in_the_class_folder_is_rejected_without_blocking(tmp_path):
    """Reading a FIFO named like a submission would wait forever for a writer: it gets a row saying what it is."""
    folder = tmp_path / "class"
    folder.mkdir()
    os.mkfifo(folder / "pipe.py")
    (folder / "deep").mkdir()
    os.mkfifo(folder / "deep" / "work.py")
    write_submission(folder, "ada", "", notebook=False)
    out = tmp_path / "out"
    assert run_batch(ASSIGNMENT, folder, out, workers=1, progress=False) == 0
    rows = _rows(out)
    assert rows["pipe"][0] == "rejected" and "not a regular file" in rows["pipe"][2]
    assert rows["deep"][0] == "rejected" and rows["ada"][0] == "empty"
