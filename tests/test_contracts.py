"""What every assignment promises, checked on each of them: one parametrized suite, no per-assignment copy.

* the solution scores full marks, every correct alternative too;
* every known mistake loses points on its own exercise and is named;
* each grade is the one recorded in tests/verdicts/ (a refactoring changes no verdict: rewrite the record
  with ``python tests/verdicts/snapshot.py --write`` only for a change meant to move one, and say so);
* the signature students see comes from the reference, and the solution's function has it.
"""

from __future__ import annotations

import ast
import json

import pytest

from gradelab.assignments import available, load
from gradelab.grading.selftest import grade_source, solution_source, variants, verdict
from gradelab.grading.spec import plain_signature
from verdicts.snapshot import grade_record, path_of

ASSIGNMENTS = {name: load(name) for name in available()}
RECORDS = {name: json.loads(path_of(name).read_text(encoding="utf-8")) for name in ASSIGNMENTS}
VARIANTS = [(name, variant) for name, assignment in ASSIGNMENTS.items() for variant in variants(assignment)]


def _key(variant) -> str:
    return f"{variant.kind}:{variant.exercise.id if variant.exercise else ''}:{variant.label}"


@pytest.mark.parametrize(("name", "variant"), VARIANTS, ids=[f"{name}/{_key(v)}" for name, v in VARIANTS])
def test_variant_is_graded_as_it_must_be_and_as_recorded(name, variant):
    only = [variant.exercise.id] if variant.exercise else None
    report = grade_source(ASSIGNMENTS[name], variant.source, only)
    assert verdict(variant, report) is None
    assert grade_record(report) == RECORDS[name][_key(variant)]


def test_the_record_covers_every_variant_and_nothing_else():
    for name, assignment in ASSIGNMENTS.items():
        assert sorted(RECORDS[name]) == sorted(_key(v) for v in variants(assignment)), name


@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_signatures_come_from_the_reference_and_the_solution_has_them(name):
    assignment = ASSIGNMENTS[name]
    solution = {node.name: node for node in ast.parse(solution_source(assignment)).body if isinstance(node, ast.FunctionDef)}
    for exercise in assignment.exercises:
        assert exercise.signature == plain_signature(exercise.reference), exercise.id
        assert f"({ast.unparse(solution[exercise.function].args)})".replace('"', "'") == exercise.signature.replace('"', "'"), \
            exercise.id


@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_every_exercise_has_public_and_hidden_cases_mistakes_and_alternatives(name):
    for exercise in ASSIGNMENTS[name].exercises:
        assert exercise.public_cases() and exercise.hidden_cases(), exercise.id
        assert exercise.mistakes and exercise.alternatives, exercise.id
        assert len({mistake.name for mistake in exercise.mistakes}) == len(exercise.mistakes), exercise.id
