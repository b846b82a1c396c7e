"""Student bundles: an instructor's own assignment checks from recorded public cases, without its declaration.

tests/test_student_checker.py runs the shipped assignments' bundles in a Jupyter kernel without gradelab.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from gradelab.checker.local import decode_checks
from gradelab.cli import main
from gradelab.grading.bundle import build_notebook, write_bundle
from gradelab.grading.engine import grade
from gradelab.grading.recorded import CHECKS_FILE, FILE_NAME, RecordingError, encode_recording, load_recording
from gradelab.grading.selftest import solution_source, variant_source
from gradelab.grading.spec import Assignment, Case, Exercise

HIDDEN_MARK = 123456.75  # fills the hidden case's input: it must appear nowhere in the bundle

DECLARATION = f'''
import numpy as np

from gradelab.grading.spec import Assignment, Case, Exercise, Mistake


def scale_shift(x, a, b):
    return a * x + b


def shift_then_scale(x, a, b):
    return a * (x + b)


def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ASSIGNMENT = Assignment(name="mine", title="My course: two functions", description="Scale, shift, softmax.", exercises=[
    Exercise(id="TestScaleShift", function="scale_shift", signature="(x, a, b)", points=2, reference=scale_shift,
             cases=[Case("public", lambda rng: ([rng.standard_normal((2, 3)), 2.0], {{"b": 0.5}}), seed=1),
                    Case("secret", lambda rng: ([np.full((4, 4), {HIDDEN_MARK!r}), 3.0, 1.0], {{}}), hidden=True,
                         varies="larger arrays")],
             mistakes=[Mistake("shifted before scaling", "Scale first, then add b: a * x + b.", shift_then_scale)]),
    Exercise(id="TestSoftmax", function="softmax", signature="(z)", points=3, reference=softmax, calls=("scale_shift",),
             cases=[Case("public", lambda rng: ([rng.standard_normal((3, 4))], {{}}), seed=2)],
             mistakes=[Mistake("softmax over rows", "Each column is one example: sum over axis 0.", softmax_rows)]),
])
'''

SOLUTION = '''
import numpy as np


def scale_shift(x, a, b):
    # START OF YOUR CODE
    return a * x + b
    # END OF YOUR CODE


def softmax(z):
    # START OF YOUR CODE
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
    # END OF YOUR CODE
'''

MISTAKEN = SOLUTION.replace("return a * x + b", "return a * (x + b)")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle of an instructor's assignment, whose declaration is deleted once the bundle is written."""
    instructor, folder = tmp_path_factory.mktemp("instructor"), tmp_path_factory.mktemp("student") / "bundle"
    (instructor / "mine.py").write_text(DECLARATION, encoding="utf-8")
    (instructor / "solution.py").write_text(SOLUTION, encoding="utf-8")
    assert main(["assign", "mine", str(folder), "--assignment-path", str(instructor / "mine.py")]) == 0
    shutil.rmtree(instructor)
    return folder


def run_check(folder: Path, source: str, *options: str) -> subprocess.CompletedProcess:
    """Save ``source`` as the student's notebook and run the bundle's check script, as a student would."""
    nbformat.write(new_notebook(cells=[new_code_cell(source), new_code_cell('from tests import check\ncheck("TestSoftmax")')]),
                   folder / "mine.ipynb")
    return subprocess.run([sys.executable, "tests/test_mine.py", *options], cwd=folder, capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"})


def test_bundle_holds_notebook_checker_and_recording(bundle: Path) -> None:
    assert {path.name for path in (bundle / "tests").iterdir()} == {"test_mine.py", "__init__.py", "checker.py", CHECKS_FILE}
    code = "\n".join(cell.source for cell in nbformat.read(bundle / "mine.ipynb", as_version=4).cells)
    assert "def scale_shift(x, a, b):" in code and "return a * x + b" not in code  # blanked between the markers
    assert 'from tests import check\ncheck("TestSoftmax")' in code  # the default notebook checks each exercise in the kernel
    assert "gradelab" not in (bundle / "tests" / "test_mine.py").read_text()


def test_recording_holds_public_cases_and_no_hidden_input(bundle: Path) -> None:
    data = decode_checks((bundle / "tests" / CHECKS_FILE).read_bytes())
    assert "secret" not in repr(data)
    scale_shift = data["exercises"][0]
    assert [case["name"] for case in scale_shift["cases"]] == ["public"]
    assert scale_shift["cases"][0]["kwargs"] == {"b": 0.5}
    assert "1 more case" in scale_shift["hidden_note"][0] and "larger arrays" in scale_shift["hidden_note"][0]
    assert scale_shift["mistakes"][0]["name"] == "shifted before scaling" and scale_shift["mistakes"][0]["outputs"][0]["ran"]
    arrays = [case["args"][0] for exercise in data["exercises"] for case in exercise["cases"]]
    assert not any(np.any(array == HIDDEN_MARK) for array in arrays)


def test_correct_submission_passes_without_the_declaration(bundle: Path) -> None:
    result = run_check(bundle, SOLUTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "TestScaleShift: passed" in result.stdout and result.stdout.rstrip().endswith("TestSoftmax: passed")
    assert "larger arrays" in result.stdout  # the hidden-case note survives the recording


def test_mistaken_submission_fails_with_the_mistakes_name_and_hint(bundle: Path) -> None:
    result = run_check(bundle, MISTAKEN, "--test_case", "TestScaleShift")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Known mistake: shifted before scaling" in result.stdout
    assert "Scale first, then add b" in result.stdout
    assert result.stdout.rstrip().endswith("TestScaleShift: failed (1 of 1 public case failed; known mistake: shifted before scaling)")
    assert "TestSoftmax" not in result.stdout  # --test_case selects one exercise


def test_check_in_the_kernel_reads_the_callers_functions(bundle: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture) -> None:
    """``check`` grades what the calling namespace defines: here a wrong scale_shift that no file holds."""
    monkeypatch.syspath_prepend(str(bundle))
    namespace = {"__name__": "__main__"}
    exec(compile(MISTAKEN + "\nfrom tests import check\ncheck('scale_shift')\n", "cell", "exec"), namespace)
    assert capsys.readouterr().out.rstrip().splitlines()[-1].startswith("TestScaleShift: failed")
    monkeypatch.delitem(sys.modules, "tests")
    monkeypatch.delitem(sys.modules, "tests.checker")


def test_assign_refuses_to_overwrite_without_force(bundle: Path) -> None:
    shutil.copy(bundle / "mine.ipynb", bundle / "before.ipynb")
    with pytest.raises(FileExistsError, match="--force"):
        write_bundle(Assignment("mine", "t", []), bundle, recorded=True)
    assert (bundle / "mine.ipynb").read_bytes() == (bundle / "before.ipynb").read_bytes()


def test_unrecordable_input_fails_naming_exercise_and_case(tmp_path: Path) -> None:
    exercise = Exercise(id="TestOdd", function="odd", signature="(f)", points=1, reference=lambda f: 0.0,
                        cases=[Case("with a function", lambda rng: ([np.sum], {}))])
    with pytest.raises(RecordingError, match=r"exercise TestOdd, case 'with a function': args\[0\] is a "):
        write_bundle(Assignment("odd", "Odd", [exercise]), tmp_path / "odd", recorded=True)
    assert not (tmp_path / "odd").exists()  # refused before anything was written


def test_recording_keeps_the_seeded_initializer_verdict(tmp_path: Path) -> None:
    from gradelab.assignments import load
    from gradelab.assignments.initialization import alternatives

    shipped = load("initialization")
    (tmp_path / FILE_NAME).write_bytes(encode_recording(shipped))
    recorded = load_recording(tmp_path / FILE_NAME)
    (tmp_path / "rng.py").write_text(variant_source(solution_source(shipped), "initialize_parameters_he",
                                                    alternatives.he_default_rng), encoding="utf-8")
    report = grade(recorded, tmp_path / "rng.py", hidden=False, only=["TestHeInitialization"])
    assert report.exercises[0].status == "passed", report.exercises[0].notes


def test_shipped_bundle_checks_from_its_recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gradelab.assignments import initialization, load
    from gradelab.assignments.initialization import notebook

    monkeypatch.setattr(notebook, "write_data", lambda folder, overwrite: [])  # the study's data is not under test
    write_bundle(load("initialization"), tmp_path)
    assert (tmp_path / "tests" / CHECKS_FILE).exists() and not (tmp_path / "tests" / FILE_NAME).exists()
    nbformat.write(build_notebook(initialization.ASSIGNMENT, blank=False), tmp_path / "initialization.ipynb")
    result = subprocess.run([sys.executable, "tests/test_initialization.py", "--test_case", "TestHeInitialization"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "TestHeInitialization: passed" in result.stdout and "TestZeroInitialization" not in result.stdout


def test_check_needs_a_submission(capsys: pytest.CaptureFixture) -> None:
    assert main(["check", "initialization"]) == 2
    assert "ASSIGNMENT SUBMISSION" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["initialization", "deep_network", "convolution", "keras_intro"])
def test_each_check_is_followed_by_its_expected_output_and_no_hidden_case(name):
    from gradelab.assignments import load
    from gradelab.grading.bundle import student_notebook

    assignment = load(name)
    cells = student_notebook(assignment).cells
    for index, cell in enumerate(cells):
        if cell.cell_type == "code" and cell.source.startswith("from tests import check"):
            exercise = assignment.exercise(cell.source.split('"')[1])
            shown = cells[index + 1].source if index + 1 < len(cells) else ""
            if exercise.value_rule().judged:
                assert shown.startswith("**Expected output**") and exercise.public_cases()[0].name in shown, exercise.id
            assert not any(f"({case.name})" in shown for case in exercise.hidden_cases())
