# The instructor's solution of the deep network assignment, written as a student would.
# `gradelab assign` turns each function into a notebook cell and empties the lines between
# the START and END markers; the test suite grades this file as a submission.
import copy

import numpy as np

from gradelab.student.dnn_utils import relu, relu_backward, sigmoid, sigmoid_backward


def initialize_parameters(n_x, n_h, n_y):
    """
    Parameters of a 2-layer network LINEAR -> RELU -> LINEAR -> SIGMOID.

    :param n_x: size of the input layer
    :param n_h: size of the hidden layer
    :param n_y: size of the output layer
    :return: parameters "W1" (n_h, n_x), "b1" (n_h, 1), "W2" (n_y, n_h), "b2" (n_y, 1)
    """
    np.random.seed(1)  # the course's fixed seed, so that your numbers match ours
    # START OF YOUR CODE
    # W[l] = randn(n_l, n_{l-1}) * 0.01 (W1 first, then W2), b[l] = zeros.
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    # END OF YOUR CODE
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def initialize_parameters_deep(layer_dims):
    """
    Parameters of an L-layer network.

    :param layer_dims: sizes of the layers, [n_x, n_1, ..., n_L]
    :return: parameters "W1", "b1", ..., "WL", "bL": W[l] (n_l, n_{l-1}), b[l] (n_l, 1)
    """
    np.random.seed(3)  # the course's fixed seed, so that your numbers match ours
    parameters = {}
    L = len(layer_dims)  # number of layers, the input layer included
    # START OF YOUR CODE
    # For l = 1 .. L-1: W[l] = randn(n_l, n_{l-1}) * 0.01, b[l] = zeros.
    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    # END OF YOUR CODE
    return parameters


def linear_forward(A, W, b):
    """
    The linear part of a layer: Z = W A + b.

    :param A: activations of the previous layer (or X), shape (n_{l-1}, m)
    :param W: weights, shape (n_l, n_{l-1})
    :param b: bias, shape (n_l, 1)
    :return: Z (n_l, m), and cache = (A, W, b) for the backward pass
    """
    # START OF YOUR CODE
    Z = np.dot(W, A) + b
    # END OF YOUR CODE
    cache = (A, W, b)
    return Z, cache


def linear_activation_forward(A_prev, W, b, activation):
    """
    One layer: LINEAR -> ACTIVATION.

    :param A_prev: activations of the previous layer (or X), shape (n_{l-1}, m)
    :param activation: "sigmoid" or "relu"
    :return: A (n_l, m), and cache = (linear_cache, activation_cache) = ((A_prev, W, b), Z)
    """
    # START OF YOUR CODE
    # Use linear_forward, then sigmoid(Z) or relu(Z): each returns (A, activation_cache).
    if activation == "sigmoid":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = sigmoid(Z)
    elif activation == "relu":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = relu(Z)
    # END OF YOUR CODE
    cache = (linear_cache, activation_cache)
    return A, cache


def L_model_forward(X, parameters):
    """
    Forward pass of [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID.

    :param X: data, shape (n_x, m)
    :param parameters: "W1", "b1", ..., "WL", "bL"
    :return: AL (1, m), and caches, a list of L caches: caches[l-1] = ((A[l-1], W[l], b[l]), Z[l])
    """
    caches = []
    A = X
    L = len(parameters) // 2  # number of layers with weights
    # START OF YOUR CODE
    # Layers 1 .. L-1 use relu, layer L sigmoid; append every layer's cache.
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(A_prev, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    # END OF YOUR CODE
    return AL, caches


def compute_cost(AL, Y):
    """
    Cross-entropy cost J = -1/m sum(Y log(AL) + (1 - Y) log(1 - AL)).

    :param AL: predicted probabilities, shape (1, m)
    :param Y: true labels 0/1, shape (1, m)
    :return: the cost, a number
    """
    m = Y.shape[1]
    # START OF YOUR CODE
    cost = -1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    # END OF YOUR CODE
    cost = np.squeeze(cost)  # turns [[17]] into 17
    return cost


def linear_backward(dZ, cache):
    """
    The linear part of a layer's backward pass.

    :param dZ: gradient of the cost with respect to Z[l], shape (n_l, m)
    :param cache: (A_prev, W, b) from linear_forward
    :return: dA_prev (n_{l-1}, m), dW (n_l, n_{l-1}), db (n_l, 1)
    """
    A_prev, W, b = cache
    m = A_prev.shape[1]
    # START OF YOUR CODE
    # dW = 1/m dZ A_prev^T, db = 1/m sum of dZ over the examples (keep the column shape), dA_prev = W^T dZ
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    # END OF YOUR CODE
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """
    One layer's backward pass: ACTIVATION -> LINEAR.

    :param dA: gradient with respect to this layer's activation A[l], shape (n_l, m)
    :param cache: ((A_prev, W, b), Z) from linear_activation_forward
    :param activation: "sigmoid" or "relu"
    :return: dA_prev, dW, db
    """
    linear_cache, activation_cache = cache
    # START OF YOUR CODE
    # dZ = relu_backward(dA, activation_cache) or sigmoid_backward(...), then linear_backward.
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    # END OF YOUR CODE
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches):
    """
    Backward pass of [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID.

    X does not appear here, and dW[1] still needs it: it is A[0], the first entry of
    caches[0]'s linear cache, stored there by the forward pass.

    :param AL: output of L_model_forward, shape (1, m)
    :param Y: true labels, shape (1, m)
    :param caches: the caches of L_model_forward
    :return: grads with "dA{l-1}", "dW{l}", "db{l}" for l = 1 .. L
    """
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    # START OF YOUR CODE
    # 1) dAL, the derivative of the cost with respect to AL.
    # 2) Layer L (sigmoid), then layers L-1 .. 1 (relu), with linear_activation_backward.
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L - 1]
    dA_prev_temp, dW_temp, db_temp = linear_activation_backward(dAL, current_cache, "sigmoid")
    grads["dA" + str(L - 1)] = dA_prev_temp
    grads["dW" + str(L)] = dW_temp
    grads["db" + str(L)] = db_temp
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 1)], current_cache, "relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    # END OF YOUR CODE
    return grads


def update_parameters(params, grads, learning_rate):
    """
    One step of gradient descent: W[l] = W[l] - learning_rate dW[l], b[l] = b[l] - learning_rate db[l].

    :param params: "W1", "b1", ..., "WL", "bL"
    :param grads: output of L_model_backward
    :return: the updated parameters
    """
    parameters = copy.deepcopy(params)  # the caller's dict stays as it was
    L = len(parameters) // 2
    # START OF YOUR CODE
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    # END OF YOUR CODE
    return parameters


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """
    Train LINEAR -> RELU -> LINEAR -> SIGMOID by gradient descent.

    :param X: data, shape (n_x, m)
    :param Y: labels 0/1, shape (1, m)
    :param layers_dims: (n_x, n_h, n_y)
    :return: the trained parameters, and costs, the cost every 100 iterations
    """
    grads = {}
    costs = []
    n_x, n_h, n_y = layers_dims
    # START OF YOUR CODE
    # initialize_parameters, then each iteration: forward (relu, sigmoid), cost, dA2, backward (sigmoid, relu),
    # update_parameters. Record the cost when i % 100 == 0.
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads["dW1"], grads["db1"], grads["dW2"], grads["db2"] = dW1, db1, dW2, db2
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {np.squeeze(cost)}")
    # END OF YOUR CODE
    return parameters, costs


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """
    Train [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID by gradient descent.

    :param X: data, shape (n_x, m)
    :param Y: labels 0/1, shape (1, m)
    :param layers_dims: [n_x, n_1, ..., n_L]
    :return: the trained parameters, and costs, the cost every 100 iterations
    """
    costs = []
    # START OF YOUR CODE
    # initialize_parameters_deep, then each iteration: L_model_forward, compute_cost, L_model_backward,
    # update_parameters. Record the cost when i % 100 == 0.
    parameters = initialize_parameters_deep(layers_dims)
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {np.squeeze(cost)}")
    # END OF YOUR CODE
    return parameters, costs
