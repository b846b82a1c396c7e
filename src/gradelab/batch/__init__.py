"""Grade a whole class: ``gradelab grade-batch ASSIGNMENT SUBMISSIONS_DIR --out DIR``.

Submissions are graded in parallel (a local process pool, or a Dask cluster),
each result is written to ``DIR/gradebook.sqlite`` as it arrives, and a run
that stops for any reason resumes where it stopped: a submission already
graded with the same content by the same grader version is not graded again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from rich.console import Console

from .. import __version__
from ..assignments import locate
from ..grading.limits import Limits
from ..grading.spec import Assignment
from .discover import Entry, discover
from .export import write_csv, write_results
from .gradebook import Gradebook, entry_record, is_disk_full, lost_record
from .html_report import write_report
from .progress import BatchProgress
from .runner import default_workers, run_local

__all__ = ["run_batch", "Gradebook", "discover"]


def run_batch(assignment: Assignment, submissions_dir: str | Path, out_dir: str | Path, workers: int | None = None,
              regrade: bool = False, scheduler: str | None = None, limits: Limits | None = None,
              max_submissions: int | None = None, progress: bool = True) -> int:
    """Grade every submission in ``submissions_dir`` into ``out_dir``; 0 when the batch finished.

    ``max_submissions`` stops after grading that many (tests use it to simulate an interrupted run).
    """
    out = Path(out_dir)
    console = Console(stderr=True)
    try:
        gradebook = Gradebook(out / "gradebook.sqlite")
        try:
            _grade_all(assignment, Path(submissions_dir), out, gradebook, workers or default_workers(), regrade, scheduler,
                       limits, max_submissions, progress, console)
            export(gradebook, assignment, out)
        finally:
            gradebook.close()
    except KeyboardInterrupt:
        console.print(f"[yellow]interrupted: every result written so far is in {out / 'gradebook.sqlite'}; "
                      "run the same command again to resume[/]")
        return 130
    except (sqlite3.OperationalError, OSError, BrokenProcessPool) as error:
        console.print(f"[red]gradelab grade-batch: {_failure(error, out)}[/]")
        return 1
    console.print(f"wrote {out / 'gradebook.sqlite'}, {out / 'grades.csv'}, {out / 'results'}/ and {out / 'report.html'}")
    return 0


def _failure(error: BaseException, out: Path) -> str:
    if is_disk_full(error) or (isinstance(error, OSError) and error.errno == 28):
        return (f"the disk holding {out} is full ({error}); results written before are kept: "
                "free some space and run the same command again to resume")
    if isinstance(error, BrokenProcessPool):
        return f"a grading process died ({error}); results written before are kept: run the same command again to resume"
    return f"{type(error).__name__}: {error}"


def _grade_all(assignment: Assignment, folder: Path, out: Path, gradebook: Gradebook, workers: int, regrade: bool,
               scheduler: str | None, limits: Limits | None, max_submissions: int | None, progress: bool,
               console: Console) -> None:
    todo, skipped = _plan(assignment, folder, out, gradebook, regrade)
    todo = todo[:max_submissions] if max_submissions is not None else todo
    if skipped:
        console.print(f"{skipped} submissions already graded and unchanged: skipped (--regrade grades them again)")
    with BatchProgress(len(todo), skipped, enabled=progress, console=console) as bar:
        on_result = _writer(gradebook, bar, assignment.max_score)
        location = locate(assignment)
        if scheduler:
            from .dask_runner import run_dask

            def on_lost(entry: Entry, reason: str) -> None:
                on_result(lost_record(entry, assignment.max_score, __version__, reason))

            run_dask(location, todo, limits, workers, scheduler, on_result, on_lost)
        else:
            run_local(location, todo, limits, workers, on_result)


def _plan(assignment: Assignment, folder: Path, out: Path, gradebook: Gradebook, regrade: bool) -> tuple[list[Entry], int]:
    """What to grade; submissions that cannot be graded are recorded at once, with what is wrong."""
    todo, skipped = [], 0
    for entry in discover(folder, ignore=out):
        if not regrade and gradebook.is_done(entry, __version__):
            skipped += 1
        elif entry.status is not None:
            gradebook.record(entry_record(entry, assignment.max_score, __version__))
        else:
            todo.append(entry)
    return todo, skipped


def _writer(gradebook: Gradebook, bar: BatchProgress, max_score: float) -> Callable[[dict], None]:
    def on_result(result: dict) -> None:
        if not result.get("max_score"):  # the grader itself failed before knowing the assignment
            result["max_score"] = max_score
        gradebook.record(result)
        bar.advance(result["status"])

    return on_result


def export(gradebook: Gradebook, assignment: Assignment, out: Path) -> None:
    write_csv(gradebook, assignment, out / "grades.csv")
    write_results(gradebook, out / "results")
    write_report(gradebook, assignment, out / "report.html")

