"""A class in which hostile submissions sit beside honest ones: every honest one scores what it scores alone."""

import sqlite3
from pathlib import Path

import pytest

from gradelab.assignments import load
from gradelab.batch import run_batch
from gradelab.grading.engine import grade
from gradelab.grading.sandbox import Limits
from gradelab.grading.selftest import variants

ASSIGNMENT = load("initialization")
LIMITS = Limits(timeout=1.0, load_timeout=5.0, memory_mb=600, max_reply_bytes=2**20)
HOSTILE = Path(__file__).parent / "hostile"
HOSTILE_NAMES = ["infinite_loop", "os_exit", "ctypes_segfault", "close_all_fds", "socket_garbage", "sys_exit_at_import",
                 "prints_all_passed", "import_reference", "always_true_eq", "patch_builtins", "huge_reply", "memory_bomb"]


def honest_sources() -> dict[str, str]:
    chosen = {}
    for variant in variants(ASSIGNMENT):
        if variant.kind == "solution" or variant.label in ("he_default_rng", "preprocess_loop", "no factor 10",
                                                            "labels not reshaped", "seed ignored"):
            key = f"honest_{variant.kind}_{len(chosen)}"
            chosen[key] = variant.source
    return chosen


@pytest.fixture(scope="module")
def mixed_class(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    solution = next(v.source for v in variants(ASSIGNMENT) if v.kind == "solution")
    honest = honest_sources()
    for student, source in honest.items():
        (folder / f"{student}.py").write_text(source)
    for name in HOSTILE_NAMES:
        hostile = (HOSTILE / f"{name}.py").read_text()
        (folder / f"hostile_{name}.py").write_text(f"{solution}\n\n{hostile}")
    out = tmp_path_factory.mktemp("out")
    assert run_batch(ASSIGNMENT, folder, out, workers=2, limits=LIMITS, progress=False) == 0
    return folder, out, honest


def exercise_scores(out: Path, student: str) -> dict[str, float]:
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        rows = db.execute("SELECT exercise_id, score FROM exercises WHERE student = ?", (student,)).fetchall()
    return dict(rows)


def test_every_submission_has_a_row(mixed_class):
    folder, out, honest = mixed_class
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        students = {row[0] for row in db.execute("SELECT student FROM submissions")}
    assert students == {path.stem for path in folder.glob("*.py")}


def test_honest_submissions_score_as_they_do_alone(mixed_class):
    folder, out, honest = mixed_class
    assert len(honest) >= 5
    for student in honest:
        alone = grade(ASSIGNMENT, folder / f"{student}.py", limits=LIMITS)
        assert exercise_scores(out, student) == {o.exercise.id: o.score for o in alone.exercises}, student


def test_each_hostile_submission_loses_only_what_it_attacked(mixed_class):
    _, out, _ = mixed_class
    for name in HOSTILE_NAMES:
        scores = exercise_scores(out, f"hostile_{name}")
        expected = 10 if name == "sys_exit_at_import" else 8  # a SystemExit at import stops nothing; others cost one exercise
        assert sum(scores.values()) == expected, (name, scores)
