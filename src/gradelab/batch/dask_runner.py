"""Grade submissions on a Dask distributed cluster: one task per submission.

Results stream back with ``as_completed`` and are written as they arrive, so
a lost worker costs only what it was grading: Dask runs those tasks again on
another worker, and a task that kills workers too often is recorded as
"lost", which a resumed run grades again. Tasks grade the batch's snapshots
(snapshot.py), which live in ``--out``: a cluster on other machines must
share that folder, as it shares the class folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import Any

from ..assignments import Location
from ..grading.protocol.limits import Limits
from .discover import Entry
from .grading import grade_one

OnResult = Callable[[dict], None]
OnLost = Callable[[Entry, str], None]


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ValueError("--scheduler needs Dask's distributed scheduler, which is not installed: "
                         "pip install 'gradelab[dask]'") from None
    return distributed


def connect(stack: ExitStack, scheduler: str, workers: int) -> Any:
    """A client for ``scheduler``: an address, or "local" for a LocalCluster of ``workers`` processes."""
    distributed = _distributed()
    if scheduler == "local":
        cluster = stack.enter_context(distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None))
        return stack.enter_context(distributed.Client(cluster))
    return stack.enter_context(distributed.Client(scheduler, timeout="30s"))


def run_dask(location: Location, entries: Sequence[Entry], limits: Limits | None, workers: int, scheduler: str,
             on_result: OnResult, on_lost: OnLost, task: Callable[..., dict] = grade_one) -> None:
    """Submit every entry, write each result as it completes; ``task`` is replaceable for tests."""
    distributed = _distributed()
    with ExitStack() as stack:
        client = connect(stack, scheduler, workers)
        futures = {}
        for entry in entries:
            # pure=False: the same file graded twice is two gradings (the grader may have changed in between).
            future = client.submit(task, location, entry.student, entry.path, entry.sha256, limits, snapshot=entry.snapshot,
                                   pure=False, retries=2)
            futures[future.key] = (future, entry)
        try:
            for future in distributed.as_completed([future for future, _ in futures.values()]):
                _collect(future, futures[future.key][1], on_result, on_lost)
        finally:
            client.cancel([future for future, _ in futures.values()])


def _collect(future: Any, entry: Entry, on_result: OnResult, on_lost: OnLost) -> None:
    try:
        result = future.result()
    except Exception as error:  # noqa: BLE001 - KilledWorker, CancelledError, a worker's own failure
        on_lost(entry, f"the grading was lost on the cluster ({type(error).__name__}: {error}); run again to grade it")
        return
    on_result(result)
