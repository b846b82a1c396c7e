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
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

from .discover import Entry

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
"""

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
    if not found or found == expected:
        return
    extra = sorted(f"{kind} {name!r} (on {table})" for kind, name, table, _ in found - expected)
    missing = sorted(f"{kind} {name!r}" for kind, name, _, _ in expected - found)
    details = "; ".join(part for part in (extra and f"not created by the grader: {', '.join(extra)}",
                                          missing and f"changed or missing: {', '.join(missing)}") if part)
    raise UntrustedGradebook(
        f"gradebook {path} holds a schema the grader did not create ({details}). A trigger or view there could change "
        "grades as they are written, so it is not used: move it away (keep it to see who planted what) and run again, "
        "which starts a fresh gradebook and grades the class again")


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
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
        gradescope = json.dumps(result["gradescope"]) if result.get("gradescope") is not None else None
        with self.db:
            self.db.execute("DELETE FROM submissions WHERE student = ?", (result["student"],))
            self.db.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
                result["student"], result["path"], result["sha256"], result["grader_version"], result["status"],
                float(result["score"]), float(result["max_score"]), float(result.get("seconds", 0.0)), now,
                result.get("error", ""), json.dumps(result.get("problems", [])), gradescope))
            for position, exercise in enumerate(result.get("exercises", [])):
                self._record_exercise(result["student"], position, exercise)

    def _record_exercise(self, student: str, position: int, exercise: dict[str, Any]) -> None:
        self.db.execute("INSERT INTO exercises VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            student, position, exercise["id"], exercise["function"], exercise["status"], exercise["score"],
            exercise["max_score"], exercise["mistake"], exercise["hint"], json.dumps(exercise.get("notes", []))))
        self.db.executemany("INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (student, exercise["id"], index, case["case"], case["hidden"], case["passed"], case["crashed"], case["seconds"],
             json.dumps(case["findings"])) for index, case in enumerate(exercise.get("cases", []))])

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
