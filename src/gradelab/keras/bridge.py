"""The bridge between Keras' layout and the course's notation.

    Keras (rows are examples)            course (columns are examples)
    X: (m, n_x)                          X: (n_x, m)  = X_keras.T
    kernel of layer l: (n_{l-1}, n_l)    W[l]: (n_l, n_{l-1}) = kernel.T
    bias of layer l: (n_l,)              b[l]: (n_l, 1)       = bias[:, None]
    A[l] = g(A[l-1] @ kernel + bias)     A[l] = g(W[l] A[l-1] + b[l])

so each course quantity is the transpose of the Keras one, and the two
forward passes compute the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..nn._validate import as_array, layer_count
from ..nn.layers import linear_activation_forward, linear_forward
from .layers import check_activation

Parameters = dict[str, np.ndarray]


def to_course_parameters(layers: Sequence) -> Parameters:
    """{"W1": kernel1.T, "b1": bias1[:, None], ...}: W[l] (n_l, n_{l-1}), b[l] (n_l, 1), copies."""
    parameters: Parameters = {}
    for l, layer in enumerate(layers, start=1):
        kernel, bias = layer.get_weights()
        parameters[f"W{l}"] = kernel.T.copy()
        parameters[f"b{l}"] = bias[:, None].copy()
    return parameters


def check_course_parameters(parameters: Parameters, activations: Sequence[str | None]) -> list[int]:
    """[n_x, n_1, ..., n_L] read off W1..WL, after checking every shape and the activations' count."""
    L = layer_count(parameters)
    if len(activations) != L:
        raise ValueError(f"parameters hold {L} layers (W1..W{L}) but {len(activations)} activations were given")
    dims = [as_array("W1", parameters["W1"], ndim=2).shape[1]]
    for l in range(1, L + 1):
        W = as_array(f"W{l}", parameters[f"W{l}"], ndim=2)
        b = as_array(f"b{l}", parameters[f"b{l}"])
        if W.shape[1] != dims[-1]:
            raise ValueError(f"W{l} has shape {W.shape} (n_{l}, n_{l - 1}) but the layer below has {dims[-1]} units")
        if b.shape != (W.shape[0], 1):
            raise ValueError(f"b{l} must have shape {(W.shape[0], 1)} (n_{l}, 1) to match W{l} {W.shape}, got {b.shape}")
        dims.append(W.shape[0])
    return dims


def course_forward(X: np.ndarray, parameters: Parameters, activations: Sequence[str | None]) -> tuple[np.ndarray, list]:
    """The forward pass in course notation, following each layer's activation.

    X: (n_x, m); parameters W[l] (n_l, n_{l-1}), b[l] (n_l, 1); activations[l-1]
    is layer l's ("linear"/None, "sigmoid", "relu", "tanh", "softmax"). Returns
    A[L]: (n_L, m) and the caches ((A[l-1], W[l], b[l]), Z[l]) of gradelab.nn.
    """
    check_course_parameters(parameters, activations)
    A = as_array("X", X, ndim=2)
    caches = []
    for l, activation in enumerate(activations, start=1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        if check_activation(activation) == "linear":
            # gradelab.nn has no "linear" activation: A[l] is Z[l] itself.
            A, linear_cache = linear_forward(A, W, b)
            cache = (linear_cache, A)
        else:
            A, cache = linear_activation_forward(A, W, b, activation)
        caches.append(cache)
    return A, caches
