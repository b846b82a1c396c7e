"""The ``gradelab`` command: studies for everyone, checks for students, grading for instructors."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .studies import STUDIES


def _add_study_commands(subparsers: argparse._SubParsersAction) -> None:
    study = subparsers.add_parser("study", help="run an experiment and write its tables and figures")
    studies = study.add_subparsers(dest="study", required=True, metavar="STUDY")
    for name, (module_name, summary) in STUDIES.items():
        parser = studies.add_parser(name, help=summary, description=summary)
        parser.set_defaults(module=module_name)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        module.add_arguments(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gradelab", description=__doc__)
    parser.add_argument("--version", action="version", version=f"gradelab {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_study_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "study":
        return importlib.import_module(args.module).run(args)
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
