"""Value comparison with a tolerance and a dtype rule, and the output adapter that makes values comparable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..checks import compare
from ..outcome import Finding
from ..protocol.trees import Tolerance
from ..protocol.wire import Ref
from .base import CaseContext, Judge, Probe, register


@register
@dataclass(frozen=True)
class Values(Judge):
    """The student's output equals the reference's within ``rtol``/``atol``, under the rule of :mod:`..trees`.

    ``judged=False`` where many outputs are right (a trained model's parameters): the values then decide
    nothing, and the rule is used only to recognize known mistakes by their outputs.
    """

    name: ClassVar[str] = "values"
    rtol: float = 1e-5
    atol: float = 1e-8
    strict_dtype: bool = True
    judged: bool = True

    @property
    def tolerance(self) -> Tolerance:
        return Tolerance(self.rtol, self.atol)

    def judge(self, context: CaseContext, expected: Any, got: Any, probe: Probe | None = None) -> list[Finding]:
        return self.compare(expected, got, context.namer) if self.judged else []

    def compare(self, expected: Any, got: Any, namer: Any) -> list[Finding]:
        return compare(expected, got, namer, self.tolerance, self.strict_dtype)


@register
@dataclass(frozen=True)
class OutputAdapter(Judge):
    """Turn a returned object that is not plain data (a model) into plain data before judging it.

    The worker applies the student-module function ``module.function`` to the student's return value;
    the grader applies it to the reference's and the known mistakes' outputs, unless ``adapted`` says
    they are already plain data (a recording replays adapted outputs). It judges nothing itself.
    """

    name: ClassVar[str] = "output_adapter"
    module: str = ""
    function: str = ""
    adapted: bool = False

    @classmethod
    def of(cls, ref: Ref, adapted: bool = False) -> OutputAdapter:
        return cls(ref.module, ref.name, adapted)

    @property
    def ref(self) -> Ref:
        return Ref(self.module, self.function)

    def judge(self, context: CaseContext, expected: Any, got: Any, probe: Probe | None = None) -> list[Finding]:
        return []
