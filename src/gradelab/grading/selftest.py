"""Grade an assignment's own solution, known mistakes and correct alternatives, as submissions.

This is how an instructor (and the test suite) proves an assignment fair:
the solution and every correct alternative must score full marks, and every
known mistake must lose points and be named.
"""

from __future__ import annotations

import importlib
import inspect
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .engine import GradeReport, grade
from .spec import Assignment, Exercise


@dataclass
class Variant:
    kind: str  # "solution", "mistake" or "alternative"
    exercise: Exercise | None
    label: str
    source: str


def assignment_folder(assignment: Assignment) -> Path:
    from ..assignments import locate

    location = locate(assignment)
    if location.path is not None:
        path = Path(location.path)
        return path if path.is_dir() else path.parent
    return Path(inspect.getfile(importlib.import_module(location.module))).parent


def solution_path(assignment: Assignment) -> Path:
    """The file ``Assignment.solution`` names, beside the declaration."""
    return assignment_folder(assignment) / assignment.solution


def solution_source(assignment: Assignment) -> str:
    return solution_path(assignment).read_text(encoding="utf-8")


def variant_source(solution: str, function_name: str, replacement: Callable) -> str:
    """The solution with ``function_name`` rebound to ``replacement``, whose whole module comes along for its helpers."""
    module_source = inspect.getsource(inspect.getmodule(replacement))
    return f"{solution}\n\n{module_source}\n\n{function_name} = {replacement.__name__}\n"


def variants(assignment: Assignment) -> Iterator[Variant]:
    solution = solution_source(assignment)
    yield Variant("solution", None, "the solution", solution)
    for exercise in assignment.exercises:
        for mistake in exercise.mistakes:
            yield Variant("mistake", exercise, mistake.name, variant_source(solution, exercise.function, mistake.function))
        for alternative in exercise.alternatives:
            yield Variant("alternative", exercise, alternative.__name__, variant_source(solution, exercise.function, alternative))


def grade_source(assignment: Assignment, source: str, only: list[str] | None = None) -> GradeReport:
    with tempfile.TemporaryDirectory(prefix="gradelab-selftest-") as folder:
        path = Path(folder) / "submission.py"
        path.write_text(source, encoding="utf-8")
        return grade(assignment, path, hidden=True, only=only)


def verdict(variant: Variant, report: GradeReport) -> str | None:
    """None when the variant was graded as it must be, else what went wrong."""
    if variant.kind in ("solution", "alternative"):
        if report.score != report.max_score:
            lost = [f"{o.exercise.id} {o.score:g}/{o.max_score:g}" for o in report.exercises if o.score != o.max_score]
            return f"{variant.kind} {variant.label} lost points: {', '.join(lost)}"
        return None
    outcome = report.exercises[0]
    if outcome.score >= outcome.max_score:
        return f"mistake {variant.label!r} of {variant.exercise.function} scored full marks"
    if outcome.mistake is None or outcome.mistake.name != variant.label:
        named = outcome.mistake.name if outcome.mistake else "nothing"
        return f"mistake {variant.label!r} of {variant.exercise.function} was not named (named: {named})"
    return None
