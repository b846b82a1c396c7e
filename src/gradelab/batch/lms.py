"""Grades for a learning management system: canvas.csv (Canvas's gradebook import) and moodle.csv (Moodle's CSV import).

Only submissions whose code the grader ran carry a grade (graded, crashed, timeout): an unreadable, empty or
duplicate file, a grader error and a student who did not submit are left out, so that importing never writes
a zero the instructor did not decide on, nor overwrites a grade entered by hand. The class report lists them.

Canvas (gradebook_importer): the header must be ``Student, ID, SIS User ID, SIS Login ID, Section`` and then one
column per assignment; a row whose first cell is "Points Possible" sets the points of a new assignment. A header
``Title (123)`` means Canvas's assignment id 123, so the points are never put in parentheses there. Students are
matched by ID, then SIS User ID, then SIS Login ID, then name: each is taken from the roster's column of that
name where ``--roster`` gave one (``name``, ``canvas id``, ``sis user id``, ``sis login id``, ``section``), else the
student id stands as name and SIS Login ID, and the instructor fills in ID or SIS User ID where ids are not logins.

Moodle (grade/import/csv): any columns; on import the instructor maps the identifier column to a user field
(username, ID number or email) and the grade column to a grade item whose maximum is the assignment's points.
The roster's ``username`` stands for the student id where given, and its ``email`` becomes a second identifier column.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..files import spreadsheet_csv, write_atomic
from ..grading.spec import Assignment
from .gradebook import Gradebook

__all__ = ["EXPORTED", "CANVAS_COLUMNS", "canvas_title", "write_canvas", "write_moodle", "lms_grades"]

#: Submission statuses whose score goes to the LMS: the grader ran the student's code and judged it.
EXPORTED = frozenset({"graded", "crashed", "timeout"})
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
EMAIL = ("email", "email address", "e mail")


def canvas_title(title: str) -> str:
    """The assignment's column header: a trailing " (123)" would be read by Canvas as an assignment id, so it becomes "[123]"."""
    return re.sub(r"\s\((\d+)\)$", r" [\1]", title)


def lms_grades(gradebook: Gradebook) -> list[tuple[str, float]]:
    """(student, score) for every submission whose score is a grade to import, by student id."""
    return [(row["student"], row["score"]) for row in gradebook.submissions() if row["status"] in EXPORTED]


def _key(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").replace("-", " ").split())


def roster_fields(gradebook: Gradebook) -> dict[str, dict[str, str]]:
    """Student -> the roster's other columns, by normalized name ("SIS_User_ID" -> "sis user id"); empty without a roster."""
    return {row["student"]: {_key(name): value for name, value in json.loads(row["fields"] or "{}").items()}
            for row in gradebook.roster()}


def _field(fields: dict[str, str], names: tuple[str, ...], default: str = "") -> str:
    return next((fields[name] for name in names if fields.get(name)), default)


def write_canvas(gradebook: Gradebook, assignment: Assignment, path: Path) -> Path:
    """Canvas's gradebook import: the five student columns, the assignment's column, a Points Possible row."""
    rows = [[*CANVAS_COLUMNS, canvas_title(assignment.title)],
            ["Points Possible", "", "", "", "", f"{assignment.max_score:g}"]]
    roster = roster_fields(gradebook)
    for student, score in lms_grades(gradebook):
        fields = roster.get(student, {})
        rows.append([_field(fields, ("name", "student name", "full name"), student),
                     _field(fields, ("canvas id", "canvas user id", "user id")), _field(fields, ("sis user id", "sis id")),
                     _field(fields, ("sis login id", "login id", "login"), student), _field(fields, ("section",)), f"{score:g}"])
    write_atomic(path, spreadsheet_csv(rows))
    return path


def write_moodle(gradebook: Gradebook, assignment: Assignment, path: Path) -> Path:
    """Moodle's grade import: an identifier column (map it to username, ID number or email) and the grade column."""
    roster = roster_fields(gradebook)
    emails = any(_field(fields, EMAIL) for fields in roster.values())
    rows = [["Username", *(["Email address"] if emails else []), assignment.title]]
    for student, score in lms_grades(gradebook):
        fields = roster.get(student, {})
        email = [_field(fields, EMAIL)] if emails else []
        rows.append([_field(fields, ("username",), student), *email, f"{score:g}"])
    write_atomic(path, spreadsheet_csv(rows))
    return path
