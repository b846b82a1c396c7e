"""What each grading subcommand of ``gradelab`` does; the parser lives in cli.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .assignments import available, load
from .files import check_file_target
from .grading.engine import grade as grade_file
from .grading.protocol.limits import Limits
from .grading.report import render, write_gradescope
from .grading.spec import Assignment


def _assignment(args: argparse.Namespace) -> Assignment:
    return load(args.assignment, getattr(args, "assignment_path", None))


def _limits(args: argparse.Namespace) -> Limits:
    """The limits given on the command line (cli.add_limit_options), the declared defaults for the others; ValueError if out of range."""
    return Limits.from_options(vars(args))


def check(args: argparse.Namespace) -> int:
    """Public cases only; exit 0 when every selected exercise passes."""
    assignment, submission = _check_target(args)
    only = [args.test_case] if args.test_case else None
    report = grade_file(assignment, submission, hidden=False, only=only, limits=_limits(args))
    if args.recorded:
        from .grading.recorded import add_recorded_notes

        add_recorded_notes(report)
    render(report, verbose=args.verbose)
    return 0 if report.passed else 1


def _check_target(args: argparse.Namespace) -> tuple[Assignment, str]:
    """``check NAME SUBMISSION``, or ``check --recorded FILE SUBMISSION`` (a name before SUBMISSION must match)."""
    if not args.recorded:
        if args.submission is None:
            raise ValueError("give the assignment and the submission: gradelab check ASSIGNMENT SUBMISSION")
        return _assignment(args), args.submission
    from .grading.recorded import load_recording

    assignment = load_recording(args.recorded)
    if args.submission is None:
        return assignment, args.assignment
    if args.assignment != assignment.name:
        raise ValueError(f"{args.recorded} records assignment {assignment.name!r}, not {args.assignment!r}")
    return assignment, args.submission


def _require_isolation(args: argparse.Namespace) -> None:
    """Grading for marks runs student code in the kernel sandbox, or unisolated only when the instructor says so."""
    from .grading.isolation import probe

    walls = probe()
    if not walls.available and not args.allow_unisolated:
        raise ValueError(f"this machine cannot isolate student code: {walls.why}. Run `gradelab doctor`, or pass "
                         "--allow-unisolated to grade behind the Python-level guard alone (reports will say so)")


def doctor(args: argparse.Namespace) -> int:
    """What this machine offers to isolate student code; exit 0 when the kernel sandbox works, 1 when it does not."""
    import os
    import shutil

    from .grading.isolation import probe

    walls = probe()
    print(f"isolation: {walls.label}" + (f" ({walls.why})" if walls.why else ""))
    print(f"bubblewrap: {shutil.which('bwrap') or 'not found on PATH'}")
    print(f"grader's user: uid {os.geteuid()}" + (" (root: each worker gets a uid of its own)" if os.geteuid() == 0 else
                                                   " (not root: workers share one uid inside the sandbox)"))
    cgroup2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
    print(f"cgroup v2: {'mounted' if cgroup2 else 'not mounted (memory and process limits come from rlimits)'}")
    if not walls.available:
        print("to isolate: install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) on Linux with user namespaces; "
              "until then grade with --allow-unisolated, and every report will say the submission was not isolated")
    return 0 if walls.available else 1


def grade(args: argparse.Namespace) -> int:
    """All cases; exit 0 whenever grading itself worked, whatever the score; 2 for bad input; 3 when the grader's own code failed."""
    limits = _limits(args)  # bad input first, each check naming its thing: the limits, then the submission's path
    _check_submission(args.submission)  # a typo in the path must not read as a graded 0/10
    _require_isolation(args)
    assignment = _assignment(args)
    if args.json:
        check_file_target(args.json, "--json")  # before grading: a bad path should not cost the instructor a whole grading
    report = grade_file(assignment, args.submission, hidden=True, limits=limits)
    if args.quiet:
        print(f"{report.score:g}/{report.max_score:g}")
    else:
        render(report, tracebacks=True)
    if args.json:
        print(f"wrote {write_gradescope(report, args.json, args.show_hidden, args.hidden_visibility)}")
    if not report.gradable:
        names = ", ".join(outcome.exercise.id for outcome in report.grader_errors())
        print(f"gradelab grade: the grader's own code failed on {names}: not graded, grade it again once fixed", file=sys.stderr)
        return 3
    return 0


def _check_submission(path: str) -> None:
    """ValueError (exit 2) unless ``path`` is a readable regular .py file or .ipynb notebook; reads nothing but its type."""
    from .batch.discover import SUFFIXES, NotRegularFile, read_regular

    expected = "expected a student's .py file or .ipynb notebook"
    submission = Path(path)
    if not submission.exists():
        raise ValueError(f"submission {path} does not exist: {expected}")
    if submission.is_dir():
        raise ValueError(f"submission {path} is a folder: {expected} (a class folder is graded with grade-batch)")
    if submission.suffix not in SUFFIXES:
        raise ValueError(f"submission {path} is a {submission.suffix or 'suffix-less'} file: {expected}")
    try:
        read_regular(submission)
    except (NotRegularFile, OSError) as error:
        raise ValueError(f"submission {path} cannot be read ({getattr(error, 'strerror', None) or error}): {expected}") from None


def grade_batch(args: argparse.Namespace) -> int:
    """Grade a class folder; exit 0 graded, 2 bad input (nothing written), 3 grader errors remain (see cli.py's epilog)."""
    from .batch import run_batch

    limits = _limits(args)  # out of range: exit 2 before the gradebook or --out exists
    assignment = _assignment(args)
    _require_isolation(args)
    return run_batch(assignment, args.submissions, args.out, workers=args.workers, regrade=args.regrade,
                     scheduler=args.scheduler, limits=limits, roster=args.roster, only=args.only, strict=True)


def assign(args: argparse.Namespace) -> int:
    """Write the student's bundle: notebook, its NumPy-only checker and recorded public cases, course helpers, data."""
    from .grading.bundle import write_bundle

    assignment_path = getattr(args, "assignment_path", None)
    assignment = load(args.assignment, assignment_path)
    for path in write_bundle(assignment, args.folder, overwrite=args.force, recorded=assignment_path is not None):
        print(f"wrote {path}")
    return 0


def autograder(args: argparse.Namespace) -> int:
    """Write Gradescope's autograder.zip for a shipped or an own assignment."""
    from .grading.autograder import build_autograder

    assignment = load(args.assignment, args.assignment_path)
    path = build_autograder(assignment, args.out, args.assignment_path, args.hidden_visibility, args.wheel)
    print(f"wrote {path}: upload it as the assignment's autograder (Gradescope: Configure Autograder, Zip file upload)")
    return 0


def assignments(args: argparse.Namespace) -> int:
    console = Console()
    for name in available():
        assignment = load(name)
        table = Table(title=f"{name}: {assignment.title} ({assignment.max_score:g} points)", title_justify="left")
        for column in ("exercise", "function", "points", "public cases", "hidden cases"):
            table.add_column(column, no_wrap=column in ("exercise", "function"))
        for exercise in assignment.exercises:
            table.add_row(exercise.id, exercise.function, f"{exercise.points:g}",
                          str(len(exercise.public_cases())), str(len(exercise.hidden_cases())))
        console.print(table)
    return 0


def selftest(args: argparse.Namespace) -> int:
    """Grade the solution, every known mistake and every correct alternative; exit 1 if any is graded wrongly."""
    from .grading.selftest import grade_source, variants, verdict

    assignment = _assignment(args)
    problems = 0
    for variant in variants(assignment):
        only = [variant.exercise.id] if variant.exercise else None
        report = grade_source(assignment, variant.source, only)
        problem = verdict(variant, report)
        problems += problem is not None
        print(f"{'FAIL' if problem else 'ok  '} {variant.kind:11} {variant.label}: {report.score:g}/{report.max_score:g}"
              + (f"  <- {problem}" if problem else ""))
    return 1 if problems else 0


def new(args: argparse.Namespace) -> int:
    """Write an assignment skeleton that selftest passes; exit 2 if the name is not an identifier or the folder exists."""
    from .authoring import new_assignment

    written = new_assignment(args.name, args.into)
    for path in written:
        print(f"wrote {path}")
    folder = written[0].parent
    print(f"next: gradelab selftest {args.name} --assignment-path {folder}   (docs/AUTHORING.md walks through the rest)")
    return 0
