"""Batch gradient descent for an L-layer network, the readable reference path."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ._validate import as_array, check_labels
from .initializers import get_initializer
from .layers import L_model_forward, backward_from_output, compute_cost_from_logits, update_parameters

Progress = Callable[[int], None]


def L_layer_model(
    X: np.ndarray,
    Y: np.ndarray,
    layers_dims: Sequence[int],
    learning_rate: float = 0.0075,
    num_iterations: int = 3000,
    initialization: str = "he",
    seed: int = 3,
    parameters: dict | None = None,
    record_every: int = 1000,
    progress: Progress | None = None,
) -> tuple[dict[str, np.ndarray], list[float]]:
    """Train [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID by batch gradient descent.

    X: (n_x, m), Y: (1, m) of 0/1; layers_dims [n_x, n_1, ..., 1]. Starts from
    ``parameters`` when given, else from the named initializer with ``seed``.
    Returns the trained parameters and the cost at iterations 0, record_every,
    2 * record_every, ... (before that iteration's update).

    The cost is computed from Z[L] with :func:`compute_cost_from_logits` and the
    output gradient as dZ[L] = (A[L] - Y), the form that holds because A[L] =
    sigmoid(Z[L]); the textbook cost log(A[L]) is inf, and dA[L] = -Y/A[L] + ...
    divides by zero, once large weights saturate the sigmoid. Both stay finite
    here, and no RuntimeWarning is raised.
    """
    X = as_array("X", X, ndim=2)
    Y = check_labels(Y)
    if int(record_every) != record_every or record_every < 1:
        raise ValueError(f"record_every must be a positive integer, got {record_every!r}")
    if Y.shape[1] != X.shape[1]:
        raise ValueError(f"X and Y must have the same number of examples m, got X {X.shape} and Y {Y.shape}")
    if parameters is None:
        init = get_initializer(initialization)
        parameters = init(layers_dims) if initialization == "zeros" else init(layers_dims, seed=seed)
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        if i % record_every == 0:
            costs.append(compute_cost_from_logits(caches[-1][1], Y))
        grads = backward_from_output(AL - Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if progress is not None:
            progress(1)
    return parameters, costs


def accuracy(predictions: np.ndarray, Y: np.ndarray) -> float:
    """Fraction of columns where the 0/1 predictions equal the labels."""
    return float(np.mean(predictions == Y))
