"""Known wrong implementations students really write, each with the hint it earns.

Every function here is wrong on purpose; the test suite grades each one and
fails if it scores full marks. The module imports nothing from gradelab, so
its source can be dropped into a submission as a student would write it.
"""

import numpy as np
import sklearn.datasets


# --- generate_dataset -------------------------------------------------------------
def seeds_swapped(n_samples_train, n_samples_test, noise_train, noise_test, seed_train, seed_test):
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=n_samples_train, noise=noise_train, random_state=seed_test)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=n_samples_test, noise=noise_test, random_state=seed_train)
    return train_X, train_Y, test_X, test_Y


def one_seed_for_both(n_samples_train, n_samples_test, noise_train, noise_test, seed_train, seed_test):
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=n_samples_train, noise=noise_train, random_state=seed_train)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=n_samples_test, noise=noise_test, random_state=seed_train)
    return train_X, train_Y, test_X, test_Y


def seed_ignored_dataset(n_samples_train, n_samples_test, noise_train, noise_test, seed_train, seed_test):
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=n_samples_train, noise=noise_train)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=n_samples_test, noise=noise_test)
    return train_X, train_Y, test_X, test_Y


def noise_swapped(n_samples_train, n_samples_test, noise_train, noise_test, seed_train, seed_test):
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=n_samples_train, noise=noise_test, random_state=seed_train)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=n_samples_test, noise=noise_train, random_state=seed_test)
    return train_X, train_Y, test_X, test_Y


def returns_x_then_x(n_samples_train, n_samples_test, noise_train, noise_test, seed_train, seed_test):
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=n_samples_train, noise=noise_train, random_state=seed_train)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=n_samples_test, noise=noise_test, random_state=seed_test)
    return train_X, test_X, train_Y, test_Y


def other_factor(n_samples_train, n_samples_test, noise_train, noise_test, seed_train, seed_test):
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=n_samples_train, noise=noise_train, random_state=seed_train, factor=0.5)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=n_samples_test, noise=noise_test, random_state=seed_test, factor=0.5)
    return train_X, train_Y, test_X, test_Y


GENERATE_DATASET = [  # (name, hint, function)
    ("seeds of train and test swapped", "The training set uses seed_train and the test set seed_test.", seeds_swapped),
    ("one seed for both sets", "Each set has its own seed: pass seed_test to the second make_circles.", one_seed_for_both),
    ("seed ignored", "make_circles draws random numbers: pass random_state=seed_train (and seed_test) so the data "
                            "can be reproduced.", seed_ignored_dataset),
    ("noise levels swapped", "noise_train belongs to the training set, noise_test to the test set.", noise_swapped),
    ("outputs in the wrong order", "Return train_X, train_Y, test_X, test_Y in this order.", returns_x_then_x),
    ("circles with another factor", "Keep make_circles' default factor (0.8); pass only n_samples, noise and random_state.",
            other_factor),
]


# --- preprocess --------------------------------------------------------------------
def labels_not_reshaped(train_X, train_Y, test_X, test_Y):
    return train_X.T, train_Y, test_X.T, test_Y


def samples_not_transposed(train_X, train_Y, test_X, test_Y):
    return train_X, train_Y.reshape(1, -1), test_X, test_Y.reshape(1, -1)


def samples_reshaped(train_X, train_Y, test_X, test_Y):
    return train_X.reshape(2, -1), train_Y.reshape(1, -1), test_X.reshape(2, -1), test_Y.reshape(1, -1)


def labels_as_column(train_X, train_Y, test_X, test_Y):
    return train_X.T, train_Y.reshape(-1, 1), test_X.T, test_Y.reshape(-1, 1)


def train_and_test_swapped(train_X, train_Y, test_X, test_Y):
    return test_X.T, test_Y.reshape(1, -1), train_X.T, train_Y.reshape(1, -1)


PREPROCESS = [  # (name, hint, function)
    ("labels not reshaped", "Labels must become a row of shape (1, m): np.expand_dims(train_Y, 0) or train_Y.reshape(1, -1).",
            labels_not_reshaped),
    ("samples not transposed", "Examples are columns in the course: X has shape (n_x, m) = (2, m); transpose train_X.",
            samples_not_transposed),
    ("samples reshaped instead of transposed", "reshape(2, m) keeps the memory order and mixes the coordinates of different "
                                                      "points; use .T to make each example a column.", samples_reshaped),
    ("labels as a column", "Labels are a row (1, m), matching AL's shape, not a column (m, 1).", labels_as_column),
    ("train and test swapped", "Return the preprocessed training set first, then the test set.", train_and_test_swapped),
]


# --- initializers ------------------------------------------------------------------
def _draw(layers_dims, seed, scale, transposed=False, bias=np.zeros, start=1, reseed_each_layer=False, sampler="randn"):
    """One parametrized wrong initializer; each mistake below sets one knob."""
    if seed is not None:
        np.random.seed(seed)
    parameters = {}
    for l in range(start, len(layers_dims)):
        if reseed_each_layer:
            np.random.seed(seed)
        shape = (layers_dims[l - 1], layers_dims[l]) if transposed else (layers_dims[l], layers_dims[l - 1])
        draw = np.random.randn(*shape) if sampler == "randn" else np.random.rand(*shape)
        parameters["W" + str(l)] = draw * scale(layers_dims, l)
        parameters["b" + str(l)] = bias((layers_dims[l], 1))
    return parameters


def _ten(dims, l):
    return 10.0


def _he(dims, l):
    return np.sqrt(2.0 / dims[l - 1])


def _random_biases(shape):
    return np.random.randn(*shape)


def zeros_input_layer_given_weights(layers_dims):
    parameters = {}
    for l in range(len(layers_dims)):
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def zeros_transposed(layers_dims):
    return {key: value.T if key.startswith("W") else value for key, value in _zeros(layers_dims).items()}


def zeros_flat_biases(layers_dims):
    return {key: value.ravel() if key.startswith("b") else value for key, value in _zeros(layers_dims).items()}


def zeros_last_layer_missing(layers_dims):
    return _zeros(layers_dims[:-1]) if len(layers_dims) > 2 else {}


def zeros_integer(layers_dims):
    return {key: value.astype(int) for key, value in _zeros(layers_dims).items()}


def ones_biases(layers_dims):
    return {key: np.ones_like(value) if key.startswith("b") else value for key, value in _zeros(layers_dims).items()}


def _zeros(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


ZEROS = [  # (name, hint, function)
    ("the input layer given weights", "Layer 0 is the input X; weights start at W1. Loop for l in range(1, L).",
            zeros_input_layer_given_weights),
    ("transposed weight shapes", "W[l] has shape (n_l, n_{l-1}) = (layers_dims[l], layers_dims[l-1]).", zeros_transposed),
    ("biases of shape (n_l,)", "b[l] is a column of shape (n_l, 1): np.zeros((layers_dims[l], 1)).", zeros_flat_biases),
    ("last layer missing", "Layers run from 1 to L inclusive: range(1, len(layers_dims)).", zeros_last_layer_missing),
    ("integer zeros", "Weights are floats: np.zeros(shape) gives float64, dtype=int makes every update truncate.", zeros_integer),
    ("biases set to ones", "Zero initialization sets the biases to zeros as well.", ones_biases),
]


def random_no_factor(layers_dims, seed):
    return _draw(layers_dims, seed, lambda d, l: 1.0)


def random_biases(layers_dims, seed):
    return _draw(layers_dims, seed, _ten, bias=_random_biases)


def random_transposed(layers_dims, seed):
    return _draw(layers_dims, seed, _ten, transposed=True)


def random_seed_ignored(layers_dims, seed):
    return _draw(layers_dims, None, _ten)


def random_fixed_seed(layers_dims, seed):
    return _draw(layers_dims, 3, _ten)  # np.random.seed(3) hard-coded: right for the default seed only


def random_reseeded_per_layer(layers_dims, seed):
    return _draw(layers_dims, seed, _ten, reseed_each_layer=True)


def random_uniform(layers_dims, seed):
    return _draw(layers_dims, seed, _ten, sampler="rand")


def random_he_scale(layers_dims, seed):
    return _draw(layers_dims, seed, _he)


RANDOM = [  # (name, hint, function)
    ("no factor 10", "This exercise wants large weights on purpose: multiply randn(...) by 10.", random_no_factor),
    ("random biases", "Only the weights are random; biases start at zero (np.zeros((n_l, 1))).", random_biases),
    ("transposed weight shapes", "W[l] has shape (n_l, n_{l-1}): randn(layers_dims[l], layers_dims[l-1]).", random_transposed),
    ("seed ignored", "Call np.random.seed(seed) once before the loop (or draw from np.random.default_rng(seed)).",
            random_seed_ignored),
    ("seed reset in every layer", "Seed once, before the loop: re-seeding makes every layer start the same sequence.",
            random_reseeded_per_layer),
    ("seed hard-coded", "np.random.seed(seed), not np.random.seed(3): the caller's seed decides the draws.", random_fixed_seed),
    ("uniform instead of normal", "np.random.rand draws from [0, 1); the course uses np.random.randn (standard normal).",
            random_uniform),
    ("He scaling instead of 10", "He scaling belongs to the next exercise; here the factor is 10.", random_he_scale),
]


def he_current_layer(layers_dims, seed):
    return _draw(layers_dims, seed, lambda d, l: np.sqrt(2.0 / d[l]))


def he_xavier(layers_dims, seed):
    return _draw(layers_dims, seed, lambda d, l: np.sqrt(1.0 / d[l - 1]))


def he_without_sqrt(layers_dims, seed):
    return _draw(layers_dims, seed, lambda d, l: 2.0 / d[l - 1])


def he_random_biases(layers_dims, seed):
    return _draw(layers_dims, seed, _he, bias=_random_biases)


def he_seed_ignored(layers_dims, seed):
    return _draw(layers_dims, None, _he)


def he_fixed_seed(layers_dims, seed):
    return _draw(layers_dims, 3, _he)  # np.random.seed(3) hard-coded


def he_transposed(layers_dims, seed):
    return _draw(layers_dims, seed, _he, transposed=True)


HE = [  # (name, hint, function)
    ("He scaled by sqrt(2 / n_l)", "The scale uses the previous layer's size: sqrt(2 / layers_dims[l-1]), the fan-in.",
            he_current_layer),
    ("Xavier scaling", "He et al. use sqrt(2 / n_{l-1}); sqrt(1 / n_{l-1}) is Xavier's.", he_xavier),
    ("square root missing", "Multiply by np.sqrt(2 / layers_dims[l-1]), the standard deviation, not the variance.",
            he_without_sqrt),
    ("random biases", "Only the weights are random; biases start at zero.", he_random_biases),
    ("seed ignored", "Call np.random.seed(seed) once before the loop.", he_seed_ignored),
    ("transposed weight shapes", "W[l] has shape (n_l, n_{l-1}).", he_transposed),
    ("seed hard-coded", "np.random.seed(seed), not np.random.seed(3): the caller's seed decides the draws.", he_fixed_seed),
]
