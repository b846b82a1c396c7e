"""Wrong code fails where the student sees it: every known mistake that grading catches, the public check catches too.

Hidden cases vary sizes and values, not what is being tested: a stride other than 1, a pad other than 0, unequal
noise levels and a seed other than the default are in the public cases, so a student learns of a mistake from
the check, not from the grade.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from gradelab.assignments import available, load
from gradelab.grading.engine import grade
from gradelab.grading.selftest import variants

ASSIGNMENTS = {name: load(name) for name in available()}
MISTAKES = [(name, variant) for name, assignment in ASSIGNMENTS.items() for variant in variants(assignment)
            if variant.kind == "mistake"]


def _graded(name: str, source: str, exercise_id: str, hidden: bool):
    with tempfile.TemporaryDirectory(prefix="gradelab-parity-") as folder:
        path = Path(folder) / "submission.py"
        path.write_text(source, encoding="utf-8")
        return grade(ASSIGNMENTS[name], path, hidden=hidden, only=[exercise_id]).exercises[0]


@pytest.mark.parametrize(("name", "variant"), MISTAKES,
                         ids=[f"{name}/{variant.exercise.id}/{variant.label}" for name, variant in MISTAKES])
def test_a_mistake_that_grading_catches_is_caught_by_the_public_check(name, variant):
    graded = _graded(name, variant.source, variant.exercise.id, hidden=True)
    if graded.score >= graded.max_score:
        return  # not caught at all: test_contracts says so
    checked = _graded(name, variant.source, variant.exercise.id, hidden=False)
    assert checked.score < checked.max_score, (
        f"{variant.label!r} passes the public check of {variant.exercise.function} but loses points in grading")
