"""The one comparison of plain-data trees, used by the grader, the worker, the statistics and the recordings.

A tree is what crosses the wire: dicts, lists and tuples of arrays, numbers,
strings, booleans and None. One rule for every user:

* **containers**: a dict matches a dict with the same keys; a list and a tuple are
  both sequences and match when their items match (courses return tuples, a list
  of the same items is the same answer);
* **arrays**: the shapes must be equal. Dtypes are compared by family (boolean,
  integer, float, complex), never by width: float32 and float64 are both floats.
  With ``strict_dtype`` the families must agree; without it integers and booleans
  are read as the floats they equal. A subclass of ``ndarray`` is compared as the
  plain array it holds. NaN equals NaN at the same position, an infinity equals
  the same infinity; NaN or inf where a finite value is expected is a difference;
* **numbers**: Python and NumPy scalars by value (within the tolerance); a 0-d
  array is a number; ``bool`` is not a number;
* **anything else**: equal by ``==`` and of the same type.

``exact`` is the tolerance of zero used to ask "is it the same tree?" (an input
changed in place, a recorded case found again, the same weights for the same seed).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-5
    atol: float = 1e-8


EXACT = Tolerance(0.0, 0.0)
INFORMATION = frozenset({"subclass"})  # kinds of Difference that are not differences in value


@dataclass(frozen=True)
class Difference:
    """One way ``got`` differs from ``expected`` at ``path``: data, turned into words by checks.py."""

    path: tuple
    kind: str  # "type", "keys", "length", "shape", "dtype", "entries", "nonfinite", "values", "number", "not_number",
    # or "subclass": information only, an ndarray subclass compared as the plain array it holds
    expected: Any = None
    got: Any = None
    detail: Any = None


def dtype_family(dtype: np.dtype) -> str:
    return {"b": "boolean", "i": "integer", "u": "integer", "f": "float", "c": "complex"}.get(dtype.kind, str(dtype))


def differences(expected: Any, got: Any, tolerance: Tolerance = Tolerance(), strict_dtype: bool = True,
                path: tuple = ()) -> Iterator[Difference]:
    """Every difference between the trees, outermost first; none means they match."""
    if isinstance(expected, dict):
        yield from _dict_differences(expected, got, tolerance, strict_dtype, path)
    elif isinstance(expected, tuple | list):
        yield from _sequence_differences(expected, got, tolerance, strict_dtype, path)
    elif isinstance(expected, np.ndarray):
        yield from array_differences(expected, got, tolerance, strict_dtype, path)
    elif isinstance(expected, numbers.Number) and not isinstance(expected, bool):
        yield from _number_differences(expected, got, tolerance, path)
    elif type(expected) is not type(got) or expected != got:
        yield Difference(path, "type", expected, got)


def same_tree(a: Any, b: Any, strict_dtype: bool = True) -> bool:
    """Exact equality under the rule above."""
    return not any(difference.kind not in INFORMATION for difference in differences(a, b, EXACT, strict_dtype))


def _dict_differences(expected: dict, got: Any, tolerance: Tolerance, strict_dtype: bool, path: tuple) -> Iterator[Difference]:
    if not isinstance(got, dict):
        yield Difference(path, "type", expected, got)
        return
    missing = [key for key in expected if key not in got]
    extra = [key for key in got if key not in expected]
    if missing or extra:
        yield Difference(path, "keys", expected, got, (missing, extra))
    for key in expected:
        if key in got:
            yield from differences(expected[key], got[key], tolerance, strict_dtype, path + (key,))


def _sequence_differences(expected: tuple | list, got: Any, tolerance: Tolerance, strict_dtype: bool,
                          path: tuple) -> Iterator[Difference]:
    if not isinstance(got, tuple | list):
        yield Difference(path, "type", expected, got)
    elif len(got) != len(expected):
        yield Difference(path, "length", expected, got)
    else:
        for index, (item_expected, item_got) in enumerate(zip(expected, got)):
            yield from differences(item_expected, item_got, tolerance, strict_dtype, path + (index,))


def array_differences(expected: np.ndarray, got: Any, tolerance: Tolerance = Tolerance(), strict_dtype: bool = True,
                      path: tuple = ()) -> Iterator[Difference]:
    """Shape, dtype family, finiteness and values, in that order; values are compared only where shapes agree."""
    expected = np.asarray(expected)
    if isinstance(got, numbers.Number) and expected.ndim == 0:
        got = np.asarray(got)
    if not isinstance(got, np.ndarray):
        yield Difference(path, "type", expected, got)
        return
    if type(got) is not np.ndarray:
        yield Difference(path, "subclass", expected, got, getattr(got, "original_type", "") or type(got).__name__)
        got = got.view(np.ndarray)
    if got.shape != expected.shape:
        yield Difference(path, "shape", expected, got)
        return
    if strict_dtype and dtype_family(got.dtype) != dtype_family(expected.dtype):
        yield Difference(path, "dtype", expected, got)
        if got.dtype.kind not in "biuf":
            return
    got = got.astype(float) if got.dtype.kind in "biu" and expected.dtype.kind == "f" else got
    yield from _value_differences(expected, got, tolerance, path)


def _value_differences(expected: np.ndarray, got: np.ndarray, tolerance: Tolerance, path: tuple) -> Iterator[Difference]:
    if expected.dtype.kind not in "fc" or got.dtype.kind not in "fc":
        wrong = np.argwhere(np.asarray(expected != got))
        if wrong.size:
            yield Difference(path, "entries", expected, got, wrong)
        return
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if bad.any():
        yield Difference(path, "nonfinite", expected, got, np.argwhere(bad))
        return
    close = np.isclose(got, expected, rtol=tolerance.rtol, atol=tolerance.atol, equal_nan=True)
    if not close.all():
        yield Difference(path, "values", expected, got, close)


def _number_differences(expected: numbers.Number, got: Any, tolerance: Tolerance, path: tuple) -> Iterator[Difference]:
    if isinstance(got, np.ndarray):
        if got.shape != ():
            yield Difference(path, "not_number", expected, got)
            return
        got = got[()]
    if not isinstance(got, numbers.Number) or isinstance(got, bool):
        yield Difference(path, "not_number", expected, got)
    elif not np.isfinite(got) and np.isfinite(expected):
        yield Difference(path, "nonfinite", expected, got)
    elif not (np.isclose(got, expected, rtol=tolerance.rtol, atol=tolerance.atol) or (expected != expected and got != got)):
        yield Difference(path, "number", expected, got)
