"""Grade one submission in a pool process and hand back plain data.

The result crosses a process boundary (a local pool or a Dask cluster), so it
is a dict of strings and numbers: engine objects hold lambdas (case input
makers) that cannot be pickled, and the parent needs nothing from them.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

from .. import __version__
from ..assignments import Location, load_location
from ..grading.engine import ExerciseOutcome, GradeReport, grade
from ..grading.outcome import Finding, Status
from ..grading.report import to_gradescope
from ..grading.sandbox import Limits
from ..grading.spec import Assignment
from .snapshot import verify

_ASSIGNMENTS: dict[Location, Assignment] = {}  # per process: loading an assignment once serves many submissions


def _load_assignment(location: Location) -> Assignment:
    """Pool processes load the assignment from where it is declared (a pickled one would drag its case makers along)."""
    if location not in _ASSIGNMENTS:
        _ASSIGNMENTS[location] = load_location(location)
    return _ASSIGNMENTS[location]


def grade_one(location: Location, student: str, path: str, sha256: str, limits: Limits | None,
              snapshot: str | None = None) -> dict:
    """Grade ``path`` (its grader-owned ``snapshot`` when the batch took one) and return the gradebook's record; never raises.

    A snapshot is graded only if it still has the ``sha256`` planned for it: the record says which bytes were graded.
    """
    started = time.monotonic()
    try:
        tampered = verify(snapshot, sha256) if snapshot else None
        if tampered:
            record = failed_record("error", tampered)
        else:
            assignment = _load_assignment(location)
            report = grade(assignment, snapshot or path, hidden=True, limits=limits)
            record = report_record(report)
            record["status"], record["error"] = classify(report)
    except Exception as error:  # noqa: BLE001 - one broken grading must not stop the class's batch
        record = failed_record("error", f"the grader failed: {error!r}\n{traceback.format_exc()}")
    record.update(student=student, path=path, sha256=sha256, grader_version=__version__,
                  seconds=round(time.monotonic() - started, 3))
    return record


def failed_record(status: str, error: str) -> dict[str, Any]:
    """The record of a submission whose grading produced no report: ``error`` says why, in words."""
    gradescope = {"score": 0.0, "execution_time": 0.0, "output": error, "tests": []}
    return {"score": 0.0, "max_score": 0.0, "exercises": [], "problems": [error], "gradescope": gradescope,
            "status": status, "error": error}


def classify(report: GradeReport) -> tuple[str, str]:
    """The submission's status in the gradebook and, when it is not simply graded, why: read from the report's fields.

    "error" (the grader's own code failed on some exercise) is unfinished: a resumed batch grades it again.
    """
    if report.unreadable:
        return "unreadable", report.unreadable
    broken = report.grader_errors()
    if broken:
        return "error", "; ".join(f"{o.exercise.id}: {c.findings[0].message}" for o in broken for c in o.cases
                                  if c.status is Status.GRADER_ERROR)
    failures = [(report.load_failure, report.load_error)] if report.load_failure else []
    failures += [(case.status, case.findings[0].message) for outcome in report.exercises for case in outcome.cases if case.stopped]
    if not failures:
        return "graded", ""
    timed_out = [message for status, message in failures if status is Status.TIMED_OUT]
    return ("timeout", timed_out[0].splitlines()[0]) if timed_out else ("crashed", failures[0][1].splitlines()[0])


def report_record(report: GradeReport) -> dict[str, Any]:
    return {"score": report.score, "max_score": report.max_score, "problems": list(report.problems),
            "exercises": [_exercise_record(outcome) for outcome in report.exercises], "gradescope": to_gradescope(report)}


def _exercise_record(outcome: ExerciseOutcome) -> dict[str, Any]:
    mistake = outcome.mistake
    return {
        "id": outcome.exercise.id, "function": outcome.exercise.function, "status": str(outcome.status),
        "score": outcome.score, "max_score": outcome.max_score, "graded": outcome.graded,
        "mistake": mistake.name if mistake else None, "hint": mistake.hint if mistake else None,
        "notes": [_finding_record(f) for f in outcome.notes],
        "cases": [{"case": case.case.name, "hidden": case.case.hidden, "status": str(case.status), "passed": case.passed,
                   "crashed": case.stopped, "seconds": round(case.seconds, 4), "traceback": case.traceback,
                   "findings": [_finding_record(f) for f in case.findings]}
                  for case in outcome.cases],
    }


def _finding_record(finding: Finding) -> dict[str, str]:
    return {"kind": finding.kind, "message": finding.message, "code": finding.code}
