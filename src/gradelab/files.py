"""Atomic file writes: a reader sees the old file or the new one, never half of one.

The temporary file is created in the target's folder (so the rename stays on
one file system) with mode 0o666, which the user's umask then narrows, as for
any file the user writes. ``tempfile.mkstemp`` would create it 0600, and the
rename would keep that: a student bundle or a study's figures made unreadable
to the group that is meant to read them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

_ATTEMPTS = 100  # names are 64 random bits: a clash is an accident, a hundred in a row is a broken folder


def _create_temporary(folder: Path, name: str) -> tuple[int, Path]:
    """An open descriptor on a new, empty file beside ``name`` in ``folder``, and its path."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_ATTEMPTS):
        temporary = folder / f".{name}.{secrets.token_hex(8)}.tmp"
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file beside {folder / name}")


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it over ``path``."""
    path = Path(path)
    handle, temporary = _create_temporary(path.parent, path.name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def check_file_target(path: str | Path, option: str) -> None:
    """ValueError unless ``path`` is free to be written as a regular file: nothing there, a dangling link, or a file.

    A directory is refused, and so is a FIFO, device or socket (directly or through a link): something a leftover
    process may have planted to receive what the grader writes. write_atomic then replaces whatever is at the name.
    """
    import stat

    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return
    if stat.S_ISDIR(mode):
        raise ValueError(f"{option} {path} is a directory: give the path of a file, such as {path / 'results.json'}")
    if not stat.S_ISREG(mode):
        raise ValueError(f"{option} {path} is a FIFO, device or socket, not a regular file: the grader writes only to a file "
                         "of its own")


def spreadsheet_csv(rows: list[list[str]]) -> bytes:
    """CSV bytes for files people open in a spreadsheet: a text cell that starts like a formula (=, +, -, @) is
    prefixed with an apostrophe, so a student id such as ``=HYPERLINK(...)`` stays text (CSV injection)."""
    import csv
    import io

    def cell(value: object) -> str:
        text = str(value)
        if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
            try:
                float(text)
            except ValueError:
                return "'" + text
        return text

    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([[cell(value) for value in row] for row in rows])
    return buffer.getvalue().encode("utf-8")
