"""The student's bundle checks without gradelab: in a real Jupyter kernel, from a shell, and as the grader does.

Every bundle is written once per module; the kernel runs in a fresh virtual environment that sees this one's
packages (NumPy, scikit-learn, matplotlib, ipykernel) but not gradelab, so a check cell that reached for the
grading package would fail here.
"""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
import sysconfig
import time
import types
from pathlib import Path

import nbformat
import numpy as np
import pytest

from gradelab.assignments import load
from gradelab.checker import checker_source
from gradelab.grading.bundle import SHELL_CHECK, build_notebook, function_sources, write_bundle
from gradelab.grading.recorded import CHECKS_FILE, encode_checks
from gradelab.grading.selftest import solution_source, variants

ASSIGNMENTS = ("initialization", "convolution", "keras_intro", "deep_network")
VERDICTS = Path(__file__).parent / "verdicts"
NO_GRADER = ('try:\n    import gradelab.grading\nexcept ImportError:\n    pass\n'
             'else:\n    raise AssertionError("gradelab.grading is importable")')


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> dict[str, Path]:
    """Each assignment's bundle, written as `gradelab assign` writes it (the initialization study's data cached by pytest)."""
    cache = pytestconfig.cache.mkdir("gradelab-data") if pytestconfig.cache else tmp_path_factory.mktemp("data")
    folders = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADELAB_CACHE", str(cache))
        for name in ASSIGNMENTS:
            folders[name] = tmp_path_factory.mktemp("bundles") / name
            write_bundle(load(name), folders[name])
    return folders


#: What a student's environment lacks: gradelab, and what only its grading needs (Numba, Dask, nbformat, nbclient).
#: rich stays: keras_intro's notebook imports gradelab.keras, course material that prints with it.
NOT_A_STUDENTS = ("gradelab", "__editable__", "numba", "llvmlite", "dask", "distributed", "nbformat", "nbclient")


@pytest.fixture(scope="module")
def clean_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with this one's packages but gradelab's own: each site-packages entry linked, those left out."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
    python = root / "bin" / "python"
    target = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 capture_output=True, text=True, check=True).stdout.strip())
    packages = root / "packages"
    packages.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.lower().startswith(NOT_A_STUDENTS) and entry.suffix != ".pth":
            (packages / entry.name).symlink_to(entry)
    (target / "packages.pth").write_text(f"{packages}\n", encoding="utf-8")
    kernels = root / "share" / "jupyter" / "kernels" / "clean"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                                     "display_name": "no gradelab", "language": "python"}), encoding="utf-8")
    return python


def solved(name: str, folder: Path) -> nbformat.NotebookNode:
    """The bundle's notebook with every code cell but the checks as the solution has it: a student's finished work."""
    notebook = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    full = build_notebook(load(name), blank=False).cells
    # The bundle adds the expected output after each check; every other cell is the solution's notebook's.
    own = [cell for cell in notebook.cells if not (cell.cell_type == "markdown" and cell.source.startswith("**Expected output**"))]
    assert len(full) == len(own)
    for cell, filled in zip(own, full):
        if cell.cell_type == "code" and not SHELL_CHECK.match(filled.source):
            cell.source = filled.source
    return notebook


def execute(notebook: nbformat.NotebookNode, folder: Path, python: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PATH", str(python.parent.parent / "share" / "jupyter"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    NotebookClient(notebook, kernel_name="clean", timeout=120, resources={"metadata": {"path": str(folder)}}).execute()


def printed(cell: nbformat.NotebookNode) -> str:
    return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")


def check_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.startswith("from tests import check")]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solved_notebook_runs_in_a_kernel_without_gradelab_and_a_known_mistake_fails_with_its_hint(
        name: str, bundles: dict[str, Path], clean_python: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assignment, folder = load(name), bundles[name]
    notebook = solved(name, folder)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(NO_GRADER))
    exercise = next(exercise for exercise in assignment.exercises if exercise.mistakes)
    mistake = exercise.mistakes[0]
    # Then the student breaks one function in the same kernel and checks again: no saving, no restart.
    module = inspect.getsource(inspect.getmodule(mistake.function))
    notebook.cells.append(nbformat.v4.new_code_cell(f"{module}\n\n{exercise.function} = {mistake.function.__name__}"))
    notebook.cells.append(nbformat.v4.new_code_cell(f'from tests import check\ncheck("{exercise.id}")'))
    execute(notebook, folder, clean_python, monkeypatch)
    cells = check_cells(notebook)
    assert len(cells) == len(assignment.exercises) + 1
    for cell, expected in zip(cells, assignment.exercises):
        assert printed(cell).strip().splitlines()[-1] == f"{expected.id}: passed", printed(cell)
    failed = printed(cells[-1])
    assert failed.strip().splitlines()[-1].startswith(f"{exercise.id}: failed ("), failed
    assert f"Hint: {mistake.hint}" in failed


def test_saved_notebook_from_a_shell_exits_zero_or_one(bundles: dict[str, Path], clean_python: Path, tmp_path: Path) -> None:
    folder = bundles["convolution"]
    nbformat.write(solved("convolution", folder), folder / "convolution.ipynb")
    passed = subprocess.run([str(clean_python), "tests/test_convolution.py", "--test_case", "conv_forward_test"], cwd=folder,
                            capture_output=True, text=True, timeout=120)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.strip().splitlines()[-1] == "conv_forward_test: passed"
    broken = tmp_path / "broken.py"
    broken.write_text("import numpy as np\n\ndef zero_pad(X, pad):\n    return X\n", encoding="utf-8")
    failed = subprocess.run([str(clean_python), str(folder / "tests" / "test_convolution.py"), "--submission", str(broken)],
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"^zero_pad_test: failed \(\d+ of \d+ public cases failed\)$", failed.stdout, re.MULTILINE), failed.stdout
    assert "conv_forward_test: failed (conv_forward is not defined)" in failed.stdout


def _checker() -> types.ModuleType:
    """The bundle's checker, generated and imported as a module of its own (not through gradelab)."""
    module = types.ModuleType("bundle_checker")
    sys.modules["bundle_checker"] = module  # dataclasses look their module up
    exec(compile(checker_source(), "bundle_checker", "exec"), module.__dict__)
    return module


def _first_lines(findings: list) -> list[str]:
    return [message.splitlines()[0] if message else "" for message in findings]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_local_check_agrees_with_the_grader_on_every_public_case_of_every_variant(name: str, tmp_path: Path) -> None:
    """Solution, known mistakes and correct alternatives: each public case passes or fails locally as in the grader, with
    the same messages, and the exercise passes, fails and names a known mistake as the grader's public check does.

    The grader's verdicts come from its record (tests/verdicts, every case of every variant); where the local check
    differs from the record (a variant or a judge newer than the record), the variant is graded again on its public
    cases, and only a difference from that grading counts."""
    checker, assignment = _checker(), load(name)
    checks = checker.decode_checks(encode_checks(assignment))
    record = json.loads((VERDICTS / f"{name}.json").read_text(encoding="utf-8"))
    disagreements = []
    for variant in variants(assignment):
        key = f"{variant.kind}:{variant.exercise.id if variant.exercise else ''}:{variant.label}"
        namespace: dict = {"__name__": "submission"}
        exec(compile(variant.source, "submission", "exec"), namespace)
        local = {exercise["id"]: checker.check_exercise(exercise, namespace, checks["global_seed"])
                 for exercise in checks["exercises"] if variant.exercise is None or exercise["id"] == variant.exercise.id}
        graded = record.get(key)
        if graded is None or _differences(graded, local, exact_mistakes=False):
            graded = _graded_now(assignment, variant, tmp_path)
            disagreements += [f"{key}: {problem}" for problem in _differences(graded, local, exact_mistakes=True)]
    assert not disagreements, "\n".join(disagreements)


def _differences(graded: dict, local: dict, exact_mistakes: bool) -> list[str]:
    """How the local results differ from a grade record's (per case: passed and first lines of messages; per exercise)."""
    problems = []
    for exercise in graded["exercises"]:
        mine = local[exercise["id"]]
        recorded = {case["case"]: case for case in exercise["cases"]}
        for case in mine.cases:
            theirs = recorded.get(case.name)
            if theirs is None:
                problems.append(f"{exercise['id']} case {case.name}: not in the grader's record")
            elif theirs["passed"] != case.passed or _first_lines([m for _, m in theirs["findings"]]) != _first_lines(
                    [finding.message for finding in case.findings]):
                problems.append(f"{exercise['id']} case {case.name}: grader {theirs}, local {case.passed} {case.findings}")
        public = [recorded[case.name] for case in mine.cases if case.name in recorded]
        if mine.passed != (all(case["passed"] for case in public) or exercise["status"] == "passed"):
            problems.append(f"{exercise['id']}: grader {exercise['status']}, local {mine.status}")
        named = (mine.mistake or {}).get("name")
        if (exercise["mistake"] != named) if exact_mistakes else (exercise["mistake"] and not mine.passed and named is None):
            problems.append(f"{exercise['id']}: the grader names {exercise['mistake']!r}, the local check {named!r}")
    return problems


def _graded_now(assignment: object, variant: object, folder: Path) -> dict:
    """The grader's public check of a variant, as a grade record."""
    from gradelab.grading.engine import grade
    from verdicts.snapshot import grade_record

    path = folder / "variant.py"
    path.write_text(variant.source, encoding="utf-8")
    return grade_record(grade(assignment, path, hidden=False, only=[variant.exercise.id] if variant.exercise else None))


def _hidden_arrays(assignment: object) -> list[np.ndarray]:
    from gradelab.grading.engine import expected_output

    found = []
    for exercise in assignment.exercises:
        for case in exercise.hidden_cases():
            args, kwargs = case.inputs()
            values = [args, kwargs, expected_output(exercise, exercise.reference, args, kwargs)]
            found.extend(array for array in _arrays(values) if array.dtype.kind == "f" and len(np.unique(array)) > 2)
    return found


def _arrays(tree: object) -> list[np.ndarray]:
    if isinstance(tree, np.ndarray):
        return [tree]
    items = tree.values() if isinstance(tree, dict) else tree if isinstance(tree, list | tuple) else ()
    return [array for item in items for array in _arrays(item)]


def _normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_file_of_the_bundle_holds_a_solution_body_a_mistakes_code_or_a_hidden_case(name: str, bundles: dict[str, Path]) -> None:
    assignment, folder = load(name), bundles[name]
    texts = {path: _normalized(path.read_text(encoding="utf-8")) for path in folder.rglob("*")
             if path.is_file() and path.suffix in (".py", ".ipynb")}
    bodies = []  # of every shipped assignment: course material (keras_intro's gradelab.nn) holds no other's solution either
    for other in map(load, ASSIGNMENTS):
        solution = function_sources(solution_source(other), blank=False)
        graded = {exercise.function for exercise in other.exercises}
        bodies += [_normalized("\n".join(source.splitlines()[1:])) for function, source in solution.items() if function in graded]
        bodies += [_normalized("\n".join(inspect.getsource(mistake.function).splitlines()[1:]))
                   for exercise in other.exercises for mistake in exercise.mistakes]
    for path, text in texts.items():
        leaked = [body[:60] for body in bodies if len(body) > 30 and body in text]
        assert not leaked, f"{path} holds {leaked}"
    recorded = _arrays(_checker().decode_checks((folder / "tests" / CHECKS_FILE).read_bytes()))
    for hidden in _hidden_arrays(assignment):
        assert not any(array.shape == hidden.shape and np.array_equal(array, hidden) for array in recorded)


def test_a_warm_check_takes_under_a_third_of_a_second() -> None:
    """The slowest path: an initializer drawn from another generator, accepted only in distribution on large layers."""
    from gradelab.assignments.initialization import alternatives

    checker, assignment = _checker(), load("initialization")
    checks = checker.decode_checks(encode_checks(assignment))
    namespace: dict = {"__name__": "__main__"}
    exec(solution_source(assignment), namespace)
    namespace["initialize_parameters_he"] = alternatives.he_default_rng
    exercise = checker.find_exercise(checks, "TestHeInitialization")
    checker.check_exercise(exercise, namespace, checks["global_seed"])  # warm: NumPy's first calls
    started = time.perf_counter()
    result = checker.check_exercise(exercise, namespace, checks["global_seed"])
    assert result.passed and time.perf_counter() - started < 0.3


def test_graded_calls_are_answered_from_the_recording_so_one_mistake_costs_one_exercise() -> None:
    """conv_forward passes with zero_pad wrong, or not written at all, as in the grader, whose stand-ins answer those calls."""
    checker, assignment = _checker(), load("convolution")
    checks = checker.decode_checks(encode_checks(assignment))
    solution = function_sources(solution_source(assignment), blank=False)
    namespace: dict = {"__name__": "__main__"}
    exec(f"import numpy as np\n\n{solution['conv_forward']}", namespace)
    exercise = checker.find_exercise(checks, "conv_forward_test")
    assert checker.check_exercise(exercise, namespace, checks["global_seed"]).passed  # zero_pad, conv_single_step undefined
    exec("def zero_pad(X, pad):\n    return X\n", namespace)
    assert checker.check_exercise(exercise, namespace, checks["global_seed"]).passed
    assert "zero_pad" in namespace and not checker.check_exercise(checker.find_exercise(checks, "zero_pad_test"), namespace,
                                                                  checks["global_seed"]).passed


def test_a_check_from_a_shell_keeps_exactly_what_the_grader_keeps(tmp_path: Path) -> None:
    """The bundle's checker vendors grading/rule.py: a constant computed with NumPy runs, an experiment does not."""
    from gradelab.checker.local import notebook_namespace
    from gradelab.grading.submission import load_submission

    source = ("import numpy as np\nHE_GAIN = np.sqrt(2.0)\nrelu2 = lambda z: np.maximum(0, z)\nparameters = train(3)\n"
              "m = parameters['W1'].shape[1]\nfrom tests import check\n\ndef gain():\n    return HE_GAIN\n")
    path = tmp_path / "work.py"
    path.write_text(source)
    local = notebook_namespace(path, tmp_path)
    assert local["gain"]() == np.sqrt(2.0) and "relu2" in local
    assert "parameters" not in local and "m" not in local and "check" not in local
    graded = "\n".join(code for _, code in load_submission(path).definitions)
    assert all(name in graded for name in ("HE_GAIN", "relu2", "def gain")) and "train(3)" not in graded and "tests" not in graded
