"""The kernel sandbox around workers, tried as a student aiming at the operating system would, and its absence said plainly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import gradelab
from gradelab.assignments import load
from gradelab.grading import isolation
from gradelab.grading.engine import grade
from gradelab.grading.inside import privileges
from gradelab.grading.sandbox import Sandbox

SANDBOX = isolation.probe().available
needs_sandbox = pytest.mark.skipif(not SANDBOX, reason=f"no kernel sandbox here: {isolation.probe().why}")
PACKAGE = Path(gradelab.__file__).parent

LOOK_AROUND = '''
import os, socket, signal


def look(paths):
    seen = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "pid": os.getpid(), "cwd": os.getcwd(),
            "exists": {path: os.path.exists(path) for path in paths},
            "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=0.5)
        seen["loopback"] = "connected"
    except OSError as error:
        seen["loopback"] = type(error).__name__
    try:
        socket.create_connection(("1.1.1.1", 80), timeout=0.5)
        seen["network"] = "connected"
    except OSError as error:
        seen["network"] = type(error).__name__
    seen["signals"] = {}
    for pid in seen["processes"]:
        if pid != os.getpid():
            try:
                os.kill(pid, 0)
                seen["signals"][pid] = "allowed"
            except OSError as error:
                seen["signals"][pid] = type(error).__name__
    return seen
'''


def _look(paths: list[str]) -> dict:
    with Sandbox([("file", LOOK_AROUND)]) as sandbox:
        assert sandbox.start()["ok"]
        result = sandbox.call("look", [paths], {})
        assert result.ok, result.error
        return result.value


@needs_sandbox
def test_a_worker_sees_only_what_student_code_may_use(tmp_path):
    secret = tmp_path / "instructor" / "hidden_cases.py"
    secret.parent.mkdir()
    secret.write_text("HIDDEN = 1\n")
    paths = [str(PACKAGE / "nn" / "initializers.py"), str(PACKAGE / "assignments"), str(secret), str(tmp_path), __file__, "/root/.ssh",
             str(PACKAGE / "grading" / "inside" / "worker.py")]
    seen = _look(paths)
    assert seen["exists"] == {**{path: False for path in paths}, str(PACKAGE / "grading" / "inside" / "worker.py"): True}
    assert seen["uid"] not in (0, os.getuid()) and seen["gid"] not in (0, os.getgid()) and seen["groups"] == []
    assert seen["network"] != "connected" and seen["loopback"] != "connected"
    assert os.getpid() not in seen["processes"]  # the grader is not even a pid in there
    assert set(seen["signals"].values()) <= {"PermissionError"}, seen["signals"]  # not the zygote, not bwrap


@needs_sandbox
def test_two_workers_are_two_users_who_cannot_touch_each_other():
    with Sandbox([("file", LOOK_AROUND)]) as first, Sandbox([("file", LOOK_AROUND)]) as second:
        assert first.start()["ok"] and second.start()["ok"]
        one, other = first.call("look", [[]], {}).value, second.call("look", [[]], {}).value
    assert one["uid"] != other["uid"]
    assert other["pid"] in one["signals"] and one["signals"][other["pid"]] == "PermissionError"


@needs_sandbox
def test_a_report_says_how_the_submission_was_walled_in(tmp_path):
    path = tmp_path / "work.py"
    path.write_text((PACKAGE / "assignments" / "initialization" / "solution.py").read_text())
    report = grade(load("initialization"), path, only=["TestZeroInitialization"])
    assert report.isolated and report.isolation == isolation.probe().label
    assert not any(problem.startswith("not isolated") for problem in report.problems)


def _cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gradelab.cli", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, cwd=cwd)


def test_without_the_sandbox_grading_for_marks_is_refused_unless_asked_and_then_said(tmp_path):
    work = tmp_path / "work.py"
    work.write_text((PACKAGE / "assignments" / "initialization" / "solution.py").read_text())
    off = {"GRADELAB_ISOLATION": "0"}
    refused = _cli("grade", "initialization", str(work), env=off)
    assert refused.returncode == 2 and "cannot isolate student code" in refused.stderr and "--allow-unisolated" in refused.stderr
    graded = _cli("grade", "initialization", str(work), "--allow-unisolated", "--json", str(tmp_path / "r.json"), env=off)
    assert graded.returncode == 0, graded.stderr
    assert "not isolated" in graded.stdout and "not isolated" in (tmp_path / "r.json").read_text()
    doctor = _cli("doctor", env=off)
    assert doctor.returncode == 1 and "not isolated" in doctor.stdout


@needs_sandbox
def test_doctor_says_the_sandbox_is_there():
    doctor = _cli("doctor")
    assert doctor.returncode == 0 and "kernel sandbox (bubblewrap)" in doctor.stdout


@needs_sandbox
def test_a_worker_cannot_make_namespaces_or_trace_other_processes():
    probe = ('''
import ctypes, os


def calls():
    libc = ctypes.CDLL(None, use_errno=True)
    found = {}
    for name, result in (("unshare a user namespace", lambda: libc.unshare(0x10000000)), ("ptrace", lambda: libc.ptrace(16, 1, 0, 0)),
                         ("mount", lambda: libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)),
                         ("System V shared memory", lambda: libc.shmget(0, 1 << 30, 0o1600)),
                         ("memfd", lambda: libc.memfd_create(b"x", 0))):
        found[name] = (result(), ctypes.get_errno())
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    found["fork"] = os.waitpid(pid, 0)[1]
    import socket
    try:
        socket.socket(40, socket.SOCK_STREAM)  # AF_VSOCK: no network namespace confines it
        found["vsock"] = (0, 0)
    except OSError as error:
        found["vsock"] = (-1, 1 if error.errno == 97 else error.errno)  # EAFNOSUPPORT
    return found
''')
    with Sandbox([("file", probe)]) as sandbox:
        assert sandbox.start()["ok"]
        found = sandbox.call("calls", [], {}).value
    assert found.pop("fork") == 0  # what student code may do still works
    assert all(result == -1 and err == 1 for result, err in found.values()), found  # EPERM from the seccomp filter


CHAIN = '''
import os, time


def hide():
    """A process that keeps moving: each link forks the next and exits, so no parent holds it for long."""
    if os.fork() == 0:
        os.setsid()
        while True:
            if os.fork():
                os._exit(0)
            time.sleep(0.05)
    return 1
'''


@needs_sandbox
def test_nothing_a_worker_started_outlives_it_however_it_moves():
    with Sandbox([("file", CHAIN)]) as sandbox:
        assert sandbox.start()["ok"]
        assert sandbox.call("hide", [], {}).value == 1
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _worker_processes():
        time.sleep(0.1)
    assert _worker_processes() == []


def _worker_processes() -> list[int]:
    """Processes of this machine running as a worker's uid."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid >= privileges.WORKER_UID_BASE:
                found.append(int(entry))
        except OSError:
            continue
    return found


def test_what_runs_inside_imports_nothing_of_the_graders():
    """grading/inside/ may import itself and grading/protocol/; protocol/ only itself: the folders say who runs where."""
    from gradelab.grading.isolation import _gradelab_imports

    grading = PACKAGE / "grading"
    allowed = {"inside": ("gradelab.grading.inside", "gradelab.grading.protocol"), "protocol": ("gradelab.grading.protocol",)}
    for side, prefixes in allowed.items():
        for path in (grading / side).glob("*.py"):
            name = f"gradelab.grading.{side}.{path.stem}".removesuffix(".__init__")
            imported = _gradelab_imports(path, name, path.name == "__init__.py")
            strays = [module for module in imported if not module.startswith(prefixes) and module not in ("gradelab", "gradelab.grading")]
            assert not strays, f"{path.relative_to(PACKAGE)} imports {strays}"
    exposed = {str(path.relative_to(PACKAGE)) for path in isolation.exposed_files(())}
    assert all(path.startswith(("grading/inside/", "grading/protocol/")) or path.endswith("__init__.py") for path in exposed), exposed
