"""A made-up class of submissions built from an assignment's solution, known mistakes and correct alternatives.

The benchmark and the tests grade these: every student's expected grade is
known (full marks, or a named mistake), and some hand in notebooks.
"""

from __future__ import annotations

import ast
import random
from pathlib import Path

import nbformat

from ..grading.selftest import Variant, variants
from ..grading.spec import Assignment


def notebook_text(source: str) -> str:
    """``source`` as a notebook: one code cell per top-level statement, as students split their work."""
    lines = source.splitlines()
    tree = ast.parse(source)
    cells = []
    for node in tree.body:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        cells.append(nbformat.v4.new_code_cell("\n".join(lines[start - 1 : node.end_lineno])))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# My submission"), *cells])
    return nbformat.writes(notebook)


def write_submission(folder: Path, student: str, source: str, notebook: bool) -> Path:
    path = folder / f"{student}.{'ipynb' if notebook else 'py'}"
    path.write_text(notebook_text(source) if notebook else source, encoding="utf-8")
    return path


def make_class(assignment: Assignment, folder: str | Path, n: int, notebook_share: float = 0.3, seed: int = 0) -> list[Variant]:
    """Write ``n`` submissions (solution, alternatives and mistakes in turn, shuffled); returns each student's variant."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pool = list(variants(assignment))
    chooser = random.Random(seed)
    chosen = []
    for number in range(n):
        variant = pool[number % len(pool)] if number < len(pool) else chooser.choice(pool)
        write_submission(folder, f"student{number:04d}", variant.source, chooser.random() < notebook_share)
        chosen.append(variant)
    return chosen
