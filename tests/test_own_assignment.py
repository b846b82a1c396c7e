"""An instructor's own assignment (``--assignment-path``), declared outside the package, graded by every route.

Pool processes cannot import it by name (its module exists only in the process that loaded it), so they load it
again from the path its location records.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gradelab.assignments import Location, load, load_location, locate
from gradelab.batch import run_batch
from gradelab.grading.engine import grade
from gradelab.grading.sandbox import Limits

DECLARATION = '''
import numpy as np

from gradelab.grading.spec import Assignment, Case, Exercise, Mistake


def l2_norm(x):
    return float(np.sqrt(np.sum(x ** 2)))


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def no_shift(z):
    return np.exp(z) / np.sum(np.exp(z))


def vectors(rng):
    return [rng.standard_normal(5)], {}


ASSIGNMENT = Assignment(name="softmax_l2", title="Softmax and L2", exercises=[
    Exercise(id="TestL2", function="l2_norm", signature="(x)", points=2, reference=l2_norm,
             cases=[Case("public", vectors, seed=1), Case("hidden", vectors, seed=2, hidden=True)]),
    Exercise(id="TestSoftmax", function="softmax", signature="(z)", points=1, reference=softmax,
             cases=[Case("public", vectors, seed=3), Case("hidden", vectors, seed=4, hidden=True)],
             mistakes=[Mistake("not normalized", "divide by the sum", lambda z: np.exp(z))]),
])
'''

ADA = """import numpy as np

def l2_norm(x):
    return float(np.linalg.norm(x))

def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()
"""
BEN = """import numpy as np

def l2_norm(x):
    return float(np.sum(np.abs(x)))

def softmax(z):
    return np.exp(z)
"""
LIMITS = Limits(timeout=5.0)


@pytest.fixture()
def course(tmp_path: Path) -> dict:
    declaration = tmp_path / "instructor" / "softmax_l2.py"
    declaration.parent.mkdir()
    declaration.write_text(DECLARATION)
    submissions = tmp_path / "class"
    submissions.mkdir()
    for student, source in {"ada": ADA, "ben": BEN}.items():
        (submissions / f"{student}.py").write_text(source)
    return {"declaration": declaration, "class": submissions, "out": tmp_path / "out"}


def test_location_records_the_path_and_loads_again(course):
    assignment = load("softmax_l2", str(course["declaration"]))
    location = locate(assignment)
    assert location == Location("gradelab_instructor_softmax_l2", str(course["declaration"].resolve()))
    assert load_location(location).name == "softmax_l2"
    assert locate(load("initialization")) == Location("gradelab.assignments.initialization")


def test_a_process_pool_grades_it_as_grade_does(course):
    assignment = load("softmax_l2", str(course["declaration"]))
    assert run_batch(assignment, course["class"], course["out"], workers=2, limits=LIMITS, progress=False) == 0
    with sqlite3.connect(course["out"] / "gradebook.sqlite") as db:
        batch = {student: (status, score, error) for student, status, score, error
                 in db.execute("SELECT student, status, score, error FROM submissions")}
    alone = {student: grade(assignment, course["class"] / f"{student}.py", hidden=True, limits=LIMITS).score
             for student in ("ada", "ben")}
    assert alone == {"ada": 3, "ben": 0}
    assert {student: (status, score) for student, (status, score, _) in batch.items()} == {
        student: ("graded", score) for student, score in alone.items()}, batch

