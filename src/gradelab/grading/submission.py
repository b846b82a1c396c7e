"""Read a student's submission (.py or .ipynb) into the source the worker will run.

Only definitions are kept (the rule students read in the notebook's first cell, :data:`RULE`):
top-level imports, function and class definitions, and assignments to names whose right side
is a lambda or is made of literals, names, arithmetic, comprehensions and calls of NumPy, ``math``
and plain built-in functions (``HE_GAIN = np.sqrt(2.0)``). Calls of the notebook's own functions
(training), of ``np.random`` (experiments' draws), of file readers and of other modules (plots),
shell lines (``!...``), magics (``%...``) and every other statement (loops, prints) are left out,
so grading runs what the student defined and nothing they merely tried out. What an assignment
left out would have defined is remembered (:attr:`Submission.unrun`), so that a function that
needs it can be told where. A cell that does not parse is reported with its cell and line and
skipped; the rest still counts.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .rule import (
    _assigned_names,
    _bound_names,
    _is_definition,
    _note_imports,
    _uses_unrun,
    _walk_outside_lambdas,
    _why_not_run,
)


@dataclass
class Block:
    """A piece of source with where it came from, e.g. "code cell 4 (linear_forward)" or "file"."""

    origin: str
    code: str


@dataclass
class Submission:
    """The kept definitions, each with where it came from ("code cell 4 (linear_forward), line 2"), in order."""

    path: Path
    definitions: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: int = 0
    #: Names a left-out assignment would have defined -> where and why it was left out, in words.
    unrun: dict[str, str] = field(default_factory=dict)
    #: Local names of the pure modules (``np`` for ``import numpy as np``), from the submission's imports.
    pure_names: set[str] = field(default_factory=lambda: {"np", "numpy", "math"})
    #: The student's own helper modules beside the notebook, (module name, source): importable by name in the worker.
    modules: list[tuple[str, str]] = field(default_factory=list)

    @property
    def source(self) -> str:
        return "\n\n".join(code for _, code in self.definitions) + ("\n" if self.definitions else "")


class SubmissionError(ValueError):
    """The submission cannot be read at all (missing, not a notebook, not text)."""


def load_submission(path: str | Path, helpers: Sequence[str | Path] = ()) -> Submission:
    """Read ``path`` and keep its definitions; problems are collected, not raised.

    ``helpers``: .py files that are part of the submission (a student's folder: the notebook and the modules it
    imports); each is importable by its name when the definitions run, and runs in the worker like them.
    """
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"submission {path} does not exist or is not a file")
    if path.suffix == ".ipynb":
        blocks = _notebook_blocks(path)
    elif path.suffix == ".py":
        blocks = _file_blocks(_read_text(path))
    else:
        raise SubmissionError(f"submission {path.name} must be a .py file or a .ipynb notebook, got {path.suffix or 'no suffix'!r}")
    submission = Submission(path)
    for block in blocks:
        submission.definitions.extend(_definitions(block, submission))
    for helper in map(Path, helpers):
        if not helper.stem.isidentifier():
            submission.problems.append(f"{helper.name} cannot be imported by that name (a module name is a Python identifier)")
            continue
        submission.modules.append((helper.stem, _read_text(helper)))
    return submission


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SubmissionError(f"submission {path.name} is not UTF-8 text ({error.reason} at byte {error.start})") from None


def _notebook_blocks(path: Path) -> list[Block]:
    text = _read_text(path)
    try:
        notebook = nbformat.reads(text, as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as error:
        raise SubmissionError(f"notebook {path.name} is not valid notebook JSON: {error}") from None
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds for broken files
        raise SubmissionError(f"notebook {path.name} cannot be read: {error}") from None
    blocks = []
    code_cells = [cell for cell in notebook.cells if cell.get("cell_type") == "code"]
    for number, cell in enumerate(code_cells, start=1):  # counted as Jupyter users count them: code cells only
        code = _strip_shell_lines(cell.get("source", ""))
        blocks.append(Block(cell_name(number, code), code))
    return blocks


def cell_name(number: int, code: str) -> str:
    """``code cell 5 (initialize_parameters_he)``: the position among code cells and the functions it defines."""
    try:
        functions = [node.name for node in ast.parse(code).body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    except (SyntaxError, *UNPARSABLE):
        functions = []
    return f"code cell {number}" + (f" ({', '.join(functions[:2])}{', ...' if len(functions) > 2 else ''})" if functions else "")


#: What ast.parse raises, besides SyntaxError, on source it cannot read: deep nesting, null bytes.
UNPARSABLE = (RecursionError, MemoryError, ValueError)


def _file_blocks(code: str) -> list[Block]:
    """The whole file if it parses; else one block per top-level definition, so one error costs one block."""
    try:
        ast.parse(code)
        return [Block("file", code)]
    except (SyntaxError, *UNPARSABLE):
        pass
    lines = code.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(("def ", "class ", "import ", "from ", "@", "async def "))]
    starts = [0] + [i for i in starts if i > 0]
    ends = starts[1:] + [len(lines)]
    return [Block("file", "\n".join([""] * start + lines[start:end])) for start, end in zip(starts, ends)]


def _strip_shell_lines(code: str) -> str:
    """Blank out IPython-only lines (``!cmd``, ``%magic``, ``%%cell``) so line numbers stay true."""
    lines = code.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return ""
    return "\n".join("" if line.lstrip().startswith(("!", "%")) else line for line in lines)


def _definitions(block: Block, submission: Submission) -> list[tuple[str, str]]:
    try:
        tree = ast.parse(block.code)
    except SyntaxError as error:
        submission.problems.append(
            f"{block.origin}, line {error.lineno}: syntax error: {error.msg}; the definitions in this "
            f"{'cell' if block.origin.startswith('code cell') else 'part of the file'} were not graded"
        )
        return []
    except UNPARSABLE as error:
        why = "it is nested too deeply" if isinstance(error, RecursionError | MemoryError) else str(error)
        submission.problems.append(f"{block.origin}: Python could not read this code ({why}); the definitions in it were not graded")
        return []
    lines = block.code.splitlines()
    kept = []
    for node in tree.body:
        _note_imports(node, submission.pure_names)
        if _is_definition(node, submission.pure_names) and not _uses_unrun(node, submission.unrun):
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            # Blank lines in front: line numbers in a traceback are the cell's (or the file's) own.
            kept.append((f"{block.origin}, line {start}", "\n" * (start - 1) + "\n".join(lines[start - 1 : node.end_lineno])))
            for name in _bound_names(node):
                submission.unrun.pop(name, None)  # defined after all: a later definition wins
        else:
            submission.skipped += 1
            _remember_unrun(node, block, lines, submission)
    return kept


def _remember_unrun(node: ast.stmt, block: Block, lines: list[str], submission: Submission) -> None:
    names = _assigned_names(node)
    if not names:
        return
    statement = lines[node.lineno - 1].strip()
    statement = statement if len(statement) <= 80 else statement[:77] + "..."
    used = sorted({child.id for child in _walk_outside_lambdas(node.value) if isinstance(child, ast.Name)} & set(submission.unrun))
    why = (_why_not_run(node.value, submission.pure_names)
           or (f"it uses {', '.join(used)}, which a statement the checker does not run assigns" if used else "")
           or "it is not a definition")
    for name in names:
        submission.unrun[name] = (f"{name} is assigned in {block.origin}, line {node.lineno}, by a statement the checker does "
                                  f"not run: `{statement}` ({why}). Compute it inside the function that uses it, or from "
                                  "numbers and NumPy functions only")
