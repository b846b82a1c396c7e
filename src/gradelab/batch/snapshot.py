"""The grader's copy of each submission, taken when the batch plans it: what is graded is what was planned.

Grading a class takes minutes to hours, and the class folder is a place other
processes can write: a classmate's worker (until the kernel sandbox hides the
folder), a leftover process of an earlier run, a sync client. So the batch
reads each submission's bytes once, at planning, computes their sha256 from
those same bytes, and writes them into a folder of its own under ``--out``
(mode 0700, each copy 0400). The pool grades the copy, after checking that it
still has that sha256; a file rewritten later in the class folder changes
nothing, and the gradebook's sha256 is the one of the bytes that were graded.

The folder lives in ``--out`` rather than /tmp: the kernel sandbox hides
``--out`` from student code, and a Dask cluster that shares the output folder
reaches the copies too. It is removed when the batch ends; one left behind by
a killed run (its pid is in the name) is removed by the next run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from .discover import Entry, NotRegularFile, digest_of, read_regular

PREFIX = ".snapshots-"


class Snapshots:
    """A folder of submission copies, removed on close; use as a context manager."""

    def __init__(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        remove_abandoned(out)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=out))
        self.count = 0

    def __enter__(self) -> Snapshots:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def take(self, entry: Entry) -> Entry:
        """``entry`` with its snapshot and the sha256 of the snapshot's bytes; a rejected entry if it cannot be read.

        A submission's helper modules are copied beside its notebook, into the same folder: the snapshot is the
        graded file's copy, and its folder holds the whole submission, which the sha256 covers.
        """
        try:
            named = [(source.name, read_regular(source)) for source in entry.files]
        except (NotRegularFile, OSError) as error:
            name = getattr(error, "filename", None) or entry.files[0]
            return replace(entry, status="rejected", error=f"{Path(name).name} could not be read when the batch planned it: {error}")
        self.count += 1
        folder = self.folder / str(self.count)  # one folder each: the copies keep the student's file names and suffixes
        folder.mkdir(mode=0o700)
        for name, data in named:
            _write_copy(folder / name, data)
        return replace(entry, sha256=digest_of(named), snapshot=str(folder / named[0][0]))


def _write_copy(copy: Path, data: bytes) -> None:
    handle = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o400)
    with os.fdopen(handle, "wb") as file:
        file.write(data)


def verify(snapshot: str | Path, sha256: str) -> str | None:
    """None when the snapshot's folder still holds the bytes planned with ``sha256``; else what is wrong, in words.

    The folder is the grader's own (one per submission, see :meth:`Snapshots.take`): every file in it counts, so a
    helper module added, removed or rewritten there is found as surely as a rewritten notebook.
    """
    path = Path(snapshot)
    try:
        found = digest_of([(file.name, read_regular(file)) for file in sorted(path.parent.iterdir())])
    except (NotRegularFile, OSError) as error:
        return f"the grader's copy of the submission could not be read ({error})"
    if found != sha256:
        return (f"the grader's copy of the submission changed after the batch planned it (sha256 {found[:12]}, "
                f"planned {sha256[:12]}): not graded; run the batch again to grade it")
    return None


def remove_abandoned(out: Path) -> None:
    """Remove snapshot folders of runs that are gone (killed before they could clean up)."""
    for folder in out.glob(f"{PREFIX}*"):
        pid = folder.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive, and its folder is not ours to remove
        return True
    return True
