"""The batch's progress bar: done, failed and the rate, as results arrive."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

#: Statuses counted as "failed" on the bar: the submission did not get a normal grade.
FAILED = ("timeout", "crashed", "unreadable", "error", "lost", "empty", "duplicate", "rejected", "collision")


class EtaColumn(ProgressColumn):
    """Time left at the average pace so far, recomputed at every refresh: while a slow submission holds the pool it
    grows, where an estimate from the last few results would stand still."""

    def render(self, task: Task) -> Text:
        if not task.completed or task.total is None or task.elapsed is None:
            return Text("eta -:--:--")
        left = task.elapsed / task.completed * (task.total - task.completed)
        return Text(f"eta {dt.timedelta(seconds=round(left))}")


def summary_line(gradebook: Path, max_score: float) -> str:
    """One line for the end of a batch: how many students, graded (and their mean), not gradable by status, not submitted."""
    with sqlite3.connect(f"file:{gradebook}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT status, score FROM submissions").fetchall()
    statuses = Counter(status for status, _ in rows)
    graded = [score for status, score in rows if status == "graded"]
    not_submitted = statuses.pop("not submitted", 0)
    statuses.pop("graded", None)
    mean = f" (mean {sum(graded) / len(graded):.3g}/{max_score:g})" if graded else ""
    others = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    parts = [f"{len(rows)} students: {len(graded)} graded{mean}",
             f"{sum(statuses.values())} not gradable" + (f" ({others})" if others else "")]
    if not_submitted:
        parts.append(f"{not_submitted} not submitted")
    return "summary: " + ", ".join(parts)


class BatchProgress:
    def __init__(self, total: int, skipped: int, enabled: bool = True, console: Console | None = None) -> None:
        self.total, self.skipped = total, skipped
        self.done = self.failed = 0
        self.started = time.monotonic()
        self.progress = Progress(
            TextColumn("[bold]grading"), BarColumn(), MofNCompleteColumn(),
            TextColumn("[green]{task.fields[done]} done[/] [red]{task.fields[failed]} failed[/]"),
            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), EtaColumn(),
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
