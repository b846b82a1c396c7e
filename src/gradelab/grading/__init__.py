"""The grading engine's public API, for instructors who declare assignments and for tools that grade them.

    from gradelab.grading import Assignment, Exercise, Case, Mistake, judges, grade

Exports are resolved on first use (PEP 562): the worker, which runs student code, imports
``gradelab.grading.inside.worker`` and must not load the grader's side (engine, judges, references)
by importing this package.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    # declaring an assignment
    "Assignment": "spec", "Exercise": "spec", "Case": "spec", "Mistake": "spec", "Tolerance": "protocol.trees",
    "judges": None, "Judge": "judges", "CaseContext": "judges", "Values": "judges", "OutputAdapter": "judges",
    "FiniteDifferences": "judges", "SeededDraws": "judges", "register": "judges", "witness": "judges",
    "Ref": "protocol.wire",
    # grading and what it returns
    "grade": "engine", "Limits": "protocol.limits", "Status": "outcome", "Finding": "outcome", "CaseOutcome": "outcome",
    "ExerciseOutcome": "outcome", "GradeReport": "outcome",
    # comparing trees of plain data, one rule everywhere
    "compare": "checks", "same_tree": "protocol.trees",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_EXPORTS[name] or name}")
    value = module if _EXPORTS[name] is None else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
