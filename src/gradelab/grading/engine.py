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
  one mistake costs one exercise;
* a failure of the grader's own code (a reference, a judge) is a grader error:
  the exercise is "not graded", never charged to the student.

Each case ends with a :class:`~.outcome.Status`; the judges of the exercise
(:mod:`.judges`) decide the cases that returned.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import re
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import isolation
from .checks import Finding
from .judges import CaseContext, InputsKept, Values, fails
from .outcome import CaseOutcome, ExerciseOutcome, GradeReport, Status
from .protocol.wire import GLOBAL_SEED, resolve_refs
from .sandbox import CallFailed, CallResult, Limits, Sandbox
from .spec import Assignment, Case, Exercise, Mistake
from .submission import Submission, SubmissionError, load_submission

__all__ = ["CaseOutcome", "ExerciseOutcome", "GradeReport", "Probe", "Status", "fixed_global_rng", "grade", "grade_exercise",
           "grade_submission", "match_mistake", "run_reference"]

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
    """The reference's (or a known mistake's) output as the worker sends the student's: through the output adapter."""
    adapter = exercise.adapter()
    if adapter is None or adapter.adapted:
        return value
    return resolve_refs(adapter.ref, None)(value)


def expected_output(exercise: Exercise, function: Callable[..., Any], args: Sequence, kwargs: dict) -> Any:
    """What ``function`` (the reference or a known mistake) returns on a case, as the student's output arrives."""
    return adapt_output(exercise, run_reference(function, args, kwargs))


def case_expected(exercise: Exercise, case: Case, args: Sequence, kwargs: dict) -> Any:
    """The expected output of a case: recorded with the case (a bundle's recording), else the reference's."""
    if "expected" in case.data:
        return copy.deepcopy(case.data["expected"])
    return expected_output(exercise, exercise.reference, args, kwargs)


#: Appended to every submission's definitions: two calls in a row in one worker call, so that a judge sees whether a
#: function seeds its own draws (the worker seeds NumPy before every call it is asked for, which would hide it).
TWICE = "__gradelab_twice__"
TWICE_SOURCE = (f"def {TWICE}(__function, *args, **kwargs):\n"
                "    return [globals()[__function](*args, **kwargs), globals()[__function](*args, **kwargs)]\n")


class Probe:
    """Lets a judge call the student's function again (second verdicts, contracts)."""

    def __init__(self, sandbox: Sandbox, exercise: Exercise, stand_ins: dict) -> None:
        self.sandbox, self.exercise, self.stand_ins = sandbox, exercise, stand_ins

    def call(self, *args: Any, **kwargs: Any) -> Any:
        adapter = self.exercise.adapter()
        result = self.sandbox.call(self.exercise.function, list(args), kwargs, self.stand_ins,
                                   adapter=adapter.ref if adapter else None)
        if not result.ok:
            raise CallFailed(_error_text(result.error), Status.FAILED)
        return result.value

    def twice(self, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        result = self.sandbox.call(TWICE, [self.exercise.function, *args], kwargs, self.stand_ins)
        if not result.ok or not isinstance(result.value, list) or len(result.value) != 2:
            raise CallFailed(_error_text(result.error), Status.FAILED)
        return result.value[0], result.value[1]


def grade(assignment: Assignment, path: str | Path, hidden: bool = True, only: Sequence[str] | None = None,
          limits: Limits | None = None, helpers: Sequence[str | Path] = ()) -> GradeReport:
    """Grade one submission file; ``hidden=False`` runs only the cases students see.

    ``helpers``: the student's own modules that are part of the submission (importable by name while it runs).
    """
    started = time.monotonic()
    exercises = [assignment.exercise(name) for name in only] if only else list(assignment.exercises)
    try:
        submission = load_submission(path, helpers)
    except SubmissionError as error:
        outcomes = [ExerciseOutcome(exercise, status=Status.MISSING, notes=[Finding("fail", str(error), "unreadable")])
                    for exercise in exercises]
        return GradeReport(assignment, str(path), outcomes, [str(error)], hidden, time.monotonic() - started, unreadable=str(error))
    report = grade_submission(assignment, submission, exercises, hidden, limits)
    report.seconds = time.monotonic() - started
    return report


def grade_submission(assignment: Assignment, submission: Submission, exercises: Sequence[Exercise], hidden: bool,
                     limits: Limits | None) -> GradeReport:
    problems = list(submission.problems)
    outcomes: list[ExerciseOutcome] = []
    definitions = [*submission.definitions, ("grader", TWICE_SOURCE)]
    with Sandbox(definitions, limits, student_modules=assignment.student_modules, preload=assignment.preload,
                 protected=assignment.extras.get("protected", ()), modules=submission.modules) as sandbox:
        loaded = sandbox.start()
        problems.extend(loaded.get("problems", []))
        if not loaded.get("ok"):
            problems.append(f"the submission could not be loaded: {_error_text(loaded.get('error'))}")
        load_failure = sandbox.load_failure
        defined = set(loaded.get("functions", []))
        statuses: dict[str, str] = {}  # function -> "trusted", "passed" (but calls something untrusted) or "failed"
        for exercise in exercises:
            if exercise.function not in defined:
                outcome = ExerciseOutcome(exercise, status=Status.MISSING, notes=[_missing(exercise, defined, submission)])
            else:
                outcome = grade_exercise(assignment, exercise, sandbox, hidden, statuses, submission.unrun)
            passed = outcome.status is Status.PASSED
            trusted = passed and all(statuses.get(name) == "trusted" for name in exercise.calls)
            statuses[exercise.function] = "trusted" if trusted else "passed" if passed else "failed"
            outcomes.append(outcome)
    problems.extend(f"the submission {refused}" for refused in sandbox.refused)
    problems.extend(_unsaved(outcomes))
    load_error = _error_text(loaded.get("error")) if load_failure else ""
    walls = isolation.probe()
    if not walls.available:
        problems.append(f"not isolated: this submission ran behind the Python-level guard only ({walls.why})")
    return GradeReport(assignment, str(submission.path), outcomes, problems, hidden, load_failure=load_failure, load_error=load_error,
                       isolation=walls.label)


def _missing(exercise: Exercise, defined: set[str], submission: Submission) -> Finding:
    """Not defined: with "did you mean" for a near-miss name, or where a statement that was left out would define it."""
    message = f"{exercise.function}{exercise.signature} is not defined in the submission"
    if exercise.function in submission.unrun:
        message += f"; {submission.unrun[exercise.function]}"
    else:
        close = difflib.get_close_matches(exercise.function, sorted(defined), n=1, cutoff=0.75)
        if close:
            message += f"; did you mean {close[0]}? The grader looks for the name {exercise.function} exactly"
    return Finding("fail", message, "missing")


def _unsaved(outcomes: Sequence[ExerciseOutcome]) -> list[str]:
    """Every function ran and returned None, as the template's do: most likely the notebook was not saved."""
    returned = [case for outcome in outcomes for case in outcome.cases if case.returned]
    if len(returned) < 2 or any(case.value is not None for case in returned):
        return []
    if any(case.passed for case in returned):
        return []
    return ["every function returned None, as the template's functions do before they are written: did you save the "
            "notebook (File > Save) before checking it?"]


def grade_exercise(assignment: Assignment, exercise: Exercise, sandbox: Sandbox, hidden: bool,
                   statuses: dict[str, str] | None = None, unrun: dict[str, str] | None = None) -> ExerciseOutcome:
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
    probe = Probe(sandbox, exercise, stand_ins)
    for case in cases:
        outcome.cases.append(_grade_case(exercise, case, probe, unrun or {}))
        if outcome.cases[-1].stopped:
            break
    _decide(outcome, len(cases), probe)
    _note_stand_ins(outcome, stand_ins, statuses)
    if not hidden and exercise.hidden_cases():
        outcome.notes.append(Finding("info", hidden_note(exercise)))
    return outcome


def _decide(outcome: ExerciseOutcome, total: int, probe: Probe) -> None:
    """The exercise's status and score from its cases: a grader error or a stopped worker first, then the judges."""
    exercise, cases = outcome.exercise, outcome.cases
    broken = next((case for case in cases if case.status is Status.GRADER_ERROR), None)
    if broken is not None:
        outcome.status = Status.GRADER_ERROR
        outcome.notes.append(Finding("warn", f"not graded: the grader's own code failed on case {broken.case.name!r}. This is "
                                             "not a fault of your code; the instructor is told and will grade it again",
                                     "grader_error"))
        return
    stopped = next((case for case in cases if case.stopped), None)
    if stopped is not None:
        outcome.status = stopped.status
        return
    passed = sum(case.passed for case in cases)
    if passed == total:
        outcome.status, outcome.score = Status.PASSED, float(exercise.points)
        return
    if _second_verdict(outcome, probe):
        return
    outcome.status = Status.REFUSED if any(case.status is Status.REFUSED for case in cases) else Status.FAILED
    outcome.score = round(exercise.points * passed / total, 2)
    # A name that is not defined is not a wrong method: matching the cases that ran to a mistake would accuse falsely.
    outcome.mistake = None if any(_missing_name(case) for case in cases) else match_mistake(exercise, cases)


def _grade_case(exercise: Exercise, case: Case, probe: Probe, unrun: dict[str, str]) -> CaseOutcome:
    try:
        args, kwargs = case.inputs()
        expected = case_expected(exercise, case, args, kwargs)
    except Exception:  # noqa: BLE001 - the grader's own reference or input maker failed: not the student's fault
        return _grader_error(case, "building the case's inputs and expected output")
    adapter = exercise.adapter()
    try:
        result = probe.sandbox.call(exercise.function, list(args), dict(kwargs), probe.stand_ins,
                                    adapter=adapter.ref if adapter else None)
    except CallFailed as failure:
        message = f"{exercise.function} {failure}; the remaining cases of this exercise were not run"
        return CaseOutcome(case, failure.status, [Finding("fail", message, str(failure.status))], stopped=True)
    notes = _call_notes(exercise, result)
    if not result.ok:
        findings = [_raised(exercise, result.error, unrun), *notes]
        return CaseOutcome(case, Status.REFUSED if result.refused else Status.FAILED, findings, seconds=result.seconds)
    mutated = tuple(_argument_name(exercise, position) for position in result.mutated)
    context = CaseContext(exercise.id, exercise.function, case, args, kwargs, exercise.namer(), mutated)
    try:
        values, others = _judged(exercise, context, expected, result.value, probe)
    except CallFailed as failure:  # a contract's second call failed: the student's, like the first
        values, others = [], [Finding("fail", f"{exercise.function} failed when called again: {failure}", "raised")]
    except Exception:  # noqa: BLE001 - a judge that raises is a bug of the grader's, reported as one
        return _grader_error(case, "judging the case")
    findings = values + notes + others
    status = Status.FAILED if fails(findings) else Status.PASSED
    return CaseOutcome(case, status, findings, result.value, returned=True, seconds=result.seconds)


_NAME_ERROR = re.compile(r"name '(\w+)' is not defined")
#: Errors whose cause is known whatever the exercise: (pattern of "Type: message", hint in the course's notation).
ERROR_HINTS = [
    (re.compile(r"TypeError: only (0-dimensional|length-1|size-1) arrays can be converted to Python scalars"),
     "float() needs a single number, and NumPy 2 refuses float() of an array with dimensions, such as b of shape "
     "(1, 1, 1): write float(np.squeeze(b)) or b.item()"),
    (re.compile(r"TypeError: 'NoneType' object is not (subscriptable|iterable)"),
     "a function returned None: did it reach its return statement (and is the notebook saved)?"),
]


def _raised(exercise: Exercise, error: dict | None, unrun: dict[str, str]) -> Finding:
    """The error, and where the name it misses is assigned by a statement the checker left out (NameError)."""
    message = f"{exercise.function} raised {_error_text(error)}"
    found = _NAME_ERROR.search((error or {}).get("message", "")) if (error or {}).get("type") == "NameError" else None
    if found is None:
        hint = next((hint for pattern, hint in ERROR_HINTS if pattern.search(_error_text(error))), "")
        return Finding("fail", f"{message}\nHint: {hint}" if hint else message, "raised")
    name = found.group(1)
    if name in unrun:
        return Finding("fail", f"{message}\n{unrun[name]}", "name_error")
    return Finding("fail", f"{message}\n{name} is not defined where {exercise.function} runs: define it (or import it) at "
                           "the top level of a code cell, not inside another function or an experiment", "name_error")


def _missing_name(case: CaseOutcome) -> bool:
    return any(finding.code == "name_error" for finding in case.findings)


def _judged(exercise: Exercise, context: CaseContext, expected: Any, got: Any,
            probe: Probe) -> tuple[list[Finding], list[Finding]]:
    """The value comparison's findings (shown first, before the call's notes) and every other judge's."""
    values, others = [], []
    for judge in exercise.case_judges():
        (values if isinstance(judge, Values) else others).extend(judge.judge(context, expected, got, probe))
    return values, others


def _grader_error(case: Case, doing: str) -> CaseOutcome:
    trace = traceback.format_exc()
    message = f"the grader failed while {doing}: {trace.strip().splitlines()[-1]}"
    return CaseOutcome(case, Status.GRADER_ERROR, [Finding("warn", message, "grader_error")], traceback=trace)


def _call_notes(exercise: Exercise, result: CallResult) -> list[Finding]:
    notes = []
    if result.rng_used and not exercise.uses_randomness:
        notes.append(Finding("info", f"{exercise.function} drew from NumPy's global random generator, which it does not need; "
                                     "this does not change your grade here, but in a notebook it shifts every random "
                                     "number drawn after it", "global_rng"))
    kept = {name for judge in exercise.judges if isinstance(judge, InputsKept) for name in judge.arguments}
    warned = [position for position in result.mutated if _argument_name(exercise, position) not in kept]
    if warned:  # arguments the template promises to keep fail the case instead (the inputs_kept judge)
        names = ", ".join(_argument_name(exercise, position) for position in warned)
        notes.append(Finding("warn", f"{exercise.function} changed its input {names} in place; the grader passed a copy, "
                                     "but a caller's array would be modified", "mutated"))
    for refused in result.refused:  # even where the student's code caught the error, the attempt is reported
        notes.append(Finding("warn", f"{exercise.function} {refused}", "refused"))
    if result.stdout.strip():
        notes.append(Finding("info", f"{exercise.function} printed: {result.stdout.strip()[:300]}", "printed"))
    return notes


def _argument_name(exercise: Exercise, position: str) -> str:
    names = [part.strip().split("=")[0].strip() for part in exercise.signature.strip("()").split(",") if part.strip()]
    return names[int(position)] if position.isdigit() and int(position) < len(names) else position


def _reference_answer(assignment: Assignment) -> Callable[[str, list, dict], Any]:
    def answer(name: str, args: list, kwargs: dict) -> Any:
        return run_reference(assignment.reference_of(name), args, kwargs, assignment.student_modules)

    return answer


def _second_verdict(outcome: ExerciseOutcome, probe: Probe) -> bool:
    """Where values differ from the reference, an acceptance judge may still accept the answer (e.g. in distribution)."""
    exercise = outcome.exercise
    failing = [case for case in outcome.cases if not case.passed]
    if not failing or not all(_differs_in_values_only(case) for case in failing):
        return False  # a shape, keys, layer count or error is wrong whatever numbers were drawn: it stays failed
    failed = failing[0]
    for judge in exercise.acceptance_judges():
        args, kwargs = failed.case.inputs()
        context = CaseContext(exercise.id, exercise.function, failed.case, args, kwargs, exercise.namer())
        try:
            findings = list(judge.judge(context, None, failed.value, probe))
        except CallFailed as error:
            findings = [Finding("fail", f"{exercise.function} failed while being checked in distribution: {error}", "raised")]
        outcome.notes.extend(findings)
        if not fails(findings):
            outcome.status, outcome.score, outcome.accepted_by = Status.PASSED, float(exercise.points), judge.name
            return True
    return False


#: Finding codes of values that differ where the shapes, keys and types are right: what other random numbers change.
FORGIVABLE = frozenset({"values", "number", "entries"})


def _differs_in_values_only(case: CaseOutcome) -> bool:
    """The case returned, and every failing finding is about values (not shape, keys, type, an error or a contract)."""
    failures = [finding for finding in case.findings if finding.kind == "fail"]
    return case.returned and bool(failures) and all(finding.code in FORGIVABLE for finding in failures)


def match_mistake(exercise: Exercise, cases: Sequence[CaseOutcome]) -> Mistake | None:
    """The first known mistake whose output equals the student's on every case where the student returned."""
    returned = [outcome for outcome in cases if outcome.returned]
    if not returned:
        return None
    for mistake in exercise.mistakes:
        if all(_same_as_mistake(exercise, mistake, outcome) for outcome in returned):
            return mistake
    return None


def _same_as_mistake(exercise: Exercise, mistake: Mistake, outcome: CaseOutcome) -> bool:
    recorded = outcome.case.data.get("mistake_outputs", {})
    if mistake.name in recorded:  # a recording carries each mistake's output on its cases
        if not recorded[mistake.name]["ran"]:
            return False
        wrong = recorded[mistake.name]["value"]
    else:
        args, kwargs = outcome.case.inputs()
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):  # a known mistake may overflow: that is its output
                warnings.simplefilter("ignore")
                wrong = expected_output(exercise, mistake.function, args, kwargs)
        except Exception:  # noqa: BLE001 - a mistake may simply not run on some inputs
            return False
    return not fails(exercise.value_rule().compare(wrong, outcome.value, exercise.namer()))


def _note_stand_ins(outcome: ExerciseOutcome, stand_ins: dict, statuses: dict[str, str]) -> None:
    why = {"failed": "which failed above", "passed": "which calls a function that failed above",
           None: "which was not graded on its own in this run"}
    for name in stand_ins:
        outcome.notes.append(Finding("info", f"graded with the reference {name} in place of yours, {why[statuses.get(name)]}, "
                                             "so that a mistake there is not counted twice", "stand_in"))


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
