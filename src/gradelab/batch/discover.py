"""Find the submissions in a class folder: one per file, or one per student subfolder.

Everything found gets an entry, including what cannot be graded (a stray file,
an empty file, two files claiming the same student), so that the gradebook can
say what happened to it instead of silently leaving it out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True)
class Entry:
    """One student's submission; ``status`` is None when it is to be graded, else why it is not."""

    student: str
    path: str
    sha256: str
    status: str | None = None
    error: str = ""


def sha256_of(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


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
    return sorted(entries, key=lambda entry: entry.student)


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
    digest = sha256_of([path])
    if not path.read_bytes().strip():
        return Entry(student, str(path), digest, "empty", f"{path.name} is empty")
    return Entry(student, str(path), digest)


def _stray(student: str, path: Path) -> Entry:
    what = "folder entry" if not path.is_file() else "file"
    digest = sha256_of([path]) if path.is_file() else ""
    return Entry(student, str(path), digest, "rejected",
                 f"{what} {path.name} is neither a .py file nor a .ipynb notebook, so it was not graded")
