"""Correct implementations that differ from the reference: each must score full marks.

Like mistakes.py, this module imports nothing from gradelab so it can run as a submission.
Functions that call the graded helpers (zero_pad, conv_single_step, create_mask_from_window,
distribute_value) use the submission's names, which the grader answers with the reference.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


# --- zero_pad ------------------------------------------------------------------------
def zero_pad_list_form(X, pad):
    return np.pad(X, [[0, 0], [pad, pad], [pad, pad], [0, 0]])


def zero_pad_keywords(X, pad):
    return np.pad(array=X, pad_width=((0,), (pad,), (pad,), (0,)), mode="constant", constant_values=0)


def zero_pad_by_slicing(X, pad):
    m, n_H, n_W, n_C = X.shape
    X_pad = np.zeros((m, n_H + 2 * pad, n_W + 2 * pad, n_C), dtype=X.dtype)
    X_pad[:, pad : pad + n_H, pad : pad + n_W, :] = X  # not pad:-pad, which is empty for pad = 0
    return X_pad


def zero_pad_concatenate(X, pad):
    m, n_H, n_W, n_C = X.shape
    rows = np.zeros((m, pad, n_W, n_C), dtype=X.dtype)
    X = np.concatenate([rows, X, rows], axis=1)
    columns = np.zeros((m, n_H + 2 * pad, pad, n_C), dtype=X.dtype)
    return np.concatenate([columns, X, columns], axis=2)


# --- conv_single_step ----------------------------------------------------------------
def conv_single_step_einsum(a_slice_prev, W, b):
    return np.einsum("ijk,ijk->", a_slice_prev, W) + b.item()


def conv_single_step_tensordot(a_slice_prev, W, b):
    # tensordot over all three axes gives a 0-d array; float() of a 0-d array is allowed.
    return float(np.tensordot(a_slice_prev, W, axes=3)) + float(b.reshape(()))


def conv_single_step_flattened(a_slice_prev, W, b):
    return a_slice_prev.ravel() @ W.ravel() + b[0, 0, 0]


def conv_single_step_loops(a_slice_prev, W, b):
    total = 0.0
    for index in np.ndindex(a_slice_prev.shape):
        total += a_slice_prev[index] * W[index]
    return total + np.squeeze(b)


# --- conv_forward ----------------------------------------------------------------------
def _conv_loops(A_prev, W, b, hparameters, Z):
    """The course's loops writing into a given Z: its initial values are all overwritten."""
    m, n_H, n_W, n_C = Z.shape
    f = W.shape[0]
    stride = hparameters["stride"]
    A_prev_pad = zero_pad(A_prev, hparameters["pad"])  # noqa: F821 - the submission's zero_pad
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                a_slice_prev = A_prev_pad[i, h * stride : h * stride + f, w * stride : w * stride + f, :]
                for c in range(n_C):
                    Z[i, h, w, c] = conv_single_step(a_slice_prev, W[..., c], b[..., c])  # noqa: F821
    return Z, (A_prev, W, b, hparameters)


def _conv_output_shape(A_prev, W, hparameters):
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    return m, int((n_H_prev - f + 2 * pad) / stride) + 1, int((n_W_prev - f + 2 * pad) / stride) + 1, n_C


def conv_forward_randn(A_prev, W, b, hparameters):
    # The question of the course's forum (seed 000): Z starts random, every entry is overwritten.
    return _conv_loops(A_prev, W, b, hparameters, np.random.randn(*_conv_output_shape(A_prev, W, hparameters)))


def conv_forward_ones(A_prev, W, b, hparameters):
    return _conv_loops(A_prev, W, b, hparameters, np.ones(_conv_output_shape(A_prev, W, hparameters)))


def conv_forward_empty(A_prev, W, b, hparameters):
    return _conv_loops(A_prev, W, b, hparameters, np.empty(_conv_output_shape(A_prev, W, hparameters)))


def conv_forward_windows(A_prev, W, b, hparameters):
    f, stride, pad = W.shape[0], hparameters["stride"], hparameters["pad"]
    A_prev_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(A_prev_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]  # (m, n_H, n_W, n_C_prev, f, f)
    Z = np.tensordot(windows, W.transpose(2, 0, 1, 3), axes=([3, 4, 5], [0, 1, 2])) + b.reshape(-1)
    return Z, (A_prev, W, b, hparameters)


def conv_forward_channels_at_once(A_prev, W, b, hparameters):
    m, n_H, n_W, n_C = _conv_output_shape(A_prev, W, hparameters)
    f, stride = W.shape[0], hparameters["stride"]
    A_prev_pad = zero_pad(A_prev, hparameters["pad"])  # noqa: F821
    Z = np.zeros((m, n_H, n_W, n_C))
    for h in range(n_H):
        for w in range(n_W):
            a_slices = A_prev_pad[:, h * stride : h * stride + f, w * stride : w * stride + f, :]
            Z[:, h, w, :] = np.einsum("mijk,ijkc->mc", a_slices, W) + b[0, 0, 0]
    return Z, (A_prev, W, b, hparameters)


# --- pool_forward ----------------------------------------------------------------------
def pool_forward_windows(A_prev, hparameters, mode="max"):
    f, stride = hparameters["f"], hparameters["stride"]
    windows = sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    A = windows.max(axis=(4, 5)) if mode == "max" else windows.mean(axis=(4, 5))
    return A, (A_prev, hparameters)


def pool_forward_channels_at_once(A_prev, hparameters, mode="max"):
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, stride = hparameters["f"], hparameters["stride"]
    n_H, n_W = 1 + (n_H_prev - f) // stride, 1 + (n_W_prev - f) // stride
    A = np.random.randn(m, n_H, n_W, n_C)  # overwritten below
    reduce = np.amax if mode == "max" else np.average
    for h in range(n_H):
        for w in range(n_W):
            A[:, h, w, :] = reduce(A_prev[:, h * stride : h * stride + f, w * stride : w * stride + f, :], axis=(1, 2))
    return A, (A_prev, hparameters)


def pool_forward_math_floor(A_prev, hparameters, mode="max"):
    import math

    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, stride = hparameters["f"], hparameters["stride"]
    n_H, n_W = math.floor((n_H_prev - f) / stride) + 1, math.floor((n_W_prev - f) / stride) + 1
    A = np.ones((m, n_H, n_W, n_C))
    for i, h, w, c in np.ndindex(A.shape):
        window = A_prev[i, h * stride : h * stride + f, w * stride : w * stride + f, c]
        A[i, h, w, c] = window.max() if mode == "max" else window.sum() / window.size
    return A, (A_prev, hparameters)


# --- conv_backward ---------------------------------------------------------------------
def conv_backward_channels_at_once(dZ, cache):
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, stride, pad = W.shape[0], hparameters["stride"], hparameters["pad"]
    A_prev_pad = zero_pad(A_prev, pad)  # noqa: F821
    dA_prev_pad = np.zeros(A_prev_pad.shape)
    dW = np.zeros(W.shape)
    for h in range(dZ.shape[1]):
        for w in range(dZ.shape[2]):
            rows, cols = slice(h * stride, h * stride + f), slice(w * stride, w * stride + f)
            dA_prev_pad[:, rows, cols, :] += np.einsum("ijkc,mc->mijk", W, dZ[:, h, w, :])
            dW += np.einsum("mijk,mc->ijkc", A_prev_pad[:, rows, cols, :], dZ[:, h, w, :])
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, -1)
    return dA_prev_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :], dW, db


def conv_backward_np_pad_and_guarded_unpad(dZ, cache):
    (A_prev, W, b, hparameters) = cache
    f, stride, pad = W.shape[0], hparameters["stride"], hparameters["pad"]
    A_prev_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    dA_prev_pad = np.zeros_like(A_prev_pad, dtype=float)
    dW, db = np.zeros_like(W, dtype=float), np.zeros_like(b, dtype=float)
    for i, h, w, c in np.ndindex(dZ.shape):
        window = (i, slice(h * stride, h * stride + f), slice(w * stride, w * stride + f))
        dA_prev_pad[window] += W[:, :, :, c] * dZ[i, h, w, c]
        dW[:, :, :, c] += A_prev_pad[window] * dZ[i, h, w, c]
        db[:, :, :, c] += dZ[i, h, w, c]
    # The course's pad:-pad, guarded: -0 would make the slice empty.
    inner = slice(pad, -pad) if pad > 0 else slice(None)
    return dA_prev_pad[:, inner, inner, :], dW, db


def conv_backward_kernel_offsets(dZ, cache):
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, stride, pad = W.shape[0], hparameters["stride"], hparameters["pad"]
    _, n_H, n_W, _ = dZ.shape
    A_prev_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    dA_prev_pad = np.zeros(A_prev_pad.shape)
    dW = np.zeros(W.shape)
    for p in range(f):
        for q in range(f):
            rows = slice(p, p + stride * (n_H - 1) + 1, stride)
            cols = slice(q, q + stride * (n_W - 1) + 1, stride)
            dW[p, q] = np.einsum("mhwk,mhwc->kc", A_prev_pad[:, rows, cols, :], dZ)
            dA_prev_pad[:, rows, cols, :] += np.einsum("kc,mhwc->mhwk", W[p, q], dZ)
    db = np.sum(dZ, axis=(0, 1, 2), keepdims=True)
    return dA_prev_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :], dW, db


# --- create_mask_from_window -------------------------------------------------------------
def mask_argmax_only(x):
    # Marks only the first maximum. The course marks every maximum (x == np.max(x)) but says ties need
    # not be considered; the two agree whenever the maximum is unique, so both are accepted, and the
    # grader's inputs (continuous random numbers) have no ties.
    mask = np.zeros(x.shape, dtype=bool)
    mask[np.unravel_index(np.argmax(x), x.shape)] = True
    return mask


def mask_as_floats(x):
    return (x == x.max()).astype(float)


def mask_greater_equal(x):
    return np.greater_equal(x, np.amax(x))


# --- distribute_value ------------------------------------------------------------------
def distribute_full(dz, shape):
    return np.full(shape, dz / np.prod(shape))


def distribute_loops(dz, shape):
    n_H, n_W = shape
    a = np.zeros((n_H, n_W))
    for h in range(n_H):
        for w in range(n_W):
            a[h, w] = dz / (n_H * n_W)
    return a


def distribute_broadcast(dz, shape):
    return np.broadcast_to(np.float64(dz) / (shape[0] * shape[1]), shape).copy()


# --- pool_backward ---------------------------------------------------------------------
def pool_backward_inline(dA, cache, mode="max"):
    # Neither helper is called: the mask and the share are written out.
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    dA_prev = np.zeros_like(A_prev, dtype=float)
    for i, h, w, c in np.ndindex(dA.shape):
        window = (i, slice(h * stride, h * stride + f), slice(w * stride, w * stride + f), c)
        if mode == "max":
            dA_prev[window] += (A_prev[window] == A_prev[window].max()) * dA[i, h, w, c]
        else:
            dA_prev[window] += dA[i, h, w, c] / f**2
    return dA_prev


def pool_backward_argmax_only(dA, cache, mode="max"):
    # Routes each window's gradient to its first maximum only; see mask_argmax_only for why this is accepted.
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    dA_prev = np.zeros(A_prev.shape)
    for i, h, w, c in np.ndindex(dA.shape):
        rows, cols = slice(h * stride, h * stride + f), slice(w * stride, w * stride + f)
        if mode == "max":
            p, q = np.unravel_index(np.argmax(A_prev[i, rows, cols, c]), (f, f))
            dA_prev[i, h * stride + p, w * stride + q, c] += dA[i, h, w, c]
        else:
            dA_prev[i, rows, cols, c] += distribute_value(dA[i, h, w, c], (f, f))  # noqa: F821
    return dA_prev


def pool_backward_kernel_offsets(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    _, n_H, n_W, _ = dA.shape
    windows = sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    maxima = windows.max(axis=(4, 5))
    dA_prev = np.zeros(A_prev.shape)
    for p in range(f):
        for q in range(f):
            rows = slice(p, p + stride * (n_H - 1) + 1, stride)
            cols = slice(q, q + stride * (n_W - 1) + 1, stride)
            if mode == "max":
                dA_prev[:, rows, cols, :] += (A_prev[:, rows, cols, :] == maxima) * dA
            else:
                dA_prev[:, rows, cols, :] += dA / (f * f)
    return dA_prev
