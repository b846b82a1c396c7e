"""What is particular to the deep network assignment (test_contracts.py grades every variant of every assignment)."""

from __future__ import annotations

import nbformat
import numpy as np

from gradelab import nn
from gradelab.assignments import load
from gradelab.assignments.deep_network import fixtures, judges
from gradelab.grading import bundle
from gradelab.grading.engine import grade
from gradelab.grading.judges import CaseContext

ASSIGNMENT = load("deep_network")


def test_enough_mistakes_and_alternatives():
    for exercise in ASSIGNMENT.exercises:
        assert len(exercise.mistakes) >= 5 and len(exercise.alternatives) >= 3, exercise.id


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
    case = exercise.cases[0]
    args, kwargs = case.inputs()
    context = CaseContext(exercise.id, exercise.function, case, args, kwargs, exercise.namer())
    judge = judges.gradients_of("L_model_backward")
    grads = nn.L_model_backward(*args)
    assert judge.judge(context, grads, grads) == []
    grads["dW2"] = grads["dW2"] * 2
    messages = [f.message for f in judge.judge(context, grads, grads)]
    assert len(messages) == 1 and messages[0].startswith("dW[2] has the right shape but differs from the numerical gradient")


def test_notebook_full_marks_and_blank_zero(tmp_path):
    for blank, expected in ((False, ASSIGNMENT.max_score), (True, 0.0)):
        path = tmp_path / f"deep_network_{blank}.ipynb"
        nbformat.write(bundle.build_notebook(ASSIGNMENT, blank=blank), path)
        report = grade(ASSIGNMENT, path)
        assert report.score == expected, [(o.exercise.id, o.score, o.status) for o in report.exercises]
