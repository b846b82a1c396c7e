"""File names for student ids: safe to join to a folder, and distinct, or the clash is reported.

A student id comes from a file or folder name in the class folder, which may
hold anything a file system allows: spaces, non-ASCII letters, leading dots,
255-byte names. The results file of a student must stay inside ``results/``,
be visible (no leading dot), fit any file system, and never be shared with a
classmate: two ids that map to the same name (``a b`` and ``a_b``, or the
composed and decomposed spelling of ``é``, or ``Ada`` and ``ada`` on a
case-insensitive disk) are found and reported, never merged into one file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

#: Longest file name stem: far below the 255 bytes file systems allow, with room for ".json" and a temporary suffix.
MAX_STEM = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def safe_name(student: str) -> str:
    """The file name stem for ``student``: ASCII letters, digits and ``._@+-`` only, no leading dot, at most MAX_STEM.

    A stem cut to length ends in 8 hex digits of the id's hash, so that long ids sharing a prefix stay distinct.
    """
    text = _UNSAFE.sub("_", unicodedata.normalize("NFKC", student))
    text = re.sub(r"^\.+", lambda dots: "_" * len(dots.group()), text) or "_"
    if len(text) > MAX_STEM:
        digest = hashlib.sha256(student.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        text = f"{text[:MAX_STEM - 9]}-{digest}"
    return text


def name_key(student: str) -> str:
    """What two ids must not share: the safe name, case-folded (results/ may be copied to a case-insensitive disk)."""
    return safe_name(student).casefold()


def collisions(students: Iterable[str]) -> dict[str, list[str]]:
    """Each student whose file name another student also maps to -> every id sharing it, sorted."""
    groups: dict[str, list[str]] = {}
    for student in students:
        groups.setdefault(name_key(student), []).append(student)
    return {student: sorted(group) for group in groups.values() if len(group) > 1 for student in group}


def collision_message(student: str, group: list[str]) -> str:
    others = ", ".join(repr(other) for other in group if other != student)
    return (f"student id {student!r} and {others} map to the same results file {safe_name(student)}.json: "
            "none of them was graded, so no grade is merged into another's; rename one of the submissions and run again")
