"""The keras_intro assignment graded end to end: solution, known mistakes, alternatives, notebooks.

Also the two engine features it relies on: activations sent by name (wire.Ref, resolved in the worker
only within the student modules, and sent back by name to a stand-in), and output_adapter.
"""

import nbformat
import pytest

from gradelab.assignments import load
from gradelab.grading.bundle import build_notebook
from gradelab.grading.engine import grade
from gradelab.grading.protocol.wire import Ref, decode, encode, refs_for, resolve_refs
from gradelab.grading.selftest import solution_source, variants

ASSIGNMENT = load("keras_intro")
VARIANTS = list(variants(ASSIGNMENT))
LAB_UTILS = "gradelab.student.keras_lab"


def test_exercises_have_hidden_cases_named_mistakes_and_alternatives():
    assert {exercise.id: exercise.points for exercise in ASSIGNMENT.exercises} == {
        "TestMyDense": 2, "TestMyDenseV": 2, "TestMySequential": 2, "TestBuildModel": 2}
    for exercise in ASSIGNMENT.exercises:
        assert len(exercise.mistakes) >= 5 and len(exercise.alternatives) >= 3, exercise.id
        assert exercise.hidden_cases() and exercise.public_cases(), exercise.id


def test_refs_cross_the_wire_and_resolve_only_in_listed_modules():
    ref = Ref(LAB_UTILS, "sigmoid")
    assert decode(encode([ref, {"g": ref}])) == [ref, {"g": ref}]
    from gradelab.student import keras_lab as lab_utils

    assert resolve_refs([ref], [LAB_UTILS]) == [lab_utils.sigmoid]
    assert refs_for(([1, lab_utils.relu], {"g": lab_utils.sigmoid}), [LAB_UTILS]) == ([1, Ref(LAB_UTILS, "relu")], {"g": ref})
    for bad, modules in ((Ref("os", "system"), [LAB_UTILS]), (Ref(LAB_UTILS, "_layer"), [LAB_UTILS]),
                         (Ref(LAB_UTILS, "np"), [LAB_UTILS])):
        with pytest.raises(LookupError):
            resolve_refs(bad, modules)


def test_a_wrong_my_dense_costs_only_my_dense(tmp_path):
    # my_sequential passes sigmoid on to my_dense; the stand-in gets it by name and answers with the reference.
    source = solution_source(ASSIGNMENT).replace("a_out[j] = g(z)", "a_out[j] = z")
    path = tmp_path / "submission.py"
    path.write_text(source)
    report = grade(ASSIGNMENT, path, only=["TestMyDense", "TestMySequential"])
    assert [outcome.score for outcome in report.exercises] == [0, 2]
    assert report.exercises[0].mistake.name == "activation not applied"


def test_an_activation_given_as_a_function_is_accepted_as_keras_accepts_it(tmp_path):
    source = solution_source(ASSIGNMENT).replace('activation="sigmoid", name="layer1"', 'activation=sigmoid, name="layer1"')
    assert 'activation=sigmoid, name="layer1"' in source
    path = tmp_path / "submission.py"
    path.write_text(source)
    assert grade(ASSIGNMENT, path, only=["TestBuildModel"]).score == 2


def test_the_declaration_stays_out_of_a_submissions_reach(tmp_path):
    path = tmp_path / "submission.py"
    path.write_text("import gradelab.assignments.keras_intro as k\n"
                    "def build_model(n_x, n_h):\n    return k.ASSIGNMENT\n")
    report = grade(ASSIGNMENT, path, only=["TestBuildModel"])
    assert report.exercises[0].score == 0
    assert any("tried to import gradelab.assignments, which the grader does not allow" in problem for problem in report.problems)


def test_filled_notebook_grades_full_marks(tmp_path):
    path = tmp_path / "keras_intro.ipynb"
    nbformat.write(build_notebook(ASSIGNMENT, blank=False), path)
    report = grade(ASSIGNMENT, path)
    assert report.score == ASSIGNMENT.max_score and not report.problems


def test_blank_notebook_scores_zero_without_crashing(tmp_path):
    path = tmp_path / "keras_intro.ipynb"
    nbformat.write(build_notebook(ASSIGNMENT, blank=True), path)
    report = grade(ASSIGNMENT, path)
    assert report.score == 0 and len(report.exercises) == 4
    assert all(outcome.cases and outcome.status == "failed" for outcome in report.exercises)


def test_notebook_answers_the_seed_question_and_its_cells_run(tmp_path, capsys):
    notebook = build_notebook(ASSIGNMENT, blank=False)
    text = " ".join(cell.source for cell in notebook.cells)
    for point in ("before any data", "symmetry", "gradelab study symmetry", "(2, 3)", "(3, 2)", "explain_weights()"):
        assert point in text
    namespace = {}
    for cell in notebook.cells:
        if cell.cell_type == "code" and not cell.source.startswith("!"):
            exec(cell.source, namespace)
    out = capsys.readouterr().out
    assert "W1(2, 3)" in out and "GlorotUniform" in out
    ns = namespace
    by_hand = [ns["my_sequential"](x, ns["W1"], ns["b1"], ns["W2"], ns["b2"])[0] for x in ns["X"]]
    assert ns["model"].predict(ns["X"]).ravel() == pytest.approx(by_hand)
