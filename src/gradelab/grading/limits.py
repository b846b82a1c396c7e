"""Resource limits the worker sets on itself before any student code runs.

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
import os
import resource

DEFAULT_FILE_MB = 64
DEFAULT_OPEN_FILES = 256
DEFAULT_PROCESSES = 32
#: The hard CPU limit allows this many full-length calls after loading.
CPU_CALLS_BUDGET = 200


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


def apply(config: dict) -> None:
    """Set every limit in ``config`` (plain data from the load request) on this process."""
    memory_mb = int(config.get("memory_mb", 0))
    if memory_mb > 0:
        _set(resource.RLIMIT_AS, memory_mb * 2**20)
    load_timeout, timeout = float(config.get("load_timeout", 30)), float(config.get("timeout", 10))
    total = math.ceil(cpu_seconds() + load_timeout + CPU_CALLS_BUDGET * timeout)
    _set(resource.RLIMIT_CPU, math.ceil(cpu_seconds() + load_timeout + 1), total)
    _set(resource.RLIMIT_FSIZE, int(config.get("file_mb", DEFAULT_FILE_MB)) * 2**20)
    _set(resource.RLIMIT_NOFILE, int(config.get("open_files", DEFAULT_OPEN_FILES)))
    _set(resource.RLIMIT_CORE, 0)
    processes = int(config.get("processes", DEFAULT_PROCESSES))
    if processes > 0:
        _set(resource.RLIMIT_NPROC, user_process_count() + processes)


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
