"""The student's bundle: a notebook with empty code blocks, local checks, and the data files it reads.

An assignment folder holds ``solution.py`` (the graded functions, filled in,
with ``# START OF YOUR CODE`` / ``# END OF YOUR CODE`` markers) and
``notebook.py`` with ``build(functions) -> nbformat.NotebookNode`` and,
optionally, ``write_data(folder) -> list[Path]``. The bundle is written from
those two, so the notebook's functions and the grader's solution never drift.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import nbformat

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
notebook = Path(__file__).resolve().parent.parent / "{notebook}"
sys.exit(main(["check", "{name}", str(notebook)] + (["--test_case", args.test_case] if args.test_case else [])))
'''


def function_sources(source: str, blank: bool) -> dict[str, str]:
    """Each top-level function's source; with ``blank`` the lines between the markers are emptied."""
    lines = source.splitlines()
    functions = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            text = "\n".join(lines[node.lineno - 1 : node.end_lineno])
            functions[node.name] = blank_out(text) if blank else text
    return functions


def blank_out(text: str) -> str:
    """Keep the instruction comments right after START, drop the code up to END."""
    pattern = re.compile(rf"(^[ \t]*{re.escape(START)}\n(?:[ \t]*#.*\n)*)(?:.*\n)*?([ \t]*{re.escape(END)})", re.MULTILINE)
    return pattern.sub(lambda match: match.group(1) + "\n" + match.group(2), text)


def notebook_module(assignment: Assignment) -> object:
    return importlib.import_module(f"{assignment.extras.get('module', f'gradelab.assignments.{assignment.name}')}.notebook")


def build_notebook(assignment: Assignment, blank: bool = True) -> nbformat.NotebookNode:
    return notebook_module(assignment).build(function_sources(solution_source(assignment), blank))


def write_bundle(assignment: Assignment, folder: str | Path, overwrite: bool = False) -> list[Path]:
    """Write notebook, checks and data into ``folder``; refuse to replace files unless ``overwrite``."""
    folder = Path(folder)
    notebook_name = f"{assignment.name}.ipynb"
    planned = [folder / notebook_name, folder / "tests" / f"test_{assignment.name}.py"]
    existing = [path for path in planned if path.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{', '.join(map(str, existing))} already exist{'s' if len(existing) == 1 else ''}; "
                              "pass --force to replace them (a student's work would be lost)")
    (folder / "tests").mkdir(parents=True, exist_ok=True)
    nbformat.write(build_notebook(assignment), planned[0])
    example = assignment.exercises[0].id
    planned[1].write_text(CHECK_SCRIPT.format(notebook=notebook_name, name=assignment.name, example=example), encoding="utf-8")
    writer = getattr(notebook_module(assignment), "write_data", None)
    written = list(planned)
    if writer is not None:
        written.extend(writer(folder / "data", overwrite))
    return written


