"""A grade report as students read it (rich, in the terminal) and as Gradescope reads it (results.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from .outcome import ExerciseOutcome, GradeReport, Status

STATUS_STYLE = {Status.PASSED: ("PASS", "bold green"), Status.FAILED: ("FAIL", "bold red"), Status.MISSING: ("MISSING", "bold red"),
                Status.CRASHED: ("CRASHED", "bold red"), Status.TIMED_OUT: ("TIMEOUT", "bold red"),
                Status.REFUSED: ("REFUSED", "bold red"), Status.MALFORMED_REPLY: ("MALFORMED", "bold red"),
                Status.GRADER_ERROR: ("NOT GRADED", "bold yellow")}
FINDING_STYLE = {"fail": ("✗", "red"), "warn": ("!", "yellow"), "info": ("i", "cyan")}


def render(report: GradeReport, console: Console | None = None, verbose: bool = False, tracebacks: bool = False) -> None:
    """Print one block per exercise: status, points, then each failing check, hint and notes.

    ``tracebacks``: show where the grader's own code failed (an instructor's ``grade``; never in students' checks).
    """
    console = console or Console()
    console.print(Text(f"{report.assignment.title} — {Path(report.submission).name}", style="bold"))
    for problem in report.problems:
        console.print(Text(f"  ! {problem}", style="yellow"))
    for outcome in report.exercises:
        _render_exercise(console, outcome, verbose, tracebacks)
    style = "bold green" if report.passed else "bold"
    scope = "" if report.hidden_included else " on the public cases"
    console.print(Text(f"Score{scope}: {report.score:g} / {report.max_score:g}", style=style))


def _render_exercise(console: Console, outcome: ExerciseOutcome, verbose: bool, tracebacks: bool) -> None:
    label, style = STATUS_STYLE[outcome.status]
    exercise = outcome.exercise
    head = Text.assemble((f"{label:8}", style), f"{exercise.id}  ", (f"{exercise.function}{exercise.signature}", "bold"),
                         f"  {outcome.score:g}/{outcome.max_score:g}")
    console.print(head)
    for case in outcome.cases:
        if case.passed and not verbose:
            continue
        mark, case_style = ("✓", "green") if case.passed else ("✗", "red")
        console.print(Text(f"    {mark} case {case.case.name}", style=case_style))
        for finding in case.findings:
            _render_finding(console, finding, indent=6)
        if case.traceback and tracebacks:
            console.print(Text(case.traceback.rstrip(), style="dim"))
    if outcome.mistake is not None:
        console.print(Text(f"    Known mistake: {outcome.mistake.name}", style="bold magenta"))
        console.print(Text(f"    Hint: {outcome.mistake.hint}", style="magenta"))
    for note in outcome.notes:
        _render_finding(console, note, indent=4)


def _render_finding(console: Console, finding: Any, indent: int) -> None:
    mark, style = FINDING_STYLE[finding.kind]
    first, *rest = finding.message.splitlines() or [""]
    console.print(f"{' ' * indent}[{style}]{mark} {escape(first)}[/{style}]")
    for line in rest:
        console.print(Text(" " * (indent + 2) + line, style="dim"))


def exercise_output(outcome: ExerciseOutcome) -> str:
    """Plain text of one exercise's findings, for Gradescope's "output" and for gradebooks."""
    lines = []
    for case in outcome.cases:
        if not case.passed:
            lines.append(f"case {case.case.name}:")
            lines.extend(f"  {finding.kind}: {finding.message}" for finding in case.findings)
    if outcome.mistake is not None:
        lines.append(f"Known mistake: {outcome.mistake.name}. Hint: {outcome.mistake.hint}")
    lines.extend(f"{note.kind}: {note.message}" for note in outcome.notes)
    return "\n".join(lines) or "All cases passed."


def to_gradescope(report: GradeReport) -> dict:
    """Gradescope's results.json: total score, then one test per exercise."""
    tests = [{
        "name": f"{outcome.exercise.id} ({outcome.exercise.function})",
        "score": outcome.score,
        "max_score": outcome.max_score,
        "status": "passed" if outcome.status is Status.PASSED else "failed",
        "output": exercise_output(outcome),
    } for outcome in report.exercises]
    output = "\n".join(report.problems) or f"Graded {len(tests)} exercises."
    return {"score": report.score, "execution_time": round(report.seconds, 3), "output": output, "tests": tests}


def write_gradescope(report: GradeReport, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_gradescope(report), indent=2) + "\n", encoding="utf-8")
    return path
