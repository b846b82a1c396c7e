"""The deep network assignment graded fairly: solution, every known mistake and every correct alternative.

Variants are graded in rounds to keep this file fast: one submission per round holds, for each exercise,
its next mistake or alternative (calls to other graded functions are answered by the reference, so the
exercises of one submission do not affect each other).
"""

from __future__ import annotations

import inspect
import itertools

import nbformat
import numpy as np
import pytest

from gradelab import nn
from gradelab.assignments import load
from gradelab.assignments.deep_network import alternatives, fixtures, judges, mistakes
from gradelab.grading import bundle
from gradelab.grading.engine import grade
from gradelab.grading.selftest import grade_source, solution_source

ASSIGNMENT = load("deep_network")


def _variants(exercise):
    return [("mistake", m.name, m.function) for m in exercise.mistakes] + [
        ("alternative", f.__name__, f) for f in exercise.alternatives]


ROUNDS = list(itertools.zip_longest(*[[(e, *v) for v in _variants(e)] for e in ASSIGNMENT.exercises]))


def _round_source(entries) -> str:
    rebinding = "\n".join(f"{exercise.function} = {function.__name__}" for exercise, _, _, function in entries)
    return "\n\n".join([solution_source(ASSIGNMENT), inspect.getsource(mistakes), inspect.getsource(alternatives), rebinding])


def _problems(entries, report) -> list[str]:
    problems = []
    for (exercise, kind, label, _), outcome in zip(entries, report.exercises):
        if kind == "alternative" and outcome.score != outcome.max_score:
            details = [f.message for case in outcome.cases for f in case.findings if f.kind == "fail"][:3]
            problems.append(f"alternative {label} of {exercise.function} lost points: {details}")
        if kind == "mistake" and outcome.score >= outcome.max_score:
            problems.append(f"mistake {label!r} of {exercise.function} scored full marks")
        elif kind == "mistake" and (outcome.mistake is None or outcome.mistake.name != label):
            problems.append(f"mistake {label!r} of {exercise.function} was named {getattr(outcome.mistake, 'name', None)!r}")
    return problems


def test_enough_mistakes_and_alternatives():
    for exercise in ASSIGNMENT.exercises:
        assert len(exercise.mistakes) >= 5 and len(exercise.alternatives) >= 3, exercise.id


def test_variant_names_do_not_collide():
    # Both modules join one submission per round: a shared name would replace another variant.
    shared = {n for n, _ in inspect.getmembers(mistakes, inspect.isfunction)} & {
        n for n, _ in inspect.getmembers(alternatives, inspect.isfunction)}
    assert not shared - {"relu", "relu_backward", "sigmoid", "sigmoid_backward"}


def test_solution_full_marks():
    report = grade_source(ASSIGNMENT, solution_source(ASSIGNMENT))
    assert report.score == report.max_score, [(o.exercise.id, o.score) for o in report.exercises]


@pytest.mark.parametrize("index", range(len(ROUNDS)))
def test_round_of_variants(index):
    entries = [entry for entry in ROUNDS[index] if entry is not None]
    report = grade_source(ASSIGNMENT, _round_source(entries), only=[entry[0].id for entry in entries])
    assert not _problems(entries, report)


def test_course_names_in_messages():
    assert judges.layer_key("dW2") == "dW[2]"
    assert judges.model_forward_namer((1, 0, 0, 0)) == "caches[0][0][0] = A[0] = X"
    assert judges.model_forward_namer((1, 1)) == "caches[1] = ((A[1], W[2], b[2]), Z[2])"


def test_fixtures_are_a_real_forward_pass():
    X, Y, parameters, AL, caches = fixtures.forward_pass(np.random.default_rng(0), [4, 3, 2, 1], 5)
    assert np.array_equal(caches[0][0][0], X)
    assert np.allclose(AL, nn.sigmoid(caches[-1][1])[0])
    assert np.allclose(caches[1][0][0], np.maximum(0, caches[0][1]))


def test_finite_difference_message():
    exercise = ASSIGNMENT.exercise("TestLModelBackward")
    args, kwargs = exercise.cases[0].make_inputs(np.random.default_rng(exercise.cases[0].seed))
    grads = nn.L_model_backward(*args)
    assert judges.L_model_backward_check(args, kwargs, grads, grads) == []
    grads["dW2"] = grads["dW2"] * 2
    messages = [f.message for f in judges.L_model_backward_check(args, kwargs, grads, grads)]
    assert len(messages) == 1 and messages[0].startswith("dW[2] has the right shape but differs from the numerical gradient")


def test_notebook_full_marks_and_blank_zero(tmp_path):
    for blank, expected in ((False, ASSIGNMENT.max_score), (True, 0.0)):
        path = tmp_path / f"deep_network_{blank}.ipynb"
        nbformat.write(bundle.build_notebook(ASSIGNMENT, blank=blank), path)
        report = grade(ASSIGNMENT, path)
        assert report.score == expected, [(o.exercise.id, o.score, o.status) for o in report.exercises]
