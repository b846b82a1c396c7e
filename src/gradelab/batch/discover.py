"""Find the submissions in a class folder: one per file, or one per student subfolder.

A student's subfolder is one submission: its notebook (or its one .py file)
plus the helper modules (.py) beside the notebook, which the notebook imports.
Everything that names a student gets an entry, including what cannot be graded
(an empty file, two files claiming the same student), so that the gradebook
can say what happened to it instead of silently leaving it out. A file at the
top that is not a submission at all (notes.txt, a PDF, .DS_Store) names no
student: it is listed as ignored, with why, rather than turned into a student.
"""

from __future__ import annotations

import csv
import hashlib
import os
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path

from .names import collision_message, collisions

SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True)
class Entry:
    """One student's submission; ``status`` is None when it is to be graded, else why it is not.

    ``path``: the file graded (a folder's notebook), what the gradebook shows; ``helpers``: the modules beside it,
    part of the submission (its sha256 covers them, its snapshot copies them).
    ``snapshot``: the grader's own copy of the file's bytes, taken when the batch planned it (snapshot.py);
    that copy is what is graded.
    """

    student: str
    path: str
    sha256: str
    status: str | None = None
    error: str = ""
    snapshot: str | None = None
    helpers: tuple[str, ...] = ()

    @property
    def files(self) -> list[Path]:
        """Every file of the submission: the graded one first, then its helpers."""
        return [Path(self.path), *map(Path, self.helpers)]


@dataclass(frozen=True)
class Ignored:
    """Something in the class folder that is not a submission: ``path`` and why it was left out."""

    path: str
    reason: str


@dataclass(frozen=True)
class Discovery:
    """What a class folder holds: the students' entries (sorted by id) and what was ignored."""

    entries: list[Entry]
    ignored: list[Ignored] = field(default_factory=list)


class NotRegularFile(ValueError):
    """A submission path that is a FIFO, device or socket: reading it could block or never end."""


def read_regular(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file (a symlink to one is followed); never blocks on a FIFO."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise NotRegularFile(f"{path.name} is not a regular file (a FIFO, device or socket), so it was not read")
        return file.read()


def digest_of(named: list[tuple[str, bytes]]) -> str:
    """The submission's sha256 over (file name, bytes) pairs, in name order: the key a resumed run compares."""
    digest = hashlib.sha256()
    for name, data in sorted(named):
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + data + b"\0")
    return digest.hexdigest()


def sha256_of(paths: list[Path]) -> str:
    return digest_of([(path.name, read_regular(path)) for path in paths])


def check_folder(folder: Path) -> None:
    """Raise ValueError naming ``folder`` unless it is a folder this user can list; reads nothing else."""
    if not folder.exists():
        raise ValueError(f"submissions folder {folder} does not exist: expected a folder of .py files, "
                         ".ipynb notebooks or student subfolders")
    if not folder.is_dir():
        raise ValueError(f"submissions folder {folder} is a file, not a folder: expected a folder of .py files, "
                         ".ipynb notebooks or student subfolders")
    try:
        next(os.scandir(folder), None)
    except PermissionError:
        raise ValueError(f"submissions folder {folder} cannot be read (permission denied): expected a folder "
                         "this user may list and read") from None


def discover(folder: str | Path, ignore: Path | None = None) -> list[Entry]:
    """Every student in ``folder``, sorted by id; ``ignore`` is skipped (the output folder may live inside)."""
    return survey(folder, ignore).entries


def survey(folder: str | Path, ignore: Path | None = None) -> Discovery:
    """The students in ``folder`` and what is there that is not a submission; ValueError if ``folder`` is not a folder."""
    folder = Path(folder)
    check_folder(folder)
    claims: dict[str, list[Path]] = {}
    others: list[Path] = []
    for item in sorted(folder.iterdir()):
        if ignore is not None and item.resolve() == ignore.resolve():
            continue
        if item.name.startswith((".", "_")):
            others.append(item)
        elif item.is_dir():
            claims.setdefault(item.name, []).append(item)
        elif item.suffix in SUFFIXES:
            claims.setdefault(item.stem, []).append(item)
        else:
            others.append(item)
    entries = _mark_collisions([_entry(student, paths) for student, paths in claims.items()])
    ignored = [Ignored(str(item), _why_ignored(item, claims)) for item in others]
    return Discovery(sorted(entries, key=lambda entry: entry.student), ignored)


def _why_ignored(item: Path, claims: dict[str, list[Path]]) -> str:
    if item.name.startswith((".", "_")):
        return "hidden (its name starts with '.' or '_')"
    if item.stem in claims:  # alice.txt next to alice.py: their notes, not a second submission
        return f"not a .py file or .ipynb notebook (beside {item.stem}'s submission)"
    if not item.is_file():
        return "not a regular file, a folder, a .py file or an .ipynb notebook"
    return "not a .py file or .ipynb notebook"


def _mark_collisions(entries: list[Entry]) -> list[Entry]:
    """Students whose ids map to one results file are not graded: their rows say why (names.py)."""
    clashing = collisions(entry.student for entry in entries)
    return [replace(entry, status="collision", error=collision_message(entry.student, clashing[entry.student]))
            if entry.student in clashing else entry for entry in entries]


def _entry(student: str, paths: list[Path]) -> Entry:
    if len(paths) > 1:
        names = ", ".join(path.name for path in paths)
        return Entry(student, "; ".join(str(p) for p in paths), _digest_or_empty([p for p in paths if p.is_file()]), "duplicate",
                     f"more than one submission for {student}: {names}; none was graded, keep one and run again")
    path = paths[0]
    if path.is_dir():
        return _folder_entry(student, path)
    return _file_entry(student, path)


def _folder_entry(student: str, folder: Path) -> Entry:
    """A student's folder: its one notebook and the modules beside it, or its one .py file."""
    try:
        found = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in SUFFIXES and not p.name.startswith((".", "_")))
    except OSError as error:  # an unreadable student folder is that student's problem, not the class's
        return Entry(student, str(folder), "", "rejected", f"folder {folder.name}/ could not be read: {error.strerror or error}")
    notebooks = [p for p in found if p.suffix == ".ipynb"]
    modules = [p for p in found if p.suffix == ".py"]
    if not found:
        return Entry(student, str(folder), "", "rejected", f"folder {folder.name}/ holds no .py file or .ipynb notebook")
    if len(notebooks) == 1:
        return _file_entry(student, notebooks[0], modules)
    if not notebooks and len(modules) == 1:
        return _file_entry(student, modules[0])
    names = ", ".join(p.name for p in (notebooks if notebooks else modules))
    what = f"{len(notebooks)} notebooks" if notebooks else f"{len(modules)} .py files and no notebook"
    return Entry(student, str(folder), _digest_or_empty(found), "duplicate",
                 f"folder {folder.name}/ holds {what} ({names}), so which one is the submission is unclear; none was "
                 "graded: keep one notebook (its helper modules may stay beside it) or one .py file, and run again")


def _digest_or_empty(paths: list[Path]) -> str:
    """The digest of files that are not graded anyway: "" when one cannot be read (a FIFO, no permission)."""
    try:
        return sha256_of(paths)
    except (NotRegularFile, OSError):
        return ""


def _file_entry(student: str, path: Path, helpers: list[Path] | None = None) -> Entry:
    helpers = helpers or []
    try:
        named = [(file.name, read_regular(file)) for file in (path, *helpers)]
    except NotRegularFile as error:
        return Entry(student, str(path), "", "rejected", str(error))
    except OSError as error:
        return Entry(student, str(path), "", "rejected", f"{error.filename or path} could not be read: {error.strerror or error}")
    digest = digest_of(named)
    if not named[0][1].strip():
        return Entry(student, str(path), digest, "empty", f"{path.name} is empty", helpers=tuple(map(str, helpers)))
    return Entry(student, str(path), digest, helpers=tuple(map(str, helpers)))


# --- the roster: who should have submitted ------------------------------------------------------------------------------

#: Columns that name the student in a roster, tried in this order (compared without case or surrounding spaces).
ROSTER_COLUMNS = ("student", "id")


def read_roster(path: str | Path) -> list[tuple[str, dict[str, str]]]:
    """The roster CSV's students in order, each with its other columns; ValueError naming the file and what was expected.

    A header row is required, with a column ``student`` or ``id`` (the id is the submission's file or folder name);
    every other column (name, email, section) is kept for the exports.
    """
    path = Path(path)
    rows = _roster_rows(path)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ValueError(f"roster {path} is empty: expected a CSV file whose header names a column 'student' or 'id'")
    header = [cell.strip() for cell in rows[0]]
    lowered = [cell.lower() for cell in header]
    column = next((lowered.index(name) for name in ROSTER_COLUMNS if name in lowered), None)
    if column is None:
        raise ValueError(f"roster {path} has no column 'student' or 'id' in its header ({', '.join(header)}): expected "
                         "a header row naming the column of student ids")
    return _roster_students(path, header, column, rows[1:])


def _roster_rows(path: Path) -> list[list[str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:  # -sig: spreadsheets save a byte-order mark
            return list(csv.reader(file))
    except FileNotFoundError:
        raise ValueError(f"roster {path} does not exist: expected a CSV file with a 'student' or 'id' column") from None
    except IsADirectoryError:
        raise ValueError(f"roster {path} is a folder: expected a CSV file with a 'student' or 'id' column") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ValueError(f"roster {path} could not be read ({error}): expected a UTF-8 CSV file") from None


def _roster_students(path: Path, header: list[str], column: int, rows: list[list[str]]) -> list[tuple[str, dict[str, str]]]:
    students: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines at the end of a spreadsheet's export
        student = row[column].strip() if column < len(row) else ""
        if not student:
            raise ValueError(f"roster {path}, line {number}: no student id in column {header[column]!r}")
        if student in students:
            raise ValueError(f"roster {path}, line {number}: student {student!r} is listed twice: expected one row per student")
        students[student] = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header) if i != column}
    return list(students.items())
