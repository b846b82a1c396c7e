"""The class report opened in a real headless Chromium: its figures decode and its tables have rows.

Chromium comes from the system's packages (`make browser`: apt-get install -y chromium); without it the
test is skipped, saying so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gradelab.assignments import load
from gradelab.batch.discover import Entry
from gradelab.batch.gradebook import Gradebook, entry_record
from gradelab.batch.html_report import write_report

ASSIGNMENT = load("initialization")
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


def _record(student: str, scores: list[float], mistake: str | None, seconds: float) -> dict:
    exercises = [{"id": e.id, "function": e.function, "status": "passed" if s == e.points else "failed", "score": s,
                  "max_score": e.points, "mistake": mistake if s != e.points else None,
                  "hint": "look at the seeds" if s != e.points and mistake else None, "notes": [],
                  "cases": [{"case": "public", "hidden": False, "passed": s == e.points, "crashed": False, "seconds": 0.01,
                             "findings": []}]} for e, s in zip(ASSIGNMENT.exercises, scores)]
    return {"student": student, "path": f"{student}.py", "sha256": "0" * 64, "grader_version": "test", "status": "graded",
            "score": sum(scores), "max_score": 10.0, "seconds": seconds, "error": "", "problems": [], "exercises": exercises,
            "gradescope": {"score": sum(scores), "tests": []}}


@pytest.fixture
def report(tmp_path) -> Path:
    book = Gradebook(tmp_path / "gradebook.sqlite")
    for number in range(12):
        wrong = number % 3 == 0
        book.record(_record(f"s{number:02d}", [0.0 if wrong else 2.0] + [2.0] * 4, "seeds swapped" if wrong else None,
                            1.0 + number / 10))
    book.record(entry_record(Entry("bad", "bad.ipynb", "1" * 64, "unreadable", "notebook bad.ipynb is not valid JSON"), 10, "test"))
    path = write_report(book, ASSIGNMENT, tmp_path / "report.html")
    book.close()
    return path


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
    for table in ("pass-rates", "mistakes", "problems", "slowest"):
        body = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', dom, re.S)
        assert body and body.group(1).count("<tr>") >= 1, table
    assert "seeds swapped" in dom and "look at the seeds" in dom and "not valid JSON" in dom
    screenshot = tmp_path / "report.png"
    _run(browser, tmp_path, f"--screenshot={screenshot}", "--window-size=1200,2000", report.as_uri())
    assert screenshot.stat().st_size > 20_000
    if os.environ.get("GRADELAB_KEEP_SCREENSHOT"):  # to look at it: GRADELAB_KEEP_SCREENSHOT=/tmp/report.png
        shutil.copy(screenshot, os.environ["GRADELAB_KEEP_SCREENSHOT"])
