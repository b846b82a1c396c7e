"""Known wrong implementations students really write, each with the hint it earns.

Every function here is wrong on purpose; the test suite grades each one and fails if it scores full
marks or is not named. The module imports nothing from gradelab but student-facing modules, so its
source can be dropped into a submission as a student would write it. The grader also runs these
functions itself (to recognize them), so they call no graded function: ``_layer`` is a correct dense
layer of their own.
"""

import numpy as np

from gradelab.keras import Dense, Input, Sequential
from gradelab.student.keras_lab import linear, relu, sigmoid


def _layer(a_in, W, b, g):
    return np.array([g(np.dot(a_in, W[:, j]) + b[j]) for j in range(W.shape[1])])


# --- my_dense ------------------------------------------------------------------------------------
def dense_course_layout(a_in, W, b, g):
    units = W.shape[1]
    a_out = np.zeros(units)
    for j in range(units):
        a_out[j] = g(np.dot(W[j], a_in) + b[j])  # row j: the course's W[l] is (units, n)
    return a_out


def dense_no_activation(a_in, W, b, g):
    a_out = np.zeros(W.shape[1])
    for j in range(W.shape[1]):
        a_out[j] = np.dot(W[:, j], a_in) + b[j]
    return a_out


def dense_no_bias(a_in, W, b, g):
    a_out = np.zeros(W.shape[1])
    for j in range(W.shape[1]):
        a_out[j] = g(np.dot(W[:, j], a_in))
    return a_out


def dense_bias_after_activation(a_in, W, b, g):
    a_out = np.zeros(W.shape[1])
    for j in range(W.shape[1]):
        a_out[j] = g(np.dot(W[:, j], a_in)) + b[j]
    return a_out


def dense_loop_over_inputs(a_in, W, b, g):
    units = W.shape[0]  # the number of inputs n, not of units
    a_out = np.zeros(units)
    for j in range(units):
        a_out[j] = g(np.dot(W[:, j], a_in) + b[j])
    return a_out


def dense_first_unit_weights(a_in, W, b, g):
    a_out = np.zeros(W.shape[1])
    w = W[:, 0]
    for j in range(W.shape[1]):
        a_out[j] = g(np.dot(w, a_in) + b[j])
    return a_out


def dense_sigmoid_not_g(a_in, W, b, g):
    a_out = np.zeros(W.shape[1])
    for j in range(W.shape[1]):
        a_out[j] = sigmoid(np.dot(W[:, j], a_in) + b[j])
    return a_out


MY_DENSE = [  # (name, hint, function)
    ("W read as (units, n)", "In this lab W is (n, units), Keras' layout: unit j's weights are the column W[:, j], "
     "not the row W[j] (the course's W[l] is the transpose).", dense_course_layout),
    ("activation not applied", "a_out[j] is g(z), not z: apply the activation g passed in.", dense_no_activation),
    ("bias missing", "z = w · a_in + b[j]: add unit j's bias before the activation.", dense_no_bias),
    ("bias added after the activation", "The bias is part of z: g(w · a_in + b[j]), not g(w · a_in) + b[j].",
     dense_bias_after_activation),
    ("loop over the inputs", "Loop over the units, W.shape[1]; W.shape[0] is the number of inputs n.", dense_loop_over_inputs),
    ("every unit with unit 0's weights", "Each unit has its own weights: use column j, W[:, j], inside the loop.",
     dense_first_unit_weights),
    ("sigmoid in place of g", "Use the activation passed in as g: the grader also passes relu.", dense_sigmoid_not_g),
]


# --- my_dense_v ----------------------------------------------------------------------------------
def dense_v_course_layout(A_in, W, b, g):
    return g(W.T @ A_in.T + b[:, None])  # (units, m): the course's columns, not Keras' rows


def dense_v_no_activation(A_in, W, b, g):
    return A_in @ W + b


def dense_v_no_bias(A_in, W, b, g):
    return g(A_in @ W)


def dense_v_bias_column(A_in, W, b, g):
    return g(A_in @ W + b.reshape(-1, 1))


def dense_v_first_example(A_in, W, b, g):
    return g(A_in[0] @ W + b)


def dense_v_sigmoid_not_g(A_in, W, b, g):
    return sigmoid(A_in @ W + b)


MY_DENSE_V = [
    ("output in the course layout (units, m)", "Keep Keras' layout: examples are rows, so A_out = g(A_in @ W + b) "
     "has shape (m, units).", dense_v_course_layout),
    ("activation not applied", "Apply g to Z = A_in @ W + b.", dense_v_no_activation),
    ("bias missing", "Add b to every row of A_in @ W before the activation.", dense_v_no_bias),
    ("bias as a column", "b has shape (units,) and broadcasts along the rows of A_in @ W (m, units); reshaping it "
     "to (units, 1) adds it along the wrong axis.", dense_v_bias_column),
    ("only the first example", "A_in holds m examples as rows: use all of A_in, not A_in[0].", dense_v_first_example),
    ("sigmoid in place of g", "Use the activation passed in as g: the grader also passes relu.", dense_v_sigmoid_not_g),
]


# --- my_sequential -------------------------------------------------------------------------------
def sequential_x_into_layer2(x, W1, b1, W2, b2):
    _layer(x, W1, b1, sigmoid)
    return _layer(x, W2, b2, sigmoid)


def sequential_returns_a1(x, W1, b1, W2, b2):
    a1 = _layer(x, W1, b1, sigmoid)
    _layer(a1, W2, b2, sigmoid)
    return a1


def sequential_relu_output(x, W1, b1, W2, b2):
    return _layer(_layer(x, W1, b1, sigmoid), W2, b2, relu)


def sequential_linear_output(x, W1, b1, W2, b2):
    return _layer(_layer(x, W1, b1, sigmoid), W2, b2, linear)


def sequential_relu_hidden(x, W1, b1, W2, b2):
    return _layer(_layer(x, W1, b1, relu), W2, b2, sigmoid)


def sequential_biases_swapped(x, W1, b1, W2, b2):
    return _layer(_layer(x, W1, b2, sigmoid), W2, b1, sigmoid)


def sequential_layers_swapped(x, W1, b1, W2, b2):
    return _layer(_layer(x, W2, b2, sigmoid), W1, b1, sigmoid)


MY_SEQUENTIAL = [
    ("layer 2 given x", "Layer 2's input is layer 1's output a1, not x.", sequential_x_into_layer2),
    ("returns a1", "Return the output of the last layer, a2.", sequential_returns_a1),
    ("relu in the output layer", "Both layers use sigmoid; an output in (0, 1) is a probability.", sequential_relu_output),
    ("no activation in the output layer", "Pass sigmoid to layer 2 as well.", sequential_linear_output),
    ("relu in the hidden layer", "Layer 1 uses sigmoid in this lab.", sequential_relu_hidden),
    ("biases swapped", "Layer 1 takes b1 and layer 2 takes b2.", sequential_biases_swapped),
    ("layers in the wrong order", "x goes through layer 1 (W1, b1) first, then layer 2 (W2, b2).", sequential_layers_swapped),
]


# --- build_model ---------------------------------------------------------------------------------
def model_without_input(n_x, n_h):
    return Sequential([Dense(n_h, activation="sigmoid", name="layer1"), Dense(1, activation="sigmoid", name="layer2")])


def model_units_swapped(n_x, n_h):
    return Sequential([Input(shape=(n_x,)), Dense(1, activation="sigmoid", name="layer1"),
                       Dense(n_h, activation="sigmoid", name="layer2")])


def model_names_swapped(n_x, n_h):
    return Sequential([Input(shape=(n_x,)), Dense(n_h, activation="sigmoid", name="layer2"),
                       Dense(1, activation="sigmoid", name="layer1")])


def model_relu_hidden(n_x, n_h):
    return Sequential([Input(shape=(n_x,)), Dense(n_h, activation="relu", name="layer1"),
                       Dense(1, activation="sigmoid", name="layer2")])


def model_linear_output(n_x, n_h):
    return Sequential([Input(shape=(n_x,)), Dense(n_h, activation="sigmoid", name="layer1"), Dense(1, name="layer2")])


def model_input_of_hidden_size(n_x, n_h):
    return Sequential([Input(shape=(n_h,)), Dense(n_h, activation="sigmoid", name="layer1"),
                       Dense(1, activation="sigmoid", name="layer2")])


def model_zero_weights(n_x, n_h):
    return Sequential([Input(shape=(n_x,)), Dense(n_h, activation="sigmoid", name="layer1", kernel_initializer="zeros"),
                       Dense(1, activation="sigmoid", name="layer2", kernel_initializer="zeros")])


BUILD_MODEL = [
    ("no Input", "Without Input(shape=(n_x,)) first, the model does not know its input size, so no weights exist "
     "yet (they would be created from the first data).", model_without_input),
    ("units swapped", "layer1 has n_h units, layer2 one unit.", model_units_swapped),
    ("layer names swapped", "The hidden layer is called 'layer1' and the output layer 'layer2'.", model_names_swapped),
    ("relu in the hidden layer", "Both Dense layers use activation='sigmoid'.", model_relu_hidden),
    ("no activation in the output layer", "Dense's default activation is None (linear): pass activation='sigmoid' "
     "to layer2.", model_linear_output),
    ("Input of the wrong size", "Input(shape=(n_x,)): the number of features per example, not of hidden units.",
     model_input_of_hidden_size),
    ("weights initialized to zeros", "Keep the default kernel_initializer (glorot_uniform): with all weights equal, "
     "every unit of a layer computes the same thing and learns the same thing (symmetry).", model_zero_weights),
]
