"""Numerical robustness of gradelab.nn, and that it leaves its inputs alone.

pytest runs with ``filterwarnings = error::RuntimeWarning``; the tests that matter here
also turn every warning into an error themselves, so they hold under any configuration.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

from gradelab.nn import (
    L_layer_model,
    L_model_backward,
    L_model_forward,
    backward_from_output,
    compute_cost,
    compute_cost_from_logits,
    generate_dataset,
    initialize_parameters_he,
    initialize_parameters_random,
    preprocess,
    relu,
    sigmoid,
    sigmoid_backward,
    softmax,
    softmax_backward,
    tanh,
    tanh_backward,
    update_parameters,
)

EXTREMES = np.array([[-1e4, -1e3, -746.0, -710.0, -709.0, -40.0, -1e-300, 0.0, 1e-300, 40.0, 709.0, 710.0, 746.0, 1e3, 1e4]])


@pytest.fixture
def strict_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def circles_data(m_train: int = 200) -> tuple[np.ndarray, np.ndarray]:
    train_X, train_Y, _, _ = preprocess(*generate_dataset(m_train, 10, 0.05, 0.05, 1, 2))
    return train_X, train_Y


# --------------------------------------------------------------------------- activations


def test_sigmoid_extremes(strict_warnings):
    A, cache = sigmoid(EXTREMES)
    assert np.all(np.isfinite(A)) and np.all((A >= 0) & (A <= 1))
    assert np.all(np.diff(A[0]) >= 0)
    assert A[0, 0] == 0.0 and A[0, -1] == 1.0 and A[0, 7] == 0.5
    np.testing.assert_array_equal(cache, EXTREMES)
    dZ = sigmoid_backward(np.ones_like(EXTREMES), cache)
    assert np.all(np.isfinite(dZ)) and np.all(dZ >= 0) and dZ[0, 7] == 0.25


def test_sigmoid_wide_random_range(strict_warnings):
    Z = np.random.default_rng(0).uniform(-1e4, 1e4, size=(50, 40))
    A, _ = sigmoid(Z)
    assert np.all(np.isfinite(A)) and np.all((A >= 0) & (A <= 1))


def test_sigmoid_keeps_the_course_formula_bit_for_bit():
    Z = np.random.default_rng(1).uniform(-30, 30, size=(4, 25))
    A, _ = sigmoid(Z)
    np.testing.assert_array_equal(A, 1 / (1 + np.exp(-Z)))


def test_tanh_and_relu_extremes(strict_warnings):
    A, _ = tanh(EXTREMES)
    assert np.all(np.abs(A) <= 1) and A[0, 0] == -1.0 and A[0, -1] == 1.0
    assert np.all(np.isfinite(tanh_backward(np.ones_like(EXTREMES), EXTREMES)))
    A, _ = relu(EXTREMES)
    np.testing.assert_array_equal(A, np.maximum(EXTREMES, 0))


def test_softmax_columns_sum_to_one(strict_warnings):
    Z = np.random.default_rng(2).standard_normal((5, 9)) * 3
    A, (cache_Z, cache_A) = softmax(Z)
    assert A.shape == Z.shape and np.all(A > 0)
    np.testing.assert_allclose(A.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(A, np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True), rtol=1e-12)
    np.testing.assert_array_equal(cache_Z, Z)
    assert cache_A is A


def test_softmax_large_inputs(strict_warnings):
    Z = np.array([[1e4, -1e4, 1000.0, 800.0], [1e4 - 1, 1e4, -1000.0, 800.0], [0.0, 1e4, 999.0, 800.0]])
    A, cache = softmax(Z)
    assert np.all(np.isfinite(A)) and np.all((A >= 0) & (A <= 1))
    np.testing.assert_allclose(A.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(A[:, 0], [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1)), 0.0], atol=1e-15)
    np.testing.assert_allclose(A[:, 1], [0.0, 0.5, 0.5], atol=1e-15)
    np.testing.assert_allclose(A[:, 3], [1 / 3] * 3, rtol=1e-15)
    # shifting a column changes nothing
    np.testing.assert_allclose(softmax(Z - 5000.0)[0], A, rtol=1e-12, atol=1e-15)
    assert np.all(np.isfinite(softmax_backward(np.ones_like(Z), cache)))


# --------------------------------------------------------------------------- costs


def test_compute_cost_is_finite_at_exact_0_and_1(strict_warnings):
    Y = np.array([[1, 0, 1, 0]])
    wrong = compute_cost(np.array([[0.0, 1.0, 0.0, 1.0]]), Y)
    assert np.isfinite(wrong) and wrong > 30  # -log(1e-15) = 34.5
    right = compute_cost(np.array([[1.0, 0.0, 1.0, 0.0]]), Y)
    assert np.isfinite(right) and 0 <= right < 1e-12


def test_compute_cost_from_logits_equals_compute_cost_on_moderate_Z(strict_warnings):
    rng = np.random.default_rng(3)
    for _ in range(5):
        Z = rng.uniform(-8, 8, size=(1, 30))
        Y = (rng.random((1, 30)) > 0.5).astype(int)
        assert compute_cost_from_logits(Z, Y) == pytest.approx(compute_cost(sigmoid(Z)[0], Y), rel=1e-10)


def test_compute_cost_from_logits_is_finite_for_huge_Z(strict_warnings):
    Z = np.array([[1e4, -1e4]])
    assert compute_cost_from_logits(Z, np.array([[1, 0]])) == 0.0
    assert compute_cost_from_logits(Z, np.array([[0, 1]])) == pytest.approx(1e4, rel=1e-15)
    Z = np.array([[800.0, -800.0, 0.0]])
    assert compute_cost_from_logits(Z, np.array([[0, 1, 1]])) == pytest.approx((800 + 800 + np.log(2)) / 3, rel=1e-15)


def test_backward_from_output_is_finite_when_AL_saturates(strict_warnings):
    X, Y = circles_data(60)
    parameters = initialize_parameters_random([2, 10, 5, 1])
    AL, caches = L_model_forward(X, parameters)
    assert np.any((AL == 0) | (AL == 1)), "the weights are meant to saturate the sigmoid"
    grads = backward_from_output(AL - Y, caches)
    assert all(np.all(np.isfinite(g)) for g in grads.values())


def test_L_layer_model_with_random_initialization_stays_finite(strict_warnings):
    X, Y = circles_data()
    AL, _ = L_model_forward(X, initialize_parameters_random([2, 10, 5, 1]))
    assert np.all((AL == 0) | (AL == 1)), "the textbook cost would be inf here; that is what this test is about"
    parameters, costs = L_layer_model(
        X, Y, [2, 10, 5, 1], learning_rate=0.01, num_iterations=300, initialization="random", record_every=20
    )
    assert len(costs) == 15
    assert all(np.isfinite(c) for c in costs)
    assert costs[0] > 100  # saturated and wrong on many examples: a large but finite cost
    assert costs[-1] < costs[0]
    assert all(np.all(np.isfinite(v)) for v in parameters.values())


def test_L_layer_model_learns_with_he(strict_warnings):
    X, Y = circles_data()
    _, costs = L_layer_model(X, Y, [2, 10, 5, 1], learning_rate=0.05, num_iterations=400, record_every=100)
    assert len(costs) == 4 and costs[-1] < costs[0]


def test_L_layer_model_records_the_cost_before_the_first_update():
    X, Y = circles_data(50)
    start = initialize_parameters_he([2, 4, 1], seed=3)
    _, costs = L_layer_model(X, Y, [2, 4, 1], num_iterations=1)
    AL, caches = L_model_forward(X, start)
    assert costs == [pytest.approx(compute_cost(AL, Y), rel=1e-10)]


# --------------------------------------------------------------------------- inputs are not mutated


def test_update_parameters_does_not_mutate_its_inputs():
    parameters = initialize_parameters_he([4, 3, 2, 1], seed=0)
    grads = {f"d{k}": np.random.default_rng(1).standard_normal(v.shape) for k, v in parameters.items()}
    grads["dA0"] = np.ones((4, 5))  # extra entries that backprop returns are allowed and ignored
    parameters_before, grads_before = copy.deepcopy(parameters), copy.deepcopy(grads)

    updated = update_parameters(parameters, grads, 0.5)

    assert updated is not parameters
    for before, after in ((parameters_before, parameters), (grads_before, grads)):
        assert list(after) == list(before)
        for name in before:
            np.testing.assert_array_equal(after[name], before[name], err_msg=name)
    for name, value in parameters.items():
        assert not np.shares_memory(updated[name], value), name
        np.testing.assert_allclose(updated[name], value - 0.5 * grads[f"d{name}"], rtol=1e-15)


def test_L_model_forward_does_not_mutate_X_or_parameters():
    parameters = initialize_parameters_he([4, 3, 1], seed=0)
    X = np.random.default_rng(2).standard_normal((4, 6))
    X_before, parameters_before = X.copy(), copy.deepcopy(parameters)
    AL, caches = L_model_forward(X, parameters)
    np.testing.assert_array_equal(X, X_before)
    for name in parameters_before:
        np.testing.assert_array_equal(parameters[name], parameters_before[name])
    AL[...] = 0.0  # and what comes back does not alias X
    caches[-1][1][...] = 0.0
    np.testing.assert_array_equal(X, X_before)


def test_backward_does_not_mutate_the_caches():
    parameters = initialize_parameters_he([4, 3, 2, 1], seed=0)
    X = np.random.default_rng(3).standard_normal((4, 6))
    Y = np.array([[0, 1, 0, 1, 1, 0]])
    AL, caches = L_model_forward(X, parameters)
    caches_before = copy.deepcopy(caches)
    L_model_backward(AL, Y, caches)
    backward_from_output(AL - Y, caches)
    for (lin, Z), (lin_before, Z_before) in zip(caches, caches_before, strict=True):
        np.testing.assert_array_equal(Z, Z_before)
        for a, b in zip(lin, lin_before, strict=True):
            np.testing.assert_array_equal(a, b)


def test_L_layer_model_does_not_mutate_the_starting_parameters():
    X, Y = circles_data(40)
    start = initialize_parameters_he([2, 3, 1], seed=4)
    before = copy.deepcopy(start)
    trained, _ = L_layer_model(X, Y, [2, 3, 1], num_iterations=5, parameters=start)
    for name in before:
        np.testing.assert_array_equal(start[name], before[name])
    assert not np.array_equal(trained["W1"], start["W1"])  # it did train, on copies
