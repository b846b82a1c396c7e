"""The batch's progress bar: done, failed and the rate, as results arrive."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

#: Statuses counted as "failed" on the bar: the submission did not get a normal grade.
FAILED = ("timeout", "crashed", "unreadable", "error", "lost", "empty", "duplicate", "rejected", "collision")


class BatchProgress:
    def __init__(self, total: int, skipped: int, enabled: bool = True, console: Console | None = None) -> None:
        self.total, self.skipped = total, skipped
        self.done = self.failed = 0
        self.started = time.monotonic()
        self.progress = Progress(
            TextColumn("[bold]grading"), BarColumn(), MofNCompleteColumn(),
            TextColumn("[green]{task.fields[done]} done[/] [red]{task.fields[failed]} failed[/]"),
            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
            console=console, disable=not enabled, transient=False,
        )
        self.task = self.progress.add_task("grading", total=total, done=0, failed=0, rate="")

    def __enter__(self) -> BatchProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def advance(self, status: str) -> None:
        self.done += 1
        self.failed += status in FAILED
        elapsed = max(time.monotonic() - self.started, 1e-9)
        self.progress.update(self.task, advance=1, done=self.done - self.failed, failed=self.failed,
                             rate=f"{self.done / elapsed:.1f} submissions/s")
