"""What the worker installs before student code runs, so there is nothing of the grader's to find.

* An import guard (a ``sys.meta_path`` finder in first place) refuses
  ``gradelab`` and its submodules, except the helper modules an assignment
  hands to students; every refusal is recorded, so the grader can report it
  even when the student's code catches the ImportError.
* An audit hook refuses opening files under the gradelab package and an
  instructor's assignment folder (``importlib.util.spec_from_file_location``
  and ``open()`` both go through the "open" event), other processes' /proc
  entries (the grader's memory), and starting programs (``cat``, ``python``
  would open those files without the hook). Audit hooks cannot be removed from
  Python code; code that calls C directly (ctypes) is not seen by them:
  docs/SECURITY.md says what that means.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from typing import Any

PROTECTED_PACKAGE = "gradelab"
#: Audit events that start another program, which would run without this hook.
_PROGRAM_EVENTS = frozenset({"os.system", "os.exec", "os.posix_spawn", "os.spawn", "subprocess.Popen", "os.startfile"})
#: Audit events whose first (or second) argument is a path: reading, linking, changing or deleting a file.
_PATH_EVENTS = frozenset({"open", "os.link", "os.symlink", "os.rename", "shutil.copyfile", "os.truncate", "os.remove",
                          "os.rmdir", "shutil.rmtree", "os.chmod", "os.chown", "os.utime", "os.mkdir", "os.listdir",
                          "os.scandir"})

_VERBS = {"open": "open", "os.listdir": "list", "os.scandir": "list", "os.remove": "delete", "os.rmdir": "delete",
          "shutil.rmtree": "delete", "shutil.copyfile": "copy"}


class Refusals:
    """What the guard refused, in order, without repeats; read and cleared by the worker per request."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, message: str) -> None:
        if message not in self.items:
            self.items.append(message)

    def take(self) -> list[str]:
        taken, self.items = self.items, []
        return taken


class ImportGuard(MetaPathFinder):
    """Refuses the grader's own package; lets through the modules students are given and their parent packages."""

    def __init__(self, allowed: Iterable[str], refusals: Refusals) -> None:
        self.allowed = with_parents(allowed)
        self.refusals = refusals

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: Any = None) -> ModuleSpec | None:
        if fullname == PROTECTED_PACKAGE and fullname not in self.allowed:
            # An empty package with nothing in it, so that ``import gradelab.nn`` reaches this guard under its own name.
            return ModuleSpec(fullname, _EmptyPackage(), is_package=True)
        if fullname.split(".")[0] == PROTECTED_PACKAGE and fullname not in self.allowed:
            message = f"tried to import {fullname}, which the grader does not allow"
            self.refusals.add(message)
            raise ImportError(message, name=fullname)
        return None  # not ours to decide: the next finder looks for it


class _EmptyPackage(Loader):
    def create_module(self, spec: ModuleSpec) -> None:
        return None  # the default: an empty module

    def exec_module(self, module: Any) -> None:
        module.__path__ = []


def with_parents(names: Iterable[str]) -> set[str]:
    """``a.b.c`` with ``a`` and ``a.b``: importing a module imports its packages too."""
    result = set()
    for name in names:
        parts = name.split(".")
        result.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return result


def hide_grader_modules(allowed: Iterable[str]) -> None:
    """Drop the worker's own gradelab modules from sys.modules, so ``import gradelab.grading.worker`` finds nothing.

    The worker keeps working: its functions hold their module globals directly.
    """
    keep = with_parents(allowed)
    for name in list(sys.modules):
        if name.split(".")[0] == PROTECTED_PACKAGE and name not in keep:
            del sys.modules[name]



def _as_path(value: Any) -> str | None:
    if isinstance(value, int):
        return None  # an already open descriptor: it was opened under the hook
    try:
        return os.path.realpath(os.fsdecode(value))
    except (TypeError, ValueError):
        return None


def make_audit_hook(protected: Sequence[str], allowed_files: Sequence[str], refusals: Refusals) -> Any:
    """An audit hook refusing file access under ``protected`` folders (except ``allowed_files``) and starting programs."""
    folders = tuple(os.path.join(os.path.realpath(folder), "") for folder in protected)
    allowed = frozenset(os.path.realpath(path) for path in allowed_files)
    own_proc = f"/proc/{os.getpid()}/"

    def hook(event: str, args: tuple) -> None:
        if event in _PROGRAM_EVENTS:
            message = "tried to start another program, which the grader does not allow"
            refusals.add(message)
            raise PermissionError(message)
        if event not in _PATH_EVENTS or not args:
            return
        for raw in args[:2] if event != "open" else args[:1]:
            path = _as_path(raw)
            if path is None or path in allowed:
                continue
            if path.startswith(folders) or (path.startswith("/proc/") and _other_process(path, own_proc)):
                message = f"tried to {_VERBS.get(event, 'change')} {path}, which the grader does not allow"
                refusals.add(message)
                raise PermissionError(message)

    return hook


def _other_process(path: str, own_proc: str) -> bool:
    """/proc/<pid>/... of another process (its memory, its open files); /proc/self resolves to our own pid."""
    rest = path[len("/proc/"):].split("/", 1)[0]
    return rest.isdigit() and not (path + "/").startswith(own_proc)


def protected_folders(extra: Sequence[str] = ()) -> list[str]:
    """The installed gradelab package, plus instructor folders (``--assignment-path``)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return [package, *extra]


def module_files(names: Sequence[str]) -> list[str]:
    """The source files of the student-facing modules, which stay readable (tracebacks, inspect)."""
    files = []
    for name in sorted(with_parents(names)):
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if path:
            files.append(path)
    return files


def install(student_modules: Sequence[str], extra_protected: Sequence[str] = ()) -> Refusals:
    """Import the student modules first (they may need gradelab internals), then close the doors."""
    refusals = Refusals()
    for name in student_modules:
        try:
            __import__(name)
        except ImportError:
            pass  # reported when the student imports it
    hide_grader_modules(student_modules)
    sys.meta_path.insert(0, ImportGuard(student_modules, refusals))
    sys.addaudithook(make_audit_hook(protected_folders(extra_protected), module_files(student_modules), refusals))
    return refusals
