"""Activations in the course's style: ``g(Z) -> (A, cache)`` and ``g_backward(dA, cache) -> dZ``.

Shapes: Z, A, dA and dZ all have shape (n_l, m); the cache is Z itself
(softmax keeps A as well). softmax normalizes over axis 0, the classes,
because examples are columns.
"""

from __future__ import annotations

import numpy as np


def sigmoid(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A = 1 / (1 + exp(-Z)); returns (A, cache=Z).

    exp(-Z) overflows to inf for Z < -709, and 1 / (1 + inf) is the right
    limit 0, so only the warning is silenced; the formula stays the course's,
    which keeps its published numbers bit for bit.
    """
    Z = np.asarray(Z, dtype=float)
    with np.errstate(over="ignore"):
        A = 1.0 / (1.0 + np.exp(-Z))
    return A, Z


def sigmoid_backward(dA: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """dZ = dA * s * (1 - s) with s = sigmoid(Z) recomputed from the cache Z."""
    s, _ = sigmoid(cache)
    return dA * s * (1.0 - s)


def relu(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A = max(0, Z); returns (A, cache=Z)."""
    Z = np.asarray(Z, dtype=float)
    return np.maximum(0.0, Z), Z


def relu_backward(dA: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """dZ = dA where Z > 0, else 0 (the subgradient at 0 is taken as 0)."""
    dZ = np.array(dA, dtype=float, copy=True)
    dZ[cache <= 0] = 0.0
    return dZ


def tanh(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A = tanh(Z); returns (A, cache=Z)."""
    Z = np.asarray(Z, dtype=float)
    return np.tanh(Z), Z


def tanh_backward(dA: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """dZ = dA * (1 - tanh(Z)^2)."""
    return dA * (1.0 - np.tanh(cache) ** 2)


def softmax(Z: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """A[k, i] = exp(Z[k, i]) / sum_j exp(Z[j, i]); returns (A, cache=(Z, A)).

    The column maximum is subtracted first so exp never overflows.
    """
    Z = np.asarray(Z, dtype=float)
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    A = E / E.sum(axis=0, keepdims=True)
    return A, (Z, A)


def softmax_backward(dA: np.ndarray, cache: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The Jacobian-vector product dZ = A * (dA - sum_k dA[k] A[k]) per column."""
    _, A = cache
    return A * (dA - np.sum(dA * A, axis=0, keepdims=True))


FORWARD = {"sigmoid": sigmoid, "relu": relu, "tanh": tanh, "softmax": softmax}
BACKWARD = {
    "sigmoid": sigmoid_backward,
    "relu": relu_backward,
    "tanh": tanh_backward,
    "softmax": softmax_backward,
}
