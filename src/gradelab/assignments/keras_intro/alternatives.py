"""Correct implementations that differ from the solution: each must score full marks.

Like mistakes.py, this module imports nothing from gradelab but student-facing modules, so it can
run as a submission.
"""
# ruff: noqa: F821 - graded functions (my_dense, my_dense_v) are defined by the submission this source joins

import numpy as np

from gradelab.keras import Dense, Input, Sequential, set_seed
from gradelab.student.keras_lab import sigmoid


# --- my_dense ------------------------------------------------------------------------------------
def dense_comprehension(a_in, W, b, g):
    return np.array([g(a_in @ W[:, j] + b[j]) for j in range(W.shape[1])])


def dense_vectorized(a_in, W, b, g):
    return g(a_in @ W + b)


def dense_loop_over_columns(a_in, W, b, g):
    a_out = []
    for w, b_j in zip(W.T, b):
        a_out.append(g(np.sum(w * a_in) + b_j))
    return np.array(a_out, dtype=float)


# --- my_dense_v ----------------------------------------------------------------------------------
def dense_v_dot(A_in, W, b, g):
    return g(np.dot(A_in, W) + b)


def dense_v_einsum(A_in, W, b, g):
    return g(np.einsum("mn,nu->mu", A_in, W) + b[np.newaxis, :])


def dense_v_course_and_back(A_in, W, b, g):
    Z = W.T @ A_in.T + b.reshape(-1, 1)  # in the course's layout, then back to rows
    return g(Z).T


# --- my_sequential -------------------------------------------------------------------------------
def sequential_inline(x, W1, b1, W2, b2):
    return sigmoid(sigmoid(x @ W1 + b1) @ W2 + b2)


def sequential_keywords(x, W1, b1, W2, b2):
    a1 = my_dense(a_in=x, W=W1, b=b1, g=sigmoid)
    return my_dense(a_in=a1, W=W2, b=b2, g=sigmoid)


def sequential_loop_over_layers(x, W1, b1, W2, b2):
    a = x
    for W, b in ((W1, b1), (W2, b2)):
        a = my_dense(a, W, b, sigmoid)
    return a


def sequential_vectorized_one_row(x, W1, b1, W2, b2):
    A1 = my_dense_v(x.reshape(1, -1), W1, b1, sigmoid)
    return my_dense_v(A1, W2, b2, sigmoid)[0]


# --- build_model ---------------------------------------------------------------------------------
def model_add(n_x, n_h):
    model = Sequential()
    model.add(Input(shape=(n_x,)))
    model.add(Dense(n_h, activation="sigmoid", name="layer1"))
    model.add(Dense(1, activation="sigmoid", name="layer2"))
    return model


def model_input_shape(n_x, n_h):
    return Sequential([Dense(n_h, activation="sigmoid", name="layer1", input_shape=(n_x,)),
                       Dense(1, activation="sigmoid", name="layer2")])


def model_built_explicitly(n_x, n_h):
    model = Sequential([Dense(n_h, activation="sigmoid", name="layer1", kernel_initializer="glorot_uniform",
                              bias_initializer="zeros"),
                        Dense(1, activation="sigmoid", name="layer2")])
    model.build((None, n_x))
    return model


def model_seeded(n_x, n_h):
    set_seed(1234)  # as in the lab: the same weights every run
    return Sequential([Input(shape=(n_x,)), Dense(n_h, activation="sigmoid", name="layer1"),
                       Dense(1, activation="sigmoid", name="layer2")])
