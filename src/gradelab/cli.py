"""The ``gradelab`` command: studies for everyone, checks for students, grading for instructors."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
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


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gradelab", description=__doc__)
    parser.add_argument("--version", action="version", version=f"gradelab {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_study_commands(subparsers, argv)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    if args.command == "study":
        return importlib.import_module(args.module).run(args)
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
