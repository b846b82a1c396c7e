"""The grader's side of the process boundary: start a worker, load a submission, make calls.

Student code runs only in the child. A call that hangs past its timeout, or a
worker that dies, is reported as a :class:`CallFailed` with a plain-words
reason; the sandbox then starts a fresh worker, loads the same source again,
and the next call goes on as if nothing happened.

Workers are forked from a warm fork server (:mod:`.forkserver`) when one can
be used, else spawned as a fresh ``python -I``; ``GRADELAB_NO_FORKSERVER=1``
forces the latter. Either way a worker leads its own session and process
group, runs in a private temporary folder with a clean environment and
stdin closed, and sets its resource limits and import guard before the
first line of student code (the ``config`` of the load request).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import forkserver, isolation
from .outcome import Status
from .protocol.channel import Channel, ChannelClosed, ChannelTimeout
from .protocol.limits import Limits
from .protocol.wire import Ref, WireError

StandInHandler = Callable[[str, list, dict], Any]
#: Stand-in calls one call may make: the reference answers them in the grader's process.
MAX_STAND_IN_CALLS = 1000


@dataclass
class CallResult:
    """What the worker reported for one call; ``value`` is plain data."""

    ok: bool
    value: Any = None
    error: dict | None = None
    stdout: str = ""
    rng_used: bool = False
    mutated: list[str] = field(default_factory=list)
    stand_ins_called: list[str] = field(default_factory=list)
    seconds: float = 0.0
    refused: list[str] = field(default_factory=list)  # imports and file accesses the guard refused during the call


class CallFailed(RuntimeError):
    """The worker itself failed during a call: the exercise stops there. ``status`` says how (data, not the message)."""

    def __init__(self, reason: str, status: Status = Status.CRASHED) -> None:
        super().__init__(reason)
        self.status = status


#: Statuses a worker may report for its own failure; anything else in a reply is malformed.
WORKER_STATUSES = {status.value: status for status in (Status.CRASHED, Status.REFUSED, Status.TIMED_OUT)}


def worker_env(home: str) -> dict[str, str]:
    """The whole environment of a worker (and of the fork server): nothing of the grader's leaks in."""
    env = {"PATH": os.defpath, "HOME": home, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "LANG": "C.UTF-8", "MPLBACKEND": "Agg"}
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # set here because some CPUs need them
        if key in os.environ:
            env[key] = os.environ[key]
    return env


class _Spawned:
    """A worker started as a fresh interpreter (in the kernel sandbox where there is one); the grader reaps it."""

    def __init__(self, fd: int, cwd: str, exposed_modules: Sequence[str] = ()) -> None:
        env = dict(worker_env(cwd), GRADELAB_FD=str(fd))
        command = [sys.executable, "-I", "-m", "gradelab.grading.inside.worker"]
        sandboxed = isolation.probe()
        if sandboxed.available:
            env.update(isolation.sandbox_env(sandboxed))
            command = isolation.bwrap_command(sandboxed, isolation.exposed_files(exposed_modules), command)
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        pass_fds=(fd,), cwd=cwd, env=env, start_new_session=True)
        self.pid = self.process.pid

    def kill(self) -> None:
        kill_session(self.pid)  # bwrap's own process where sandboxed: everything in its namespace dies with it

    def exit_code(self, timeout: float) -> int | None:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None


class _Forked:
    """A worker forked by the fork server, which is its parent: only the server can tell its exit status."""

    def __init__(self, server: forkserver.ForkServer, fd: int, cwd: str, preload: Sequence[str]) -> None:
        self.server = server
        self.pid = server.spawn(fd, cwd, preload)  # the zygote's pid for it: in a sandbox, not a pid of this machine's

    def kill(self) -> None:
        try:
            self.server.kill(self.pid)
        except (ConnectionError, ChannelTimeout, WireError):
            pass  # the zygote is gone, and its workers with it

    def exit_code(self, timeout: float) -> int | None:
        try:
            return self.server.status(self.pid, timeout)
        except (ConnectionError, ChannelTimeout, WireError):
            return None


def _launch(fd: int, cwd: str, preload: Sequence[str], student_modules: Sequence[str]) -> _Spawned | _Forked:
    if forkserver.enabled():
        try:
            return _Forked(forkserver.shared(worker_env("/"), preload, student_modules), fd, cwd, preload)
        except (OSError, ConnectionError, ChannelTimeout, WireError, KeyError):
            pass  # no fork server here: a plain spawn is slower, not less safe
    return _Spawned(fd, cwd, [*preload, *student_modules])


class Sandbox:
    """One worker process at a time, restarted after any failure."""

    def __init__(self, definitions: list[tuple[str, str]], limits: Limits | None = None, student_modules: Sequence[str] = (),
                 preload: Sequence[str] = (), protected: Sequence[str] = (), modules: Sequence[tuple[str, str]] = ()) -> None:
        self.definitions = definitions
        self.modules = list(modules)  # the student's own helper modules: (name, source)
        self.limits = limits or Limits()
        self.student_modules, self.preload, self.protected = list(student_modules), list(preload), list(protected)
        self.process: _Spawned | _Forked | None = None
        self.pid: int | None = None
        self._next_id = 0
        self.channel: Channel | None = None
        self.load_reply: dict = {}
        self.load_failure: Status | None = None  # how the worker failed while loading the submission, if it did
        self.restarts = 0
        self.refused: list[str] = []  # what the guard refused, over every worker of this sandbox
        self._tmpdir: tempfile.TemporaryDirectory | None = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> dict:
        """Start a worker and load the source; returns the worker's load reply."""
        self.close()
        self.load_failure = None
        parent, child = socket.socketpair()
        self._tmpdir = tempfile.TemporaryDirectory(prefix="gradelab-worker-")
        try:
            self.process = _launch(child.fileno(), self._tmpdir.name, self.preload, self.student_modules)
        finally:
            child.close()
        self.pid = self.process.pid
        # The grader reads at most a little more than the worker may send (the reply's own framing).
        # Sends have a deadline too: a request larger than the socket's buffer must not wait forever on a stopped worker.
        self.channel = Channel(parent, self.limits.max_reply_bytes + 2**16, send_timeout=self.limits.timeout)
        config = dict(self.limits.config(), student_modules=self.student_modules, protected=self.protected)
        try:
            self.load_reply = _checked_reply(self._exchange({"op": "load", "definitions": self.definitions, "modules": self.modules,
                                                             "config": config},
                                                            self.limits.load_timeout))
            self.refused.extend(item for item in self.load_reply.get("refused", []) if item not in self.refused)
        except (ChannelTimeout, ChannelClosed, WireError) as error:
            self.load_failure, reason = self._failure(error, self.limits.load_timeout)
            self.close()
            self.load_reply = {"ok": False, "error": {"type": "WorkerFailed", "message": reason, "traceback": ""}}
        return self.load_reply

    def _exchange(self, request: dict, timeout: float) -> Any:
        """Send a numbered request and wait for the reply with the same number."""
        self._next_id += 1
        request["id"] = self._next_id
        self.channel.send(request)
        reply = self.channel.receive(timeout)
        _check_id(reply, self._next_id)
        return reply

    def call(self, function: str, args: list, kwargs: dict, stand_ins: dict[str, StandInHandler] | None = None,
             timeout: float | None = None, adapter: Ref | None = None) -> CallResult:
        """Call ``function(*args, **kwargs)`` in the worker; stand-in calls are answered by ``stand_ins``.

        ``adapter``: a student-module function the worker applies to the return value (``Exercise.output_adapter``).
        """
        if self.channel is None:
            self.restarts += 1
            self.start()
        if not self.load_reply.get("ok"):
            message = self.load_reply.get("error", {}).get("message", "the submission could not be loaded")
            raise CallFailed(message, self.load_failure or Status.CRASHED)
        stand_ins = stand_ins or {}
        timeout = self.limits.timeout if timeout is None else timeout
        started = time.monotonic()
        called: list[str] = []
        try:
            reply = _checked_reply(self._call_exchange(function, args, kwargs, stand_ins, timeout, started, called, adapter))
        except (ChannelTimeout, ChannelClosed, WireError) as error:
            status, reason = self._failure(error, timeout)
            self.close()
            raise CallFailed(reason, status) from None
        except BaseException:  # a grader error or an interrupt mid-call: the worker's state is unknown
            self.close()
            raise
        self.refused.extend(item for item in reply.get("refused", []) if item not in self.refused)
        if reply.get("failure"):
            if reply.get("fatal"):
                self.close()
            raise CallFailed(reply["failure"], WORKER_STATUSES.get(reply.get("status", "crashed"), Status.CRASHED))
        return CallResult(ok=bool(reply.get("ok")), value=reply.get("value"), error=reply.get("error"),
                          stdout=str(reply.get("stdout", "")), rng_used=bool(reply.get("rng_used")),
                          mutated=list(reply.get("mutated", [])), stand_ins_called=called,
                          seconds=time.monotonic() - started, refused=list(reply.get("refused", [])))

    def _call_exchange(self, function: str, args: list, kwargs: dict, stand_ins: dict[str, StandInHandler], timeout: float,
                       started: float, called: list[str], adapter: Ref | None = None) -> dict:
        """One call, answering its stand-in requests; every message must carry this call's number."""
        self._next_id += 1
        call_id = self._next_id
        self.channel.send({"op": "call", "id": call_id, "function": function, "args": args, "kwargs": kwargs,
                           "stand_ins": sorted(stand_ins), "timeout": timeout, "adapter": adapter})
        while True:
            reply = self.channel.receive(max(0.0, started + timeout - time.monotonic()))
            _check_id(reply, call_id)
            if reply.get("op") != "stand_in":
                return reply
            _check_stand_in_request(reply)
            if len(called) >= MAX_STAND_IN_CALLS:
                raise CallFailed(f"made more than {MAX_STAND_IN_CALLS} calls of graded functions in one call", Status.REFUSED)
            called.append(reply["function"])
            self.channel.send(_answer_stand_in(stand_ins, reply))

    def _failure(self, error: Exception, timeout: float) -> tuple[Status, str]:
        """How the worker failed, as a status and in words."""
        if isinstance(error, ChannelTimeout):
            return Status.TIMED_OUT, f"timed out after {timeout:g} s"
        if isinstance(error, WireError):
            return Status.MALFORMED_REPLY, f"made the submission's worker send a malformed reply ({error})"
        code = self.process.exit_code(1.0) if self.process is not None else None
        status = _exit_status(code)
        if status is Status.TIMED_OUT:  # the kernel's CPU limit or the grader's clock: one message whatever the load
            return status, f"timed out after {timeout:g} s"
        return status, _exit_reason(code, self.limits.memory_mb)

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.process is not None:
            self.process.kill()
            self.process.exit_code(5.0)  # reap it (the fork server reaps its own children)
            self.process = None
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None


def _answer_stand_in(stand_ins: dict[str, StandInHandler], request: dict) -> dict:
    name = request["function"]
    if name not in stand_ins:
        return {"ok": False, "message": f"{name} is not a stand-in here"}
    try:
        return {"ok": True, "value": stand_ins[name](name, list(request.get("args", [])), dict(request.get("kwargs", {})))}
    except Exception as error:  # noqa: BLE001 - the student's arguments made the reference fail
        return {"ok": False, "message": f"the reference {name} could not run on the arguments your code passed: {error}"}


#: The fields of a call's reply and the types they must have; a reply that breaks them is malformed.
REPLY_FIELDS = {"ok": bool, "error": (dict, type(None)), "stdout": str, "rng_used": bool, "mutated": list, "refused": list,
                "failure": str, "fatal": bool, "status": str, "functions": list, "problems": list}
LISTS_OF_TEXT = ("mutated", "refused", "functions", "problems")


def _checked_reply(reply: dict) -> dict:
    for name, kind in REPLY_FIELDS.items():
        if name in reply and not isinstance(reply[name], kind):
            raise WireError(f"the reply's {name!r} is a {type(reply[name]).__name__}")
    for name in LISTS_OF_TEXT:
        if not all(isinstance(item, str) for item in reply.get(name, [])):
            raise WireError(f"the reply's {name!r} must list strings")
    if "status" in reply and reply["status"] not in WORKER_STATUSES:
        raise WireError(f"the reply's status {reply['status']!r} is not one a worker may report")
    error = reply.get("error")
    if error is not None and not all(isinstance(error.get(key, ""), str) for key in ("type", "message", "traceback")):
        raise WireError("the reply's error must give its type, message and traceback as text")
    return reply


def _check_stand_in_request(request: dict) -> None:
    if not (isinstance(request.get("function"), str) and isinstance(request.get("args", []), list)
            and isinstance(request.get("kwargs", {}), dict)):
        raise WireError("a call of a graded function must name it and give a list of arguments and a dict of keywords")


def _check_id(reply: Any, expected: int) -> None:
    if not isinstance(reply, dict):
        raise WireError(f"a reply must be a dict, got {type(reply).__name__}")
    if reply.get("id") != expected:
        raise WireError("a reply that does not answer the grader's request (something else wrote to the worker's socket)")


def _exit_status(code: int | None) -> Status:
    if code is not None and code < 0 and -code == signal.SIGXCPU:
        return Status.TIMED_OUT  # the kernel's CPU limit: a call that ran too long, however loaded the machine
    return Status.CRASHED


def _exit_reason(code: int | None, memory_mb: int = 0) -> str:
    if code is None:
        return "the worker stopped answering"
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals.__members__.values() else str(-code)
        killed = f"was killed (often: it used more than {memory_mb} MiB of memory)" if memory_mb else "was killed"
        meaning = {"SIGSEGV": "crashed (segmentation fault)", "SIGKILL": killed, "SIGBUS": "crashed (bus error)",
                   "SIGXCPU": "used up its CPU time", "SIGXFSZ": "wrote a file larger than allowed",
                   "SIGABRT": "aborted"}.get(name, f"was stopped by signal {name}")
        return f"the worker {meaning}"
    return f"the worker exited with status {code} before answering"


def session_members(sid: int) -> list[int]:
    """Processes whose session id is ``sid``: a worker and whatever it started, even in other process groups."""
    return [pid for pid, fields in forkserver.proc_stats() if int(fields[3]) == sid]


def kill_session(pid: int) -> None:
    """Kill the worker's process group, then any process left in its session (one that moved to its own group).

    A process that started a new session of its own escapes both; the fork server, a child subreaper,
    kills those once they are orphaned (see forkserver.py and docs/SECURITY.md).
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    for member in session_members(pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(member, signal.SIGKILL)
