"""Judges wrapped around the callables of the first declaration API (``case_checks``, ``accept_if``).

They keep an instructor's existing assignment grading the same. They are not
registered by name, so they cannot travel as data: a recording or an autograder
bundle leaves them to the instructor's grading and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ..outcome import Finding
from .base import ACCEPTANCE, CaseContext, Judge, Probe, fails


@dataclass(frozen=True)
class CaseCheck(Judge):
    """``check(args, kwargs, expected, got) -> list[Finding]`` run on every case."""

    name: ClassVar[str] = "case_check"
    local: ClassVar[bool] = False
    check: Callable[..., list] = None

    def judge(self, context: CaseContext, expected: Any, got: Any, probe: Probe | None = None) -> list[Finding]:
        return list(self.check(context.args, context.kwargs, expected, got))


@dataclass(frozen=True)
class Acceptance(Judge):
    """``accept_if(probe) -> (accepted, findings)`` as a second verdict."""

    name: ClassVar[str] = "accept_if"
    role: ClassVar[str] = ACCEPTANCE
    local: ClassVar[bool] = False
    verdict: Callable[..., tuple[bool, list]] = None

    def judge(self, context: CaseContext, expected: Any, got: Any, probe: Probe | None = None) -> list[Finding]:
        accepted, findings = self.verdict(probe)
        findings = list(findings)
        if not accepted and not fails(findings):
            findings.append(Finding("fail", "the second verdict did not accept these values"))
        if accepted:
            findings = [finding if finding.kind != "fail" else Finding("warn", finding.message, finding.code) for finding in findings]
        return findings
