"""A grade report as students read it (rich, in the terminal) and as Gradescope reads it (results.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from .outcome import ExerciseOutcome, Finding, GradeReport, Status

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


#: Notes on passing cases that change what a student's notebook does: shown without -v, once per exercise.
MATTERS = frozenset({"global_rng", "mutated", "refused"})
ACCEPTED = "accepted: other random numbers, right distribution"


def _render_exercise(console: Console, outcome: ExerciseOutcome, verbose: bool, tracebacks: bool) -> None:
    label, style = STATUS_STYLE[outcome.status]
    exercise = outcome.exercise
    head = Text.assemble((f"{label:8}", style), f"{exercise.id}  ", (f"{exercise.function}{exercise.signature}", "bold"),
                         f"  {outcome.score:g}/{outcome.max_score:g}")
    console.print(head)
    accepted = outcome.status is Status.PASSED and bool(outcome.accepted_by)
    shown: list[list[str]] = []  # the findings of failing cases already printed: one message per kind of fault
    for case in outcome.cases:
        messages = [finding.message for finding in case.findings]
        if not case.passed and not accepted and not verbose and messages in shown:
            console.print(Text(f"    ✗ case {case.case.name}: the same as above", style="red"))
            continue
        shown.append(messages)
        _render_case(console, case, verbose, tracebacks, accepted)
    if not verbose:
        _render_notes_that_matter(console, outcome)
    if outcome.mistake is not None:
        console.print(Text(f"    Known mistake: {outcome.mistake.name}", style="bold magenta"))
        console.print(Text(f"    Hint: {outcome.mistake.hint}", style="magenta"))
    for note in outcome.notes:
        _render_finding(console, note, indent=4)


def _render_case(console: Console, case: Any, verbose: bool, tracebacks: bool, accepted: bool) -> None:
    """A failing case with its findings; a passing one only with -v; on an accepted exercise, no failure marks."""
    if case.passed and not verbose:
        return
    if accepted and not case.passed:  # the values differ, the second verdict accepted them: not a failure
        console.print(Text(f"    ✓ case {case.case.name}: {ACCEPTED}", style="green"))
        if verbose:
            for finding in case.findings:
                _render_finding(console, finding if finding.kind != "fail" else Finding("info", finding.message, finding.code), 6)
        return
    mark, case_style = ("✓", "green") if case.passed else ("✗", "red")
    console.print(Text(f"    {mark} case {case.case.name}", style=case_style))
    for finding in case.findings:
        _render_finding(console, finding, indent=6)
    if case.traceback and tracebacks:
        console.print(Text(case.traceback.rstrip(), style="dim"))


def _render_notes_that_matter(console: Console, outcome: ExerciseOutcome) -> None:
    shown = set()
    for case in outcome.cases:
        if not case.passed:
            continue  # a failing case shows all its findings already
        for finding in case.findings:
            if finding.kind != "fail" and finding.code in MATTERS and finding.message not in shown:
                shown.add(finding.message)
                _render_finding(console, finding, indent=4)


def _render_finding(console: Console, finding: Any, indent: int) -> None:
    mark, style = FINDING_STYLE[finding.kind]
    first, *rest = finding.message.splitlines() or [""]
    console.print(f"{' ' * indent}[{style}]{mark} {escape(first)}[/{style}]")
    for line in rest:
        console.print(Text(" " * (indent + 2) + line, style="dim"))


#: Gradescope's visibilities for a test: "visible" at once; "after_published" or "after_due_date"; "hidden" never.
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
#: What a failed hidden case shows a student, by the code of its first failing finding: never its values or sizes.
HIDDEN_FAILURES = {"values": "values differ", "number": "values differ", "entries": "values differ", "shape": "wrong shape",
                   "dtype": "wrong type of values", "keys": "wrong keys", "type": "wrong type", "length": "wrong length",
                   "nonfinite": "NaN or inf where finite values are expected", "not_number": "not a number",
                   "gradient": "gradients differ from the numerical ones", "accuracy": "held-out accuracy too low",
                   "distribution": "not right in distribution", "seed": "the seed is not used as expected"}


def exercise_output(outcome: ExerciseOutcome, show_hidden: bool = False, cases: str = "all") -> str:
    """Plain text of one exercise's findings, for Gradescope's "output" and for gradebooks.

    A student reads it unless ``show_hidden`` (an instructor's copy): then a hidden case says only what it varies and
    what kind of failure it was ("hidden case 'deeper networks': values differ"), never its inputs, sizes or expected
    values. ``cases``: "all", "public" or "hidden" (one Gradescope test each); notes and the hint go with the public part.
    """
    lines = []
    for case in outcome.cases:
        if case.passed or (cases == "public" and case.case.hidden) or (cases == "hidden" and not case.case.hidden):
            continue
        if outcome.accepted_by:  # a second verdict accepted the exercise: no failure marks for what it forgave
            hidden = case.case.hidden and not show_hidden
            label = f"hidden case '{case.case.varies or case.case.name}'" if hidden else f"case {case.case.name}"
            lines.append(f"{label}: accepted: other random numbers, right distribution")
            continue
        if case.case.hidden and not show_hidden:
            lines.append(hidden_case_line(case))
            continue
        lines.append(f"case {case.case.name}:")
        lines.extend(f"  {finding.kind}: {finding.message}" for finding in case.findings)
    if cases != "hidden":
        if outcome.mistake is not None:
            lines.append(f"Known mistake: {outcome.mistake.name}. Hint: {outcome.mistake.hint}")
        lines.extend(f"{note.kind}: {note.message}" for note in outcome.notes)
    return "\n".join(lines) or ("All cases passed." if outcome.status is Status.PASSED else f"{outcome.status}.")


def hidden_case_line(case: Any) -> str:
    """``hidden case 'deeper networks': values differ``: what the case varies, and the kind of its first failure."""
    failure = next((finding for finding in case.findings if finding.kind == "fail"), None)
    if failure is None:
        what = str(case.status)
    elif failure.code == "raised":
        raised = failure.message.split(" raised ", 1)[-1].split(":", 1)[0].split()[0]  # the exception's type, not its text
        what = f"raised {raised}"
    else:
        what = HIDDEN_FAILURES.get(failure.code, str(case.status))
    return f"hidden case '{case.case.varies or case.case.name}': {what}"


def to_gradescope(report: GradeReport, show_hidden: bool = False, hidden_visibility: str = "after_published") -> dict:
    """Gradescope's results.json: per exercise a test of its public cases (visible) and one of its hidden cases.

    The hidden test has ``hidden_visibility`` ("after_published" by default; "after_due_date" or "hidden") and its
    text never holds a hidden case's inputs or expected values unless ``show_hidden`` (an instructor's copy). The
    exercise's points are shared between its two tests as its cases are, so the tests add up to the exercise's score
    and the top-level score is their sum.
    """
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"hidden_visibility must be one of {', '.join(VISIBILITIES)}, not {hidden_visibility!r}")
    tests = [test for outcome in report.exercises for test in _gradescope_tests(outcome, report.hidden_included, show_hidden,
                                                                               hidden_visibility)]
    score = round(sum(test["score"] for test in tests), 2)
    summary = f"{Path(report.submission).name}: {score:g} / {report.max_score:g}"
    if report.hidden_included and hidden_visibility != "visible":
        summary += f" (hidden cases' results are {hidden_visibility.replace('_', ' ')})"
    output = "\n".join([summary, *report.problems])
    return {"score": score, "execution_time": round(report.seconds, 3), "output": output, "output_format": "text",
            "visibility": "visible", "tests": tests}


def _gradescope_tests(outcome: ExerciseOutcome, hidden_included: bool, show_hidden: bool, hidden_visibility: str) -> list[dict]:
    exercise = outcome.exercise
    name = f"{exercise.id} ({exercise.function})"
    public, hidden = len(exercise.public_cases()), len(exercise.hidden_cases()) if hidden_included else 0
    total = public + hidden or 1
    passed = outcome.status is Status.PASSED
    share = {"public": public / total, "hidden": hidden / total}
    ran = {"public": [c for c in outcome.cases if not c.case.hidden], "hidden": [c for c in outcome.cases if c.case.hidden]}
    tests = []
    for part, visibility in (("public", "visible"), ("hidden", hidden_visibility)):
        if part == "hidden" and not hidden:
            continue
        count = public if part == "public" else hidden
        max_score = round(outcome.max_score * share[part], 2)
        good = count if passed else sum(case.passed for case in ran[part])
        # As the engine scores: the share of passed cases where the cases were judged; nothing where the exercise
        # stopped (missing, timed out, crashed) or was not graded.
        judged = outcome.status in (Status.FAILED, Status.REFUSED)
        score = max_score if passed else round(outcome.max_score * good / total, 2) if judged else 0.0
        tests.append({"name": name if not hidden else f"{name}: {part} cases", "score": score, "max_score": max_score,
                      "status": "passed" if good == count else "failed", "visibility": visibility,
                      "output": exercise_output(outcome, show_hidden, part if hidden else "all")})
    return tests


def write_gradescope(report: GradeReport, path: str | Path, show_hidden: bool = False,
                     hidden_visibility: str = "after_published") -> Path:
    """Gradescope's results.json at ``path``, written atomically: whatever was at the name is replaced, never written through.

    A FIFO or symbolic link planted at ``path`` by a leftover process receives nothing (the rename replaces the
    link itself); a directory, FIFO or device named as ``path`` (directly or through a link) is refused, ValueError.
    ``show_hidden`` and ``hidden_visibility`` as in :func:`to_gradescope`.
    """
    from ..files import check_file_target, write_atomic

    path = Path(path)
    check_file_target(path, "--json")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, (json.dumps(to_gradescope(report, show_hidden, hidden_visibility), indent=2) + "\n").encode("utf-8"))
    return path
