"""Convolution and pooling with explicit loops: the readable reference, in the course's notation.

Course 4 Week 1, "Convolutional Model: Step by Step". Layout is examples
first, channels last:
    A_prev: (m, n_H_prev, n_W_prev, n_C_prev)     W: (f, f, n_C_prev, n_C)
    b: (1, 1, 1, n_C)                             Z, dZ: (m, n_H, n_W, n_C)
    hparameters: {"stride", "pad"} for a CONV layer, {"f", "stride"} for a POOL layer
    n_H = floor((n_H_prev - f + 2 pad) / stride) + 1, and likewise n_W
    (pooling has no padding; its n_C equals n_C_prev).

The loops run over i (example), h, w (output position) and c (channel) and call
the course's helpers, ``zero_pad``, ``conv_single_step``,
``create_mask_from_window`` and ``distribute_value``, exactly as the
assignment instructs, so that each line can be read next to the notebook.
:mod:`gradelab.kernels.conv` computes the same numbers without the loops.

No function here draws random numbers. The course's tests seed NumPy once and
then draw several inputs in a row; a ``conv_forward`` that called
``np.random.randn`` (say, to initialize Z) would shift every later draw and
fail the later test cases although its own output is right.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_array

ConvCache = tuple[np.ndarray, np.ndarray, np.ndarray, dict]
PoolCache = tuple[np.ndarray, dict]
POOL_MODES = ("max", "average")


# ----------------------------------------------------------------------------
# Argument checks, shared with gradelab.kernels.conv.
# ----------------------------------------------------------------------------


def _check_int(name: str, value: object, minimum: int) -> int:
    """A Python or NumPy integer >= minimum (bools and floats are refused)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        kind = "a positive" if minimum == 1 else "a non-negative"
        raise ValueError(f"{name} must be {kind} integer, got {value!r}")
    return int(value)


def _hparameter(hparameters: object, key: str, minimum: int) -> int:
    if not isinstance(hparameters, dict):
        raise ValueError(f"hparameters must be a dict, got {type(hparameters).__name__}")
    if key not in hparameters:
        raise ValueError(f"hparameters lacks {key!r}; it has keys {sorted(hparameters)}")
    return _check_int(f"hparameters[{key!r}]", hparameters[key], minimum)


def _output_size(n_prev: int, f: int, pad: int, stride: int) -> int:
    """The course's floor((n_prev - f + 2 pad) / stride) + 1, in integers."""
    return (n_prev - f + 2 * pad) // stride + 1


def check_conv_args(A_prev: object, W: object, b: object, hparameters: object) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Validate a CONV layer's inputs; returns float arrays A_prev, W, b and (stride, pad).

    A_prev: (m, n_H_prev, n_W_prev, n_C_prev), W: (f, f, n_C_prev, n_C), b: (1, 1, 1, n_C).
    """
    A_prev = as_array("A_prev", A_prev, ndim=4).astype(float, copy=False)
    W = as_array("W", W, ndim=4).astype(float, copy=False)
    b = as_array("b", b, ndim=4).astype(float, copy=False)
    stride = _hparameter(hparameters, "stride", 1)
    pad = _hparameter(hparameters, "pad", 0)
    f, f_w, n_C_prev, n_C = W.shape
    if f != f_w or f == 0:
        raise ValueError(f"W must have shape (f, f, n_C_prev, n_C) with a square f x f filter, got W {W.shape}")
    if n_C_prev != A_prev.shape[3]:
        raise ValueError(
            f"W has shape {W.shape} (f, f, n_C_prev, n_C) but A_prev has shape {A_prev.shape} "
            f"(m, n_H_prev, n_W_prev, n_C_prev): W's n_C_prev ({n_C_prev}) must equal A_prev's ({A_prev.shape[3]})"
        )
    if b.shape != (1, 1, 1, n_C):
        raise ValueError(f"b must have shape {(1, 1, 1, n_C)} (1, 1, 1, n_C) to match W {W.shape}, got b {b.shape}")
    _, n_H_prev, n_W_prev, _ = A_prev.shape
    if f > min(n_H_prev, n_W_prev) + 2 * pad:
        raise ValueError(
            f"the filter (f = {f}, from W {W.shape}) is larger than the padded input: A_prev {A_prev.shape} "
            f"with pad = {pad} is {n_H_prev + 2 * pad} x {n_W_prev + 2 * pad}"
        )
    return A_prev, W, b, stride, pad


def check_pool_args(A_prev: object, hparameters: object, mode: str) -> tuple[np.ndarray, int, int]:
    """Validate a POOL layer's inputs; returns the float A_prev and (f, stride)."""
    A_prev = as_array("A_prev", A_prev, ndim=4).astype(float, copy=False)
    f = _hparameter(hparameters, "f", 1)
    stride = _hparameter(hparameters, "stride", 1)
    if mode not in POOL_MODES:
        raise ValueError(f"mode must be one of {POOL_MODES}, got {mode!r}")
    if f > min(A_prev.shape[1], A_prev.shape[2]):
        raise ValueError(
            f"hparameters['f'] = {f} is larger than the input: A_prev has shape {A_prev.shape} "
            f"(m, n_H_prev, n_W_prev, n_C_prev) and pooling does not pad"
        )
    return A_prev, f, stride


def check_gradient(name: str, value: object, expected: tuple[int, ...], layout: str) -> np.ndarray:
    """The gradient arriving at a layer's output must have the output's shape."""
    value = as_array(name, value).astype(float, copy=False)
    if value.shape != expected:
        raise ValueError(f"{name} must have shape {expected} {layout}, the shape of the forward output, got {name} {value.shape}")
    return value


def check_conv_cache(dZ: object, cache: object) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Unpack and check ``cache = (A_prev, W, b, hparameters)`` and dZ (m, n_H, n_W, n_C)."""
    if not isinstance(cache, tuple | list) or len(cache) != 4:
        raise ValueError("cache must be the tuple (A_prev, W, b, hparameters) returned by conv_forward")
    A_prev, W, b, stride, pad = check_conv_args(*cache)
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, n_C = W.shape[0], W.shape[3]
    expected = (m, _output_size(n_H_prev, f, pad, stride), _output_size(n_W_prev, f, pad, stride), n_C)
    dZ = check_gradient("dZ", dZ, expected, "(m, n_H, n_W, n_C)")
    return dZ, A_prev, W, b, stride, pad


def check_pool_cache(dA: object, cache: object, mode: str) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Unpack and check ``cache = (A_prev, hparameters)`` and dA (m, n_H, n_W, n_C)."""
    if not isinstance(cache, tuple | list) or len(cache) != 2:
        raise ValueError("cache must be the tuple (A_prev, hparameters) returned by pool_forward")
    A_prev, f, stride = check_pool_args(cache[0], cache[1], mode)
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    expected = (m, _output_size(n_H_prev, f, 0, stride), _output_size(n_W_prev, f, 0, stride), n_C)
    dA = check_gradient("dA", dA, expected, "(m, n_H, n_W, n_C)")
    return dA, A_prev, f, stride


# ----------------------------------------------------------------------------
# The course's functions.
# ----------------------------------------------------------------------------


def zero_pad(X: np.ndarray, pad: int) -> np.ndarray:
    """Pad the height and width of every image with ``pad`` zeros on each side.

    X: (m, n_H, n_W, n_C) -> (m, n_H + 2 pad, n_W + 2 pad, n_C). The example and
    channel axes are not padded.
    """
    X = as_array("X", X, ndim=4)
    pad = _check_int("pad", pad, 0)
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=(0, 0))


def conv_single_step(a_slice_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> float:
    """One filter on one window: Z = sum(a_slice_prev * W) + b, a float.

    a_slice_prev and W: (f, f, n_C_prev); b: any shape holding one number,
    (1, 1, 1) in the course. The course writes ``float(b)``; NumPy 2 refuses
    float() of an array with ndim > 0, so the one value is read with ``.item()``.
    """
    a_slice_prev = as_array("a_slice_prev", a_slice_prev)
    W = as_array("W", W)
    b = as_array("b", b)
    if a_slice_prev.shape != W.shape:
        raise ValueError(
            f"a_slice_prev and W must have the same shape (f, f, n_C_prev), got a_slice_prev {a_slice_prev.shape} and W {W.shape}"
        )
    if b.size != 1:
        raise ValueError(f"b must hold a single number, shape (1, 1, 1), got b {b.shape}")
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s, dtype=float)
    return Z + float(b.item())


def conv_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, hparameters: dict) -> tuple[np.ndarray, ConvCache]:
    """Forward pass of a CONV layer, four nested loops over i, h, w, c.

    A_prev: (m, n_H_prev, n_W_prev, n_C_prev), W: (f, f, n_C_prev, n_C),
    b: (1, 1, 1, n_C), hparameters {"stride", "pad"}.
    Returns Z: (m, n_H, n_W, n_C) and cache (A_prev, W, b, hparameters).
    """
    A_prev, W, b, stride, pad = check_conv_args(A_prev, W, b, hparameters)
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    n_H = _output_size(n_H_prev, f, pad, stride)
    n_W = _output_size(n_W_prev, f, pad, stride)
    # np.zeros, not np.random.randn: the values are all overwritten, but drawing
    # random numbers here would shift the caller's seeded sequence.
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
    return Z, (A_prev, W, b, hparameters)


def pool_forward(A_prev: np.ndarray, hparameters: dict, mode: str = "max") -> tuple[np.ndarray, PoolCache]:
    """Forward pass of a POOL layer ("max" or "average"), no padding.

    A_prev: (m, n_H_prev, n_W_prev, n_C_prev), hparameters {"f", "stride"}.
    Returns A: (m, n_H, n_W, n_C_prev) with n_H = floor((n_H_prev - f) / stride) + 1,
    and cache (A_prev, hparameters).
    """
    A_prev, f, stride = check_pool_args(A_prev, hparameters, mode)
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    n_H = _output_size(n_H_prev, f, 0, stride)
    n_W = _output_size(n_W_prev, f, 0, stride)
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
    return A, (A_prev, hparameters)


def conv_backward(dZ: np.ndarray, cache: ConvCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a CONV layer, the course's formulas inside the same four loops.

    dZ: (m, n_H, n_W, n_C); cache (A_prev, W, b, hparameters) from :func:`conv_forward`.
    Returns dA_prev: (m, n_H_prev, n_W_prev, n_C_prev), dW: (f, f, n_C_prev, n_C),
    db: (1, 1, 1, n_C). These are sums over the m examples (dZ carries any 1/m).

    The course unpads with ``da_prev_pad[pad:-pad, pad:-pad, :]``, which is empty
    for pad = 0; this unpads with ``pad:pad + n_H_prev``, equal for pad >= 1.
    """
    dZ, A_prev, W, _, stride, pad = check_conv_cache(dZ, cache)
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    _, n_H, n_W, _ = dZ.shape
    dA_prev = np.zeros_like(A_prev)
    dW = np.zeros_like(W)
    db = np.zeros((1, 1, 1, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    dA_prev_pad = zero_pad(dA_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        da_prev_pad = dA_prev_pad[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start, horiz_start = h * stride, w * stride
                    vert_end, horiz_end = vert_start + f, horiz_start + f
                    a_slice = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]
                    da_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :] += W[:, :, :, c] * dZ[i, h, w, c]
                    dW[:, :, :, c] += a_slice * dZ[i, h, w, c]
                    db[:, :, :, c] += dZ[i, h, w, c]
        dA_prev[i, :, :, :] = da_prev_pad[pad : pad + n_H_prev, pad : pad + n_W_prev, :]
    return dA_prev, dW, db


def create_mask_from_window(x: np.ndarray) -> np.ndarray:
    """Boolean mask, True where x equals its maximum. x: (f, f) -> mask: (f, f).

    Ties: the course says "you don't need to consider cases where there are
    several maxima", and its one-line answer ``x == np.max(x)`` marks *every*
    maximal entry. This keeps that behaviour, so in :func:`pool_backward` each
    tied maximum receives the whole upstream gradient (not a share of it).
    """
    x = as_array("x", x)
    if x.size == 0:
        raise ValueError(f"x must hold at least one entry, got shape {x.shape}")
    return x == np.max(x)


def distribute_value(dz: float, shape: tuple[int, int]) -> np.ndarray:
    """Spread dz evenly over a window: every entry is dz / (n_H * n_W).

    dz: a scalar; shape: (n_H, n_W) -> an array of that shape.
    """
    if not isinstance(shape, tuple | list) or len(shape) != 2:
        raise ValueError(f"shape must be a pair (n_H, n_W), got {shape!r}")
    n_H, n_W = (_check_int(f"shape[{k}]", n, 1) for k, n in enumerate(shape))
    average = dz / (n_H * n_W)
    return np.ones((n_H, n_W)) * average


def pool_backward(dA: np.ndarray, cache: PoolCache, mode: str = "max") -> np.ndarray:
    """Backward pass of a POOL layer, looping over i, h, w, c.

    dA: (m, n_H, n_W, n_C); cache (A_prev, hparameters) from :func:`pool_forward`.
    Returns dA_prev: (m, n_H_prev, n_W_prev, n_C). "max" routes dA to the
    window's maximum through :func:`create_mask_from_window` (every tied maximum
    gets it); "average" spreads it with :func:`distribute_value`.
    """
    dA, A_prev, f, stride = check_pool_cache(dA, cache, mode)
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros_like(A_prev)
    for i in range(m):
        a_prev = A_prev[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start, horiz_start = h * stride, w * stride
                    vert_end, horiz_end = vert_start + f, horiz_start + f
                    if mode == "max":
                        a_prev_slice = a_prev[vert_start:vert_end, horiz_start:horiz_end, c]
                        mask = create_mask_from_window(a_prev_slice)
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += np.multiply(mask, dA[i, h, w, c])
                    elif mode == "average":
                        da = dA[i, h, w, c]
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += distribute_value(da, (f, f))
    return dA_prev
