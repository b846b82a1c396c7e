"""The gradelab command: studies for everyone, checks for students, grading for instructors."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .grading.protocol import limits
from .studies import STUDIES


def _add_study_commands(subparsers: argparse._SubParsersAction, argv: Sequence[str]) -> None:
    """One subcommand per study; only the study named on the command line is imported."""
    study = subparsers.add_parser("study", help="run an experiment and write its tables and figures")
    studies = study.add_subparsers(dest="study", required=True, metavar="STUDY")
    for name, (module_name, summary) in STUDIES.items():
        parser = studies.add_parser(name, help=summary, description=summary)
        parser.set_defaults(module=module_name)
        if len(argv) > 1 and argv[0] == "study" and argv[1] == name:
            importlib.import_module(module_name).add_arguments(parser)


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """One option per limit that :class:`~gradelab.grading.protocol.limits.Limits` exposes, with its unit, range and default.

    Each option's default is None (not given): commands build the limits with ``Limits.from_options``,
    so the declaration's default applies and a value out of range is refused there, naming the option.
    """
    for spec in limits.exposed():
        meta = spec.metadata
        parser.add_argument(meta["flag"], dest=spec.name, type=type(spec.default), default=None, metavar=meta["unit"].upper(),
                            help=f"{meta['help']} ({limits.valid_range(spec)}; default {spec.default:g})")


GRADE_EXITS = ("exit status: 0 graded, whatever the score; 2 bad input (no such file, a folder, not a .py or .ipynb, a "
               "limit out of range): one line says what, and nothing is written; 3 the grader's own code failed on some "
               "exercise, which is not graded")
BATCH_EXITS = ("exit status: 0 every submission graded, whatever the scores; 2 bad input (no such submissions folder, a file "
               "instead of a folder, an unreadable or empty folder, --workers or a limit out of range, a bad roster, an "
               "unknown --only id, or an --out gradebook of another assignment): one line says what, and nothing is "
               "written; 3 the grader's own code failed on some submissions, which the next run grades again; 1 the "
               "gradebook could not be written (a full disk); 130 interrupted: run the same command again to resume")


def _add_grading_commands(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser("check", help="check a notebook or .py file against the public cases with this package "
                                  "(students check with their bundle's tests/ instead, without gradelab)")
    check.add_argument("assignment", help="assignment name, see `gradelab assignments` (leave out with --recorded)")
    check.add_argument("submission", nargs="?", help="your .ipynb notebook or .py file")
    check.add_argument("--recorded", metavar="FILE", help="check against recorded public cases (an older bundle's "
                       "tests/public_cases.wire; bundles now check with their own tests/checker.py) instead of the "
                       "assignment's declaration")
    check.add_argument("--test_case", "--test-case", dest="test_case", help="check one exercise only (its id or function name)")
    check.add_argument("-v", "--verbose", action="store_true", help="show passing cases too")
    grade = subparsers.add_parser("grade", help="instructors: grade a submission with the hidden cases", epilog=GRADE_EXITS)
    grade.add_argument("assignment", help="assignment name, see `gradelab assignments` (or your own's, with --assignment-path)")
    grade.add_argument("submission", help="the student's .py file or .ipynb notebook")
    grade.add_argument("--json", metavar="PATH", help="write Gradescope's results.json here (what a student may read: hidden "
                       "cases say what they vary, never their inputs or expected values)")
    grade.add_argument("--show-hidden", action="store_true", help="the instructor's copy: hidden cases in full in --json")
    grade.add_argument("--hidden-visibility", choices=("after_published", "after_due_date", "hidden"), default="after_published",
                       help="when Gradescope shows students the hidden cases' test (default: %(default)s)")
    grade.add_argument("--quiet", action="store_true", help="print only the score")
    batch = subparsers.add_parser("grade-batch", help="instructors: grade a folder of submissions into a gradebook",
                                  epilog=BATCH_EXITS)
    batch.add_argument("assignment", help="assignment name, see `gradelab assignments` (or your own's, with --assignment-path)")
    batch.add_argument("submissions", help="a folder: one .py or .ipynb per student, or one subfolder per student holding "
                       "a notebook and the helper modules (.py) it imports; other files are listed as ignored")
    batch.add_argument("--out", required=True, help="folder for gradebook.sqlite, grades.csv, results/ and report.html; "
                       "it belongs to one assignment (another's is refused)")
    batch.add_argument("--workers", type=int, default=None, help="parallel gradings, 1 to 1024 (default: all cores)")
    batch.add_argument("--roster", metavar="CSV", help="who should submit: a CSV with a header naming a 'student' or 'id' "
                       "column (other columns are kept); students with no submission get a 'not submitted' row, 0 points; "
                       "submissions from ids not on it are graded and flagged. Kept in the gradebook for later runs")
    batch.add_argument("--only", nargs="+", metavar="STUDENT", help="regrade just these students into the existing gradebook")
    batch.add_argument("--regrade", action="store_true", help="grade again submissions already in the gradebook")
    batch.add_argument("--scheduler", help="a Dask scheduler address, or 'local' for a LocalCluster on this machine")
    for command in (grade, batch):
        command.add_argument("--allow-unisolated", action="store_true",
                             help="grade even where the kernel sandbox is missing (see `gradelab doctor`), behind the Python-level "
                                  "guard alone; every report then says the submission was not isolated")
    for command in (check, grade, batch):
        add_limit_options(command)
        command.add_argument("--assignment-path", help="a Python file or module path declaring ASSIGNMENT, instead of a shipped name")
    _add_authoring_commands(subparsers)


def _add_authoring_commands(subparsers: argparse._SubParsersAction) -> None:
    """What an instructor makes: bundles, autograders, new assignments, and the checks of the machine and of an assignment."""
    assign = subparsers.add_parser("assign", help="write the student's bundle: notebook, local checks, data")
    assign.add_argument("assignment", help="the assignment's name (see `gradelab assignments`, or your own's)")
    assign.add_argument("folder", help="where to write the bundle (created if missing; an existing notebook is kept unless --force)")
    assign.add_argument("--force", action="store_true", help="replace an existing notebook (a student's work would be lost)")
    assign.add_argument("--assignment-path", help="a Python file or folder declaring ASSIGNMENT, instead of a shipped name "
                        "(every bundle checks from its public cases recorded in tests/checks.npz, with no reference)")
    autograder = subparsers.add_parser("autograder", help="instructors: build a Gradescope autograder.zip (setup.sh, "
                                       "run_autograder, gradelab's wheel)")
    autograder.add_argument("assignment", help="the assignment's name (see `gradelab assignments`, or your own's)")
    autograder.add_argument("--out", default="autograder.zip", help="the zip to write (default autograder.zip)")
    autograder.add_argument("--assignment-path", help="a Python file declaring ASSIGNMENT, or the folder of a declaration "
                            "split across files; copied into the zip")
    autograder.add_argument("--hidden-visibility", default="after_published",
                            choices=("after_published", "after_due_date", "hidden", "visible"),
                            help="when students see the hidden cases' tests (default after_published); their text never "
                                 "holds a hidden case's inputs or expected values")
    autograder.add_argument("--wheel", help="a gradelab wheel to ship instead of one made from the installed package")
    subparsers.add_parser("assignments", help="list the assignments, their exercises and points")
    subparsers.add_parser("doctor", help="instructors: what this machine offers to isolate student code, and what to install")
    selftest = subparsers.add_parser("selftest", help="instructors: grade the solution, known mistakes and alternatives")
    selftest.add_argument("assignment", help="the assignment's name (see `gradelab assignments`, or your own's)")
    selftest.add_argument("--assignment-path", help="the folder or .py file declaring your own ASSIGNMENT")
    new = subparsers.add_parser("new", help="instructors: write the skeleton of an assignment of your own (see docs/AUTHORING.md)")
    new.add_argument("name", help="the assignment's name, a Python identifier such as softmax")
    new.add_argument("--into", default=".", help="the folder to create NAME/ in (default: the current folder)")


#: What each command's exit status means, shown at the end of its --help (commands that set their own keep theirs).
EXIT_STATUS = {
    "check": "0 every selected public case passed, 1 some did not, 2 bad input",
    "grade": "0 graded (whatever the score), 2 bad input, 3 the grader's own code failed on an exercise",
    "grade-batch": "0 the class was graded and exported, 2 bad input (nothing written), 3 grader errors remain",
    "assign": "0 the bundle was written, 2 bad input (nothing overwritten)",
    "autograder": "0 the zip was written, 2 bad input",
    "assignments": "0",
    "doctor": "0 the kernel sandbox works here, 1 it does not (grading then needs --allow-unisolated)",
    "selftest": "0 every variant was graded as it must be, 1 some were not, 2 bad input",
    "new": "0 the skeleton was written, 2 bad input (nothing written)",
    "study": "0 done, 1 a fast path disagreed with the reference, 2 bad input",
}


def _with_exit_statuses(subparsers: argparse._SubParsersAction) -> None:
    for name, parser in subparsers.choices.items():
        if parser.epilog is None and name in EXIT_STATUS:
            parser.epilog = f"exit status: {EXIT_STATUS[name]}"


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gradelab", description=__doc__,
                                     epilog="Run `gradelab COMMAND --help` for a command's options and exit statuses.")
    parser.add_argument("--version", action="version", version=f"gradelab {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_study_commands(subparsers, argv)
    _add_grading_commands(subparsers)
    _with_exit_statuses(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    if args.command == "study":
        return importlib.import_module(args.module).run(args)
    from . import commands  # grading commands import the engine only when used

    try:
        return getattr(commands, args.command.replace("-", "_"))(args)
    except (ValueError, FileExistsError, FileNotFoundError) as error:
        print(f"gradelab {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
