"""Known wrong implementations students really write, each with the hint it earns.

Every function here is wrong on purpose; the test suite grades each one and
fails if it scores full marks or is not recognized. The module imports nothing
from gradelab but the student helpers, so its source can be dropped into a
submission. Functions that call other graded functions (linear_forward, ...)
find them in the submission; the assignment binds them to the reference to
recognize the mistakes in the grader.
"""
# ruff: noqa: F821 - graded functions (linear_forward, ...) are defined by the submission this source joins

import numpy as np

from gradelab.student.dnn_utils import relu, relu_backward, sigmoid, sigmoid_backward


# --- initialize_parameters ---------------------------------------------------------------------
def init2_transposed(n_x, n_h, n_y):
    np.random.seed(1)
    return {"W1": np.random.randn(n_x, n_h) * 0.01, "b1": np.zeros((n_h, 1)), "W2": np.random.randn(n_h, n_y) * 0.01,
            "b2": np.zeros((n_y, 1))}


def init2_unscaled(n_x, n_h, n_y):
    np.random.seed(1)
    return {"W1": np.random.randn(n_h, n_x), "b1": np.zeros((n_h, 1)), "W2": np.random.randn(n_y, n_h), "b2": np.zeros((n_y, 1))}


def init2_random_bias(n_x, n_h, n_y):
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.random.randn(n_h, 1) * 0.01
    W2 = np.random.randn(n_y, n_h) * 0.01
    return {"W1": W1, "b1": b1, "W2": W2, "b2": np.random.randn(n_y, 1) * 0.01}


def init2_zero_weights(n_x, n_h, n_y):
    return {"W1": np.zeros((n_h, n_x)), "b1": np.zeros((n_h, 1)), "W2": np.zeros((n_y, n_h)), "b2": np.zeros((n_y, 1))}


def init2_bias_vector(n_x, n_h, n_y):
    np.random.seed(1)
    return {"W1": np.random.randn(n_h, n_x) * 0.01, "b1": np.zeros(n_h), "W2": np.random.randn(n_y, n_h) * 0.01,
            "b2": np.zeros(n_y)}


def init2_rand(n_x, n_h, n_y):
    np.random.seed(1)
    return {"W1": np.random.rand(n_h, n_x) * 0.01, "b1": np.zeros((n_h, 1)), "W2": np.random.rand(n_y, n_h) * 0.01,
            "b2": np.zeros((n_y, 1))}


def init2_seed_line_deleted(n_x, n_h, n_y):
    # The template's np.random.seed(1) removed: the checker seeds NumPy with 1 before each call, so one call looks right.
    return {"W1": np.random.randn(n_h, n_x) * 0.01, "b1": np.zeros((n_h, 1)), "W2": np.random.randn(n_y, n_h) * 0.01,
            "b2": np.zeros((n_y, 1))}


INITIALIZE_PARAMETERS = [  # (name, hint, function)
    ("W transposed", "W[l] has shape (n_l, n_{l-1}): W1 is (n_h, n_x), W2 is (n_y, n_h).", init2_transposed),
    ("weights not scaled by 0.01", "Multiply the standard normal draws by 0.01: small weights keep the sigmoid out of its "
                                   "flat ends at the start.", init2_unscaled),
    ("random biases", "Only the weights are random (to break symmetry); the biases start at zero.", init2_random_bias),
    ("zero weights", "With zero weights every hidden unit computes the same thing and stays so: draw W at random.",
     init2_zero_weights),
    ("biases as 1-d vectors", "b[l] is a column of shape (n_l, 1): np.zeros((n_h, 1)), not np.zeros(n_h).", init2_bias_vector),
    ("uniform instead of normal draws", "Use np.random.randn (standard normal), not np.random.rand (uniform on [0, 1)).",
     init2_rand),
    ("np.random.seed(1) line deleted", "Keep the template's np.random.seed(1) at the start of the function: without it, "
                                       "every call draws other numbers.", init2_seed_line_deleted),
]


# --- initialize_parameters_deep -----------------------------------------------------------------
def deep_transposed(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l - 1], layer_dims[l]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def deep_off_by_one(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims) - 1):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def deep_keys_from_zero(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l - 1)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l - 1)] = np.zeros((layer_dims[l], 1))
    return parameters


def deep_unscaled(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def deep_reseeded_per_layer(layer_dims):
    parameters = {}
    for l in range(1, len(layer_dims)):
        np.random.seed(3)
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def deep_bias_draws(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.random.randn(layer_dims[l], 1) * 0.01
    return parameters


def deep_seed_line_deleted(layer_dims):
    # The template's np.random.seed(3) removed.
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


INITIALIZE_PARAMETERS_DEEP = [
    ("W transposed", "W[l] has shape (layer_dims[l], layer_dims[l-1]).", deep_transposed),
    ("last layer missing", "layer_dims includes the input layer: loop l = 1 .. len(layer_dims) - 1, "
                           "range(1, len(layer_dims)).", deep_off_by_one),
    ("keys numbered from 0", "Layer 0 is the input X and has no weights: the keys are W1, b1, ..., WL, bL.", deep_keys_from_zero),
    ("weights not scaled by 0.01", "Multiply the draws by 0.01.", deep_unscaled),
    ("generator seeded in every layer", "Seed once, before the loop: seeding inside it makes every layer start with the same "
                                        "numbers.", deep_reseeded_per_layer),
    ("random biases", "The biases start at zero: np.zeros((layer_dims[l], 1)).", deep_bias_draws),
    ("np.random.seed(3) line deleted", "Keep the template's np.random.seed(3) at the start of the function: without it, "
                                       "every call draws other numbers.", deep_seed_line_deleted),
]


# --- linear_forward -----------------------------------------------------------------------------
def lf_elementwise(A, W, b):
    return np.dot(W, A) + np.sum(b), (A, W, b)


def lf_no_bias(A, W, b):
    return np.dot(W, A), (A, W, b)


def lf_cache_order(A, W, b):
    return np.dot(W, A) + b, (W, A, b)


def lf_cache_z(A, W, b):
    Z = np.dot(W, A) + b
    return Z, (A, W, b, Z)


def lf_bias_subtracted(A, W, b):
    return np.dot(W, A) - b, (A, W, b)


def lf_returns_activation(A, W, b):
    Z = np.dot(W, A) + b
    return np.maximum(0, Z), (A, W, b)


LINEAR_FORWARD = [
    ("bias summed over units", "Add b as a column: np.dot(W, A) + b broadcasts b[i] to every example of unit i.", lf_elementwise),
    ("bias left out", "Z = W A + b: add the bias.", lf_no_bias),
    ("cache in another order", "The linear cache is (A, W, b), in this order: linear_backward unpacks it so.", lf_cache_order),
    ("Z stored in the linear cache", "The linear cache is (A, W, b); Z goes into the activation cache, one level up.",
     lf_cache_z),
    ("bias subtracted", "Z = W A + b, plus the bias.", lf_bias_subtracted),
    ("activation applied", "linear_forward is the linear part only; the activation comes in linear_activation_forward.",
     lf_returns_activation),
]


# --- linear_activation_forward ------------------------------------------------------------------
def laf_activations_swapped(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = relu(Z) if activation == "sigmoid" else sigmoid(Z)
    return A, (linear_cache, activation_cache)


def laf_cache_order(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (activation_cache, linear_cache)


def laf_cache_flat(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (A_prev, W, b, Z)


def laf_returns_z(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return Z, (linear_cache, activation_cache)


def laf_cache_a(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (linear_cache, A)


def laf_always_relu(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = relu(Z)
    return A, (linear_cache, activation_cache)


LINEAR_ACTIVATION_FORWARD = [
    ("activations swapped", "activation == 'sigmoid' takes sigmoid(Z), 'relu' takes relu(Z).", laf_activations_swapped),
    ("cache in another order", "The cache is (linear_cache, activation_cache) = ((A_prev, W, b), Z), in this order.",
     laf_cache_order),
    ("cache flattened", "Keep the nesting: cache = (linear_cache, activation_cache) = ((A_prev, W, b), Z), a 2-tuple whose "
                        "first item is a 3-tuple.", laf_cache_flat),
    ("Z returned in place of A", "Return the activation A = g(Z); Z goes into the cache.", laf_returns_z),
    ("A cached in place of Z", "The activation cache is Z (what sigmoid and relu return as their cache), not A.", laf_cache_a),
    ("activation argument ignored", "Use the activation argument: 'sigmoid' or 'relu'.", laf_always_relu),
]


# --- L_model_forward ----------------------------------------------------------------------------
def lmf_last_relu(X, parameters):
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    return A, caches


def lmf_all_sigmoid(X, parameters):
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "sigmoid")
        caches.append(cache)
    return A, caches


def lmf_last_cache_missing(X, parameters):
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    return AL, caches


def lmf_x_every_layer_zero(X, parameters):
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches[::-1]


def lmf_caches_nested_wrong(X, parameters):
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append((cache[1], cache[0]))
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    caches.append((cache[1], cache[0]))
    return AL, caches


def lmf_returns_zl(X, parameters):
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return cache[1], caches


L_MODEL_FORWARD = [
    ("last layer given relu", "Layers 1 .. L-1 use relu; the output layer L uses sigmoid, so that AL is a probability.",
     lmf_last_relu),
    ("sigmoid in every layer", "The hidden layers use relu; only the output layer uses sigmoid.", lmf_all_sigmoid),
    ("output layer's cache not appended", "Append the output layer's cache too: caches has L entries, one per layer.",
     lmf_last_cache_missing),
    ("caches in reverse order", "caches[l-1] belongs to layer l: append them in the order of the forward pass.",
     lmf_x_every_layer_zero),
    ("cache tuple in another order", "Each cache is ((A[l-1], W[l], b[l]), Z[l]): the linear cache first.",
     lmf_caches_nested_wrong),
    ("Z[L] returned in place of AL", "Return AL = sigmoid(Z[L]).", lmf_returns_zl),
]


# --- compute_cost -------------------------------------------------------------------------------
def cost_no_mean(AL, Y):
    return np.squeeze(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


def cost_sign(AL, Y):
    m = Y.shape[1]
    return np.squeeze(1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


def cost_first_term_only(AL, Y):
    m = Y.shape[1]
    return np.squeeze(-1 / m * np.sum(Y * np.log(AL)))


def cost_not_squeezed(AL, Y):
    m = Y.shape[1]
    return -1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL), axis=1, keepdims=True)


def cost_labels_swapped(AL, Y):
    m = Y.shape[1]
    return np.squeeze(-1 / m * np.sum(AL * np.log(Y + 1e-300) + (1 - AL) * np.log(1 - Y + 1e-300)))


def cost_log10(AL, Y):
    m = Y.shape[1]
    return np.squeeze(-1 / m * np.sum(Y * np.log10(AL) + (1 - Y) * np.log10(1 - AL)))


COMPUTE_COST = [
    ("1/m missing", "The cost is the mean over the m examples: multiply the sum by 1/m.", cost_no_mean),
    ("sign flipped", "J = -1/m sum(...): the logs of probabilities are negative, the cost is positive.", cost_sign),
    ("(1 - Y) log(1 - AL) term missing", "Examples with Y = 0 count too: add (1 - Y) log(1 - AL).", cost_first_term_only),
    ("cost not squeezed", "Return a number: np.squeeze(cost) turns [[0.41]] into 0.41.", cost_not_squeezed),
    ("AL and Y swapped", "The logs are of the predictions AL, weighted by the labels Y.", cost_labels_swapped),
    ("log base 10", "The cross-entropy uses the natural log, np.log.", cost_log10),
]


# --- linear_backward ----------------------------------------------------------------------------
def lb_no_mean(dZ, cache):
    A_prev, W, b = cache
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T), np.sum(dZ, axis=1, keepdims=True)


def lb_mean_twice(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ) / m, np.dot(dZ, A_prev.T) / m, np.sum(dZ, axis=1, keepdims=True) / m


def lb_no_keepdims(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, np.sum(dZ, axis=1) / m


def lb_db_all(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, np.sum(dZ) / m + np.zeros(b.shape)


def lb_db_no_mean(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, np.sum(dZ, axis=1, keepdims=True)


def lb_outputs_order(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(dZ, A_prev.T) / m, np.dot(W.T, dZ), np.sum(dZ, axis=1, keepdims=True) / m


LINEAR_BACKWARD = [
    ("1/m missing", "dW = 1/m dZ A_prev^T and db = 1/m sum(dZ): the cost is a mean over the examples.", lb_no_mean),
    ("1/m applied twice", "dA_prev = W^T dZ has no 1/m: dA is per example, and the 1/m enters once, in dW and db.",
     lb_mean_twice),
    ("db without keepdims", "db must be a column of shape (n_l, 1): np.sum(dZ, axis=1, keepdims=True).", lb_no_keepdims),
    ("db summed over units too", "Sum dZ over the examples only (axis=1): each unit has its own bias.", lb_db_all),
    ("1/m missing in db", "db = 1/m np.sum(dZ, axis=1, keepdims=True).", lb_db_no_mean),
    ("outputs in another order", "Return dA_prev, dW, db, in this order.", lb_outputs_order),
]


# --- linear_activation_backward -----------------------------------------------------------------
def lab_sigmoid_on_z(dA, cache, activation):
    linear_cache, Z = cache
    dZ = relu_backward(dA, Z) if activation == "relu" else dA * Z * (1 - Z)
    return linear_backward(dZ, linear_cache)


def lab_swapped(dA, cache, activation):
    linear_cache, Z = cache
    dZ = sigmoid_backward(dA, Z) if activation == "relu" else relu_backward(dA, Z)
    return linear_backward(dZ, linear_cache)


def lab_no_activation(dA, cache, activation):
    linear_cache, Z = cache
    return linear_backward(dA, linear_cache)


def lab_relu_gated_on_da(dA, cache, activation):
    linear_cache, Z = cache
    dZ = dA * (dA > 0) if activation == "relu" else sigmoid_backward(dA, Z)
    return linear_backward(dZ, linear_cache)


def lab_relu_derivative_as_value(dA, cache, activation):
    linear_cache, Z = cache
    dZ = dA * np.maximum(0, Z) if activation == "relu" else sigmoid_backward(dA, Z)
    return linear_backward(dZ, linear_cache)


def lab_sigmoid_plain_derivative(dA, cache, activation):
    linear_cache, Z = cache
    s = 1 / (1 + np.exp(-Z))
    dZ = relu_backward(dA, Z) if activation == "relu" else dA * s
    return linear_backward(dZ, linear_cache)


LINEAR_ACTIVATION_BACKWARD = [
    ("sigmoid backward using Z in place of sigmoid(Z)", "The derivative of the sigmoid is s (1 - s) with s = sigmoid(Z); the "
                                                        "cache holds Z, not s: use sigmoid_backward(dA, activation_cache).",
     lab_sigmoid_on_z),
    ("activations swapped", "activation == 'relu' takes relu_backward, 'sigmoid' takes sigmoid_backward.", lab_swapped),
    ("activation derivative skipped", "dZ = dA * g'(Z): go through relu_backward or sigmoid_backward before linear_backward.",
     lab_no_activation),
    ("relu backward gated on dA", "ReLU passes the gradient where Z > 0 (its input was positive), not where dA > 0.",
     lab_relu_gated_on_da),
    ("relu value in place of its derivative", "relu'(Z) is 1 where Z > 0 and 0 elsewhere, not max(0, Z).",
     lab_relu_derivative_as_value),
    ("sigmoid derivative without (1 - s)", "sigmoid'(Z) = s (1 - s).", lab_sigmoid_plain_derivative),
]


# --- L_model_backward ---------------------------------------------------------------------------
def _backward_loop(dAL, caches, key_shift=0, relu_gate=None):
    grads, L = {}, len(caches)
    dA_prev, dW, db = linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    grads["dA" + str(L - 1 + key_shift)], grads["dW" + str(L + key_shift)], grads["db" + str(L + key_shift)] = dA_prev, dW, db
    for l in reversed(range(L - 1)):
        if relu_gate is None:
            dA_prev, dW, db = linear_activation_backward(grads["dA" + str(l + 1 + key_shift)], caches[l], "relu")
        else:
            dZ = grads["dA" + str(l + 1 + key_shift)] * (relu_gate > 0)
            dA_prev, dW, db = linear_backward(dZ, caches[l][0])
        grads["dA" + str(l + key_shift)], grads["dW" + str(l + 1 + key_shift)] = dA_prev, dW
        grads["db" + str(l + 1 + key_shift)] = db
    return grads


def lmb_sign_flipped(AL, Y, caches):
    return _backward_loop(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL), caches)


def lmb_keys_shifted(AL, Y, caches):
    return _backward_loop(-(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)), caches, key_shift=-1)


def lmb_gate_on_output_z(AL, Y, caches):
    # Z[L] (shape (1, m)) broadcasts over every hidden layer, so the code runs and is wrong.
    return _backward_loop(-(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)), caches, relu_gate=caches[-1][1])


def lmb_dal_as_difference(AL, Y, caches):
    return _backward_loop(AL - Y, caches)


def lmb_all_sigmoid(AL, Y, caches):
    grads, L = {}, len(caches)
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in reversed(range(L)):
        dA, grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = linear_activation_backward(dA, caches[l], "sigmoid")
        grads["dA" + str(l)] = dA
    return grads


def lmb_dAL_missing_minus_y_term(AL, Y, caches):
    return _backward_loop(-np.divide(Y, AL), caches)


def lmb_layer_one_skipped(AL, Y, caches):
    # for l in reversed(range(1, L - 1)): the loop stops before layer 1, so dA0, dW1 and db1 are never computed.
    grads = _backward_loop(-(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)), caches)
    if len(caches) > 1:
        for key in ("dA0", "dW1", "db1"):
            grads.pop(key)
    return grads


def lmb_dA_keys_from_one(AL, Y, caches):
    # An older version of the course keyed dA by the layer that produced it: dA1 .. dAL in place of dA0 .. dA(L-1).
    grads = _backward_loop(-(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)), caches)
    return {("dA" + str(int(key[2:]) + 1) if key.startswith("dA") else key): value for key, value in grads.items()}


L_MODEL_BACKWARD = [
    ("sign of dAL flipped", "dAL = -(Y / AL - (1 - Y) / (1 - AL)): the derivative of the cost, minus sign included.",
     lmb_sign_flipped),
    ("grads keyed by the wrong layer index", "Layer l's gradients are dW{l} and db{l}, and its linear_activation_backward "
                                             "returns dA{l-1}: layer L gives dA{L-1}, dW{L}, db{L}.", lmb_keys_shifted),
    ("relu backward gated on the wrong layer's values", "Each hidden layer's ReLU is gated by its own Z[l], from caches[l-1]: "
                                                         "pass caches[l-1] to linear_activation_backward.", lmb_gate_on_output_z),
    ("AL - Y passed as dAL", "AL - Y is dZ[L], the gradient after the sigmoid. If you pass it to linear_activation_backward "
                             "with 'sigmoid', the sigmoid's derivative is applied twice: pass dAL there, or use AL - Y with "
                             "linear_backward directly.", lmb_dal_as_difference),
    ("sigmoid in every layer", "Only layer L is sigmoid; layers L-1 .. 1 go back through relu.", lmb_all_sigmoid),
    ("(1 - Y) / (1 - AL) term missing from dAL", "dAL = -(Y / AL - (1 - Y) / (1 - AL)).", lmb_dAL_missing_minus_y_term),
    ("backward loop skips layer 1", "The loop over the hidden layers runs l = L-2 .. 0 (for l in reversed(range(L - 1))), so "
                                    "that layer 1 gives dA0, dW1 and db1 too.", lmb_layer_one_skipped),
    ("grads keyed dA1 .. dAL", "This version of the course keys each dA by the layer it feeds: layer l's backward step "
                               "returns dA{l-1}, so the keys are dA0 .. dA(L-1) (grads['dA' + str(l)] for caches[l]).",
     lmb_dA_keys_from_one),
]


# --- update_parameters --------------------------------------------------------------------------
def _update(params, grads, learning_rate, sign=-1.0, which=("W", "b"), layers=None):
    parameters = {key: np.array(value, copy=True) for key, value in params.items()}
    L = len(parameters) // 2
    for l in layers if layers is not None else range(1, L + 1):
        for name in which:
            parameters[name + str(l)] = parameters[name + str(l)] + sign * learning_rate * grads["d" + name + str(l)]
    return parameters


def up_plus(params, grads, learning_rate):
    return _update(params, grads, learning_rate, sign=1.0)


def up_weights_only(params, grads, learning_rate):
    return _update(params, grads, learning_rate, which=("W",))


def up_last_layer_skipped(params, grads, learning_rate):
    return _update(params, grads, learning_rate, layers=range(1, len(params) // 2))


def up_no_learning_rate(params, grads, learning_rate):
    return _update(params, grads, 1.0)


def up_first_layer_only(params, grads, learning_rate):
    return _update(params, grads, learning_rate, layers=[1])


def up_divided(params, grads, learning_rate):
    return _update(params, grads, 1.0 / learning_rate)


def up_caller_dict_changed(params, grads, learning_rate):
    # The template's copy.deepcopy line removed: the caller's arrays change in place.
    for l in range(1, len(params) // 2 + 1):
        params["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        params["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return params


UPDATE_PARAMETERS = [
    ("update by plus instead of minus", "Gradient descent steps against the gradient: W = W - learning_rate * dW.", up_plus),
    ("biases not updated", "Update b[l] with db[l] too.", up_weights_only),
    ("last layer not updated", "L = len(parameters) // 2 layers, l = 1 .. L: range(L) with l + 1, or range(1, L + 1).",
     up_last_layer_skipped),
    ("learning rate ignored", "Scale the step: W - learning_rate * dW.", up_no_learning_rate),
    ("only the first layer updated", "Loop over all L layers.", up_first_layer_only),
    ("divided by the learning rate", "Multiply the gradient by learning_rate.", up_divided),
    ("caller's parameters changed in place", "Keep the template's parameters = copy.deepcopy(params) line and update "
                                             "parameters: the caller's dict must stay as it was.", up_caller_dict_changed),
]


# --- two_layer_model ----------------------------------------------------------------------------
def _two_layer(X, Y, layers_dims, learning_rate, num_iterations, keep=True, record=True, reinit=False, every=100):
    grads, costs = {}, []
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        if reinit:
            parameters = initialize_parameters(n_x, n_h, n_y)
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, grads["dW2"], grads["db2"] = linear_activation_backward(dA2, cache2, "sigmoid")
        _, grads["dW1"], grads["db1"] = linear_activation_backward(dA1, cache1, "relu")
        updated = update_parameters(parameters, grads, learning_rate)
        parameters = updated if keep else parameters
        if i % every == 0 and record:
            costs.append(cost)
    return parameters, costs


def tlm_update_discarded(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    return _two_layer(X, Y, layers_dims, learning_rate, num_iterations, keep=False)


def tlm_default_rate(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    return _two_layer(X, Y, layers_dims, 0.0075, num_iterations)


def tlm_no_costs(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    return _two_layer(X, Y, layers_dims, learning_rate, num_iterations, record=False)


def tlm_reinit(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    return _two_layer(X, Y, layers_dims, learning_rate, num_iterations, reinit=True)


def tlm_one_iteration(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    return _two_layer(X, Y, layers_dims, learning_rate, 1)


def tlm_costs_every_iteration(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    return _two_layer(X, Y, layers_dims, learning_rate, num_iterations, every=1)


# The same six mistakes in both models: (name, hint) here, the functions below each model.
MODEL_MISTAKES = [
    ("update_parameters' result discarded", "parameters = update_parameters(parameters, grads, learning_rate): it returns "
                                            "the new parameters."),
    ("learning_rate argument ignored", "Pass the learning_rate argument to update_parameters, not a constant."),
    ("costs not recorded", "Append the cost to costs every 100 iterations."),
    ("parameters initialized in every iteration", "Initialize once, before the loop."),
    ("num_iterations ignored", "Loop num_iterations times: for i in range(num_iterations)."),
    ("costs recorded every iteration", "Record the cost every 100 iterations (if i % 100 == 0), as the docstring says: "
                                       "costs is plotted per hundred iterations."),
]
TWO_LAYER_MODEL = [(name, hint, function) for (name, hint), function in zip(
    MODEL_MISTAKES, (tlm_update_discarded, tlm_default_rate, tlm_no_costs, tlm_reinit, tlm_one_iteration,
                     tlm_costs_every_iteration))]


# --- L_layer_model ------------------------------------------------------------------------------
def _deep(X, Y, layers_dims, learning_rate, num_iterations, keep=True, record=True, reinit=False, every=100):
    costs = []
    parameters = initialize_parameters_deep(layers_dims)
    for i in range(num_iterations):
        if reinit:
            parameters = initialize_parameters_deep(layers_dims)
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        updated = update_parameters(parameters, grads, learning_rate)
        parameters = updated if keep else parameters
        if i % every == 0 and record:
            costs.append(cost)
    return parameters, costs


def llm_update_discarded(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    return _deep(X, Y, layers_dims, learning_rate, num_iterations, keep=False)


def llm_default_rate(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    return _deep(X, Y, layers_dims, 0.0075, num_iterations)


def llm_no_costs(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    return _deep(X, Y, layers_dims, learning_rate, num_iterations, record=False)


def llm_reinit(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    return _deep(X, Y, layers_dims, learning_rate, num_iterations, reinit=True)


def llm_one_iteration(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    return _deep(X, Y, layers_dims, learning_rate, 1)


def llm_costs_every_iteration(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    return _deep(X, Y, layers_dims, learning_rate, num_iterations, every=1)


L_LAYER_MODEL = [(name, hint, function) for (name, hint), function in zip(
    MODEL_MISTAKES, (llm_update_discarded, llm_default_rate, llm_no_costs, llm_reinit, llm_one_iteration,
                     llm_costs_every_iteration))]
