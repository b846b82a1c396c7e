"""Weight initializers in the course's layout: W[l] is (n_l, n_{l-1}), b[l] is (n_l, 1).

All random initializers share one core, :func:`scaled_normal`, which draws
``randn(n_l, n_{l-1}) * scale(n_{l-1})`` layer by layer from a private
``np.random.RandomState(seed)``. That reproduces, number for number, what the
course's ``np.random.seed(seed)`` followed by ``np.random.randn`` per layer gives,
without touching NumPy's global random state (students' tests depend on it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ._validate import check_layers_dims

Parameters = dict[str, np.ndarray]
Scale = Callable[[int], float]


def scaled_normal(layers_dims: Sequence[int], seed: int, scale: Scale, name: str = "layers_dims") -> Parameters:
    """Draw W[l] = randn(n_l, n_{l-1}) * scale(n_{l-1}) and b[l] = zeros for l = 1..L."""
    dims = check_layers_dims(layers_dims, name)
    rng = np.random.RandomState(seed)
    parameters: Parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = rng.randn(dims[l], dims[l - 1]) * scale(dims[l - 1])
        parameters[f"b{l}"] = np.zeros((dims[l], 1))
    return parameters


def initialize_parameters_zeros(layers_dims: Sequence[int]) -> Parameters:
    """All weights and biases zero: the network cannot break symmetry."""
    dims = check_layers_dims(layers_dims)
    parameters: Parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = np.zeros((dims[l], dims[l - 1]))
        parameters[f"b{l}"] = np.zeros((dims[l], 1))
    return parameters


def initialize_parameters_random(layers_dims: Sequence[int], seed: int = 3) -> Parameters:
    """Standard normal weights times 10 (deliberately too large)."""
    return scaled_normal(layers_dims, seed, lambda n_prev: 10.0)


def initialize_parameters_he(layers_dims: Sequence[int], seed: int = 3) -> Parameters:
    """He et al. (2015): standard normal times sqrt(2 / n_{l-1}), for ReLU layers."""
    return scaled_normal(layers_dims, seed, lambda n_prev: np.sqrt(2.0 / n_prev))


def initialize_parameters_xavier(layers_dims: Sequence[int], seed: int = 3) -> Parameters:
    """Xavier as the course states it: standard normal times sqrt(1 / n_{l-1})."""
    return scaled_normal(layers_dims, seed, lambda n_prev: np.sqrt(1.0 / n_prev))


def initialize_parameters_deep(layer_dims: Sequence[int], seed: int = 3) -> Parameters:
    """Standard normal times 0.01 for every layer of an L-layer network."""
    return scaled_normal(layer_dims, seed, lambda n_prev: 0.01, name="layer_dims")


def initialize_parameters(n_x: int, n_h: int, n_y: int, seed: int = 1) -> Parameters:
    """The 2-layer network's W1 (n_h, n_x), b1, W2 (n_y, n_h), b2: randn * 0.01."""
    return scaled_normal([n_x, n_h, n_y], seed, lambda n_prev: 0.01, name="[n_x, n_h, n_y]")


INITIALIZERS: dict[str, Callable[..., Parameters]] = {
    "zeros": initialize_parameters_zeros,
    "random": initialize_parameters_random,
    "he": initialize_parameters_he,
    "xavier": initialize_parameters_xavier,
    "deep": initialize_parameters_deep,
}


def get_initializer(name: str) -> Callable[..., Parameters]:
    """Look an initializer up by its short name ("zeros", "random", "he", ...)."""
    try:
        return INITIALIZERS[name]
    except KeyError:
        raise ValueError(f"initialization must be one of {sorted(INITIALIZERS)}, got {name!r}") from None
