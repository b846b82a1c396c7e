"""Grade one submission in a pool process and hand back plain data.

The result crosses a process boundary (a local pool or a Dask cluster), so it
is a dict of strings and numbers: engine objects hold lambdas (case input
makers) that cannot be pickled, and the parent needs nothing from them.
"""

from __future__ import annotations

import importlib
import time
import traceback
from typing import Any

from .. import __version__
from ..grading.engine import ExerciseOutcome, GradeReport, grade
from ..grading.report import to_gradescope
from ..grading.sandbox import Limits
from ..grading.spec import Assignment
from ..grading.submission import SubmissionError, load_submission

_ASSIGNMENTS: dict[str, Assignment] = {}  # per process: loading an assignment once serves many submissions


def assignment_module(assignment: Assignment) -> str:
    """The importable module declaring ``assignment``, which pool processes load instead of unpickling it."""
    return assignment.extras.get("module", f"gradelab.assignments.{assignment.name}")


def _load_assignment(module: str) -> Assignment:
    if module not in _ASSIGNMENTS:
        _ASSIGNMENTS[module] = importlib.import_module(module).ASSIGNMENT
    return _ASSIGNMENTS[module]


def grade_one(module: str, student: str, path: str, sha256: str, limits: Limits | None) -> dict:
    """Grade ``path`` and return the plain record the gradebook stores; never raises."""
    started = time.monotonic()
    try:
        assignment = _load_assignment(module)
        report = grade(assignment, path, hidden=True, limits=limits)
        record = report_record(report)
        record["status"], record["error"] = classify(report, path)
    except Exception as error:  # noqa: BLE001 - one broken grading must not stop the class's batch
        record = {"score": 0.0, "max_score": 0.0, "exercises": [], "problems": [], "gradescope": None,
                  "status": "error", "error": f"the grader failed: {error!r}\n{traceback.format_exc()}"}
    record.update(student=student, path=path, sha256=sha256, grader_version=__version__,
                  seconds=round(time.monotonic() - started, 3))
    return record


def classify(report: GradeReport, path: str) -> tuple[str, str]:
    """The submission's status and, when it is not simply graded, why."""
    try:
        load_submission(path)
    except SubmissionError as error:
        return "unreadable", str(error)
    crashed = [outcome for outcome in report.exercises if outcome.status == "crashed"]
    load_failed = [p for p in report.problems if p.startswith("the submission could not be loaded")]
    messages = load_failed + [finding.message for outcome in crashed for case in outcome.cases for finding in case.findings
                              if case.crashed]
    if any("timed out" in message for message in messages):
        return "timeout", messages[0].splitlines()[0]
    if messages:
        return "crashed", messages[0].splitlines()[0]
    return "graded", ""


def report_record(report: GradeReport) -> dict[str, Any]:
    return {"score": report.score, "max_score": report.max_score, "problems": list(report.problems),
            "exercises": [_exercise_record(outcome) for outcome in report.exercises], "gradescope": to_gradescope(report)}


def _exercise_record(outcome: ExerciseOutcome) -> dict[str, Any]:
    mistake = outcome.mistake
    return {
        "id": outcome.exercise.id, "function": outcome.exercise.function, "status": outcome.status,
        "score": outcome.score, "max_score": outcome.max_score,
        "mistake": mistake.name if mistake else None, "hint": mistake.hint if mistake else None,
        "notes": [{"kind": f.kind, "message": f.message} for f in outcome.notes],
        "cases": [{"case": case.case.name, "hidden": case.case.hidden, "passed": case.passed, "crashed": case.crashed,
                   "seconds": round(case.seconds, 4), "findings": [{"kind": f.kind, "message": f.message} for f in case.findings]}
                  for case in outcome.cases],
    }
