"""Course names for output positions, and finite-difference checks of the two backward exercises.

The backward exercises are compared with the reference's values and, as an
independent witness, with central differences (``gradelab.nn.gradcheck``) of
a scalar cost: for conv_backward ``sum(dZ * conv_forward(A_prev, W, b)[0])``,
for pool_backward ``sum(dA * pool_forward(A_prev)[0])``. The gradient of such
a cost is exactly what the backward pass must return, so a message can say
"dW differs from the numerical gradient" without referring to our code.

The numerical gradients depend only on a case's inputs, which are the same
for every submission, so they are computed once per case and kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import numpy as np

from ...grading.checks import Finding
from ...nn import conv_fast
from ...nn.gradcheck import numerical_gradient, relative_error

RELATIVE_ERROR = 1e-6  # these costs are linear in each input: central differences agree to about 1e-10
_NUMERIC: dict[str, dict[str, np.ndarray]] = {}  # numerical gradients by case fingerprint
_MAX_KEPT = 256


# --- names in the course's notation ----------------------------------------------------------------
def output_namer(names: tuple[str, ...], cache: tuple[str, ...] = ()) -> Callable[[tuple], str]:
    """Positions in a returned tuple: (0,) -> "Z", (1, 0) -> "cache[0] = A_prev", (1, 3, 'pad') -> "cache[3] = hparameters['pad']"."""

    def name(path: tuple) -> str:
        if not path:
            return f"the returned ({', '.join(names)})"
        first, rest = path[0], path[1:]
        head = names[first] if isinstance(first, int) and 0 <= first < len(names) else f"item {first!r}"
        if head == "cache" and rest and isinstance(rest[0], int) and 0 <= rest[0] < len(cache):
            head, rest = f"cache[{rest[0]}] = {cache[rest[0]]}", rest[1:]
        return head + "".join(f"[{key!r}]" for key in rest)

    return name


# --- finite differences ------------------------------------------------------------------------------
def _fingerprint(*parts: Any) -> str:
    digest = hashlib.sha1()
    for part in parts:
        if isinstance(part, np.ndarray):
            digest.update(str((part.shape, part.dtype.str)).encode())
            digest.update(np.ascontiguousarray(part).tobytes())
        else:
            digest.update(repr(part).encode())
    return digest.hexdigest()


def _remember(key: str, compute: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    if key not in _NUMERIC:
        if len(_NUMERIC) >= _MAX_KEPT:
            _NUMERIC.pop(next(iter(_NUMERIC)))
        _NUMERIC[key] = compute()
    return _NUMERIC[key]


def conv_numeric_gradients(dZ: np.ndarray, A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, hparameters: dict) -> dict[str, np.ndarray]:
    """dA_prev, dW, db of sum(dZ * conv_forward(A_prev, W, b, hparameters)[0]) by central differences."""
    work = {"A_prev": np.array(A_prev, dtype=float), "W": np.array(W, dtype=float), "b": np.array(b, dtype=float)}
    hp = dict(hparameters)

    def cost() -> float:
        return float(np.sum(dZ * conv_fast.conv_forward(work["A_prev"], work["W"], work["b"], hp)[0]))

    return {f"d{name}": numerical_gradient(cost, work[name]) for name in ("A_prev", "W", "b")}


def pool_numeric_gradient(dA: np.ndarray, A_prev: np.ndarray, hparameters: dict, mode: str) -> dict[str, np.ndarray]:
    """dA_prev of sum(dA * pool_forward(A_prev, hparameters, mode)[0]) by central differences."""
    work = np.array(A_prev, dtype=float)
    hp = dict(hparameters)

    def cost() -> float:
        return float(np.sum(dA * conv_fast.pool_forward(work, hp, mode=mode)[0]))

    return {"dA_prev": numerical_gradient(cost, work)}


def gradient_findings(numeric: dict[str, np.ndarray], got: dict[str, Any], what: str) -> list[Finding]:
    """A failing finding per gradient of the right shape that disagrees with its numerical value.

    Gradients of a wrong shape or type are left to the value comparison, which already says so.
    """
    findings = []
    for name, expected in numeric.items():
        value = got.get(name)
        if not isinstance(value, np.ndarray) or value.shape != expected.shape or value.dtype.kind not in "biuf":
            continue
        if not np.all(np.isfinite(value)):
            continue  # the comparison reports NaN and inf by position
        error = relative_error(value.astype(float), expected)
        if error > RELATIVE_ERROR:
            findings.append(Finding("fail", f"{name} has the right shape but differs from the numerical gradient of {what} "
                                            f"by {_short_float(error)} (relative error; a right gradient gives about 1e-10)"))
    return findings


def _short_float(value: float) -> str:
    """3e-1 rather than 0.3 or 3.0e-01: the notation of gradient checks."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def conv_backward_check(args: list, kwargs: dict, expected: Any, got: Any) -> list[Finding]:
    """Case check of conv_backward(dZ, cache): dA_prev, dW, db against finite differences."""
    if not isinstance(got, tuple | list) or len(got) != 3:
        return []
    dZ, (A_prev, W, b, hparameters) = args[0], args[1]
    key = _fingerprint("conv", dZ, A_prev, W, b, sorted(hparameters.items()))
    numeric = _remember(key, lambda: conv_numeric_gradients(dZ, A_prev, W, b, hparameters))
    return gradient_findings(numeric, dict(zip(("dA_prev", "dW", "db"), got)), "sum(dZ * conv_forward(A_prev, W, b)[0])")


def pool_backward_check(args: list, kwargs: dict, expected: Any, got: Any) -> list[Finding]:
    """Case check of pool_backward(dA, cache, mode): dA_prev against finite differences."""
    dA, (A_prev, hparameters) = args[0], args[1]
    mode = kwargs.get("mode", args[2] if len(args) > 2 else "max")
    key = _fingerprint("pool", dA, A_prev, sorted(hparameters.items()), mode)
    numeric = _remember(key, lambda: pool_numeric_gradient(dA, A_prev, hparameters, mode))
    return gradient_findings(numeric, {"dA_prev": got}, f"sum(dA * pool_forward(A_prev, mode={mode!r})[0])")
