"""The worker's limits on the command line: options made from the one declaration (grading/limits.py), validated there."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gradelab import commands
from gradelab.cli import build_parser, main
from gradelab.grading.protocol import limits
from gradelab.grading.protocol.limits import Limits

COMMANDS = {"check": ["check", "initialization", "work.py"], "grade": ["grade", "initialization", "work.py"],
            "grade-batch": ["grade-batch", "initialization", "class", "--out", "out"]}


def test_timeout_memory_and_load_timeout_are_exposed():
    assert [spec.metadata["flag"] for spec in limits.exposed()] == ["--timeout", "--load-timeout", "--memory"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_grading_command_has_an_option_per_exposed_limit(command, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for spec in limits.exposed():
        assert f"{spec.metadata['flag']} {spec.metadata['unit'].upper()}" in help_text
        assert f"({limits.valid_range(spec)}; default {spec.default:g})" in help_text


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_options_build_the_limits_and_the_rest_keep_their_defaults(command):
    given = build_parser().parse_args([*COMMANDS[command], "--timeout", "3", "--load-timeout", "7", "--memory", "900"])
    assert Limits.from_options(vars(given)) == Limits(timeout=3, load_timeout=7, memory_mb=900)
    assert Limits.from_options(vars(build_parser().parse_args(COMMANDS[command]))) == Limits()


def test_grade_hands_the_command_line_limits_to_the_engine(monkeypatch, capsys, tmp_path):
    (tmp_path / "work.py").write_text("x = 1\n")  # grade refuses a path that is not there
    monkeypatch.chdir(tmp_path)
    seen = {}

    def fake_grade(assignment, submission, hidden, limits):
        seen["limits"] = limits
        return SimpleNamespace(score=0, max_score=10, gradable=True)

    monkeypatch.setattr(commands, "grade_file", fake_grade)
    assert main(["grade", "initialization", "work.py", "--quiet", "--timeout", "2.5", "--memory", "0"]) == 0
    assert seen["limits"] == Limits(timeout=2.5, memory_mb=0)  # 0: no memory limit


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("--timeout", "-1", "--timeout -1: expected seconds > 0"),
    ("--timeout", "nan", "--timeout nan: expected seconds > 0"),
    ("--load-timeout", "0", "--load-timeout 0: expected seconds > 0"),
    ("--memory", "10", "--memory 10: expected a whole number of MiB >= 64, or 0 for no limit"),
])
def test_out_of_range_is_exit_2_naming_the_option_and_the_range(option, value, expected, monkeypatch, capsys):
    monkeypatch.setattr(commands, "grade_file", lambda *args, **kwargs: pytest.fail("graded despite a bad limit"))
    assert main(["grade", "initialization", "work.py", option, value]) == 2
    assert capsys.readouterr().err.strip() == f"gradelab grade: {expected}"


def test_a_value_of_the_wrong_type_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["grade", "initialization", "work.py", "--memory", "2.5"])
    assert raised.value.code == 2
    assert "argument --memory: invalid int value: '2.5'" in capsys.readouterr().err


def test_the_declaration_validates_every_limit_by_its_name():
    with pytest.raises(ValueError, match=r"^file_mb 0: expected a whole number of MiB >= 1$"):
        Limits(file_mb=0)
    with pytest.raises(ValueError, match=r"^timeout 'soon': expected seconds > 0$"):
        Limits(timeout="soon")


def test_the_worker_reads_its_limits_through_the_declaration():
    """A load request's config: limits it leaves out keep the declared defaults; other keys are not the limits'."""
    assert Limits.from_config({}) == Limits()
    assert Limits.from_config({"memory_mb": 600, "student_modules": ["x"]}) == Limits(memory_mb=600)
    assert Limits.from_config(Limits(timeout=4, processes=0).config()) == Limits(timeout=4, processes=0)
