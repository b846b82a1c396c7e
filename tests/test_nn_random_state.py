"""No public function of gradelab.nn may touch NumPy's global random state.

Students' notebooks and graders seed ``np.random`` themselves and then draw; a library
call that reseeds or draws from the global generator in between silently changes
their numbers. Every public function is called here between two snapshots of
``np.random.get_state()``, and the list of calls must cover all of ``gradelab.nn``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
import pytest

import gradelab.nn as nn


def _inputs() -> dict:
    rng = np.random.default_rng(2024)
    X = rng.standard_normal((3, 6))
    Y = (rng.random((1, 6)) > 0.5).astype(float)
    Y[0, :2] = [0.0, 1.0]
    parameters = {
        "W1": rng.standard_normal((4, 3)),
        "b1": rng.standard_normal((4, 1)),
        "W2": rng.standard_normal((1, 4)),
        "b2": rng.standard_normal((1, 1)),
    }
    Z = rng.standard_normal((4, 6))
    return {"X": X, "Y": Y, "parameters": parameters, "Z": Z, "dA": rng.standard_normal((4, 6))}


def _forward_backward() -> tuple:
    d = _inputs()
    AL, caches = nn.L_model_forward(d["X"], d["parameters"])
    return d, AL, caches


def _cost_of(d: dict) -> Callable[[dict], float]:
    return lambda p: nn.compute_cost(nn.L_model_forward(d["X"], p)[0], d["Y"])


def _call_gradient_check() -> object:
    d, AL, caches = _forward_backward()
    return nn.gradient_check(_cost_of(d), d["parameters"], nn.L_model_backward(AL, d["Y"], caches))


def _call_numerical_gradient() -> object:
    x = np.array([1.0, 2.0])
    return nn.numerical_gradient(lambda: float(np.sum(x**2)), x)


# One call per public function; a None entry marks a public name that is not a function.
CALLS: dict[str, Callable[[], object]] = {
    "initialize_parameters": lambda: nn.initialize_parameters(3, 4, 1),
    "initialize_parameters_deep": lambda: nn.initialize_parameters_deep([3, 4, 1]),
    "initialize_parameters_he": lambda: nn.initialize_parameters_he([3, 4, 1]),
    "initialize_parameters_random": lambda: nn.initialize_parameters_random([3, 4, 1]),
    "initialize_parameters_xavier": lambda: nn.initialize_parameters_xavier([3, 4, 1]),
    "initialize_parameters_zeros": lambda: nn.initialize_parameters_zeros([3, 4, 1]),
    "sigmoid": lambda: nn.sigmoid(_inputs()["Z"]),
    "relu": lambda: nn.relu(_inputs()["Z"]),
    "tanh": lambda: nn.tanh(_inputs()["Z"]),
    "softmax": lambda: nn.softmax(_inputs()["Z"]),
    "sigmoid_backward": lambda: nn.sigmoid_backward(_inputs()["dA"], _inputs()["Z"]),
    "relu_backward": lambda: nn.relu_backward(_inputs()["dA"], _inputs()["Z"]),
    "tanh_backward": lambda: nn.tanh_backward(_inputs()["dA"], _inputs()["Z"]),
    "softmax_backward": lambda: nn.softmax_backward(_inputs()["dA"], nn.softmax(_inputs()["Z"])[1]),
    "linear_forward": lambda: nn.linear_forward(_inputs()["X"], _inputs()["parameters"]["W1"], _inputs()["parameters"]["b1"]),
    "linear_activation_forward": lambda: nn.linear_activation_forward(
        _inputs()["X"], _inputs()["parameters"]["W1"], _inputs()["parameters"]["b1"], "relu"
    ),
    "L_model_forward": _forward_backward,
    "compute_cost": lambda: nn.compute_cost(_forward_backward()[1], _inputs()["Y"]),
    "compute_cost_from_logits": lambda: nn.compute_cost_from_logits(_forward_backward()[2][-1][1], _inputs()["Y"]),
    "linear_backward": lambda: nn.linear_backward(_inputs()["dA"], _forward_backward()[2][0][0]),
    "linear_activation_backward": lambda: nn.linear_activation_backward(_inputs()["dA"], _forward_backward()[2][0], "relu"),
    "L_model_backward": lambda: nn.L_model_backward(_forward_backward()[1], _inputs()["Y"], _forward_backward()[2]),
    "backward_from_output": lambda: nn.backward_from_output(_forward_backward()[1] - _inputs()["Y"], _forward_backward()[2]),
    "update_parameters": lambda: nn.update_parameters(
        _inputs()["parameters"], {f"d{k}": np.ones_like(v) for k, v in _inputs()["parameters"].items()}, 0.1
    ),
    "predict": lambda: nn.predict(_inputs()["X"], _inputs()["parameters"]),
    "accuracy": lambda: nn.accuracy(nn.predict(_inputs()["X"], _inputs()["parameters"]), _inputs()["Y"]),
    "L_layer_model": lambda: [
        nn.L_layer_model(_inputs()["X"], _inputs()["Y"], [3, 4, 1], num_iterations=3, initialization=init)
        for init in ("zeros", "random", "he", "xavier", "deep")
    ],
    "generate_dataset": lambda: nn.generate_dataset(10, 5, 0.05, 0.05, 1, 2),
    "preprocess": lambda: nn.preprocess(*nn.generate_dataset(10, 5, 0.05, 0.05, 1, 2)),
    "numerical_gradient": _call_numerical_gradient,
    "numerical_gradients": lambda: nn.numerical_gradients(_cost_of(_inputs()), _inputs()["parameters"]),
    "relative_error": lambda: nn.relative_error(np.ones(3), np.zeros(3)),
    "gradient_check": _call_gradient_check,
}


def _public_functions() -> list[str]:
    return sorted(name for name in nn.__all__ if inspect.isfunction(getattr(nn, name)))


def test_every_public_function_is_covered():
    missing = sorted(set(_public_functions()) - set(CALLS))
    assert not missing, f"add a call for {missing} to CALLS in this file, so its effect on np.random is checked"


def _assert_same_state(before: tuple, after: tuple) -> None:
    name_b, keys_b, pos_b, has_gauss_b, gauss_b = before
    name_a, keys_a, pos_a, has_gauss_a, gauss_a = after
    assert (name_a, pos_a, has_gauss_a, gauss_a) == (name_b, pos_b, has_gauss_b, gauss_b)
    np.testing.assert_array_equal(keys_a, keys_b)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_global_random_state_is_untouched(name):
    saved = np.random.get_state()
    try:
        np.random.seed(12345)
        expected_next = np.random.randn(6)[3:]  # what a student draws after three draws
        np.random.seed(12345)
        for _ in range(3):  # three draws leave a cached Gaussian in the state, so that is compared too
            np.random.randn()
        before = np.random.get_state()
        CALLS[name]()
        after = np.random.get_state()
        next_draw = np.random.randn(3)
    finally:
        np.random.set_state(saved)
    _assert_same_state(before, after)
    np.testing.assert_array_equal(next_draw, expected_next)
