"""Recorded public cases: local checks for an assignment whose declaration stays on the grading machine.

An instructor's assignment (``--assignment-path``) keeps its reference and hidden cases off the package, so
its students cannot compute expected values. ``gradelab assign --assignment-path PATH`` therefore records, in
``tests/public_cases.wire``, everything the public check needs as plain data, and ``gradelab check --recorded
tests/public_cases.wire NOTEBOOK`` rebuilds an in-memory :class:`Assignment` from it and grades with the
normal engine and worker. Each rebuilt case carries its recorded expected output and the known mistakes'
outputs in ``Case.data`` (the engine uses them instead of running a reference), so nothing is looked up by
comparing inputs.

The file is written with :func:`wire.encode` (JSON header and raw array bytes, never pickle): reading it
runs nothing. Functions cross only as :class:`wire.Ref` names of student-module functions, resolved when
grading. Values that are not plain data make ``assign`` fail, naming the exercise and case.

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

from . import judges as judging
from . import wire
from .checks import Finding
from .engine import GradeReport, expected_output, hidden_note
from .judges import ACCEPTANCE, Judge, OutputAdapter, Values
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
