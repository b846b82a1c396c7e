"""The kernel sandbox around workers: bubblewrap for the plumbing, a user id per worker for the separation.

The fork server (zygote) runs under ``bwrap`` in its own PID, mount, network, IPC
and UTS namespaces, dies with its parent, and sees a read-only file system that
holds only the Python runtime, the system's libraries, the site-packages, and
the few gradelab files a worker needs (the worker, its wire protocol and guard,
and the assignment's student modules with the gradelab modules they import).
The rest of the gradelab package (references, solutions, hidden cases,
mistakes), an ``--assignment-path``, the submissions, ``--out`` and every
process outside the sandbox are not there to find. ``/tmp`` is a private tmpfs
with a size cap; there is no network but loopback.

Each forked worker then takes a uid of its own (privileges.py): siblings and the
zygote are other users to it. This needs the grader to be root (as in a
container or CI); as another user, bwrap makes a user namespace with one uid and
workers share it (``Isolation.shared_uid``), which every report says.

Where the kernel cannot help (no bwrap, no namespaces, not Linux), grading runs
behind the Python-level guard alone, and reports say "not isolated".
``gradelab doctor`` tells an instructor what this machine offers.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .inside import privileges

#: gradelab modules every worker and zygote imports.
WORKER_MODULES = ("gradelab.grading.inside.zygote", "gradelab.grading.inside.worker", "gradelab.grading.inside.privileges")
TMP_BYTES = 256 * 2**20  # the sandbox's /tmp, shared by the workers of one zygote
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
#: Set to "0" to grade without the kernel sandbox where it would be available (a developer's quick run).
ENV_SWITCH = "GRADELAB_ISOLATION"


@dataclass(frozen=True)
class Isolation:
    """What this machine offers; ``why`` says what is missing when ``available`` is False."""

    available: bool
    bwrap: str = ""
    shared_uid: bool = False  # not root: workers share one uid inside the sandbox
    why: str = ""

    @property
    def label(self) -> str:
        if not self.available:
            return "not isolated"
        return "kernel sandbox (bubblewrap), one uid shared by workers" if self.shared_uid else "kernel sandbox (bubblewrap)"


@functools.lru_cache(maxsize=1)
def probe() -> Isolation:
    """Whether bwrap is here and can make the namespaces; asked once per process."""
    if os.environ.get(ENV_SWITCH, "") == "0":
        return Isolation(False, why=f"{ENV_SWITCH}=0 in the environment")
    if not sys.platform.startswith("linux"):
        return Isolation(False, why=f"the kernel sandbox needs Linux, this is {sys.platform}")
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Isolation(False, why="bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)")
    shared = os.geteuid() != 0
    trial = [bwrap, *(["--unshare-user"] if shared else []), "--ro-bind", "/", "/", "--unshare-pid", "--unshare-net",
             "--unshare-ipc", "--unshare-uts", "--proc", "/proc", "--dev", "/dev", "--", "true"]
    try:
        result = subprocess.run(trial, stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Isolation(False, bwrap, shared, f"bwrap could not run: {error}")
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        return Isolation(False, bwrap, shared, f"bwrap cannot make namespaces here: {message[-1] if message else result.returncode}"
                         " (a container may need --privileged or user namespaces enabled)")
    return Isolation(True, bwrap, shared)


def bwrap_command(isolation: Isolation, exposed: Iterable[Path], command: Sequence[str]) -> list[str]:
    """The bwrap command line that runs ``command`` in the sandbox, with ``exposed`` gradelab files visible."""
    args = [isolation.bwrap, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try", "--hostname", "gradelab-sandbox"]
    if isolation.shared_uid:
        args.append("--unshare-user")
    else:  # root: keep only what the zygote needs to hand each worker a uid of its own and to clean up after it
        args += ["--cap-drop", "ALL"] + [arg for cap in ("CAP_SETUID", "CAP_SETGID", "CAP_KILL", "CAP_CHOWN", "CAP_DAC_OVERRIDE",
                                                        "CAP_FOWNER") for arg in ("--cap-add", cap)]
    for folder in SYSTEM_DIRS:
        if os.path.isdir(folder) and not os.path.islink(folder):
            args += ["--ro-bind", folder, folder]
        elif os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    binds = [*runtime_dirs(), *sorted({str(path) for path in exposed})]
    for folder in _ancestors(binds):  # made 0755: a worker must pass through /root to reach a pyenv Python
        args += ["--perms", "0755", "--dir", folder]
    for path in binds:
        args += ["--ro-bind", path, path]
    return [*args, "--chdir", "/tmp", "--", *command]


def _ancestors(paths: Iterable[str]) -> list[str]:
    """The folders above ``paths`` that bwrap would otherwise create with their owners' modes, shortest first."""
    folders = {str(parent) for path in paths for parent in Path(path).parents if str(parent) != "/"}
    system = tuple(SYSTEM_DIRS)
    return sorted((f for f in folders if f not in paths and not f.startswith(system) and f != "/tmp"), key=lambda f: (f.count("/"), f))


def sandbox_env(isolation: Isolation) -> dict[str, str]:
    """What tells the zygote (or a spawned worker) it is in the sandbox, and which block of uids is its own."""
    return {"GRADELAB_ISOLATED": "shared" if isolation.shared_uid else "root",
            "GRADELAB_UID_BLOCK": str(secrets.randbelow(privileges.UID_BLOCKS))}


def runtime_dirs() -> list[str]:
    """The interpreter's prefix, the virtual environment and every site-packages, outside the system folders."""
    paths = {sys.base_prefix, sys.prefix, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    package = str(Path(__file__).resolve().parents[1])
    kept = set()
    for path in paths:
        real = os.path.realpath(path)
        if os.path.isdir(real) and not real.startswith(tuple(d + "/" for d in SYSTEM_DIRS)) and not package.startswith(real + "/"):
            kept.add(real)
    return sorted(kept)


def exposed_files(modules: Iterable[str]) -> set[Path]:
    """The gradelab files that ``modules`` (and the worker) import, transitively: all of gradelab a worker can see."""
    seen: set[str] = set()
    files: set[Path] = set()
    todo = [*WORKER_MODULES, *(name for name in modules if name.split(".")[0] == "gradelab")]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        files.add(Path(spec.origin).resolve())
        parent = name.rpartition(".")[0]
        if parent:
            todo.append(parent)
        todo.extend(_gradelab_imports(Path(spec.origin), name, spec.submodule_search_locations is not None))
    return files


def _gradelab_imports(path: Path, name: str, is_package: bool) -> list[str]:
    """Absolute names of the gradelab modules a source file imports, at the top or inside functions."""
    package = name if is_package else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) if node.level else node.module
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names if _is_module(f"{base}.{alias.name}")]
    return [module for module in found if module and module.split(".")[0] == "gradelab"]


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
