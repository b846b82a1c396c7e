"""What a worker does, as root inside the kernel sandbox, before it serves: become nobody in particular.

Runs in the worker (stdlib only). Each worker takes a user id of its own,
``WORKER_UID_BASE + pid``: the kernel then refuses it signals to, ptrace of, and
``/proc/<pid>/mem`` of every other worker and of the zygote, and counts its
processes alone (RLIMIT_NPROC binds, where it never does for root). It keeps
no supplementary groups, no capabilities, and ``no_new_privs``: nothing it runs
can gain privileges back.
"""

from __future__ import annotations

import contextlib
import ctypes
import os

#: Far above any real account's uid. A worker's uid is this, plus its zygote's block (random, one of 256, so that
#: zygotes in parallel pool processes rarely share uids), plus its pid in the zygote's PID namespace.
WORKER_UID_BASE = 1 << 30
UID_BLOCKS, PID_BITS = 256, 22
PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38


def _prctl(option: int, value: int) -> None:
    if ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}, {value}) failed")


def worker_uid(pid: int | None = None, block: int = 0) -> int:
    pid = os.getpid() if pid is None else pid
    return WORKER_UID_BASE + ((block % UID_BLOCKS) << PID_BITS) + (pid & ((1 << PID_BITS) - 1))


def no_new_privs() -> None:
    _prctl(PR_SET_NO_NEW_PRIVS, 1)


def not_dumpable() -> None:
    """The zygote: no core dumps, and its /proc entries belong to root, out of every worker's reach."""
    with contextlib.suppress(OSError, AttributeError):
        _prctl(PR_SET_DUMPABLE, 0)


def drop_to_worker_uid(home: str, uid: int) -> int:
    """Make ``home`` the worker's own folder, then give up root for good as ``uid``; returns it."""
    os.makedirs(home, mode=0o700, exist_ok=True)
    os.chown(home, uid, uid)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    no_new_privs()
    if os.getuid() == 0 or os.geteuid() == 0:  # the kernel said yes and did nothing: never run student code as root
        raise PermissionError("the worker is still root after setresuid")
    return uid
