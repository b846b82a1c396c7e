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
  docs/SECURITY.md says what that means. A program that a library starts on
  its own while it is imported or used (matplotlib asks for fonts) is refused
  too, but only what the student's own code started is reported: a refusal is
  never an accusation for ``import matplotlib.pyplot``.
* The course's helper modules answer to their course names where an assignment
  lists those names among its student modules (:data:`COURSE_ALIASES`):
  ``from dnn_utils import sigmoid`` is ``gradelab.student.dnn_utils``; the
  course's own checking modules (``testCases``, ``public_tests``) are empty
  stand-ins, so their imports work and their checks, which the grader does not
  need, do nothing.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import types
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

#: Course module name -> the gradelab student module it is, or None for the course's checks and plots (a stand-in).
COURSE_ALIASES: dict[str, str | None] = {
    "dnn_utils": "gradelab.student.dnn_utils", "dnn_utils_v2": "gradelab.student.dnn_utils",
    "dnn_app_utils_v3": "gradelab.student.dnn_utils", "lab_utils_common": "gradelab.student.keras_lab",
    "testCases": None, "testCases_v4a": None, "public_tests": None, "test_utils": None, "lab_coffee_utils": None,
}

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
    """Drop the worker's own gradelab modules from sys.modules, so ``import gradelab.grading.inside.worker`` finds nothing.

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
    stdlib = STDLIB

    def hook(event: str, args: tuple) -> None:
        if event in _PROGRAM_EVENTS:
            message = "tried to start another program, which the grader does not allow"
            if started_by_student(sys._getframe(1), stdlib):
                refusals.add(message)
            raise PermissionError(message)  # refused either way; only the student's own attempt is reported
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


def _stdlib_folders() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The standard library's folders, and the site-packages folders (in a virtual environment, platstdlib holds them)."""
    paths = sysconfig.get_paths()

    def folders(*keys: str) -> tuple[str, ...]:
        return tuple(os.path.join(os.path.realpath(paths[key]), "") for key in keys if paths.get(key))

    return folders("stdlib", "platstdlib"), folders("purelib", "platlib")


#: Computed when the worker module is imported (in the fork server, before any worker gives up its rights).
STDLIB = _stdlib_folders()


def started_by_student(frame: Any, stdlib: tuple[tuple[str, ...], tuple[str, ...]]) -> bool:
    """Whether the nearest caller outside the standard library (subprocess, os, importlib) is the student's code.

    ``import matplotlib.pyplot`` may start a program from matplotlib's own code: that is the library's doing, allowed
    to be refused but not to be reported as the student's. Student code runs from "submission (...)" files.
    """
    standard, libraries = stdlib
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith("submission"):
            return True
        real = "" if filename.startswith("<") else os.path.realpath(filename)
        if real and (not real.startswith(standard) or real.startswith(libraries)):
            return False  # a library's own code
        frame = frame.f_back
    return False


def _other_process(path: str, own_proc: str) -> bool:
    """/proc/<pid>/... of another process (its memory, its open files); /proc/self resolves to our own pid."""
    rest = path[len("/proc/"):].split("/", 1)[0]
    return rest.isdigit() and not (path + "/").startswith(own_proc)


def protected_folders(extra: Sequence[str] = ()) -> list[str]:
    """The installed gradelab package, plus instructor folders (``--assignment-path``)."""
    package = os.path.abspath(__file__).rsplit(os.sep + "grading" + os.sep, 1)[0]  # gradelab/, above grading/inside/
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


def install_course_aliases(student_modules: Sequence[str]) -> None:
    """Make the course's module names listed in ``student_modules`` importable (see COURSE_ALIASES).

    A helper module's alias holds the gradelab module's functions themselves (they cross to the grader by their
    real name: list the real module after its aliases); a name the course's module has and gradelab's has not
    (``load_data``, ``dlc``) imports, and says what it is when called. A checking module's names do nothing.
    """
    for name in student_modules:
        if name not in COURSE_ALIASES or name in sys.modules:
            continue
        target = COURSE_ALIASES[name]
        if target is None:
            sys.modules[name] = _course_module(name, None)
        elif target in student_modules and target in sys.modules:
            sys.modules[name] = _course_module(name, sys.modules[target])


def _course_module(name: str, target: types.ModuleType | None) -> types.ModuleType:
    module = types.ModuleType(name, f"The course's {name}, as the grader provides it.")
    if target is not None:
        module.__dict__.update({key: value for key, value in vars(target).items() if not key.startswith("_")})

    def __getattr__(attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return _no_check if target is None else _not_provided(name, attribute)

    module.__getattr__ = __getattr__
    if target is None:
        module.__all__ = []  # ``from public_tests import *`` brings nothing
    return module


def _no_check(*args: Any, **kwargs: Any) -> None:
    """A check of the course's, which the grader does not run."""
    return None


def _not_provided(module: str, attribute: str) -> Any:
    def missing(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{attribute} from the course's {module} is not provided here (it loads data or plots): "
                                  "a graded function must not need it")

    missing.__name__ = attribute
    return missing


def install(student_modules: Sequence[str], extra_protected: Sequence[str] = ()) -> Refusals:
    """Import the student modules first (they may need gradelab internals), then close the doors."""
    refusals = Refusals()
    for name in student_modules:
        if name in COURSE_ALIASES:
            continue
        try:
            __import__(name)
        except ImportError:
            pass  # reported when the student imports it
    install_course_aliases(student_modules)
    hide_grader_modules(student_modules)
    sys.meta_path.insert(0, ImportGuard(student_modules, refusals))
    sys.addaudithook(make_audit_hook(protected_folders(extra_protected), module_files(student_modules), refusals))
    return refusals
