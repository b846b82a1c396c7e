"""Bad input to grade and grade-batch: exit 2, one line naming the thing and what was expected, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gradelab import commands
from gradelab.cli import build_parser, main

ANYWHERE = ["--allow-unisolated"]  # these checks come before any grading: the sandbox is not what is tested


def _one_line(err: str, command: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got {lines}"
    assert lines[0].startswith(f"gradelab {command}: ")
    return lines[0]


def _batch(tmp_path: Path, submissions: Path, *extra: str) -> int:
    return main(["grade-batch", "initialization", str(submissions), "--out", str(tmp_path / "out"), *ANYWHERE, *extra])


@pytest.fixture
def no_grading(monkeypatch):
    """A batch that got past its checks would grade: that is a failure of these tests, not a slow pass."""
    import gradelab.batch

    monkeypatch.setattr(gradelab.batch, "run_local", lambda *args, **kwargs: pytest.fail("graded despite bad input"))


def _class(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ada.py").write_text("x = 1\n")
    return folder


@pytest.mark.parametrize(("make", "expected"), [
    (lambda root: root / "nope", "submissions folder {path} does not exist: expected a folder of .py files"),
    (lambda root: _touch(root / "class.zip"), "submissions folder {path} is a file, not a folder: expected a folder"),
    (lambda root: _mkdir(root / "empty"), "no submission found in {path}: expected .py files, .ipynb notebooks or one "
                                          "folder per student (the folder is empty)"),
], ids=["missing", "a file", "empty"])
def test_grade_batch_refuses_a_bad_submissions_folder_and_writes_nothing(tmp_path, make, expected, capsys, no_grading):
    path = make(tmp_path)
    assert _batch(tmp_path, path) == 2
    assert expected.format(path=path) in _one_line(capsys.readouterr().err, "grade-batch")
    assert not (tmp_path / "out").exists()


def test_an_empty_folder_lists_what_was_ignored(tmp_path, capsys, no_grading):
    folder = _mkdir(tmp_path / "class")
    (folder / "notes.txt").write_text("notes")
    (folder / ".DS_Store").write_bytes(b"\0")
    assert _batch(tmp_path, folder) == 2
    line = _one_line(capsys.readouterr().err, "grade-batch")
    assert f"no submission found in {folder}" in line
    assert "ignored: .DS_Store (hidden" in line and "notes.txt (not a .py file or .ipynb notebook)" in line
    assert not (tmp_path / "out").exists()


def test_an_unreadable_folder_is_bad_input(tmp_path, monkeypatch, capsys, no_grading):
    folder = _class(tmp_path)
    real = os.scandir

    def refused(path=".", *args):
        if Path(path) == folder:  # chmod 000 does not stop root, who may run this suite: the kernel's answer instead
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args)

    monkeypatch.setattr(os, "scandir", refused)
    assert _batch(tmp_path, folder) == 2
    assert f"submissions folder {folder} cannot be read (permission denied)" in _one_line(capsys.readouterr().err, "grade-batch")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("workers", ["0", "-2", "5000"])
def test_out_of_range_workers_is_bad_input(tmp_path, workers, capsys, no_grading):
    assert _batch(tmp_path, _class(tmp_path), "--workers", workers) == 2
    line = _one_line(capsys.readouterr().err, "grade-batch")
    assert line == f"gradelab grade-batch: --workers {workers}: expected a number of parallel gradings from 1 to 1024"
    assert not (tmp_path / "out").exists()


def test_an_out_of_range_limit_writes_no_gradebook(tmp_path, capsys, no_grading):
    assert _batch(tmp_path, _class(tmp_path), "--timeout", "-1") == 2
    assert _one_line(capsys.readouterr().err, "grade-batch") == "gradelab grade-batch: --timeout -1: expected seconds > 0"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("name", "expected"), [
    ("typo_alcie.ipynb", "submission {path} does not exist: expected a student's .py file or .ipynb notebook"),
    ("folder", "submission {path} is a folder: expected a student's .py file or .ipynb notebook"),
    ("work.txt", "submission {path} is a .txt file: expected a student's .py file or .ipynb notebook"),
    ("work.pdf", "submission {path} is a .pdf file: expected"),
], ids=["missing", "a folder", "txt", "pdf"])
def test_grade_refuses_what_is_not_a_submission_and_writes_no_json(tmp_path, name, expected, monkeypatch, capsys):
    _mkdir(tmp_path / "folder")
    _touch(tmp_path / "work.txt")
    _touch(tmp_path / "work.pdf")
    monkeypatch.setattr(commands, "grade_file", lambda *args, **kwargs: pytest.fail("graded what is not a submission"))
    path = tmp_path / name
    assert main(["grade", "initialization", str(path), "--json", str(tmp_path / "r.json"), *ANYWHERE]) == 2
    assert expected.format(path=path) in _one_line(capsys.readouterr().err, "grade")
    assert not (tmp_path / "r.json").exists()


def test_grade_refuses_a_fifo_named_like_a_notebook_without_blocking(tmp_path, monkeypatch, capsys):
    os.mkfifo(tmp_path / "work.ipynb")
    monkeypatch.setattr(commands, "grade_file", lambda *args, **kwargs: pytest.fail("graded a FIFO"))
    assert main(["grade", "initialization", str(tmp_path / "work.ipynb"), *ANYWHERE]) == 2
    assert "cannot be read" in _one_line(capsys.readouterr().err, "grade")


@pytest.mark.parametrize("command", ["grade", "grade-batch"])
def test_help_documents_the_exit_statuses(command, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "exit status: 0 " in text and "; 2 bad input" in text and "; 3 the grader's own code failed" in text
    if command == "grade-batch":
        assert "--roster CSV" in text and "--only STUDENT [STUDENT ...]" in text


def _touch(path: Path) -> Path:
    path.write_text("")
    return path


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def test_grader_errors_that_remain_are_exit_3(tmp_path, monkeypatch, capsys):
    """The grader's own failure is no grade: the batch finishes, exports, and says so with its exit status."""
    import gradelab.batch
    from gradelab import __version__
    from gradelab.batch.grading import failed_record

    def failing(location, todo, limits, workers, on_result, *rest):
        for entry in todo:
            record = failed_record("error", "the grader failed: RuntimeError('a judge raised')")
            record.update(student=entry.student, path=entry.path, sha256=entry.sha256, grader_version=__version__, seconds=0.1)
            on_result(record)

    monkeypatch.setattr(gradelab.batch, "run_local", failing)
    assert _batch(tmp_path, _class(tmp_path)) == 3
    assert "the grader's own code failed on 1 submission(s) (ada)" in capsys.readouterr().err
    assert (tmp_path / "out" / "grades.csv").exists()
