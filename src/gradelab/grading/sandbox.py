"""The grader's side of the process boundary: start a worker, load a submission, make calls.

Student code runs only in the child. A call that hangs past its timeout, or a
worker that dies, is reported as a :class:`CallFailed` with a plain-words
reason; the sandbox then starts a fresh worker, loads the same source again,
and the next call goes on as if nothing happened.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .channel import Channel, ChannelClosed, ChannelTimeout
from .wire import WireError

StandInHandler = Callable[[str, list, dict], Any]


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


class CallFailed(RuntimeError):
    """The worker itself failed during a call (timeout, crash, garbled reply): the call's exercise scores 0."""


@dataclass
class Limits:
    timeout: float = 10.0  # wall-clock seconds per call
    load_timeout: float = 30.0  # wall-clock seconds to run the submission's definitions
    memory_mb: int = 2048  # address space of the worker
    max_reply_bytes: int = 64 * 2**20


class Sandbox:
    """One worker process at a time, restarted after any failure."""

    def __init__(self, definitions: list[tuple[str, str]], limits: Limits | None = None) -> None:
        self.definitions = definitions
        self.limits = limits or Limits()
        self.process: subprocess.Popen | None = None
        self.channel: Channel | None = None
        self.load_reply: dict = {}
        self.restarts = 0
        self._tmpdir: tempfile.TemporaryDirectory | None = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> dict:
        """Start a worker and load the source; returns the worker's load reply."""
        self.close()
        parent, child = socket.socketpair()
        self._tmpdir = tempfile.TemporaryDirectory(prefix="gradelab-worker-")
        env = {"GRADELAB_FD": str(child.fileno()), "PATH": os.defpath, "HOME": self._tmpdir.name,
               "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # set here because some CPUs need them
            if key in os.environ:
                env[key] = os.environ[key]
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-m", "gradelab.grading.worker"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(child.fileno(),), cwd=self._tmpdir.name, env=env, start_new_session=True,
        )
        child.close()
        self.channel = Channel(parent, self.limits.max_reply_bytes)
        try:
            self.channel.send({"op": "load", "definitions": self.definitions})
            self.load_reply = self.channel.receive(self.limits.load_timeout)
        except (ChannelTimeout, ChannelClosed, WireError) as error:
            reason = self._failure_reason(error, self.limits.load_timeout)
            self.close()
            self.load_reply = {"ok": False, "error": {"type": "WorkerFailed", "message": reason, "traceback": ""}}
        return self.load_reply

    def call(self, function: str, args: list, kwargs: dict, stand_ins: dict[str, StandInHandler] | None = None,
             timeout: float | None = None) -> CallResult:
        """Call ``function(*args, **kwargs)`` in the worker; stand-in calls are answered by ``stand_ins``."""
        if self.channel is None:
            self.restarts += 1
            self.start()
        if not self.load_reply.get("ok"):
            raise CallFailed(self.load_reply.get("error", {}).get("message", "the submission could not be loaded"))
        stand_ins = stand_ins or {}
        timeout = self.limits.timeout if timeout is None else timeout
        started = time.monotonic()
        called: list[str] = []
        try:
            self.channel.send({"op": "call", "function": function, "args": args, "kwargs": kwargs, "stand_ins": sorted(stand_ins)})
            while True:
                reply = self.channel.receive(max(0.0, started + timeout - time.monotonic()))
                if reply.get("op") != "stand_in":
                    break
                called.append(reply["function"])
                self.channel.send(_answer_stand_in(stand_ins, reply))
        except (ChannelTimeout, ChannelClosed, WireError, KeyError, AttributeError) as error:
            reason = self._failure_reason(error, timeout)
            self.close()
            raise CallFailed(reason) from None
        return CallResult(ok=bool(reply.get("ok")), value=reply.get("value"), error=reply.get("error"),
                          stdout=str(reply.get("stdout", "")), rng_used=bool(reply.get("rng_used")),
                          mutated=list(reply.get("mutated", [])), stand_ins_called=called,
                          seconds=time.monotonic() - started)

    def _failure_reason(self, error: Exception, timeout: float) -> str:
        if isinstance(error, ChannelTimeout):
            return f"timed out after {timeout:g} s"
        if isinstance(error, WireError):
            return f"sent back data the grader refuses: {error}"
        code = self.process.poll() if self.process else None
        if code is None and self.process is not None:
            try:
                code = self.process.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                code = None
        return _exit_reason(code)

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.process is not None:
            _kill_group(self.process)
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


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "the worker stopped answering"
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals.__members__.values() else str(-code)
        meaning = {"SIGSEGV": "crashed (segmentation fault)", "SIGKILL": "was killed (often: out of memory)",
                   "SIGXCPU": "used up its CPU time", "SIGXFSZ": "wrote a file larger than allowed",
                   "SIGABRT": "aborted"}.get(name, f"was stopped by signal {name}")
        return f"the worker {meaning}"
    return f"the worker exited with status {code} before answering"


def _kill_group(process: subprocess.Popen) -> None:
    """Kill the worker and everything it started (it leads its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
