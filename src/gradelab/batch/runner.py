"""Grade submissions on this machine: a process pool, one grading per submission.

Each grading already starts its own isolated worker for the student's code;
the pool only spreads gradings over the cores. Results come back as plain
dicts and are handed to ``on_result`` in the parent, which writes them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from ..assignments import Location
from ..grading.limits import Limits
from .discover import Entry
from .grading import grade_one

OnResult = Callable[[dict], None]


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _ignore_sigint() -> None:
    """Ctrl-C is the parent's to handle: it stops submitting and lets running gradings end quietly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_local(location: Location, entries: Sequence[Entry], limits: Limits | None, workers: int, on_result: OnResult) -> None:
    """Grade ``entries`` on ``workers`` processes; at most 2 per worker are queued so Ctrl-C stops quickly."""
    # spawn: the parent may run threads (the progress bar), which fork would copy in an unknown state.
    context = multiprocessing.get_context("spawn")
    pending = list(reversed(entries))
    running: set[Future] = set()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_ignore_sigint)
    try:
        while pending or running:
            while pending and len(running) < 2 * workers:
                entry = pending.pop()
                running.add(pool.submit(grade_one, location, entry.student, entry.path, entry.sha256, limits))
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                on_result(future.result())
    finally:
        pool.shutdown(wait=not running, cancel_futures=True)
