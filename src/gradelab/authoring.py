"""``gradelab new NAME``: the skeleton of an instructor's own assignment, which ``gradelab selftest`` passes.

Five files, one concept each (docs/AUTHORING.md walks through them):

* ``__init__.py``: the declaration, ``ASSIGNMENT``: exercises, their cases, judges, known mistakes;
* ``solution.py``: the filled-in functions, the student's code between ``# START OF YOUR CODE`` and
  ``# END OF YOUR CODE`` (the notebook is made from it with those blocks emptied);
* ``reference.py``: what computes expected outputs at grading time (it may be the solution's own functions);
* ``mistakes.py`` and ``alternatives.py``: known wrong answers (each named, with a hint) and correct ones
  written another way, both plain NumPy, as students write them: selftest proves each is graded as it must be.
"""

from __future__ import annotations

import keyword
from pathlib import Path

from .files import write_atomic

DECLARATION = '''"""{title}: an assignment of my own, declared for gradelab (see docs/AUTHORING.md)."""

from gradelab.grading import Assignment, Case, Exercise, Mistake, judges

from . import alternatives, mistakes, reference


def _logits(rows: int, columns: int):
    """A case's inputs, from the case's own generator: the same numbers for every student."""
    return lambda rng: ([rng.standard_normal((rows, columns))], {{}})


ASSIGNMENT = Assignment(
    name="{name}",
    title="{title}",
    solution="solution.py",
    exercises=[
        Exercise(
            id="TestSoftmax", function="softmax", points=10, reference=reference.softmax,
            title="Softmax over the rows of Z", output_name="A",
            cases=[Case("three classes, four examples", _logits(3, 4), seed=1),
                   Case("large logits", lambda rng: ([1000 * rng.standard_normal((5, 2))], {{}}), seed=2,
                        hidden=True, varies="large logits (subtract the maximum first)"),
                   Case("one example", _logits(4, 1), seed=3, hidden=True, varies="a single example")],
            judges=[judges.Values(rtol=1e-6, atol=1e-9)],
            mistakes=[Mistake("normalized over the wrong axis", "each column of A is one example: sum over axis=0 "
                              "(the classes), keepdims=True", mistakes.softmax_wrong_axis),
                      Mistake("no shift by the maximum", "exp(1000) overflows: subtract Z.max(axis=0, keepdims=True) "
                              "before np.exp; the result does not change", mistakes.softmax_unshifted)],
            alternatives=[alternatives.softmax_loop],
        ),
    ],
    description="Softmax over the classes (rows) of Z, one column per example, numerically stable.",
)
'''
SOLUTION = '''import numpy as np


def softmax(Z):
    """A[k, i] = exp(Z[k, i]) / sum_j exp(Z[j, i]): Z has one column per example, one row per class."""
    # START OF YOUR CODE
    shifted = np.exp(Z - Z.max(axis=0, keepdims=True))
    A = shifted / shifted.sum(axis=0, keepdims=True)
    # END OF YOUR CODE
    return A
'''
REFERENCE = '''"""The reference: the grader runs it on each case's inputs to get the expected output. Never sent to students."""

import numpy as np


def softmax(Z: np.ndarray) -> np.ndarray:
    shifted = np.exp(Z - Z.max(axis=0, keepdims=True))
    return shifted / shifted.sum(axis=0, keepdims=True)
'''
MISTAKES = '''"""Known wrong answers, written as students write them: matched by their outputs, named with a hint."""

import numpy as np


def softmax_wrong_axis(Z):
    shifted = np.exp(Z - Z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def softmax_unshifted(Z):
    return np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True)
'''
ALTERNATIVES = '''"""Correct answers written another way: each must score full marks."""

import numpy as np


def softmax_loop(Z):
    A = np.zeros_like(Z, dtype=float)
    for i in range(Z.shape[1]):
        column = np.exp(Z[:, i] - np.max(Z[:, i]))
        A[:, i] = column / np.sum(column)
    return A
'''
FILES = {"__init__.py": DECLARATION, "solution.py": SOLUTION, "reference.py": REFERENCE, "mistakes.py": MISTAKES,
         "alternatives.py": ALTERNATIVES}


def new_assignment(name: str, parent: str | Path = ".") -> list[Path]:
    """Write the skeleton into ``parent/name``; refuses a name that is not a Python identifier or a folder that exists."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"assignment name {name!r}: expected a Python identifier such as softmax or week3_softmax")
    folder = Path(parent) / name
    if folder.exists():
        raise FileExistsError(f"{folder} already exists: choose another name or folder; nothing was written")
    folder.mkdir(parents=True)
    title = name.replace("_", " ").capitalize()
    written = []
    for file, text in FILES.items():
        write_atomic(folder / file, text.format(name=name, title=title).encode() if file == "__init__.py" else text.encode())
        written.append(folder / file)
    return written
