"""Grade submissions on this machine: a pool of grading processes, one submission at a time each.

Each grading already starts its own isolated worker for the student's code;
the pool only spreads gradings over the cores. It is gradelab's own rather
than ``concurrent.futures``' because a batch must lose nothing when a pool
process dies or freezes (a classmate's worker may SIGKILL or SIGSTOP it until
the kernel sandbox forbids that): ``ProcessPoolExecutor`` then fails every
pending submission with BrokenProcessPool and cannot say which one was being
graded where. Here each process holds one submission, so:

* a process that dies (its sentinel fires) or freezes (no heartbeat for
  :data:`SILENCE` seconds) or overruns the per-submission deadline is killed
  and replaced, and only its submission is affected: once the class is done,
  it is graded again alone, in a fresh process (where no classmate's code runs
  beside it: the victim of a classmate is then graded normally), and a second
  loss is recorded as that submission's "crashed" or "timeout" row;
* the per-submission deadline bounds a grading that is alive but never ends
  (:func:`submission_deadline` gives the formula);
* every pool process asks the kernel for SIGKILL when grade-batch dies
  (``PR_SET_PDEATHSIG``), so a SIGKILLed batch leaves none behind; their fork
  servers and workers follow them (grading/forkserver.py).

Messages cross as JSON, never pickle: a record is plain data, and a process
that can write into the pipe must not be able to run code in the grader.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from .. import __version__
from ..assignments import Location
from ..grading.protocol.limits import Limits
from ..grading.spec import Assignment
from .discover import Entry
from .grading import failed_record, grade_one

OnResult = Callable[[dict], None]

HEARTBEAT = 1.0  # seconds between a pool process's signs of life
SILENCE = 30.0  # a pool process silent this long is frozen (SIGSTOP, or stuck holding the GIL): it is killed
STARTUP = 60.0  # a fresh pool process imports the grader, loads the assignment and starts its fork server
SECOND_VERDICT_CALLS = 3  # calls an acceptance judge may add per exercise (judges/draws.py makes three)
MAX_MESSAGE_BYTES = 256 * 2**20
PR_SET_PDEATHSIG = 1
_BEAT = b'{"beat": true}'


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def submission_deadline(assignment: Assignment, limits: Limits | None) -> float:
    """Seconds one grading may take in a pool process before the process is deemed stuck and killed.

    ``2 * (load_timeout * (1 + E) + (C + 3 * E) * timeout) + 60``, for E exercises and C cases in all: a load,
    plus a reload after each exercise a failure stops; every case's call, plus the second verdict's calls;
    doubled for the grader's own work between calls, plus the pool process's start. It is a bound for a grading
    that never ends, not a limit a submission meets: the worker's own timeouts stop a slow submission long before.
    """
    limits = limits or Limits()
    exercises = len(assignment.exercises)
    calls = sum(len(exercise.cases) for exercise in assignment.exercises) + SECOND_VERDICT_CALLS * exercises
    return 2 * (limits.load_timeout * (1 + exercises) + calls * limits.timeout) + STARTUP


def die_with_parent(parent: int) -> None:
    """Ask the kernel to SIGKILL this process when ``parent`` dies (Linux; elsewhere nothing is asked)."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl here: the heartbeat's broken pipe still ends the process
            pass
    if os.getppid() != parent:  # the parent died before the request: nobody would ever send the signal
        os._exit(1)


def _serve(conn: Connection, parent: int) -> None:
    """A pool process: grade one task at a time, send each record back; a heartbeat thread says it is alive."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    lock = threading.Lock()
    threading.Thread(target=_beat, args=(conn, lock), daemon=True, name="heartbeat").start()
    while True:
        try:
            task = json.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        limits = Limits.from_config(task["limits"]) if task["limits"] is not None else None
        record = grade_one(Location(**task["location"]), task["student"], task["path"], task["sha256"], limits,
                           task["snapshot"])
        try:
            data = json.dumps({"result": record}, default=_plain).encode()
        except (TypeError, ValueError) as error:  # a value of the grader's own that JSON cannot hold
            data = json.dumps({"result": failed_record("error", f"the grader's record could not be sent: {error}")}).encode()
        with lock:
            conn.send_bytes(data)


def _plain(value: Any) -> Any:
    """NumPy scalars as Python numbers; anything else JSON does not know is refused."""
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not plain data")


def _beat(conn: Connection, lock: threading.Lock) -> None:
    while True:  # the first beat at once: the parent counts silence from the process's start
        try:
            with lock:
                conn.send_bytes(_BEAT)
        except OSError:  # the parent is gone
            os._exit(1)
        time.sleep(HEARTBEAT)


@dataclass
class _Slot:
    """One pool process and the submission it is grading (None: idle)."""

    process: Any
    conn: Connection
    entry: Entry | None = None
    started: float = 0.0
    heard: float = field(default_factory=time.monotonic)  # the last sign of life; at first, when it was started


@dataclass
class _Lost:
    """A grading lost with its process: ``status`` is the row's if it is lost again, ``reason`` says what happened."""

    entry: Entry
    status: str
    reason: str




class Pool:
    """``size`` grading processes; :meth:`step` hands out work and returns what finished or was lost."""

    def __init__(self, location: Location, limits: Limits | None, size: int, deadline: float) -> None:
        # spawn: the parent may run threads (the progress bar), which fork would copy in an unknown state.
        self.context = multiprocessing.get_context("spawn")
        self.task = {"location": asdict(location), "limits": limits.config() if limits is not None else None}
        self.deadline = deadline
        self.slots = [self._start() for _ in range(size)]

    def _start(self) -> _Slot:
        mine, theirs = self.context.Pipe(duplex=True)
        process = self.context.Process(target=_serve, args=(theirs, os.getpid()), daemon=True, name="gradelab-grading")
        process.start()
        theirs.close()
        return _Slot(process, mine)

    def pids(self) -> dict[int, str | None]:
        """Each pool process's pid -> the student it is grading (None: idle); tests freeze and kill them."""
        return {slot.process.pid: slot.entry.student if slot.entry else None for slot in self.slots}

    def busy(self) -> bool:
        return any(slot.entry is not None for slot in self.slots)

    def give(self, queue: deque[Entry]) -> None:
        """Hand the next entries to idle processes; a process found dead while idle is replaced first."""
        for index in range(len(self.slots)):
            while queue and self.slots[index].entry is None:
                slot, entry = self.slots[index], queue.popleft()
                task = {**self.task, "student": entry.student, "path": entry.path, "sha256": entry.sha256,
                        "snapshot": entry.snapshot}
                try:
                    slot.conn.send_bytes(json.dumps(task).encode())
                except OSError:  # it died idle: the entry never started, so this costs it no try
                    queue.appendleft(entry)
                    self.slots[index] = self._replace(slot)
                    continue
                slot.entry, slot.started = entry, time.monotonic()

    def step(self, timeout: float = HEARTBEAT) -> list[dict | _Lost]:
        """Wait up to ``timeout`` for news: the records that arrived, and the gradings lost with their process."""
        handles = [slot.conn for slot in self.slots] + [slot.process.sentinel for slot in self.slots]
        ready = set(wait(handles, timeout=timeout))
        news: list[dict | _Lost] = []
        for index, slot in enumerate(self.slots):
            broken = self._drain(slot, news) if slot.conn in ready else None
            problem = self._problem(slot, broken)
            if problem is None:
                continue
            if slot.entry is not None:
                news.append(_Lost(slot.entry, *problem))
            self.slots[index] = self._replace(slot)
        return news

    def _drain(self, slot: _Slot, news: list[dict | _Lost]) -> str | None:
        """Read every message waiting from ``slot``; None, or why its pipe can no longer be trusted."""
        try:
            while slot.conn.poll(0):
                message = json.loads(slot.conn.recv_bytes(MAX_MESSAGE_BYTES))
                slot.heard = time.monotonic()
                if isinstance(message, dict) and "result" in message and slot.entry is not None:
                    news.append(_trusted(message["result"], slot.entry))
                    slot.entry = None
        except (EOFError, OSError):
            return "it died"
        except (ValueError, TypeError, KeyError, RecursionError) as error:
            return f"it sent a malformed message ({type(error).__name__})"
        return None

    def _problem(self, slot: _Slot, broken: str | None) -> tuple[str, str] | None:
        """(the row's status if lost again, what happened) when ``slot``'s process must be replaced, else None."""
        now = time.monotonic()
        if broken is not None or not slot.process.is_alive():
            slot.process.join(timeout=1)  # a closed pipe comes a moment before the exit status
            return "crashed", f"the grading process died while grading this submission: {_how(slot.process.exitcode, broken)}"
        if slot.entry is None:
            return None
        if now - slot.heard > SILENCE:
            return "timeout", f"the grading process stopped answering (no sign of life for {SILENCE:g} s; stopped or stuck)"
        if now - slot.started > self.deadline:
            return "timeout", f"the grading took longer than the per-submission deadline of {self.deadline:g} s"
        return None

    def _replace(self, slot: _Slot) -> _Slot:
        _end(slot)
        return self._start()

    def close(self) -> None:
        """End every process: idle ones exit on the pipe's EOF; any still there after a moment is killed."""
        for slot in self.slots:
            slot.conn.close()
        for slot in self.slots:
            slot.process.join(timeout=2 if slot.entry is None else 0)
            _end(slot)


def _how(code: int | None, broken: str | None) -> str:
    if code is not None and code < 0:
        return f"it was killed by {signal.Signals(-code).name}" if -code in signal.valid_signals() else f"signal {-code}"
    if code is not None:
        return f"it exited with status {code}"
    return broken or "it died"


def _end(slot: _Slot) -> None:
    """SIGKILL works on a stopped process too; its fork server sees the pipe close and ends its workers."""
    if slot.process.is_alive():
        slot.process.kill()
    slot.process.join(timeout=5)
    slot.conn.close()


def _trusted(record: Any, entry: Entry) -> dict:
    """The record with what the parent knows put back: whose it is and which bytes were graded."""
    if not isinstance(record, dict) or not isinstance(record.get("status"), str) or not isinstance(record.get("exercises"), list):
        raise ValueError("a record must be a dict with a status and exercises")
    record.update(student=entry.student, path=entry.path, sha256=entry.sha256, grader_version=__version__)
    record.setdefault("seconds", 0.0)
    return record


def lost_record(lost: _Lost) -> dict:
    """The row of a submission lost with its grading process in the class's pass and again when graded alone."""
    record = failed_record(lost.status, f"{lost.reason}; graded again alone, in a fresh process, the same happened")
    record.update(student=lost.entry.student, path=lost.entry.path, sha256=lost.entry.sha256, grader_version=__version__,
                  seconds=0.0)
    return record


def run_local(location: Location, entries: Sequence[Entry], limits: Limits | None, workers: int, on_result: OnResult,
              deadline: float, on_pool: Callable[[Pool], None] | None = None) -> None:
    """Grade ``entries`` on ``workers`` processes, then once more, one at a time, those lost with their process.

    Graded alone, a submission lost because a classmate killed or froze its process is graded normally, and one
    that kills or freezes its own process can harm nobody else: its row then says what happened.
    ``on_pool`` is called with the pool after every step (tests use it to find a process to stop or kill).
    """
    lost = _grade_pass(location, entries, limits, workers, on_result, deadline, on_pool)
    if lost:
        for again in _grade_pass(location, [item.entry for item in lost], limits, 1, on_result, deadline, on_pool):
            on_result(lost_record(again))


def _grade_pass(location: Location, entries: Sequence[Entry], limits: Limits | None, workers: int, on_result: OnResult,
                deadline: float, on_pool: Callable[[Pool], None] | None) -> list[_Lost]:
    """Grade ``entries`` once each; returns the gradings lost with their process."""
    if not entries:
        return []
    queue, lost = deque(entries), []
    pool = Pool(location, limits, min(workers, len(entries)), deadline)
    try:
        while queue or pool.busy():
            pool.give(queue)
            for item in pool.step():
                if isinstance(item, dict):
                    on_result(item)
                else:
                    lost.append(item)
            if on_pool is not None:
                on_pool(pool)
    finally:
        pool.close()
    return lost
