# The instructor's solution of the convolution assignment, written as a student would.
# `gradelab assign` turns each function into a notebook cell and empties the lines between
# the START and END markers; the test suite grades this file as a submission.
# Layout: examples first, channels last. A_prev (m, n_H_prev, n_W_prev, n_C_prev),
# W (f, f, n_C_prev, n_C), b (1, 1, 1, n_C).
import numpy as np


def zero_pad(X, pad):
    """
    Pad the height and width of every image of X with zeros.

    :param X: array of shape (m, n_H, n_W, n_C), a batch of m images
    :param pad: number of zeros added on each side of the height and the width
    :return: X_pad, of shape (m, n_H + 2 * pad, n_W + 2 * pad, n_C)
    """
    X_pad = None
    # START OF YOUR CODE
    # Use np.pad with one (before, after) pair per axis: (0, 0) for the examples and the channels,
    # (pad, pad) for the height and the width; mode="constant" pads with zeros.
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=(0, 0))
    # END OF YOUR CODE
    return X_pad


def conv_single_step(a_slice_prev, W, b):
    """
    Apply one filter to one window of the previous layer's output.

    :param a_slice_prev: window of the input, shape (f, f, n_C_prev)
    :param W: the filter's weights, shape (f, f, n_C_prev)
    :param b: the filter's bias, shape (1, 1, 1)
    :return: Z, a number: the sum of a_slice_prev * W, plus b
    """
    Z = None
    # START OF YOUR CODE
    # 1) Multiply a_slice_prev and W entry by entry. 2) Sum all the entries.
    # 3) Add b as a number: b holds one value in an array of shape (1, 1, 1). NumPy 2 refuses float(b)
    #    for such an array; float(np.squeeze(b)) or b.item() give the number.
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s)
    Z = Z + float(np.squeeze(b))
    # END OF YOUR CODE
    return Z


def conv_forward(A_prev, W, b, hparameters):
    """
    Forward pass of a convolution layer.

    :param A_prev: output of the previous layer, shape (m, n_H_prev, n_W_prev, n_C_prev)
    :param W: weights, shape (f, f, n_C_prev, n_C)
    :param b: biases, shape (1, 1, 1, n_C)
    :param hparameters: dict with "stride" and "pad"
    :return: Z, shape (m, n_H, n_W, n_C), and cache = (A_prev, W, b, hparameters)
    """
    Z = None
    # START OF YOUR CODE
    # 1) Read the shapes of A_prev and W, and stride and pad from hparameters.
    # 2) n_H = floor((n_H_prev - f + 2 * pad) / stride) + 1, and likewise n_W: in Python, // floors.
    # 3) Create Z (its initial values do not matter: every entry is overwritten) and pad A_prev with zero_pad.
    # 4) Loop over the examples i, the output rows h, the output columns w and the filters c:
    #    the window starts at h * stride (height) and w * stride (width) and is f wide;
    #    Z[i, h, w, c] = conv_single_step(window, W[:, :, :, c], b[:, :, :, c]).
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    n_H = (n_H_prev - f + 2 * pad) // stride + 1
    n_W = (n_W_prev - f + 2 * pad) // stride + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_slice_prev = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]
                    Z[i, h, w, c] = conv_single_step(a_slice_prev, W[:, :, :, c], b[:, :, :, c])
    # END OF YOUR CODE
    cache = (A_prev, W, b, hparameters)
    return Z, cache


def pool_forward(A_prev, hparameters, mode="max"):
    """
    Forward pass of a pooling layer.

    :param A_prev: input, shape (m, n_H_prev, n_W_prev, n_C_prev)
    :param hparameters: dict with "f" and "stride"
    :param mode: "max" or "average"
    :return: A, shape (m, n_H, n_W, n_C_prev), and cache = (A_prev, hparameters)
    """
    A = None
    # START OF YOUR CODE
    # 1) Pooling does not pad: n_H = floor((n_H_prev - f) / stride) + 1, likewise n_W; n_C = n_C_prev.
    # 2) Loop over i, h, w and c; each channel is pooled on its own.
    # 3) A[i, h, w, c] is the max (mode "max") or the mean (mode "average") of the f x f window of channel c.
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    f = hparameters["f"]
    stride = hparameters["stride"]
    n_H = (n_H_prev - f) // stride + 1
    n_W = (n_W_prev - f) // stride + 1
    n_C = n_C_prev
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_prev_slice = A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]
                    if mode == "max":
                        A[i, h, w, c] = np.max(a_prev_slice)
                    elif mode == "average":
                        A[i, h, w, c] = np.mean(a_prev_slice)
    # END OF YOUR CODE
    cache = (A_prev, hparameters)
    return A, cache


def conv_backward(dZ, cache):
    """
    Backward pass of a convolution layer.

    :param dZ: gradient of the cost with respect to Z, shape (m, n_H, n_W, n_C)
    :param cache: (A_prev, W, b, hparameters), as returned by conv_forward
    :return: dA_prev (m, n_H_prev, n_W_prev, n_C_prev), dW (f, f, n_C_prev, n_C), db (1, 1, 1, n_C)
    """
    dA_prev, dW, db = None, None, None
    # START OF YOUR CODE
    # 1) Unpack the cache; start dA_prev, dW and db at zeros of the shapes of A_prev, W and b.
    # 2) Pad A_prev and dA_prev with zero_pad.
    # 3) Loop over i, h, w and c as in conv_forward; for the window a_slice of the padded input:
    #    da_prev_pad[window] += W[:, :, :, c] * dZ[i, h, w, c]
    #    dW[:, :, :, c] += a_slice * dZ[i, h, w, c]
    #    db[:, :, :, c] += dZ[i, h, w, c]
    #    Add (+=): windows overlap when stride < f, and every window contributes.
    # 4) Cut the padding off da_prev_pad into dA_prev[i]: rows pad to pad + n_H_prev (and columns likewise).
    #    Careful: da_prev_pad[pad:-pad] is empty when pad = 0.
    (A_prev, W, b, hparameters) = cache
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    (m, n_H, n_W, n_C) = dZ.shape
    dA_prev = np.zeros((m, n_H_prev, n_W_prev, n_C_prev))
    dW = np.zeros((f, f, n_C_prev, n_C))
    db = np.zeros((1, 1, 1, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    dA_prev_pad = zero_pad(dA_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        da_prev_pad = dA_prev_pad[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start = h * stride
                    vert_end = vert_start + f
                    horiz_start = w * stride
                    horiz_end = horiz_start + f
                    a_slice = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]
                    da_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :] += W[:, :, :, c] * dZ[i, h, w, c]
                    dW[:, :, :, c] += a_slice * dZ[i, h, w, c]
                    db[:, :, :, c] += dZ[i, h, w, c]
        dA_prev[i, :, :, :] = da_prev_pad[pad : pad + n_H_prev, pad : pad + n_W_prev, :]
    # END OF YOUR CODE
    return dA_prev, dW, db


def create_mask_from_window(x):
    """
    A mask that is True where x has its maximum.

    :param x: array of shape (f, f)
    :return: mask, of the shape of x: True at the maximum of x, False elsewhere
    """
    mask = None
    # START OF YOUR CODE
    # Compare x with its maximum (np.max). Random inputs have no ties; if two entries tie for the
    # maximum, marking both or marking only one are both accepted.
    mask = x == np.max(x)
    # END OF YOUR CODE
    return mask


def distribute_value(dz, shape):
    """
    Spread dz evenly over a window of the given shape.

    :param dz: a number, the gradient that arrives at one output of an average-pooling layer
    :param shape: (n_H, n_W), the shape of the window
    :return: a, an array of that shape where every entry is dz / (n_H * n_W)
    """
    a = None
    # START OF YOUR CODE
    # 1) Read n_H and n_W from shape. 2) Every entry of the window gets dz / (n_H * n_W).
    (n_H, n_W) = shape
    average = dz / (n_H * n_W)
    a = np.ones(shape) * average
    # END OF YOUR CODE
    return a


def pool_backward(dA, cache, mode="max"):
    """
    Backward pass of a pooling layer.

    :param dA: gradient of the cost with respect to the pooling layer's output, shape (m, n_H, n_W, n_C)
    :param cache: (A_prev, hparameters), as returned by pool_forward
    :param mode: "max" or "average"
    :return: dA_prev, the gradient with respect to A_prev, of the shape of A_prev
    """
    dA_prev = None
    # START OF YOUR CODE
    # 1) Unpack the cache; start dA_prev at zeros of the shape of A_prev.
    # 2) Loop over i, h, w and c. The window of channel c starts at h * stride and w * stride and is f wide.
    #    "max": the mask of the window's maximum (create_mask_from_window) times dA[i, h, w, c]
    #    "average": distribute_value(dA[i, h, w, c], (f, f))
    #    Add (+=) into the window of dA_prev: windows overlap when stride < f.
    (A_prev, hparameters) = cache
    stride = hparameters["stride"]
    f = hparameters["f"]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        a_prev = A_prev[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start = h * stride
                    vert_end = vert_start + f
                    horiz_start = w * stride
                    horiz_end = horiz_start + f
                    if mode == "max":
                        a_prev_slice = a_prev[vert_start:vert_end, horiz_start:horiz_end, c]
                        mask = create_mask_from_window(a_prev_slice)
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += mask * dA[i, h, w, c]
                    elif mode == "average":
                        da = dA[i, h, w, c]
                        shape = (f, f)
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += distribute_value(da, shape)
    # END OF YOUR CODE
    return dA_prev
