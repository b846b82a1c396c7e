"""Time the loop and the vectorized convolution references, and PyTorch's conv2d in float64 when it is installed.

Input: A_prev (10, 32, 32, 3), W (3, 3, 3, 8): eight 3x3 filters, stride 1,
pad 1; everything in float64, in one process. Prints the best time of several
repeats for each, the ratios, and the design alternatives that
gradelab.kernels.conv was chosen from (see docs/PERFORMANCE.md).

    .venv/bin/python benchmarks/bench_conv.py [--threads 1] [--repeat 7]

BLAS (and PyTorch) run on --threads threads, 1 by default: these matrices
are small, and with two threads a second busy process on a 2-core machine
made every BLAS call several times slower and the timings erratic.
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from threadpoolctl import threadpool_limits

from gradelab.kernels import conv as conv_fast
from gradelab.nn import conv

SHAPE = (10, 32, 32, 3)
N_FILTERS, F, HPARAMETERS = 8, 3, {"stride": 1, "pad": 1}


def best_ms(fn: Callable[[], object], number: int, repeat: int) -> float:
    """Best of ``repeat`` timings, each the mean of ``number`` calls, in milliseconds."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e3


def inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    A_prev = rng.standard_normal(SHAPE)
    W = rng.standard_normal((F, F, SHAPE[3], N_FILTERS))
    b = rng.standard_normal((1, 1, 1, N_FILTERS))
    dZ = rng.standard_normal((SHAPE[0], SHAPE[1], SHAPE[2], N_FILTERS))
    return A_prev, W, b, dZ


def time_references(repeat: int, loop_repeat: int) -> dict[str, float]:
    A_prev, W, b, dZ = inputs()
    Z_loop, cache_loop = conv.conv_forward(A_prev, W, b, HPARAMETERS)
    Z_fast, cache_fast = conv_fast.conv_forward(A_prev, W, b, HPARAMETERS)
    grads_loop, grads_fast = conv.conv_backward(dZ, cache_loop), conv_fast.conv_backward(dZ, cache_fast)
    difference = max(float(np.max(np.abs(x - y))) for x, y in zip((Z_loop, *grads_loop), (Z_fast, *grads_fast)))
    print(f"largest |loop - vectorized| over Z, dA_prev, dW, db: {difference:.1e}")
    return {
        "loop forward": best_ms(lambda: conv.conv_forward(A_prev, W, b, HPARAMETERS), 1, loop_repeat),
        "loop backward": best_ms(lambda: conv.conv_backward(dZ, cache_loop), 1, loop_repeat),
        "vectorized forward": best_ms(lambda: conv_fast.conv_forward(A_prev, W, b, HPARAMETERS), 50, repeat),
        "vectorized backward": best_ms(lambda: conv_fast.conv_backward(dZ, cache_fast), 50, repeat),
    }


def time_torch(repeat: int, threads: int) -> dict[str, float]:
    """PyTorch float64 on the CPU, in its own NCHW layout (the transposes are not timed)."""
    try:
        import torch
    except ImportError:
        print("torch: not installed, PyTorch comparison skipped (pip install torch, or the [torch] extra)")
        return {}
    torch.set_num_threads(threads)
    A_prev, W, b, dZ = inputs()
    x = torch.tensor(A_prev.transpose(0, 3, 1, 2).copy(), requires_grad=True)
    weight = torch.tensor(W.transpose(3, 2, 0, 1).copy(), requires_grad=True)
    bias = torch.tensor(b.ravel(), requires_grad=True)
    grad = torch.tensor(dZ.transpose(0, 3, 1, 2).copy())
    F_ = torch.nn.functional

    def forward() -> torch.Tensor:
        with torch.no_grad():
            return F_.conv2d(x, weight, bias, stride=1, padding=1)

    out = F_.conv2d(x, weight, bias, stride=1, padding=1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    return {
        "torch forward": best_ms(forward, 50, repeat),
        "torch backward": best_ms(lambda: torch.autograd.grad(out, (x, weight, bias), grad, retain_graph=True), 50, repeat),
    }


# ----------------------------------------------------------------------------
# Alternatives considered for gradelab.kernels.conv
# ----------------------------------------------------------------------------


def forward_im2col(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Copy the windows into an (m n_H n_W, f f n_C_prev) matrix, then one matrix product."""
    windows = sliding_window_view(conv_fast.zero_pad(A_prev, 1), (F, F), axis=(1, 2))  # (m, n_H, n_W, n_C_prev, f, f)
    m, n_H, n_W = windows.shape[:3]
    cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(m * n_H * n_W, -1)
    return (cols @ W.reshape(-1, W.shape[3])).reshape(m, n_H, n_W, -1) + b


def dA_prev_add_at(dZ: np.ndarray, W: np.ndarray) -> np.ndarray:
    """col2im with np.add.at: every window's W dZ added at its (h + p, w + q) in one unbuffered call (stride 1)."""
    m, n_H, n_W, n_C = dZ.shape
    cols = (dZ.reshape(-1, n_C) @ W.reshape(-1, n_C).T).reshape(m, n_H, n_W, F, F, -1)
    dA_prev_pad = np.zeros((m, n_H + F - 1, n_W + F - 1, W.shape[2]))
    rows = (np.arange(n_H)[:, None] + np.arange(F))[:, None, :, None]  # (n_H, 1, f, 1)
    columns = (np.arange(n_W)[:, None] + np.arange(F))[None, :, None, :]  # (1, n_W, 1, f)
    np.add.at(dA_prev_pad, (slice(None), rows, columns), cols)
    return dA_prev_pad[:, 1:-1, 1:-1, :]


def pool_window_view(A_prev: np.ndarray, mode: str) -> np.ndarray:
    """Pooling as a reduction over the last two axes of a sliding-window view."""
    windows = sliding_window_view(A_prev, (2, 2), axis=(1, 2))[:, ::2, ::2]
    return windows.max(axis=(-2, -1)) if mode == "max" else windows.mean(axis=(-2, -1))


def time_alternatives(repeat: int) -> None:
    A_prev, W, b, dZ = inputs()
    Z, cache = conv_fast.conv_forward(A_prev, W, b, HPARAMETERS)
    assert np.allclose(forward_im2col(A_prev, W, b), Z)
    assert np.allclose(dA_prev_add_at(dZ, W), conv_fast.conv_backward(dZ, cache)[0])
    padded = (SHAPE[0], SHAPE[1] + 2, SHAPE[2] + 2, SHAPE[3])
    P_in = np.maximum(Z, 0.0)
    pool = {"f": 2, "stride": 2}
    P, pool_cache = conv_fast.pool_forward(P_in, pool)
    dP = np.random.default_rng(1).standard_normal(P.shape)
    assert np.array_equal(pool_window_view(P_in, "max"), P)
    rows = [
        ("conv forward: windows + einsum (used)", lambda: conv_fast.conv_forward(A_prev, W, b, HPARAMETERS)),
        ("conv forward: im2col copy + matmul", lambda: forward_im2col(A_prev, W, b)),
        ("conv backward, all of it (used: offset loop)", lambda: conv_fast.conv_backward(dZ, cache)),
        ("dA_prev alone: f*f strided adds (used)", lambda: conv_fast._scatter_dA(dZ.reshape(-1, N_FILTERS), W, padded, 1, (32, 32))),
        ("dA_prev alone: col2im with np.add.at", lambda: dA_prev_add_at(dZ, W)),
        ("max pool 2x2/2 forward: f*f slabs (used)", lambda: conv_fast.pool_forward(P_in, pool)),
        ("max pool 2x2/2 forward: window view .max", lambda: pool_window_view(P_in, "max")),
        ("max pool 2x2/2 backward (used)", lambda: conv_fast.pool_backward(dP, pool_cache)),
        ("max pool 2x2/2 loops: forward", lambda: conv.pool_forward(P_in, pool)),
    ]
    print("\nalternatives (input of the pools: ReLU(Z), (10, 32, 32, 8)):")
    for name, fn in rows:
        number = 1 if "loops" in name else 50
        print(f"  {name:46s} {best_ms(fn, number, repeat if number > 1 else 2):9.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads (default: 1)")
    parser.add_argument("--repeat", type=int, default=7, help="repeats of the fast timings; the best is kept (default: 7)")
    parser.add_argument("--loop-repeat", type=int, default=3, help="repeats of the loop timings (default: 3)")
    args = parser.parse_args()
    print(f"conv: A_prev {SHAPE}, W ({F}, {F}, {SHAPE[3]}, {N_FILTERS}), stride 1, pad 1, float64, {args.threads} BLAS thread(s)")
    with threadpool_limits(limits=args.threads):
        times = time_references(args.repeat, args.loop_repeat)
        times.update(time_torch(args.repeat, args.threads))
        for name, ms in times.items():
            print(f"  {name:22s} {ms:9.3f} ms")
        fwd, bwd = times["vectorized forward"], times["vectorized backward"]
        print(f"loop / vectorized: forward {times['loop forward'] / fwd:.0f}x, backward {times['loop backward'] / bwd:.0f}x")
        print(f"vectorized backward / its forward: {bwd / fwd:.2f} (target: at most 3)")
        if "torch forward" in times:
            print(f"vectorized / torch float64: forward {fwd / times['torch forward']:.2f}, backward {bwd / times['torch backward']:.2f}")
        time_alternatives(args.repeat)


if __name__ == "__main__":
    main()
