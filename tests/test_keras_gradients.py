"""Backprop of gradelab.keras checked against central differences and against the course's L_model_backward."""

import numpy as np
import pytest

from gradelab import nn
from gradelab.keras import (
    BinaryCrossentropy,
    Dense,
    Input,
    MeanSquaredError,
    Sequential,
    SparseCategoricalCrossentropy,
    clear_session,
    set_seed,
)
from gradelab.nn.gradcheck import numerical_gradient, relative_error

M, N_X = 7, 3


@pytest.fixture(autouse=True)
def fresh_session():
    clear_session()
    set_seed(11)


def build(hidden, output, units):
    """Input(3) -> Dense(4, hidden) -> Dense(5, hidden) -> Dense(units, output), random biases too."""
    model = Sequential(
        [Input(shape=(N_X,)), Dense(4, hidden), Dense(5, hidden), Dense(units, output, bias_initializer="random_normal")]
    )
    for layer in model.layers[:-1]:
        layer.set_weights([layer.kernel, np.random.default_rng(1).normal(0, 0.3, layer.units)])
    return model


def labels(loss, units, rng):
    if isinstance(loss, SparseCategoricalCrossentropy):
        return rng.integers(0, units, M)
    if isinstance(loss, MeanSquaredError):
        return rng.normal(size=(M, units))
    return rng.integers(0, 2, (M, units)).astype(float)


CASES = [
    ("tanh", "sigmoid", 1, BinaryCrossentropy()),  # fused: loss from Z, dZ = (A - Y) / m
    ("sigmoid", None, 1, BinaryCrossentropy(from_logits=True)),
    ("relu", "sigmoid", 3, BinaryCrossentropy()),  # multi-label
    ("tanh", "softmax", 4, SparseCategoricalCrossentropy()),
    ("sigmoid", None, 4, SparseCategoricalCrossentropy(from_logits=True)),
    ("relu", None, 2, MeanSquaredError()),
    ("tanh", "softmax", 3, MeanSquaredError()),  # through softmax_backward, not fused
    ("sigmoid", "tanh", 2, MeanSquaredError()),
]


@pytest.mark.parametrize("hidden, output, units, loss", CASES, ids=[f"{c[0]}-{c[1]}-{type(c[3]).__name__}" for c in CASES])
def test_gradients_match_central_differences(hidden, output, units, loss):
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(M, N_X)), labels(loss, units, rng)
    model = build(hidden, output, units)
    model.compile(optimizer="sgd", loss=loss)
    _, grads = model.loss_and_gradients(X, y)
    for weight, grad in zip(model.variables(), grads, strict=True):
        numeric = numerical_gradient(lambda: model.loss_and_gradients(X, y)[0], weight, h=1e-6)
        assert grad.shape == weight.shape
        assert relative_error(grad, numeric) < 1e-7


def test_a_wrong_gradient_would_fail():
    """The check above is able to fail: a gradient off by the 1/m factor has a large relative error."""
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(M, N_X)), rng.integers(0, 2, M)
    model = build("tanh", "sigmoid", 1)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    grad = model.loss_and_gradients(X, y)[1][0] * M
    numeric = numerical_gradient(lambda: model.loss_and_gradients(X, y)[0], model.layers[0].kernel)
    assert relative_error(grad, numeric) > 0.5


@pytest.mark.parametrize(
    "loss, y_pred, y",
    [
        (BinaryCrossentropy(), np.array([[0.2, 0.9], [0.6, 0.3], [0.5, 0.01]]), np.array([[0, 1], [1, 0], [1, 1]], dtype=float)),
        (SparseCategoricalCrossentropy(), np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]]), np.array([1, 2])),
    ],
)
def test_probability_loss_gradients(loss, y_pred, y):
    """The clipped, non-logit forms (used when the output activation does not match the loss)."""
    work = y_pred.copy()
    numeric = numerical_gradient(lambda: loss(y, work), work)
    assert relative_error(loss.gradient(y, y_pred), numeric) < 1e-7


def test_relu_sigmoid_gradients_equal_the_course_backward():
    """For [LINEAR -> RELU] * 2 -> LINEAR -> SIGMOID, dW[l] = dkernel.T and db[l] = dbias[:, None]."""
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(M, N_X)), rng.integers(0, 2, M)
    model = build("relu", "sigmoid", 1)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    _, grads = model.loss_and_gradients(X, y)
    AL, caches = nn.L_model_forward(X.T, model.to_course_parameters())
    course = nn.L_model_backward(AL, y[None, :].astype(float), caches)
    for l in range(1, 4):
        np.testing.assert_allclose(course[f"dW{l}"], grads[2 * l - 2].T, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(course[f"db{l}"], grads[2 * l - 1][:, None], rtol=1e-10, atol=1e-14)
