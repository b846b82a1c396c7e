"""The worker: the only process that runs student code.

It is started by :class:`gradelab.grading.sandbox.Sandbox` with a socket on
file descriptor ``GRADELAB_FD``. It answers three requests:

* ``load``: run the submission's definitions in a fresh namespace;
* ``call``: call one of its functions with the given arguments, the global
  random state fixed first and restored after, stdout captured, and some
  graded functions replaced by stand-ins that ask the grader for the
  reference's answer (one mistake, one deduction);
* ``exit``.

The worker never sees expected values, hidden cases or reference code: it
gets a call's inputs and sends back its output as plain data. Everything it
reports (printed text, whether it drew random numbers, whether it changed its
inputs) is information for the student; the verdict is made by the grader.

The first ``load`` request carries the worker's limits and the assignment's
student modules: the worker sets its resource limits (:mod:`.limits`) and
installs the import guard and audit hook (:mod:`.guard`) before it runs the
first line of student code.
"""

from __future__ import annotations

import builtins
import contextlib
import copy
import io
import os
import random
import secrets
import socket
import sys
import traceback
from collections.abc import Callable
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from typing import Any

import numpy as np

from ..protocol import limits
from ..protocol.channel import Channel
from ..protocol.trees import same_tree
from ..protocol.wire import GLOBAL_SEED, WireError, refs_for, resolve_refs
from . import guard

MAX_STDOUT = 4000
# Bound now, so a submission that patches numpy cannot change the worker's own bookkeeping.
_seed, _get_state, _set_state, _array_equal = np.random.seed, np.random.get_state, np.random.set_state, np.array_equal
_BUILTINS = dict(builtins.__dict__)


class StandInError(RuntimeError):
    """The grader's reference could not answer a stand-in call (the arguments were wrong)."""


class Worker:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.namespace: dict[str, Any] = {}
        self.config: dict = {}
        self.limits = limits.Limits()  # the declared defaults, until the load request's config replaces them
        self.refusals = guard.Refusals()
        self.guarded = False

    def serve(self) -> None:
        while True:
            request = self.channel.receive()
            op = request.get("op")
            if op == "exit":
                return
            handler = {"load": self.load, "call": self.call}.get(op)
            reply = handler(request) if handler else {"error": f"unknown request {op!r}"}
            _restore_builtins()
            reply["refused"] = self.refusals.take()
            reply["id"] = request.get("id")
            self._send_reply(reply)

    def _send_reply(self, reply: dict) -> None:
        """Check the encoded size before sending: a too large value is replaced by a failure, never transferred."""
        try:
            self.channel.send(reply)
        except WireError as error:
            self.channel.send({"ok": False, "id": reply.get("id"), "refused": reply.get("refused", []),
                               "failure": f"returned {error}, which the grader does not accept", "status": "refused"})
        except MemoryError:
            self.channel.send({"ok": False, "id": reply.get("id"), "failure": self._memory_failure(), "fatal": True})

    def _memory_failure(self) -> str:
        return f"used more than {self.limits.memory_mb} MiB of memory"

    def setup(self, config: dict) -> None:
        """Limits, then the guard: the last things before the first line of student code."""
        if self.guarded:
            return
        self.config = config
        self.limits = limits.Limits.from_config(config)
        self.channel.max_bytes = self.limits.max_reply_bytes
        limits.apply(self.limits)
        self.refusals = guard.install(config.get("student_modules", ()), config.get("protected", ()))
        self.guarded = True

    def load(self, request: dict) -> dict:
        """Run each definition on its own, so one failing import costs only what needs it."""
        self.setup(request.get("config", {}))
        # The student's own builtins dict: rebinding a builtin in the submission changes nothing of the worker's.
        self.namespace = {"__name__": "submission", "__builtins__": dict(_BUILTINS)}
        out = io.StringIO()
        problems = []
        if request.get("modules"):  # after the guard, which stays first in sys.meta_path
            sys.meta_path.insert(1, StudentModules(dict(request["modules"])))
        for origin, code in request["definitions"]:
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                    exec(compile(code, f"submission ({origin})", "exec"), self.namespace)
            except BaseException as error:  # noqa: BLE001 - student code may raise anything, SystemExit included
                described = _describe_error(error)
                problems.append(f"{origin}: {described['type']}: {described['message']}")
        functions = sorted(name for name, value in self.namespace.items() if callable(value) and not name.startswith("__"))
        return {"ok": True, "functions": functions, "problems": problems, "stdout": out.getvalue()[:MAX_STDOUT]}

    def call(self, request: dict) -> dict:
        name, args, kwargs = request["function"], request["args"], request["kwargs"]
        function = self.namespace.get(name)
        if not callable(function):
            return {"ok": False, "error": {"type": "NameError", "message": f"{name} is not defined", "traceback": ""}}
        modules = self.config.get("student_modules", ())
        try:  # functions named by the grader (wire.Ref), found only in the assignment's student modules
            args, kwargs = resolve_refs((args, kwargs), modules)
            adapter = resolve_refs(request.get("adapter"), modules)
        except (ImportError, LookupError) as error:
            return {"ok": False, "failure": f"the grader named a function it may not use: {error}"}
        before = copy.deepcopy((args, kwargs))
        replaced = self._install_stand_ins(request.get("stand_ins", []), request.get("id"))
        out = io.StringIO()
        _seed(GLOBAL_SEED)
        fixed_state = _get_state()
        limits.allow_cpu_for(float(request.get("timeout", self.limits.timeout)))
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                value = function(*args, **kwargs)
                # Inside the limits: the adapter reads a returned object (a model) that the student's code built.
                value = value if adapter is None else adapter(value)
            reply = {"ok": True, "value": value}
        except MemoryError:
            return {"ok": False, "failure": self._memory_failure(), "fatal": True}
        except BaseException as error:  # noqa: BLE001 - SystemExit, KeyboardInterrupt: all are the student's failure
            reply = {"ok": False, "error": _describe_error(error)}
        finally:
            self.namespace.update(replaced)
        reply["rng_used"] = not _same_state(fixed_state, _get_state())
        _set_state(fixed_state)
        reply["stdout"] = out.getvalue()[:MAX_STDOUT]
        reply["mutated"] = _mutated(before, (args, kwargs))
        return reply

    def _install_stand_ins(self, names: list[str], call_id: Any) -> dict[str, Any]:
        replaced = {name: self.namespace[name] for name in names if name in self.namespace}
        for name in names:
            self.namespace[name] = self._stand_in(name, call_id)
        return replaced

    def _stand_in(self, name: str, call_id: Any) -> Callable[..., Any]:
        def stand_in(*args: Any, **kwargs: Any) -> Any:
            # Student-module functions among the arguments (an activation g) cross back by name.
            args, kwargs = refs_for((list(args), kwargs), self.config.get("student_modules", ()))
            self.channel.send({"op": "stand_in", "id": call_id, "function": name, "args": args, "kwargs": kwargs})
            answer = self.channel.receive()
            if not answer.get("ok"):
                raise StandInError(answer.get("message", f"{name} failed"))
            return answer["value"]

        stand_in.__name__ = name
        return stand_in


class StudentModules(MetaPathFinder, Loader):
    """The student's own helper modules (a folder's .py files beside the notebook), importable by name.

    They are the submission's code: run here, in the worker, like its definitions, and named "submission (NAME.py)"
    in tracebacks. Found on demand, so they may import each other in any order.
    """

    def __init__(self, sources: dict[str, str]) -> None:
        self.sources = sources

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        return ModuleSpec(fullname, self, origin=f"submission ({fullname}.py)") if fullname in self.sources else None

    def create_module(self, spec: ModuleSpec) -> None:
        return None

    def exec_module(self, module: Any) -> None:
        exec(compile(self.sources[module.__name__], f"submission ({module.__name__}.py)", "exec"), module.__dict__)


def _describe_error(error: BaseException) -> dict:
    # Source lines are looked up only for the student's frames: reading the worker's own files is refused.
    frames = traceback.StackSummary.extract(traceback.walk_tb(error.__traceback__), lookup_lines=False)
    student_frames = [frame for frame in frames if frame.filename.startswith("submission") or "<" in frame.filename]
    lines = traceback.format_list(student_frames[-3:]) if student_frames else []
    return {"type": type(error).__name__, "message": str(error)[:2000], "traceback": "".join(lines)[:4000]}


def _same_state(a: tuple, b: tuple) -> bool:
    return a[0] == b[0] and _array_equal(a[1], b[1]) and a[2:] == b[2:]


def _restore_builtins() -> None:
    """Undo ``builtins.print = ...`` and the like between requests; the worker's own code runs on the originals."""
    current = builtins.__dict__
    for name in [name for name in current if name not in _BUILTINS]:
        del current[name]
    for name, value in _BUILTINS.items():
        if current.get(name) is not value:
            current[name] = value


def _mutated(before: tuple, after: tuple) -> list[str]:
    """Names (argument positions or keywords) whose arrays the call changed in place."""
    changed = []
    (args_before, kwargs_before), (args_after, kwargs_after) = before, after
    for index, (old, new) in enumerate(zip(args_before, args_after)):
        if not same_tree(old, new):
            changed.append(str(index))
    changed.extend(key for key in kwargs_before if not same_tree(kwargs_before[key], kwargs_after[key]))
    return changed


def hide_descriptor(fd: int) -> int:
    """Move the socket to a random high descriptor: student code looking for it by number finds nothing at 3."""
    target = random.SystemRandom().randrange(100, limits.Limits().open_files - 1)
    os.dup2(fd, target)
    os.close(fd)
    return target


def serve_fd(fd: int) -> None:
    """Serve on the socket at ``fd`` until told to exit or the grader goes away."""
    # stdin reads as end of file (input() raises EOFError): /dev/null, not a closed descriptor 0,
    # which the next open() would silently reuse.
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sock = socket.socket(fileno=hide_descriptor(fd))
    try:
        Worker(Channel(sock)).serve()
    except ConnectionError:
        pass  # the grader closed the connection: nothing left to do


def main() -> None:
    # Removed from the environment at once: student code reading os.environ finds no descriptor number.
    fd = int(os.environ.pop("GRADELAB_FD"))
    os.environ.pop("PWD", None)  # bwrap's, not the worker's
    if os.environ.pop("GRADELAB_ISOLATED", "") == "root":  # spawned into the kernel sandbox: a uid of its own
        from . import privileges

        with contextlib.suppress(OSError):  # bwrap's init leads the session: killing the worker's group must be enough
            os.setsid()
        home = "/tmp/worker"
        privileges.drop_to_worker_uid(home, privileges.worker_uid(secrets.randbelow(1 << privileges.PID_BITS),
                                                                   block=int(os.environ.pop("GRADELAB_UID_BLOCK", "0"))))
        os.chdir(home)
        os.environ["HOME"] = home
    serve_fd(fd)


if __name__ == "__main__":
    sys.exit(main())
