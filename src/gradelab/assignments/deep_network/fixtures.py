"""Inputs of every case, each drawn from the case's own generator, and the digits data the models train on.

Backward inputs are never invented: caches, activations and AL come from a real
forward pass of the reference network on seeded X and parameters, so every
identity the course relies on holds (AL = sigmoid(Z[L]), A[l] = relu(Z[l]),
caches[0]'s linear cache holds X = A[0]). That is what lets the shortcut
dZ[L] = AL - Y, a correct method, agree with the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ... import nn
from ...grading.spec import InputMaker

Inputs = tuple[list, dict]


def random_parameters(rng: np.random.Generator, dims: list[int]) -> dict[str, np.ndarray]:
    """W[l] ~ N(0, 1/n_{l-1}) keeps AL away from 0 and 1, so the cost and its gradients stay well conditioned."""
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) / np.sqrt(dims[l - 1])
        parameters[f"b{l}"] = 0.3 * rng.standard_normal((dims[l], 1))
    return parameters


def forward_pass(rng: np.random.Generator, dims: list[int], m: int) -> tuple[np.ndarray, np.ndarray, dict, np.ndarray, list]:
    """X, Y, parameters, and the reference's AL and caches on them."""
    X = rng.standard_normal((dims[0], m))
    Y = rng.integers(0, 2, (1, m))
    parameters = random_parameters(rng, dims)
    AL, caches = nn.L_model_forward(X, parameters)
    return X, Y, parameters, AL, caches


def sizes(n: int, n_prev: int, m: int) -> InputMaker:
    return lambda rng: ([rng.standard_normal((n_prev, m)), rng.standard_normal((n, n_prev)), rng.standard_normal((n, 1))], {})


def activation_inputs(n: int, n_prev: int, m: int, activation: str) -> InputMaker:
    def make(rng: np.random.Generator) -> Inputs:
        args, _ = sizes(n, n_prev, m)(rng)
        return args + [activation], {}

    return make


def model_forward_inputs(dims: list[int], m: int) -> InputMaker:
    return lambda rng: ([rng.standard_normal((dims[0], m)), random_parameters(rng, dims)], {})


def cost_inputs(m: int) -> InputMaker:
    def make(rng: np.random.Generator) -> Inputs:
        AL = nn.sigmoid(rng.standard_normal((1, m)))[0]  # real probabilities in (0, 1)
        return [AL, rng.integers(0, 2, (1, m))], {}

    return make


def linear_backward_inputs(dims: list[int], m: int) -> InputMaker:
    """dZ[L] and caches[L-1]'s linear cache of a real forward pass: (dZ, (A_prev, W, b))."""
    def make(rng: np.random.Generator) -> Inputs:
        _, _, _, _, caches = forward_pass(rng, dims, m)
        linear_cache, Z = caches[-1]
        return [rng.standard_normal(Z.shape), linear_cache], {}

    return make


def activation_backward_inputs(dims: list[int], m: int, activation: str) -> InputMaker:
    """dA and a real layer cache ((A_prev, W, b), Z): the output layer's for sigmoid, the first hidden layer's for relu."""
    def make(rng: np.random.Generator) -> Inputs:
        _, _, _, _, caches = forward_pass(rng, dims, m)
        cache = caches[-1] if activation == "sigmoid" else caches[0]
        return [rng.standard_normal(cache[1].shape), cache, activation], {}

    return make


def model_backward_inputs(dims: list[int], m: int) -> InputMaker:
    def make(rng: np.random.Generator) -> Inputs:
        _, Y, _, AL, caches = forward_pass(rng, dims, m)
        return [AL, Y, caches], {}

    return make


def update_inputs(dims: list[int], m: int, learning_rate: float) -> InputMaker:
    """Parameters and the reference's grads of a real forward pass (dA keys included, as the course passes them)."""
    def make(rng: np.random.Generator) -> Inputs:
        _, Y, parameters, AL, caches = forward_pass(rng, dims, m)
        return [parameters, nn.L_model_backward(AL, Y, caches), learning_rate], {}

    return make


# --- the digits the models train on ----------------------------------------------------------------
@dataclass(frozen=True)
class DigitsTask:
    """Tell digit ``negative`` (label 0) from digit ``positive`` (label 1) in scikit-learn's 8x8 digits."""

    negative: int
    positive: int
    seed: int  # shuffles the examples before the split
    m_train: int
    required_accuracy: float = 0.9


@lru_cache(maxsize=16)
def digits_split(task: DigitsTask) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """train_X (64, m_train) in [0, 1], train_Y (1, m_train), test_X, test_Y: the rest of the two digits' examples."""
    from sklearn.datasets import load_digits  # imported here: only the model exercises need it

    digits = load_digits()
    keep = (digits.target == task.negative) | (digits.target == task.positive)
    X = digits.data[keep] / 16.0  # pixel values are 0 .. 16
    Y = (digits.target[keep] == task.positive).astype(int)
    order = np.random.default_rng(task.seed).permutation(len(Y))
    X, Y = X[order].T, Y[order].reshape(1, -1)
    n = task.m_train
    return X[:, :n], Y[:, :n], X[:, n:], Y[:, n:]


def model_inputs(task: DigitsTask, dims: list[int], learning_rate: float, num_iterations: int) -> InputMaker:
    def make(rng: np.random.Generator) -> Inputs:
        train_X, train_Y, _, _ = digits_split(task)
        return [train_X.copy(), train_Y.copy(), list(dims), learning_rate, num_iterations], {}

    return make


# --- references with the course's signatures, the models' loops on gradelab.nn ---------------------------
def initialize_parameters(n_x: int, n_h: int, n_y: int) -> dict[str, np.ndarray]:
    """The course's function seeds with 1 itself; gradelab.nn takes the seed as an argument."""
    return nn.initialize_parameters(n_x, n_h, n_y)


def initialize_parameters_deep(layer_dims: list[int]) -> dict[str, np.ndarray]:
    """The course's function seeds with 3 itself; gradelab.nn takes the seed as an argument."""
    return nn.initialize_parameters_deep(layer_dims)

def train(parameters: dict, X: np.ndarray, Y: np.ndarray, learning_rate: float, num_iterations: int) -> tuple[dict, list]:
    costs = []
    for i in range(num_iterations):
        AL, caches = nn.L_model_forward(X, parameters)
        cost = nn.compute_cost(AL, Y)
        parameters = nn.update_parameters(parameters, nn.L_model_backward(AL, Y, caches), learning_rate)
        if i % 100 == 0:
            costs.append(cost)
    return parameters, costs


def two_layer_model(X: np.ndarray, Y: np.ndarray, layers_dims: list[int], learning_rate: float = 0.0075,
                    num_iterations: int = 3000, print_cost: bool = False) -> tuple[dict, list]:
    n_x, n_h, n_y = layers_dims
    return train(nn.initialize_parameters(n_x, n_h, n_y), X, Y, learning_rate, num_iterations)


def L_layer_model(X: np.ndarray, Y: np.ndarray, layers_dims: list[int], learning_rate: float = 0.0075,
                  num_iterations: int = 3000, print_cost: bool = False) -> tuple[dict, list]:
    return train(nn.initialize_parameters_deep(layers_dims), X, Y, learning_rate, num_iterations)
