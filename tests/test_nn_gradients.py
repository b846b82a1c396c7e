"""Analytic gradients of gradelab.nn checked against central differences (gradelab.nn.gradcheck).

Every check runs in float64 and must reach a relative error below 1e-7. Inputs come
from seeded ``np.random.default_rng`` generators; the caches are the real forward
pass's. ReLU layers are made to sit away from their kink (|Z| >= 1e-3 against a step
of 1e-6) and every compared gradient to be non-zero, so a pass is never the
vacuous 0 == 0 (see :func:`checkable_network`).
"""

from __future__ import annotations

import numpy as np
import pytest

from gradelab.nn import (
    L_model_backward,
    L_model_forward,
    backward_from_output,
    compute_cost,
    gradient_check,
    linear_activation_backward,
    linear_activation_forward,
    numerical_gradient,
    numerical_gradients,
    relative_error,
    relu_backward,
)

TOLERANCE = 1e-7
KINK_MARGIN = 1e-3
DEPTHS = [[3, 1], [4, 3, 1], [5, 4, 3, 1], [6, 5, 4, 3, 2, 1]]


def random_network(layers_dims: list[int], rng: np.random.Generator, m: int = 8) -> tuple[dict, np.ndarray, np.ndarray]:
    """He-scaled weights, small random biases, standard-normal X and 0/1 labels holding both classes."""
    parameters = {}
    for l in range(1, len(layers_dims)):
        n_l, n_prev = layers_dims[l], layers_dims[l - 1]
        parameters[f"W{l}"] = rng.standard_normal((n_l, n_prev)) * np.sqrt(2.0 / n_prev)
        parameters[f"b{l}"] = rng.standard_normal((n_l, 1)) * 0.1
    X = rng.standard_normal((layers_dims[0], m))
    Y = np.zeros((1, m))
    Y[0, rng.permutation(m)[: m // 2]] = 1.0
    return parameters, X, Y


def checkable_network(layers_dims: list[int], seed: int) -> tuple[dict, np.ndarray, np.ndarray]:
    """The first of the seeded draws default_rng([seed, 0]), default_rng([seed, 1]), ... that a
    gradient check can judge: every hidden |Z| >= KINK_MARGIN (a step of 1e-6 never crosses a
    ReLU kink) and no layer's dW, db or dA0 all zero (narrow deep ReLU nets often kill a layer
    for every example, and then 0 == 0 would pass any backward pass). Deterministic."""
    for attempt in range(200):
        parameters, X, Y = random_network(layers_dims, np.random.default_rng([seed, attempt]))
        AL, caches = L_model_forward(X, parameters)
        if any(np.abs(Z).min() < KINK_MARGIN for _, Z in caches[:-1]):
            continue
        grads = L_model_backward(AL, Y, caches)
        if all(np.linalg.norm(grads[name]) > 0 for name in grads):
            return parameters, X, Y
    raise AssertionError(f"no checkable network for {layers_dims} from seed {seed}")


# --------------------------------------------------------------------------- gradcheck itself


def test_numerical_gradient_of_a_known_function():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    before = x.copy()
    numeric = numerical_gradient(lambda: float(np.sum(x**3) + np.sum(np.sin(x))), x)
    np.testing.assert_array_equal(x, before)  # restored exactly
    assert relative_error(numeric, 3 * x**2 + np.cos(x)) < TOLERANCE


def test_relative_error_definition():
    a = np.array([1.0, 2.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(a, 2 * a) == pytest.approx(3.0 / 9.0)


def test_gradient_check_flags_a_wrong_gradient_and_missing_keys():
    parameters, X, Y = checkable_network([4, 3, 1], seed=11)
    AL, caches = L_model_forward(X, parameters)
    grads = L_model_backward(AL, Y, caches)
    wrong = dict(grads, dW1=grads["dW1"] * 1.01)
    errors = gradient_check(lambda p: compute_cost(L_model_forward(X, p)[0], Y), parameters, wrong)
    assert errors["dW1"] > 1e-3
    assert errors["dW2"] < TOLERANCE
    incomplete = {k: v for k, v in grads.items() if k != "db2"}
    with pytest.raises(ValueError, match="db2"):
        gradient_check(lambda p: compute_cost(L_model_forward(X, p)[0], Y), parameters, incomplete)


# --------------------------------------------------------------------------- L_model_backward


@pytest.mark.parametrize("layers_dims", DEPTHS, ids=lambda d: "-".join(map(str, d)))
@pytest.mark.parametrize("seed", [0, 1])
def test_L_model_backward_matches_numerical_gradient(layers_dims, seed):
    parameters, X, Y = checkable_network(layers_dims, seed)
    AL, caches = L_model_forward(X, parameters)
    grads = L_model_backward(AL, Y, caches)

    errors = gradient_check(lambda p: compute_cost(L_model_forward(X, p)[0], Y), parameters, grads)

    L = len(layers_dims) - 1
    assert sorted(errors) == sorted(f"d{p}{l}" for l in range(1, L + 1) for p in "Wb")
    for name, error in errors.items():
        assert np.linalg.norm(grads[name]) > 0, f"{name} is all zero: the check would be vacuous"
        assert grads[name].shape == parameters[name[1:]].shape
        assert error < TOLERANCE, f"{name}: relative error {error:.2e}"


@pytest.mark.parametrize("layers_dims", DEPTHS, ids=lambda d: "-".join(map(str, d)))
def test_L_model_backward_dA0_is_m_times_the_gradient_wrt_X(layers_dims):
    # The course's dA carries no 1/m (dW and db take it), so dA0 = m * dJ/dX.
    parameters, X, Y = checkable_network(layers_dims, seed=5)
    AL, caches = L_model_forward(X, parameters)
    grads = L_model_backward(AL, Y, caches)
    work = X.copy()
    numeric = numerical_gradient(lambda: compute_cost(L_model_forward(work, parameters)[0], Y), work)
    m = X.shape[1]
    assert np.linalg.norm(grads["dA0"]) > 0
    assert relative_error(grads["dA0"], m * numeric) < TOLERANCE


@pytest.mark.parametrize("layers_dims", DEPTHS, ids=lambda d: "-".join(map(str, d)))
def test_backward_from_output_with_AL_minus_Y_equals_L_model_backward(layers_dims):
    parameters, X, Y = random_network(layers_dims, np.random.default_rng(2))
    AL, caches = L_model_forward(X, parameters)
    expected = L_model_backward(AL, Y, caches)
    actual = backward_from_output(AL - Y, caches)
    assert sorted(actual) == sorted(expected)
    for name in expected:
        np.testing.assert_allclose(actual[name], expected[name], rtol=1e-9, atol=1e-12, err_msg=name)


# --------------------------------------------------------------------------- linear_activation_backward


def layer_inputs(seed: int, n_prev: int = 4, n_l: int = 3, m: int = 5) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "A_prev": rng.standard_normal((n_prev, m)),
        "W": rng.standard_normal((n_l, n_prev)),
        "b": rng.standard_normal((n_l, 1)),
    }


def check_layer_against_numerical(activation: str, inputs: dict, J, dJ_dA) -> None:
    """J(A) is a scalar function of the layer's output; dJ_dA(A) is m times its gradient.

    linear_activation_backward takes dA without the 1/m and puts it into dW and db,
    so it must return dA_prev = m dJ/dA_prev, dW = dJ/dW, db = dJ/db.
    """
    A, cache = linear_activation_forward(inputs["A_prev"], inputs["W"], inputs["b"], activation)
    dA_prev, dW, db = linear_activation_backward(dJ_dA(A), cache, activation)
    numeric = numerical_gradients(lambda p: J(linear_activation_forward(p["A_prev"], p["W"], p["b"], activation)[0]), inputs)
    m = inputs["A_prev"].shape[1]
    for name, analytic, expected in (
        ("dA_prev", dA_prev, m * numeric["dA_prev"]),
        ("dW", dW, numeric["dW"]),
        ("db", db, numeric["db"]),
    ):
        assert analytic.shape == expected.shape, name
        assert np.linalg.norm(analytic) > 0, f"{activation} {name} is all zero: the check would be vacuous"
        error = relative_error(analytic, expected)
        assert error < TOLERANCE, f"{activation} {name}: relative error {error:.2e}"


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh", "softmax"])
@pytest.mark.parametrize("seed", [0, 7])
def test_linear_activation_backward_matches_numerical_gradient(activation, seed):
    inputs = layer_inputs(seed)
    if activation == "relu":
        Z = inputs["W"] @ inputs["A_prev"] + inputs["b"]
        assert np.abs(Z).min() > KINK_MARGIN, "pick another seed"
    # J = sum(G * A) / m for a fixed random G: its dA is G. For softmax a constant G
    # would give zero (columns of A sum to 1), a random one does not.
    G = np.random.default_rng(100 + seed).standard_normal((inputs["W"].shape[0], inputs["A_prev"].shape[1]))
    m = inputs["A_prev"].shape[1]
    check_layer_against_numerical(activation, inputs, J=lambda A: float(np.sum(G * A)) / m, dJ_dA=lambda A: G)


def test_linear_activation_backward_softmax_with_cross_entropy():
    # The scalar function softmax is used with: J = -1/m sum(Y log A), dA = -Y / A.
    inputs = layer_inputs(3, n_l=4, m=6)
    Y = np.eye(4)[:, np.random.default_rng(3).integers(0, 4, size=6)]
    m = Y.shape[1]
    check_layer_against_numerical("softmax", inputs, J=lambda A: float(-np.sum(Y * np.log(A)) / m), dJ_dA=lambda A: -Y / A)
    # and the shortcut that the output layer relies on: dZ = A - Y
    A, cache = linear_activation_forward(inputs["A_prev"], inputs["W"], inputs["b"], "softmax")
    dA_prev, dW, db = linear_activation_backward(-Y / A, cache, "softmax")
    np.testing.assert_allclose(db, np.sum(A - Y, axis=1, keepdims=True) / m, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("n_l", [1, 2, 3])
def test_linear_activation_backward_softmax_uses_the_layer_cache_for_any_width(n_l):
    # Regression: the layer cache is ((A_prev, W, b), Z), but softmax_backward unpacked
    # it as (Z, A), which failed for n_l != 2 and silently used A = Z[1] for n_l == 2.
    inputs = layer_inputs(4, n_l=n_l)
    G = np.random.default_rng(8).standard_normal((n_l, inputs["A_prev"].shape[1]))
    A, cache = linear_activation_forward(inputs["A_prev"], inputs["W"], inputs["b"], "softmax")
    dZ = A * (G - np.sum(G * A, axis=0, keepdims=True))
    m = A.shape[1]
    _, dW, db = linear_activation_backward(G, cache, "softmax")
    np.testing.assert_allclose(dW, dZ @ inputs["A_prev"].T / m, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(db, dZ.sum(axis=1, keepdims=True) / m, rtol=1e-12, atol=1e-15)


def test_relu_backward_takes_the_subgradient_0_at_0():
    # The course's relu_backward: dZ[Z <= 0] = 0. A gradient check cannot see Z == 0.
    Z = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.0]])
    dA = np.array([[5.0, 6.0, 7.0], [8.0, 9.0, 10.0]])
    np.testing.assert_array_equal(relu_backward(dA, Z), [[0.0, 0.0, 7.0], [0.0, 9.0, 0.0]])
    np.testing.assert_array_equal(dA, [[5.0, 6.0, 7.0], [8.0, 9.0, 10.0]])  # dA itself untouched
