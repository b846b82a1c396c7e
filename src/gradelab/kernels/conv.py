"""Convolution and pooling without loops over positions: same signatures and numbers as :mod:`gradelab.nn.conv`.

Shapes, in the course's layout (examples first, channels last):
    A_prev, dA_prev: (m, n_H_prev, n_W_prev, n_C_prev)    W, dW: (f, f, n_C_prev, n_C)
    b, db: (1, 1, 1, n_C)                                  Z, dZ: (m, n_H, n_W, n_C)
    n_H = floor((n_H_prev - f + 2 pad) / stride) + 1 (pad = 0 for pooling)

How, and why this way (figures measured by benchmarks/bench_conv.py, see
docs/PERFORMANCE.md):

* conv forward: every f x f window of the padded input is a strided *view*
  (``sliding_window_view``, no copy), contracted with W by one ``einsum``
  whose optimizer hands the work to BLAS.
* The "offset slab" trick: for a kernel offset (i, j), the entries that the
  (h, w) window sees at (i, j) are ``X[:, i + stride*h, j + stride*w, :]`` for
  all h, w at once, a strided slice. Looping over the f*f offsets (9 for a
  3x3 filter) instead of the n_H*n_W positions is what the backward passes and
  pooling do. Scattering gradients back this way was faster than col2im with
  ``np.add.at`` (measured in the benchmark).
* conv backward: dW is one matrix product per offset; dA_prev is one matrix
  product for all offsets, then f*f strided additions done channels-first so
  the inner loops run over contiguous rows.
* max-pool backward sends dA to every entry equal to its window's maximum,
  exactly the course's ``create_mask_from_window`` (``x == np.max(x)``): with
  ties, each tied maximum receives the whole gradient.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from gradelab.nn.conv import (
    ConvCache,
    PoolCache,
    check_conv_args,
    check_conv_cache,
    check_pool_args,
    check_pool_cache,
    conv_single_step,
    create_mask_from_window,
    distribute_value,
    zero_pad,
)

__all__ = [
    "conv_backward",
    "conv_forward",
    "conv_single_step",
    "create_mask_from_window",
    "distribute_value",
    "pool_backward",
    "pool_forward",
    "zero_pad",
]


def _output_shape(n_H_prev: int, n_W_prev: int, f: int, pad: int, stride: int) -> tuple[int, int]:
    return (n_H_prev - f + 2 * pad) // stride + 1, (n_W_prev - f + 2 * pad) // stride + 1


def _slab(X: np.ndarray, i: int, j: int, stride: int, n_H: int, n_W: int) -> np.ndarray:
    """View of X (m, H, W, C) at kernel offset (i, j) of every window: (m, n_H, n_W, C).

    slab[:, h, w, :] = X[:, i + stride * h, j + stride * w, :]; a view, not a copy.
    """
    return X[:, i : i + stride * (n_H - 1) + 1 : stride, j : j + stride * (n_W - 1) + 1 : stride, :]


def conv_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, hparameters: dict) -> tuple[np.ndarray, ConvCache]:
    """Forward pass of a CONV layer by strided windows and one einsum.

    A_prev: (m, n_H_prev, n_W_prev, n_C_prev), W: (f, f, n_C_prev, n_C),
    b: (1, 1, 1, n_C), hparameters {"stride", "pad"}.
    Returns Z: (m, n_H, n_W, n_C) and cache (A_prev, W, b, hparameters).
    """
    A_prev, W, b, stride, pad = check_conv_args(A_prev, W, b, hparameters)
    f = W.shape[0]
    # windows[i, h, w, c, p, q] = A_prev_pad[i, h*stride + p, w*stride + q, c]: (m, n_H, n_W, n_C_prev, f, f)
    windows = sliding_window_view(zero_pad(A_prev, pad), (f, f), axis=(1, 2))[:, ::stride, ::stride]
    Z = np.einsum("mhwcpq,pqcn->mhwn", windows, W, optimize=True)
    Z += b
    return Z, (A_prev, W, b, hparameters)


def conv_backward(dZ: np.ndarray, cache: ConvCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a CONV layer, looping over the f*f kernel offsets only.

    dZ: (m, n_H, n_W, n_C); cache (A_prev, W, b, hparameters) from :func:`conv_forward`.
    Returns dA_prev: (m, n_H_prev, n_W_prev, n_C_prev), dW: (f, f, n_C_prev, n_C),
    db: (1, 1, 1, n_C), sums over the m examples like the loop version.
    """
    dZ, A_prev, W, _, stride, pad = check_conv_cache(dZ, cache)
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    _, n_H, n_W, _ = dZ.shape
    dZ_2d = dZ.reshape(-1, n_C)  # (m n_H n_W, n_C)
    # db as a matrix-vector product: a BLAS call, much faster than dZ.sum(axis=(0, 1, 2)).
    db = (np.ones(dZ_2d.shape[0]) @ dZ_2d).reshape(1, 1, 1, n_C)
    A_prev_pad = zero_pad(A_prev, pad)
    dW = np.empty_like(W)
    for i in range(f):
        for j in range(f):
            a_slab = _slab(A_prev_pad, i, j, stride, n_H, n_W).reshape(-1, n_C_prev)
            dW[i, j] = a_slab.T @ dZ_2d
    dA_prev_pad = _scatter_dA(dZ_2d, W, (m, n_H_prev + 2 * pad, n_W_prev + 2 * pad, n_C_prev), stride, (n_H, n_W))
    dA_prev = np.ascontiguousarray(dA_prev_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :])
    return dA_prev, dW, db


def _scatter_dA(dZ_2d: np.ndarray, W: np.ndarray, padded_shape: tuple[int, ...], stride: int, out_hw: tuple[int, int]) -> np.ndarray:
    """dA_prev_pad (m, n_H_prev + 2 pad, n_W_prev + 2 pad, n_C_prev) = sum over windows of W dZ.

    One matrix product gives every window's contribution at every offset,
    cols[p, q, c, (i, h, w)] = sum_n W[p, q, c, n] dZ[i, h, w, n]; the f*f
    strided additions then run channels-first, where both sides have
    contiguous rows of n_W entries (channels-last rows would be n_C_prev long).
    """
    f, _, n_C_prev, n_C = W.shape
    m, H_pad, W_pad, _ = padded_shape
    n_H, n_W = out_hw
    cols = (W.reshape(-1, n_C) @ dZ_2d.T).reshape(f, f, n_C_prev, m, n_H, n_W)
    dA_T = np.zeros((n_C_prev, m, H_pad, W_pad))
    for p in range(f):
        for q in range(f):
            dA_T[:, :, p : p + stride * (n_H - 1) + 1 : stride, q : q + stride * (n_W - 1) + 1 : stride] += cols[p, q]
    return dA_T.transpose(1, 2, 3, 0)


def pool_forward(A_prev: np.ndarray, hparameters: dict, mode: str = "max") -> tuple[np.ndarray, PoolCache]:
    """Forward pass of a POOL layer ("max" or "average"), f*f strided slabs.

    A_prev: (m, n_H_prev, n_W_prev, n_C_prev), hparameters {"f", "stride"}.
    Returns A: (m, n_H, n_W, n_C_prev) and cache (A_prev, hparameters).
    Reducing f*f slabs elementwise was ~5x faster than reducing the last two
    axes of a sliding-window view (benchmarks/bench_conv.py).
    """
    A_prev, f, stride = check_pool_args(A_prev, hparameters, mode)
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    n_H, n_W = _output_shape(n_H_prev, n_W_prev, f, 0, stride)
    A = _slab(A_prev, 0, 0, stride, n_H, n_W).copy()
    for i in range(f):
        for j in range(f):
            if i == j == 0:
                continue
            a_slab = _slab(A_prev, i, j, stride, n_H, n_W)
            if mode == "max":
                np.maximum(A, a_slab, out=A)
            else:
                A += a_slab
    if mode == "average":
        A /= f * f
    return A, (A_prev, hparameters)


def pool_backward(dA: np.ndarray, cache: PoolCache, mode: str = "max") -> np.ndarray:
    """Backward pass of a POOL layer, looping over the f*f kernel offsets only.

    dA: (m, n_H, n_W, n_C); cache (A_prev, hparameters) from :func:`pool_forward`.
    Returns dA_prev: (m, n_H_prev, n_W_prev, n_C). "max": every entry equal to
    its window's maximum gets that window's dA (ties included, as in the
    course's mask); "average": each entry of a window gets dA / (f*f).
    """
    dA, A_prev, f, stride = check_pool_cache(dA, cache, mode)
    _, n_H, n_W, _ = dA.shape
    dA_prev = np.zeros_like(A_prev)
    if mode == "max":
        # Recompute the window maxima: the course's cache holds only (A_prev, hparameters).
        A, _ = pool_forward(A_prev, cache[1], mode="max")
        for i in range(f):
            for j in range(f):
                mask = _slab(A_prev, i, j, stride, n_H, n_W) == A
                da_slab = _slab(dA_prev, i, j, stride, n_H, n_W)  # a view: += writes into dA_prev
                da_slab += mask * dA
    else:
        share = dA / (f * f)
        for i in range(f):
            for j in range(f):
                da_slab = _slab(dA_prev, i, j, stride, n_H, n_W)
                da_slab += share
    return dA_prev
