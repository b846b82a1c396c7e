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
    assert message.startswith("scale_rows raised ValueError") and "line 3, in scale_rows" in message  # the file's own line number


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


# --- round two: what a function needs, near-miss names, unsaved notebooks, second verdicts ----------------------
def test_a_constant_computed_with_numpy_and_a_lambda_helper_are_available(tmp_path):
    report = grade_source(tmp_path, "ONE = np.sqrt(1.0)\ntimes = lambda A, c: A * c * ONE\n"
                                    "def scale_rows(A, c):\n    return times(A, c)\n")
    assert by_id(report)["TestScale"].status is Status.PASSED


def test_a_name_an_experiment_would_define_is_named_with_where_and_never_matched_to_a_mistake(tmp_path):
    report = grade_source(tmp_path, "C = run_experiment()\ndef scale_rows(A, c):\n    return A if c < 1.4 else A * C\n")
    outcome = by_id(report)["TestScale"]
    assert outcome.status is Status.FAILED and outcome.mistake is None
    messages = [finding.message for case in outcome.cases for finding in case.findings]
    assert any("C is assigned in file, line 2, by a statement the checker does not run: `C = run_experiment()`" in message
               and "it calls run_experiment" in message for message in messages)


def test_a_near_miss_function_name_gets_did_you_mean(tmp_path):
    report = grade_source(tmp_path, "def scale_row(A, c):\n    return A * c\n")
    note = by_id(report)["TestScale"].notes[0].message
    assert "did you mean scale_row?" in note


def test_every_function_returning_none_asks_whether_the_notebook_was_saved(tmp_path):
    report = grade_source(tmp_path, "def scale_rows(A, c):\n    return None\ndef total(A):\n    return None\n"
                                    "def scaled_total(A, c):\n    return None\n")
    assert any("did you save the notebook" in problem for problem in report.problems)
    report = grade_source(tmp_path, "def scale_rows(A, c):\n    return None\ndef total(A):\n    return float(np.sum(A))\n")
    assert not any("did you save" in problem for problem in report.problems)


def test_importing_matplotlib_is_no_accusation_but_starting_a_program_is(tmp_path):
    honest = grade_source(tmp_path, "import matplotlib.pyplot as plt\ndef total(A):\n    return float(np.sum(A))\n",
                          only=["TestTotal"])
    assert not any("another program" in problem for problem in honest.problems)
    spawning = grade_source(tmp_path, "import os\ndef total(A):\n    try:\n        os.system('true')\n    except OSError:\n"
                                      "        pass\n    return float(np.sum(A))\n", only=["TestTotal"])
    assert any("tried to start another program" in problem for problem in spawning.problems)


def test_the_same_fault_on_every_case_is_shown_once(tmp_path):
    import io

    from rich.console import Console

    from gradelab.grading.report import render

    report = grade_source(tmp_path, "GAIN = measure()\ndef scale_rows(A, c):\n    return A * c * GAIN\n", only=["TestScale"])
    console = Console(file=io.StringIO(), width=300, color_system=None)
    render(report, console)
    text = console.file.getvalue()
    assert text.count("GAIN is assigned in file, line 2") == 1 and "the same as above" in text
