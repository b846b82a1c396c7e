# The instructor's solution of the keras_intro assignment, written as a student would.
# `gradelab assign` turns each function into a notebook cell and empties the lines between
# the START and END markers; the test suite grades this file as a submission.
# Layout, as in Keras: an example is a row; W is (n_in, units), one column per unit; b is (units,).
import numpy as np

from gradelab.keras import Dense, Input, Sequential
from gradelab.student.keras_lab import sigmoid


def my_dense(a_in, W, b, g):
    """
    One dense layer for one example, unit by unit.

    :param a_in: one example, shape (n,).
    :param W: weights, shape (n, units): column j holds the weights of unit j.
    :param b: biases, shape (units,).
    :param g: the activation function, e.g. sigmoid; apply it to each unit's z.
    :return: a_out, shape (units,).
    """
    units = W.shape[1]
    a_out = np.zeros(units)
    # START OF YOUR CODE
    # For each unit j: z = the dot product of a_in with column j of W, plus b[j]; a_out[j] = g(z).
    for j in range(units):
        w = W[:, j]
        z = np.dot(w, a_in) + b[j]
        a_out[j] = g(z)
    # END OF YOUR CODE
    return a_out


def my_dense_v(A_in, W, b, g):
    """
    One dense layer for m examples at once, without a loop.

    :param A_in: m examples as rows, shape (m, n).
    :param W: weights, shape (n, units).
    :param b: biases, shape (units,).
    :param g: the activation function.
    :return: A_out, shape (m, units).
    """
    A_out = None
    # START OF YOUR CODE
    # One matrix product gives every unit's z for every example; b is added to each row (broadcasting).
    Z = np.matmul(A_in, W) + b
    A_out = g(Z)
    # END OF YOUR CODE
    return A_out


def my_sequential(x, W1, b1, W2, b2):
    """
    The forward pass of a two-layer network for one example, both layers with a sigmoid.

    :param x: one example, shape (n,).
    :param W1, b1: layer 1, shapes (n, units1) and (units1,).
    :param W2, b2: layer 2, shapes (units1, units2) and (units2,).
    :return: a2, shape (units2,).
    """
    a2 = None
    # START OF YOUR CODE
    # Call my_dense twice: layer 2 takes layer 1's output as its input.
    a1 = my_dense(x, W1, b1, sigmoid)
    a2 = my_dense(a1, W2, b2, sigmoid)
    # END OF YOUR CODE
    return a2


def build_model(n_x, n_h):
    """
    The lab's model in gradelab.keras: n_x input features, a hidden layer of n_h sigmoid units called
    "layer1", and one sigmoid output unit called "layer2".

    :param n_x: features per example.
    :param n_h: units of the hidden layer.
    :return: the Sequential model, its weights already created (they need the input size, not data).
    """
    model = None
    # START OF YOUR CODE
    # Start with Input(shape=(n_x,)), then the two Dense layers with their activations and names.
    model = Sequential([
        Input(shape=(n_x,)),
        Dense(n_h, activation="sigmoid", name="layer1"),
        Dense(1, activation="sigmoid", name="layer2"),
    ])
    # END OF YOUR CODE
    return model
