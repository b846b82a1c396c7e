"""Recorded public cases: local checks for students who have no declaration, reference or hidden case.

Two recordings. :func:`record_checks` (``tests/checks.npz`` of every bundle, shipped assignments too) is what
the bundle's NumPy-only checker (gradelab/checker) reads: each public case's inputs and expected output, the
known mistakes' outputs and hints, the judges as data, the reference's answers to the graded calls an
exercise makes on those inputs (recorded by running the solution with its calls intercepted), and what the
judges that need the reference compute on each public case (numerical gradients, a model's held-out set),
so those judges run locally too. The older wire recording below serves ``gradelab check --recorded``.

The wire recording (bundles before the checker: ``tests/public_cases.wire``) holds everything the public check
needs as plain data, and ``gradelab check --recorded tests/public_cases.wire NOTEBOOK`` rebuilds an in-memory
:class:`Assignment` from it and grades with the normal engine and worker. Each rebuilt case carries its
recorded expected output and the known mistakes' outputs in ``Case.data`` (the engine uses them instead of
running a reference), so nothing is looked up by comparing inputs.

The file is written with :func:`wire.encode` (JSON header and raw array bytes, never pickle): reading it
runs nothing. Functions cross only as :class:`wire.Ref` names of student-module functions, resolved when
grading. Values that are not plain data make ``assign`` fail, naming the exercise and case.

What the wire recording keeps and drops (the checks recording keeps the calls' answers, finite differences,
the trained model's judge and the course's names of positions):

**Kept** (data): id, function, signature, points, title, output name, uses_randomness; every judge that is
registered by name and runs without the reference (``judge.is_data and judge.local``: value comparison,
output adapter, seeded draws in distribution), as ``{"name", "config"}``; for each *public* case its name,
inputs and expected output; each known mistake's name, hint and output on each public case (so local
checks still name mistakes and give hints); the note on how many hidden cases there are and what they vary.

**Dropped**, each with a note in the student's report:

* ``Exercise.calls`` (stand-ins): without the reference, the student's own functions answer the calls
  an exercise makes, so one mistake may show in two exercises locally (not in the instructor's grading);
* judges that need the reference or are not data (finite differences, training behaviour, an old-style
  ``accept_if`` or ``case_checks``): they run only in the instructor's grading;
* ``name_path``: differences are named after ``output_name`` instead of in course notation.

**Never written:** hidden cases, reference code, known mistakes' code, alternatives.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..checker import PROBED_JUDGES
from . import judges as judging
from .checks import Finding
from .engine import GradeReport, expected_output, hidden_note, run_reference
from .judges import ACCEPTANCE, Judge, OutputAdapter, Values
from .protocol import wire
from .spec import Assignment, Case, Exercise, Mistake

FORMAT, VERSION = "gradelab recorded public cases", 2
FILE_NAME = "public_cases.wire"


class RecordingError(ValueError):
    """An assignment whose public cases cannot be recorded as data, or a file that is not a recording."""


# --- recording (the instructor's machine) ------------------------------------------------------------------

def record(assignment: Assignment) -> dict:
    """The public part of ``assignment`` as plain data; runs the reference and the known mistakes on public cases."""
    return {"format": FORMAT, "version": VERSION, "name": assignment.name, "title": assignment.title,
            "description": assignment.description, "student_modules": list(assignment.student_modules),
            "preload": list(assignment.preload), "exercises": [_record_exercise(e) for e in assignment.exercises]}


def encode_recording(assignment: Assignment) -> bytes:
    """:func:`record` in the wire format; a :class:`RecordingError` where a value is not plain data."""
    return wire.encode(record(assignment))


def _record_exercise(exercise: Exercise) -> dict:
    cases, mistakes = [], [{"name": m.name, "hint": m.hint, "outputs": []} for m in exercise.mistakes]
    for case in exercise.public_cases():
        where = f"exercise {exercise.id}, case {case.name!r}"
        args, kwargs = case.inputs()  # as the engine builds them
        expected = expected_output(exercise, exercise.reference, args, kwargs)
        cases.append({"name": case.name, "args": _plain(list(args), f"{where}: args"),
                      "kwargs": _plain(dict(kwargs), f"{where}: kwargs"),
                      "expected": _plain(expected, f"{where}: the reference's output")})
        for entry, mistake in zip(mistakes, exercise.mistakes):
            entry["outputs"].append(_mistake_output(exercise, mistake, args, kwargs, where))
    kept = [judge for judge in exercise.judges if judge.is_data and judge.local]
    return {"id": exercise.id, "function": exercise.function, "signature": exercise.signature,
            "points": float(exercise.points), "title": exercise.title, "output_name": exercise.output_name,
            "uses_randomness": bool(exercise.uses_randomness),
            "judges": [_plain(judging.to_data(judge), f"exercise {exercise.id}: judge {judge.name}") for judge in kept],
            "cases": cases, "mistakes": mistakes, "hidden_note": hidden_note(exercise) if exercise.hidden_cases() else "",
            "notes": _dropped_notes(exercise, [judge for judge in exercise.judges if judge not in kept])}


def _mistake_output(exercise: Exercise, mistake: Mistake, args: list, kwargs: dict, where: str) -> dict:
    try:
        wrong = expected_output(exercise, mistake.function, args, kwargs)
    except Exception:  # noqa: BLE001 - as in the engine: a mistake that does not run on a case is never matched
        return {"ran": False}
    return {"ran": True, "value": _plain(wrong, f"{where}: known mistake {mistake.name!r}'s output")}


def _dropped_notes(exercise: Exercise, dropped: list[Judge]) -> list[str]:
    notes = []
    if exercise.calls:
        names = ", ".join(exercise.calls)
        notes.append(f"here your own {names} answer{'s' if len(exercise.calls) == 1 else ''} the calls {exercise.function} "
                     f"makes; the instructor's grading answers them with the reference's {names}, so that a mistake "
                     "there is not counted twice")
    if any(judge.role == ACCEPTANCE for judge in dropped):
        notes.append("answers that differ from the reference's values but are still right (a second verdict of the "
                     "instructor's) are recognized only by the instructor's grading, not by this local check")
    checks = [judge for judge in dropped if judge.role != ACCEPTANCE]
    if checks:
        notes.append(f"{len(checks)} further check{'s' if len(checks) != 1 else ''} of each "
                     "case (such as finite differences) run only in the instructor's grading")
        if not exercise.value_rule().judged:
            notes.append(f"this local check does not judge {exercise.function}'s values (many are right), only that it "
                         "runs and whether it matches a known mistake")
    return notes


def _plain(value: Any, where: str) -> Any:
    """``value`` as it reads back from the wire; a :class:`RecordingError` naming ``where`` if it is not plain data."""
    try:
        decoded = wire.decode(wire.encode(value))
    except wire.WireError as error:
        raise RecordingError(f"{where} cannot be recorded: {error}") from None
    found = _first_opaque(decoded, "")
    if found is not None:
        path, opaque = found
        raise RecordingError(f"{where}{path} is a {opaque.type_name}, which cannot be recorded as data: use arrays, "
                             "numbers, strings, lists, tuples and dicts, or wire.Ref for a student-module function")
    return decoded


def _first_opaque(tree: Any, path: str) -> tuple[str, wire.Opaque] | None:
    if type(tree) is wire.Opaque:
        return path, tree
    items = tree.items() if type(tree) is dict else enumerate(tree) if type(tree) in (list, tuple) else ()
    for key, item in items:
        found = _first_opaque(item, f"{path}[{key!r}]")
        if found is not None:
            return found
    return None


# --- replaying (the student's machine) ---------------------------------------------------------------------

def load_recording(path: str | Path) -> Assignment:
    """The in-memory assignment a recording describes; notes on what it cannot check go in ``extras``."""
    try:
        data = wire.decode(Path(path).read_bytes())
    except wire.WireError as error:
        raise RecordingError(f"{path} is not a recording of public cases: {error}") from None
    if type(data) is not dict or data.get("format") != FORMAT:
        raise RecordingError(f"{path} is not a recording of public cases")
    if data.get("version") != VERSION:
        raise RecordingError(f"{path} was recorded in format version {data.get('version')}; this gradelab reads "
                             f"version {VERSION}: update gradelab, or ask for the bundle again")
    exercises, notes = [], {}
    for entry in data["exercises"]:
        exercise, exercise_notes = _replay_exercise(entry)
        exercises.append(exercise)
        notes[exercise.id] = exercise_notes
    return Assignment(name=data["name"], title=data["title"], exercises=exercises, description=data["description"],
                      student_modules=tuple(data["student_modules"]), preload=tuple(data["preload"]),
                      extras={"recording": str(path), "recorded_notes": notes})


def _replay_exercise(entry: dict) -> tuple[Exercise, list[str]]:
    notes = list(entry["notes"])
    cases = []
    for index, case in enumerate(entry["cases"]):
        outputs = {m["name"]: m["outputs"][index] for m in entry["mistakes"]}
        cases.append(Case(case["name"], _recorded_inputs(case["args"], case["kwargs"]),
                          data={"expected": case["expected"], "mistake_outputs": outputs}))
    mistakes = [Mistake(m["name"], m["hint"], _not_recorded(f"known mistake {m['name']!r}")) for m in entry["mistakes"]]
    exercise = Exercise(id=entry["id"], function=entry["function"], signature=entry["signature"], points=entry["points"],
                        reference=_not_recorded(f"the reference of {entry['function']}"), cases=cases, title=entry["title"],
                        output_name=entry["output_name"], uses_randomness=entry["uses_randomness"], mistakes=mistakes,
                        judges=_replay_judges(entry["judges"], notes))
    if entry["hidden_note"]:
        notes.append(entry["hidden_note"])
    return exercise, notes


def _recorded_inputs(args: list, kwargs: dict) -> Callable[[np.random.Generator], tuple[list, dict]]:
    return lambda rng: (copy.deepcopy(args), copy.deepcopy(kwargs))


def _not_recorded(label: str) -> Callable[..., Any]:
    """A recorded case carries its outputs; called on anything else, a recording has nothing to say."""
    def not_recorded(*args: Any, **kwargs: Any) -> Any:
        raise LookupError(f"{label} was recorded only on the public cases")

    return not_recorded


def _replay_judges(recorded: list[dict], notes: list[str]) -> list[Judge]:
    """The recorded judges; an adapter's outputs are recorded adapted already. A name this gradelab lacks is noted."""
    judges: list[Judge] = []
    for data in recorded:
        try:
            judge = judging.from_data(data)
        except (ValueError, TypeError):  # recorded by a newer gradelab: say so rather than judge differently
            notes.append(f"the judge {data.get('name')!r} is unknown to this gradelab: what it checks is checked only by "
                         "the instructor's grading")
            continue
        judges.append(OutputAdapter(judge.module, judge.function, adapted=True) if isinstance(judge, OutputAdapter) else judge)
    if not any(isinstance(judge, Values) for judge in judges):
        judges.append(Values(judged=False))
    return judges


def add_recorded_notes(report: GradeReport) -> GradeReport:
    """Put each exercise's notes on what the local check drops (and its hidden-case note) into the report."""
    notes = report.assignment.extras.get("recorded_notes", {})
    for outcome in report.exercises:
        outcome.notes.extend(Finding("info", text) for text in notes.get(outcome.exercise.id, ()))
    return report


# --- the student bundle's checks (tests/checks.npz, read by the vendored checker, gradelab/checker) ----------

#: Above this many bytes of recorded graded calls, an exercise's calls are answered by the student's own functions
#: (a model's training makes thousands of calls on whole data sets); below it, as the grader answers them.
MAX_CALL_BYTES = 2_000_000
CHECKS_FILE = "checks.npz"


class _TooLarge(Exception):
    pass


def record_checks(assignment: Assignment) -> dict:
    """Everything the bundle's checker needs for the public cases, as plain data; hidden cases are never read.

    Runs the reference, the known mistakes, the gradient witnesses and (for the graded calls an exercise makes)
    the assignment's solution on the public cases only.
    """
    from ..checker.local import CHECKS_FORMAT, CHECKS_VERSION

    return {"format": CHECKS_FORMAT, "version": CHECKS_VERSION, "name": assignment.name, "title": assignment.title,
            "global_seed": wire.GLOBAL_SEED, "exercises": [_checks_exercise(assignment, e) for e in assignment.exercises]}


def encode_checks(assignment: Assignment) -> bytes:
    """:func:`record_checks` as the .npz the checker reads; a :class:`RecordingError` where a value is not data."""
    from ..checker.local import encode_checks as encode

    data = record_checks(assignment)
    try:
        return encode(data)
    except TypeError as error:
        raise RecordingError(f"assignment {assignment.name!r}: {error}") from None


def _checks_exercise(assignment: Assignment, exercise: Exercise) -> dict:
    judges, notes, recorders = [], [], []
    for judge in exercise.judges:
        if isinstance(judge, OutputAdapter):
            continue  # applied by the checker itself, before judging (entry "adapter")
        if judge.is_data and (judge.local or judge.name in CASE_RECORDERS or judge.name in PROBED_JUDGES):
            judges.append(judging.to_data(judge))
            recorders.extend([CASE_RECORDERS[judge.name]] if judge.name in CASE_RECORDERS else [])
        else:
            notes.append(f"one check of {exercise.function} ({judge.name or type(judge).__name__}) runs only in the "
                         "instructor's grading")
    if not any(isinstance(judge, Values) for judge in exercise.judges):
        judges.insert(0, judging.to_data(exercise.value_rule()))
    cases, mistakes, names = [], [{"name": m.name, "hint": m.hint, "outputs": []} for m in exercise.mistakes], {}
    for case in exercise.public_cases():
        where = f"exercise {exercise.id}, case {case.name!r}"
        args, kwargs = case.inputs()
        expected = expected_output(exercise, exercise.reference, args, kwargs)
        data: dict[str, Any] = {}
        for recorder in recorders:
            data.update(recorder(exercise, case, args, kwargs, expected))
        cases.append({"name": case.name, "args": list(args), "kwargs": dict(kwargs), "expected": expected, "data": data})
        for part in ("args", "kwargs", "expected"):
            _recordable(cases[-1][part], f"{where}: {part}")
        names.update({path: exercise.namer()(path) for path in _paths(expected)})
        for entry, mistake in zip(mistakes, exercise.mistakes):
            entry["outputs"].append(_checks_mistake_output(exercise, mistake, args, kwargs))
    stand_ins, call_notes = _recorded_calls(assignment, exercise)
    adapter = exercise.adapter()
    hidden = [hidden_note(exercise)] if exercise.hidden_cases() else []
    return {"id": exercise.id, "function": exercise.function, "signature": exercise.signature, "points": float(exercise.points),
            "title": exercise.title, "output_name": exercise.output_name, "uses_randomness": bool(exercise.uses_randomness),
            "judges": judges, "value_rule": exercise.value_rule().get_config(),
            "adapter": [adapter.module, adapter.function] if adapter is not None else None,
            "names": [[list(path), name] for path, name in names.items()], "cases": cases, "mistakes": mistakes,
            "stand_ins": stand_ins, "notes": call_notes + notes, "hidden_note": hidden}


def _recordable(value: Any, where: str) -> None:
    from ..checker.local import encode_checks as encode

    try:
        encode(value, where)
    except TypeError as error:
        raise RecordingError(str(error)) from None


def _checks_mistake_output(exercise: Exercise, mistake: Mistake, args: list, kwargs: dict) -> dict:
    try:
        return {"ran": True, "value": expected_output(exercise, mistake.function, args, kwargs)}
    except Exception:  # noqa: BLE001 - as in the engine: a mistake that does not run on a case is never matched
        return {"ran": False, "value": None}


def _paths(tree: Any, path: tuple = ()) -> list[tuple]:
    """Every position in ``tree``: where a difference can be found, so where the course's name is recorded."""
    found = [path]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found.extend(_paths(value, path + (key,)))
    elif isinstance(tree, list | tuple):
        for index, value in enumerate(tree):
            found.extend(_paths(value, path + (index,)))
    return found


def _gradients_data(exercise: Exercise, case: Case, args: list, kwargs: dict, expected: Any) -> dict:
    """Finite differences on a public case: the witness's numerical gradients (they need the course's forward pass)."""
    from .judges.gradients import WITNESSES

    found = {}
    for judge in exercise.judges:
        if judge.name == "finite_differences":
            witness = WITNESSES[judge.witness]
            gradients = witness.compute(copy.deepcopy(list(args)), copy.deepcopy(dict(kwargs)))
            found["gradients"] = {"numeric": dict(gradients.numeric), "of": gradients.of,
                                  "labels": dict(gradients.labels) if gradients.labels else None,
                                  "returns": list(witness.returns) if witness.returns is not None else None}
    return found


def _model_data(exercise: Exercise, case: Case, args: list, kwargs: dict, expected: Any) -> dict:
    """A trained model's public case: its held-out set and what the reference reaches on it."""
    from .. import nn
    from ..assignments.deep_network.fixtures import digits_split

    task = case.data["task"]
    _, _, test_X, test_Y = digits_split(task)
    reference = nn.accuracy(nn.predict(test_X, expected[0]), test_Y)
    return {"model": {"negative": task.negative, "positive": task.positive, "required_accuracy": float(task.required_accuracy),
                      "test_X": test_X, "test_Y": test_Y, "reference_accuracy": float(reference)}}


#: Judges that need the reference, made local by recording what they compute on each public case.
CASE_RECORDERS: dict[str, Callable[..., dict]] = {"finite_differences": _gradients_data,
                                                  "deep_network.trained_model": _model_data}


def _recorded_calls(assignment: Assignment, exercise: Exercise) -> tuple[dict[str, list], list[str]]:
    """The reference's answers to the graded calls the solution's function makes on each public case.

    The checker answers a student's call from these where its inputs equal a recorded call's, which is what the
    grader's stand-ins answer; elsewhere the student's own function answers.
    """
    if not exercise.calls:
        return {}, []
    names, own = ", ".join(exercise.calls), f"your own {', '.join(exercise.calls)}"
    fallback = [f"here {own} answer{'s' if len(exercise.calls) == 1 else ''} the calls {exercise.function} makes; the "
                f"instructor's grading answers them with the reference's {names}, so that a mistake there is not counted twice"]
    try:
        solution = _solution_namespace(assignment)
    except FileNotFoundError:
        return {}, fallback
    calls: dict[str, list] = {name: [] for name in exercise.calls}
    size = [0]
    for name in exercise.calls:
        solution[name] = _recorder(assignment, name, calls[name], size)
    try:
        for case in exercise.public_cases():
            args, kwargs = case.inputs()
            run_reference(solution[exercise.function], args, kwargs)
    except _TooLarge:
        return {}, fallback
    return calls, [f"the calls {exercise.function} makes to {names} are answered with the reference's answers where they "
                   f"pass the inputs the reference's {exercise.function} passes (as the instructor's grading answers them), "
                   f"by {own} where not"]


def _solution_namespace(assignment: Assignment) -> dict:
    from .selftest import solution_source

    namespace: dict[str, Any] = {"__name__": f"gradelab_solution_{assignment.name}"}
    exec(compile(solution_source(assignment), "solution.py", "exec"), namespace)  # noqa: S102 - the instructor's own solution
    return namespace


def _recorder(assignment: Assignment, name: str, calls: list, size: list[int]) -> Callable[..., Any]:
    reference = assignment.reference_of(name)

    def record_call(*args: Any, **kwargs: Any) -> Any:
        output = run_reference(reference, args, kwargs)
        entry = [_as_refs(list(args), assignment), _as_refs(dict(kwargs), assignment), copy.deepcopy(output)]
        size[0] += sum(value.nbytes for value in _arrays(entry))
        if size[0] > MAX_CALL_BYTES:
            raise _TooLarge
        calls.append(entry)
        return output

    return record_call


def _as_refs(tree: Any, assignment: Assignment) -> Any:
    """Deep copies, with functions of the course's modules (an activation) as references; others make it too large."""
    if callable(tree) and not isinstance(tree, type):
        if getattr(tree, "__module__", None) in assignment.student_modules:
            return wire.Ref(tree.__module__, tree.__name__)
        raise _TooLarge  # not data: such calls cannot be recorded, the student's own function answers them
    if isinstance(tree, list | tuple):
        return type(tree)(_as_refs(item, assignment) for item in tree)
    if isinstance(tree, dict):
        return {key: _as_refs(value, assignment) for key, value in tree.items()}
    return copy.deepcopy(tree)


def _arrays(tree: Any) -> list[np.ndarray]:
    if isinstance(tree, np.ndarray):
        return [tree]
    items = tree.values() if isinstance(tree, dict) else tree if isinstance(tree, list | tuple) else ()
    return [array for item in items for array in _arrays(item)]
