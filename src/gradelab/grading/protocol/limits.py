"""Resource limits of the worker: declared once here, applied by the worker to itself before any student code runs.

:class:`Limits` is the one declaration: each field carries its default, unit,
help text, valid range and, where instructors may change it, its command-line
flag. The grader builds it (``gradelab.cli`` makes its options from it), sends
:meth:`Limits.config` with the load request, and the worker reads it back with
:meth:`Limits.from_config`; nobody else holds a default. This module stays
stdlib-only: it is imported in the worker, before the guard, next to student code.

The wall-clock timeout (the grader kills the worker's whole process group)
is the limit that always holds; these are the second line, enforced by the
kernel even if the grader itself is gone:

* RLIMIT_AS: address space, from ``Limits.memory_mb`` (a NumPy allocation past
  it raises MemoryError, which the worker reports as "used more than N MiB");
* RLIMIT_CPU: CPU seconds; the soft limit is moved before every call to the
  CPU time used so far plus the call's timeout (SIGXCPU past it), the hard
  limit is a total for the worker's whole life (SIGKILL past it);
* RLIMIT_NPROC: processes of the *user*, counted over all of them, so the
  limit is the user's current count plus a margin. Root (and CAP_SYS_RESOURCE)
  is exempt: there only the process-group kill stops a fork bomb;
* RLIMIT_FSIZE: the largest file the worker may write (SIGXFSZ past it);
* RLIMIT_NOFILE: open file descriptors;
* RLIMIT_CORE: 0, no core dumps of student processes.
"""

from __future__ import annotations

import math
import numbers
import os
import resource
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from typing import Any

#: The hard CPU limit allows this many full-length calls after loading.
CPU_CALLS_BUDGET = 200


def _limit(default: float, unit: str, help_text: str, minimum: float, *, above: bool = False, off: float | None = None,
           flag: str | None = None) -> Any:
    """A field of :class:`Limits`: its default and everything the CLI and the validation say about it.

    Valid values are ``> minimum`` (``above``) or ``>= minimum``, plus ``off``, the value meaning "no limit".
    A ``flag`` makes it a command-line option of check, grade and grade-batch.
    """
    return field(default=default, metadata={"unit": unit, "help": help_text, "minimum": minimum, "above": above, "off": off,
                                            "flag": flag})


@dataclass(frozen=True)
class Limits:
    """What a worker may use; every default lives here and nowhere else."""

    timeout: float = _limit(10.0, "seconds", "wall-clock time each call of a student's function may take", 0, above=True,
                            flag="--timeout")
    load_timeout: float = _limit(30.0, "seconds", "wall-clock time loading the submission (its imports and top-level code) "
                                 "may take", 0, above=True, flag="--load-timeout")
    memory_mb: int = _limit(2048, "MiB", "memory (address space) the worker may use", 64, off=0, flag="--memory")
    max_reply_bytes: int = _limit(64 * 2**20, "bytes", "largest reply the worker may send: a bigger return value is a failure, "
                                  "never transferred", 1024)
    file_mb: int = _limit(64, "MiB", "largest file the worker may write", 1)
    open_files: int = _limit(256, "files", "file descriptors the worker may hold open", 16)
    processes: int = _limit(32, "processes", "processes the worker may start (not enforced for root: see this module)", 1, off=0)

    def __post_init__(self) -> None:
        for spec in fields(self):
            object.__setattr__(self, spec.name, check(spec, getattr(self, spec.name), spec.name))

    def config(self) -> dict[str, Any]:
        """Plain data for the worker's load request."""
        return {spec.name: getattr(self, spec.name) for spec in fields(self)}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        """The limits a load request carries; a limit it leaves out keeps its declared default (other keys are not ours)."""
        return cls(**{spec.name: config[spec.name] for spec in fields(cls) if spec.name in config})

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Limits:
        """Parsed command-line options keyed by field name (None: not given); a bad value's error names its flag."""
        values = {}
        for spec in exposed():
            if options.get(spec.name) is not None:
                values[spec.name] = check(spec, options[spec.name], spec.metadata["flag"])
        return cls(**values)


def exposed() -> list[Field]:
    """The limits instructors may set on the command line, in declaration order."""
    return [spec for spec in fields(Limits) if spec.metadata["flag"]]


def valid_range(spec: Field) -> str:
    """In words, e.g. "seconds > 0" or "a whole number of MiB >= 64, or 0 for no limit"."""
    meta = spec.metadata
    kind = "a whole number of " if isinstance(spec.default, int) else ""
    text = f"{kind}{meta['unit']} {'>' if meta['above'] else '>='} {meta['minimum']:g}"
    return text if meta["off"] is None else f"{text}, or {meta['off']:g} for no limit"


def check(spec: Field, value: Any, label: str) -> float | int:
    """``value`` as the field's type if it is in range, else a ValueError naming ``label`` and the valid range."""
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if is_number and _in_range(spec, float(value)):
        return type(spec.default)(value)
    shown = f"{float(value):g}" if is_number else repr(value)
    raise ValueError(f"{label} {shown}: expected {valid_range(spec)}")


def _in_range(spec: Field, number: float) -> bool:
    meta = spec.metadata
    if number == meta["off"]:
        return True
    if not math.isfinite(number) or (isinstance(spec.default, int) and number != int(number)):
        return False
    return number > meta["minimum"] if meta["above"] else number >= meta["minimum"]


def user_process_count(uid: int | None = None) -> int:
    """Tasks (processes and threads) of ``uid``, which is what RLIMIT_NPROC counts."""
    uid = os.getuid() if uid is None else uid
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid == uid:
                count += len(os.listdir(f"/proc/{entry}/task"))
        except OSError:
            continue  # it ended while we looked
    return count


def _set(which: int, soft: int, hard: int | None = None) -> None:
    """Lower a limit; never raise one above what the grader's own process was given."""
    current_soft, current_hard = resource.getrlimit(which)
    hard = soft if hard is None else hard
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
    resource.setrlimit(which, (min(soft, hard), hard))


def apply(limits: Limits) -> None:
    """Set every limit on this process (the worker, before the guard)."""
    if limits.memory_mb > 0:
        _set(resource.RLIMIT_AS, limits.memory_mb * 2**20)
    total = math.ceil(cpu_seconds() + limits.load_timeout + CPU_CALLS_BUDGET * limits.timeout)
    _set(resource.RLIMIT_CPU, math.ceil(cpu_seconds() + limits.load_timeout + 1), total)
    _set(resource.RLIMIT_FSIZE, limits.file_mb * 2**20)
    _set(resource.RLIMIT_NOFILE, limits.open_files)
    _set(resource.RLIMIT_CORE, 0)
    if limits.processes > 0:
        _set(resource.RLIMIT_NPROC, user_process_count() + limits.processes)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def allow_cpu_for(seconds: float) -> None:
    """Before a call: SIGXCPU once this call has used ``seconds`` more CPU than so far (within the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    wanted = math.ceil(cpu_seconds() + seconds + 1)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (wanted, hard))
