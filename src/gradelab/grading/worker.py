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
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import socket
import sys
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from .channel import Channel

MAX_STDOUT = 4000
GLOBAL_SEED = 1  # the fixed global random state every call starts from


class StandInError(RuntimeError):
    """The grader's reference could not answer a stand-in call (the arguments were wrong)."""


class Worker:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.namespace: dict[str, Any] = {}

    def serve(self) -> None:
        while True:
            request = self.channel.receive()
            op = request.get("op")
            if op == "exit":
                return
            handler = {"load": self.load, "call": self.call}.get(op)
            reply = handler(request) if handler else {"error": f"unknown request {op!r}"}
            self.channel.send(reply)

    def load(self, request: dict) -> dict:
        """Run each definition on its own, so one failing import costs only what needs it."""
        self.namespace = {"__name__": "submission", "__builtins__": __builtins__}
        out = io.StringIO()
        problems = []
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
        before = copy.deepcopy((args, kwargs))
        replaced = self._install_stand_ins(request.get("stand_ins", []))
        out = io.StringIO()
        np.random.seed(GLOBAL_SEED)
        fixed_state = np.random.get_state()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                value = function(*args, **kwargs)
            reply = {"ok": True, "value": value}
        except BaseException as error:  # noqa: BLE001 - SystemExit, KeyboardInterrupt: all are the student's failure
            reply = {"ok": False, "error": _describe_error(error)}
        finally:
            self.namespace.update(replaced)
        reply["rng_used"] = not _same_state(fixed_state, np.random.get_state())
        np.random.set_state(fixed_state)
        reply["stdout"] = out.getvalue()[:MAX_STDOUT]
        reply["mutated"] = _mutated(before, (args, kwargs))
        return reply

    def _install_stand_ins(self, names: list[str]) -> dict[str, Any]:
        replaced = {name: self.namespace[name] for name in names if name in self.namespace}
        for name in names:
            self.namespace[name] = self._stand_in(name)
        return replaced

    def _stand_in(self, name: str) -> Callable[..., Any]:
        def stand_in(*args: Any, **kwargs: Any) -> Any:
            self.channel.send({"op": "stand_in", "function": name, "args": list(args), "kwargs": kwargs})
            answer = self.channel.receive()
            if not answer.get("ok"):
                raise StandInError(answer.get("message", f"{name} failed"))
            return answer["value"]

        stand_in.__name__ = name
        return stand_in


def _describe_error(error: BaseException) -> dict:
    frames = traceback.extract_tb(error.__traceback__)
    student_frames = [frame for frame in frames if frame.filename.startswith("submission") or "<" in frame.filename]
    lines = traceback.format_list(student_frames[-3:]) if student_frames else []
    return {"type": type(error).__name__, "message": str(error)[:2000], "traceback": "".join(lines)[:4000]}


def _same_state(a: tuple, b: tuple) -> bool:
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and a[2:] == b[2:]


def _mutated(before: tuple, after: tuple) -> list[str]:
    """Names (argument positions or keywords) whose arrays the call changed in place."""
    changed = []
    (args_before, kwargs_before), (args_after, kwargs_after) = before, after
    for index, (old, new) in enumerate(zip(args_before, args_after)):
        if not _equal_tree(old, new):
            changed.append(str(index))
    changed.extend(key for key in kwargs_before if not _equal_tree(kwargs_before[key], kwargs_after[key]))
    return changed


def _equal_tree(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(b, np.ndarray) and isinstance(a, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal_tree(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return isinstance(b, list | tuple) and len(a) == len(b) and all(_equal_tree(x, y) for x, y in zip(a, b))
    return a == b if type(a) is type(b) else False


def main() -> None:
    sock = socket.socket(fileno=int(os.environ["GRADELAB_FD"]))
    Worker(Channel(sock)).serve()


if __name__ == "__main__":
    sys.exit(main())
