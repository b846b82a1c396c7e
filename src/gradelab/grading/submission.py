"""Read a student's submission (.py or .ipynb) into the source the worker will run.

Only definitions are kept: top-level imports, function and class definitions,
and simple constant assignments. Shell lines (``!...``), magics (``%...``) and
every other statement (training loops, plots, prints) are left out, so grading
runs what the student defined and nothing they merely tried out. A cell that
does not parse is reported with its cell and line and skipped; the rest still
counts.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

#: Expression nodes allowed on the right of a kept assignment: literals and names, no calls.
_CONSTANT_NODES = (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.UnaryOp, ast.BinOp, ast.Name,
                   ast.Attribute, ast.Load, ast.operator, ast.unaryop)


@dataclass
class Block:
    """A piece of source with where it came from, e.g. "cell 4" or "file"."""

    origin: str
    code: str


@dataclass
class Submission:
    """The kept definitions, each with where it came from ("cell 4, line 2"), in order."""

    path: Path
    definitions: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: int = 0

    @property
    def source(self) -> str:
        return "\n\n".join(code for _, code in self.definitions) + ("\n" if self.definitions else "")


class SubmissionError(ValueError):
    """The submission cannot be read at all (missing, not a notebook, not text)."""


def load_submission(path: str | Path) -> Submission:
    """Read ``path`` and keep its definitions; problems are collected, not raised."""
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
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.get("cell_type") == "code":
            blocks.append(Block(f"cell {number}", _strip_shell_lines(cell.get("source", ""))))
    return blocks


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
            f"{'cell' if block.origin.startswith('cell') else 'part of the file'} were not graded"
        )
        return []
    except UNPARSABLE as error:
        why = "it is nested too deeply" if isinstance(error, RecursionError | MemoryError) else str(error)
        submission.problems.append(f"{block.origin}: Python could not read this code ({why}); the definitions in it were not graded")
        return []
    lines = block.code.splitlines()
    kept = []
    for node in tree.body:
        if _is_definition(node):
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            kept.append((f"{block.origin}, line {start}", "\n".join(lines[start - 1 : node.end_lineno])))
        else:
            submission.skipped += 1
    return kept


def _is_definition(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return True
    if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return all(isinstance(target, ast.Name) for target in targets) and all(
            isinstance(child, _CONSTANT_NODES) for child in ast.walk(node.value)
        )
    return False
