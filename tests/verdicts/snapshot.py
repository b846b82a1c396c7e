"""Every shipped variant's grade as plain data: the record that proves a refactoring changed no verdict.

``python tests/verdicts/snapshot.py --write`` records the grades of each assignment's solution, known
mistakes and correct alternatives (each graded as ``selftest`` grades it: a mistake or alternative on its
own exercise, hidden cases included) into ``tests/verdicts/<assignment>.json``; ``test_verdicts.py``
grades them again and compares. Rewrite the record only for a change meant to move a verdict, and say so
in the commit.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gradelab.assignments import available, load
from gradelab.grading.selftest import grade_source, variants

HERE = Path(__file__).parent


def _findings(findings: list) -> list[list[str]]:
    return [[finding.kind, finding.message] for finding in findings]


def grade_record(report: object) -> dict:
    """What a verdict is: per exercise its status, score, named mistake, and each case's result and messages."""
    return {"score": report.score, "exercises": [
        {"id": outcome.exercise.id, "status": str(outcome.status), "score": outcome.score,
         "mistake": outcome.mistake.name if outcome.mistake else None, "notes": _findings(outcome.notes),
         "cases": [{"case": case.case.name, "passed": case.passed, "findings": _findings(case.findings)}
                   for case in outcome.cases]}
        for outcome in report.exercises]}


def snapshot(name: str) -> dict:
    assignment = load(name)
    record = {}
    for variant in variants(assignment):
        only = [variant.exercise.id] if variant.exercise else None
        key = f"{variant.kind}:{variant.exercise.id if variant.exercise else ''}:{variant.label}"
        record[key] = grade_record(grade_source(assignment, variant.source, only))
    return record


def path_of(name: str) -> Path:
    return HERE / f"{name}.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the grades (default: compare and list differences)")
    parser.add_argument("assignments", nargs="*", help="assignment names (default: every available one)")
    options = parser.parse_args()
    differences = 0
    for name in options.assignments or available():
        record = snapshot(name)
        if options.write:
            path_of(name).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            print(f"{name}: {len(record)} variants recorded")
            continue
        recorded = json.loads(path_of(name).read_text(encoding="utf-8"))
        changed = [key for key in sorted(set(record) | set(recorded)) if record.get(key) != recorded.get(key)]
        differences += len(changed)
        print(f"{name}: {len(record)} variants, {len(changed)} changed" + "".join(f"\n  {key}" for key in changed))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
