# The instructor's solution of the initialization assignment, written as a student would.
# `gradelab assign` turns each function into a notebook cell and empties the lines between
# the START and END markers; the test suite grades this file as a submission.
import numpy as np
import sklearn.datasets


def generate_dataset(n_samples_train, n_samples_test, noise_train, noise_test, seed_train, seed_test):
    """
    Generate the data set with sklearn.datasets.make_circles.

    :param n_samples_train: Number of training samples.
    :param n_samples_test: Number of test samples.
    :param noise_train: Standard deviation of the Gaussian noise added to the training samples.
    :param noise_test: Standard deviation of the Gaussian noise added to the test samples.
    :param seed_train: Random seed for the training samples.
    :param seed_test: Random seed for the test samples.
    :return: train_X (m_train, 2), train_Y (m_train,), test_X (m_test, 2), test_Y (m_test,)
    """
    train_X, train_Y = None, None
    test_X, test_Y = None, None
    # START OF YOUR CODE
    # 1) Generate the training samples with sklearn.datasets.make_circles() and the given parameters.
    # 2) Generate the test samples the same way.
    # 3) make_circles draws random numbers: pass the given seeds as random_state.
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=n_samples_train, noise=noise_train, random_state=seed_train)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=n_samples_test, noise=noise_test, random_state=seed_test)
    # END OF YOUR CODE
    return train_X, train_Y, test_X, test_Y


def preprocess(train_X, train_Y, test_X, test_Y):
    """
    Bring the data into the course's layout: examples are columns.

    :return: train_X (2, m_train), train_Y (1, m_train), test_X (2, m_test), test_Y (1, m_test)
    """
    preprocessed_train_X, preprocessed_train_Y = None, None
    preprocessed_test_X, preprocessed_test_Y = None, None
    # START OF YOUR CODE
    # 1) Transpose the samples. 2) Turn each label vector into a row of shape (1, m).
    preprocessed_train_X = train_X.T
    preprocessed_train_Y = np.expand_dims(train_Y, 0)
    preprocessed_test_X = test_X.T
    preprocessed_test_Y = np.expand_dims(test_Y, 0)
    # END OF YOUR CODE
    return preprocessed_train_X, preprocessed_train_Y, preprocessed_test_X, preprocessed_test_Y


def initialize_parameters_zeros(layers_dims):
    """
    Initialize every weight and bias with zeros.

    :param layers_dims: sizes of the layers, [n_x, n_1, ..., n_L].
    :return: parameters "W1", "b1", ..., "WL", "bL": W[l] (layers_dims[l], layers_dims[l-1]), b[l] (layers_dims[l], 1)
    """
    parameters = {}
    # START OF YOUR CODE
    # 1) Loop over the layers with weights (layer 0 is the input X).
    # 2) W[l] and b[l] are zeros of the shapes above.
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    # END OF YOUR CODE
    return parameters


def initialize_parameters_random(layers_dims, seed=3):
    """
    Initialize the weights with large random values (standard normal times 10) and the biases with zeros.

    :param layers_dims: sizes of the layers, [n_x, n_1, ..., n_L].
    :param seed: seed for the random draws, so that your weights match ours.
    :return: parameters "W1", "b1", ..., "WL", "bL" as in initialize_parameters_zeros
    """
    parameters = {}
    # START OF YOUR CODE
    # 1) Seed NumPy's generator with the given seed, once.
    # 2) For each layer with weights: W[l] = randn(n_l, n_{l-1}) * 10, b[l] = zeros.
    np.random.seed(seed)
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    # END OF YOUR CODE
    return parameters


def initialize_parameters_he(layers_dims, seed=3):
    """
    He et al. (2015): weights standard normal times sqrt(2 / n_{l-1}), biases zeros.

    :param layers_dims: sizes of the layers, [n_x, n_1, ..., n_L].
    :param seed: seed for the random draws, so that your weights match ours.
    :return: parameters "W1", "b1", ..., "WL", "bL" as in initialize_parameters_zeros
    """
    parameters = {}
    # START OF YOUR CODE
    # 1) Seed NumPy's generator with the given seed, once.
    # 2) For each layer with weights: W[l] = randn(n_l, n_{l-1}) * sqrt(2 / n_{l-1}), b[l] = zeros.
    np.random.seed(seed)
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2.0 / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    # END OF YOUR CODE
    return parameters
