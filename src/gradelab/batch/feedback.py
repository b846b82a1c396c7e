"""Feedback a student can read: ``feedback/<safe name>.html``, one self-contained page per student.

Built from the gradebook alone, with the visibility rules of the student's own report
(report.exercise_output with show_hidden=False): a hidden case says only what it varies and
the kind of its failure, never its findings' text, which may hold its inputs or expected values.
Submission-level errors are shown only where they come from reading the file (discovery,
notebook parsing): a crash's or timeout's first message may be a hidden case's, and a grader
error's is the grader's own traceback.
"""

from __future__ import annotations

import html
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..files import write_atomic
from ..grading.outcome import Finding
from ..grading.report import ACCEPTED, hidden_case_line
from ..grading.spec import Assignment
from .gradebook import Gradebook
from .names import collisions, safe_name

__all__ = ["FOLDER", "feedback_files", "write_feedback", "student_page"]

#: Where the pages go, beside report.html, which links to them by this relative path.
FOLDER = "feedback"
#: Submission statuses whose ``error`` is about the file itself, written for the student (discover.py, submission.py).
FILE_ERRORS = frozenset({"unreadable", "empty", "duplicate", "rejected", "collision"})
#: Statuses where the grader, not the student, is at fault: the student is told so and nothing of the grader's error.
GRADER_FAULT = frozenset({"error", "lost"})
NOT_SUBMITTED = "not submitted"

STYLE = """body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f3f3}.num{text-align:right}li{white-space:pre-wrap;margin:.2em 0}.fail{color:#a00}.warn{color:#850}
.info{color:#246}.ok{color:#070}.hint{background:#f6f0ff;padding:.5em;border-left:3px solid #86c}"""


def feedback_files(students: Iterable[str]) -> dict[str, str]:
    """Student -> file name in FOLDER; students whose ids map to one name get none (write_results reports the clash)."""
    students = list(students)
    clashing = collisions(students)
    return {student: f"{safe_name(student)}.html" for student in students if student not in clashing}


@dataclass(frozen=True)
class _CaseName:
    name: str
    varies: str


@dataclass(frozen=True)
class _StoredCase:
    """What report.hidden_case_line reads, rebuilt from a gradebook row, so the student's rule is applied verbatim."""

    case: _CaseName
    findings: list[Finding]
    status: str


def _findings(text: str) -> list[Finding]:
    return [Finding(f.get("kind", "info"), f.get("message", ""), f.get("code", "")) for f in json.loads(text or "[]")]


def _varies(assignment: Assignment) -> dict[tuple[str, str], str]:
    """(exercise id, case name) -> what the hidden case varies: the gradebook keeps the name only."""
    return {(exercise.id, case.name): case.varies for exercise in assignment.exercises for case in exercise.cases}


def case_lines(case: sqlite3.Row, exercise: sqlite3.Row, varies: str) -> list[tuple[str, str]]:
    """(kind, text) lines a student may read about one case: a hidden case's findings are never printed."""
    accepted = exercise["status"] == "passed" and not case["passed"]  # a second verdict accepted differing values
    findings = _findings(case["findings"])
    if case["hidden"]:
        if case["passed"]:
            return []
        if accepted:
            return [("ok", f"hidden case '{varies or case['case_name']}': {ACCEPTED}")]
        # A stopped case ended the exercise with its status (timed out, crashed); one without a failing finding was not
        # judged (the grader's own error): either way the exercise's status says what happened, never "failed".
        judged = not case["crashed"] and any(finding.kind == "fail" for finding in findings)
        status = "failed" if judged else exercise["status"]
        return [("fail", hidden_case_line(_StoredCase(_CaseName(case["case_name"], varies), findings, status)))]
    if accepted:
        return [("ok", f"case {case['case_name']}: {ACCEPTED}")]
    if case["passed"]:  # notes on passing cases (global random state, printing, mutated inputs) still matter
        return [(f.kind, f"case {case['case_name']}: {f.message}") for f in findings if f.kind != "fail"]
    return [("fail", "\n".join([f"case {case['case_name']}:", *(f"  {f.kind}: {f.message}" for f in findings)]))]


def _items(lines: list[tuple[str, str]]) -> str:
    return "".join(f'<li class="{html.escape(kind)}">{html.escape(text)}</li>' for kind, text in lines)


def _exercise_section(exercise: sqlite3.Row, cases: list[sqlite3.Row], varies: dict[tuple[str, str], str]) -> str:
    lines = [line for case in cases for line in case_lines(case, exercise, varies.get((exercise["exercise_id"], case["case_name"]), ""))]
    lines += [(note.kind, f"{note.kind}: {note.message}") for note in _findings(exercise["notes"])]
    if not lines:
        lines = [("ok", "All cases passed.")] if exercise["status"] == "passed" else [("fail", f"{exercise['status']}.")]
    head = (f"{exercise['exercise_id']} — {exercise['function']}: {exercise['status']}, "
            f"{exercise['score']:g} / {exercise['max_score']:g}")
    hint = ""
    if exercise["mistake"]:
        hint = (f'<p class="hint"><b>Known mistake:</b> {html.escape(exercise["mistake"])}<br>'
                f'<b>Hint:</b> {html.escape(exercise["hint"] or "")}</p>')
    return f'<section id="{html.escape(exercise["exercise_id"])}"><h2>{html.escape(head)}</h2><ul>{_items(lines)}</ul>{hint}</section>'


def _summary_table(exercises: list[sqlite3.Row]) -> str:
    rows = "".join(f"<tr><td>{html.escape(e['exercise_id'])}</td><td>{html.escape(e['function'])}</td>"
                   f"<td>{html.escape(e['status'])}</td><td class=\"num\">{e['score']:g} / {e['max_score']:g}</td></tr>"
                   for e in exercises)
    head = "".join(f"<th>{name}</th>" for name in ("exercise", "function", "result", "points"))
    return f'<table id="scores"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def status_paragraph(submission: sqlite3.Row) -> str:
    """What happened to the submission as a whole, in words a student may read."""
    status = submission["status"]
    if status == NOT_SUBMITTED:
        return "No submission was received from you for this assignment."
    if status in GRADER_FAULT:
        return ("Your submission could not be graded because of a problem in the grader, not in your code. "
                "It will be graded again; nothing has been taken off.")
    if status in FILE_ERRORS:
        return f"Your submission could not be graded: {submission['error']}"
    if status in ("crashed", "timeout"):
        what = "took too long" if status == "timeout" else "crashed"
        return f"Your code {what} on some exercise: the exercises below say which, and the others were graded normally."
    return ""


def _problems(submission: sqlite3.Row) -> list[str]:
    """Notes about loading the submission (its own code's errors); never for a grader's fault, whose text is the grader's."""
    if submission["status"] in GRADER_FAULT or submission["status"] in FILE_ERRORS:
        return []
    return [str(problem) for problem in json.loads(submission["problems"] or "[]")]


def student_page(assignment: Assignment, submission: sqlite3.Row, exercises: list[sqlite3.Row],
                 checks: dict[str, list[sqlite3.Row]]) -> str:
    """The whole HTML page of one student's feedback; every text from the gradebook is escaped."""
    title = html.escape(f"{assignment.title} — feedback for {submission['student']}")
    graded = submission["status"] not in GRADER_FAULT and submission["status"] != NOT_SUBMITTED
    score = f"<p id=\"total\"><b>Score: {submission['score']:g} / {assignment.max_score:g}</b></p>" if graded else ""
    status = status_paragraph(submission)
    notes = "".join(f'<p class="warn">{html.escape(problem)}</p>' for problem in _problems(submission))
    varies = _varies(assignment)
    body = (_summary_table(exercises) + "".join(_exercise_section(e, checks.get(e["exercise_id"], []), varies) for e in exercises)
            if exercises else "")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{STYLE}</style></head>'
            f'<body><h1>{title}</h1>{score}<p id="status">{html.escape(status)}</p>{notes}{body}</body></html>\n')


def _grouped(rows: list[sqlite3.Row], *keys: str) -> dict:
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(tuple(row[key] for key in keys), []).append(row)
    return grouped


def write_feedback(gradebook: Gradebook, assignment: Assignment, folder: Path) -> list[str]:
    """One page per student in ``folder``; returns nothing to report (clashing ids are reported by write_results)."""
    from .export import results_folder  # export imports this module's writer

    folder = results_folder(folder, "students' feedback pages")
    submissions = gradebook.submissions()
    names = feedback_files(row["student"] for row in submissions)
    exercises = _grouped(gradebook.exercises(), "student")
    checks = _grouped(gradebook.query("SELECT * FROM checks ORDER BY student, exercise_id, position"), "student")
    for row in submissions:
        student = row["student"]
        if student not in names:
            (folder / f"{safe_name(student)}.html").unlink(missing_ok=True)  # an earlier run's page would stand for either
            continue
        mine = {key[0]: rows for key, rows in _grouped(checks.get((student,), []), "exercise_id").items()}
        page = student_page(assignment, row, exercises.get((student,), []), mine)
        write_atomic(folder / names[student], page.encode("utf-8"))
    return []
