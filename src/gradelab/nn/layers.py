"""Forward and backward propagation of an L-layer network, in the course's notation.

Shapes (m examples as columns):
    X = A[0]: (n_x, m)          W[l]: (n_l, n_{l-1})      b[l]: (n_l, 1)
    Z[l], A[l], dZ[l], dA[l]: (n_l, m)                    AL, Y: (1, m)
Every layer's cache is ``((A_prev, W, b), Z)``: the linear cache holds the
layer's *input* A[l-1], so the first layer's cache holds X = A[0].
"""

from __future__ import annotations

import numpy as np

from ._validate import as_array, check_activation, check_labels, check_linear, check_same_shape, layer_count
from .activations import BACKWARD, FORWARD, sigmoid_backward, softmax

LinearCache = tuple[np.ndarray, np.ndarray, np.ndarray]
Cache = tuple[LinearCache, np.ndarray]


def linear_forward(A: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, LinearCache]:
    """Z = W A + b.

    A: (n_{l-1}, m), W: (n_l, n_{l-1}), b: (n_l, 1) -> Z: (n_l, m), cache (A, W, b).
    """
    A, W, b = check_linear(A, W, b, a_name="A")
    Z = np.dot(W, A) + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str) -> tuple[np.ndarray, Cache]:
    """A = g(W A_prev + b) for g in "sigmoid", "relu", "tanh", "softmax".

    Returns A: (n_l, m) and the cache ((A_prev, W, b), Z).
    """
    check_activation(activation)
    check_linear(A_prev, W, b)  # so a shape error names A_prev, as this function's caller knows it
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, _ = FORWARD[activation](Z)
    return A, (linear_cache, Z)


def L_model_forward(X: np.ndarray, parameters: dict) -> tuple[np.ndarray, list[Cache]]:
    """[LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID.

    X: (n_x, m); parameters "W1", "b1", ..., "WL", "bL". Returns AL: (1, m) and
    the list of L caches, caches[l-1] = ((A[l-1], W[l], b[l]), Z[l]).
    """
    X = as_array("X", X, ndim=2)
    L = layer_count(parameters)
    caches = []
    A = X
    for l in range(1, L + 1):
        activation = "sigmoid" if l == L else "relu"
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        try:
            check_linear(A, W, b, a_name="X" if l == 1 else f"A[{l - 1}]", w_name=f"W{l}", b_name=f"b{l}")
        except ValueError as error:
            raise ValueError(f"layer {l}: {error}") from None
        A, cache = linear_activation_forward(A, W, b, activation)
        caches.append(cache)
    return A, caches


def compute_cost(AL: np.ndarray, Y: np.ndarray) -> float:
    """Cross-entropy J = -1/m sum(Y log AL + (1 - Y) log(1 - AL)).

    AL and Y: (1, m). AL is clipped to [1e-15, 1 - 1e-15] so a saturated
    sigmoid gives a large finite cost instead of inf (and no warning); inside
    that range the numbers are the course's. Training uses
    :func:`compute_cost_from_logits`, which needs no clipping.
    """
    AL = as_array("AL", AL, ndim=2)
    Y = check_labels(Y, AL)
    m = Y.shape[1]
    AL = np.clip(AL, 1e-15, 1 - 1e-15)
    cost = (-1.0 / m) * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    return float(np.squeeze(cost))


def compute_cost_from_logits(ZL: np.ndarray, Y: np.ndarray) -> float:
    """The same cross-entropy computed from ZL, where AL = sigmoid(ZL).

    -log(sigmoid(z)) = log(1 + e^-z) and -log(1 - sigmoid(z)) = log(1 + e^z),
    so J = 1/m sum(log(1 + e^ZL) - Y ZL), evaluated with ``np.logaddexp``: finite
    for any finite ZL, even where AL rounds to exactly 0 or 1.
    """
    ZL = as_array("ZL", ZL, ndim=2)
    Y = check_labels(Y)
    check_same_shape("ZL", ZL, "Y", Y)
    m = Y.shape[1]
    return float(np.sum(np.logaddexp(0.0, ZL) - Y * ZL) / m)


def linear_backward(dZ: np.ndarray, cache: LinearCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From dZ[l]: (n_l, m) and cache (A_prev, W, b) to dA_prev (n_{l-1}, m), dW (n_l, n_{l-1}), db (n_l, 1)."""
    A_prev, W, b = check_linear(*cache)
    dZ = as_array("dZ", dZ, ndim=2)
    if dZ.shape != (W.shape[0], A_prev.shape[1]):
        raise ValueError(
            f"dZ must have shape {(W.shape[0], A_prev.shape[1])} (n_l, m) to match W {W.shape} and A_prev {A_prev.shape}, "
            f"got dZ {dZ.shape}"
        )
    m = A_prev.shape[1]
    dW = 1.0 / m * np.dot(dZ, A_prev.T)
    db = 1.0 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA: np.ndarray, cache: Cache, activation: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dZ = dA * g'(Z), then :func:`linear_backward`; returns dA_prev, dW, db."""
    check_activation(activation)
    linear_cache, Z = cache
    dA = as_array("dA", dA, ndim=2)
    if dA.shape != np.shape(Z):
        raise ValueError(f"dA must have the shape of Z in the cache {np.shape(Z)} (n_l, m), got dA {dA.shape}")
    # The layer cache keeps Z only; softmax_backward wants its own (Z, A) cache.
    activation_cache = softmax(Z)[1] if activation == "softmax" else Z
    dZ = BACKWARD[activation](dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL: np.ndarray, Y: np.ndarray, caches: list[Cache]) -> dict[str, np.ndarray]:
    """Gradients of the cross-entropy for [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID.

    AL, Y: (1, m); caches from :func:`L_model_forward`. Returns grads with
    "dA{l-1}", "dW{l}", "db{l}" for l = 1..L. dAL is the derivative of the cost
    with respect to AL; it is taken through sigmoid_backward, the general rule
    that holds for any cache (unlike the shortcut dZL = AL - Y, which holds
    only where AL = sigmoid(ZL)).
    """
    AL = as_array("AL", AL, ndim=2)
    Y = check_labels(Y, AL)
    ZL = caches[-1][1]
    if np.shape(ZL) != AL.shape:
        raise ValueError(
            f"AL has shape {AL.shape} but Z[L] in caches[-1] has shape {np.shape(ZL)}: they must come from one forward pass"
        )
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dZL = sigmoid_backward(dAL, ZL)
    return backward_from_output(dZL, caches)


def backward_from_output(dZL: np.ndarray, caches: list[Cache]) -> dict[str, np.ndarray]:
    """Back-propagate from the output layer's dZ[L] through the ReLU layers below it."""
    L = len(caches)
    grads = {}
    dA_prev, grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(dZL, caches[L - 1][0])
    grads[f"dA{L - 1}"] = dA_prev
    for l in reversed(range(1, L)):
        dA_prev, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(grads[f"dA{l}"], caches[l - 1], "relu")
        grads[f"dA{l - 1}"] = dA_prev
    return grads


def update_parameters(params: dict, grads: dict, learning_rate: float) -> dict[str, np.ndarray]:
    """One gradient-descent step W[l] -= lr dW[l], b[l] -= lr db[l]; returns new arrays."""
    L = layer_count(params)
    parameters = dict(params)
    for l in range(1, L + 1):
        for name in (f"W{l}", f"b{l}"):
            if f"d{name}" not in grads:
                raise ValueError(f"grads lacks 'd{name}' for parameters[{name!r}]")
            if np.shape(grads[f"d{name}"]) != np.shape(params[name]):
                raise ValueError(
                    f"grads['d{name}'] has shape {np.shape(grads[f'd{name}'])} but {name} has shape {np.shape(params[name])}"
                )
            parameters[name] = params[name] - learning_rate * grads[f"d{name}"]
    return parameters


def predict(X: np.ndarray, parameters: dict) -> np.ndarray:
    """0/1 predictions of shape (1, m): 1 where AL > 0.5."""
    AL, _ = L_model_forward(X, parameters)
    return (AL > 0.5).astype(int)
