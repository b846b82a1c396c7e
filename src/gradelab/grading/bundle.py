"""The student's bundle: a notebook with empty code blocks, local checks, and the data files it reads.

An assignment folder holds ``solution.py`` (the graded functions, filled in,
with ``# START OF YOUR CODE`` / ``# END OF YOUR CODE`` markers) and
``notebook.py`` with ``build(functions) -> nbformat.NotebookNode`` and,
optionally, ``write_data(folder) -> list[Path]``. The bundle is written from
those two, so the notebook's functions and the grader's solution never drift.
An instructor's assignment without ``notebook.py`` gets a plain notebook (title,
imports, each graded function and its check); without ``solution.py``, stubs.

The bundle's ``tests/test_<name>.py`` runs ``gradelab check``. For a shipped
assignment it checks by name: the student has the package, so the full public
check (stand-ins, second verdicts, case checks) costs nothing secret. For one
declared off the package (``--assignment-path``) it checks against
``tests/public_cases.wire``, the public cases recorded as data
(grading/recorded.py), since the student has no declaration.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from types import ModuleType

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .recorded import FILE_NAME, encode_recording
from .selftest import solution_source
from .spec import Assignment

START, END = "# START OF YOUR CODE", "# END OF YOUR CODE"

CHECK_SCRIPT = '''"""Local checks for {notebook}: python tests/test_{name}.py [--test_case ID]

Save the notebook first: the checks read the saved file, and run only its
imports, function definitions and constants, never its other cells.
"""
import argparse
import sys
from pathlib import Path

from gradelab.cli import main

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--test_case", help="one exercise id, e.g. {example}")
args = parser.parse_args()
here = Path(__file__).resolve().parent
notebook = here.parent / "{notebook}"
sys.exit(main({command} + (["--test_case", args.test_case] if args.test_case else [])))
'''
#: Shipped assignments: the full public check of the installed package (stand-ins, second verdicts, case checks).
SHIPPED_COMMAND = '["check", "{name}", str(notebook)]'
#: Off-package assignments: the recorded public cases beside this script, no declaration needed.
RECORDED_COMMAND = '["check", "--recorded", str(here / "{recording}"), str(notebook)]'
DEFAULT_CHECK_CELL = "!python tests/test_{name}.py --test_case {id}"


def function_sources(source: str, blank: bool) -> dict[str, str]:
    """Each top-level function's source; with ``blank`` the lines between the markers are emptied."""
    lines = source.splitlines()
    functions = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            text = "\n".join(lines[node.lineno - 1 : _end_with_comments(lines, node.end_lineno)])
            functions[node.name] = blank_out(text) if blank else text
    return functions


def _end_with_comments(lines: list[str], end: int) -> int:
    """The function's end, past indented comments after its last statement: the AST ends a function whose marked
    block is its last code (``return ...`` then ``# END OF YOUR CODE``) before the END marker, which must stay."""
    while end < len(lines) and lines[end][:1] in (" ", "\t") and lines[end].strip().startswith("#"):
        end += 1
    return end


def import_lines(source: str) -> str:
    """The top-level import statements of ``source``, for a notebook's setup cell."""
    lines = source.splitlines()
    nodes = [node for node in ast.parse(source).body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join("\n".join(lines[node.lineno - 1 : node.end_lineno]) for node in nodes)


def blank_out(text: str) -> str:
    """Keep the instruction comments right after START, drop the code up to END."""
    pattern = re.compile(rf"(^[ \t]*{re.escape(START)}\n(?:[ \t]*#.*\n)*)(?:.*\n)*?([ \t]*{re.escape(END)})", re.MULTILINE)
    return pattern.sub(lambda match: match.group(1) + "\n" + match.group(2), text)


def notebook_module(assignment: Assignment) -> ModuleType | None:
    """The assignment's ``notebook`` module; None where it has none (an instructor's single-file assignment)."""
    from ..assignments import locate

    name = f"{locate(assignment).module}.notebook"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name not in (name, name.rpartition(".")[0]):  # a missing dependency of the notebook is an error
            raise
        return None


def _solution(assignment: Assignment) -> str:
    try:
        return solution_source(assignment)
    except FileNotFoundError:  # an instructor's assignment without solution.py: notebooks get stubs
        return ""


def build_notebook(assignment: Assignment, blank: bool = True) -> nbformat.NotebookNode:
    source = _solution(assignment)
    functions = function_sources(source, blank) if source else {}
    module = notebook_module(assignment)
    if module is not None:
        return module.build(functions)
    return default_notebook(assignment, functions, import_lines(source) if source else "import numpy as np")


def default_notebook(assignment: Assignment, functions: dict[str, str], setup: str) -> nbformat.NotebookNode:
    """A plain notebook: the title and description, imports and helpers, then each graded function and its check."""
    graded = {exercise.function for exercise in assignment.exercises}
    helpers = [source for name, source in functions.items() if name not in graded]
    intro = f"# {assignment.title}\n\n{assignment.description}\n\n" + (
        "After each function, save the notebook and run the cell below it: it checks your function on the public "
        "cases. The instructor's grading adds hidden cases.")
    cells = [new_markdown_cell(intro), new_code_cell("\n\n\n".join([setup, *helpers]).strip())]
    for exercise in assignment.exercises:
        cells.append(new_markdown_cell(f"## {exercise.title or exercise.function} [{exercise.points:g} points]\n\n"
                                       f"`{exercise.function}{exercise.signature}`"))
        stub = f"def {exercise.function}{exercise.signature}:\n    {START}\n\n    {END}\n"
        cells.append(new_code_cell(functions.get(exercise.function, stub)))
        cells.append(new_code_cell(DEFAULT_CHECK_CELL.format(name=assignment.name, id=exercise.id)))
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def write_bundle(assignment: Assignment, folder: str | Path, overwrite: bool = False, recorded: bool = False) -> list[Path]:
    """Write notebook, checks and data into ``folder``; refuse to replace files unless ``overwrite``.

    ``recorded``: the checks read the public cases from ``tests/public_cases.wire`` (grading/recorded.py) instead
    of the declaration, for assignments declared off the package whose students do not have it.
    """
    folder = Path(folder)
    notebook_name = f"{assignment.name}.ipynb"
    planned = [folder / notebook_name, folder / "tests" / f"test_{assignment.name}.py"]
    if recorded:
        planned.append(folder / "tests" / FILE_NAME)
    existing = [path for path in planned if path.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{', '.join(map(str, existing))} already exist{'s' if len(existing) == 1 else ''}; "
                              "pass --force to replace them (a student's work would be lost)")
    # Everything that can fail runs before the first file is written, so a refused bundle leaves nothing half done.
    recording = encode_recording(assignment) if recorded else None
    notebook = build_notebook(assignment)
    (folder / "tests").mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, planned[0])
    command = (RECORDED_COMMAND.format(recording=FILE_NAME) if recorded else SHIPPED_COMMAND.format(name=assignment.name))
    planned[1].write_text(CHECK_SCRIPT.format(notebook=notebook_name, name=assignment.name, example=assignment.exercises[0].id,
                                              command=command), encoding="utf-8")
    if recording is not None:
        planned[2].write_bytes(recording)
    module = notebook_module(assignment)
    writer = getattr(module, "write_data", None) if module is not None else None
    written = list(planned)
    if writer is not None:
        written.extend(writer(folder / "data", overwrite))
    return written
