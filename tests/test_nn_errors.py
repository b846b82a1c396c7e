"""Bad input to gradelab.nn raises ValueError naming the argument and, for shapes, both shapes.

The matches are built from literal pieces (argument names, shapes as Python prints
them) joined by ``.*``, so a message that drops the name or either shape fails.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import gradelab.nn as nn
from gradelab.nn import (
    L_layer_model,
    L_model_backward,
    L_model_forward,
    backward_from_output,
    compute_cost,
    compute_cost_from_logits,
    initialize_parameters,
    initialize_parameters_deep,
    initialize_parameters_he,
    initialize_parameters_random,
    initialize_parameters_xavier,
    initialize_parameters_zeros,
    linear_activation_backward,
    linear_activation_forward,
    linear_backward,
    linear_forward,
    predict,
    update_parameters,
)


def pieces(*parts: str) -> str:
    """A regex that finds every part, literally and in this order."""
    return ".*".join(re.escape(part) for part in parts)


rng = np.random.default_rng(0)


def randn(*shape: int) -> np.ndarray:
    return rng.standard_normal(shape)


def labels(m: int) -> np.ndarray:
    return (np.arange(m) % 2).reshape(1, m).astype(float)


def network(layers_dims: list[int], m: int = 7) -> tuple[dict, np.ndarray, np.ndarray]:
    return initialize_parameters_he(layers_dims, seed=1), randn(layers_dims[0], m), labels(m)


# --------------------------------------------------------------------------- one layer, forward


def test_linear_forward_W_columns_vs_A_rows():
    with pytest.raises(ValueError, match=pieces("W has shape (1, 4)", "A has shape (3, 2)")):
        linear_forward(randn(3, 2), randn(1, 4), randn(1, 1))


def test_linear_forward_b_vs_W():
    with pytest.raises(ValueError, match=pieces("b must have shape (1, 1)", "W (1, 3)", "got b (2, 1)")):
        linear_forward(randn(3, 2), randn(1, 3), randn(2, 1))


def test_linear_forward_b_as_a_row():
    with pytest.raises(ValueError, match=pieces("b must have shape (4, 1)", "W (4, 3)", "got b (1, 4)")):
        linear_forward(randn(3, 2), randn(4, 3), randn(1, 4))


@pytest.mark.parametrize(
    "A, W, b, message",
    [
        (np.ones(3), np.ones((1, 3)), np.ones((1, 1)), "A must be 2-D, got shape (3,)"),
        (np.ones((3, 2)), np.ones(3), np.ones((1, 1)), "W must be 2-D, got shape (3,)"),
        (np.ones((3, 2)), np.ones((1, 3)), np.ones(1), "b must be 2-D, got shape (1,)"),
        (np.array([["a", "b"]]), np.ones((1, 1)), np.ones((1, 1)), "A must hold numbers"),
        (np.ones((3, 2)), "W", np.ones((1, 1)), "W must be a numpy array, got str"),
    ],
)
def test_linear_forward_not_a_matrix(A, W, b, message):
    with pytest.raises(ValueError, match=pieces(message)):
        linear_forward(A, W, b)


def test_linear_forward_accepts_nested_lists():
    Z, _ = linear_forward([[1.0], [2.0]], [[3.0, 4.0]], [[0.5]])
    np.testing.assert_array_equal(Z, [[11.5]])


def test_linear_activation_forward_names_A_prev():
    with pytest.raises(ValueError, match=pieces("W has shape (1, 4)", "A_prev has shape (3, 2)")):
        linear_activation_forward(randn(3, 2), randn(1, 4), randn(1, 1), "relu")


@pytest.mark.parametrize("activation", ["leaky_relu", "Sigmoid", "", None])
def test_unknown_activation(activation):
    match = pieces("activation must be one of", "sigmoid", "relu", "tanh", "softmax", f"got {activation!r}")
    with pytest.raises(ValueError, match=match):
        linear_activation_forward(randn(3, 2), randn(1, 3), randn(1, 1), activation)
    _, cache = linear_activation_forward(randn(3, 2), randn(1, 3), randn(1, 1), "relu")
    with pytest.raises(ValueError, match=match):
        linear_activation_backward(randn(1, 2), cache, activation)


# --------------------------------------------------------------------------- L_model_forward


def test_L_model_forward_X_rows_vs_W1():
    parameters, _, _ = network([3, 4, 1])
    with pytest.raises(ValueError, match=pieces("layer 1", "W1 has shape (4, 3)", "X has shape (5, 7)")):
        L_model_forward(randn(5, 7), parameters)


def test_L_model_forward_mismatched_hidden_layer():
    parameters, X, _ = network([3, 4, 2, 1])
    parameters["W2"] = randn(2, 5)
    with pytest.raises(ValueError, match=pieces("layer 2", "W2 has shape (2, 5)", "A[1] has shape (4, 7)")):
        L_model_forward(X, parameters)


def test_L_model_forward_mismatched_bias():
    parameters, X, _ = network([3, 4, 2, 1])
    parameters["b3"] = randn(2, 1)
    with pytest.raises(ValueError, match=pieces("layer 3", "b3 must have shape (1, 1)", "W3 (1, 2)", "got b3 (2, 1)")):
        L_model_forward(X, parameters)


def test_L_model_forward_X_not_2d():
    parameters, _, _ = network([3, 1])
    with pytest.raises(ValueError, match=pieces("X must be 2-D, got shape (3,)")):
        L_model_forward(np.ones(3), parameters)


@pytest.mark.parametrize(
    "parameters, message",
    [
        ({"W1": np.ones((1, 3))}, "parameters lack the biases ['b1']"),
        ({"W1": np.ones((2, 3)), "b1": np.ones((2, 1)), "W2": np.ones((1, 2))}, "parameters lack the biases ['b2']"),
        ({"w1": np.ones((1, 3)), "b1": np.ones((1, 1))}, "parameters must hold 'W1', 'b1'"),
        ({}, "parameters must hold 'W1', 'b1'"),
        ([np.ones((1, 3))], "parameters must be a dict"),
    ],
)
def test_L_model_forward_bad_parameters(parameters, message):
    with pytest.raises(ValueError, match=pieces(message)):
        L_model_forward(np.ones((3, 2)), parameters)
    with pytest.raises(ValueError, match=pieces(message)):
        predict(np.ones((3, 2)), parameters)


# --------------------------------------------------------------------------- cost and labels


def test_compute_cost_AL_vs_Y():
    with pytest.raises(ValueError, match=pieces("AL", "Y", "AL (1, 3)", "Y (1, 4)")):
        compute_cost(np.full((1, 3), 0.5), labels(4))


def test_compute_cost_Y_as_a_vector():
    with pytest.raises(ValueError, match=pieces("Y must be 2-D, got shape (3,)")):
        compute_cost(np.full((1, 3), 0.5), np.array([0, 1, 1]))


def test_compute_cost_from_logits_ZL_vs_Y():
    with pytest.raises(ValueError, match=pieces("ZL", "Y", "ZL (1, 3)", "Y (1, 2)")):
        compute_cost_from_logits(np.zeros((1, 3)), labels(2))


@pytest.mark.parametrize("Y, found", [([[0, 0.5, 1]], "[0.5]"), ([[0, 2, -1, 1]], "[-1, 2]"), ([[1, 1, 3]], "[3]")])
def test_labels_must_be_0_or_1(Y, found):
    Y = np.array(Y)
    m = Y.shape[1]
    match = pieces("Y must hold only 0/1 labels", found)
    with pytest.raises(ValueError, match=match):
        compute_cost(np.full((1, m), 0.5), Y)
    with pytest.raises(ValueError, match=match):
        compute_cost_from_logits(np.zeros((1, m)), Y)
    parameters, _, _ = network([2, 1])
    X = randn(2, m)
    AL, caches = L_model_forward(X, parameters)
    with pytest.raises(ValueError, match=match):
        L_model_backward(AL, Y, caches)
    with pytest.raises(ValueError, match=match):
        L_layer_model(X, Y, [2, 1], num_iterations=1)


def test_labels_may_be_bool_or_int():
    AL = np.array([[0.2, 0.7]])
    expected = compute_cost(AL, np.array([[0.0, 1.0]]))
    assert compute_cost(AL, np.array([[False, True]])) == expected
    assert compute_cost(AL, [[0, 1]]) == expected


def test_L_layer_model_X_vs_Y_examples():
    with pytest.raises(ValueError, match=pieces("X and Y", "X (2, 5)", "Y (1, 4)")):
        L_layer_model(randn(2, 5), labels(4), [2, 1], num_iterations=1)


def test_L_layer_model_unknown_initialization():
    with pytest.raises(ValueError, match=pieces("initialization must be one of", "'he'", "got 'glorot'")):
        L_layer_model(randn(2, 4), labels(4), [2, 1], num_iterations=1, initialization="glorot")


# --------------------------------------------------------------------------- backward


def test_L_model_backward_AL_vs_Y():
    parameters, X, _ = network([3, 2, 1])
    AL, caches = L_model_forward(X, parameters)
    with pytest.raises(ValueError, match=pieces("AL", "Y", "AL (1, 7)", "Y (1, 6)")):
        L_model_backward(AL, labels(6), caches)


def test_L_model_backward_AL_vs_caches():
    parameters, X, Y = network([3, 2, 1])
    _, caches = L_model_forward(X, parameters)
    with pytest.raises(ValueError, match=pieces("AL has shape (1, 4)", "caches", "(1, 7)")):
        L_model_backward(np.full((1, 4), 0.5), labels(4), caches)


def test_linear_backward_dZ_shape():
    cache = (randn(5, 4), randn(3, 5), randn(3, 1))
    with pytest.raises(ValueError, match=pieces("dZ must have shape (3, 4)", "W (3, 5)", "A_prev (5, 4)", "got dZ (3, 5)")):
        linear_backward(randn(3, 5), cache)
    with pytest.raises(ValueError, match=pieces("dZ must have shape (3, 4)", "got dZ (4, 3)")):
        linear_backward(randn(4, 3), cache)


def test_linear_backward_inconsistent_cache():
    with pytest.raises(ValueError, match=pieces("W has shape (3, 5)", "A_prev has shape (4, 4)")):
        linear_backward(randn(3, 4), (randn(4, 4), randn(3, 5), randn(3, 1)))


def test_backward_from_output_dZL_shape():
    parameters, X, Y = network([3, 2, 1])
    _, caches = L_model_forward(X, parameters)
    with pytest.raises(ValueError, match=pieces("dZ must have shape (1, 7)", "got dZ (1, 6)")):
        backward_from_output(np.zeros((1, 6)), caches)


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh", "softmax"])
def test_linear_activation_backward_dA_shape(activation):
    # A (1, m) dA against a (3, m) Z used to broadcast into a wrong dZ silently.
    _, cache = linear_activation_forward(randn(2, 4), randn(3, 2), randn(3, 1), activation)
    with pytest.raises(ValueError, match=pieces("dA", "(3, 4)", "got dA (1, 4)")):
        linear_activation_backward(randn(1, 4), cache, activation)


# --------------------------------------------------------------------------- update_parameters


@pytest.mark.parametrize("missing", ["dW1", "db1", "dW2", "db2"])
def test_update_parameters_grads_missing_a_key(missing):
    parameters, _, _ = network([3, 2, 1])
    grads = {f"d{k}": np.zeros_like(v) for k, v in parameters.items() if f"d{k}" != missing}
    with pytest.raises(ValueError, match=pieces("grads lacks", repr(missing), repr(missing[1:]))):
        update_parameters(parameters, grads, 0.1)


def test_update_parameters_grads_wrong_shape():
    parameters, _, _ = network([3, 2, 1])
    grads = {f"d{k}": np.zeros_like(v) for k, v in parameters.items()}
    grads["dW1"] = np.zeros((3, 2))
    with pytest.raises(ValueError, match=pieces("grads['dW1'] has shape (3, 2)", "W1 has shape (2, 3)")):
        update_parameters(parameters, grads, 0.1)


# --------------------------------------------------------------------------- layers_dims

BAD_LAYERS_DIMS = [
    ([], "must list at least the input and output sizes, got []"),
    ([3], "must list at least the input and output sizes, got [3]"),
    ([3, 0, 1], "must hold positive integers, got [3, 0, 1]"),
    ([3, -2, 1], "must hold positive integers, got [3, -2, 1]"),
    ([3, 2.5, 1], "must hold positive integers, got [3, 2.5, 1]"),
    ([3, "a", 1], "must be a list of integers, got [3, 'a', 1]"),
    ([3, float("inf")], "must be a list of integers, got [3, inf]"),
    ([3, float("nan")], "must be a list of integers, got [3, nan]"),
    ([3, None], "must be a list of integers, got [3, None]"),
    (5, "must be a list of integers, got 5"),
]
INITIALIZERS = {
    "layers_dims": [
        initialize_parameters_random,
        initialize_parameters_he,
        initialize_parameters_xavier,
        initialize_parameters_zeros,
    ],
    "layer_dims": [initialize_parameters_deep],  # the course's name for this one's argument
}


@pytest.mark.parametrize("dims, message", BAD_LAYERS_DIMS, ids=lambda v: repr(v) if not isinstance(v, str) else "")
def test_bad_layers_dims(dims, message):
    for argument, initializers in INITIALIZERS.items():
        for initializer in initializers:
            with pytest.raises(ValueError, match=pieces(argument, message)):
                initializer(dims)
    with pytest.raises(ValueError, match=pieces("layers_dims", message)):
        L_layer_model(randn(3, 4), labels(4), dims, num_iterations=1)


def test_initialize_parameters_bad_sizes():
    with pytest.raises(ValueError, match=pieces("[n_x, n_h, n_y]", "positive integers", "[0, 2, 1]")):
        initialize_parameters(0, 2, 1)
    with pytest.raises(ValueError, match=pieces("[n_x, n_h, n_y]", "positive integers", "[3, 2.5, 1]")):
        initialize_parameters(3, 2.5, 1)


def test_integer_like_layers_dims_are_accepted():
    parameters = initialize_parameters_he([np.int64(3), 2.0, 1])
    assert parameters["W1"].shape == (2, 3) and parameters["W2"].shape == (1, 2)
    assert parameters["W1"].shape == initialize_parameters_he((3, 2, 1))["W1"].shape


def test_L_layer_model_layers_dims_vs_X():
    with pytest.raises(ValueError, match=pieces("layer 1", "W1 has shape (4, 3)", "X has shape (2, 6)")):
        L_layer_model(randn(2, 6), labels(6), [3, 4, 1], num_iterations=1)


@pytest.mark.parametrize("layers_dims", ["34", [True, 2], [3, "4"]])
def test_layers_dims_that_only_look_like_integers_are_refused(layers_dims):
    with pytest.raises(ValueError, match="layers_dims must be a list of integers"):
        nn.initialize_parameters_he(layers_dims)


def test_parameters_with_a_gap_in_their_layer_numbers_are_refused():
    parameters = nn.initialize_parameters_he([3, 4, 2, 1])
    del parameters["W2"], parameters["b2"]
    with pytest.raises(ValueError, match=r"\['W3', 'b3'\] but no 'W2'"):
        nn.L_model_forward(np.ones((3, 5)), parameters)


def test_record_every_must_be_positive():
    X, Y = np.ones((2, 4)), np.array([[0, 1, 0, 1]])
    with pytest.raises(ValueError, match="record_every must be a positive integer, got 0"):
        nn.L_layer_model(X, Y, [2, 1], num_iterations=1, record_every=0)
