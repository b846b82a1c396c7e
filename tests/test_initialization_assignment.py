"""The initialization assignment graded end to end: solution, known mistakes, alternatives, notebooks."""

import nbformat

from gradelab.assignments import load
from gradelab.grading.bundle import build_notebook
from gradelab.grading.engine import grade
from gradelab.grading.selftest import grade_source, variants

ASSIGNMENT = load("initialization")
VARIANTS = list(variants(ASSIGNMENT))


def test_points_and_ids_follow_the_seed_notebook():
    points = {exercise.id: exercise.points for exercise in ASSIGNMENT.exercises}
    assert points == {"TestDataGeneration": 2, "TestPreprocessing": 2, "TestZeroInitialization": 2,
                      "TestRandomInitialization": 2, "TestHeInitialization": 2}
    for exercise in ASSIGNMENT.exercises:
        assert len(exercise.mistakes) >= 5 and len(exercise.alternatives) >= 3, exercise.id
        assert exercise.hidden_cases(), exercise.id


def test_default_rng_initializer_passes_in_distribution_with_an_explanation(tmp_path):
    variant = next(v for v in VARIANTS if v.label == "he_default_rng")
    outcome = grade_source(ASSIGNMENT, variant.source, ["TestHeInitialization"]).exercises[0]
    assert outcome.score == 2
    assert any("right in distribution" in note.message and "default_rng" in note.message for note in outcome.notes)


def test_seed_reset_in_every_layer_fails_the_distribution_check():
    variant = next(v for v in VARIANTS if v.label == "seed reset in every layer")
    outcome = grade_source(ASSIGNMENT, variant.source, ["TestRandomInitialization"]).exercises[0]
    assert outcome.score < 2 and any("start with the same random numbers" in note.message for note in outcome.notes)


def test_filled_notebook_grades_full_marks(tmp_path):
    path = tmp_path / "initialization.ipynb"
    nbformat.write(build_notebook(ASSIGNMENT, blank=False), path)
    report = grade(ASSIGNMENT, path)
    assert report.score == 10 and not report.problems


def test_blank_notebook_scores_zero_with_a_report_for_every_exercise(tmp_path):
    path = tmp_path / "initialization.ipynb"
    nbformat.write(build_notebook(ASSIGNMENT, blank=True), path)
    report = grade(ASSIGNMENT, path)
    assert report.score == 0 and len(report.exercises) == 5
    assert all(outcome.cases and outcome.status == "failed" for outcome in report.exercises)


def test_broken_notebook_still_reports_every_exercise(tmp_path):
    notebook = build_notebook(ASSIGNMENT, blank=False)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    zeros_cell = next(cell for cell in code_cells if "def initialize_parameters_zeros" in cell.source)
    zeros_cell.source = zeros_cell.source.replace("parameters = {}", "parameters = {", 1)  # a syntax error
    he_cell = next(cell for cell in code_cells if "def initialize_parameters_he" in cell.source)
    notebook.cells.remove(he_cell)  # a missing function
    path = tmp_path / "broken.ipynb"
    nbformat.write(notebook, path)
    report = grade(ASSIGNMENT, path)
    statuses = {outcome.exercise.id: outcome.status for outcome in report.exercises}
    assert statuses == {"TestDataGeneration": "passed", "TestPreprocessing": "passed", "TestZeroInitialization": "missing",
                        "TestRandomInitialization": "passed", "TestHeInitialization": "missing"}
    # Counted as a notebook user counts them: the position among code cells.
    cell_number = [cell for cell in notebook.cells if cell.cell_type == "code"].index(zeros_cell) + 1
    assert any(problem.startswith(f"code cell {cell_number}, line") and "syntax error" in problem for problem in report.problems)
    assert report.score == 6
