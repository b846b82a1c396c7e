"""What a batch leaves for students and for a gradebook: feedback pages, canvas.csv, moodle.csv, and report counts.

The feedback pages follow the student's visibility rules (a hidden case says what it varies and the kind of its
failure, nothing of its findings); the LMS files carry a grade only where the grader ran the student's code.
"""

from __future__ import annotations

import csv
import html
import re
from dataclasses import replace
from pathlib import Path

import pytest

from gradelab.assignments import load, locate
from gradelab.batch import export
from gradelab.batch.discover import Entry, Ignored
from gradelab.batch.feedback import write_feedback
from gradelab.batch.gradebook import Gradebook, entry_record
from gradelab.batch.grading import grade_one
from gradelab.batch.html_report import write_report
from gradelab.batch.lms import write_canvas, write_moodle
from gradelab.batch.sample import write_submission
from gradelab.grading.selftest import variants

ASSIGNMENT = load("initialization")
SECRET = "hidden-only 4.2e-3 at [17, 3]"  # stands for a hidden case's inputs or expected values


def _case(name: str, hidden: bool, passed: bool, message: str = "", code: str = "values") -> dict:
    findings = [] if passed else [{"kind": "fail", "message": message, "code": code}]
    return {"case": name, "hidden": hidden, "passed": passed, "crashed": False, "seconds": 0.01, "findings": findings}


def _record(student: str, status: str = "graded", score: float = 10.0, cases: list[dict] | None = None, **extra) -> dict:
    exercises = []
    for exercise in ASSIGNMENT.exercises:
        mine = cases if cases is not None and exercise.id == "TestZeroInitialization" else []
        passed = all(case["passed"] for case in mine)
        exercises.append({"id": exercise.id, "function": exercise.function, "status": "passed" if passed else "failed",
                          "score": exercise.points if passed else 0.0, "max_score": exercise.points, "mistake": None,
                          "hint": None, "notes": [], "cases": mine})
    record = {"student": student, "path": f"{student}.py", "sha256": "0" * 64, "grader_version": "test", "status": status,
              "score": score, "max_score": 10.0, "seconds": 0.5, "error": "", "problems": [], "exercises": exercises,
              "gradescope": {"score": score, "tests": []}}
    record.update(extra)
    return record


def _not_submitted(student: str) -> dict:
    return entry_record(Entry(student, "", "", "not submitted", "on the roster, no submission"), 10, "test")


def _page(folder: Path, student: str) -> str:
    return (folder / f"{student}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def graded_mistake(tmp_path_factory) -> dict:
    """A real grading of a known mistake: its hidden cases fail with findings that name their sizes."""
    folder = tmp_path_factory.mktemp("class")
    source = next(v for v in variants(ASSIGNMENT) if v.kind == "mistake" and v.label == "seed ignored").source
    path = write_submission(folder, "ben", source, notebook=False)
    return grade_one(locate(ASSIGNMENT), "ben", str(path), "0" * 64, None)


def test_a_real_grading_shows_public_findings_and_hint_never_a_hidden_finding(graded_mistake, tmp_path):
    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record(graded_mistake)
    write_feedback(book, ASSIGNMENT, tmp_path / "feedback")
    book.close()
    text = html.unescape(_page(tmp_path / "feedback", "ben"))
    cases = [(case, exercise) for exercise in graded_mistake["exercises"] for case in exercise["cases"]]
    hidden = [f["message"] for case, _ in cases if case["hidden"] for f in case["findings"]]
    public = [f["message"] for case, _ in cases if not case["hidden"] for f in case["findings"]]
    assert hidden and public, "the mistake should fail public and hidden cases"
    assert all(message not in text for message in hidden if message not in public)
    assert "200 of 200 entries" not in text  # the hidden 'study size' case's size, in its finding
    assert all(message in text for message in public)
    assert "hidden case 'the study's sizes': values differ" in text and "seed ignored" in text
    mistake = next(e for e in graded_mistake["exercises"] if e["mistake"])
    assert mistake["hint"] in text and f"Score: {graded_mistake['score']:g} / 10" in text


def test_every_text_is_escaped_and_hidden_cases_say_only_what_they_vary(tmp_path):
    cases = [_case("public", False, False, "<script>alert('public')</script> differs"),
             _case("deeper", True, False, SECRET), _case("other seed", True, False, f"f raised ValueError: {SECRET}", "raised")]
    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record(_record("<b>eve</b>", score=8.0, cases=cases))
    write_feedback(book, ASSIGNMENT, tmp_path / "feedback")
    book.close()
    page = _page(tmp_path / "feedback", "_b_eve__b_")
    assert "<script>" not in page and "<b>eve</b>" not in page and "&lt;script&gt;" in page
    text = html.unescape(page)
    assert "4.2e-3" not in text and "[17, 3]" not in text
    assert "hidden case 'deeper networks': values differ" in text and "hidden case 'other layer sizes': raised ValueError" in text


@pytest.mark.parametrize("status, error, told", [
    ("error", f"the grader failed: KeyError('{SECRET}')\nTraceback (most recent call last): grader.py", "problem in the grader"),
    ("timeout", f"case 'deeper' timed out: {SECRET}", "took too long"),
    ("crashed", f"the worker died on {SECRET}", "crashed"),
    ("unreadable", "notebook ada.ipynb is not valid JSON", "not valid JSON"),
])
def test_a_submissions_error_is_shown_only_where_it_is_about_the_file(tmp_path, status, error, told):
    book = Gradebook(tmp_path / "gradebook.sqlite")
    problems = [error] if status in ("error", "unreadable") else []  # as batch/grading.py records them: never a case's text
    book.record(_record("ada", status, 0.0, error=error, problems=problems))
    book.record(_not_submitted("zoe"))
    write_feedback(book, ASSIGNMENT, tmp_path / "feedback")
    book.close()
    text = html.unescape(_page(tmp_path / "feedback", "ada"))
    assert told in text and SECRET not in text and "Traceback" not in text
    assert "No submission was received" in _page(tmp_path / "feedback", "zoe")


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def _mixed_class(path: Path) -> Gradebook:
    book = Gradebook(path)
    book.record(_record("ada", score=10.0))
    book.record(_record("ben", "timeout", 6.0, error="timed out"))
    book.record(_record("cy", "unreadable", 0.0, error="not valid JSON"))
    book.record(_record("dee", "error", 0.0, error="the grader failed"))
    book.record(_not_submitted("eli"))
    return book


def test_canvas_and_moodle_carry_grades_only_where_the_code_was_judged(tmp_path):
    book = _mixed_class(tmp_path / "gradebook.sqlite")
    assignment = replace(ASSIGNMENT, title="Lab (2)")  # " (2)" would be read by Canvas as assignment id 2
    write_canvas(book, assignment, tmp_path / "canvas.csv")
    write_moodle(book, assignment, tmp_path / "moodle.csv")
    book.close()
    assert _rows(tmp_path / "canvas.csv") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab [2]"], ["Points Possible", "", "", "", "", "10"],
        ["ada", "", "", "ada", "", "10"], ["ben", "", "", "ben", "", "6"]]
    assert _rows(tmp_path / "moodle.csv") == [["Username", "Lab (2)"], ["ada", "10"], ["ben", "6"]]


def test_lms_files_take_names_logins_sections_and_emails_from_the_roster(tmp_path):
    book = _mixed_class(tmp_path / "gradebook.sqlite")
    book.replace_roster([("ada", {"Name": "Ada Lovelace", "SIS_User_ID": "S-1", "Section": "A", "E-mail": "ada@uni.edu"}),
                         ("ben", {"Canvas ID": "42", "SIS Login ID": "benl", "Username": "ben.l"}), ("eli", {})])
    write_canvas(book, ASSIGNMENT, tmp_path / "canvas.csv")
    write_moodle(book, ASSIGNMENT, tmp_path / "moodle.csv")
    book.close()
    assert _rows(tmp_path / "canvas.csv")[2:] == [["Ada Lovelace", "", "S-1", "ada", "A", "10"], ["ben", "42", "", "benl", "", "6"]]
    assert _rows(tmp_path / "moodle.csv") == [["Username", "Email address", ASSIGNMENT.title], ["ada", "ada@uni.edu", "10"],
                                              ["ben.l", "", "6"]]


def _counts(page: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r'data-count="([a-z-]+)">(\d+)<', page)}


def test_report_counts_partition_the_class_and_average_only_the_graded(tmp_path):
    book = _mixed_class(tmp_path / "gradebook.sqlite")
    book.record(_record("fay", score=6.0))
    book.replace_ignored([Ignored("class/notes.txt", "not a .py file or .ipynb notebook")])
    page = write_report(book, ASSIGNMENT, tmp_path / "report.html").read_text(encoding="utf-8")
    book.close()
    numbers = _counts(page)
    assert numbers == {"students": 6, "submitted": 5, "graded": 2, "not-gradable": 3, "not-submitted": 1}
    assert numbers["graded"] + numbers["not-gradable"] == numbers["submitted"]
    assert "mean 8.00 / 10 over the 2 graded" in page  # not 16 / 4 with the unreadable file and the grader error as zeros
    assert "1 error, 1 timeout, 1 unreadable" in page
    assert '<td data-sort="cy">cy</td><td>unreadable</td><td data-sort="-1">—</td>' in page  # no 0 shown as its grade
    assert '<td data-sort="ben">ben</td><td>timeout</td><td class="num" data-sort="6.0">6</td>' in page
    assert re.search(r'<table id="ignored".*class/notes\.txt.*not a \.py file', page, re.S)


def test_export_writes_feedback_and_lms_files_and_never_one_page_for_two_students(tmp_path):
    out = tmp_path / "out"
    book = Gradebook(out / "gradebook.sqlite")
    for student in ("a b", "a_b", "solo"):
        book.record(_record(student, score=4.0))
    (out / "feedback").mkdir()
    (out / "feedback" / "a_b.html").write_text("written when only a_b was in the class")
    try:
        problems = export(book, ASSIGNMENT, out)
    finally:
        book.close()
    assert len(problems) == 1 and "'a b', 'a_b'" in problems[0]  # said once, by the results files
    assert sorted(path.name for path in (out / "feedback").iterdir()) == ["solo.html"]
    assert [row[0] for row in _rows(out / "canvas.csv")[2:]] == ["a b", "a_b", "solo"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert 'href="feedback/solo.html"' in report and "feedback/a_b.html" not in report


def test_an_id_that_looks_like_a_formula_stays_text_in_every_spreadsheet_file():
    from gradelab.files import spreadsheet_csv

    text = spreadsheet_csv([["student", "total"], ["=HYPERLINK(\"x\")", "-1.5"], ["@sum", "10"]]).decode()
    assert "'=HYPERLINK" in text and "'@sum" in text and ",-1.5" in text


def test_the_class_report_names_submissions_graded_without_the_kernel_sandbox(tmp_path, monkeypatch):
    from gradelab.batch import run_batch
    from gradelab.batch.sample import make_class
    from gradelab.grading import isolation

    assignment = load("initialization")
    make_class(assignment, tmp_path / "class", 2)
    monkeypatch.setenv(isolation.ENV_SWITCH, "0")
    isolation.probe.cache_clear()
    try:
        assert run_batch(assignment, tmp_path / "class", tmp_path / "off", workers=1, progress=False) == 0
    finally:
        monkeypatch.undo()
        isolation.probe.cache_clear()
    report = (tmp_path / "off" / "report.html").read_text()
    assert 'id="not-isolated"' in report and "2 submissions ran behind the Python-level guard only" in report
    if isolation.probe().available:  # and with the sandbox, no such banner
        assert run_batch(assignment, tmp_path / "class", tmp_path / "on", workers=1, progress=False) == 0
        assert 'id="not-isolated"' not in (tmp_path / "on" / "report.html").read_text()
