"""Comparing a student's output with the expected one, each difference with its own message.

The comparison walks the expected output as a tree (dicts, tuples, lists,
arrays, numbers) and reports, in the course's names: missing and extra keys,
wrong lengths, wrong types, then per array the shape, the dtype, non-finite
values by position, and the largest difference and where it is.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .spec import PathNamer, Tolerance
from .wire import ConvertedArray, Opaque

MAX_POSITIONS = 5
DEFAULT_TOLERANCE = Tolerance()


@dataclass(frozen=True)
class Finding:
    """One observation about a case. Only ``kind == "fail"`` costs points."""

    kind: str  # "fail", "warn" or "info"
    message: str


def default_namer(root: str) -> PathNamer:
    def name(path: tuple) -> str:
        return root + "".join(f"[{key!r}]" for key in path)

    return name


def compare(expected: Any, got: Any, namer: PathNamer, tolerance: Tolerance = DEFAULT_TOLERANCE, strict_dtype: bool = True,
            path: tuple = ()) -> list[Finding]:
    """All differences between ``expected`` and ``got``; an empty list means they agree."""
    name = namer(path)
    if isinstance(got, Opaque):
        return [Finding("fail", f"{name}: expected {_kind(expected)}, got a {got.type_name} object, which the grader does not accept")]
    if isinstance(expected, dict):
        return _compare_dict(expected, got, namer, tolerance, strict_dtype, path)
    if isinstance(expected, tuple | list):
        return _compare_sequence(expected, got, namer, tolerance, strict_dtype, path)
    if isinstance(expected, np.ndarray):
        return compare_array(expected, got, name, tolerance, strict_dtype)
    if isinstance(expected, numbers.Number) and not isinstance(expected, bool):
        return _compare_number(expected, got, name, tolerance)
    if expected != got or type(expected) is not type(got):
        return [Finding("fail", f"{name}: expected {expected!r}, got {_short(got)}")]
    return []


def _compare_dict(expected: dict, got: Any, namer: PathNamer, tolerance: Tolerance, strict_dtype: bool, path: tuple) -> list[Finding]:
    name = namer(path)
    if not isinstance(got, dict):
        return [Finding("fail", f"{name}: expected a dict with keys {sorted(map(str, expected))}, got {_kind(got)}")]
    findings = []
    missing = [key for key in expected if key not in got]
    extra = [key for key in got if key not in expected]
    if missing:
        findings.append(Finding("fail", f"{name}: missing key{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}"
                                        + (" (the dict is empty)" if not got else "")))
    if extra:
        findings.append(Finding("fail", f"{name}: unexpected key{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))}"))
    for key in expected:
        if key in got:
            findings.extend(compare(expected[key], got[key], namer, tolerance, strict_dtype, path + (key,)))
    return findings


def _compare_sequence(expected: tuple | list, got: Any, namer: PathNamer, tolerance: Tolerance, strict_dtype: bool,
                      path: tuple) -> list[Finding]:
    name = namer(path)
    if not isinstance(got, tuple | list):
        return [Finding("fail", f"{name}: expected a {type(expected).__name__} of {len(expected)} items, got {_kind(got)}")]
    if len(got) != len(expected):
        return [Finding("fail", f"{name}: expected {len(expected)} items, got {len(got)}")]
    findings = []
    for index, (item_expected, item_got) in enumerate(zip(expected, got)):
        findings.extend(compare(item_expected, item_got, namer, tolerance, strict_dtype, path + (index,)))
    return findings


def compare_array(expected: np.ndarray, got: Any, name: str, tolerance: Tolerance = DEFAULT_TOLERANCE,
                  strict_dtype: bool = True) -> list[Finding]:
    """Shape, dtype, finiteness and values, each with its own message."""
    findings = []
    if isinstance(got, ConvertedArray):
        findings.append(Finding("info", f"{name}: returned a {got.original_type}, graded as a plain numpy array"))
        got = np.asarray(got)
    elif isinstance(got, numbers.Number) and expected.ndim == 0:
        got = np.asarray(got)
    if not isinstance(got, np.ndarray):
        return [Finding("fail", f"{name}: expected a numpy array of shape {expected.shape}, got {_kind(got)}")]
    if got.shape != expected.shape:
        hint = " (transposed?)" if got.shape == expected.shape[::-1] and expected.ndim == 2 else ""
        return findings + [Finding("fail", f"{name}: expected shape {expected.shape}, got shape {got.shape}{hint}")]
    if strict_dtype and _dtype_family(got.dtype) != _dtype_family(expected.dtype):
        findings.append(Finding("fail", f"{name}: expected {_dtype_family(expected.dtype)} values ({expected.dtype}), got {got.dtype}"))
        if got.dtype.kind not in "biuf":
            return findings
    got = got.astype(float) if got.dtype.kind in "biu" and expected.dtype.kind == "f" else got
    return findings + _compare_values(expected, got, name, tolerance)


def _compare_values(expected: np.ndarray, got: np.ndarray, name: str, tolerance: Tolerance) -> list[Finding]:
    if expected.dtype.kind not in "fc" or got.dtype.kind not in "fc":
        wrong = np.argwhere(np.asarray(expected != got))
        if wrong.size == 0:
            return []
        return [Finding("fail", f"{name}: {len(wrong)} of {expected.size} entries differ, first at {_positions(wrong)}")]
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if bad.any():
        return [Finding("fail", f"{name}: NaN or inf where finite values are expected, at {_positions(np.argwhere(bad))}")]
    close = np.isclose(got, expected, rtol=tolerance.rtol, atol=tolerance.atol, equal_nan=True)
    if close.all():
        return []
    difference = np.where(close, 0.0, np.abs(got - expected))
    where = np.unravel_index(int(np.nanargmax(difference)), expected.shape)
    return [Finding("fail", f"{name}: values differ: {int((~close).sum())} of {expected.size} entries, largest difference "
                            f"{difference[where]:.3g} at {list(map(int, where))} (expected {expected[where]:.8g}, got {got[where]:.8g})")]


def _compare_number(expected: numbers.Number, got: Any, name: str, tolerance: Tolerance) -> list[Finding]:
    if isinstance(got, np.ndarray):
        if got.shape != ():
            return [Finding("fail", f"{name}: expected a number, got an array of shape {got.shape} "
                                    "(np.squeeze(...) or .item() makes it one)")]
        got = got[()]
    if not isinstance(got, numbers.Number) or isinstance(got, bool):
        return [Finding("fail", f"{name}: expected a number, got {_kind(got)}")]
    if not np.isfinite(got) and np.isfinite(expected):
        return [Finding("fail", f"{name}: expected a finite number {expected:.8g}, got {got}")]
    if not np.isclose(got, expected, rtol=tolerance.rtol, atol=tolerance.atol):
        return [Finding("fail", f"{name}: expected {expected:.8g}, got {got:.8g} (difference {abs(got - expected):.3g})")]
    return []


def _dtype_family(dtype: np.dtype) -> str:
    return {"b": "boolean", "i": "integer", "u": "integer", "f": "float", "c": "complex"}.get(dtype.kind, str(dtype))


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
