"""Finite differences: the one judge that checks returned gradients against numerical ones.

A *witness* turns a case's inputs into a scalar cost whose gradient is exactly what
the backward function must return, and gives that gradient by central differences
(:func:`gradelab.nn.gradcheck.numerical_gradient`, CS231n's ``eval_numerical_gradient``).
Assignments register their witnesses by name (``deep_network.linear_backward``);
the judge names one, so it travels as data.

**The threshold rule**, one for every witness: a returned gradient fails when its
relative error ``||a - n|| / (||a|| + ||n||)`` (CS231n's, the course's
``relative_error``) exceeds ``rtol`` (1e-5) *and* some entry differs by more than
``atol`` (1e-7): below that a gradient is numerically zero and a relative error
means nothing. Central differences of the smooth costs used here agree with a
right analytic gradient to about 1e-8 (1e-10 for costs linear in their inputs).
Gradients of a wrong shape, type or with NaN are left to the value comparison,
which already names the problem.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ...nn.gradcheck import relative_error
from ..outcome import Finding
from .base import CaseContext, Judge, Probe, register


@dataclass(frozen=True)
class Gradients:
    """What a witness computed for one case: numerical gradients by name, their labels, and the cost's formula."""

    numeric: Mapping[str, np.ndarray]
    of: str
    labels: Mapping[str, str] | None = None  # course names for the gradients; by default their keys


@dataclass(frozen=True)
class Witness:
    compute: Callable[[list, dict], Gradients]
    returns: tuple[str, ...] | None  # names of a returned tuple's items; None: the function returns a dict


WITNESSES: dict[str, Witness] = {}
_KEPT: dict[str, Gradients] = {}  # by fingerprint of witness and inputs: numerical gradients are costly, inputs repeat
_MAX_KEPT = 256


def witness(name: str, returns: tuple[str, ...] | None = None) -> Callable[[Callable[[list, dict], Gradients]], Callable]:
    """Register ``compute(args, kwargs) -> Gradients`` as the witness ``name``."""
    def register_witness(compute: Callable[[list, dict], Gradients]) -> Callable[[list, dict], Gradients]:
        WITNESSES[name] = Witness(compute, returns)
        return compute

    return register_witness


@register
@dataclass(frozen=True)
class FiniteDifferences(Judge):
    name: ClassVar[str] = "finite_differences"
    local: ClassVar[bool] = False  # witnesses run the course's forward pass from gradelab.nn
    witness: str = ""
    rtol: float = 1e-5
    atol: float = 1e-7

    def judge(self, context: CaseContext, expected: Any, got: Any, probe: Probe | None = None) -> list[Finding]:
        if self.witness not in WITNESSES:
            raise LookupError(f"no gradient witness is registered as {self.witness!r}")
        known = WITNESSES[self.witness]
        returned = _as_gradients(got, known.returns)
        if returned is None:
            return []  # the value comparison says what is wrong with the returned structure
        gradients = _remember(self.witness, context.args, context.kwargs, known.compute)
        findings = []
        for key, numeric in gradients.numeric.items():
            value = returned.get(key)
            if not _comparable(value, numeric):
                continue
            error = relative_error(value.astype(float), numeric)
            if error > self.rtol and np.max(np.abs(value - numeric)) > self.atol:
                label = (gradients.labels or {}).get(key, key)
                findings.append(Finding("fail", f"{label} has the right shape but differs from the numerical gradient of "
                                                f"{gradients.of} by {error:.1g} (relative error)", "gradient"))
        return findings


def _as_gradients(got: Any, returns: tuple[str, ...] | None) -> dict | None:
    if returns is None:
        return got if isinstance(got, dict) else None
    if len(returns) == 1:
        return {returns[0]: got}
    if isinstance(got, tuple | list) and len(got) == len(returns):
        return dict(zip(returns, got))
    return None


def _comparable(value: Any, numeric: np.ndarray) -> bool:
    return (isinstance(value, np.ndarray) and value.shape == numeric.shape and value.dtype.kind in "biuf"
            and bool(np.all(np.isfinite(value))))


def _remember(name: str, args: list, kwargs: dict, compute: Callable[[list, dict], Gradients]) -> Gradients:
    key = _fingerprint(name, args, kwargs)
    if key not in _KEPT:
        if len(_KEPT) >= _MAX_KEPT:
            _KEPT.pop(next(iter(_KEPT)))
        _KEPT[key] = compute(args, kwargs)
    return _KEPT[key]


def _fingerprint(*parts: Any) -> str:
    digest = hashlib.sha1()

    def feed(part: Any) -> None:
        if isinstance(part, np.ndarray):
            digest.update(str((part.shape, part.dtype.str)).encode())
            digest.update(np.ascontiguousarray(part).tobytes())
        elif isinstance(part, dict):
            for key in sorted(part, key=repr):
                feed(repr(key))
                feed(part[key])
        elif isinstance(part, list | tuple):
            digest.update(f"{type(part).__name__}{len(part)}".encode())
            for item in part:
                feed(item)
        else:
            digest.update(repr(part).encode())

    feed(parts)
    return digest.hexdigest()
