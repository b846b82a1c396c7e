"""What a batch leaves beside the gradebook: grades.csv and Gradescope's results/<student>.json."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from ..grading.spec import Assignment
from .gradebook import Gradebook


def safe_name(student: str) -> str:
    """A file name for a student id (ids come from file names, but a folder name may hold anything)."""
    return re.sub(r"[^A-Za-z0-9._@+-]", "_", student) or "_"


def write_csv(gradebook: Gradebook, assignment: Assignment, path: Path) -> Path:
    """One row per student, one column per exercise id, then the total."""
    ids = [exercise.id for exercise in assignment.exercises]
    scores: dict[str, dict[str, float]] = {}
    for row in gradebook.exercises():
        scores.setdefault(row["student"], {})[row["exercise_id"]] = row["score"]
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["student", "status", *ids, "total", "max_score"])
        for row in gradebook.submissions():
            mine = scores.get(row["student"], {})
            writer.writerow([row["student"], row["status"], *[f"{mine.get(i, 0.0):g}" for i in ids], f"{row['score']:g}",
                             f"{assignment.max_score:g}"])
    return path


def write_results(gradebook: Gradebook, folder: Path) -> Path:
    """Gradescope's results.json per student, as the grading produced it."""
    folder.mkdir(parents=True, exist_ok=True)
    for row in gradebook.submissions():
        results = json.loads(row["gradescope"]) if row["gradescope"] else {"score": row["score"], "output": row["error"], "tests": []}
        (folder / f"{safe_name(row['student'])}.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return folder
