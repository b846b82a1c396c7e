"""The class report: one self-contained HTML page, figures embedded as base64 PNG, no external assets.

It is built from the gradebook alone, so it describes every result ever
written, including those of earlier, interrupted runs. Its numbers come from
one partition of the class (:func:`counts`): every student is graded, not
gradable (unreadable, crashed, timed out, a grader error...) or not submitted,
and every figure, mean and pass rate on the page is over the graded ones, so
that no unreadable file is averaged in as a zero and no two sections disagree.
"""

from __future__ import annotations

import base64
import html
import io
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import matplotlib

matplotlib.use("Agg")  # no display on a grading server
import matplotlib.pyplot as plt  # noqa: E402

from ..files import write_atomic  # noqa: E402
from ..grading.spec import Assignment  # noqa: E402
from .feedback import FOLDER, NOT_SUBMITTED, feedback_files  # noqa: E402
from .gradebook import Gradebook  # noqa: E402
from .lms import EXPORTED  # noqa: E402

STYLE = """body{font-family:system-ui,sans-serif;max-width:1300px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}img{max-width:100%}.num{text-align:right}pre{white-space:pre-wrap;margin:0;font-size:90%}
table.sortable th{cursor:pointer}table.sortable th[aria-sort=ascending]::after{content:" ▲"}
table.sortable th[aria-sort=descending]::after{content:" ▼"}#counts th{font-weight:normal}#counts .sub th{padding-left:2em}
.wide{overflow-x:auto}#students td,#students th{padding:3px 6px;font-size:90%}#students td:last-child{min-width:16em}"""

#: Click a header to sort by it, again to reverse: numbers by the cell's data-sort, text by its words.
SORT_SCRIPT = """<script>
document.querySelectorAll('table.sortable').forEach(table => table.querySelectorAll('th').forEach((th, column) => {
  th.addEventListener('click', () => {
    const ascending = th.getAttribute('aria-sort') !== 'ascending';
    table.querySelectorAll('th').forEach(other => other.removeAttribute('aria-sort'));
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    const key = row => row.cells[column].dataset.sort ?? row.cells[column].textContent.trim();
    const numeric = th.dataset.type === 'number';
    const order = (a, b) => numeric ? Number(key(a)) - Number(key(b)) : key(a).localeCompare(key(b));
    const body = table.tBodies[0];
    [...body.rows].sort((a, b) => ascending ? order(a, b) : order(b, a)).forEach(row => body.appendChild(row));
  });
}));
</script>"""


def _png(figure: plt.Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(data: str, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


@dataclass(frozen=True)
class Cell:
    """A cell whose content is already HTML (a link), and the key a click on its column's header sorts by."""

    html: str
    sort: str = ""


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str, css_id: str,
           numbers: frozenset[str] = frozenset()) -> str:
    """A table, sortable by a click on a header where ``numbers`` names the numeric columns (empty: not sortable)."""
    if not rows:
        return f'<p id="{css_id}" class="empty">{html.escape(empty)}</p>'
    head = "".join(f'<th data-type="{"number" if h in numbers else "text"}">{html.escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    sortable = ' class="sortable"' if numbers else ""
    return f'<table id="{css_id}"{sortable}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value: object) -> str:
    if isinstance(value, Cell):
        return f'<td data-sort="{html.escape(value.sort)}">{value.html}</td>'
    if isinstance(value, float):
        return f'<td class="num" data-sort="{value!r}">{value:g}</td>'
    text = str(value)
    return f"<td><pre>{html.escape(text)}</pre></td>" if "\n" in text else f"<td>{html.escape(text)}</td>"


def histogram(scores: list[float], max_score: float) -> str:
    figure, axes = plt.subplots(figsize=(7, 3.2))
    bins = max(int(max_score), 1)
    axes.hist(scores, bins=bins, range=(0, max(max_score, 1e-9)), color="#4c72b0", edgecolor="white")
    axes.set(xlabel=f"score (out of {max_score:g})", ylabel="students", title=f"Score distribution ({len(scores)} graded)")
    return _png(figure)


def pass_rate_figure(names: list[str], rates: list[float]) -> str:
    figure, axes = plt.subplots(figsize=(7, 0.5 + 0.45 * max(len(names), 1)))
    axes.barh(names[::-1], [100 * r for r in rates[::-1]], color="#55a868")
    axes.set(xlim=(0, 100), xlabel="% of graded submissions passing", title="Pass rate per exercise")
    return _png(figure)


@dataclass
class Counts:
    """The one partition of the class every number on the page comes from; graded + not gradable = submitted."""

    graded: int = 0
    not_gradable: Counter = field(default_factory=Counter)  # status -> students: unreadable, crashed, timeout, error...
    not_submitted: int = 0

    @property
    def submitted(self) -> int:
        return self.graded + sum(self.not_gradable.values())

    @property
    def students(self) -> int:
        return self.submitted + self.not_submitted


def counts(subs: Sequence[sqlite3.Row]) -> Counts:
    result = Counts()
    for row in subs:
        if row["status"] == "graded":
            result.graded += 1
        elif row["status"] == NOT_SUBMITTED:
            result.not_submitted += 1
        else:
            result.not_gradable[row["status"]] += 1
    return result


def counts_section(numbers: Counts, graded_scores: list[float], max_score: float) -> str:
    """The page's only counts: each a row with data-count, so a test (or a reader) can check that they add up."""
    breakdown = ", ".join(f"{n} {status}" for status, n in sorted(numbers.not_gradable.items()))
    rows = [("students", numbers.students, "", ""), ("submitted", numbers.submitted, "", ""),
            ("graded", numbers.graded, "sub", "their code ran and was judged on every exercise"),
            ("not gradable", sum(numbers.not_gradable.values()), "sub", breakdown),
            ("not submitted", numbers.not_submitted, "", "on the roster, no submission")]
    body = "".join(f'<tr class="{css}"><th>{name}</th><td class="num" data-count="{name.replace(" ", "-")}">{n}</td>'
                   f"<td>{html.escape(note)}</td></tr>" for name, n, css, note in rows)
    mean = (f"mean {sum(graded_scores) / len(graded_scores):.2f} / {max_score:g} over the {len(graded_scores)} graded; "
            "submissions that could not be graded are not averaged in" if graded_scores else "no submission graded yet")
    return f'<table id="counts"><tbody>{body}</tbody></table><p id="mean">{html.escape(mean)}</p>'


def _graded(gradebook: Gradebook) -> set[str]:
    return {row["student"] for row in gradebook.submissions() if row["status"] == "graded"}


def pass_rates(gradebook: Gradebook, assignment: Assignment) -> list[tuple[str, str, int, int, float]]:
    """Per exercise: id, function, passed, graded, rate, over the graded submissions only."""
    graded = _graded(gradebook)
    rows = []
    for exercise in assignment.exercises:
        statuses = [row["status"] for row in gradebook.query("SELECT student, status FROM exercises WHERE exercise_id = ?",
                                                             (exercise.id,)) if row["student"] in graded]
        passed = sum(status == "passed" for status in statuses)
        rows.append((exercise.id, exercise.function, passed, len(statuses), passed / len(statuses) if statuses else 0.0))
    return rows


def case_pass_rates(gradebook: Gradebook, assignment: Assignment) -> list[tuple[str, str, str, int, int, str]]:
    """Per exercise and case, in the declaration's order: hidden cases by their name only, never their findings."""
    graded, tally = _graded(gradebook), {}
    for row in gradebook.query("SELECT student, exercise_id, case_name, hidden, passed FROM checks"):
        if row["student"] in graded:
            passed, total = tally.get((row["exercise_id"], row["case_name"]), (0, 0))
            tally[(row["exercise_id"], row["case_name"])] = (passed + bool(row["passed"]), total + 1)
    rows = []
    for exercise in assignment.exercises:
        for case in exercise.cases:
            passed, total = tally.get((exercise.id, case.name), (0, 0))
            rate = f"{100 * passed / total:.0f}%" if total else "—"
            rows.append((exercise.id, case.name, "hidden" if case.hidden else "public", passed, total, rate))
    return rows


def _student_cell(student: str, links: dict[str, str]) -> Cell:
    name = html.escape(student)
    return Cell(f'<a href="{links[student]}">{name}</a>' if student in links else name, student)


def feedback_links(gradebook: Gradebook, report: Path) -> dict[str, str]:
    """Student -> the relative address of their feedback page, for the pages that exist beside the report."""
    names = feedback_files(row["student"] for row in gradebook.submissions())
    return {student: f"{FOLDER}/{quote(name)}" for student, name in names.items() if (report.parent / FOLDER / name).is_file()}


def students_table(gradebook: Gradebook, assignment: Assignment, links: dict[str, str]) -> str:
    """One row per student: status, score, each exercise's points, known mistakes; sortable by every column."""
    ids = [exercise.id for exercise in assignment.exercises]
    per_student: dict[str, dict[str, sqlite3.Row]] = {}
    for row in gradebook.exercises():
        per_student.setdefault(row["student"], {})[row["exercise_id"]] = row
    rows = []
    for sub in gradebook.submissions():
        # Where no code of the student's was judged (unreadable, empty, not submitted, the grader's error), the 0 in the
        # gradebook is not a grade: "—", sorted below every score, as in canvas.csv and moodle.csv, which leave it out.
        mine = per_student.get(sub["student"], {}) if sub["status"] in EXPORTED else {}
        score = float(sub["score"]) if sub["status"] in EXPORTED else Cell("—", "-1")
        points = [float(mine[i]["score"]) if i in mine else Cell("—", "-1") for i in ids]
        mistakes = "; ".join(f"{i}: {mine[i]['mistake']}" for i in ids if i in mine and mine[i]["mistake"])
        rows.append((_student_cell(sub["student"], links), sub["status"], score, *points, mistakes))
    numbers = frozenset(["score", *ids])
    return _table(["student", "status", "score", *ids, "known mistakes"], rows, "no student yet", "students", numbers)


def mistakes_table(gradebook: Gradebook, links: dict[str, str]) -> str:
    """Each known mistake with the students who made it, the most common first."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for row in gradebook.exercises():
        if row["mistake"]:
            groups.setdefault((row["exercise_id"], row["mistake"], row["hint"] or ""), []).append(row["student"])
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    rows = [(exercise, mistake, float(len(students)), Cell(", ".join(_student_cell(s, links).html for s in students)), hint)
            for (exercise, mistake, hint), students in ordered]
    return _table(["exercise", "mistake", "students", "who", "hint they get"], rows, "no known mistake was matched",
                  "mistakes", frozenset(["students"]))


def problems_table(subs: Sequence[sqlite3.Row], links: dict[str, str]) -> str:
    """Every submitted student not graded, with the status and the reason: crashes and timeouts among them."""
    rows = [(_student_cell(r["student"], links), r["status"], r["error"], r["path"])
            for r in subs if r["status"] not in ("graded", NOT_SUBMITTED)]
    return _table(["student", "status", "what happened", "file"], rows, "every submission was graded normally", "problems")


def not_submitted(subs: Sequence[sqlite3.Row]) -> str:
    missing = [html.escape(r["student"]) for r in subs if r["status"] == NOT_SUBMITTED]
    text = ", ".join(missing) if missing else "everyone on the roster submitted (or no roster was given)"
    return f'<p id="not-submitted">{text}</p>'


def ignored_table(gradebook: Gradebook) -> str:
    """What the class folder held that names no student (notes, PDFs): listed, never counted as a student."""
    rows = [(row["path"], row["reason"]) for row in gradebook.ignored()]
    return _table(["path", "why it is not a submission"], rows, "nothing was ignored", "ignored")


def sections(gradebook: Gradebook, assignment: Assignment, links: dict[str, str] | None = None) -> list[str]:
    links = links or {}
    subs = gradebook.submissions()
    graded = [row["score"] for row in subs if row["status"] == "graded"]
    rates = pass_rates(gradebook, assignment)
    slowest = sorted((r for r in subs if r["status"] != NOT_SUBMITTED), key=lambda r: -r["seconds"])[:10]
    exported = ("canvas.csv and moodle.csv carry the graded, crashed and timed-out submissions' scores only; "
                "the others below have no grade there until you enter one")
    return [
        f'<h2>Students</h2><div class="wide">{students_table(gradebook, assignment, links)}</div>',
        f"<h2>Score distribution</h2>{_img(histogram(graded, assignment.max_score), 'score histogram')}",
        f"<h2>Pass rate per exercise</h2>{_img(pass_rate_figure([r[0] for r in rates], [r[4] for r in rates]), 'pass rates')}"
        + _table(["exercise", "function", "passed", "graded", "pass rate"],
                 [(a, b, c, d, f"{100 * e:.0f}%") for a, b, c, d, e in rates], "no exercise graded yet", "pass-rates"),
        "<h2>Pass rate per case</h2>" + _table(["exercise", "case", "kind", "passed", "graded", "pass rate"],
                                               case_pass_rates(gradebook, assignment), "no case graded yet", "case-rates"),
        f"<h2>Known mistakes and who made them</h2>{mistakes_table(gradebook, links)}",
        f"<h2>Not gradable: crashed, timed out, unreadable, grader errors</h2><p>{html.escape(exported)}.</p>"
        + problems_table(subs, links),
        f"<h2>Not submitted</h2>{not_submitted(subs)}",
        f"<h2>Ignored: not submissions</h2>{ignored_table(gradebook)}",
        "<h2>Slowest submissions</h2>" + _table(["student", "seconds", "status", "score"],
                                                [(r["student"], f"{r['seconds']:.2f}", r["status"], r["score"]) for r in slowest],
                                                "nothing graded yet", "slowest"),
    ]


def isolation_banner(students: Sequence[str]) -> str:
    """Said plainly at the top: whose code ran without the kernel sandbox (see `gradelab doctor`)."""
    if not students:
        return ""
    names = ", ".join(html.escape(student) for student in students[:20]) + (" and more" if len(students) > 20 else "")
    return (f'<p class="warn" id="not-isolated"><strong>Not isolated:</strong> {len(students)} submission'
            f'{"s" if len(students) != 1 else ""} ran behind the Python-level guard only, without the kernel sandbox '
            f"({names}). Run <code>gradelab doctor</code> on the grading machine.</p>")


def write_report(gradebook: Gradebook, assignment: Assignment, path: Path) -> Path:
    """report.html at ``path``, each student linked to the feedback page beside it (feedback/, written before)."""
    subs = gradebook.submissions()
    graded = [row["score"] for row in subs if row["status"] == "graded"]
    summary = isolation_banner(gradebook.unisolated()) + counts_section(counts(subs), graded, assignment.max_score)
    title = html.escape(f"{assignment.title} — class report")
    body = "".join(sections(gradebook, assignment, feedback_links(gradebook, path)))
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{STYLE}</style></head>'
            f"<body><h1>{title}</h1>{summary}{body}{SORT_SCRIPT}</body></html>\n")
    write_atomic(path, page.encode("utf-8"))  # replaces whatever is at the name, never writes through it
    return path
