"""The circles data of the initialization study, in the course's column layout."""

from __future__ import annotations

import numpy as np


def generate_dataset(
    n_samples_train: int, n_samples_test: int, noise_train: float, noise_test: float, seed_train: int, seed_test: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two ``make_circles`` sets: X of shape (m, 2), Y of shape (m,), each with its own seed."""
    import sklearn.datasets  # imported here: it takes about a second, and most users of gradelab.nn never need it

    train_X, train_Y = sklearn.datasets.make_circles(n_samples=n_samples_train, noise=noise_train, random_state=seed_train)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=n_samples_test, noise=noise_test, random_state=seed_test)
    return train_X, train_Y, test_X, test_Y


def preprocess(
    train_X: np.ndarray, train_Y: np.ndarray, test_X: np.ndarray, test_Y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Samples to (2, m) by transposing, labels to (1, m) by adding axis 0."""
    for name, value, ndim in (("train_X", train_X, 2), ("train_Y", train_Y, 1), ("test_X", test_X, 2), ("test_Y", test_Y, 1)):
        if np.ndim(value) != ndim:
            raise ValueError(f"{name} must be {ndim}-D as make_circles returns it, got shape {np.shape(value)}")
    return train_X.T, np.expand_dims(train_Y, 0), test_X.T, np.expand_dims(test_Y, 0)


def circles(seed_train: int = 1, seed_test: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The study's data: 300 train and 100 test points, noise 0.05, preprocessed."""
    return preprocess(*generate_dataset(300, 100, 0.05, 0.05, seed_train, seed_test))
