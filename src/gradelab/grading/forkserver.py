"""The grader's side of the fork server: start a zygote (inside/zygote.py) per set of preloaded modules, ask it for workers.

Starting Python and importing NumPy and scikit-learn costs a second or more per
worker; a warm zygote forks one in about 0.1 s. In the kernel sandbox the zygote
runs under bubblewrap (isolation.py) and its pids are its own: the grader asks it
to kill and to list its workers.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence

from .inside.zygote import _children_of, proc_stats
from .protocol.channel import Channel

__all__ = ["ForkServer", "enabled", "proc_stats", "shared", "_children_of"]


class ForkServer:
    """The grader's side: one per grader process, started lazily, shared by every sandbox (thread-safe)."""

    def __init__(self, env: dict[str, str], exposed_modules: Sequence[str] = ()) -> None:
        from . import isolation  # the grader's side only: the zygote never reads it

        parent, child = socket.socketpair()
        env = dict(env, GRADELAB_ZYGOTE_FD=str(child.fileno()))
        command = [sys.executable, "-I", "-m", "gradelab.grading.inside.zygote"]
        self.isolation = isolation.probe()
        if self.isolation.available:
            env.update(isolation.sandbox_env(self.isolation))
            command = isolation.bwrap_command(self.isolation, isolation.exposed_files(exposed_modules), command)
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(child.fileno(),), cwd="/", env=env, start_new_session=True,
        )
        child.close()
        self.sock = parent
        self.channel = Channel(parent)
        self.lock = threading.Lock()
        self.owner = os.getpid()

    def request(self, message: dict, fd: int | None = None, timeout: float = 60.0) -> dict:
        with self.lock:
            socket.send_fds(self.sock, [b"\0"], [fd] if fd is not None else [])
            self.channel.send(message)
            return self.channel.receive(timeout)

    def spawn(self, fd: int, cwd: str, preload_modules: Sequence[str] = ()) -> int:
        return int(self.request({"op": "spawn", "cwd": cwd, "preload": list(preload_modules)}, fd)["pid"])

    def status(self, pid: int, timeout: float = 0.0) -> int | None:
        code = self.request({"op": "status", "pid": pid, "timeout": timeout}, timeout=timeout + 30)["code"]
        return None if code is None else int(code)

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.process.poll() is None

    def kill(self, pid: int) -> None:
        """Kill a worker's session: by the zygote, the only one that knows what ``pid`` names in a sandbox."""
        self.request({"op": "kill", "pid": pid}, timeout=10.0)

    def workers(self) -> list[int]:
        """The zygote's live workers (its pids)."""
        return list(self.request({"op": "workers"}, timeout=10.0)["pids"])

    def close(self) -> None:
        self.sock.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


_SERVER: ForkServer | None = None  # the one used last
_SERVERS: dict[tuple[str, ...], ForkServer] = {}
_SERVER_LOCK = threading.Lock()


def enabled() -> bool:
    return os.environ.get("GRADELAB_NO_FORKSERVER", "") in ("", "0") and hasattr(os, "fork") and hasattr(socket, "send_fds")


def shared(env: dict[str, str], preload_modules: Sequence[str] = (), student_modules: Sequence[str] = ()) -> ForkServer:
    """The grader process's fork server for this set of preloaded modules, started on first use (and again after
    a fork of the grader, or its death).

    One zygote per set, never one for all: a worker inherits its zygote's memory, so modules one assignment
    preloads (keras_intro's gradelab.keras brings gradelab.nn) must not be found by another assignment's workers.
    """
    from .isolation import probe  # the grader's side only

    global _SERVER
    key = (probe().available, tuple(sorted(set(preload_modules))), tuple(sorted(set(student_modules))))
    with _SERVER_LOCK:
        server = _SERVERS.get(key)
        if server is None or not server.alive():
            server = _SERVERS[key] = ForkServer(env, [*key[1], *key[2]])
        _SERVER = server
        return server
