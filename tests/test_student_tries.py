"""What students really try, over the four assignments: each gets the intended verdict in the check and in grading.

A try is the assignment's solution with one graded function replaced by the student's version (and whatever the
student wrote at the top level around it). "pass" is full marks, "fail" anything less; where a known mistake is
intended, it must be the one named; ``says`` must appear in what the student reads, ``never`` must not.
"""

from __future__ import annotations

import ast
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console

from gradelab.assignments import load
from gradelab.grading.engine import grade
from gradelab.grading.report import render
from gradelab.grading.selftest import solution_source

ACCUSATION = "tried to start another program"


@dataclass(frozen=True)
class Try:
    label: str
    assignment: str
    exercise: str  # the function the student wrote
    code: str
    check: str = "pass"  # the verdict of the public check: "pass" or "fail"
    graded: str = ""  # the verdict of grading; the check's by default
    mistake: str | None = None  # the known mistake named, where one is intended
    says: str = ""  # what the student reads, in the check's report
    never: str = ACCUSATION  # what the student never reads

    @property
    def grade_verdict(self) -> str:
        return self.graded or self.check


def _without(source: str, function: str) -> str:
    """The solution without its definition of ``function`` (the student's version replaces it)."""
    lines = source.splitlines()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            lines[start - 1:node.end_lineno] = [""] * (node.end_lineno - start + 1)
    return "\n".join(lines)


def _graded(attempt: Try, hidden: bool):
    assignment = load(attempt.assignment)
    source = _without(solution_source(assignment), attempt.exercise) + "\n\n" + attempt.code.strip() + "\n"
    exercise = next(e for e in assignment.exercises if e.function == attempt.exercise)
    with tempfile.TemporaryDirectory(prefix="gradelab-try-") as folder:
        path = Path(folder) / "submission.py"
        path.write_text(source, encoding="utf-8")
        return grade(assignment, path, hidden=hidden, only=[exercise.id])


def _text(report) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    render(report, console)
    return console.file.getvalue()


def _verdict(report) -> str:
    return "pass" if report.score == report.max_score else "fail"


DEEP = [
    Try("a constant computed with np.sqrt", "deep_network", "initialize_parameters", """
SCALE = np.sqrt(1e-4)

def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * SCALE
    W2 = np.random.randn(n_y, n_h) * SCALE
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}
"""),
    Try("a top-level lambda helper", "deep_network", "linear_forward", """
affine = lambda A, W, b: np.dot(W, A) + b

def linear_forward(A, W, b):
    return affine(A, W, b), (A, W, b)
"""),
    Try("the course's helper module by its course name", "deep_network", "linear_activation_forward", """
from dnn_utils import sigmoid, relu

def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (linear_cache, activation_cache)
"""),
    Try("the application's helper module, with a name gradelab does not provide", "deep_network",
        "linear_activation_forward", """
from dnn_app_utils_v3 import load_data, sigmoid, relu

def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (linear_cache, activation_cache)
"""),
    Try("the course's test modules imported", "deep_network", "linear_forward", """
from testCases import *
from public_tests import *
from public_tests import linear_forward_test

def linear_forward(A, W, b):
    return np.dot(W, A) + b, (A, W, b)
"""),
    Try("matplotlib imported and a plot at the top level", "deep_network", "compute_cost", """
import matplotlib.pyplot as plt
plt.plot([1, 2, 3])

def compute_cost(AL, Y):
    m = Y.shape[1]
    return float(np.squeeze(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m))
"""),
    Try("a dict of activations", "deep_network", "linear_activation_forward", """
ACTIVATIONS = {"sigmoid": sigmoid, "relu": relu}

def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = ACTIVATIONS[activation](Z)
    return A, (linear_cache, activation_cache)
"""),
    Try("a small class", "deep_network", "linear_forward", """
class Affine:
    @staticmethod
    def apply(A, W, b):
        return W @ A + b

def linear_forward(A, W, b):
    return Affine.apply(A, W, b), (A, W, b)
"""),
    Try("np.random.seed(1) deleted", "deep_network", "initialize_parameters", """
def initialize_parameters(n_x, n_h, n_y):
    W1 = np.random.randn(n_h, n_x) * 0.01
    W2 = np.random.randn(n_y, n_h) * 0.01
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}
""", check="fail", mistake="np.random.seed(1) line deleted", says="called twice in a row"),
    Try("initialize_parameters_deep with default_rng", "deep_network", "initialize_parameters_deep", """
def initialize_parameters_deep(layer_dims):
    rng = np.random.default_rng(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
""", says="accepted: other random numbers, right distribution", never="✗"),
    Try("initialize_parameters_deep hard-coded for two layers", "deep_network", "initialize_parameters_deep", """
def initialize_parameters_deep(layer_dims):
    np.random.seed(3)
    return {"W1": np.random.randn(layer_dims[1], layer_dims[0]) * 0.01, "b1": np.zeros((layer_dims[1], 1)),
            "W2": np.random.randn(layer_dims[2], layer_dims[1]) * 0.01, "b2": np.zeros((layer_dims[2], 1))}
""", check="fail"),
    Try("update_parameters changes the caller's dict", "deep_network", "update_parameters", """
def update_parameters(params, grads, learning_rate):
    L = len(params) // 2
    for l in range(1, L + 1):
        params["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        params["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return params
""", check="fail", mistake="caller's parameters changed in place", says="the caller's params stays as it was"),
    Try("a value from an experiment cell", "deep_network", "initialize_parameters", """
trained = initialize_parameters_he_v2(3, 2, 1)

def initialize_parameters(n_x, n_h, n_y):
    return trained
""", check="fail", says="trained is assigned in file, line"),
    Try("a near-miss function name", "deep_network", "linear_forward", """
def linear_foward(A, W, b):
    return np.dot(W, A) + b, (A, W, b)
""", check="fail", says="did you mean linear_foward?"),
    Try("a backward loop that skips layer 1", "deep_network", "L_model_backward", """
def L_model_backward(AL, Y, caches):
    grads, L = {}, len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    for l in reversed(range(1, L - 1)):
        dA, dW, db = linear_activation_backward(grads["dA" + str(l + 1)], caches[l], "relu")
        grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = dA, dW, db
    return grads
""", check="fail", mistake="backward loop skips layer 1"),
    Try("grads keyed dA1 .. dAL", "deep_network", "L_model_backward", """
def L_model_backward(AL, Y, caches):
    grads, L = {}, len(caches)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    grads["dA" + str(L)], grads["dW" + str(L)], grads["db" + str(L)] = linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    for l in reversed(range(L - 1)):
        dA, dW, db = linear_activation_backward(grads["dA" + str(l + 2)], caches[l], "relu")
        grads["dA" + str(l + 1)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = dA, dW, db
    return grads
""", check="fail", mistake="grads keyed dA1 .. dAL"),
    Try("costs recorded every iteration", "deep_network", "two_layer_model", """
def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    grads, costs = {}, []
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        costs.append(compute_cost(A2, Y))
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, grads["dW2"], grads["db2"] = linear_activation_backward(dA2, cache2, "sigmoid")
        _, grads["dW1"], grads["db1"] = linear_activation_backward(dA1, cache1, "relu")
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs
""", check="fail", mistake="costs recorded every iteration", says="record the cost every 100 iterations"),
    Try("every function still returns None", "deep_network", "linear_forward", """
def linear_forward(A, W, b):
    return None
""", check="fail", says="did you save the notebook"),
]

INITIALIZATION = [
    Try("labels as floats", "initialization", "generate_dataset", """
import sklearn.datasets

def generate_dataset(n_samples_train, n_samples_test, noise_train, noise_test, seed_train, seed_test):
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=n_samples_train, noise=noise_train, random_state=seed_train)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=n_samples_test, noise=noise_test, random_state=seed_test)
    return train_X, train_Y.astype(float), test_X, test_Y.astype(float)
"""),
    Try("noise levels swapped", "initialization", "generate_dataset", """
import sklearn.datasets

def generate_dataset(n_samples_train, n_samples_test, noise_train, noise_test, seed_train, seed_test):
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=n_samples_train, noise=noise_test, random_state=seed_train)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=n_samples_test, noise=noise_train, random_state=seed_test)
    return train_X, train_Y, test_X, test_Y
""", check="fail", mistake="noise levels swapped"),
    Try("preprocess with float labels", "initialization", "preprocess", """
def preprocess(train_X, train_Y, test_X, test_Y):
    return train_X.T, train_Y.reshape(1, -1).astype(np.float64), test_X.T, test_Y.reshape(1, -1).astype(np.float64)
"""),
    Try("preprocess drawing random numbers it does not need", "initialization", "preprocess", """
def preprocess(train_X, train_Y, test_X, test_Y):
    np.random.shuffle(np.arange(3))
    return train_X.T, train_Y.reshape(1, -1), test_X.T, test_Y.reshape(1, -1)
""", says="drew from NumPy's global random generator"),
    Try("He with a gain constant", "initialization", "initialize_parameters_he", """
HE_GAIN = np.sqrt(2.0)

def initialize_parameters_he(layers_dims, seed=3):
    np.random.seed(seed)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * HE_GAIN / np.sqrt(layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
"""),
    Try("He with a lambda for the scale", "initialization", "initialize_parameters_he", """
he_scale = lambda n_prev: np.sqrt(2.0 / n_prev)

def initialize_parameters_he(layers_dims, seed=3):
    np.random.seed(seed)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * he_scale(layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
"""),
    Try("He with the seed hard-coded", "initialization", "initialize_parameters_he", """
def initialize_parameters_he(layers_dims, seed=3):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2.0 / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
""", check="fail", mistake="seed hard-coded", says="the seed argument is ignored"),
    Try("He hard-coded for two layers", "initialization", "initialize_parameters_he", """
def initialize_parameters_he(layers_dims, seed=3):
    np.random.seed(seed)
    return {"W1": np.random.randn(layers_dims[1], layers_dims[0]) * np.sqrt(2.0 / layers_dims[0]),
            "b1": np.zeros((layers_dims[1], 1)),
            "W2": np.random.randn(layers_dims[2], layers_dims[1]) * np.sqrt(2.0 / layers_dims[1]),
            "b2": np.zeros((layers_dims[2], 1))}
""", check="fail"),
    Try("He with default_rng(seed)", "initialization", "initialize_parameters_he", """
def initialize_parameters_he(layers_dims, seed=3):
    rng = np.random.default_rng(seed)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = rng.standard_normal((layers_dims[l], layers_dims[l - 1])) * np.sqrt(2 / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
""", says="accepted: other random numbers, right distribution", never="✗"),
    Try("random initialization without any seeding", "initialization", "initialize_parameters_random", """
def initialize_parameters_random(layers_dims, seed=3):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
""", check="fail", mistake="seed ignored"),
    Try("zeros of integer dtype", "initialization", "initialize_parameters_zeros", """
def initialize_parameters_zeros(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]), dtype=int)
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1), dtype=int)
    return parameters
""", check="fail", mistake="integer zeros"),
    Try("the course's public_tests imported", "initialization", "initialize_parameters_zeros", """
from public_tests import *

def initialize_parameters_zeros(layers_dims):
    return {key: np.zeros((layers_dims[int(key[1:])], layers_dims[int(key[1:]) - 1] if key[0] == "W" else 1))
            for l in range(1, len(layers_dims)) for key in ("W" + str(l), "b" + str(l))}
"""),
    Try("random initialization, top-level factor", "initialization", "initialize_parameters_random", """
FACTOR = float(10)

def initialize_parameters_random(layers_dims, seed=3):
    np.random.seed(seed)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * FACTOR
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
"""),
]

CONVOLUTION = [
    Try("float(b) on NumPy 2", "convolution", "conv_single_step", """
def conv_single_step(a_slice_prev, W, b):
    Z = np.sum(np.multiply(a_slice_prev, W))
    return Z + float(b)
""", check="fail", says="NumPy 2 refuses float()"),
    Try("b.item()", "convolution", "conv_single_step", """
def conv_single_step(a_slice_prev, W, b):
    return float(np.sum(a_slice_prev * W)) + b.item()
"""),
    Try("a flipped filter", "convolution", "conv_single_step", """
def conv_single_step(a_slice_prev, W, b):
    return float(np.sum(a_slice_prev * W[::-1, ::-1]) + np.squeeze(b))
""", check="fail", mistake="filter flipped"),
    Try("mode compared with is", "convolution", "pool_forward", """
def pool_forward(A_prev, hparameters, mode="max"):
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    f, stride = hparameters["f"], hparameters["stride"]
    n_H, n_W = int(1 + (n_H_prev - f) / stride), int(1 + (n_W_prev - f) / stride)
    A = np.zeros((m, n_H, n_W, n_C_prev))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C_prev):
                    window = A_prev[i, h * stride:h * stride + f, w * stride:w * stride + f, c]
                    if mode is "max":
                        A[i, h, w, c] = np.max(window)
                    elif mode is "average":
                        A[i, h, w, c] = np.mean(window)
    return A, (A_prev, hparameters)
""", check="fail", mistake="mode compared with is"),
    Try("pool_backward ignoring the stride", "convolution", "pool_backward", """
def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f = hparameters["f"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    if mode == "max":
                        window = A_prev[i, h:h + f, w:w + f, c]
                        dA_prev[i, h:h + f, w:w + f, c] += create_mask_from_window(window) * dA[i, h, w, c]
                    else:
                        dA_prev[i, h:h + f, w:w + f, c] += distribute_value(dA[i, h, w, c], (f, f))
    return dA_prev
""", check="fail", mistake="stride ignored"),
    Try("zero_pad with np.pad and a constant", "convolution", "zero_pad", """
FILL = np.float64(0)

def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=FILL)
"""),
    Try("matplotlib and the course's modules imported", "convolution", "create_mask_from_window", """
import matplotlib.pyplot as plt
from public_tests import *
from test_utils import summary, comparator

def create_mask_from_window(x):
    return x == np.max(x)
"""),
    Try("distribute_value with np.full", "convolution", "distribute_value", """
def distribute_value(dz, shape):
    n_H, n_W = shape
    return np.full((n_H, n_W), dz / (n_H * n_W))
"""),
    Try("conv_forward ignoring the pad", "convolution", "conv_forward", """
def conv_forward(A_prev, W, b, hparameters):
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    n_H, n_W = (n_H_prev - f) // stride + 1, (n_W_prev - f) // stride + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    window = A_prev[i, h * stride:h * stride + f, w * stride:w * stride + f, :]
                    Z[i, h, w, c] = conv_single_step(window, W[..., c], b[..., c])
    return Z, (A_prev, W, b, hparameters)
""", check="fail"),
]

KERAS = [
    Try("my_dense with a lambda helper", "keras_intro", "my_dense", """
unit = lambda a_in, w, b_j, g: g(float(np.dot(a_in, w) + b_j))

def my_dense(a_in, W, b, g):
    return np.array([unit(a_in, W[:, j], b[j], g) for j in range(W.shape[1])])
"""),
    Try("my_dense_v with np.matmul", "keras_intro", "my_dense_v", """
def my_dense_v(A_in, W, b, g):
    return g(np.matmul(A_in, W) + b)
"""),
    Try("my_dense with sigmoid hard-coded", "keras_intro", "my_dense", """
def my_dense(a_in, W, b, g):
    return np.array([1 / (1 + np.exp(-(a_in @ W[:, j] + b[j]))) for j in range(W.shape[1])])
""", check="fail"),
    Try("build_model with relu layers", "keras_intro", "build_model", """
from gradelab.keras import Dense, Input, Sequential

def build_model(n_x, n_h):
    return Sequential([Input(shape=(n_x,)), Dense(n_h, activation="relu", name="layer1"),
                       Dense(1, activation="sigmoid", name="layer2")])
""", check="fail"),
    Try("the course's lab modules by their course names", "keras_intro", "my_sequential", """
from lab_utils_common import dlc, sigmoid
from lab_coffee_utils import load_coffee_data, plt_roast

def my_sequential(x, W1, b1, W2, b2):
    return my_dense(my_dense(x, W1, b1, sigmoid), W2, b2, sigmoid)
"""),
    Try("my_sequential with a constant list of activations", "keras_intro", "my_sequential", """
LAYERS = [1, 2]

def my_sequential(x, W1, b1, W2, b2):
    a = x
    for W, b in zip((W1, W2), (b1, b2)):
        a = my_dense(a, W, b, sigmoid)
    return a
"""),
]

TRIES = DEEP + INITIALIZATION + CONVOLUTION + KERAS


def test_there_are_at_least_forty_tries_over_the_four_assignments():
    assert len(TRIES) >= 40
    assert {attempt.assignment for attempt in TRIES} == {"deep_network", "initialization", "convolution", "keras_intro"}


@pytest.mark.parametrize("attempt", TRIES, ids=[f"{t.assignment}/{t.label}" for t in TRIES])
def test_a_try_gets_the_intended_verdict_in_the_check_and_in_grading(attempt):
    checked, graded = _graded(attempt, hidden=False), _graded(attempt, hidden=True)
    text = _text(checked)
    assert _verdict(checked) == attempt.check, text
    assert _verdict(graded) == attempt.grade_verdict, _text(graded)
    if attempt.mistake is not None:
        for report in (checked, graded):
            named = report.exercises[0].mistake
            assert named is not None and named.name == attempt.mistake, text
    assert attempt.says in text, text
    assert attempt.never not in text, text
    assert ACCUSATION not in _text(graded)
