"""Numerical gradients by central differences, and the relative error used to compare them.

Modeled on CS231n's ``eval_numerical_gradient``: perturb one entry at a time
in place, evaluate, restore. Works for any scalar function of a dict of arrays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """df/dx by (f(x + h) - f(x - h)) / 2h, entry by entry; ``f`` reads ``x`` itself.

    ``x`` must be a float array that ``f`` closes over; it is restored exactly.
    """
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        f_plus = f()
        x[index] = old - h
        f_minus = f()
        x[index] = old
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||), 0 when both are zero (the course's definition)."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def numerical_gradients(cost: Callable[[dict], float], parameters: dict, h: float = 1e-6) -> dict[str, np.ndarray]:
    """{"dW1": ..., "db1": ...}: the numerical gradient of ``cost(parameters)`` for every entry."""
    work = {name: np.array(value, dtype=float) for name, value in parameters.items()}
    return {f"d{name}": numerical_gradient(lambda: cost(work), work[name], h) for name in work}


def gradient_check(
    cost: Callable[[dict], float], parameters: dict, grads: dict, h: float = 1e-6
) -> dict[str, float]:
    """Relative error between ``grads`` and the numerical gradient, per parameter.

    Returns {"dW1": err, ...}; values below about 1e-7 mean the analytic
    gradient is right (in float64, away from ReLU kinks).
    """
    numeric = numerical_gradients(cost, parameters, h)
    missing = sorted(set(numeric) - set(grads))
    if missing:
        raise ValueError(f"grads lacks {missing}; it has {sorted(grads)}")
    return {name: relative_error(np.asarray(grads[name]), numeric[name]) for name in numeric}
