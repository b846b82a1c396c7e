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
import errno
import os

try:  # libseccomp through ctypes (Debian's libseccomp2); without it the uid and the namespaces are the walls
    import pyseccomp as seccomp
except (ImportError, OSError):  # not Linux, or libseccomp missing
    seccomp = None

#: Far above any real account's uid. A worker's uid is this, plus its zygote's block (random, one of 256, so that
#: zygotes in parallel pool processes rarely share uids), plus the worker's number in its zygote (a counter: a pid
#: comes back once the PID namespace's counter wraps, and a uid must not).
WORKER_UID_BASE = 1 << 30
UID_BLOCKS, PID_BITS = 256, 22
PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38


def _prctl(option: int, value: int) -> None:
    if ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}, {value}) failed")


def worker_uid(number: int, block: int = 0) -> int:
    """The uid of a zygote's ``number``-th worker: never the same twice while the zygote lives (4 million workers)."""
    return WORKER_UID_BASE + ((block % UID_BLOCKS) << PID_BITS) + (number & ((1 << PID_BITS) - 1))


#: System calls a worker never needs, refused with EPERM: reading or steering other processes, the kernel's
#: keyrings, eBPF, mounts and namespaces of its own (a new user namespace would hand it capabilities there),
#: kernel modules, perf and userfaultfd (frequent in kernel exploits).
DENIED = ("ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "pidfd_getfd", "kcmp", "keyctl", "add_key",
          "request_key", "bpf", "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsmount", "unshare",
          "setns", "kexec_load", "init_module", "finit_module", "delete_module", "perf_event_open", "userfaultfd",
          "io_uring_setup", "acct", "swapon", "swapoff", "reboot", "syslog",
          # System V and POSIX IPC outlive the worker and escape RLIMIT_AS (a red-team run held 3 GiB that way)
          "shmget", "shmat", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop", "semctl",
          "mq_open", "memfd_create")
#: Socket families a worker may open: AF_UNIX, AF_INET, AF_INET6 (loopback only, in its network namespace). Not
#: AF_VSOCK, which no network namespace confines, nor netlink and the rest.
SOCKET_FAMILIES = (1, 2, 10)
#: CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET
CLONE_NEW_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)


def no_new_privs() -> None:
    _prctl(PR_SET_NO_NEW_PRIVS, 1)


def deny_kernel_attack_surface() -> bool:
    """Load the seccomp filter (after no_new_privs); False where libseccomp is not there."""
    if seccomp is None:
        return False
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for name in DENIED:
        with contextlib.suppress(Exception):  # a name this kernel or architecture lacks
            rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
    for flag in CLONE_NEW_FLAGS:  # fork and threads stay; a clone into new namespaces does not
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")  # its flags are out of a filter's reach: glibc falls back to clone
    for call in ("socket", "socketpair"):
        for family in [f for f in range(max(SOCKET_FAMILIES)) if f not in SOCKET_FAMILIES]:
            rules.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), call, seccomp.Arg(0, seccomp.EQ, family))
        rules.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), call, seccomp.Arg(0, seccomp.GT, max(SOCKET_FAMILIES)))
    rules.load()
    return True


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
    _prctl(PR_SET_DUMPABLE, 0)  # explicit, whatever the host's fs.suid_dumpable: its memory is out of everyone's reach
    deny_kernel_attack_surface()
    if os.getuid() == 0 or os.geteuid() == 0:  # the kernel said yes and did nothing: never run student code as root
        raise PermissionError("the worker is still root after setresuid")
    return uid
