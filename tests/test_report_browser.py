"""The class report opened in a real headless Chromium: its figures decode, its tables have rows, its counts add up,
its student table sorts on a click, its links reach each student's feedback page, and no page shows a hidden value.

Chromium comes from the system's packages (`make browser`: apt-get install -y chromium); without it the
test is skipped, saying so.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gradelab.assignments import load
from gradelab.batch import export
from gradelab.batch.discover import Entry
from gradelab.batch.gradebook import Gradebook, entry_record

ASSIGNMENT = load("initialization")
SECRET = "expected 0.0123 at [3, 7]"  # what a failing hidden case's findings say: never on a student's page
PROBE = """<script>window.addEventListener('load', () => {
  const images = [...document.images].map(i => i.complete + ':' + i.naturalWidth + 'x' + i.naturalHeight);
  const out = document.createElement('div'); out.id = 'probe'; out.textContent = images.join(' ');
  document.body.appendChild(out);
});</script></body>"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("Chromium is not installed: run `make browser` (apt-get install -y chromium) to test the report in a browser")


def _cases(passed: bool) -> list[dict]:
    return [{"case": "public", "hidden": False, "passed": passed, "crashed": False, "seconds": 0.01,
             "findings": [] if passed else [{"kind": "fail", "message": "W1 values differ", "code": "values"}]},
            {"case": "deeper", "hidden": True, "passed": passed, "crashed": False, "seconds": 0.01,
             "findings": [] if passed else [{"kind": "fail", "message": f"W3 values differ: {SECRET}", "code": "values"}]}]


def _record(student: str, scores: list[float], mistake: str | None, seconds: float) -> dict:
    exercises = [{"id": e.id, "function": e.function, "status": "passed" if s == e.points else "failed", "score": s,
                  "max_score": e.points, "mistake": mistake if s != e.points else None,
                  "hint": "look at the seeds" if s != e.points and mistake else None, "notes": [],
                  "cases": _cases(s == e.points)} for e, s in zip(ASSIGNMENT.exercises, scores)]
    return {"student": student, "path": f"{student}.py", "sha256": "0" * 64, "grader_version": "test", "status": "graded",
            "score": sum(scores), "max_score": 10.0, "seconds": seconds, "error": "", "problems": [], "exercises": exercises,
            "gradescope": {"score": sum(scores), "tests": []}}


@pytest.fixture
def report(tmp_path) -> Path:
    """The exports of a class of 12 graded (scores 6 to 10, four with a known mistake), one unreadable, one timed out,
    one not submitted: report.html beside feedback/."""
    book = Gradebook(tmp_path / "gradebook.sqlite")
    for number in range(12):
        wrong = number % 3 == 0
        book.record(_record(f"s{number:02d}", [0.0 if wrong else 2.0] + [2.0] * 3 + [float(number % 2) * 2],
                            "seeds swapped" if wrong else None, 1.0 + number / 10))
    book.record(entry_record(Entry("bad", "bad.ipynb", "1" * 64, "unreadable", "notebook bad.ipynb is not valid JSON"), 10, "test"))
    slow = _record("slow", [2.0] * 4 + [0.0], None, 30.0)
    slow.update(status="timeout", error="initialize_parameters_he timed out after 1 s")
    book.record(slow)
    book.record(entry_record(Entry("zed", "", "", "not submitted", "on the roster, no submission"), 10, "test"))
    try:
        assert export(book, ASSIGNMENT, tmp_path) == []
    finally:
        book.close()
    return tmp_path / "report.html"


def _run(browser: str, tmp_path: Path, *args: str) -> str:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}"]
    result = subprocess.run([browser, *flags, *args], capture_output=True, text=True, timeout=90,
                            env={**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_report_renders_in_chromium(report, tmp_path):
    browser = chromium()
    probed = tmp_path / "probed.html"
    probed.write_text(report.read_text().replace("</body>", PROBE))
    dom = _run(browser, tmp_path, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri())
    images = re.search(r'<div id="probe">([^<]*)</div>', dom)
    assert images, "the probe script did not run"
    sizes = images.group(1).split()
    assert len(sizes) == 2 and all(size.startswith("true:") and not size.startswith("true:0x") for size in sizes), sizes
    for table in ("students", "pass-rates", "case-rates", "mistakes", "problems", "slowest"):
        body = re.search(rf'<table id="{table}"[^>]*>.*?<tbody>(.*?)</tbody>', dom, re.S)
        assert body and body.group(1).count("<tr>") >= 1, table
    assert "seeds swapped" in dom and "look at the seeds" in dom and "not valid JSON" in dom and "timed out after 1 s" in dom
    screenshot = tmp_path / "report.png"
    _run(browser, tmp_path, f"--screenshot={screenshot}", "--window-size=1200,2000", report.as_uri())
    assert screenshot.stat().st_size > 20_000
    if os.environ.get("GRADELAB_KEEP_SCREENSHOT"):  # to look at it: GRADELAB_KEEP_SCREENSHOT=/tmp/report.png
        shutil.copy(screenshot, os.environ["GRADELAB_KEEP_SCREENSHOT"])


SORTER = """<script>window.addEventListener('load', () => {
  const table = document.getElementById('students');
  const header = [...table.tHead.rows[0].cells].find(cell => cell.textContent.trim() === 'score');
  const order = () => [...table.tBodies[0].rows].map(row => row.cells[0].textContent.trim()).join(',');
  const seen = [order()];
  header.click(); seen.push(order());
  header.click(); seen.push(order());
  const out = document.createElement('div'); out.id = 'sorted'; out.textContent = seen.join(' ');
  document.body.appendChild(out);
});</script></body>"""


def _dom(browser: str, tmp_path: Path, report: Path, script: str) -> str:
    probed = report.with_name("probed.html")  # beside the report, so its relative links resolve as the report's do
    probed.write_text(report.read_text(encoding="utf-8").replace("</body>", script), encoding="utf-8")
    return _run(browser, tmp_path, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri())


def test_counts_add_up_and_match_the_tables(report, tmp_path):
    dom = _dom(chromium(), tmp_path, report, "</body>")
    counts = {name: int(value) for name, value in re.findall(r'data-count="([a-z-]+)">(\d+)<', dom)}
    assert counts == {"students": 15, "submitted": 14, "graded": 12, "not-gradable": 2, "not-submitted": 1}, counts
    assert counts["graded"] + counts["not-gradable"] == counts["submitted"]
    assert counts["submitted"] + counts["not-submitted"] == counts["students"]
    rows = re.search(r'<table id="students".*?<tbody>(.*?)</tbody>', dom, re.S).group(1).count("<tr>")
    problems = re.search(r'<table id="problems".*?<tbody>(.*?)</tbody>', dom, re.S).group(1).count("<tr>")
    assert rows == counts["students"] and problems == counts["not-gradable"]
    scores = [8.0 if n % 3 else 6.0 for n in range(12)]
    scores = [s + (2.0 if n % 2 else 0.0) for n, s in enumerate(scores)]
    assert f"mean {sum(scores) / 12:.2f} / 10 over the 12 graded" in dom  # the unreadable file is not averaged in as 0


def test_the_student_table_sorts_on_a_click(report, tmp_path):
    dom = _dom(chromium(), tmp_path, report, SORTER)
    seen = re.search(r'<div id="sorted">([^<]*)</div>', dom)
    assert seen, "the sorting probe did not run"
    before, ascending, descending = (order.split(",") for order in seen.group(1).split(" "))
    book = Gradebook(report.parent / "gradebook.sqlite")
    try:
        rows = {row["student"]: row for row in book.submissions()}
    finally:
        book.close()
    assert before == sorted(rows)
    # Where none of a student's code was judged (unreadable, not submitted), there is no score: they sort below every score.
    key = {student: row["score"] if row["status"] not in ("unreadable", "not submitted") else -1 for student, row in rows.items()}
    assert ascending == sorted(before, key=key.get)
    assert descending == sorted(before, key=lambda student: -key[student])
    assert ascending != before and descending != ascending


def test_each_student_links_to_an_existing_feedback_page_without_hidden_values(report, tmp_path):
    dom = _dom(chromium(), tmp_path, report, "</body>")
    table = re.search(r'<table id="students".*?</table>', dom, re.S).group(0)
    links = dict((html.unescape(name), html.unescape(href)) for href, name in re.findall(r'<a href="([^"]+)">([^<]+)</a>', table))
    assert sorted(links) == ["bad", "s00", "s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10", "s11",
                             "slow", "zed"]
    for student, href in links.items():
        page = report.parent / href
        assert page.is_file() and page.parent == report.parent / "feedback", href
        text = html.unescape(page.read_text(encoding="utf-8"))
        assert student in text and SECRET not in text and "W3 values differ" not in text, student
    wrong = html.unescape((report.parent / links["s00"]).read_text(encoding="utf-8"))
    assert "hidden case 'deeper networks': values differ" in wrong and "W1 values differ" in wrong and "look at the seeds" in wrong
