"""The command line in the ecosystem's conventions: help for every argument, no markup, exit statuses documented."""

from __future__ import annotations

import argparse

import pytest

from gradelab.cli import build_parser, main


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    subparsers = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    return dict(subparsers.choices)


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_argument_has_help_and_the_exit_statuses_are_documented(name):
    parser = _commands()[name]
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        assert action.help, f"gradelab {name}: {action.dest} has no help"
    text = parser.format_help()
    assert "exit status" in text.lower(), f"gradelab {name} --help does not say what its exit statuses mean"
    assert "``" not in text and ":func:" not in text, f"gradelab {name} --help shows reST markup"


def test_the_top_level_help_has_no_markup(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    assert "``" not in capsys.readouterr().out
