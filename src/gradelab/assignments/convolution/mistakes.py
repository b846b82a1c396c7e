"""Known wrong implementations students really write, each with the hint it earns.

Every function here is wrong on purpose; the test suite grades each one and
fails if it scores full marks or is not recognized. The module imports
nothing from gradelab, so its source can be dropped into a submission as a
student would write it.

Each family (conv forward, pooling, conv backward, pool backward) is one
loop implementation with knobs, and each mistake turns one knob. The loops
use this module's own helpers (``_pad``, ``_step``), never the graded
``zero_pad`` or ``conv_single_step``: the grader recomputes a mistake's output
in its own process, where those names mean nothing. The helpers are right, so
a mistake's output is what a student's loop gives with the reference helpers,
which is what the grader hands a student's conv_forward.
"""

import numpy as np


def _pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def _step(a_slice_prev, W, b):
    return np.sum(a_slice_prev * W) + np.squeeze(b).item()


# --- zero_pad ------------------------------------------------------------------------
def pad_every_axis(X, pad):
    return np.pad(X, pad)


def pad_channels_not_width(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (0, 0), (pad, pad)))


def pad_examples_and_height(X, pad):
    # The layout of one image (n_H, n_W, n_C) applied to the batch: axes shifted by one.
    return np.pad(X, ((pad, pad), (pad, pad), (0, 0), (0, 0)))


def pad_one_side(X, pad):
    return np.pad(X, ((0, 0), (pad, 0), (pad, 0), (0, 0)))


def pad_halved(X, pad):
    return np.pad(X, ((0, 0), (pad // 2, pad // 2), (pad // 2, pad // 2), (0, 0)))


def pad_with_edges(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="edge")


ZERO_PAD = [  # (name, hint, function)
    ("every axis padded", "np.pad(X, pad) pads all four axes, the examples and the channels too; pass one pair per axis: "
                          "((0, 0), (pad, pad), (pad, pad), (0, 0)).", pad_every_axis),
    ("channels padded instead of the width", "The layout is (m, n_H, n_W, n_C): pad axes 1 and 2 (height and width), not the "
                                             "channels (axis 3).", pad_channels_not_width),
    ("examples padded instead of the width", "X holds a batch: axis 0 is the example index m. Pad axes 1 and 2, not 0 and 1.",
     pad_examples_and_height),
    ("padded on one side only", "Each pair is (before, after): (pad, pad) puts pad zeros on both sides, so the height grows "
                                "by 2 * pad.", pad_one_side),
    ("half the padding on each side", "pad is the number of zeros on *each* side: the padded height is n_H + 2 * pad.",
     pad_halved),
    ("edge values instead of zeros", "Zero padding adds zeros: mode=\"constant\" (the default), not \"edge\".", pad_with_edges),
]


# --- conv_single_step --------------------------------------------------------------------
def step_without_bias(a_slice_prev, W, b):
    return np.sum(a_slice_prev * W)


def step_bias_in_every_entry(a_slice_prev, W, b):
    return np.sum(a_slice_prev * W + b)


def step_bias_left_an_array(a_slice_prev, W, b):
    return np.sum(a_slice_prev * W) + b


def step_mean(a_slice_prev, W, b):
    return np.mean(a_slice_prev * W) + np.squeeze(b).item()


def step_flipped_filter(a_slice_prev, W, b):
    return np.sum(a_slice_prev * W[::-1, ::-1, :]) + np.squeeze(b).item()


CONV_SINGLE_STEP = [  # (name, hint, function)
    ("bias not added", "Z = sum(a_slice_prev * W) + b: add the bias once, after the sum.", step_without_bias),
    ("bias added to every entry", "Add b once, after summing: sum(a_slice_prev * W + b) adds it f * f * n_C_prev times.",
     step_bias_in_every_entry),
    ("bias left an array", "Z must be a number, but adding the (1, 1, 1) array b makes it an array: add "
                           "float(np.squeeze(b)) or b.item() (NumPy 2 refuses float(b) itself).", step_bias_left_an_array),
    ("mean instead of sum", "A convolution step sums the products: np.sum, not np.mean.", step_mean),
    ("filter flipped", "The course's (and every deep learning library's) convolution is a cross-correlation: multiply "
                       "a_slice_prev and W entry by entry, without flipping W.", step_flipped_filter),
]


# --- conv_forward ------------------------------------------------------------------------
def _conv(A_prev, W, b, hparameters, stride_in_start=True, padded=True, bias=True, n_W_from_height=False, last_skipped=False):
    """The course's loops with one knob per known mistake; all knobs at their defaults is right."""
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"] if padded else 0
    n_H = (n_H_prev - f + 2 * pad) // stride + 1
    n_W = (n_H_prev if n_W_from_height else n_W_prev) - f + 2 * pad
    n_W = n_W // stride + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    A_prev_pad = _pad(A_prev, pad)
    step = stride if stride_in_start else 1
    for i in range(m):
        for h in range(n_H - 1 if last_skipped else n_H):
            for w in range(n_W - 1 if last_skipped else n_W):
                a_slice = A_prev_pad[i, h * step : h * step + f, w * step : w * step + f, :]
                for c in range(n_C):
                    Z[i, h, w, c] = _step(a_slice, W[:, :, :, c], b[:, :, :, c] if bias else 0.0)
    return Z, (A_prev, W, b, hparameters)


def conv_stride_ignored(A_prev, W, b, hparameters):
    return _conv(A_prev, W, b, hparameters, stride_in_start=False)


def conv_not_padded(A_prev, W, b, hparameters):
    return _conv(A_prev, W, b, hparameters, padded=False)


def conv_without_bias(A_prev, W, b, hparameters):
    return _conv(A_prev, W, b, hparameters, bias=False)


def conv_square_images_assumed(A_prev, W, b, hparameters):
    return _conv(A_prev, W, b, hparameters, n_W_from_height=True)


def conv_height_and_width_swapped(A_prev, W, b, hparameters):
    Z, cache = _conv(A_prev, W, b, hparameters)
    return Z.transpose(0, 2, 1, 3).copy(), cache


def conv_last_windows_skipped(A_prev, W, b, hparameters):
    return _conv(A_prev, W, b, hparameters, last_skipped=True)


CONV_FORWARD = [  # (name, hint, function)
    ("stride ignored", "Windows start stride apart: vert_start = h * stride and horiz_start = w * stride.", conv_stride_ignored),
    ("input not padded", "Pad A_prev with zero_pad(A_prev, pad), take the windows from the padded input, and count the "
                         "padding in the output size: n_H = (n_H_prev - f + 2 * pad) // stride + 1.", conv_not_padded),
    ("bias not added", "Every entry of Z includes its filter's bias: conv_single_step(a_slice_prev, W[:, :, :, c], "
                       "b[:, :, :, c]).", conv_without_bias),
    ("n_W computed from the height", "Images need not be square: n_W uses n_W_prev, n_H uses n_H_prev.",
     conv_square_images_assumed),
    ("height and width swapped", "Z has shape (m, n_H, n_W, n_C): the height (from n_H_prev) comes before the width.",
     conv_height_and_width_swapped),
    ("last row and column of windows skipped", "Loop over range(n_H) and range(n_W): n_H and n_W already count the last "
                                               "window.", conv_last_windows_skipped),
]


# --- pool_forward ---------------------------------------------------------------------------
def _pool(A_prev, hparameters, mode, stride_in_start=True, rounded_up=False, average_as="mean", across_channels=False):
    """The course's pooling loops with one knob per known mistake."""
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, stride = hparameters["f"], hparameters["stride"]
    size = (lambda n: -((f - n) // stride) + 1) if rounded_up else (lambda n: (n - f) // stride + 1)
    n_H, n_W = size(n_H_prev), size(n_W_prev)
    A = np.zeros((m, n_H, n_W, n_C))
    step = stride if stride_in_start else 1
    reduce = {"max": np.max, "average": {"mean": np.mean, "sum": np.sum, "max": np.max}[average_as]}[mode]
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    window = A_prev[i, h * step : h * step + f, w * step : w * step + f, slice(None) if across_channels else c]
                    A[i, h, w, c] = reduce(window)
    return A, (A_prev, hparameters)


def pool_stride_ignored(A_prev, hparameters, mode="max"):
    return _pool(A_prev, hparameters, mode, stride_in_start=False)


def pool_size_rounded_up(A_prev, hparameters, mode="max"):
    return _pool(A_prev, hparameters, mode, rounded_up=True)


def pool_average_not_divided(A_prev, hparameters, mode="max"):
    return _pool(A_prev, hparameters, mode, average_as="sum")


def pool_mode_ignored(A_prev, hparameters, mode="max"):
    return _pool(A_prev, hparameters, mode, average_as="max")


def pool_across_channels(A_prev, hparameters, mode="max"):
    return _pool(A_prev, hparameters, mode, across_channels=True)


def pool_mode_compared_with_is(A_prev, hparameters, mode=None):
    # `if mode is "max": ... elif mode is "average": ...` holds only for the default's own string object: a mode
    # passed in is another string with the same letters, so neither branch runs and A keeps its zeros.
    A, cache = _pool(A_prev, hparameters, "max")
    return (A, cache) if mode is None else (np.zeros_like(A), cache)


POOL_FORWARD = [  # (name, hint, function)
    ("stride ignored", "Windows start stride apart: vert_start = h * stride and horiz_start = w * stride.", pool_stride_ignored),
    ("output size rounded up", "n_H = floor((n_H_prev - f) / stride) + 1: // floors; rounding up (np.ceil, or round) adds a "
                               "window that hangs over the edge.", pool_size_rounded_up),
    ("average not divided", "Average pooling takes the mean of the window (np.mean), not its sum.", pool_average_not_divided),
    ("mode ignored", "With mode=\"average\" take np.mean of the window; np.max is for mode=\"max\" only.", pool_mode_ignored),
    ("channels pooled together", "Each channel is pooled on its own: the window is A_prev[i, vert_start:vert_end, "
                                 "horiz_start:horiz_end, c], with the channel index c.", pool_across_channels),
    ("mode compared with is", "Compare strings with ==: mode is \"max\" asks whether mode is the very same object as the "
                              "literal, which a mode passed in is not (Python warns: \"is\" with a literal). Write "
                              "mode == \"max\".", pool_mode_compared_with_is),
]


# --- conv_backward --------------------------------------------------------------------------
def _conv_back(dZ, cache, stride_in_start=True, accumulate=True, per_example_mean=False, db_every_channel=False,
               swapped=False):
    """The course's backward loops with one knob per known mistake."""
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    _, n_H, n_W, _ = dZ.shape
    step = stride if stride_in_start else 1
    A_prev_pad = _pad(A_prev, pad)
    dA_prev_pad = np.zeros(A_prev_pad.shape)
    dW, db = np.zeros(W.shape), np.zeros((1, 1, 1, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                window = (i, slice(h * step, h * step + f), slice(w * step, w * step + f))
                for c in range(n_C):
                    into_da = A_prev_pad[window] if swapped else W[:, :, :, c]
                    into_dw = W[:, :, :, c] if swapped else A_prev_pad[window]
                    if accumulate:
                        dA_prev_pad[window] += into_da * dZ[i, h, w, c]
                        dW[:, :, :, c] += into_dw * dZ[i, h, w, c]
                    else:
                        dA_prev_pad[window] = into_da * dZ[i, h, w, c]
                        dW[:, :, :, c] = into_dw * dZ[i, h, w, c]
                    if db_every_channel:
                        db += dZ[i, h, w, c]
                    else:
                        db[:, :, :, c] += dZ[i, h, w, c]
    dA_prev = dA_prev_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :]
    if per_example_mean:
        return dA_prev / m, dW / m, db / m
    return dA_prev, dW, db


def conv_back_stride_ignored(dZ, cache):
    return _conv_back(dZ, cache, stride_in_start=False)


def conv_back_overwrites(dZ, cache):
    return _conv_back(dZ, cache, accumulate=False)


def conv_back_divided_by_m(dZ, cache):
    return _conv_back(dZ, cache, per_example_mean=True)


def conv_back_db_every_channel(dZ, cache):
    return _conv_back(dZ, cache, db_every_channel=True)


def conv_back_formulas_swapped(dZ, cache):
    return _conv_back(dZ, cache, swapped=True)


CONV_BACKWARD = [  # (name, hint, function)
    ("stride ignored", "The windows are those of conv_forward: vert_start = h * stride, horiz_start = w * stride.",
     conv_back_stride_ignored),
    ("gradients overwritten instead of added", "Use += for da_prev_pad, dW and db: every window and every example adds "
                                               "its contribution, and windows overlap when stride < f.", conv_back_overwrites),
    ("gradients divided by m", "conv_backward returns sums over the examples; any 1/m belongs to the cost's gradient dZ, "
                               "not here.", conv_back_divided_by_m),
    ("db added to every channel", "db[:, :, :, c] += dZ[i, h, w, c]: each filter's bias gets only its own channel of dZ.",
     conv_back_db_every_channel),
    ("formulas of dA_prev and dW swapped", "da_prev_pad[window] += W[:, :, :, c] * dZ[i, h, w, c] and "
                                           "dW[:, :, :, c] += a_slice * dZ[i, h, w, c]: the input's gradient goes through "
                                           "the weights and the weights' gradient through the input.",
     conv_back_formulas_swapped),
]


# --- create_mask_from_window ------------------------------------------------------------------
def mask_of_minimum(x):
    return x == np.min(x)


def mask_inverted(x):
    return x != np.max(x)


def mask_is_the_maximum(x):
    return np.max(x)


def mask_is_the_argmax(x):
    return np.argmax(x)


def mask_of_column_maxima(x):
    return x == np.max(x, axis=0)


def mask_of_largest_magnitude(x):
    return np.abs(x) == np.max(np.abs(x))


CREATE_MASK = [  # (name, hint, function)
    ("mask of the minimum", "Max pooling keeps the maximum: mask = (x == np.max(x)).", mask_of_minimum),
    ("mask inverted", "True marks the maximum, the one entry that received the gradient: x == np.max(x).", mask_inverted),
    ("the maximum instead of a mask", "Return an array of the shape of x, True where x equals its maximum, not the maximum "
                                      "itself.", mask_is_the_maximum),
    ("the index of the maximum instead of a mask", "np.argmax gives a position; the mask is an array of x's shape: "
                                                   "x == np.max(x).", mask_is_the_argmax),
    ("maximum of each column", "np.max(x, axis=0) gives one maximum per column; the window has one maximum: np.max(x) "
                               "without an axis.", mask_of_column_maxima),
    ("largest magnitude instead of maximum", "Max pooling keeps the largest value, not the largest |value|: a negative entry "
                                             "is smaller than a positive one.", mask_of_largest_magnitude),
]


# --- distribute_value ------------------------------------------------------------------------
def distribute_not_divided(dz, shape):
    return np.ones(shape) * dz


def distribute_by_sum_of_sides(dz, shape):
    return np.ones(shape) * dz / (shape[0] + shape[1])


def distribute_by_height(dz, shape):
    return np.ones(shape) * dz / shape[0]


def distribute_a_number(dz, shape):
    return dz / (shape[0] * shape[1])


def distribute_floor_division(dz, shape):
    return np.ones(shape) * (dz // (shape[0] * shape[1]))


DISTRIBUTE_VALUE = [  # (name, hint, function)
    ("not divided", "Each of the n_H * n_W entries gets dz / (n_H * n_W): the average's gradient is shared, so the entries "
                    "add up to dz.", distribute_not_divided),
    ("divided by n_H + n_W", "The window has n_H * n_W entries: divide by their number, n_H * n_W.", distribute_by_sum_of_sides),
    ("divided by n_H only", "The window has n_H * n_W entries: divide by n_H * n_W.", distribute_by_height),
    ("a number instead of an array", "Return an array of the given shape with dz / (n_H * n_W) in every entry: "
                                     "np.ones(shape) * average.", distribute_a_number),
    ("floor division", "// rounds down to an integer: use / for the average.", distribute_floor_division),
]


# --- pool_backward ---------------------------------------------------------------------------
def _pool_back(dA, cache, mode, mask_kind="max", average_divided=True, accumulate=True, stride_in_start=True,
               average_as_max=False):
    """The course's pooling backward loops with one knob per known mistake."""
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    step = stride if stride_in_start else 1
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    window = (i, slice(h * step, h * step + f), slice(w * step, w * step + f), c)
                    if mode == "max" or average_as_max:
                        x = A_prev[window]
                        share = (x == np.max(x)) * dA[i, h, w, c] if mask_kind == "max" else np.ones(x.shape) * dA[i, h, w, c]
                    else:
                        share = np.ones((f, f)) * dA[i, h, w, c] / (f * f if average_divided else 1)
                    if accumulate:
                        dA_prev[window] += share
                    else:
                        dA_prev[window] = share
    return dA_prev


def pool_back_to_every_position(dA, cache, mode="max"):
    return _pool_back(dA, cache, mode, mask_kind="all")


def pool_back_average_not_divided(dA, cache, mode="max"):
    return _pool_back(dA, cache, mode, average_divided=False)


def pool_back_overwrites(dA, cache, mode="max"):
    return _pool_back(dA, cache, mode, accumulate=False)


def pool_back_stride_ignored(dA, cache, mode="max"):
    return _pool_back(dA, cache, mode, stride_in_start=False)


def pool_back_mode_ignored(dA, cache, mode="max"):
    return _pool_back(dA, cache, mode, average_as_max=True)


POOL_BACKWARD = [  # (name, hint, function)
    ("max-pool gradient sent to every position", "Only the window's maximum affected the output: multiply dA[i, h, w, c] by "
                                                 "create_mask_from_window(a_prev_slice).", pool_back_to_every_position),
    ("average-pool gradient not divided", "Each entry of the window gets dA / (f * f): distribute_value(dA[i, h, w, c], "
                                          "(f, f)).", pool_back_average_not_divided),
    ("gradients overwritten instead of added", "Use += into dA_prev: windows overlap when stride < f, and an entry then "
                                               "collects the gradient of every window it is in.", pool_back_overwrites),
    ("stride ignored", "The windows are those of pool_forward: vert_start = h * stride, horiz_start = w * stride.",
     pool_back_stride_ignored),
    ("mode ignored", "With mode=\"average\" every entry of the window shares the gradient (distribute_value); the mask is "
                     "for mode=\"max\".", pool_back_mode_ignored),
]
