"""Correct implementations that differ from the reference: each must score full marks.

Like mistakes.py, this module imports nothing from gradelab but the student
helpers, so it can run as a submission.
"""
# ruff: noqa: F821 - graded functions (linear_forward, ...) are defined by the submission this source joins

import numpy as np

from gradelab.student.dnn_utils import relu, relu_backward, sigmoid, sigmoid_backward


# --- initialize_parameters ---------------------------------------------------------------------
def init2_random_state(n_x, n_h, n_y):
    rng = np.random.RandomState(1)  # the same stream as np.random.seed(1), without touching the global state
    return {"W1": rng.randn(n_h, n_x) * 0.01, "b1": np.zeros((n_h, 1)), "W2": rng.randn(n_y, n_h) * 0.01, "b2": np.zeros((n_y, 1))}


def init2_normal(n_x, n_h, n_y):
    np.random.seed(1)
    W1 = np.random.normal(0.0, 0.01, size=(n_h, n_x))
    W2 = np.random.normal(0.0, 0.01, size=(n_y, n_h))
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


def init2_default_rng(n_x, n_h, n_y):
    # Another generator: other numbers, the same distribution; accepted by the distribution check.
    rng = np.random.default_rng(1)
    return {"W1": rng.standard_normal((n_h, n_x)) * 0.01, "b1": np.zeros((n_h, 1)),
            "W2": rng.standard_normal((n_y, n_h)) * 0.01, "b2": np.zeros((n_y, 1))}


# --- initialize_parameters_deep -----------------------------------------------------------------
def deep_comprehension(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l, (n, n_prev) in enumerate(zip(layer_dims[1:], layer_dims[:-1]), start=1):
        parameters[f"W{l}"] = 0.01 * np.random.randn(n, n_prev)
        parameters[f"b{l}"] = np.zeros((n, 1))
    return parameters


def deep_random_state(layer_dims):
    rng = np.random.RandomState(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def deep_default_rng(layer_dims):
    rng = np.random.default_rng(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = rng.normal(0.0, 0.01, (layer_dims[l], layer_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


# --- linear_forward -----------------------------------------------------------------------------
def lf_matmul(A, W, b):
    return W @ A + b, (A, W, b)


def lf_einsum(A, W, b):
    return np.einsum("ij,jk->ik", W, A) + b, (A, W, b)


def lf_explicit_broadcast(A, W, b):
    return np.dot(W, A) + np.tile(b, (1, A.shape[1])), (A, W, b)


# --- linear_activation_forward ------------------------------------------------------------------
def laf_once(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = {"sigmoid": sigmoid, "relu": relu}[activation](Z)
    return A, (linear_cache, activation_cache)


def laf_inline(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A = 1 / (1 + np.exp(-Z)) if activation == "sigmoid" else np.maximum(0, Z)
    return A, (linear_cache, Z)


def laf_without_linear_forward(A_prev, W, b, activation):
    Z = W @ A_prev + b
    A = sigmoid(Z)[0] if activation == "sigmoid" else relu(Z)[0]
    return A, ((A_prev, W, b), Z)


# --- L_model_forward ----------------------------------------------------------------------------
def lmf_one_loop(X, parameters):
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], "sigmoid" if l == L else "relu")
        caches.append(cache)
    return A, caches


def lmf_tuple_caches_list(X, parameters):
    L = len([key for key in parameters if key.startswith("W")])
    A, caches = X, []
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W%d" % l], parameters["b%d" % l], activation="relu")
        caches += [cache]
    AL, cache = linear_activation_forward(A, parameters["W%d" % L], parameters["b%d" % L], activation="sigmoid")
    return AL, caches + [cache]


def lmf_inline_layers(X, parameters):
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L + 1):
        W, b = parameters["W" + str(l)], parameters["b" + str(l)]
        Z, linear_cache = linear_forward(A, W, b)
        A = sigmoid(Z)[0] if l == L else relu(Z)[0]
        caches.append((linear_cache, Z))
    return A, caches


# --- compute_cost -------------------------------------------------------------------------------
def cost_dot(AL, Y):
    m = Y.shape[1]
    cost = -(np.dot(Y, np.log(AL).T) + np.dot(1 - Y, np.log(1 - AL).T)) / m
    return float(np.squeeze(cost))


def cost_mean(AL, Y):
    return -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))


def cost_loop(AL, Y):
    total = 0.0
    for a, y in zip(AL.ravel(), Y.ravel()):
        total += -np.log(a) if y == 1 else -np.log(1 - a)
    return total / Y.shape[1]


# --- linear_backward ----------------------------------------------------------------------------
def lb_matmul(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, dZ.mean(axis=1, keepdims=True)


def lb_reshape(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, (np.sum(dZ, axis=1) / m).reshape(b.shape)


def lb_einsum(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.einsum("ji,jk->ik", W, dZ), np.einsum("ik,jk->ij", dZ, A_prev) / m, np.sum(dZ, axis=1, keepdims=True) / m


# --- linear_activation_backward -----------------------------------------------------------------
def lab_inline(dA, cache, activation):
    linear_cache, Z = cache
    if activation == "relu":
        dZ = dA * (Z > 0)
    else:
        s = 1 / (1 + np.exp(-Z))
        dZ = dA * s * (1 - s)
    return linear_backward(dZ, linear_cache)


def lab_table(dA, cache, activation):
    linear_cache, activation_cache = cache
    dZ = {"relu": relu_backward, "sigmoid": sigmoid_backward}[activation](dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def lab_where(dA, cache, activation):
    (A_prev, W, b), Z = cache
    dZ = np.where(Z > 0, dA, 0.0) if activation == "relu" else sigmoid_backward(dA, Z)
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=1, keepdims=True) / m


# --- L_model_backward ---------------------------------------------------------------------------
def lmb_shortcut(AL, Y, caches):
    # dZ[L] = AL - Y holds because AL = sigmoid(Z[L]) on real forward values; layer L skips linear_activation_backward.
    grads, L = {}, len(caches)
    Y = Y.reshape(AL.shape)
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = linear_backward(AL - Y, caches[L - 1][0])
    for l in reversed(range(L - 1)):
        dA_prev, dW, db = linear_activation_backward(grads["dA" + str(l + 1)], caches[l], "relu")
        grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = dA_prev, dW, db
    return grads


def lmb_gate_on_next_input(AL, Y, caches):
    # Layer l's output A[l] is layer l+1's input, kept in caches[l]'s linear cache; A[l] > 0 exactly where Z[l] > 0.
    grads, L = {}, len(caches)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dA, grads["dW" + str(L)], grads["db" + str(L)] = linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    grads["dA" + str(L - 1)] = dA
    for l in reversed(range(1, L)):
        A_l = caches[l][0][0]
        dA, grads["dW" + str(l)], grads["db" + str(l)] = linear_backward(dA * (A_l > 0), caches[l - 1][0])
        grads["dA" + str(l - 1)] = dA
    return grads


def lmb_one_loop(AL, Y, caches):
    grads, L = {}, len(caches)
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    for l in range(L, 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(dA, caches[l - 1], "sigmoid" if l == L else "relu")
        grads[f"dA{l - 1}"] = dA
    return grads


# --- update_parameters --------------------------------------------------------------------------
def up_copy_then_in_place(params, grads, learning_rate):
    # Copies each array, then updates the copies in place: the caller's dict stays as it was.
    parameters = {key: value.copy() for key, value in params.items()}
    for l in range(1, len(parameters) // 2 + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return parameters


def up_comprehension(params, grads, learning_rate):
    return {key: value - learning_rate * grads["d" + key] for key, value in params.items()}


def up_new_dict(params, grads, learning_rate):
    parameters = dict(params)
    for l in range(len(params) // 2):
        for name in ("W", "b"):
            key = f"{name}{l + 1}"
            parameters[key] = np.subtract(params[key], np.multiply(learning_rate, grads["d" + key]))
    return parameters


# --- two_layer_model ----------------------------------------------------------------------------
def tlm_shortcut(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    # The output layer's dZ2 = A2 - Y directly: right, because A2 = sigmoid(Z2) here.
    n_x, n_h, n_y = layers_dims
    parameters, costs = initialize_parameters(n_x, n_h, n_y), []
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        dA1, dW2, db2 = linear_backward(A2 - Y, cache2[0])
        _, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        parameters = update_parameters(parameters, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}, learning_rate)
        if i % 100 == 0:  # the docstring's interval: the costs are plotted per hundred iterations
            costs.append(compute_cost(A2, Y))
    return parameters, costs


def tlm_with_L_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    parameters, costs = initialize_parameters(*layers_dims), []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        if i % 100 == 0:
            costs.append(compute_cost(AL, Y))
        parameters = update_parameters(parameters, L_model_backward(AL, Y, caches), learning_rate)
    return parameters, costs


def tlm_own_init(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    # Another (correct) small random start: training still reaches the required accuracy.
    rng = np.random.default_rng(0)
    n_x, n_h, n_y = layers_dims
    parameters = {"W1": rng.standard_normal((n_h, n_x)) * 0.01, "b1": np.zeros((n_h, 1)),
                  "W2": rng.standard_normal((n_y, n_h)) * 0.01, "b2": np.zeros((n_y, 1))}
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        costs.append(compute_cost(AL, Y)) if i % 100 == 0 else None
        parameters = update_parameters(parameters, L_model_backward(AL, Y, caches), learning_rate)
    return parameters, costs


# --- L_layer_model ------------------------------------------------------------------------------
def llm_shortcut(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    parameters, costs, L = initialize_parameters_deep(layers_dims), [], len(layers_dims) - 1
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        grads = {}
        grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(AL - Y, caches[-1][0])
        for l in range(L - 1, 0, -1):
            grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(grads[f"dA{l}"], caches[l - 1],
                                                                                              "relu")
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(compute_cost(AL, Y))
    return parameters, costs


def llm_costs_after_update(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    # Records the cost in its own branch after the update: the same costs, every 100 iterations.
    parameters, costs = initialize_parameters_deep(layers_dims), []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        parameters = update_parameters(parameters, L_model_backward(AL, Y, caches), learning_rate)
        if not i % 100:
            costs.append(cost)
    return parameters, costs


def llm_while(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    parameters, costs, i = initialize_parameters_deep(layers_dims), [], 0
    while i < num_iterations:
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
        i += 1
    return parameters, costs
