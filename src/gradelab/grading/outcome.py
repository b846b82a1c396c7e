"""What grading found, as data: statuses, findings, and the outcomes of cases, exercises and submissions.

Everything downstream (the terminal report, results.json, the gradebook, the batch's
classification) reads these fields. Messages are for people; no decision is ever
made by reading one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .spec import Assignment, Case, Exercise, Mistake


class Status(str, enum.Enum):
    """How a case or an exercise ended. A ``str`` so that it compares and serializes as its value."""

    PASSED = "passed"
    FAILED = "failed"  # the student's function ran and was judged wrong
    MISSING = "missing"  # the function is not defined, or the submission could not be read
    TIMED_OUT = "timed out"
    CRASHED = "crashed"  # the worker died: a signal, a memory limit, an exit
    REFUSED = "refused"  # the call failed after the sandbox refused something it tried (an import, a file)
    MALFORMED_REPLY = "malformed reply"  # the worker sent what the protocol does not allow
    GRADER_ERROR = "grader error"  # the grader's own code failed: not graded, never charged to the student

    def __str__(self) -> str:
        return self.value

    @property
    def graded(self) -> bool:
        """False only where the grader, not the submission, is at fault."""
        return self is not Status.GRADER_ERROR


@dataclass(frozen=True)
class Finding:
    """One observation about a case. Only ``kind == "fail"`` costs points; ``code`` says what it is about."""

    kind: str  # "fail", "warn" or "info"
    message: str
    code: str = ""  # e.g. "shape", "dtype", "values", "raised", "gradient", "distribution": for tools, never shown


@dataclass
class CaseOutcome:
    case: Case
    status: Status
    findings: list[Finding] = field(default_factory=list)
    value: Any = None  # the student's output, kept for matching known mistakes
    returned: bool = False
    seconds: float = 0.0
    stopped: bool = False  # the worker failed on this case (timeout, crash, malformed reply): the exercise stopped here
    traceback: str = ""  # a grader error's traceback, for the instructor

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    @property
    def crashed(self) -> bool:
        """The first API's name for ``stopped``."""
        return self.stopped


@dataclass
class ExerciseOutcome:
    exercise: Exercise
    score: float = 0.0
    status: Status = Status.FAILED
    cases: list[CaseOutcome] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    mistake: Mistake | None = None
    accepted_by: str = ""  # the registered name of the second verdict that accepted differing values

    @property
    def max_score(self) -> float:
        return float(self.exercise.points)

    @property
    def graded(self) -> bool:
        return self.status.graded


@dataclass
class GradeReport:
    assignment: Assignment
    submission: str
    exercises: list[ExerciseOutcome]
    problems: list[str] = field(default_factory=list)
    hidden_included: bool = True
    seconds: float = 0.0
    unreadable: str = ""  # why the submission file could not be read; empty when it was
    load_failure: Status | None = None  # the worker failed while running the submission's definitions
    load_error: str = ""  # what happened then, in words
    isolation: str = ""  # how the worker was walled in (isolation.Isolation.label); empty where no student code ran

    @property
    def isolated(self) -> bool:
        return self.isolation.startswith("kernel sandbox")

    @property
    def score(self) -> float:
        return round(sum(outcome.score for outcome in self.exercises), 2)

    @property
    def max_score(self) -> float:
        return float(sum(outcome.max_score for outcome in self.exercises))

    @property
    def passed(self) -> bool:
        return all(outcome.status is Status.PASSED for outcome in self.exercises)

    @property
    def gradable(self) -> bool:
        """PrairieLearn's sense: False when some exercise could not be graded through the grader's fault."""
        return all(outcome.graded for outcome in self.exercises)

    def grader_errors(self) -> list[ExerciseOutcome]:
        return [outcome for outcome in self.exercises if not outcome.graded]
