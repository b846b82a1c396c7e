"""What a batch leaves beside the gradebook: grades.csv, Gradescope's results/<student>.json, each student's
feedback/<student>.html (feedback.py), and canvas.csv and moodle.csv for a learning management system (lms.py).

Every file is written by the grader alone, atomically (files.write_atomic: a
temporary file in the same folder, then a rename), so a reader never sees half
a file, and whatever was planted at the name (a FIFO a leftover process reads
from, a symbolic link to somewhere else) is replaced, never written through.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from ..files import spreadsheet_csv, write_atomic
from ..grading.spec import Assignment
from .gradebook import Gradebook
from .names import collisions, safe_name

__all__ = ["safe_name", "write_csv", "write_results", "results_folder", "write_student_exports"]


def write_csv(gradebook: Gradebook, assignment: Assignment, path: Path) -> Path:
    """One row per student, one column per exercise id, then the total."""
    ids = [exercise.id for exercise in assignment.exercises]
    scores: dict[str, dict[str, float]] = {}
    for row in gradebook.exercises():
        scores.setdefault(row["student"], {})[row["exercise_id"]] = row["score"]
    rows = [["student", "status", *ids, "total", "max_score"]]
    for row in gradebook.submissions():
        mine = scores.get(row["student"], {})
        rows.append([row["student"], row["status"], *[f"{mine.get(i, 0.0):g}" for i in ids], f"{row['score']:g}",
                     f"{assignment.max_score:g}"])
    write_atomic(path, spreadsheet_csv(rows))
    return path


def results_folder(folder: Path, what: str = "Gradescope's results files") -> Path:
    """``folder`` as a real directory of the grader's: a symbolic link planted in its place is removed, not followed."""
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        folder.mkdir(parents=True)
        return folder
    if stat.S_ISLNK(mode):
        folder.unlink()  # removes the link only; whatever it pointed at is left alone, and untouched
        folder.mkdir()
    elif not stat.S_ISDIR(mode):
        raise FileExistsError(f"{folder} exists and is not a folder: gradelab writes {what} there; "
                              "move it away and run again")
    return folder


def write_results(gradebook: Gradebook, folder: Path) -> list[str]:
    """Gradescope's results.json per student, as the grading produced it; returns what was not written, and why.

    Students whose ids map to one file name get no file at all: one of them would otherwise receive another's grade.
    """
    folder = results_folder(folder)
    rows = gradebook.submissions()
    clashing = collisions(row["student"] for row in rows)
    for row in rows:
        if row["student"] in clashing:
            continue
        results = json.loads(row["gradescope"]) if row["gradescope"] else {"score": row["score"], "output": row["error"], "tests": []}
        write_atomic(folder / f"{safe_name(row['student'])}.json", (json.dumps(results, indent=2) + "\n").encode("utf-8"))
    groups = sorted({tuple(group) for group in clashing.values()})
    for group in groups:  # a file an earlier run wrote under the shared name would now stand for either student
        (folder / f"{safe_name(group[0])}.json").unlink(missing_ok=True)
    return [f"no results file for {', '.join(map(repr, group))}: their ids map to the same file "
            f"{safe_name(group[0])}.json" for group in groups]


def write_student_exports(gradebook: Gradebook, assignment: Assignment, out: Path) -> list[str]:
    """feedback/ (a page per student), canvas.csv and moodle.csv in ``out``; returns what was not written, and why."""
    from .feedback import FOLDER, write_feedback
    from .lms import write_canvas, write_moodle

    problems = write_feedback(gradebook, assignment, out / FOLDER)
    write_canvas(gradebook, assignment, out / "canvas.csv")
    write_moodle(gradebook, assignment, out / "moodle.csv")
    return problems
