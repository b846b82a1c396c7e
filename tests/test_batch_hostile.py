"""A class in which hostile submissions sit beside honest ones: every honest one scores what it scores alone."""

import sqlite3
from pathlib import Path

import pytest

from gradelab.assignments import load
from gradelab.batch import run_batch, runner
from gradelab.grading.engine import grade
from gradelab.grading.sandbox import Limits
from gradelab.grading.selftest import variants

ASSIGNMENT = load("initialization")
LIMITS = Limits(timeout=1.0, load_timeout=5.0, memory_mb=600, max_reply_bytes=2**20)
HOSTILE = Path(__file__).parent / "hostile"
HOSTILE_NAMES = ["infinite_loop", "os_exit", "ctypes_segfault", "close_all_fds", "socket_garbage", "sys_exit_at_import",
                 "prints_all_passed", "import_reference", "always_true_eq", "patch_builtins", "huge_reply", "memory_bomb"]
# Attacks on the batch itself: find the grading pool (the processes multiprocessing spawned beside the one grading
# this submission) by walking up /proc, and kill or freeze all of it. Only this test's own pool is a target.
POOL_ATTACK = """
import os
import signal


def _read(name):
    root = os.open("/", os.O_RDONLY | os.O_DIRECTORY)  # relative opens: past a guard that checks paths
    try:
        handle = os.open(name, os.O_RDONLY, dir_fd=root)
    finally:
        os.close(root)
    try:
        return os.read(handle, 65536)
    finally:
        os.close(handle)


def _parent(pid):
    text = _read(f"proc/{pid}/stat")
    return int(text[text.rindex(b")") + 2:].split()[1])


def _pooled(pid):
    return b"multiprocessing.spawn" in _read(f"proc/{pid}/cmdline")


def _attack(sig):
    pid = os.getpid()
    while pid > 1 and not _pooled(pid):
        pid = _parent(pid)
    if pid <= 1:
        return
    batch = _parent(pid)
    for entry in os.listdir("/proc"):
        if entry.isdigit() and _parent(int(entry)) == batch and _pooled(int(entry)):
            os.kill(int(entry), sig)


def initialize_parameters_zeros(layers_dims):
    try:
        _attack(signal.SIG)
    except Exception:
        pass
    return {}
"""
POOL_ATTACKS = {"kill_pool": POOL_ATTACK.replace("signal.SIG)", "signal.SIGKILL)"),
                "stop_pool": POOL_ATTACK.replace("signal.SIG)", "signal.SIGSTOP)")}


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
    for name, hostile in POOL_ATTACKS.items():
        (folder / f"hostile_{name}.py").write_text(f"{solution}\n\n{hostile}")
    out = tmp_path_factory.mktemp("out")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "SILENCE", 5.0)  # where the sandbox cannot hide the pool, a frozen one is found sooner
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


def test_attacks_on_the_pool_cost_the_attacker_only(mixed_class):
    """In the sandbox the pool is out of sight (8/10: the exercise returns nothing); without it, the attacker's pool
    processes die or freeze, each victim is graded again alone (the honest test above checks their scores), and the
    attacker, graded alone too, loses its own grading: a row with 0."""
    _, out, _ = mixed_class
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        rows = dict(db.execute("SELECT student, score FROM submissions WHERE student LIKE 'hostile_%_pool'").fetchall())
    assert set(rows) == {f"hostile_{name}" for name in POOL_ATTACKS}
    assert all(score in (0, 8) for score in rows.values()), rows
