"""Grade one submission in a pool process and hand back plain data.

The result crosses a process boundary (a local pool or a Dask cluster), so it
is a dict of strings and numbers: engine objects hold lambdas (case input
makers) that cannot be pickled, and the parent needs nothing from them.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import inspect
import json
import re
import time
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..assignments import Location, load_location
from ..grading.engine import ExerciseOutcome, GradeReport, grade
from ..grading.judges import to_data
from ..grading.outcome import Finding, Status
from ..grading.report import to_gradescope
from ..grading.sandbox import Limits
from ..grading.spec import Assignment, Exercise
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
            graded = Path(snapshot or path)
            # A student's folder: its snapshot folder holds the notebook and the helper modules it imports, nothing else.
            helpers = sorted(p for p in graded.parent.glob("*.py") if p != graded) if snapshot else []
            report = grade(assignment, graded, hidden=True, limits=limits, helpers=helpers)
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
    return {"score": report.score, "max_score": report.max_score, "problems": list(report.problems), "isolation": report.isolation,
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


# --- what the assignment declares, as a digest: a gradebook's identity (gradebook.Identity) ------------------------------

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")  # a repr's memory address changes every run: it must not change the digest
_DEPTH = 12  # deep enough for cases' data and judges' configs; a cycle stops here instead of recursing forever


def declaration_digests(assignment: Assignment) -> dict[str, str]:
    """A sha256 per exercise of what decides its grade, and one for the whole assignment under the key "".

    What decides a grade: points, cases (name, seed, hidden, input maker's source, data), judges (as data when
    registered), the reference's and the known mistakes' source, graded calls. Titles, descriptions and correct
    alternatives are left out: changing them changes no grade, so it must not make a class be graded again.
    """
    digests = {exercise.id: _digest(_describe_exercise(exercise)) for exercise in assignment.exercises}
    whole = {"name": assignment.name, "student_modules": list(assignment.student_modules),
             "preload": list(assignment.preload), "exercises": [[key, value] for key, value in digests.items()]}
    return {"": _digest(whole), **digests}


def _digest(described: Any) -> str:
    text = json.dumps(described, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _describe_exercise(exercise: Exercise) -> dict[str, Any]:
    judges = [*exercise.case_judges(), *exercise.acceptance_judges()]
    return {
        "id": exercise.id, "function": exercise.function, "signature": exercise.signature, "points": exercise.points,
        "output_name": exercise.output_name, "uses_randomness": exercise.uses_randomness, "calls": list(exercise.calls),
        "reference": _describe(exercise.reference), "name_path": _describe(exercise.name_path),
        "judges": [to_data(judge) if judge.is_data else _describe(judge) for judge in judges],
        "cases": [{"name": case.name, "seed": case.seed, "hidden": case.hidden, "varies": case.varies,
                   "make_inputs": _describe(case.make_inputs), "data": _describe(case.data)} for case in exercise.cases],
        "mistakes": [{"name": m.name, "hint": m.hint, "function": _describe(m.function)} for m in exercise.mistakes],
    }


def _describe(value: Any, depth: int = 0) -> Any:
    """``value`` as plain data that is the same in every process: code as its source, arrays by their bytes' hash."""
    if value is None or isinstance(value, (bool, int, float, str)) or depth > _DEPTH:
        return value if depth <= _DEPTH else "..."
    if isinstance(value, np.ndarray):
        return {"array": str(value.dtype), "shape": list(value.shape),
                "sha256": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()}
    if isinstance(value, np.generic):
        return _describe(value.item(), depth)
    if isinstance(value, Mapping):
        return {str(key): _describe(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_describe(item, depth + 1) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_describe(item, depth + 1) for item in value), key=repr)
    if isinstance(value, functools.partial):
        return {"partial": _describe(value.func, depth + 1), "args": _describe(value.args, depth + 1),
                "keywords": _describe(value.keywords, depth + 1)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"type": type(value).__qualname__, **{f.name: _describe(getattr(value, f.name), depth + 1)
                                                     for f in dataclasses.fields(value)}}
    if callable(value):
        return _describe_code(value, depth)
    return _ADDRESS.sub("", repr(value))


def _describe_code(function: Any, depth: int) -> Any:
    """A function's source and the values it closes over (a factory's cases differ only there); its name if no source."""
    name = f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', type(function).__qualname__)}"
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):  # a builtin, a C function, code typed in a console: its name is all there is
        return name
    try:
        closed = inspect.getclosurevars(function).nonlocals if inspect.isfunction(function) else {}
    except (TypeError, ValueError):
        closed = {}
    return {"code": name, "source": source, "closure": _describe(dict(sorted(closed.items())), depth + 1)}
