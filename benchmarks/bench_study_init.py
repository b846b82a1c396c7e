"""Time the initialization study's training: numba fast path vs the reference NumPy loop (vs PyTorch if installed).

    .venv/bin/python benchmarks/bench_study_init.py            # 3-run study and 30-run sweep
    .venv/bin/python benchmarks/bench_study_init.py --full     # also time the reference on all 30 runs (~45 s)
    .venv/bin/python benchmarks/bench_study_init.py --cold     # also time a compilation from an empty cache

What is timed, all in this one process, same data and starting parameters:
  fast path   gradelab.kernels.fused.train_runs(engine="numba"): the kernel's training time (TrainResult.train_s),
              and separately its check against the reference (check_s) and the compile or cache load;
  reference   gradelab.nn.L_layer_model, one run after the other (what the numpy engine does);
  torch       the same batch gradient descent written with torch.bmm over all runs at once, float64,
              manual backward (no autograd), when torch imports.
Figures are the best and the median of --repeat runs; the machine may be shared, so the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

from gradelab.kernels import fused
from gradelab.nn import L_layer_model
from gradelab.nn.datasets import circles
from gradelab.studies.init_study import ITERATIONS, LAYERS_DIMS, LEARNING_RATE, distinct_starts, initial_parameters


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def describe(times: list[float]) -> str:
    return f"best {min(times):7.3f} s   median {statistics.median(times):7.3f} s   ({len(times)} runs)"


def bench_fast(X, Y, starts, repeat: int) -> dict[str, list[float]]:
    """Kernel time, check time and wall time of train_runs, per repeat."""
    found = {"train": [], "check": [], "wall": []}
    for _ in range(repeat):
        start = time.perf_counter()
        result = fused.train_runs(X, Y, LAYERS_DIMS, starts, LEARNING_RATE, ITERATIONS, engine="numba")
        found["wall"].append(time.perf_counter() - start)
        found["train"].append(result.train_s)
        found["check"].append(result.check_s)
    return found


def bench_reference(X, Y, starts) -> float:
    start = time.perf_counter()
    for parameters in starts:
        L_layer_model(X, Y, LAYERS_DIMS, LEARNING_RATE, ITERATIONS, parameters=parameters)
    return time.perf_counter() - start


def torch_train(X, Y, starts, threads: int, iterations: int = ITERATIONS) -> list[np.ndarray]:
    """Batch gradient descent on all runs at once with torch (float64, manual backward); returns [W1, b1, ...] stacked over runs."""
    import torch

    torch.set_num_threads(threads)
    L, R, m = len(LAYERS_DIMS) - 1, len(starts), X.shape[1]
    with torch.no_grad():
        W = [torch.tensor(np.stack([s[f"W{l}"] for s in starts])) for l in range(1, L + 1)]  # (R, n_l, n_{l-1})
        b = [torch.tensor(np.stack([s[f"b{l}"] for s in starts])) for l in range(1, L + 1)]  # (R, n_l, 1)
        A0 = torch.tensor(X).expand(R, -1, -1)
        Yt = torch.tensor(Y, dtype=torch.float64)
        for _ in range(iterations):
            A = [A0]
            for l in range(L):
                Z = torch.baddbmm(b[l], W[l], A[-1])
                A.append(torch.relu(Z) if l < L - 1 else Z)
            dZ = torch.sigmoid(A[-1]) - Yt
            for l in reversed(range(L)):
                dW = torch.bmm(dZ, A[l].transpose(1, 2)) / m
                db = dZ.sum(dim=2, keepdim=True) / m
                if l > 0:
                    dZ = torch.bmm(W[l].transpose(1, 2), dZ) * (A[l] > 0)
                W[l] -= LEARNING_RATE * dW
                b[l] -= LEARNING_RATE * db
    return [t.numpy() for pair in zip(W, b) for t in pair]


def torch_agreement(X, Y, starts, threads: int) -> float:
    """Largest relative difference between torch's and the reference's parameters after 200 iterations (He runs)."""
    he = starts[2::3]
    found = torch_train(X, Y, he, threads, iterations=200)
    worst = 0.0
    for r, start in enumerate(he):
        expected, _ = L_layer_model(X, Y, LAYERS_DIMS, LEARNING_RATE, 200, parameters=start)
        for q, name in enumerate(f"{kind}{l}" for l in range(1, len(LAYERS_DIMS)) for kind in "Wb"):
            worst = max(worst, float(np.linalg.norm(found[q][r] - expected[name]) / np.linalg.norm(expected[name])))
    return worst


def cold_compile() -> float:
    """Compile the kernel in a fresh interpreter with an empty numba cache; returns its seconds."""
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        code = "from gradelab.kernels import fused; print(fused.compile_kernel())"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "NUMBA_CACHE_DIR": cache})
        return float(done.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="repeats of each fast-path timing (default 7)")
    parser.add_argument("--full", action="store_true", help="time the reference on the 30-run sweep too")
    parser.add_argument("--cold", action="store_true", help="time a compilation from an empty numba cache")
    args = parser.parse_args()
    if not fused.numba_available():
        print(f"numba does not import ({fused.NUMBA_ERROR}): nothing to compare")
        return 1
    X, Y, _, _ = circles()
    threads = fused.numba.get_num_threads()
    print(f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), numba {fused.numba.__version__} with {threads} threads, "
          f"numpy {np.__version__}, load average {os.getloadavg()[0]:.2f}")
    print(f"compile or cache load: {fused.compile_kernel():.2f} s")
    if args.cold:
        print(f"compile from an empty cache (fresh interpreter): {cold_compile():.2f} s")
    try:
        import torch
        has_torch = True
        print(f"torch {torch.__version__} with {threads} threads")
    except ImportError:
        has_torch = False
        print("torch: not installed, skipped (pip install torch to compare)")
    for n_seeds in (1, 10):
        starts = initial_parameters([3 + i for i in range(n_seeds)])[0]
        print(f"\n{len(starts)} runs x {ITERATIONS} iterations, [2, 10, 5, 1], m = {X.shape[1]}")
        found = bench_fast(X, Y, starts, args.repeat)
        print(f"  fast path, training      {describe(found['train'])}")
        print(f"  fast path, check         {describe(found['check'])}")
        print(f"  fast path, train_runs    {describe(found['wall'])}")
        best = min(found["train"])
        if n_seeds == 1 or args.full:
            reference = bench_reference(X, Y, starts)
            print(f"  reference L_layer_model  {reference:7.3f} s   -> fast path training is {reference / best:.1f}x faster "
                  f"({reference / min(found['wall']):.1f}x with its check)")
        else:
            print("  reference L_layer_model  not timed (--full to time it: about 10 times the 3-run figure)")
        if has_torch:
            print(f"  torch agrees with the reference to {torch_agreement(X, Y, starts, threads):.1e} (He runs, 200 iterations)")
            times = timed(lambda s=starts: torch_train(X, Y, s, threads), max(1, args.repeat // 3))
            print(f"  torch, bmm over runs     {describe(times)}   -> fast path is {min(times) / best:.1f}x faster")
    distinct = distinct_starts([3 + i for i in range(10)])[0]
    found = bench_fast(X, Y, distinct, args.repeat)
    print(f"\n`gradelab study init --seeds 10` as the study trains it: {len(distinct)} distinct runs "
          "(zeros ignores the seed and is trained once)")
    print(f"  fast path, training      {describe(found['train'])}")
    print(f"  fast path, train_runs    {describe(found['wall'])}")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
