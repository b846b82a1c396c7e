"""How an assignment is declared: exercises, their cases, checks and known mistakes.

An assignment is data. Nothing here runs student code; the engine does that
through the sandbox. Expected values are never stored: each case builds its
inputs from its own seeded generator, and the engine computes the expected
output by running the exercise's reference on them at grading time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .wire import Ref

#: Builds a case's (args, kwargs) from the case's own generator.
InputMaker = Callable[[np.random.Generator], tuple[list, dict]]
#: Names a position in an output tree in course notation, e.g. (1, 0, 0, 0) -> "caches[0] linear cache A[0] = X".
PathNamer = Callable[[tuple], str]


@dataclass(frozen=True)
class Case:
    """One set of inputs. ``seed`` feeds the case's private generator; ``hidden`` cases run only in grading."""

    name: str
    make_inputs: InputMaker
    seed: int = 0
    hidden: bool = False
    varies: str = ""  # what a hidden case changes, shown to students: "a deeper network"


@dataclass(frozen=True)
class Mistake:
    """A known wrong implementation, with the hint a student gets when their output matches it."""

    name: str
    hint: str
    function: Callable[..., Any]


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-5
    atol: float = 1e-8


@dataclass
class Exercise:
    """A function students implement, with everything needed to grade it fairly."""

    id: str
    function: str
    signature: str
    points: float
    reference: Callable[..., Any]
    cases: Sequence[Case]
    title: str = ""
    output_name: str = "output"
    name_path: PathNamer | None = None
    tolerance: Tolerance = Tolerance()
    strict_dtype: bool = True
    uses_randomness: bool = False
    calls: Sequence[str] = ()  # other graded functions this one calls: answered by the reference
    mistakes: Sequence[Mistake] = ()
    alternatives: Sequence[Callable[..., Any]] = ()  # correct variants: the test suite checks they score full marks
    # Extra checks run on every case after the value comparison (e.g. finite differences).
    case_checks: Sequence[Callable[..., list]] = ()
    # False where many outputs are right (a trained model's parameters): the case_checks alone judge each case.
    # Known mistakes are still recognized by their values.
    compare_output: bool = True
    # When values differ from the reference, a second verdict that can still accept the answer
    # (e.g. a statistical check of a seeded initializer); it may call the student's function again.
    accept_if: Callable[..., tuple[bool, list]] | None = None
    # A student-module function turning the return value into plain data (a model into a dict of its layers):
    # the worker applies it before sending, the grader to the reference's and the known mistakes' outputs.
    output_adapter: Ref | None = None
    # True where the reference and the known mistakes already return the adapter's plain data (a recorded
    # assignment replays recorded outputs): the grader then applies ``output_adapter`` to the student's only.
    outputs_adapted: bool = False

    def public_cases(self) -> list[Case]:
        return [case for case in self.cases if not case.hidden]

    def hidden_cases(self) -> list[Case]:
        return [case for case in self.cases if case.hidden]


@dataclass
class Assignment:
    name: str
    title: str
    exercises: Sequence[Exercise]
    #: Modules students import that the worker may import too (helpers the course hands out).
    student_modules: Sequence[str] = ()
    #: Heavy modules the worker imports before the submission (once, in the fork server), e.g. "sklearn.datasets".
    preload: Sequence[str] = ()
    description: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def max_score(self) -> float:
        return float(sum(exercise.points for exercise in self.exercises))

    def exercise(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id or exercise.function == exercise_id:
                return exercise
        known = ", ".join(exercise.id for exercise in self.exercises)
        raise ValueError(f"assignment {self.name!r} has no exercise {exercise_id!r}; its exercises are: {known}")

    def reference_of(self, function: str) -> Callable[..., Any]:
        for exercise in self.exercises:
            if exercise.function == function:
                return exercise.reference
        raise KeyError(function)
