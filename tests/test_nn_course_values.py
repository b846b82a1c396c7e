"""gradelab.nn against the course: initializers replayed draw for draw, and the published numbers.

The initializers must give exactly what the course's code gives: ``np.random.seed(seed)``
then ``np.random.randn(n_l, n_{l-1}) * scale`` for l = 1..L. The replays below run that
code in the test (saving and restoring NumPy's global random state around it) and compare
bit for bit.

The published numbers are literals on purpose: they are the course's expected outputs.
Sources: DLS Course 1 Week 4, "Building your Deep Neural Network: Step by Step"
(public_tests.py / testCases.py: linear_forward, linear_activation_forward,
L_model_forward, compute_cost, linear_backward, linear_activation_backward,
L_model_backward, update_parameters), and Course 2 Week 1 "Initialization"
(initialize_parameters_random / _he test cases, init_utils.load_dataset); the
2-layer initialize_parameters is Course 1 Week 4 "Step by Step" section 3.1.
Printed with 8 decimals, so they are compared to within 1e-8.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from gradelab.nn import (
    L_model_backward,
    L_model_forward,
    compute_cost,
    generate_dataset,
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
    update_parameters,
)

PUBLISHED = {"rtol": 0, "atol": 1e-8}


def with_global_seed(seed: int, draw: Callable[[], object]) -> object:
    """Run ``draw`` right after np.random.seed(seed), as the course's code does, and
    leave NumPy's global random state as it was."""
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        return draw()
    finally:
        np.random.set_state(state)


def course_replay(layers_dims: list[int], seed: int, scale: Callable[[int], float]) -> dict:
    def draw() -> dict:
        parameters = {}
        for l in range(1, len(layers_dims)):
            parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale(layers_dims[l - 1])
            parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        return parameters

    return with_global_seed(seed, draw)


def assert_same_parameters(actual: dict, expected: dict) -> None:
    assert list(actual) == list(expected)
    for name in expected:
        assert actual[name].shape == expected[name].shape, name
        assert actual[name].dtype == np.float64, name
        np.testing.assert_array_equal(actual[name], expected[name], err_msg=name)


# The course's scale expressions, written the way its code writes them.
COURSE_SCALES = {
    "random": (initialize_parameters_random, lambda n_prev: 10),
    "he": (initialize_parameters_he, lambda n_prev: np.sqrt(2.0 / n_prev)),
    "xavier": (initialize_parameters_xavier, lambda n_prev: np.sqrt(1.0 / n_prev)),
    "deep": (initialize_parameters_deep, lambda n_prev: 0.01),
}
DIMS = [[3, 1], [3, 2, 1], [5, 4, 3], [2, 10, 5, 1], [7, 1, 4, 2], [12288, 20, 7, 5, 1]]
SEEDS = [0, 1, 3, 42, 2**31 - 1]


@pytest.mark.parametrize("name", sorted(COURSE_SCALES))
@pytest.mark.parametrize("layers_dims", DIMS, ids=lambda d: "-".join(map(str, d)))
@pytest.mark.parametrize("seed", SEEDS)
def test_initializer_replays_the_course_draw_for_draw(name, layers_dims, seed):
    initializer, scale = COURSE_SCALES[name]
    assert_same_parameters(initializer(layers_dims, seed=seed), course_replay(layers_dims, seed, scale))


@pytest.mark.parametrize("name", sorted(COURSE_SCALES))
def test_initializer_default_seed_is_the_courses_3(name):
    initializer, scale = COURSE_SCALES[name]
    assert_same_parameters(initializer([4, 3, 2, 1]), course_replay([4, 3, 2, 1], 3, scale))


@pytest.mark.parametrize("n_x, n_h, n_y", [(3, 2, 1), (2, 4, 1), (5, 1, 3)])
@pytest.mark.parametrize("seed", [None, 0, 1, 7])
def test_initialize_parameters_replays_the_course(n_x, n_h, n_y, seed):
    actual = initialize_parameters(n_x, n_h, n_y) if seed is None else initialize_parameters(n_x, n_h, n_y, seed=seed)
    expected = course_replay([n_x, n_h, n_y], 1 if seed is None else seed, lambda n_prev: 0.01)
    assert_same_parameters(actual, expected)


@pytest.mark.parametrize("layers_dims", DIMS, ids=lambda d: "-".join(map(str, d)))
def test_initialize_parameters_zeros(layers_dims):
    expected = {}
    for l in range(1, len(layers_dims)):
        expected[f"W{l}"] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        expected[f"b{l}"] = np.zeros((layers_dims[l], 1))
    assert_same_parameters(initialize_parameters_zeros(layers_dims), expected)


def test_different_seeds_give_different_weights():
    assert not np.array_equal(initialize_parameters_he([4, 3], seed=0)["W1"], initialize_parameters_he([4, 3], seed=1)["W1"])


# --------------------------------------------------------------------------- published values


def test_published_initializers():
    he = initialize_parameters_he([3, 1, 2])
    np.testing.assert_allclose(he["W1"], [[1.46040903, 0.3564088, 0.07878985]], **PUBLISHED)
    np.testing.assert_allclose(he["W2"], [[-2.63537665], [-0.39228616]], **PUBLISHED)
    np.testing.assert_array_equal(he["b1"], [[0.0]])
    np.testing.assert_array_equal(he["b2"], [[0.0], [0.0]])

    random = initialize_parameters_random([3, 2, 1])
    np.testing.assert_allclose(
        random["W1"], [[17.88628473, 4.36509851, 0.96497468], [-18.63492703, -2.77388203, -3.54758979]], **PUBLISHED
    )
    np.testing.assert_allclose(random["W2"], [[-0.82741481, -6.27000677]], **PUBLISHED)

    two_layer = initialize_parameters(3, 2, 1)
    np.testing.assert_allclose(
        two_layer["W1"], [[0.01624345, -0.00611756, -0.00528172], [-0.01072969, 0.00865408, -0.02301539]], **PUBLISHED
    )
    np.testing.assert_allclose(two_layer["W2"], [[0.01744812, -0.00761207]], **PUBLISHED)
    np.testing.assert_array_equal(two_layer["b1"], [[0.0], [0.0]])

    deep = initialize_parameters_deep([5, 4, 3])
    np.testing.assert_allclose(deep["W1"][0], [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388], **PUBLISHED)
    assert deep["W1"].shape == (4, 5) and deep["W2"].shape == (3, 4)


def test_published_compute_cost():
    assert compute_cost(np.array([[0.8, 0.9, 0.4]]), np.array([[1, 1, 0]])) == pytest.approx(0.2797765635793422, rel=1e-12)


def test_published_generate_dataset():
    train_X, train_Y, test_X, test_Y = generate_dataset(10, 5, 0.05, 0.05, 1, 2)
    assert train_X.shape == (10, 2) and test_X.shape == (5, 2)
    np.testing.assert_allclose(train_X[0], [-0.72987938, 0.53552791], **PUBLISHED)
    np.testing.assert_array_equal(train_Y, [0, 1, 1, 0, 0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(test_Y, [1, 1, 0, 1, 0])


def test_published_linear_forward():
    A, W, b = with_global_seed(1, lambda: (np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1)))
    Z, cache = linear_forward(A, W, b)
    np.testing.assert_allclose(Z, [[3.26295337, -1.23429987]], **PUBLISHED)
    assert cache[0] is A and cache[1] is W and cache[2] is b


def test_published_linear_activation_forward():
    A_prev, W, b = with_global_seed(2, lambda: (np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1)))
    A, cache = linear_activation_forward(A_prev, W, b, "sigmoid")
    np.testing.assert_allclose(A, [[0.96890023, 0.11013289]], **PUBLISHED)
    np.testing.assert_allclose(cache[1], [[3.43896131, -2.08938436]], **PUBLISHED)  # Z
    A, _ = linear_activation_forward(A_prev, W, b, "relu")
    np.testing.assert_allclose(A, [[3.43896131, 0.0]], **PUBLISHED)


def test_published_L_model_forward():
    def draw() -> tuple:
        X = np.random.randn(5, 4)
        shapes = {"W1": (4, 5), "b1": (4, 1), "W2": (3, 4), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}
        return X, {name: np.random.randn(*shape) for name, shape in shapes.items()}

    X, parameters = with_global_seed(6, draw)
    AL, caches = L_model_forward(X, parameters)
    np.testing.assert_allclose(AL, [[0.03921668, 0.70498921, 0.19734387, 0.04728177]], **PUBLISHED)
    assert len(caches) == 3
    assert caches[0][0][0] is X
    np.testing.assert_allclose(caches[2][1], [[-3.19864676, 0.87117055, -1.40297864, -3.00319435]], **PUBLISHED)
    np.testing.assert_allclose(caches[1][0][0][2], [4.18500916, 0.0, 0.0, 2.72141638], **PUBLISHED)  # A1, after ReLU


def test_published_linear_backward():
    dZ, A, W, b = with_global_seed(
        1, lambda: (np.random.randn(3, 4), np.random.randn(5, 4), np.random.randn(3, 5), np.random.randn(3, 1))
    )
    dA_prev, dW, db = linear_backward(dZ, (A, W, b))
    np.testing.assert_allclose(
        dA_prev,
        [
            [-1.15171336, 0.06718465, -0.3204696, 2.09812712],
            [0.60345879, -3.72508701, 5.81700741, -3.84326836],
            [-0.4319552, -1.30987417, 1.72354705, 0.05070578],
            [-0.38981415, 0.60811244, -1.25938424, 1.47191593],
            [-2.52214926, 2.67882552, -0.67947465, 1.48119548],
        ],
        **PUBLISHED,
    )
    np.testing.assert_allclose(
        dW,
        [
            [0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716],
            [0.85508818, 0.37530413, -0.59912655, 0.71278189, -0.58931808],
            [0.97913304, -0.24376494, -0.08839671, 0.55151192, -0.10290907],
        ],
        **PUBLISHED,
    )
    np.testing.assert_allclose(db, [[-0.14713786], [-0.11313155], [-0.13209101]], **PUBLISHED)


def test_published_linear_activation_backward():
    dA, A, W, b, Z = with_global_seed(
        2,
        lambda: (
            np.random.randn(1, 2),
            np.random.randn(3, 2),
            np.random.randn(1, 3),
            np.random.randn(1, 1),
            np.random.randn(1, 2),
        ),
    )
    dA_prev, dW, db = linear_activation_backward(dA, ((A, W, b), Z), "sigmoid")
    np.testing.assert_allclose(
        dA_prev, [[0.11017994, 0.01105339], [0.09466817, 0.00949723], [-0.05743092, -0.00576154]], **PUBLISHED
    )
    np.testing.assert_allclose(dW, [[0.10266786, 0.09778551, -0.01968084]], **PUBLISHED)
    np.testing.assert_allclose(db, [[-0.05729622]], **PUBLISHED)

    dA_prev, dW, db = linear_activation_backward(dA, ((A, W, b), Z), "relu")
    np.testing.assert_allclose(dA_prev, [[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]], **PUBLISHED)
    np.testing.assert_allclose(dW, [[0.44513824, 0.37371418, -0.10478989]], **PUBLISHED)
    np.testing.assert_allclose(db, [[-0.20837892]], **PUBLISHED)


def test_published_L_model_backward():
    def draw() -> tuple:
        AL = np.random.randn(1, 2)
        A1, W1, b1, Z1 = np.random.randn(4, 2), np.random.randn(3, 4), np.random.randn(3, 1), np.random.randn(3, 2)
        A2, W2, b2, Z2 = np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1), np.random.randn(1, 2)
        return AL, (((A1, W1, b1), Z1), ((A2, W2, b2), Z2))

    AL, caches = with_global_seed(3, draw)
    grads = L_model_backward(AL, np.array([[1, 0]]), caches)
    assert sorted(grads) == ["dA0", "dA1", "dW1", "dW2", "db1", "db2"]
    np.testing.assert_allclose(
        grads["dA0"], [[0.0, 0.52257901], [0.0, -0.3269206], [0.0, -0.32070404], [0.0, -0.74079187]], **PUBLISHED
    )
    np.testing.assert_allclose(
        grads["dA1"], [[0.12913162, -0.44014127], [-0.14175655, 0.48317296], [0.01663708, -0.05670698]], **PUBLISHED
    )
    np.testing.assert_allclose(
        grads["dW1"],
        [[0.41010002, 0.07807203, 0.13798444, 0.10502167], [0.0, 0.0, 0.0, 0.0], [0.05283652, 0.01005865, 0.01777766, 0.0135308]],
        **PUBLISHED,
    )
    np.testing.assert_allclose(grads["dW2"], [[-0.39202432, -0.13325855, -0.04601089]], **PUBLISHED)
    np.testing.assert_allclose(grads["db1"], [[-0.22007063], [0.0], [-0.02835349]], **PUBLISHED)
    np.testing.assert_allclose(grads["db2"], [[0.15187861]], **PUBLISHED)


def test_published_update_parameters():
    shapes = {"1": ((3, 4), (3, 1)), "2": ((1, 3), (1, 1))}

    def draw(prefix: str) -> Callable[[], dict]:
        def inner() -> dict:
            out = {}
            for l, (w_shape, b_shape) in shapes.items():
                out[f"{prefix}W{l}"] = np.random.randn(*w_shape)
                out[f"{prefix}b{l}"] = np.random.randn(*b_shape)
            return out

        return inner

    parameters = with_global_seed(2, draw(""))
    grads = with_global_seed(3, draw("d"))
    updated = update_parameters(parameters, grads, 0.1)
    np.testing.assert_allclose(
        updated["W1"],
        [
            [-0.59562069, -0.09991781, -2.14584584, 1.82662008],
            [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
            [-1.0535704, -0.86128581, 0.68284052, 2.20374577],
        ],
        **PUBLISHED,
    )
    np.testing.assert_allclose(updated["b1"], [[-0.04659241], [-1.28888275], [0.53405496]], **PUBLISHED)
    np.testing.assert_allclose(updated["W2"], [[-0.55569196, 0.0354055, 1.32964895]], **PUBLISHED)
    np.testing.assert_allclose(updated["b2"], [[-0.84610769]], **PUBLISHED)
