"""Correct implementations that differ from the reference: each must score full marks.

Like mistakes.py, this module imports nothing from gradelab so it can run as a submission.
"""

import numpy as np
import sklearn.datasets


def generate_dataset_global_seed(n_samples_train, n_samples_test, noise_train, noise_test, seed_train, seed_test):
    # make_circles(random_state=None) draws from the global generator, seeded just before.
    np.random.seed(seed_train)
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=n_samples_train, noise=noise_train)
    np.random.seed(seed_test)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=n_samples_test, noise=noise_test)
    return train_X, train_Y, test_X, test_Y


def generate_dataset_random_state_objects(n_samples_train, n_samples_test, noise_train, noise_test, seed_train, seed_test):
    sets = [sklearn.datasets.make_circles(n_samples=n, noise=noise, random_state=np.random.RandomState(seed))
            for n, noise, seed in ((n_samples_train, noise_train, seed_train), (n_samples_test, noise_test, seed_test))]
    return sets[0][0], sets[0][1], sets[1][0], sets[1][1]


def generate_dataset_keywords(n_samples_train, n_samples_test, noise_train, noise_test, seed_train, seed_test):
    train = sklearn.datasets.make_circles(random_state=seed_train, noise=noise_train, n_samples=n_samples_train, factor=0.8)
    test = sklearn.datasets.make_circles(random_state=seed_test, noise=noise_test, n_samples=n_samples_test, factor=0.8)
    return (*train, *test)


def preprocess_reshape(train_X, train_Y, test_X, test_Y):
    return train_X.T, train_Y.reshape(1, -1), test_X.T, test_Y.reshape(1, -1)


def preprocess_transpose_newaxis(train_X, train_Y, test_X, test_Y):
    return np.transpose(train_X), train_Y[np.newaxis, :], np.transpose(test_X), test_Y[np.newaxis, :]


def preprocess_loop(train_X, train_Y, test_X, test_Y):
    out = []
    for X, Y in ((train_X, train_Y), (test_X, test_Y)):
        out += [X.swapaxes(0, 1).copy(), np.atleast_2d(Y)]
    return tuple(out)


def zeros_comprehension(layers_dims):
    L = len(layers_dims)
    weights = {f"W{l}": np.zeros((layers_dims[l], layers_dims[l - 1])) for l in range(1, L)}
    biases = {f"b{l}": np.zeros((layers_dims[l], 1)) for l in range(1, L)}
    return {**weights, **biases}


def zeros_zeros_like(layers_dims):
    parameters = {}
    for l, (n_prev, n) in enumerate(zip(layers_dims[:-1], layers_dims[1:]), start=1):
        parameters["W" + str(l)] = np.zeros_like(np.empty((n, n_prev)), dtype=float)
        parameters["b" + str(l)] = np.zeros(n)[:, None]
    return parameters


def zeros_float32_free(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W%d" % l] = np.zeros(shape=(layers_dims[l], layers_dims[l - 1]), dtype=np.float64)
        parameters["b%d" % l] = np.zeros(shape=(layers_dims[l], 1))
    return parameters


def _scaled(layers_dims, draw, scale):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = draw(layers_dims[l], layers_dims[l - 1]) * scale(layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def random_global_seed(layers_dims, seed):
    np.random.seed(seed)
    return _scaled(layers_dims, np.random.randn, lambda n_prev: 10)


def random_private_generator(layers_dims, seed):
    rng = np.random.RandomState(seed)
    return _scaled(layers_dims, rng.randn, lambda n_prev: 10)


def random_default_rng(layers_dims, seed):
    # Another generator: other numbers than the reference, right in distribution.
    rng = np.random.default_rng(seed)
    return _scaled(layers_dims, lambda n, n_prev: rng.standard_normal((n, n_prev)), lambda n_prev: 10)


def random_normal_scale(layers_dims, seed):
    np.random.seed(seed)
    return _scaled(layers_dims, lambda n, n_prev: np.random.normal(0.0, 10.0, (n, n_prev)), lambda n_prev: 1)


def he_global_seed(layers_dims, seed):
    np.random.seed(seed)
    return _scaled(layers_dims, np.random.randn, lambda n_prev: np.sqrt(2 / n_prev))


def he_private_generator(layers_dims, seed):
    rng = np.random.RandomState(seed)
    return _scaled(layers_dims, rng.randn, lambda n_prev: (2.0 / n_prev) ** 0.5)


def he_default_rng(layers_dims, seed):
    rng = np.random.default_rng(seed)
    return _scaled(layers_dims, lambda n, n_prev: rng.normal(0.0, np.sqrt(2 / n_prev), (n, n_prev)), lambda n_prev: 1)


def he_divide_by_sqrt(layers_dims, seed):
    np.random.seed(seed)
    return _scaled(layers_dims, np.random.randn, lambda n_prev: 1 / np.sqrt(n_prev / 2))
