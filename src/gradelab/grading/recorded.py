"""Recorded public cases: local checks for an assignment whose declaration stays on the grading machine.

An instructor's assignment (``--assignment-path``) keeps its reference and hidden cases off the package, so
its students cannot compute expected values. ``gradelab assign --assignment-path PATH`` therefore records, in
``tests/public_cases.wire``, everything the public check needs as plain data, and ``gradelab check --recorded
tests/public_cases.wire NOTEBOOK`` rebuilds an in-memory :class:`Assignment` from it and grades with the
normal engine and worker: each case's ``make_inputs`` returns the recorded inputs, the reference returns the
recorded expected output of the case whose inputs it is given, and each known mistake its recorded output.

The file is written with :func:`wire.encode` (JSON header and raw array bytes, never pickle): reading it
runs nothing. Functions cross only as :class:`wire.Ref` names of student-module functions, resolved when
grading. Values that are not plain data make ``assign`` fail, naming the exercise and case.

**Kept** (data): id, function, signature, points, title, output name, tolerance, strict_dtype,
uses_randomness, compare_output, ``output_adapter`` (a Ref: the worker still applies it to the student's
output; recorded outputs are stored already adapted), and for each *public* case its name, inputs and
expected output; each known mistake's name, hint and output on each public case (so local checks still
name mistakes and give hints); the note on how many hidden cases there are and what they vary; and
``accept_if`` where it is a generic gradelab verdict that says how to rebuild itself from data (a
``recipe`` attribute, e.g. :func:`stats.seeded_initializer_check`).

**Dropped**, each with a note in the student's report:

* ``Exercise.calls`` (stand-ins): without the reference, the student's own functions answer the calls
  an exercise makes, so one mistake may show in two exercises locally (not in the instructor's grading);
* any other ``accept_if``: answers right in another way (e.g. in distribution) are recognized only by
  the instructor's grading;
* ``case_checks`` (e.g. finite differences): run only in the instructor's grading;
* ``name_path``: differences are named after ``output_name`` instead of in course notation.

**Never written:** hidden cases, reference code, known mistakes' code, alternatives.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import wire
from .checks import Finding
from .engine import GradeReport, adapt_output, hidden_note, run_reference
from .spec import Assignment, Case, Exercise, Mistake, Tolerance
from .stats import seeded_initializer_check

FORMAT, VERSION = "gradelab recorded public cases", 1
FILE_NAME = "public_cases.wire"

#: Generic verdicts a recording may name, rebuilt from their recorded options.
VERDICTS: dict[str, Callable[..., Callable]] = {
    "seeded_initializer_check": lambda scales, **options: seeded_initializer_check(dict(scales).__getitem__, **options),
}


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
        args, kwargs = case.make_inputs(np.random.default_rng(case.seed))  # as the engine builds them
        expected = adapt_output(exercise, run_reference(exercise.reference, args, kwargs))
        cases.append({"name": case.name, "args": _plain(list(args), f"{where}: args"),
                      "kwargs": _plain(dict(kwargs), f"{where}: kwargs"),
                      "expected": _plain(expected, f"{where}: the reference's output")})
        for entry, mistake in zip(mistakes, exercise.mistakes):
            entry["outputs"].append(_mistake_output(exercise, mistake, args, kwargs, where))
    verdict, notes = _record_verdict(exercise)
    return {"id": exercise.id, "function": exercise.function, "signature": exercise.signature,
            "points": float(exercise.points), "title": exercise.title, "output_name": exercise.output_name,
            "tolerance": (float(exercise.tolerance.rtol), float(exercise.tolerance.atol)),
            "strict_dtype": bool(exercise.strict_dtype), "uses_randomness": bool(exercise.uses_randomness),
            "compare_output": bool(exercise.compare_output), "output_adapter": exercise.output_adapter,
            "cases": cases, "mistakes": mistakes, "verdict": verdict,
            "hidden_note": hidden_note(exercise) if exercise.hidden_cases() else "",
            "notes": notes + _dropped_notes(exercise)}


def _mistake_output(exercise: Exercise, mistake: Mistake, args: list, kwargs: dict, where: str) -> dict:
    try:
        wrong = adapt_output(exercise, run_reference(mistake.function, args, kwargs))
    except Exception:  # noqa: BLE001 - as in the engine: a mistake that does not run on a case is never matched
        return {"ran": False}
    return {"ran": True, "value": _plain(wrong, f"{where}: known mistake {mistake.name!r}'s output")}


def _record_verdict(exercise: Exercise) -> tuple[dict | None, list[str]]:
    if exercise.accept_if is None:
        return None, []
    recipe = getattr(exercise.accept_if, "recipe", None)
    if recipe is not None and recipe[0] in VERDICTS:
        return {"name": recipe[0], "options": _plain(dict(recipe[1]), f"exercise {exercise.id}: accept_if")}, []
    return None, ["answers that differ from the reference's values but are still right (a second verdict of the "
                  "instructor's) are recognized only by the instructor's grading, not by this local check"]


def _dropped_notes(exercise: Exercise) -> list[str]:
    notes = []
    if exercise.calls:
        names = ", ".join(exercise.calls)
        notes.append(f"here your own {names} answer{'s' if len(exercise.calls) == 1 else ''} the calls {exercise.function} "
                     f"makes; the instructor's grading answers them with the reference's {names}, so that a mistake "
                     "there is not counted twice")
    if exercise.case_checks:
        notes.append(f"{len(exercise.case_checks)} further check{'s' if len(exercise.case_checks) != 1 else ''} of each "
                     "case (such as finite differences) run only in the instructor's grading")
        if not exercise.compare_output:
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
    inputs = [(case["args"], case["kwargs"]) for case in entry["cases"]]
    cases = [Case(case["name"], _recorded_inputs(case["args"], case["kwargs"])) for case in entry["cases"]]
    reference = Replay(f"the recorded reference of {entry['function']}", inputs,
                       [{"ran": True, "value": case["expected"]} for case in entry["cases"]])
    mistakes = [Mistake(m["name"], m["hint"], Replay(f"known mistake {m['name']!r}", inputs, m["outputs"]))
                for m in entry["mistakes"]]
    notes = list(entry["notes"])
    accept_if = _replay_verdict(entry["verdict"], notes)
    if entry["hidden_note"]:
        notes.append(entry["hidden_note"])
    exercise = Exercise(id=entry["id"], function=entry["function"], signature=entry["signature"], points=entry["points"],
                        reference=reference, cases=cases, title=entry["title"], output_name=entry["output_name"],
                        tolerance=Tolerance(*entry["tolerance"]), strict_dtype=entry["strict_dtype"],
                        uses_randomness=entry["uses_randomness"], compare_output=entry["compare_output"],
                        mistakes=mistakes, accept_if=accept_if, output_adapter=entry["output_adapter"],
                        outputs_adapted=True)
    return exercise, notes


def _recorded_inputs(args: list, kwargs: dict) -> Callable[[np.random.Generator], tuple[list, dict]]:
    return lambda rng: (copy.deepcopy(args), copy.deepcopy(kwargs))


def _replay_verdict(verdict: dict | None, notes: list[str]) -> Callable | None:
    if verdict is None:
        return None
    if verdict["name"] not in VERDICTS:  # recorded by a newer gradelab: say so rather than judge differently
        notes.append(f"the second verdict {verdict['name']!r} is unknown to this gradelab: answers right in another way "
                     "are recognized only by the instructor's grading")
        return None
    return VERDICTS[verdict["name"]](**verdict["options"])


class Replay:
    """Stands for a function on recorded cases: the output recorded for the case whose inputs it is given.

    The engine calls a reference with the case's inputs only, so the case is found by its inputs (Refs
    resolved, as the engine resolves them before the call); equal inputs have equal outputs.
    """

    def __init__(self, label: str, inputs: Sequence[tuple[list, dict]], outputs: Sequence[dict]) -> None:
        self.label, self.inputs, self.outputs = label, inputs, outputs
        self._resolved: list | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._resolved is None:
            self._resolved = [wire.resolve_refs((list(a), dict(k)), None) for a, k in self.inputs]
        for (recorded_args, recorded_kwargs), output in zip(self._resolved, self.outputs):
            if same_tree(recorded_args, list(args)) and same_tree(recorded_kwargs, kwargs):
                if not output["ran"]:
                    raise RuntimeError(f"{self.label} raised on this case when it was recorded")
                return copy.deepcopy(output["value"])
        raise LookupError(f"{self.label} has no recorded output for these inputs")


def same_tree(a: Any, b: Any) -> bool:
    """Exact equality of plain-data trees (arrays by shape, dtype and values; NaN equals NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return a.keys() == b.keys() and all(same_tree(a[key], b[key]) for key in a)
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same_tree(x, y) for x, y in zip(a, b))
    if isinstance(a, (float, np.floating)) and a != a:
        return bool(b != b)
    return a is b or bool(a == b)


def add_recorded_notes(report: GradeReport) -> GradeReport:
    """Put each exercise's notes on what the local check drops (and its hidden-case note) into the report."""
    notes = report.assignment.extras.get("recorded_notes", {})
    for outcome in report.exercises:
        outcome.notes.extend(Finding("info", text) for text in notes.get(outcome.exercise.id, ()))
    return report
