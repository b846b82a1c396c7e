"""Differences between a student's output and the expected one, each in words of its own.

The walk itself is :mod:`.trees` (one rule for every comparison in gradelab);
this module names each :class:`~.trees.Difference` in the course's notation:
missing and extra keys, wrong lengths, wrong types, then per array the shape,
the dtype, non-finite values by position, and the largest difference and where it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .outcome import Finding
from .protocol.trees import Difference, Tolerance, differences, dtype_family
from .protocol.wire import Opaque

#: Names a position in an output tree in course notation, e.g. (1, 0, 0, 0) -> "caches[0] linear cache A[0] = X".
PathNamer = Callable[[tuple], str]
MAX_POSITIONS = 5
DEFAULT_TOLERANCE = Tolerance()

__all__ = ["DEFAULT_TOLERANCE", "Finding", "PathNamer", "compare", "default_namer", "describe"]


def default_namer(root: str) -> PathNamer:
    def name(path: tuple) -> str:
        return root + "".join(f"[{key!r}]" for key in path)

    return name


def compare(expected: Any, got: Any, namer: PathNamer, tolerance: Tolerance = DEFAULT_TOLERANCE,
            strict_dtype: bool = True) -> list[Finding]:
    """All differences between ``expected`` and ``got`` in words; an empty list means they agree."""
    findings = []
    for difference in differences(expected, got, tolerance, strict_dtype):
        findings.extend(describe(difference, namer(difference.path)))
    return findings


def describe(difference: Difference, name: str) -> list[Finding]:
    """The words for one difference, at the position called ``name``."""
    expected, got, kind = difference.expected, difference.got, difference.kind
    if kind == "subclass":
        return [Finding("info", f"{name}: returned a {difference.detail}, graded as a plain numpy array", "subclass")]
    if kind == "type":
        return [Finding("fail", _type_message(expected, got, name), "type")]
    if kind == "keys":
        return _keys_findings(difference.detail, got, name)
    if kind == "length":
        return [Finding("fail", f"{name}: expected {len(expected)} items, got {len(got)}", "length")]
    if kind == "shape":
        hint = " (transposed?)" if got.shape == expected.shape[::-1] and expected.ndim == 2 else ""
        return [Finding("fail", f"{name}: expected shape {expected.shape}, got shape {got.shape}{hint}", "shape")]
    if kind == "dtype":
        return [Finding("fail", f"{name}: expected {dtype_family(expected.dtype)} values ({expected.dtype}), got {got.dtype}", "dtype")]
    return [Finding("fail", _value_message(difference, name), kind)]


def _type_message(expected: Any, got: Any, name: str) -> str:
    if isinstance(got, Opaque):
        return f"{name}: expected {_kind(expected)}, got a {got.type_name} object, which the grader does not accept"
    if isinstance(expected, dict):
        return f"{name}: expected a dict with keys {sorted(map(str, expected))}, got {_kind(got)}"
    if isinstance(expected, tuple | list):
        return f"{name}: expected a {type(expected).__name__} of {len(expected)} items, got {_kind(got)}"
    if isinstance(expected, np.ndarray):
        return f"{name}: expected a numpy array of shape {expected.shape}, got {_kind(got)}"
    return f"{name}: expected {expected!r}, got {_short(got)}"


def _keys_findings(detail: tuple[list, list], got: dict, name: str) -> list[Finding]:
    missing, extra = detail
    findings = []
    if missing:
        findings.append(Finding("fail", f"{name}: missing key{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}"
                                        + (" (the dict is empty)" if not got else ""), "keys"))
    if extra:
        findings.append(Finding("fail", f"{name}: unexpected key{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))}", "keys"))
    return findings


def _value_message(difference: Difference, name: str) -> str:
    expected, got, kind = difference.expected, difference.got, difference.kind
    if kind == "entries":
        return f"{name}: {len(difference.detail)} of {expected.size} entries differ, first at {_positions(difference.detail)}"
    if kind == "nonfinite" and isinstance(expected, np.ndarray):
        return f"{name}: NaN or inf where finite values are expected, at {_positions(difference.detail)}"
    if kind == "nonfinite":
        return f"{name}: expected a finite number {expected:.8g}, got {got}"
    if kind == "not_number" and isinstance(got, np.ndarray):
        return f"{name}: expected a number, got an array of shape {got.shape} (np.squeeze(...) or .item() makes it one)"
    if kind == "not_number":
        return f"{name}: expected a number, got {_kind(got)}"
    if kind == "number":
        return f"{name}: expected {expected:.8g}, got {got:.8g} (difference {abs(got - expected):.3g})"
    close = difference.detail
    gap = np.where(close, 0.0, np.abs(got - expected))
    where = np.unravel_index(int(np.nanargmax(gap)), expected.shape)
    return (f"{name}: values differ: {int((~close).sum())} of {expected.size} entries, largest difference "
            f"{gap[where]:.3g} at {list(map(int, where))} (expected {expected[where]:.8g}, got {got[where]:.8g})")


def _positions(indices: np.ndarray) -> str:
    shown = ", ".join(str(list(map(int, index))) for index in indices[:MAX_POSITIONS])
    return shown + (f" and {len(indices) - MAX_POSITIONS} more" if len(indices) > MAX_POSITIONS else "")


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, Opaque):
        return f"a {value.type_name} object"
    if value is None:
        return "None"
    if isinstance(value, dict):
        return f"a dict with keys {sorted(map(str, value))}" if value else "an empty dict"
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__} ({_short(value)})"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
