"""Grade a whole class: ``gradelab grade-batch ASSIGNMENT SUBMISSIONS_DIR --out DIR``.

Submissions are graded in parallel (a local process pool, or a Dask cluster),
each result is written to ``DIR/gradebook.sqlite`` as it arrives, and a run
that stops for any reason resumes where it stopped: a submission already
graded with the same content by the same grader version is not graded again.

What is graded is each submission's bytes as they were when the batch planned
it (snapshot.py); a pool process that dies or freezes costs only the
submission it was grading (runner.py); the gradebook is refused if it holds
anything the grader did not create (gradebook.py); the exports are written
atomically, whatever happened to the grading, and never through a path
someone else prepared (export.py, names.py).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from .. import __version__
from ..assignments import locate
from ..grading.limits import Limits
from ..grading.spec import Assignment
from .discover import Entry, discover
from .export import write_csv, write_results
from .gradebook import Gradebook, UntrustedGradebook, entry_record, is_disk_full, lost_record
from .progress import BatchProgress
from .runner import Pool, default_workers, run_local, submission_deadline
from .snapshot import Snapshots

__all__ = ["run_batch", "Gradebook", "discover"]


def run_batch(assignment: Assignment, submissions_dir: str | Path, out_dir: str | Path, workers: int | None = None,
              regrade: bool = False, scheduler: str | None = None, limits: Limits | None = None,
              max_submissions: int | None = None, progress: bool = True, on_pool: Callable[[Pool], None] | None = None) -> int:
    """Grade every submission in ``submissions_dir`` into ``out_dir``; 0 when the batch finished.

    ``max_submissions`` stops after grading that many (tests use it to simulate an interrupted run);
    ``on_pool`` sees the local pool after each step (tests use it to stop or kill a pool process).
    The exports are written whatever happens to the grading, from every result the gradebook holds.
    """
    out = Path(out_dir)
    console = Console(stderr=True)
    try:
        gradebook = Gradebook(out / "gradebook.sqlite")
        try:
            with _exporting(gradebook, assignment, out, console):
                _grade_all(assignment, Path(submissions_dir), out, gradebook, _Options(
                    workers or default_workers(), regrade, scheduler, limits, max_submissions, progress, on_pool), console)
        finally:
            gradebook.close()
    except KeyboardInterrupt:
        console.print(f"[yellow]interrupted: every result written so far is in {out / 'gradebook.sqlite'}; "
                      "run the same command again to resume[/]")
        return 130
    except UntrustedGradebook as error:
        console.print(f"[red]gradelab grade-batch: {error}[/]")
        return 2
    except (sqlite3.OperationalError, OSError) as error:
        console.print(f"[red]gradelab grade-batch: {_failure(error, out)}[/]")
        return 1
    console.print(f"wrote {out / 'gradebook.sqlite'}, {out / 'grades.csv'}, {out / 'results'}/ and {out / 'report.html'}")
    return 0


@dataclass(frozen=True)
class _Options:
    workers: int
    regrade: bool
    scheduler: str | None
    limits: Limits | None
    max_submissions: int | None
    progress: bool
    on_pool: Callable[[Pool], None] | None


@contextlib.contextmanager
def _exporting(gradebook: Gradebook, assignment: Assignment, out: Path, console: Console) -> Iterator[None]:
    """Export after the grading, also when it failed or was interrupted; the grading's own error is the one raised."""
    try:
        yield
    except BaseException:
        try:
            _export_and_report(gradebook, assignment, out, console)
        except Exception as error:  # noqa: BLE001 - the grading's error matters more; this one is said, not raised
            console.print(f"[red]the exports could not be written either: {_failure(error, out)}[/]")
        raise
    _export_and_report(gradebook, assignment, out, console)


def _export_and_report(gradebook: Gradebook, assignment: Assignment, out: Path, console: Console) -> None:
    for problem in export(gradebook, assignment, out):
        console.print(f"[yellow]{problem}[/]")


def _failure(error: BaseException, out: Path) -> str:
    if is_disk_full(error) or (isinstance(error, OSError) and error.errno == 28):
        return (f"the disk holding {out} is full ({error}); results written before are kept: "
                "free some space and run the same command again to resume")
    return f"{type(error).__name__}: {error}"


def _grade_all(assignment: Assignment, folder: Path, out: Path, gradebook: Gradebook, options: _Options,
               console: Console) -> None:
    with Snapshots(out) as snapshots:
        todo, skipped = _plan(assignment, folder, out, gradebook, options.regrade, snapshots)
        todo = todo[:options.max_submissions] if options.max_submissions is not None else todo
        if skipped:
            console.print(f"{skipped} submissions already graded and unchanged: skipped (--regrade grades them again)")
        with BatchProgress(len(todo), skipped, enabled=options.progress, console=console) as bar:
            on_result = _writer(gradebook, bar, assignment.max_score)
            location = locate(assignment)
            if options.scheduler:
                from .dask_runner import run_dask

                def on_lost(entry: Entry, reason: str) -> None:
                    on_result(lost_record(entry, assignment.max_score, __version__, reason))

                run_dask(location, todo, options.limits, options.workers, options.scheduler, on_result, on_lost)
            else:
                run_local(location, todo, options.limits, options.workers, on_result,
                          submission_deadline(assignment, options.limits), options.on_pool)


def _plan(assignment: Assignment, folder: Path, out: Path, gradebook: Gradebook, regrade: bool,
          snapshots: Snapshots) -> tuple[list[Entry], int]:
    """What to grade, each with the grader's copy of its bytes; what cannot be graded is recorded at once, saying why."""
    todo, skipped = [], 0
    for entry in discover(folder, ignore=out):
        if entry.status != "collision" and not regrade and gradebook.is_done(entry, __version__):
            skipped += 1
            continue
        if entry.status is None:
            entry = snapshots.take(entry)
        if entry.status is not None:
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


def export(gradebook: Gradebook, assignment: Assignment, out: Path) -> list[str]:
    """grades.csv, results/ and report.html from the whole gradebook; returns what could not be written, and why."""
    from .html_report import write_report  # matplotlib: not in every pool process's start, which the heartbeat times

    write_csv(gradebook, assignment, out / "grades.csv")
    problems = write_results(gradebook, out / "results")
    write_report(gradebook, assignment, out / "report.html")
    return problems

