"""The engine's fairness rules, each shown on a small assignment declared here."""

import numpy as np
import pytest

from gradelab.grading.engine import grade
from gradelab.grading.outcome import Status
from gradelab.grading.sandbox import Limits
from gradelab.grading.spec import Assignment, Case, Exercise, Mistake


def scale_rows(A, c):
    return A * c


def total(A):
    return float(np.sum(A))


def scaled_total(A, c):
    return total(scale_rows(A, c))


def forgot_c(A, c):
    return A


def inputs(rng):
    return [rng.standard_normal((3, 4)), float(rng.uniform(1, 2))], {}


ASSIGNMENT = Assignment("toy", "Toy", [
    Exercise("TestScale", "scale_rows", "(A, c)", 2, scale_rows,
             [Case("public", inputs, seed=1), Case("second", inputs, seed=2), Case("hidden", inputs, seed=3, hidden=True, varies="more A")],
             mistakes=[Mistake("c forgotten", "multiply by c", forgot_c)], output_name="A_scaled"),
    Exercise("TestTotal", "total", "(A)", 1, total, [Case("public", lambda rng: ([rng.standard_normal((2, 2))], {}), seed=4)]),
    Exercise("TestScaledTotal", "scaled_total", "(A, c)", 1, scaled_total, [Case("public", inputs, seed=5)],
             calls=("total", "scale_rows")),
])


def grade_source(tmp_path, source, **kwargs):
    path = tmp_path / "submission.py"
    path.write_text("import numpy as np\n" + source)
    return grade(ASSIGNMENT, path, **kwargs)


def by_id(report):
    return {outcome.exercise.id: outcome for outcome in report.exercises}


def test_drawing_random_numbers_changes_no_later_input(tmp_path):
    """Seed 000: output filled with randn first, then overwritten; the inputs of later cases come from their own generators."""
    report = grade_source(tmp_path, """
def scale_rows(A, c):
    out = np.random.randn(*A.shape)
    out[...] = A * c
    return out
def total(A):
    np.random.rand(1000)
    return float(A.sum())
def scaled_total(A, c):
    return total(scale_rows(A, c))
""")
    assert report.score == report.max_score == 4
    notes = [f.message for case in by_id(report)["TestScale"].cases for f in case.findings]
    assert any("drew from NumPy's global random generator" in note for note in notes)


def test_global_random_state_of_the_grader_is_untouched(tmp_path):
    np.random.seed(123)
    state = np.random.get_state()
    grade_source(tmp_path, "def scale_rows(A, c):\n    return A * c\n")
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]


def test_known_mistake_is_named_with_its_hint_and_costs_points(tmp_path):
    report = grade_source(tmp_path, "def scale_rows(A, c):\n    return A\n")
    outcome = by_id(report)["TestScale"]
    assert outcome.score == 0 and outcome.mistake.name == "c forgotten"
    message = outcome.cases[0].findings[0].message
    assert message.startswith("A_scaled: values differ:") and "largest difference" in message


def test_shape_and_dtype_are_separate_messages(tmp_path):
    report = grade_source(tmp_path, "def scale_rows(A, c):\n    return (A * c).T\ndef total(A):\n    return int(A.sum() > 0)\n")
    scale = by_id(report)["TestScale"].cases[0].findings[0].message
    assert scale == "A_scaled: expected shape (3, 4), got shape (4, 3) (transposed?)"
    assert by_id(report)["TestTotal"].status == "failed"


def test_one_mistake_one_deduction_through_stand_ins(tmp_path):
    report = grade_source(tmp_path, """
def scale_rows(A, c):
    return A + c
def total(A):
    return float(A.sum())
def scaled_total(A, c):
    return total(scale_rows(A, c))
""")
    outcomes = by_id(report)
    assert outcomes["TestScale"].score == 0 and outcomes["TestScaledTotal"].score == 1
    assert any("graded with the reference scale_rows in place of yours, which failed above" in note.message
               for note in outcomes["TestScaledTotal"].notes)


def test_missing_function_costs_only_its_exercise(tmp_path):
    report = grade_source(tmp_path, "def total(A):\n    return float(A.sum())\n")
    outcomes = by_id(report)
    assert outcomes["TestScale"].status == "missing" and outcomes["TestTotal"].status == "passed"
    assert "scale_rows(A, c) is not defined" in outcomes["TestScale"].notes[0].message


def test_hanging_function_costs_its_exercise_and_grading_goes_on(tmp_path):
    report = grade_source(tmp_path, "def scale_rows(A, c):\n    while True:\n        pass\ndef total(A):\n    return float(A.sum())\n",
                          limits=Limits(timeout=0.5))
    outcomes = by_id(report)
    assert outcomes["TestScale"].status is Status.TIMED_OUT and outcomes["TestScale"].cases[0].stopped
    assert "timed out after 0.5 s" in outcomes["TestScale"].cases[0].findings[0].message
    assert outcomes["TestTotal"].status == "passed"


def test_mutating_an_input_is_reported_as_a_warning(tmp_path):
    report = grade_source(tmp_path, "def scale_rows(A, c):\n    A *= c\n    return A\n")
    findings = by_id(report)["TestScale"].cases[0].findings
    assert by_id(report)["TestScale"].status == "passed"
    assert any(f.kind == "warn" and "changed its input A in place" in f.message for f in findings)


def test_public_run_says_what_hidden_cases_add(tmp_path):
    report = grade_source(tmp_path, "def scale_rows(A, c):\n    return A * c\n", hidden=False)
    outcome = by_id(report)["TestScale"]
    assert len(outcome.cases) == 2
    assert any("adds 1 more case to this exercise: more A" in note.message for note in outcome.notes)


def test_exceptions_become_findings_with_the_students_traceback(tmp_path):
    report = grade_source(tmp_path, "def scale_rows(A, c):\n    return A @ np.ones(7)\n")
    message = by_id(report)["TestScale"].cases[0].findings[0].message
    assert message.startswith("scale_rows raised ValueError") and "line 2, in scale_rows" in message


@pytest.mark.parametrize("source", ["def scale_rows(A, c):\n    raise SystemExit(0)\n",
                                    "def scale_rows(A, c):\n    raise KeyboardInterrupt\n"])
def test_base_exceptions_are_the_students_failure(tmp_path, source):
    report = grade_source(tmp_path, source)
    assert by_id(report)["TestScale"].score == 0


def test_passing_dependencies_run_as_written_and_ungraded_ones_are_replaced(tmp_path):
    source = "def scale_rows(A, c):\n    return A * c\ndef total(A):\n    return float(A.sum())\n" \
             "def scaled_total(A, c):\n    return total(scale_rows(A, c))\n"
    everything = by_id(grade_source(tmp_path, source))["TestScaledTotal"]
    assert everything.status == "passed" and not any("graded with the reference" in note.message for note in everything.notes)
    alone = by_id(grade_source(tmp_path, source, only=["TestScaledTotal"]))["TestScaledTotal"]
    assert alone.status == "passed"
    assert sum("which was not graded on its own in this run" in note.message for note in alone.notes) == 2
