"""How an assignment is declared: exercises, their cases, judges and known mistakes.

An assignment is data. Nothing here runs student code; the engine does that
through the sandbox. Expected values are never stored: each case builds its
inputs from its own seeded generator, and the engine computes the expected
output by running the exercise's reference on them at grading time.

An :class:`Exercise` says what an exercise *is*: its id, the function students
write, its points, the reference, the cases, the judges that decide each case,
the graded functions it calls, known mistakes, correct alternatives, and its
notation (how positions in an output are named). How a case is judged lives in
the judges (:mod:`.judges`).
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import InitVar, dataclass, field
from typing import Any

import numpy as np

from .checks import PathNamer, default_namer
from .judges import ACCEPTANCE, CASE, Acceptance, CaseCheck, Judge, OutputAdapter, Values
from .protocol.trees import Tolerance
from .protocol.wire import Ref

__all__ = ["Assignment", "Case", "Exercise", "InputMaker", "Mistake", "PathNamer", "Tolerance"]

#: Builds a case's (args, kwargs) from the case's own generator.
InputMaker = Callable[[np.random.Generator], tuple[list, dict]]


@dataclass(frozen=True)
class Case:
    """One set of inputs. ``seed`` feeds the case's private generator; ``hidden`` cases run only in grading.

    ``data`` is whatever the case's maker attaches for its judges (a held-out set, the task it trains on).
    """

    name: str
    make_inputs: InputMaker
    seed: int = 0
    hidden: bool = False
    varies: str = ""  # what a hidden case changes, shown to students: "a deeper network"
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def inputs(self) -> tuple[list, dict]:
        """The case's (args, kwargs), built from its own generator: the same every time."""
        return self.make_inputs(np.random.default_rng(self.seed))


@dataclass(frozen=True)
class Mistake:
    """A known wrong implementation, with the hint a student gets when their output matches it."""

    name: str
    hint: str
    function: Callable[..., Any]


_MOVED = "Exercise({keyword}=...) is deprecated: {instead}"


@dataclass
class Exercise:
    """A function students implement, with everything needed to grade it fairly.

    ``signature`` defaults to the reference's (``inspect.signature``). ``judges`` default to comparing values
    with the reference's (:class:`~.judges.Values`). The keywords of the first API (``tolerance``,
    ``strict_dtype``, ``compare_output``, ``case_checks``, ``accept_if``, ``output_adapter``,
    ``outputs_adapted``) still work and become judges, with a DeprecationWarning.
    """

    id: str
    function: str
    signature: str = ""
    points: float = 0.0
    reference: Callable[..., Any] | None = None
    cases: Sequence[Case] = ()
    title: str = ""
    output_name: str = "output"
    name_path: PathNamer | None = None  # the notation: names a position in the output, e.g. "caches[0] ... A[0] = X"
    judges: Sequence[Judge] | None = None
    uses_randomness: bool = False  # drawing from NumPy's global generator is expected, not noted
    calls: Sequence[str] = ()  # other graded functions this one calls: answered by the reference
    mistakes: Sequence[Mistake] = ()
    alternatives: Sequence[Callable[..., Any]] = ()  # correct variants: the test suite checks they score full marks
    tolerance: InitVar[Tolerance | None] = None
    strict_dtype: InitVar[bool | None] = None
    compare_output: InitVar[bool | None] = None
    case_checks: InitVar[Sequence[Callable[..., list]] | None] = None
    accept_if: InitVar[Callable[..., tuple[bool, list]] | None] = None
    output_adapter: InitVar[Ref | None] = None
    outputs_adapted: InitVar[bool | None] = None

    def __post_init__(self, tolerance: Tolerance | None, strict_dtype: bool | None, compare_output: bool | None,
                      case_checks: Sequence[Callable] | None, accept_if: Callable | None, output_adapter: Ref | None,
                      outputs_adapted: bool | None) -> None:
        if self.reference is None or not callable(self.reference):
            raise TypeError(f"exercise {self.id!r}: reference must be the function that computes the expected output")
        if not self.signature:
            self.signature = plain_signature(self.reference)
        legacy = _legacy_judges(tolerance, strict_dtype, compare_output, case_checks, accept_if, output_adapter, outputs_adapted)
        if legacy is not None and self.judges is not None:
            raise TypeError(f"exercise {self.id!r}: give judges=[...] or the older keywords (tolerance, case_checks, ...), not both")
        self.judges = list(self.judges if self.judges is not None else legacy if legacy is not None else [Values()])

    # --- what the engine asks ---------------------------------------------------------------------------
    def case_judges(self) -> list[Judge]:
        return [judge for judge in self.judges if judge.role == CASE]

    def acceptance_judges(self) -> list[Judge]:
        return [judge for judge in self.judges if judge.role == ACCEPTANCE]

    def value_rule(self) -> Values:
        """The comparison that recognizes known mistakes: the exercise's ``Values`` judge, or the default one."""
        return next((judge for judge in self.judges if isinstance(judge, Values)), Values())

    def adapter(self) -> OutputAdapter | None:
        return next((judge for judge in self.judges if isinstance(judge, OutputAdapter)), None)

    def namer(self) -> PathNamer:
        return self.name_path or default_namer(self.output_name)

    def public_cases(self) -> list[Case]:
        return [case for case in self.cases if not case.hidden]

    def hidden_cases(self) -> list[Case]:
        return [case for case in self.cases if case.hidden]


def plain_signature(function: Callable[..., Any]) -> str:
    """``(layers_dims, seed=3)``: the parameters as a student's template shows them, without type annotations."""
    signature = inspect.signature(function)
    parameters = [parameter.replace(annotation=inspect.Parameter.empty) for parameter in signature.parameters.values()]
    return str(signature.replace(parameters=parameters, return_annotation=inspect.Signature.empty))


def _legacy_judges(tolerance: Tolerance | None, strict_dtype: bool | None, compare_output: bool | None,
                   case_checks: Sequence[Callable] | None, accept_if: Callable | None, output_adapter: Ref | None,
                   outputs_adapted: bool | None) -> list[Judge] | None:
    """The first API's keywords as judges; None when none was given."""
    given = {name: value for name, value in (("tolerance", tolerance), ("strict_dtype", strict_dtype),
                                              ("compare_output", compare_output), ("case_checks", case_checks),
                                              ("accept_if", accept_if), ("output_adapter", output_adapter),
                                              ("outputs_adapted", outputs_adapted)) if value is not None}
    if not given:
        return None
    warnings.warn(_MOVED.format(keyword="/".join(given), instead="pass judges=[...] (gradelab.grading.judges)"),
                  DeprecationWarning, stacklevel=4)
    rule = tolerance or Tolerance()
    judges: list[Judge] = []
    if output_adapter is not None:
        judges.append(OutputAdapter.of(output_adapter, bool(outputs_adapted)))
    judges.append(Values(rule.rtol, rule.atol, True if strict_dtype is None else strict_dtype,
                         judged=True if compare_output is None else compare_output))
    judges.extend(CaseCheck(check=check) for check in case_checks or ())
    if isinstance(accept_if, Judge):  # stats.seeded_initializer_check gives a judge now
        judges.append(accept_if)
    elif accept_if is not None:
        judges.append(Acceptance(verdict=accept_if))
    return judges


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
    #: The file holding the filled-in graded functions, beside the declaration (or a path relative to it): the
    #: student's notebook is made from it with the marked blocks emptied, and selftest grades it.
    solution: str = "solution.py"

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
