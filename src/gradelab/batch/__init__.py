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

A gradebook belongs to one assignment: it records the assignment's name and
the digest of its declaration (gradebook.Identity, grading.declaration_digests);
another assignment's run is refused before anything is written, and a changed
declaration regrades the class, saying so. Bad input (no such folder, nothing
to grade in it, a bad roster, --workers out of range) raises ValueError before
anything is written. ``--roster`` gives a "not submitted" row to each student
who handed nothing in; ``--only`` regrades chosen students into the gradebook.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rich.console import Console

from .. import __version__
from ..assignments import locate
from ..grading import Limits
from ..grading.spec import Assignment
from .discover import Discovery, Entry, Ignored, discover, read_roster, survey
from .export import write_csv, write_results
from .gradebook import (
    NOT_SUBMITTED,
    Gradebook,
    Identity,
    OtherAssignment,
    UntrustedGradebook,
    check_identity,
    entry_record,
    is_disk_full,
    lost_record,
    not_submitted_record,
)
from .grading import declaration_digests
from .progress import BatchProgress, summary_line
from .runner import Pool, default_workers, run_local, submission_deadline
from .snapshot import Snapshots

__all__ = ["run_batch", "Gradebook", "discover", "MAX_WORKERS", "EXIT_GRADER_ERRORS"]

MAX_WORKERS = 1024  # far more than any machine's cores: a larger number is a typo, not a plan
EXIT_GRADER_ERRORS = 3  # the exit status when the grader's own code failed on some submission (graded again next run)


def run_batch(assignment: Assignment, submissions_dir: str | Path, out_dir: str | Path, workers: int | None = None,
              regrade: bool = False, scheduler: str | None = None, limits: Limits | None = None,
              max_submissions: int | None = None, progress: bool = True, on_pool: Callable[[Pool], None] | None = None,
              roster: str | Path | None = None, only: Sequence[str] | None = None, strict: bool = False) -> int:
    """Grade every submission in ``submissions_dir`` into ``out_dir``; 0 when the batch finished.

    Bad input (no such folder, no submission in it, a roster without a student column, an unknown ``only`` id,
    ``workers`` out of range) raises ValueError before anything is written. A gradebook of another assignment in
    ``out_dir`` returns 2, untouched. ``roster``: a CSV of who should submit; ``only``: regrade just these students
    into the existing gradebook; ``strict``: return 3 when grader errors remain (the CLI's exit status).
    ``max_submissions`` stops after grading that many (tests use it to simulate an interrupted run);
    ``on_pool`` sees the local pool after each step (tests use it to stop or kill a pool process).
    The exports are written whatever happens to the grading, from every result the gradebook holds.
    """
    out = Path(out_dir)
    options = _prepare(Path(submissions_dir), out, _Options(
        workers or default_workers(), regrade, scheduler, limits, max_submissions, progress, on_pool, only=tuple(only or ())),
        roster, workers)
    console = Console(stderr=True)
    try:
        errors = _open_and_grade(assignment, out, options, console)
    except KeyboardInterrupt:
        console.print(f"[yellow]interrupted: every result written so far is in {out / 'gradebook.sqlite'}; "
                      "run the same command again to resume[/]")
        return 130
    except (UntrustedGradebook, OtherAssignment) as error:
        _say(console, f"gradelab grade-batch: {error}", "red")
        return 2
    except (sqlite3.OperationalError, OSError) as error:
        _say(console, f"gradelab grade-batch: {_failure(error, out)}", "red")
        return 1
    console.print(f"wrote {out / 'gradebook.sqlite'}, {out / 'grades.csv'}, {out / 'results'}/, {out / 'feedback'}/ (one page per "
                  f"student), {out / 'canvas.csv'}, {out / 'moodle.csv'} and {out / 'report.html'}", markup=False)
    console.print(summary_line(out / "gradebook.sqlite", assignment.max_score), markup=False)
    if errors:
        _say(console, f"the grader's own code failed on {len(errors)} submission(s) ({_sample(errors)}): "
                      "they are not graded; run the same command again once the grader is fixed", "red")
    return EXIT_GRADER_ERRORS if errors and strict else 0


@dataclass(frozen=True)
class _Options:
    workers: int
    regrade: bool
    scheduler: str | None
    limits: Limits | None
    max_submissions: int | None
    progress: bool
    on_pool: Callable[[Pool], None] | None
    found: Discovery = field(default_factory=lambda: Discovery([]))
    roster: list[tuple[str, dict[str, str]]] | None = None
    only: tuple[str, ...] = ()


def _prepare(folder: Path, out: Path, options: _Options, roster: str | Path | None, workers: int | None) -> _Options:
    """Check every input and find the submissions, writing nothing: a ValueError names what is wrong and what was expected."""
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise ValueError(f"--workers {workers}: expected a number of parallel gradings from 1 to {MAX_WORKERS}")
    found = survey(folder, ignore=out)
    if not found.entries:
        raise ValueError(f"no submission found in {folder}: expected .py files, .ipynb notebooks or one folder per student"
                         + (f"; ignored: {_listed(found.ignored)}" if found.ignored else " (the folder is empty)"))
    listed = read_roster(roster) if roster is not None else None
    if options.only:
        _check_only(options.only, found, listed, out)
    return replace(options, found=found, roster=listed)


def _check_only(only: Sequence[str], found: Discovery, roster: list | None, out: Path) -> None:
    if not (out / "gradebook.sqlite").is_file():
        raise ValueError(f"--only regrades students into an existing gradebook, and {out} holds none: "
                         "run without --only first to grade the class")
    known = {entry.student for entry in found.entries} | {student for student, _ in roster or ()}
    unknown = [student for student in only if student not in known]
    if unknown:
        raise ValueError(f"--only {' '.join(unknown)}: no submission named so in the class folder; expected the id of a "
                         f"student found there ({_sample(sorted(known))})")


def _say(console: Console, text: str, style: str | None = None) -> None:
    """One line, as plain text: ids and file names come from students and must not be read as Rich markup."""
    console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)


def _listed(ignored: Sequence[Ignored], at_most: int = 10) -> str:
    shown = [f"{Path(item.path).name} ({item.reason})" for item in ignored[:at_most]]
    return ", ".join(shown) + (f" and {len(ignored) - at_most} more" if len(ignored) > at_most else "")


def _sample(names: Sequence[str], at_most: int = 10) -> str:
    return ", ".join(names[:at_most]) + (f" and {len(names) - at_most} more" if len(names) > at_most else "")


def _open_and_grade(assignment: Assignment, out: Path, options: _Options, console: Console) -> list[str]:
    """Grade into ``out``'s gradebook, checked to be this assignment's first; the students with grader errors left."""
    gradebook = Gradebook(out / "gradebook.sqlite")
    try:
        wanted = _identity(assignment)
        change = check_identity(gradebook, wanted)  # before any export: another assignment's gradebook stays untouched
        previous = gradebook.identity()
        _start_identity(gradebook, wanted, change)
        if change:
            _say(console, _regrade_message(change, options), "yellow")
        elif previous is not None and previous.grader_version != __version__ and not options.only:
            # each row's grader version already makes it be graded again: this says why the whole class is
            why = f"the grader changed since the last run (gradelab {previous.grader_version}, now {__version__})"
            _say(console, _regrade_message(why, options), "yellow")
        _record_folder(gradebook, assignment, options, console)
        with _exporting(gradebook, assignment, out, console):
            complete = _grade_all(assignment, out, gradebook, options, console, regrade_all=change is not None)
        if change and complete and not options.only:
            gradebook.write_identity(wanted)  # only now: an interrupted regrade must be taken up again by the next run
        return [row["student"] for row in gradebook.query("SELECT student FROM submissions WHERE status = 'error' ORDER BY student")]
    finally:
        gradebook.close()


def _identity(assignment: Assignment) -> Identity:
    digests = declaration_digests(assignment)
    return Identity(assignment.name, digests.pop(""), digests, __version__)


def _start_identity(gradebook: Gradebook, wanted: Identity, change: str | None) -> None:
    """Record the assignment at once; a changed declaration only once the class is graded with it."""
    if change is None:
        gradebook.write_identity(wanted)
        return
    old = gradebook.identity() or Identity(wanted.assignment, "")
    gradebook.write_identity(replace(old, grader_version=wanted.grader_version))


def _regrade_message(change: str, options: _Options) -> str:
    if options.only:
        return (f"{change}: regrading {', '.join(options.only)} only; the others keep grades from the earlier declaration "
                "until a run without --only")
    graded = sum(entry.status is None for entry in options.found.entries)
    return f"{change}: regrading all {graded} submissions"


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


def _record_folder(gradebook: Gradebook, assignment: Assignment, options: _Options, console: Console) -> None:
    """What the class folder holds besides submissions, and who on the roster handed in nothing."""
    gradebook.replace_ignored(options.found.ignored)
    if options.found.ignored:
        _say(console, f"ignored {len(options.found.ignored)} item(s) that are not submissions: {_listed(options.found.ignored)}")
    if options.roster is not None:
        gradebook.replace_roster(options.roster)
    roster = [row["student"] for row in gradebook.roster()]  # the last roster given, also on runs without --roster
    if roster:
        _record_roster(gradebook, roster, assignment.max_score, options, console)


def _record_roster(gradebook: Gradebook, roster: list[str], max_score: float, options: _Options, console: Console) -> None:
    found = {entry.student for entry in options.found.entries}
    statuses = gradebook.statuses()
    listed = set(roster)
    # "not submitted" rows come from a roster alone: a student dropped from it loses theirs
    gradebook.remove(student for student, status in statuses.items() if status == NOT_SUBMITTED and student not in listed)
    missing = [student for student in roster if student not in found and (not options.only or student in options.only)
               and statuses.get(student) in (None, NOT_SUBMITTED)]  # a grade from an earlier run stays if the file went away
    for student in missing:
        gradebook.record(not_submitted_record(student, max_score, __version__))
    if missing:
        _say(console, f"{len(missing)} student(s) on the roster handed in nothing, recorded as '{NOT_SUBMITTED}' "
                      f"with 0 points: {_sample(missing)}")
    strangers = sorted(found - listed)
    if strangers:
        _say(console, f"{len(strangers)} submission(s) from ids not on the roster, graded anyway: {_sample(strangers)} "
                      "(a typo in a file name, or a student missing from the roster?)", "yellow")


def _grade_all(assignment: Assignment, out: Path, gradebook: Gradebook, options: _Options, console: Console,
               regrade_all: bool = False) -> bool:
    """Grade what needs it; True when every planned submission was handed to the graders (not cut by max_submissions)."""
    with Snapshots(out) as snapshots:
        todo, skipped = _plan(assignment, gradebook, options.regrade or regrade_all or bool(options.only), options, snapshots)
        complete = options.max_submissions is None or len(todo) <= options.max_submissions
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
    return complete


def _plan(assignment: Assignment, gradebook: Gradebook, regrade: bool, options: _Options,
          snapshots: Snapshots) -> tuple[list[Entry], int]:
    """What to grade, each with the grader's copy of its bytes; what cannot be graded is recorded at once, saying why."""
    todo, skipped = [], 0
    for entry in options.found.entries:
        if options.only and entry.student not in options.only:
            continue
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
    """grades.csv, results/, feedback/, canvas.csv, moodle.csv and report.html from the whole gradebook; returns what could
    not be written, and why."""
    from .export import write_student_exports
    from .html_report import write_report  # matplotlib: not in every pool process's start, which the heartbeat times

    write_csv(gradebook, assignment, out / "grades.csv")
    problems = write_results(gradebook, out / "results")
    problems += write_student_exports(gradebook, assignment, out)  # feedback/, canvas.csv, moodle.csv: before the report links them
    write_report(gradebook, assignment, out / "report.html")
    return problems

