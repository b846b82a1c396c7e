"""Judges as registered objects, the case in their context, grader errors, and the first declaration API."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

from gradelab import nn
from gradelab.assignments.deep_network import fixtures  # registers the deep_network witnesses
from gradelab.batch.grading import classify
from gradelab.grading import judges
from gradelab.grading.engine import grade
from gradelab.grading.judges import CaseContext, FiniteDifferences, Judge, OutputAdapter, SeededDraws, Values
from gradelab.grading.outcome import Finding, Status
from gradelab.grading.spec import Assignment, Case, Exercise, Tolerance


def scale_rows(A, c):
    return A * c


def inputs(rng):
    return [rng.standard_normal((3, 4)), float(rng.uniform(1, 2))], {}


@judges.register
@dataclass(frozen=True)
class RowSums(Judge):
    """An instructor's own judge: reads what the case attached, and can be named in a declaration."""

    name: ClassVar[str] = "test.row_sums"
    atol: float = 1e-9

    def judge(self, context, expected, got, probe=None):
        wanted = context.data["row_sums"]
        if not np.allclose(np.sum(got, axis=1), wanted, atol=self.atol):
            return [Finding("fail", f"case {context.case.name} (seed {context.case.seed}): row sums are not {wanted}", "row_sums")]
        return []


@judges.register
@dataclass(frozen=True)
class Broken(Judge):
    name: ClassVar[str] = "test.broken"

    def judge(self, context, expected, got, probe=None):
        return {}["a key the grader's author forgot"]


def _assignment(judges_: list, data: dict | None = None, reference=scale_rows) -> Assignment:
    case = Case("public", inputs, seed=1, data=data or {})
    return Assignment("toy", "Toy", [Exercise("TestScale", "scale_rows", points=2, reference=reference, cases=[case], judges=judges_)])


def _grade(tmp_path, assignment, source="def scale_rows(A, c):\n    return A * c\n"):
    path = tmp_path / "submission.py"
    path.write_text("import numpy as np\n" + source)
    return grade(assignment, path)


@pytest.mark.parametrize("judge", [Values(rtol=1e-3, strict_dtype=False), Values(judged=False), OutputAdapter("m", "f", True),
                                   FiniteDifferences(witness="deep_network.linear_backward"), RowSums(atol=0.5),
                                   SeededDraws(layers_dims=(10, 5, 2), scales={10: 0.1, 5: 0.2}, seeds=(1, 2)),
                                   judges.SeedUse(seed_position=1), judges.SeedUse(fixed_seed=3),
                                   judges.InputsKept(("params",)), judges.CostsInterval(every=50)])
def test_every_registered_judge_travels_as_data(judge):
    data = judges.to_data(judge)
    assert data["name"] == judge.name and judges.from_data(data) == judge


def test_a_judge_is_found_by_name_and_an_unknown_name_says_what_is_known():
    assert judges.get("values", rtol=0.1) == Values(rtol=0.1)
    with pytest.raises(ValueError, match="no judge is registered as 'nope'; registered judges: .*values"):
        judges.get("nope")


def test_an_unregistered_judge_cannot_pretend_to_be_data():
    legacy = judges.CaseCheck(check=lambda *args: [])
    assert not legacy.is_data
    with pytest.raises(ValueError, match="not registered"):
        judges.to_data(legacy)


def test_a_judge_gets_the_case_and_what_its_maker_attached(tmp_path):
    args, _ = inputs(np.random.default_rng(1))
    right = list(np.sum(scale_rows(*args), axis=1))
    assignment = _assignment([Values(), judges.get("test.row_sums")], data={"row_sums": right})
    assert _grade(tmp_path, assignment).score == 2
    wrong = _assignment([judges.get("test.row_sums")], data={"row_sums": [0.0, 0.0, 0.0]})
    outcome = _grade(tmp_path, wrong).exercises[0]
    assert outcome.status is Status.FAILED
    assert any(f.code == "row_sums" and "case public (seed 1)" in f.message for f in outcome.cases[0].findings)


def test_a_judge_that_raises_is_a_grader_error_never_the_students(tmp_path):
    report = _grade(tmp_path, _assignment([Values(), Broken()]))
    outcome = report.exercises[0]
    assert outcome.status is Status.GRADER_ERROR and not outcome.graded and outcome.score == 0
    assert "KeyError" in outcome.cases[0].traceback and not report.gradable
    assert any(note.code == "grader_error" and "not a fault of your code" in note.message for note in outcome.notes)
    assert classify(report)[0] == "error"  # unfinished: a resumed batch grades it again


def test_a_reference_that_raises_is_a_grader_error(tmp_path):
    def broken_reference(A, c):
        raise ZeroDivisionError("the instructor's bug")

    outcome = _grade(tmp_path, _assignment([Values()], reference=broken_reference)).exercises[0]
    assert outcome.status is Status.GRADER_ERROR and "ZeroDivisionError" in outcome.cases[0].traceback


def test_the_first_api_still_grades_the_same_with_a_deprecation_note(tmp_path):
    seen = []

    def check(args, kwargs, expected, got):
        seen.append((len(args), expected.shape))
        return []

    case = Case("public", inputs, seed=1)
    with pytest.warns(DeprecationWarning, match="tolerance/strict_dtype/case_checks"):
        old = Exercise("TestScale", "scale_rows", "(A, c)", 2, scale_rows, [case], tolerance=Tolerance(1e-3, 1e-6),
                       strict_dtype=False, case_checks=[check])
    assert isinstance(old.judges[0], Values) and old.judges[0] == Values(1e-3, 1e-6, False)
    report = _grade(tmp_path, Assignment("toy", "Toy", [old]), "def scale_rows(A, c):\n    return A * c * (1 + 1e-4)\n")
    assert report.score == 2 and seen == [(2, (3, 4))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = Exercise("TestScale", "scale_rows", points=2, reference=scale_rows, cases=[case])
    assert new.signature == "(A, c)" and new.judges == [Values()]


def test_judges_and_the_old_keywords_together_are_refused():
    with pytest.raises(TypeError, match="not both"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        Exercise("TestScale", "scale_rows", points=2, reference=scale_rows, cases=[], judges=[Values()], tolerance=Tolerance())


def test_finite_differences_has_one_threshold_rule():
    case = Case("public", fixtures.linear_backward_inputs([4, 3, 2], 2), seed=12)
    args, kwargs = case.inputs()
    context = CaseContext("TestLinearBackward", "linear_backward", case, args, kwargs, str)
    right = nn.linear_backward(*args)
    judge = FiniteDifferences(witness="deep_network.linear_backward")
    assert judge.judge(context, right, right) == []
    off = (right[0], right[1] * (1 + 3e-5), right[2])  # relative error 1.5e-5 > rtol 1e-5
    assert [f.code for f in judge.judge(context, right, off)] == ["gradient"]
    assert FiniteDifferences(witness="deep_network.linear_backward", rtol=1e-4).judge(context, right, off) == []


@pytest.mark.parametrize("reply", [{"refused": 5}, {"refused": [1, 2]}, {"functions": "f"}, {"problems": [None]}, {"ok": "yes"},
                                   {"status": "passed"}, {"status": "grader error"}, {"error": {"message": 7}}, {"mutated": [[]]}])
def test_a_reply_that_breaks_the_protocol_is_malformed_never_a_crash_of_the_grader(reply):
    from gradelab.grading.protocol.wire import WireError
    from gradelab.grading.sandbox import _checked_reply

    with pytest.raises(WireError):
        _checked_reply(reply)
    assert _checked_reply({"ok": True, "refused": ["tried to open x"], "status": "crashed", "functions": ["f"]})


# --- contracts: seeds, inputs kept, costs interval ----------------------------------------------------------------
def draw(n, seed=3):
    np.random.seed(seed)
    return np.random.randn(n)


def draw_inputs(rng):
    return [4, 7], {}


def _draws_assignment(seed_judge):
    return Assignment("toy", "Toy", [Exercise("TestDraw", "draw", points=2, reference=draw,
                                              cases=[Case("public", draw_inputs)], judges=[Values(), seed_judge],
                                              uses_randomness=True)])


@pytest.mark.parametrize(("source", "message"), [
    ("def draw(n, seed=3):\n    np.random.seed(seed)\n    return np.random.randn(n)\n", None),
    ("def draw(n, seed=3):\n    return np.random.default_rng(seed).standard_normal(n) * 0 + draw_ref(n, seed)\n"
     "def draw_ref(n, seed):\n    np.random.seed(seed)\n    return np.random.randn(n)\n", None),
    ("def draw(n, seed=3):\n    np.random.seed(7)\n    return np.random.randn(n)\n", "the seed argument is ignored"),
    ("def draw(n, seed=3):\n    return np.random.randn(n)\n", "called twice in a row with seed=7"),
])
def test_a_seed_argument_is_checked_without_the_graders_reseeding(tmp_path, source, message):
    outcome = _grade(tmp_path, _draws_assignment(judges.SeedUse(seed_position=1)), source).exercises[0]
    found = [finding.message for case in outcome.cases for finding in case.findings if finding.kind == "fail"]
    assert (outcome.status is Status.PASSED) == (message is None), found
    assert message is None or any(message in text for text in found)


def fixed(n):
    np.random.seed(1)  # the grader seeds NumPy with 1 before each call too: one call cannot tell
    return np.random.randn(n)


def test_a_deleted_fixed_seed_line_is_found_by_two_calls_in_a_row(tmp_path):
    assignment = Assignment("toy", "Toy", [Exercise("TestFixed", "fixed", points=1, reference=fixed, uses_randomness=True,
                                                    cases=[Case("public", lambda rng: ([5], {}))],
                                                    judges=[Values(), judges.SeedUse(fixed_seed=1)])])
    good = _grade(tmp_path, assignment, "def fixed(n):\n    np.random.seed(1)\n    return np.random.randn(n)\n")
    assert good.exercises[0].status is Status.PASSED
    bad = _grade(tmp_path, assignment, "def fixed(n):\n    return np.random.randn(n)\n").exercises[0]
    assert bad.status is Status.FAILED
    assert "it must seed NumPy itself with np.random.seed(1)" in bad.cases[0].findings[0].message


def step(params, rate):
    return {key: value - rate for key, value in params.items()}


def test_changing_an_input_the_template_keeps_fails_the_case(tmp_path):
    assignment = Assignment("toy", "Toy", [Exercise("TestStep", "step", points=1, reference=step,
                                                    cases=[Case("public", lambda rng: ([{"W1": np.ones(2)}, 0.5], {}))],
                                                    judges=[Values(), judges.InputsKept(("params",))])])
    outcome = _grade(tmp_path, assignment, "def step(params, rate):\n    params['W1'] -= rate\n    return params\n").exercises[0]
    assert outcome.status is Status.FAILED
    assert [f.code for f in outcome.cases[0].findings if f.kind == "fail"] == ["mutated"]
    assert _grade(tmp_path, assignment, "def step(params, rate):\n    return {k: v - rate for k, v in params.items()}\n") \
        .exercises[0].status is Status.PASSED


def test_costs_at_another_interval_fail_with_the_stated_interval():
    context = CaseContext("TestModel", "model", Case("public", inputs), [], {}, str)
    judge = judges.CostsInterval(every=100)
    assert judge.judge(context, ({}, [1.0, 0.5]), ({}, [1.0, 0.5])) == []
    assert "record the cost every 100 iterations" in judge.judge(context, ({}, [1.0, 0.5]), ({}, [1.0] * 130))[0].message


def test_a_second_verdict_never_forgives_a_shape_or_keys_failure(tmp_path):
    accept_all = judges.Acceptance(verdict=lambda probe: (True, []))
    assignment = Assignment("toy", "Toy", [Exercise("TestScale", "scale_rows", points=2, reference=scale_rows,
                                                    cases=[Case("public", inputs, seed=1)], judges=[Values(), accept_all])])
    other_values = _grade(tmp_path, assignment, "def scale_rows(A, c):\n    return A * c + 1\n").exercises[0]
    assert other_values.status is Status.PASSED and other_values.accepted_by == "accept_if"
    other_shape = _grade(tmp_path, assignment, "def scale_rows(A, c):\n    return (A * c).T\n").exercises[0]
    assert other_shape.status is Status.FAILED


def test_an_accepted_exercise_reads_as_accepted_in_results_json(tmp_path):
    from gradelab.assignments import load
    from gradelab.grading.report import to_gradescope
    from gradelab.grading.selftest import grade_source, variants

    assignment = load("initialization")
    variant = next(v for v in variants(assignment) if v.label == "he_default_rng")
    report = grade_source(assignment, variant.source, ["TestHeInitialization"])
    assert report.exercises[0].accepted_by == "seeded_draws"
    outputs = [test["output"] for test in to_gradescope(report)["tests"]]
    assert any("accepted: other random numbers, right distribution" in output for output in outputs)
    assert not any("fail:" in output for output in outputs), outputs
