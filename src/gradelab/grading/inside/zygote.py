"""The zygote: one warm process, in the sandbox, that forks a fresh worker per submission in milliseconds.

Starting Python and importing NumPy costs ~0.15 s per worker, sklearn ~1 s
more. The zygote is started once per grader process and set of preloaded
modules (grading/forkserver.py is the grader's side), with the workers' clean
environment (one BLAS thread, so forking is safe), imports NumPy, the worker
and the modules the assignment preloads, and then only forks. It never runs
student code itself: a forked child calls ``os.setsid()``, takes its private
folder (and in the kernel sandbox a uid of its own, privileges.py) and becomes
a worker, which sets its limits and guard when the load request arrives.

Requests over a socket pair: ``spawn`` (with the worker's end of a socket pair
passed by ``send_fds``) answers the child's pid; ``status`` a child's exit
status (only the zygote, its parent, can reap it); ``kill`` and ``workers``,
since in the sandbox's PID namespace only the zygote can name its workers. It is
a child subreaper: processes a worker left behind are re-parented to it and
killed, and in the sandbox every process of a finished worker's uid. When the
grader goes away, the zygote kills every worker's process group and exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence

from ..protocol.channel import Channel, ChannelClosed
from . import privileges

PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG = 36, 1
SWEEP_SECONDS = 0.5
#: Set by the grader when the zygote runs in the kernel sandbox: "root" (a uid per worker) or "shared" (one uid);
#: read by zygote_main and taken out of the environment that workers inherit.
ISOLATED = ""
UID_BLOCK = 0


class Zygote:
    """The server side: runs in the zygote process."""

    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.channel = Channel(control)
        self.workers: set[int] = set()
        self.exited: dict[int, int] = {}
        self.uids: dict[int, int] = {}  # worker pid -> its uid (in the sandbox)
        self.spawned = 0  # uids come from this counter, never from pids: a uid is never handed out twice

    def serve(self) -> None:
        while True:
            ready = select.select([self.control], [], [], SWEEP_SECONDS)[0]
            try:
                self._reap()
                self._sweep_orphans()
            except Exception:  # noqa: BLE001 - whatever a worker left behind, the zygote keeps serving the others
                pass
            if not ready:
                continue
            try:
                request, fds = self._receive()
            except (ConnectionError, ChannelClosed):
                return self._shutdown()
            self.channel.send(self._handle(request, fds))

    def _receive(self) -> tuple[dict, list[int]]:
        data, fds, _, _ = socket.recv_fds(self.control, 1, 1)
        if not data:
            raise ConnectionError("the grader went away")
        return self.channel.receive(), fds

    def _handle(self, request: dict, fds: list[int]) -> dict:
        op = request.get("op")
        if op == "spawn":
            preload(request.get("preload", ()))
            return {"pid": self._fork(fds[0], str(request["cwd"]))}
        for fd in fds:
            os.close(fd)
        if op == "status":
            return {"code": self._status(int(request["pid"]), float(request.get("timeout", 0)))}
        if op == "preload":
            return {"failed": preload(request.get("modules", ()))}
        if op == "kill":  # pids are this zygote's: in the sandbox's PID namespace only it can name them
            _kill_session(int(request["pid"]))
            return {"killed": True}
        if op == "workers":  # its live children: workers, and what they left that the sweep has not killed yet
            return {"pids": sorted(pid for pid in _children_of(str(os.getpid())) if _alive(pid))}
        return {"error": f"unknown request {op!r}"}

    def _fork(self, fd: int, cwd: str) -> int:
        self.spawned += 1
        uid = privileges.worker_uid(self.spawned, block=UID_BLOCK)
        pid = os.fork()
        if pid == 0:
            _become_worker(self.control, fd, cwd, uid)  # never returns
        os.close(fd)
        self.workers.add(pid)
        self.uids[pid] = uid
        return pid

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.workers:
                self.workers.discard(pid)
                self.exited[pid] = os.waitstatus_to_exitcode(status)
                self._clean_up(pid)

    def _clean_up(self, pid: int) -> None:
        """After a worker in the sandbox: every process of its uid, wherever it hid, and its folder, however deep."""
        uid = self.uids.pop(pid, None)
        if not ISOLATED:
            return
        if uid is not None and ISOLATED == "root":
            _kill_uid(uid)
        subprocess.run(["rm", "-rf", "--one-file-system", _worker_home(pid)], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30, check=False)

    def _status(self, pid: int, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while True:
            self._reap()
            if pid in self.exited:
                return self.exited.pop(pid)
            if pid not in self.workers or time.monotonic() >= deadline:
                return None
            time.sleep(0.005)

    def _sweep_orphans(self) -> None:
        """Kill processes re-parented to us (a worker's children that outlived it), and in the sandbox every process
        whose uid is no live worker's, however far down a chain it sits: only workers are ours."""
        me = str(os.getpid())
        for pid in _children_of(me):
            if pid not in self.workers:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        if ISOLATED == "root":
            live = {self.uids[pid] for pid in self.workers if pid in self.uids}
            for pid, uid in _uids():
                if uid >= privileges.WORKER_UID_BASE and uid not in live:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)

    def _shutdown(self) -> None:
        for pid in self.workers:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        os._exit(0)


def proc_stats() -> Iterator[tuple[int, list[bytes]]]:
    """(pid, the fields of /proc/<pid>/stat after the command name) for every process still there to read."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue  # it ended while we looked
            yield int(entry), fields


def _children_of(ppid: str) -> list[int]:
    return [pid for pid, fields in proc_stats() if fields[1].decode() == ppid]


def _worker_home(pid: int) -> str:
    return f"/tmp/worker-{pid}"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def _kill_session(pid: int) -> None:
    """The worker's process group, then any process left in its session."""
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    for member, fields in proc_stats():
        if int(fields[3]) == pid:
            with contextlib.suppress(OSError):
                os.kill(member, signal.SIGKILL)


def _uids() -> Iterator[tuple[int, int]]:
    """(pid, real uid) of every process this zygote can see."""
    for pid, _ in proc_stats():
        try:
            yield pid, os.stat(f"/proc/{pid}").st_uid
        except OSError:
            continue


def _kill_uid(uid: int) -> None:
    """SIGKILL every process of ``uid``: a child that takes the uid and signals all it may (kill -1), itself included."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setresuid(uid, uid, uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _private_folder(cwd: str, uid: int) -> str:
    """In the sandbox a folder of the worker's own on the sandbox's tmpfs, owned by its uid; else the grader's."""
    if not ISOLATED:
        return cwd
    home = _worker_home(os.getpid())
    if ISOLATED == "root":
        privileges.drop_to_worker_uid(home, uid)
    else:
        os.makedirs(home, mode=0o700, exist_ok=True)
        privileges.no_new_privs()
    return home


def _become_worker(control: socket.socket, fd: int, cwd: str, uid: int) -> None:
    """In the forked child: a new session, a private folder (and in the sandbox a uid of its own), then the worker's loop."""
    code = 0
    try:
        control.close()
        os.setsid()
        cwd = _private_folder(cwd, uid)
        os.chdir(cwd)
        os.environ["HOME"] = cwd
        import random

        random.seed()  # the zygote's state is every worker's state after fork
        from . import worker

        worker.serve_fd(fd)
    except BaseException:  # noqa: BLE001 - whatever happens, the child must not return into the zygote's loop
        code = 1
    finally:
        os._exit(code)


def preload(modules: Sequence[str]) -> list[str]:
    """Import trusted modules once, in the zygote, so every worker starts with them; names that fail come back."""
    failed = []
    for name in modules:
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional module is the submission's problem, not the zygote's
            failed.append(name)
    return failed


def zygote_main() -> None:
    global ISOLATED, UID_BLOCK
    fd = int(os.environ.pop("GRADELAB_ZYGOTE_FD"))
    ISOLATED = os.environ.pop("GRADELAB_ISOLATED", "")
    UID_BLOCK = int(os.environ.pop("GRADELAB_UID_BLOCK", "0"))
    os.environ.pop("PWD", None)  # bwrap's, not the worker's
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # a SIGKILLed grader takes its zygote (and so its workers)
    if os.getppid() == 1 and not ISOLATED:  # the grader died before the line above: nobody is left to serve
        os._exit(0)
    if ISOLATED:
        privileges.not_dumpable()
    preload(["numpy", "gradelab.grading.inside.worker"])
    Zygote(socket.socket(fileno=fd)).serve()


if __name__ == "__main__":
    zygote_main()
