"""Find the submissions in a class folder: one per file, or one per student subfolder.

Everything found gets an entry, including what cannot be graded (a stray file,
an empty file, two files claiming the same student), so that the gradebook can
say what happened to it instead of silently leaving it out.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path

from .names import collision_message, collisions

SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True)
class Entry:
    """One student's submission; ``status`` is None when it is to be graded, else why it is not.

    ``snapshot``: the grader's own copy of the file's bytes, taken when the batch planned it (snapshot.py);
    that copy is what is graded, ``path`` is what the gradebook shows.
    """

    student: str
    path: str
    sha256: str
    status: str | None = None
    error: str = ""
    snapshot: str | None = None


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


def discover(folder: str | Path, ignore: Path | None = None) -> list[Entry]:
    """Every student in ``folder``, sorted by id; ``ignore`` is skipped (the output folder may live inside)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions folder {folder} does not exist")
    claims: dict[str, list[Path]] = {}
    strays: dict[str, Path] = {}
    for item in sorted(folder.iterdir()):
        if item.name.startswith((".", "_")) or (ignore is not None and item.resolve() == ignore.resolve()):
            continue
        if item.is_dir():
            claims.setdefault(item.name, []).append(item)
        elif item.suffix in SUFFIXES:
            claims.setdefault(item.stem, []).append(item)
        else:
            strays.setdefault(item.stem, item)
    entries = [_entry(student, paths) for student, paths in claims.items()]
    # A stray file whose stem is also a student's (alice.py next to alice.txt) is their notes, not a submission.
    entries += [_stray(student, path) for student, path in strays.items() if student not in claims]
    return sorted(_mark_collisions(entries), key=lambda entry: entry.student)


def _mark_collisions(entries: list[Entry]) -> list[Entry]:
    """Students whose ids map to one results file are not graded: their rows say why (names.py)."""
    clashing = collisions(entry.student for entry in entries)
    return [replace(entry, status="collision", error=collision_message(entry.student, clashing[entry.student]))
            if entry.student in clashing else entry for entry in entries]


def _entry(student: str, paths: list[Path]) -> Entry:
    if len(paths) > 1:
        names = ", ".join(path.name for path in paths)
        return Entry(student, "; ".join(str(p) for p in paths), sha256_of([p for p in paths if p.is_file()]), "duplicate",
                     f"more than one submission for {student}: {names}; none was graded, keep one and run again")
    path = paths[0]
    if path.is_dir():
        return _folder_entry(student, path)
    return _file_entry(student, path)


def _folder_entry(student: str, folder: Path) -> Entry:
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in SUFFIXES and not p.name.startswith("."))
    if len(found) == 1:
        return _file_entry(student, found[0])
    if not found:
        return Entry(student, str(folder), "", "rejected", f"folder {folder.name}/ holds no .py file or .ipynb notebook")
    names = ", ".join(p.name for p in found)
    return Entry(student, str(folder), sha256_of(found), "duplicate",
                 f"folder {folder.name}/ holds {len(found)} submissions ({names}); none was graded, keep one and run again")


def _file_entry(student: str, path: Path) -> Entry:
    try:
        data = read_regular(path)
    except NotRegularFile as error:
        return Entry(student, str(path), "", "rejected", str(error))
    digest = digest_of([(path.name, data)])
    if not data.strip():
        return Entry(student, str(path), digest, "empty", f"{path.name} is empty")
    return Entry(student, str(path), digest)


def _stray(student: str, path: Path) -> Entry:
    what = "folder entry" if not path.is_file() else "file"
    digest = sha256_of([path]) if path.is_file() else ""
    return Entry(student, str(path), digest, "rejected",
                 f"{what} {path.name} is neither a .py file nor a .ipynb notebook, so it was not graded")
