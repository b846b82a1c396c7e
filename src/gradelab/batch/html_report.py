"""The class report: one self-contained HTML page, figures embedded as base64 PNG.

It is built from the gradebook alone, so it describes every result ever
written, including those of earlier, interrupted runs.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a grading server
import matplotlib.pyplot as plt  # noqa: E402

from ..files import write_atomic  # noqa: E402
from ..grading.spec import Assignment  # noqa: E402
from .gradebook import Gradebook  # noqa: E402

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}img{max-width:100%}.num{text-align:right}pre{white-space:pre-wrap;margin:0;font-size:90%}"""


def _png(figure: plt.Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(data: str, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str, css_id: str) -> str:
    if not rows:
        return f'<p id="{css_id}" class="empty">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table id="{css_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return f"<pre>{html.escape(text)}</pre>" if "\n" in text else html.escape(text)


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


def pass_rates(gradebook: Gradebook, assignment: Assignment) -> list[tuple[str, str, int, int, float]]:
    rows = []
    for exercise in assignment.exercises:
        (total, passed), = [tuple(r) for r in gradebook.query(
            "SELECT COUNT(*), COALESCE(SUM(status = 'passed'), 0) FROM exercises WHERE exercise_id = ?", (exercise.id,))]
        rows.append((exercise.id, exercise.function, passed, total, passed / total if total else 0.0))
    return rows


def sections(gradebook: Gradebook, assignment: Assignment) -> list[str]:
    subs = gradebook.submissions()
    graded = [row["score"] for row in subs if row["status"] in ("graded", "timeout", "crashed")]
    rates = pass_rates(gradebook, assignment)
    mistakes = gradebook.query("SELECT exercise_id, mistake, hint, COUNT(*) AS n FROM exercises WHERE mistake IS NOT NULL "
                               "GROUP BY exercise_id, mistake ORDER BY n DESC, exercise_id LIMIT 20")
    problems = [r for r in subs if r["status"] != "graded"]
    slowest = sorted(subs, key=lambda r: -r["seconds"])[:10]
    return [
        f"<h2>Score distribution</h2>{_img(histogram(graded, assignment.max_score), 'score histogram')}",
        f"<h2>Pass rate per exercise</h2>{_img(pass_rate_figure([r[0] for r in rates], [r[4] for r in rates]), 'pass rates')}"
        + _table(["exercise", "function", "passed", "graded", "pass rate"],
                 [(a, b, c, d, f"{100 * e:.0f}%") for a, b, c, d, e in rates], "no exercise graded yet", "pass-rates"),
        "<h2>Most common known mistakes</h2>" + _table(["exercise", "mistake", "students", "hint they get"],
                                                       [(r["exercise_id"], r["mistake"], r["n"], r["hint"]) for r in mistakes],
                                                       "no known mistake was matched", "mistakes"),
        "<h2>Submissions that crashed, timed out or could not be graded</h2>" + _table(
            ["student", "status", "what happened", "file"], [(r["student"], r["status"], r["error"], r["path"]) for r in problems],
            "every submission was graded normally", "problems"),
        "<h2>Slowest submissions</h2>" + _table(["student", "seconds", "status", "score"],
                                                [(r["student"], f"{r['seconds']:.2f}", r["status"], r["score"]) for r in slowest],
                                                "nothing graded yet", "slowest"),
    ]


def write_report(gradebook: Gradebook, assignment: Assignment, path: Path) -> Path:
    subs = gradebook.submissions()
    scores = [row["score"] for row in subs]
    mean = sum(scores) / len(scores) if scores else 0.0
    summary = (f"<p>{len(subs)} submissions, mean score {mean:.2f} / {assignment.max_score:g}, "
               f"{sum(r['status'] == 'graded' for r in subs)} graded normally.</p>")
    title = html.escape(f"{assignment.title} — class report")
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{STYLE}</style></head>'
            f"<body><h1>{title}</h1>{summary}{''.join(sections(gradebook, assignment))}</body></html>\n")
    write_atomic(path, page.encode("utf-8"))  # replaces whatever is at the name, never writes through it
    return path
