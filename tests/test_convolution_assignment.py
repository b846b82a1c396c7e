"""The convolution assignment graded end to end: solution, known mistakes, alternatives, fairness cases, notebooks."""

import contextlib
import io

import nbformat
import numpy as np

from gradelab.assignments import load
from gradelab.grading.bundle import build_notebook
from gradelab.grading.engine import grade
from gradelab.grading.selftest import grade_source, solution_source, variants

ASSIGNMENT = load("convolution")
VARIANTS = list(variants(ASSIGNMENT))
SOLUTION = solution_source(ASSIGNMENT)
POINTS = {"zero_pad_test": 10, "conv_single_step_test": 10, "conv_forward_test": 20, "pool_forward_test": 15,
          "conv_backward_test": 20, "create_mask_from_window_test": 5, "distribute_value_test": 5, "pool_backward_test": 15}


def _with(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


def _inputs(exercise_id: str) -> list[tuple]:
    exercise = ASSIGNMENT.exercise(exercise_id)
    return [(case, *case.make_inputs(np.random.default_rng(case.seed))) for case in exercise.cases]


def test_points_ids_and_calls():
    assert {exercise.id: exercise.points for exercise in ASSIGNMENT.exercises} == POINTS
    assert ASSIGNMENT.max_score == 100
    calls = {exercise.function: tuple(exercise.calls) for exercise in ASSIGNMENT.exercises if exercise.calls}
    assert calls == {"conv_forward": ("zero_pad", "conv_single_step"), "conv_backward": ("zero_pad",),
                     "pool_backward": ("create_mask_from_window", "distribute_value")}
    for exercise in ASSIGNMENT.exercises:
        assert len(exercise.mistakes) >= 5 and len(exercise.alternatives) >= 3, exercise.id
        assert exercise.hidden_cases() and exercise.public_cases(), exercise.id


def test_conv_forward_filling_a_random_Z_passes_seed_000():
    # The forum's question: Z = np.random.randn(...) then every entry overwritten. Right, so full marks.
    source = _with(SOLUTION, "Z = np.zeros((m, n_H, n_W, n_C))", "Z = np.random.randn(m, n_H, n_W, n_C)")
    outcome = grade_source(ASSIGNMENT, source, ["conv_forward_test"]).exercises[0]
    assert outcome.score == 20 and len(outcome.cases) == 5
    notes = [finding.message for case in outcome.cases for finding in case.findings]
    assert any("global random generator" in note for note in notes)


def test_hidden_cases_include_strides_that_do_not_divide_evenly():
    uneven = {"conv_forward_test": 0, "pool_forward_test": 0}
    for case, args, _ in _inputs("conv_forward_test"):
        f, pad, stride = args[1].shape[0], args[3]["pad"], args[3]["stride"]
        uneven["conv_forward_test"] += case.hidden and any((n - f + 2 * pad) % stride for n in args[0].shape[1:3])
    for case, args, _ in _inputs("pool_forward_test"):
        f, stride = args[1]["f"], args[1]["stride"]
        uneven["pool_forward_test"] += case.hidden and any((n - f) % stride for n in args[0].shape[1:3])
    assert all(count >= 1 for count in uneven.values()), uneven


def test_stand_in_cases_stay_under_the_engine_limit():
    # Each stand-in call is a round trip; the sandbox refuses more than 1000 in one call.
    for exercise_id in ("conv_forward_test", "pool_backward_test"):
        exercise = ASSIGNMENT.exercise(exercise_id)
        for case, args, kwargs in _inputs(exercise_id):
            output = exercise.reference(*args, **kwargs)
            positions = (output[0] if isinstance(output, tuple) else args[0]).size
            assert positions <= 200, (exercise_id, case.name, positions)


def test_wrong_helpers_cost_their_own_points_only():
    source = _with(SOLUTION, "X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode=\"constant\", constant_values=(0, 0))",
                   "X_pad = np.pad(X, pad)")
    source = _with(source, "Z = Z + float(np.squeeze(b))", "Z = Z")
    source = _with(source, "a = np.ones(shape) * average", "a = np.ones(shape) * dz")
    report = grade_source(ASSIGNMENT, source)
    scores = {outcome.exercise.id: outcome.score for outcome in report.exercises}
    assert scores["zero_pad_test"] < 10 and scores["conv_single_step_test"] < 10 and scores["distribute_value_test"] < 5
    assert scores["conv_forward_test"] == 20 and scores["conv_backward_test"] == 20 and scores["pool_backward_test"] == 15
    forward = next(outcome for outcome in report.exercises if outcome.exercise.id == "conv_forward_test")
    assert any("graded with the reference zero_pad" in note.message for note in forward.notes)


def test_backward_gradients_are_checked_by_finite_differences():
    variant = next(v for v in VARIANTS if v.label == "gradients divided by m")
    outcome = grade_source(ASSIGNMENT, variant.source, ["conv_backward_test"]).exercises[0]
    messages = [finding.message for case in outcome.cases for finding in case.findings]
    assert any(message.startswith("dW has the right shape but differs from the numerical gradient") for message in messages)
    assert any(message.startswith("dW: values differ") for message in messages)  # and named in course notation


def test_output_size_rounded_up_fails_where_the_stride_does_not_divide_evenly():
    source = SOLUTION
    for n in ("H", "W"):
        source = _with(source, f"n_{n} = (n_{n}_prev - f + 2 * pad) // stride + 1",
                       f"n_{n} = int(np.ceil((n_{n}_prev - f + 2 * pad) / stride)) + 1")
    outcome = grade_source(ASSIGNMENT, source, ["conv_forward_test"]).exercises[0]
    failed = [case for case in outcome.cases if not case.passed]
    # The stride that does not divide evenly is a public case: the check shows the mistake, not only the grade.
    assert 0 < outcome.score < 20 and any(not case.case.hidden for case in failed)
    assert any("a_slice_prev" in finding.message for case in failed for finding in case.findings)


def test_filled_notebook_grades_full_marks(tmp_path):
    path = tmp_path / "convolution.ipynb"
    nbformat.write(build_notebook(ASSIGNMENT, blank=False), path)
    report = grade(ASSIGNMENT, path)
    assert report.score == 100 and not report.problems


def test_blank_notebook_scores_zero_with_a_report_for_every_exercise(tmp_path):
    path = tmp_path / "convolution.ipynb"
    nbformat.write(build_notebook(ASSIGNMENT, blank=True), path)
    report = grade(ASSIGNMENT, path)
    assert report.score == 0 and len(report.exercises) == len(POINTS)
    assert all(outcome.cases and outcome.status == "failed" for outcome in report.exercises)


def test_notebook_structure_and_demo_cells_run():
    notebook = build_notebook(ASSIGNMENT, blank=False)
    sources = [cell.source for cell in notebook.cells]
    for exercise in ASSIGNMENT.exercises:
        at = next(i for i, source in enumerate(sources) if source.startswith(f"def {exercise.function}("))
        assert sources[at + 1] == f"!python tests/test_convolution.py --test_case {exercise.id}"
    text = "\n".join(sources)
    assert "gradelab study cnn" in text and "np.random.randn" in text and "How Z starts" in text
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in notebook.cells:
            if cell.cell_type == "code" and not cell.source.startswith("!"):
                exec(cell.source, namespace)  # the demo cells run on the filled-in functions
