"""Argument checks shared by the reference core.

Every error names the argument in the course's notation and states what was
expected next to what was received, so a student can act on it directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ACTIVATIONS = ("sigmoid", "relu", "tanh", "softmax")


def as_array(name: str, value: object, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a float ndarray, or raise naming ``name``."""
    if not isinstance(value, np.ndarray | int | float | list | tuple | np.generic):
        raise ValueError(f"{name} must be a numpy array, got {type(value).__name__}")
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {array.dtype}")
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    return array


def check_layers_dims(layers_dims: Sequence[int], name: str = "layers_dims") -> list[int]:
    """A list of at least two positive layer sizes [n_x, n_1, ..., n_L]."""
    try:
        if isinstance(layers_dims, str | bytes) or any(isinstance(n, bool | str | bytes) for n in layers_dims):
            raise TypeError("strings and booleans are not layer sizes")
        dims = [int(n) for n in layers_dims]
    except (TypeError, ValueError, OverflowError) as error:
        raise ValueError(f"{name} must be a list of integers, got {layers_dims!r}") from error
    if len(dims) < 2:
        raise ValueError(f"{name} must list at least the input and output sizes, got {dims}")
    if any(n <= 0 for n in dims) or any(n != float(raw) for n, raw in zip(dims, layers_dims, strict=True)):
        raise ValueError(f"{name} must hold positive integers, got {list(layers_dims)}")
    return dims


def check_activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    return activation


def check_same_shape(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got {name_a} {a.shape} and {name_b} {b.shape}")


def check_labels(Y: object, AL: np.ndarray | None = None) -> np.ndarray:
    """Y holds 0/1 labels of shape (1, m), and matches AL's shape when given."""
    Y = as_array("Y", Y, ndim=2)
    if AL is not None:
        check_same_shape("AL", AL, "Y", Y)
    if not np.isin(Y, (0, 1)).all():
        bad = np.unique(Y[~np.isin(Y, (0, 1))])[:5]
        raise ValueError(f"Y must hold only 0/1 labels, found {bad.tolist()}")
    return Y


def check_linear(
    A: object, W: object, b: object, a_name: str = "A_prev", w_name: str = "W", b_name: str = "b"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shapes of one layer: A_prev (n_{l-1}, m), W (n_l, n_{l-1}), b (n_l, 1); returns the three as arrays."""
    A = as_array(a_name, A, ndim=2)
    W = as_array(w_name, W, ndim=2)
    b = as_array(b_name, b, ndim=2)
    if W.shape[1] != A.shape[0]:
        raise ValueError(
            f"{w_name} has shape {W.shape} (n_l, n_l-1) but {a_name} has shape {A.shape} (n_l-1, m): "
            f"{w_name}'s columns ({W.shape[1]}) must equal {a_name}'s rows ({A.shape[0]})"
        )
    if b.shape != (W.shape[0], 1):
        raise ValueError(
            f"{b_name} must have shape {(W.shape[0], 1)} (n_l, 1) to match {w_name} {W.shape}, got {b_name} {b.shape}"
        )
    return A, W, b


def layer_count(parameters: dict) -> int:
    """L, the number of layers with weights, read off the keys W1..WL."""
    if not isinstance(parameters, dict):
        raise ValueError(f"parameters must be a dict with keys 'W1', 'b1', ..., got {type(parameters).__name__}")
    L = 0
    while f"W{L + 1}" in parameters:
        L += 1
    if L == 0:
        raise ValueError(f"parameters must hold 'W1', 'b1', ..., got keys {sorted(parameters)}")
    missing = [f"b{l}" for l in range(1, L + 1) if f"b{l}" not in parameters]
    if missing:
        raise ValueError(f"parameters lack the biases {missing}")
    # A gap (W1, W3 but no W2) would silently make a shallower network.
    beyond = sorted(key for key in parameters if key[:1] in "Wb" and key[1:].isdigit() and int(key[1:]) > L)
    if beyond:
        raise ValueError(f"parameters hold {beyond} but no 'W{L + 1}': layers must be numbered 1..L without gaps")
    return L
