"""The class gradebook: one SQLite file that a batch writes as each submission finishes.

WAL mode and one transaction per submission mean a run killed at any moment
keeps every result it had written, and a half-written submission is never
seen: the next run grades it again.

The grader does not trust the file it finds: a trigger planted in it would
rewrite scores as the grader writes them (a student's own 0 into 10, a
classmate's 10 into 0), and a view or an extra table could shadow what the
exports read. So on opening, before anything is written, the schema stored in
``sqlite_master`` must be exactly the one :data:`SCHEMA` creates, object for
object and statement for statement, or the gradebook is refused; the file and
its -wal, -shm and -journal companions must be regular files, not links.
A gradebook written by the previous version (no identity, ignored or roster
table) is accepted, and those tables are added.

A gradebook knows what it grades (:class:`Identity`): the assignment's name and
the digest of its declaration (batch/grading.py). A run for another assignment
is refused (:func:`check_identity`), so two classes' grades never mix in one file.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sqlite3
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .discover import Entry, Ignored

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    student TEXT PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL, grader_version TEXT NOT NULL,
    status TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL, seconds REAL NOT NULL,
    graded_at TEXT NOT NULL, error TEXT NOT NULL DEFAULT '', problems TEXT NOT NULL DEFAULT '[]', gradescope TEXT
);
CREATE TABLE IF NOT EXISTS exercises (
    student TEXT NOT NULL REFERENCES submissions(student) ON DELETE CASCADE, position INTEGER NOT NULL,
    exercise_id TEXT NOT NULL, function TEXT NOT NULL, status TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,
    mistake TEXT, hint TEXT, notes TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (student, exercise_id)
);
CREATE TABLE IF NOT EXISTS checks (
    student TEXT NOT NULL REFERENCES submissions(student) ON DELETE CASCADE, exercise_id TEXT NOT NULL,
    position INTEGER NOT NULL, case_name TEXT NOT NULL, hidden INTEGER NOT NULL, passed INTEGER NOT NULL,
    crashed INTEGER NOT NULL, seconds REAL NOT NULL, findings TEXT NOT NULL, PRIMARY KEY (student, exercise_id, position)
);
CREATE TABLE IF NOT EXISTS identity (
    id INTEGER PRIMARY KEY CHECK (id = 1), assignment TEXT NOT NULL, declaration TEXT NOT NULL, exercises TEXT NOT NULL,
    grader_version TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ignored (path TEXT PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS roster (student TEXT PRIMARY KEY, position INTEGER NOT NULL, fields TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS isolation (
    student TEXT PRIMARY KEY REFERENCES submissions(student) ON DELETE CASCADE, label TEXT NOT NULL
);
"""

#: Tables this version added: a gradebook of the previous version lacks them, and gets them on opening.
ADDED_TABLES = frozenset({"identity", "ignored", "roster", "isolation"})
#: The row of a student on the roster who handed nothing in.
NOT_SUBMITTED = "not submitted"

#: Statuses that a resumed run grades again: the grading did not finish (a Dask worker was lost).
UNFINISHED = ("lost", "error")  # graded again on resume: a lost job, or the grader's own failure


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and "full" in str(error).lower()


class UntrustedGradebook(Exception):
    """The gradebook holds something the grader did not create, or is not a plain file: it is not opened for writing."""


@functools.cache
def _expected_schema() -> frozenset[tuple[str, str, str, str | None]]:
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(SCHEMA)
        return frozenset(_schema(db))
    finally:
        db.close()


def _schema(db: sqlite3.Connection) -> set[tuple[str, str, str, str | None]]:
    return {tuple(row) for row in db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")}


def check_schema(db: sqlite3.Connection, path: Path) -> None:
    """Refuse a gradebook whose schema differs from SCHEMA in any object (trigger, view, table, index); empty is fine."""
    found, expected = _schema(db), _expected_schema()
    if not found or found == expected or _previous_version(found, expected):
        return
    extra = sorted(f"{kind} {name!r} (on {table})" for kind, name, table, _ in found - expected)
    missing = sorted(f"{kind} {name!r}" for kind, name, _, _ in expected - found)
    details = "; ".join(part for part in (extra and f"not created by the grader: {', '.join(extra)}",
                                          missing and f"changed or missing: {', '.join(missing)}") if part)
    raise UntrustedGradebook(
        f"gradebook {path} holds a schema the grader did not create ({details}). A trigger or view there could change "
        "grades as they are written, so it is not used: move it away (keep it to see who planted what) and run again, "
        "which starts a fresh gradebook and grades the class again")


def _previous_version(found: set, expected: frozenset) -> bool:
    """True for the schema of the previous version: nothing foreign, and only the tables added since are missing."""
    return not (found - expected) and all(table in ADDED_TABLES for _, _, table, _ in expected - found)


def check_files(path: Path) -> None:
    """The gradebook and SQLite's companion files must be regular files (or absent), never links, FIFOs or devices."""
    for candidate in (path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))):
        try:
            mode = os.lstat(candidate).st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(mode):
            kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
            raise UntrustedGradebook(f"{candidate} is {kind}: the grader writes its gradebook only to a regular file of its own; "
                                     "remove it and run again")


class OtherAssignment(Exception):
    """The gradebook is another assignment's: grading this one into it would mix two classes' grades."""


@dataclass(frozen=True)
class Identity:
    """What a gradebook grades: the assignment, its declaration's digests (overall and per exercise), the grader."""

    assignment: str
    declaration: str
    exercises: dict[str, str] = field(default_factory=dict)
    grader_version: str = ""
    created_at: str = ""
    updated_at: str = ""


class Gradebook:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        check_files(self.path)
        self.db = self._connect()
        try:
            check_schema(self.db, self.path)
            with self.db:
                self.db.executescript(SCHEMA)
        except BaseException:
            self.db.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        db.execute("PRAGMA trusted_schema=OFF")  # a second wall: functions with side effects are refused in schema code
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a crash loses no committed transaction, a power cut at most the last
        db.row_factory = sqlite3.Row
        return db

    def close(self) -> None:
        self.db.close()

    def is_done(self, entry: Entry, version: str) -> bool:
        """True when this exact content was already graded by this grader version."""
        row = self.db.execute("SELECT sha256, grader_version, status FROM submissions WHERE student = ?", (entry.student,)).fetchone()
        return row is not None and row["sha256"] == entry.sha256 and row["grader_version"] == version and row["status"] not in UNFINISHED

    def record(self, result: dict[str, Any]) -> None:
        """Replace the student's rows with ``result``, all in one transaction."""
        now = _now()
        gradescope = json.dumps(result["gradescope"]) if result.get("gradescope") is not None else None
        with self.db:
            self.db.execute("DELETE FROM submissions WHERE student = ?", (result["student"],))
            self.db.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
                result["student"], result["path"], result["sha256"], result["grader_version"], result["status"],
                float(result["score"]), float(result["max_score"]), float(result.get("seconds", 0.0)), now,
                result.get("error", ""), json.dumps(result.get("problems", [])), gradescope))
            for position, exercise in enumerate(result.get("exercises", [])):
                self._record_exercise(result["student"], position, exercise)
            if result.get("isolation"):  # how the student's code was walled in: data, for the class report
                self.db.execute("INSERT INTO isolation VALUES (?, ?)", (result["student"], result["isolation"]))

    def _record_exercise(self, student: str, position: int, exercise: dict[str, Any]) -> None:
        self.db.execute("INSERT INTO exercises VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            student, position, exercise["id"], exercise["function"], exercise["status"], exercise["score"],
            exercise["max_score"], exercise["mistake"], exercise["hint"], json.dumps(exercise.get("notes", []))))
        self.db.executemany("INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (student, exercise["id"], index, case["case"], case["hidden"], case["passed"], case["crashed"], case["seconds"],
             json.dumps(case["findings"])) for index, case in enumerate(exercise.get("cases", []))])

    def unisolated(self) -> list[str]:
        """Students whose code ran without the kernel sandbox (behind the Python-level guard alone)."""
        return [row[0] for row in self.db.execute("SELECT student FROM isolation WHERE label = 'not isolated' ORDER BY student")]

    def identity(self) -> Identity | None:
        """The identity recorded by the last run, or None (a new gradebook, or one of the previous version)."""
        row = self.db.execute("SELECT * FROM identity WHERE id = 1").fetchone()
        if row is None:
            return None
        return Identity(row["assignment"], row["declaration"], json.loads(row["exercises"]), row["grader_version"],
                        row["created_at"], row["updated_at"])

    def write_identity(self, identity: Identity) -> None:
        """Record ``identity``, keeping the date the gradebook was first written."""
        now = _now()
        created = (self.identity() or Identity("", "", created_at=now)).created_at
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO identity VALUES (1, ?, ?, ?, ?, ?, ?)", (
                identity.assignment, identity.declaration, json.dumps(identity.exercises, sort_keys=True),
                identity.grader_version, created, now))

    def replace_ignored(self, ignored: Iterable[Ignored]) -> None:
        """What the class folder held that is not a submission, as found by this run."""
        with self.db:
            self.db.execute("DELETE FROM ignored")
            self.db.executemany("INSERT OR REPLACE INTO ignored VALUES (?, ?)", [(item.path, item.reason) for item in ignored])

    def ignored(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM ignored ORDER BY path").fetchall()

    def replace_roster(self, roster: Iterable[tuple[str, dict[str, str]]]) -> None:
        """The students who should submit, in the roster's order, each with the roster's other columns."""
        with self.db:
            self.db.execute("DELETE FROM roster")
            self.db.executemany("INSERT INTO roster VALUES (?, ?, ?)", [
                (student, position, json.dumps(fields)) for position, (student, fields) in enumerate(roster)])

    def roster(self) -> list[sqlite3.Row]:
        """The roster's students in its order; empty when no run was given --roster."""
        return self.db.execute("SELECT * FROM roster ORDER BY position").fetchall()

    def statuses(self) -> dict[str, str]:
        return {row["student"]: row["status"] for row in self.db.execute("SELECT student, status FROM submissions")}

    def remove(self, students: Iterable[str]) -> None:
        """Remove these students' rows (their exercises and checks go with them)."""
        with self.db:
            self.db.executemany("DELETE FROM submissions WHERE student = ?", [(student,) for student in students])

    def submissions(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM submissions ORDER BY student").fetchall()

    def exercises(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM exercises ORDER BY student, position").fetchall()

    def query(self, sql: str, parameters: tuple = ()) -> list[sqlite3.Row]:
        return self.db.execute(sql, parameters).fetchall()


def entry_record(entry: Entry, max_score: float, version: str) -> dict[str, Any]:
    """The gradebook row of a submission that is not graded at all (empty, duplicate, not Python)."""
    gradescope = {"score": 0.0, "execution_time": 0.0, "output": entry.error, "tests": []}
    return {"student": entry.student, "path": entry.path, "sha256": entry.sha256, "grader_version": version,
            "status": entry.status, "score": 0.0, "max_score": max_score, "seconds": 0.0, "error": entry.error,
            "problems": [entry.error], "exercises": [], "gradescope": gradescope}


def lost_record(entry: Entry, max_score: float, version: str, reason: str) -> dict[str, Any]:
    """A submission whose grading was lost (e.g. its Dask worker died too often): a resumed run grades it again."""
    record = entry_record(entry, max_score, version)
    record.update(status="lost", error=reason, problems=[reason])
    record["gradescope"]["output"] = reason
    return record


def not_submitted_record(student: str, max_score: float, version: str) -> dict[str, Any]:
    """The row of a student on the roster with nothing in the class folder: 0 points, saying so."""
    message = f"{student} is on the roster but handed in nothing: no file or folder named {student} in the class folder"
    return entry_record(Entry(student, "", "", NOT_SUBMITTED, message), max_score, version)


def check_identity(book: Gradebook, wanted: Identity) -> str | None:
    """Raise OtherAssignment if ``book`` grades another assignment; else why everything must be graded again, or None."""
    found = book.identity()
    if found is None:
        return _check_unnamed(book, wanted)
    if found.assignment != wanted.assignment:
        raise OtherAssignment(
            f"{book.path} is the gradebook of assignment {found.assignment!r} (first graded {_when(found.created_at)}, "
            f"last {_when(found.updated_at)}), not of {wanted.assignment!r}: give another --out folder, or move "
            f"{book.path.parent} away to grade {wanted.assignment!r} there")
    if found.declaration == wanted.declaration:
        return None
    names = sorted(set(found.exercises) ^ set(wanted.exercises) |
                   {key for key in set(found.exercises) & set(wanted.exercises) if found.exercises[key] != wanted.exercises[key]})
    what = ", ".join(name for name in names if name) or "its assignment-wide settings"
    return f"the declaration of {wanted.assignment} changed since the last run ({what})"


def _check_unnamed(book: Gradebook, wanted: Identity) -> str | None:
    """A new gradebook, or one of the previous version: its exercises must all be the assignment's."""
    if not book.submissions():
        return None
    foreign = sorted({row["exercise_id"] for row in book.exercises()} - set(wanted.exercises) - {""})
    if foreign:
        raise OtherAssignment(
            f"{book.path} holds grades for exercises {', '.join(foreign)}, which {wanted.assignment!r} does not declare: it is "
            f"another assignment's gradebook (written by an earlier gradelab, which did not record the assignment). "
            f"Give another --out folder, or move {book.path.parent} away")
    return f"{book.path} does not record which declaration graded it (an earlier gradelab wrote it)"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


def _when(stamp: str) -> str:
    """An ISO time as people read it: "2026-11-30 06:12 UTC"."""
    try:
        return dt.datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return stamp or "at an unknown time"
