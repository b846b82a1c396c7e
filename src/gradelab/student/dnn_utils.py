"""The helpers the course hands students: activations returning (A, cache) and their backward steps.

Submissions import this module (``from gradelab.student.dnn_utils import sigmoid, relu,
sigmoid_backward, relu_backward``), so it imports numpy only: the grader's worker allows it by name.
The cache of each activation is Z itself.
"""

from __future__ import annotations

import numpy as np


def sigmoid(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A = 1 / (1 + exp(-Z)); returns (A, cache) with cache = Z."""
    A = 1 / (1 + np.exp(-Z))
    return A, Z


def relu(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A = max(0, Z); returns (A, cache) with cache = Z."""
    A = np.maximum(0, Z)
    return A, Z


def relu_backward(dA: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """dZ = dA where Z > 0, 0 elsewhere; ``cache`` is Z."""
    Z = cache
    dZ = np.array(dA, copy=True)  # a copy: the caller's dA stays as it was
    dZ[Z <= 0] = 0
    return dZ


def sigmoid_backward(dA: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """dZ = dA * s * (1 - s) with s = sigmoid(Z); ``cache`` is Z, so s is recomputed from it."""
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    return dA * s * (1 - s)
