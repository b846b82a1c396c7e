"""Hostile submissions against the initialization assignment: each must get exactly the outcome written here.

Every hostile file in tests/hostile/ replaces one or two functions of the
assignment's solution. The hostile exercise scores zero with a message in
plain words; every other exercise still scores full marks (one trick costs
one exercise), the grader itself never crashes or hangs past its limits, and
no process of a worker is left behind.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import gradelab
from gradelab.assignments import load
from gradelab.grading import forkserver, isolation
from gradelab.grading.engine import grade
from gradelab.grading.inside.zygote import _alive
from gradelab.grading.outcome import Status
from gradelab.grading.sandbox import Limits, session_members

HOSTILE = Path(__file__).parent / "hostile"
ASSIGNMENT = load("initialization")
SOLUTION = (Path(gradelab.__file__).parent / "assignments" / "initialization" / "solution.py").read_text()
GRADELAB_DIR = str(Path(gradelab.__file__).parent)
LIMITS = Limits(timeout=1.0, load_timeout=3.0, memory_mb=600, max_reply_bytes=2**20)
ZERO, DATA, PRE, RANDOM, HE = ("TestZeroInitialization", "TestDataGeneration", "TestPreprocessing",
                               "TestRandomInitialization", "TestHeInitialization")

# name -> (the exercise that must score zero, or None when the submission keeps its 10 points; words the report must contain)
EXPECTED = {
    "always_true_eq": (PRE, "which the grader does not accept"),
    "empty_dict": (ZERO, "the dict is empty"),
    "prints_all_passed": (DATA, "expected a tuple of 4 items, got None"),
    "sys_exit_at_import": (None, "SystemExit"),
    "sys_exit_in_function": (ZERO, "raised SystemExit"),
    "os_exit": (HE, "exited with status 0"),
    "patch_numpy": (ZERO, "values differ"),
    "patch_builtins": (ZERO, "missing keys"),
    "excepthook": (ZERO, "ValueError: hidden failure"),
    "import_reference": (HE, "tried to import gradelab.nn, which the grader does not allow"),
    "importlib_reference": (HE, "initializers.py, which the grader does not allow"),
    "read_reference_source": (HE, "tried to open"),
    "grader_modules": (None, ""),
    "gc_walk": (RANDOM, "the dict is empty"),
    "ndarray_subclass_eq": (PRE, "expected shape"),
    "object_array": (PRE, "ndarray object, which the grader does not accept"),
    "huge_reply": (ZERO, "more than the limit of 1 MiB"),
    "nan_outputs": (HE, "NaN or inf where finite values are expected"),
    "socket_garbage": (ZERO, "send a malformed reply"),
    "fake_reply": (ZERO, "does not answer the grader's request"),
    "close_all_fds": (ZERO, "the worker exited with status"),
    "infinite_loop": (ZERO, "timed out after 1 s"),
    "memory_bomb": (ZERO, "used more than 600 MiB of memory"),
    "fork_bomb": (ZERO, "timed out after 1 s"),
    "ctypes_segfault": (HE, "crashed (segmentation fault)"),
    "keyboard_interrupt": (ZERO, "raised KeyboardInterrupt"),
    "delete_files": (ZERO, "tried to delete"),
    "start_program": (HE, "tried to start another program"),
    "read_grader_memory": (HE, "environ, which the grader does not allow"),
    # What only the kernel sandbox stops (tests/test_isolation.py): run only where it is there.
    "dir_fd_reference": (HE, "the reference is out of reach"),
    "multiprocessing_reference": (HE, "could not import the reference"),
    "gc_rewrites_the_guard": (HE, "the reference is out of reach"),
    "grader_memory_mem": (HE, "the dict is empty"),
    "signal_everyone": (ZERO, "the dict is empty"),
}
#: Never run unisolated: as root, signal_everyone would stop every process of the machine.
KERNEL_ONLY = {"dir_fd_reference", "multiprocessing_reference", "grader_memory_mem", "signal_everyone", "gc_rewrites_the_guard"}


# The status of the hostile exercise, where it is not a plain "failed": read from the outcome, never from its words.
STATUS = {
    "socket_garbage": Status.MALFORMED_REPLY, "fake_reply": Status.MALFORMED_REPLY, "close_all_fds": Status.CRASHED,
    "infinite_loop": Status.TIMED_OUT, "memory_bomb": Status.CRASHED, "fork_bomb": Status.TIMED_OUT,
    "ctypes_segfault": Status.CRASHED, "os_exit": Status.CRASHED, "huge_reply": Status.REFUSED,
    "import_reference": Status.REFUSED,  # its ImportError went unhandled; the others caught the refusal and returned
}


def report_text(report) -> str:
    lines = list(report.problems)
    for outcome in report.exercises:
        lines.extend(finding.message for case in outcome.cases for finding in case.findings)
        lines.extend(note.message for note in outcome.notes)
    return "\n".join(lines)


def submission(tmp_path: Path, name: str, **fields: str) -> Path:
    hostile = (HOSTILE / f"{name}.py").read_text()
    for key, value in dict(GRADELAB_DIR=GRADELAB_DIR, **fields).items():
        hostile = hostile.replace("{" + key + "}", value)
    path = tmp_path / "submission.py"
    path.write_text(f"{SOLUTION}\n\n{hostile}")
    return path


def no_worker_left(timeout: float = 3.0) -> list[int]:
    """Processes still parented by the fork server (its workers and what they left): none after grading."""
    server = forkserver._SERVER
    if server is None:
        return []
    deadline = time.monotonic() + timeout
    while True:
        if server.isolation.available:  # in the sandbox's PID namespace: only the zygote can list them
            left = server.workers()
        else:
            left = [pid for pid in forkserver._children_of(str(server.process.pid)) if _alive(pid)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)



def test_every_hostile_file_has_an_expectation():
    assert sorted(path.stem for path in HOSTILE.glob("*.py")) == sorted([*EXPECTED, "slow_import"])
    assert len(EXPECTED) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_submission(tmp_path, name):
    if name in KERNEL_ONLY and not isolation.probe().available:
        pytest.skip(f"{name} is stopped only by the kernel sandbox, which this machine lacks (gradelab doctor)")
    protected = tmp_path / "instructor"
    protected.mkdir()
    (protected / "secret_cases.py").write_text("HIDDEN = 1\n")
    pidfile = tmp_path / "pids.txt"
    assignment = ASSIGNMENT
    assignment.extras["protected"] = [str(protected)]
    started = time.monotonic()
    try:
        report = grade(assignment, submission(tmp_path, name, PIDFILE=str(pidfile), PROTECTED=str(protected)), limits=LIMITS)
    finally:
        assignment.extras.pop("protected", None)
    elapsed = time.monotonic() - started
    zero, words = EXPECTED[name]
    scores = {outcome.exercise.id: outcome.score for outcome in report.exercises}
    for exercise, score in scores.items():
        assert score == (0 if exercise == zero else 2), (exercise, report_text(report))
    assert words in report_text(report)
    if zero is not None:
        assert {o.exercise.id: o.status for o in report.exercises}[zero] is STATUS.get(name, Status.FAILED)
    assert report.gradable  # nothing a submission does is the grader's error
    assert report.isolated == isolation.probe().available
    if not report.isolated:
        assert any(problem.startswith("not isolated") for problem in report.problems)
    assert elapsed < 20, f"grading took {elapsed:.1f} s"
    assert (protected / "secret_cases.py").exists()
    assert no_worker_left() == []
    if pidfile.exists():  # the fork bomb's children, the one in its own session included
        pids = [int(line) for line in pidfile.read_text().split()]
        assert pids
        deadline = time.monotonic() + 3
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in pids if _alive(pid)]


def test_slow_import_times_out_the_load_and_every_exercise(tmp_path):
    limits = Limits(timeout=1.0, load_timeout=0.5, memory_mb=600)
    started = time.monotonic()
    report = grade(ASSIGNMENT, submission(tmp_path, "slow_import"), limits=limits)
    assert time.monotonic() - started < 10
    assert report.score == 0
    assert "timed out after 0.5 s" in report_text(report)
    assert no_worker_left() == []


def test_no_process_is_left_in_any_worker_session():
    """After the whole suite's gradings: no process anywhere still belongs to a session a worker led."""
    server = forkserver._SERVER
    if server is not None:
        assert [pid for pid in session_members(server.process.pid) if pid != server.process.pid] == []


@pytest.mark.parametrize("assignment_name", ["deep_network", "keras_intro"])
def test_student_modules_bring_no_reference_along(tmp_path, assignment_name):
    """Importing the helpers an assignment hands out reaches no gradelab module beyond them and their trivial parents."""
    assignment = load(assignment_name)
    first = assignment.exercises[0]
    imports = "\n".join(f"import {name}" for name in assignment.student_modules)
    path = tmp_path / "probe.py"
    path.write_text(f"{imports}\nimport sys\ndef {first.function}(*args, **kwargs):\n"
                    "    raise RuntimeError(sorted(m for m in sys.modules if m.startswith('gradelab')))\n")
    message = grade(assignment, path, only=[first.id]).exercises[0].cases[0].findings[0].message
    reached = set(eval(message.split("RuntimeError: ", 1)[1].splitlines()[0]))  # noqa: S307 - our own probe's output
    allowed = set(assignment.student_modules) | {"gradelab", "gradelab.student"}
    allowed |= {name for name in reached if name.startswith("gradelab.keras")} if assignment_name == "keras_intro" else set()
    assert reached <= allowed, reached - allowed


@pytest.mark.parametrize("name", ["patch_numpy", "infinite_loop", "import_reference", "fork_bomb"])
def test_without_the_kernel_sandbox_the_same_outcome_is_reported_as_not_isolated(tmp_path, monkeypatch, name):
    monkeypatch.setenv(isolation.ENV_SWITCH, "0")
    isolation.probe.cache_clear()
    try:
        report = grade(ASSIGNMENT, submission(tmp_path, name, PIDFILE=str(tmp_path / "pids.txt")), limits=LIMITS)
    finally:
        monkeypatch.undo()
        isolation.probe.cache_clear()
    zero, words = EXPECTED[name]
    assert {o.exercise.id: o.score for o in report.exercises}[zero] == 0 and words in report_text(report)
    assert not report.isolated and report.isolation == "not isolated"
    assert any(problem.startswith("not isolated") for problem in report.problems)
