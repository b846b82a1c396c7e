"""The grading engine: run a submission's functions on fair cases and judge them in the grader's process.

Fairness rules, each enforced here rather than left to test authors:

* every case builds its inputs from its own seeded generator, before and
  independently of the student's code (a student's ``np.random.randn`` can
  never shift the inputs of a later case);
* the global random state is fixed before every call, here and in the worker,
  and restored after;
* inputs cross the process boundary, so the student always gets copies;
* expected values come from the reference, run at grading time;
* graded functions that an exercise calls are answered by the reference, so
  one mistake costs one exercise.
"""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .checks import Finding, compare, default_namer
from .sandbox import CallFailed, CallResult, Limits, Sandbox
from .spec import Assignment, Case, Exercise, Mistake
from .submission import Submission, SubmissionError, load_submission
from .wire import resolve_refs
from .worker import GLOBAL_SEED

REFERENCE_SEED = GLOBAL_SEED  # the same fixed global state as in the worker, so seed-ignoring mistakes can be recognized


@contextlib.contextmanager
def fixed_global_rng(seed: int = REFERENCE_SEED) -> Iterator[None]:
    """Seed NumPy's global generator for the block and put the caller's state back afterwards."""
    saved = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(saved)


def run_reference(function: Callable[..., Any], args: Sequence, kwargs: dict, modules: Sequence[str] | None = None) -> Any:
    """Call trusted code on private copies with the global random state fixed.

    Functions named in the arguments (wire.Ref) are resolved first; ``modules`` limits them to the student
    modules where the arguments came from the worker (None: the grader's own case inputs).
    """
    args, kwargs = resolve_refs((copy.deepcopy(list(args)), copy.deepcopy(kwargs)), modules)
    with fixed_global_rng():
        return function(*args, **kwargs)


def adapt_output(exercise: Exercise, value: Any) -> Any:
    """The reference's (or a known mistake's) output as the worker sends the student's: through ``output_adapter``."""
    if exercise.output_adapter is None or exercise.outputs_adapted:
        return value
    return resolve_refs(exercise.output_adapter, None)(value)


@dataclass
class CaseOutcome:
    case: Case
    passed: bool
    findings: list[Finding] = field(default_factory=list)
    value: Any = None  # the student's output, kept for matching known mistakes
    returned: bool = False
    crashed: bool = False  # the worker failed (timeout, crash): the exercise stops here
    seconds: float = 0.0


@dataclass
class ExerciseOutcome:
    exercise: Exercise
    score: float = 0.0
    status: str = "failed"  # passed, failed, missing, crashed
    cases: list[CaseOutcome] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    mistake: Mistake | None = None

    @property
    def max_score(self) -> float:
        return float(self.exercise.points)


@dataclass
class GradeReport:
    assignment: Assignment
    submission: str
    exercises: list[ExerciseOutcome]
    problems: list[str] = field(default_factory=list)
    hidden_included: bool = True
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return round(sum(outcome.score for outcome in self.exercises), 2)

    @property
    def max_score(self) -> float:
        return float(sum(outcome.max_score for outcome in self.exercises))

    @property
    def passed(self) -> bool:
        return all(outcome.status == "passed" for outcome in self.exercises)


class Probe:
    """Lets a second verdict (``Exercise.accept_if``) call the student's function again."""

    def __init__(self, sandbox: Sandbox, exercise: Exercise, stand_ins: dict) -> None:
        self.sandbox, self.exercise, self.stand_ins = sandbox, exercise, stand_ins

    def call(self, *args: Any, **kwargs: Any) -> Any:
        result = self.sandbox.call(self.exercise.function, list(args), kwargs, self.stand_ins,
                                   adapter=self.exercise.output_adapter)
        if not result.ok:
            raise CallFailed(_error_text(result.error))
        return result.value


def grade(assignment: Assignment, path: str | Path, hidden: bool = True, only: Sequence[str] | None = None,
          limits: Limits | None = None) -> GradeReport:
    """Grade one submission file; ``hidden=False`` runs only the cases students see."""
    started = time.monotonic()
    exercises = [assignment.exercise(name) for name in only] if only else list(assignment.exercises)
    try:
        submission = load_submission(path)
    except SubmissionError as error:
        outcomes = [ExerciseOutcome(exercise, status="missing", notes=[Finding("fail", str(error))]) for exercise in exercises]
        return GradeReport(assignment, str(path), outcomes, [str(error)], hidden, time.monotonic() - started)
    report = grade_submission(assignment, submission, exercises, hidden, limits)
    report.seconds = time.monotonic() - started
    return report


def grade_submission(assignment: Assignment, submission: Submission, exercises: Sequence[Exercise], hidden: bool,
                     limits: Limits | None) -> GradeReport:
    problems = list(submission.problems)
    outcomes: list[ExerciseOutcome] = []
    with Sandbox(submission.definitions, limits, student_modules=assignment.student_modules, preload=assignment.preload,
                 protected=assignment.extras.get("protected", ())) as sandbox:
        loaded = sandbox.start()
        problems.extend(loaded.get("problems", []))
        if not loaded.get("ok"):
            problems.append(f"the submission could not be loaded: {_error_text(loaded.get('error'))}")
        defined = set(loaded.get("functions", []))
        statuses: dict[str, str] = {}  # function -> "trusted", "passed" (but calls something untrusted) or "failed"
        for exercise in exercises:
            if exercise.function not in defined:
                outcome = ExerciseOutcome(exercise, status="missing", notes=[Finding(
                    "fail", f"{exercise.function}{exercise.signature} is not defined in the submission")])
            else:
                outcome = grade_exercise(assignment, exercise, sandbox, hidden, statuses)
            trusted = outcome.status == "passed" and all(statuses.get(name) == "trusted" for name in exercise.calls)
            statuses[exercise.function] = "trusted" if trusted else "passed" if outcome.status == "passed" else "failed"
            outcomes.append(outcome)
    problems.extend(f"the submission {refused}" for refused in sandbox.refused)
    return GradeReport(assignment, str(submission.path), outcomes, problems, hidden)


def grade_exercise(assignment: Assignment, exercise: Exercise, sandbox: Sandbox, hidden: bool,
                   statuses: dict[str, str] | None = None) -> ExerciseOutcome:
    """Run every selected case, then the second verdict and the known mistakes where it failed.

    One mistake, one deduction: each graded function this exercise calls is answered by the reference
    (a stand-in, through the process boundary) unless ``statuses`` marks the student's own "trusted": it
    passed in this run, and so did everything it calls. Trusted functions run as the student wrote them,
    with no round trip, which keeps correct submissions fast.
    """
    statuses = statuses or {}
    outcome = ExerciseOutcome(exercise)
    stand_ins = {name: _reference_answer(assignment) for name in exercise.calls if statuses.get(name) != "trusted"}
    cases = list(exercise.cases) if hidden else exercise.public_cases()
    for case in cases:
        case_outcome = _grade_case(exercise, case, sandbox, stand_ins)
        outcome.cases.append(case_outcome)
        if case_outcome.crashed:
            outcome.status = "crashed"
            break
    passed = sum(case.passed for case in outcome.cases)
    if passed == len(cases) and outcome.status != "crashed":
        outcome.status, outcome.score = "passed", float(exercise.points)
    elif outcome.status != "crashed":
        _second_verdict(outcome, sandbox, stand_ins)
        if outcome.status != "passed":
            outcome.score = round(exercise.points * passed / len(cases), 2)
            outcome.mistake = match_mistake(exercise, outcome.cases)
    _note_stand_ins(outcome, stand_ins, statuses)
    if not hidden and exercise.hidden_cases():
        outcome.notes.append(Finding("info", hidden_note(exercise)))
    return outcome


def _grade_case(exercise: Exercise, case: Case, sandbox: Sandbox, stand_ins: dict) -> CaseOutcome:
    args, kwargs = case.make_inputs(np.random.default_rng(case.seed))
    expected = adapt_output(exercise, run_reference(exercise.reference, args, kwargs))
    try:
        result = sandbox.call(exercise.function, list(args), dict(kwargs), stand_ins, adapter=exercise.output_adapter)
    except CallFailed as error:
        message = f"{exercise.function} {error}; the remaining cases of this exercise were not run"
        return CaseOutcome(case, passed=False, findings=[Finding("fail", message)], crashed=True)
    findings = _call_notes(exercise, result)
    if not result.ok:
        findings.insert(0, Finding("fail", f"{exercise.function} raised {_error_text(result.error)}"))
        return CaseOutcome(case, passed=False, findings=findings, seconds=result.seconds)
    namer = exercise.name_path or default_namer(exercise.output_name)
    if exercise.compare_output:
        findings[:0] = compare(expected, result.value, namer, exercise.tolerance, exercise.strict_dtype)
    for check in exercise.case_checks:
        findings.extend(check(args, kwargs, expected, result.value))
    passed = not any(finding.kind == "fail" for finding in findings)
    return CaseOutcome(case, passed, findings, result.value, returned=True, seconds=result.seconds)


def _call_notes(exercise: Exercise, result: CallResult) -> list[Finding]:
    notes = []
    if result.rng_used and not exercise.uses_randomness:
        notes.append(Finding("info", f"{exercise.function} drew from NumPy's global random generator, which it does not need; "
                                     "this does not change your grade here, but in a notebook it shifts every random "
                                     "number drawn after it"))
    if result.mutated:
        names = ", ".join(_argument_name(exercise, position) for position in result.mutated)
        notes.append(Finding("warn", f"{exercise.function} changed its input {names} in place; the grader passed a copy, "
                                     "but a caller's array would be modified"))
    for refused in result.refused:  # even where the student's code caught the error, the attempt is reported
        notes.append(Finding("warn", f"{exercise.function} {refused}"))
    if result.stdout.strip():
        notes.append(Finding("info", f"{exercise.function} printed: {result.stdout.strip()[:300]}"))
    return notes


def _argument_name(exercise: Exercise, position: str) -> str:
    names = [part.strip().split("=")[0].strip() for part in exercise.signature.strip("()").split(",") if part.strip()]
    return names[int(position)] if position.isdigit() and int(position) < len(names) else position


def _reference_answer(assignment: Assignment) -> Callable[[str, list, dict], Any]:
    def answer(name: str, args: list, kwargs: dict) -> Any:
        return run_reference(assignment.reference_of(name), args, kwargs, assignment.student_modules)

    return answer


def _second_verdict(outcome: ExerciseOutcome, sandbox: Sandbox, stand_ins: dict) -> None:
    """Where values differ from the reference, an exercise may still accept the answer (e.g. in distribution)."""
    exercise = outcome.exercise
    if exercise.accept_if is None or not any(case.returned for case in outcome.cases):
        return
    try:
        accepted, findings = exercise.accept_if(Probe(sandbox, exercise, stand_ins))
    except CallFailed as error:
        accepted, findings = False, [Finding("fail", f"{exercise.function} failed while being checked in distribution: {error}")]
    outcome.notes.extend(findings)
    if accepted:
        outcome.status, outcome.score = "passed", float(exercise.points)


def match_mistake(exercise: Exercise, cases: Sequence[CaseOutcome]) -> Mistake | None:
    """The first known mistake whose output equals the student's on every case where the student returned."""
    returned = [outcome for outcome in cases if outcome.returned]
    if not returned:
        return None
    namer = default_namer(exercise.output_name)
    for mistake in exercise.mistakes:
        if all(_same_as_mistake(exercise, mistake, outcome, namer) for outcome in returned):
            return mistake
    return None


def _same_as_mistake(exercise: Exercise, mistake: Mistake, outcome: CaseOutcome, namer: Callable) -> bool:
    args, kwargs = outcome.case.make_inputs(np.random.default_rng(outcome.case.seed))
    try:
        wrong = adapt_output(exercise, run_reference(mistake.function, args, kwargs))
    except Exception:  # noqa: BLE001 - a mistake may simply not run on some inputs
        return False
    return not any(f.kind == "fail" for f in compare(wrong, outcome.value, namer, exercise.tolerance, exercise.strict_dtype))


def _note_stand_ins(outcome: ExerciseOutcome, stand_ins: dict, statuses: dict[str, str]) -> None:
    why = {"failed": "which failed above", "passed": "which calls a function that failed above",
           None: "which was not graded on its own in this run"}
    for name in stand_ins:
        outcome.notes.append(Finding("info", f"graded with the reference {name} in place of yours, {why[statuses.get(name)]}, "
                                             "so that a mistake there is not counted twice"))


def hidden_note(exercise: Exercise) -> str:
    hidden = exercise.hidden_cases()
    varies = sorted({case.varies for case in hidden if case.varies})
    what = f": {', '.join(varies)}" if varies else ""
    return (f"the instructor's grading adds {len(hidden)} more case{'s' if len(hidden) != 1 else ''} to this exercise{what}; "
            "passing the public cases is not the final grade")


def _error_text(error: dict | None) -> str:
    if not error:
        return "an error"
    text = f"{error.get('type', 'Error')}: {error.get('message', '')}"
    if error.get("traceback"):
        text += "\n" + error["traceback"].rstrip()
    return text
