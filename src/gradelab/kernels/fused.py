"""The fast path: several runs of [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID trained at once.

:func:`train_runs` trains one network per starting point in ``initial`` by batch
gradient descent, exactly the algorithm of :func:`gradelab.nn.train.L_layer_model`
(same update, dZ[L] = A[L] - Y, cost from the logits Z[L] recorded every
``record_every`` iterations before that iteration's update). Two engines:

* ``"numba"``: one compiled kernel fuses forward, backward and update of every
  iteration; runs are spread over the cores with ``numba.prange``. Compiled
  once per machine (``cache=True``; about 8 s, then 0.3 s to load, until this
  file's modification time changes); :func:`compile_kernel` does it up front so
  training times can leave it out. Student bundles do not compile it: they
  copy the study's results from gradelab.studies.data_cache.
* ``"numpy"``: the reference ``L_layer_model`` itself, run after run. Used when
  Numba is missing or does not import or compile.

Every numba result is **checked against the reference** before it is returned
(:func:`check_against_reference`): each recorded cost is recomputed by the
reference from the parameters the kernel had at that iteration, and the first
and the last ``check_steps`` iterations are re-run by ``L_layer_model`` from the
kernel's own parameters at their start. A disagreement raises
:class:`FastPathMismatch`. The check costs about 1 ms a run.

Memory layout, per run (m examples innermost, rows contiguous)::

    theta: (P,)         W1 row-major, b1, W2, b2, ..., WL, bL (see Layout)
    S:     (rows, m)    X, then A[1], ..., A[L-1], then Z[L]; one row per unit
    G:     (2 * h, m)   dZ of the current layer and of the one below, h = max n_l
    E:     (m,)         int64 scratch holding the powers of two of exp()

All of it is allocated once per call; the iteration loop allocates nothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gradelab.nn._validate import as_array, check_labels, check_layers_dims
from gradelab.nn.layers import L_model_forward, compute_cost_from_logits
from gradelab.nn.train import L_layer_model

try:  # Numba is optional: a broken install must not break the reference path.
    import numba
    from numba import prange

    NUMBA_ERROR: str | None = None
except Exception as error:  # ImportError, or e.g. a NumPy version numba was not built for
    numba = None
    prange = range
    NUMBA_ERROR = f"{type(error).__name__}: {error}"

Parameters = dict[str, np.ndarray]
Progress = Callable[[int], None]
ENGINES = ("auto", "numba", "numpy")

# The runtime check: costs recomputed by the reference must agree to COST_RTOL
# (only summation order differs: ~1e-15 seen); the parameter change over the
# re-run steps must agree to STEP_RTOL of its own size (~1e-12 seen). Measuring
# the change rather than the parameters keeps the check sharp late in
# training, when an update is a millionth of the weights.
COST_RTOL = 1e-9
STEP_RTOL = 1e-6


class FastPathMismatch(RuntimeError):
    """The numba kernel and the reference L_layer_model disagree."""


def _jit(**options: object) -> Callable:
    """numba.njit(cache=True, ...) when numba imported, else leave the function as plain Python."""
    if numba is None:
        return lambda function: function
    return numba.njit(cache=True, **options)


# Reassociation lets LLVM vectorize the sums over examples (the order of a sum
# changes, as BLAS changes it for the reference); contraction allows FMA.
# Neither may touch _exp_neg, whose range reduction depends on its order.
_FM = {"reassoc", "contract"}


# ---------------------------------------------------------------- forward


@_jit(fastmath=_FM)
def _fwd4(S, zr, ar, p, w, first, last, bias, relu, m):  # noqa: ANN001
    """S[zr] (+)= sum of 4 terms p[w + q] * S[ar + q]; bias on the first block, ReLU on the last."""
    w0 = p[w]
    w1 = p[w + 1]
    w2 = p[w + 2]
    w3 = p[w + 3]
    for i in range(m):
        t = w0 * S[ar, i] + w1 * S[ar + 1, i] + w2 * S[ar + 2, i] + w3 * S[ar + 3, i]
        t = t + bias if first else t + S[zr, i]
        if last and relu:
            t = max(t, 0.0)
        S[zr, i] = t


@_jit(fastmath=_FM)
def _fwd2(S, zr, ar, p, w, first, last, bias, relu, m):  # noqa: ANN001
    """As _fwd4 with two terms."""
    w0 = p[w]
    w1 = p[w + 1]
    for i in range(m):
        t = w0 * S[ar, i] + w1 * S[ar + 1, i]
        t = t + bias if first else t + S[zr, i]
        if last and relu:
            t = max(t, 0.0)
        S[zr, i] = t


@_jit(fastmath=_FM)
def _fwd1(S, zr, ar, p, w, first, last, bias, relu, m):  # noqa: ANN001
    """As _fwd4 with one term."""
    w0 = p[w]
    for i in range(m):
        t = w0 * S[ar, i]
        t = t + bias if first else t + S[zr, i]
        if last and relu:
            t = max(t, 0.0)
        S[zr, i] = t


@_jit(fastmath=_FM)
def _forward_layer(S, s_in, s_out, n_in, n_out, p, w0, b0, relu, m):  # noqa: ANN001
    """S[s_out + j] = g(W[j] . S[s_in : s_in + n_in] + b[j]) for every unit j.

    The sum over the inputs k is cut in blocks of 4, 2, 1 so each pass over
    the examples reads several input rows per read and write of the output row.
    """
    for j in range(n_out):
        bias = p[b0 + j]
        k = 0
        while k < n_in:
            left = n_in - k
            w = w0 + j * n_in + k
            if left >= 4:
                _fwd4(S, s_out + j, s_in + k, p, w, k == 0, left == 4, bias, relu, m)
                k += 4
            elif left >= 2:
                _fwd2(S, s_out + j, s_in + k, p, w, k == 0, left == 2, bias, relu, m)
                k += 2
            else:
                _fwd1(S, s_out + j, s_in + k, p, w, k == 0, True, bias, relu, m)
                k += 1


# ---------------------------------------------------------------- output layer

_LN2_HI = 6.93147180369123816490e-01  # ln 2 split in two (fdlibm): k * _LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_INV_FACT = np.array([1.0 / math.factorial(n) for n in range(14)])


@_jit(fastmath={"contract"})
def _exp_neg(S, zr, G, gr, E, m):  # noqa: ANN001
    """exp(-S[zr]) as G[gr] * 2**k, k stored as float64 exponent bits in E.

    Numba calls libm's scalar exp, 40 % of a run's time; this form vectorizes:
    exp(t) = 2**k exp(r), k = round(t / ln 2), |r| <= ln 2 / 2, exp(r) by its
    Taylor series to r**13 (error below 1e-17). t is clamped to [-708, 708] so
    2**k stays a normal number; _sigmoid_delta handles what lies beyond.
    """
    c = _INV_FACT
    for i in range(m):
        t = min(max(-S[zr, i], -708.0), 708.0)
        k = np.floor(t * _INV_LN2 + 0.5)
        r = (t - k * _LN2_HI) - k * _LN2_LO
        q = c[13]
        for n in range(12, -1, -1):
            q = q * r + c[n]
        G[gr, i] = q
        E[i] = (np.int64(k) + 1023) << 52


@_jit(fastmath=_FM)
def _sigmoid_delta(S, zr, Y, j, G, Ef, m):  # noqa: ANN001
    """G[j] = sigmoid(Z[L][j]) - Y[j] from G[j] * Ef = exp(-Z); returns the sum over examples (db)."""
    db = 0.0
    for i in range(m):
        a = 1.0 / (1.0 + G[j, i] * Ef[i])
        if S[zr, i] < -708.0:  # exp(-Z) beyond the clamp: the reference's limit 1 / (1 + inf)
            a = 0.0
        g = a - Y[j, i]
        G[j, i] = g
        db += g
    return db


@_jit(fastmath=_FM)
def _output_delta(S, zr, Y, G, n, E, Ef, p, b0, lr_m, m):  # noqa: ANN001
    """dZ[L] = A[L] - Y into G[0:n]; updates b[L] at once (nothing later reads it)."""
    for j in range(n):
        _exp_neg(S, zr + j, G, j, E, m)
        p[b0 + j] -= lr_m * _sigmoid_delta(S, zr + j, Y, j, G, Ef, m)


@_jit()
def _cost(S, zr, Y, n, m):  # noqa: ANN001
    """1/m sum(logaddexp(0, Z[L]) - Y Z[L]), as compute_cost_from_logits."""
    total = 0.0
    for j in range(n):
        for i in range(m):
            z = S[zr + j, i]
            total += np.logaddexp(0.0, z) - Y[j, i] * z
    return total / m


# ---------------------------------------------------------------- backward


@_jit(fastmath=_FM)
def _back4(G, gj, S, ar, gk, p, w, n_in, lr_m, b, first, last, m):  # noqa: ANN001
    """Input unit k (row ar of S), output units j..j+3 (rows gj.. of G), one pass over the examples.

    Sums dW[j+q, k] = 1/m dZ[j+q] . A[k] and updates W at once (its old value is
    read first); accumulates dA[k] += sum_q W[j+q, k] dZ[j+q] into G[gk]. The
    last block turns dA[k] into dZ[k] = dA[k] * (A[k] > 0) and updates b[k].
    """
    w0 = p[w]
    w1 = p[w + n_in]
    w2 = p[w + 2 * n_in]
    w3 = p[w + 3 * n_in]
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    db = 0.0
    for i in range(m):
        a = S[ar, i]
        d0 = G[gj, i]
        d1 = G[gj + 1, i]
        d2 = G[gj + 2, i]
        d3 = G[gj + 3, i]
        s0 += d0 * a
        s1 += d1 * a
        s2 += d2 * a
        s3 += d3 * a
        t = w0 * d0 + w1 * d1 + w2 * d2 + w3 * d3
        if not first:
            t += G[gk, i]
        if last:
            t = t if a > 0.0 else 0.0
            db += t
        G[gk, i] = t
    p[w] = w0 - lr_m * s0
    p[w + n_in] = w1 - lr_m * s1
    p[w + 2 * n_in] = w2 - lr_m * s2
    p[w + 3 * n_in] = w3 - lr_m * s3
    if last:
        p[b] -= lr_m * db


@_jit(fastmath=_FM)
def _back1(G, gj, S, ar, gk, p, w, n_in, lr_m, b, first, last, m):  # noqa: ANN001
    """As _back4 for one output unit."""
    w0 = p[w]
    s0 = 0.0
    db = 0.0
    for i in range(m):
        a = S[ar, i]
        d0 = G[gj, i]
        s0 += d0 * a
        t = w0 * d0
        if not first:
            t += G[gk, i]
        if last:
            t = t if a > 0.0 else 0.0
            db += t
        G[gk, i] = t
    p[w] = w0 - lr_m * s0
    if last:
        p[b] -= lr_m * db


@_jit(fastmath=_FM)
def _grad4(G, gj, S, ar, p, w, n_in, lr_m, m):  # noqa: ANN001
    """First layer: the dW sums of _back4 only (dA[0] = dX is not needed)."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    for i in range(m):
        a = S[ar, i]
        s0 += G[gj, i] * a
        s1 += G[gj + 1, i] * a
        s2 += G[gj + 2, i] * a
        s3 += G[gj + 3, i] * a
    p[w] -= lr_m * s0
    p[w + n_in] -= lr_m * s1
    p[w + 2 * n_in] -= lr_m * s2
    p[w + 3 * n_in] -= lr_m * s3


@_jit(fastmath=_FM)
def _grad1(G, gj, S, ar, p, w, n_in, lr_m, m):  # noqa: ANN001
    """As _grad4 for one output unit."""
    s0 = 0.0
    for i in range(m):
        s0 += G[gj, i] * S[ar, i]
    p[w] -= lr_m * s0


@_jit(fastmath=_FM)
def _backward_layer(G, g_cur, g_nxt, S, s_in, n_in, n_out, p, w0, b_below, lr_m, below, m):  # noqa: ANN001
    """Layer l's update from dZ[l] (rows g_cur.. of G); with ``below``, dZ[l-1] into rows g_nxt...

    Output units go in blocks of 4, then 1, so one pass over the examples reads
    A[l-1][k] once for four dW sums and four terms of dA[l-1][k].
    """
    for k in range(n_in):
        j = 0
        while j < n_out:
            w = w0 + j * n_in + k
            if n_out - j >= 4:
                if below:
                    _back4(G, g_cur + j, S, s_in + k, g_nxt + k, p, w, n_in, lr_m, b_below + k, j == 0, n_out - j == 4, m)
                else:
                    _grad4(G, g_cur + j, S, s_in + k, p, w, n_in, lr_m, m)
                j += 4
            else:
                if below:
                    _back1(G, g_cur + j, S, s_in + k, g_nxt + k, p, w, n_in, lr_m, b_below + k, j == 0, n_out - j == 1, m)
                else:
                    _grad1(G, g_cur + j, S, s_in + k, p, w, n_in, lr_m, m)
                j += 1


# ---------------------------------------------------------------- iterations


@_jit(fastmath=_FM)
def _iterate(Y, p, dims, w_off, b_off, s_off, S, G, E, Ef, learning_rate, n_iter, record):  # noqa: ANN001
    """``n_iter`` iterations of batch gradient descent on one run; returns the cost before the first.

    The cost is computed only when ``record`` (else NaN): the caller cuts the
    training in segments that start at the recorded iterations.
    """
    L = dims.shape[0] - 1
    m = S.shape[1]
    half = G.shape[0] // 2
    lr_m = learning_rate * (1.0 / m)
    cost = np.nan
    for it in range(n_iter):
        for l in range(1, L + 1):
            _forward_layer(S, s_off[l - 1], s_off[l], dims[l - 1], dims[l], p, w_off[l], b_off[l], l < L, m)
        if record and it == 0:
            cost = _cost(S, s_off[L], Y, dims[L], m)
        _output_delta(S, s_off[L], Y, G, dims[L], E, Ef, p, b_off[L], lr_m, m)
        for step in range(L):
            l = L - step
            cur = (step % 2) * half  # dZ[l] and dZ[l-1] take turns in the two halves of G
            _backward_layer(G, cur, half - cur, S, s_off[l - 1], dims[l - 1], dims[l], p, w_off[l], b_off[l - 1], lr_m, l > 1, m)
    return cost


@_jit(parallel=True)
def _train_segment(Y, theta, dims, w_off, b_off, s_off, S, G, E, Ef, learning_rate, n_iter, record, costs):  # noqa: ANN001
    """All runs (axis 0 of theta, S, G, E, Ef), one per task, for ``n_iter`` iterations."""
    for r in prange(theta.shape[0]):
        costs[r] = _iterate(Y, theta[r], dims, w_off, b_off, s_off, S[r], G[r], E[r], Ef[r], learning_rate, n_iter, record)


# ---------------------------------------------------------------- Python side


@dataclass(frozen=True)
class Layout:
    """Where each layer lives in the packed arrays, for layers_dims [n_0 = n_x, n_1, ..., n_L].

    dims (L+1,); w_off[l], b_off[l]: offsets of W[l] (n_l * n_{l-1}, row-major) and
    b[l] (n_l) in theta, entry 0 unused; s_off[l]: first row of A[l] in S (A[0] = X).
    """

    dims: np.ndarray
    w_off: np.ndarray
    b_off: np.ndarray
    s_off: np.ndarray
    n_params: int

    @classmethod
    def of(cls, layers_dims: Sequence[int]) -> Layout:
        dims = np.array(check_layers_dims(layers_dims), dtype=np.int64)
        L = len(dims) - 1
        w_off = np.zeros(L + 1, dtype=np.int64)
        b_off = np.zeros(L + 1, dtype=np.int64)
        offset = 0
        for l in range(1, L + 1):
            w_off[l] = offset
            b_off[l] = offset + dims[l] * dims[l - 1]
            offset = int(b_off[l] + dims[l])
        s_off = np.concatenate([[0], np.cumsum(dims)[:-1]]).astype(np.int64)
        return cls(dims, w_off, b_off, s_off, offset)

    @property
    def L(self) -> int:
        return len(self.dims) - 1

    def pack(self, runs: Sequence[Parameters]) -> np.ndarray:
        """theta of shape (R, n_params) from R parameter dicts W1 (n_1, n_0), b1 (n_1, 1), ..."""
        theta = np.empty((len(runs), self.n_params))
        for r, parameters in enumerate(runs):
            for l in range(1, self.L + 1):
                shape = (int(self.dims[l]), int(self.dims[l - 1]))
                W, b = np.asarray(parameters[f"W{l}"], dtype=float), np.asarray(parameters[f"b{l}"], dtype=float)
                if W.shape != shape or b.shape != (shape[0], 1):
                    raise ValueError(f"run {r}: W{l} must be {shape} and b{l} {(shape[0], 1)}, got {W.shape} and {b.shape}")
                theta[r, self.w_off[l] : self.b_off[l]] = W.ravel()
                theta[r, self.b_off[l] : self.b_off[l] + shape[0]] = b.ravel()
        return theta

    def unpack(self, row: np.ndarray) -> Parameters:
        """The parameter dict of one run (copies) from its row of theta."""
        parameters = {}
        for l in range(1, self.L + 1):
            n, n_prev = int(self.dims[l]), int(self.dims[l - 1])
            parameters[f"W{l}"] = row[self.w_off[l] : self.b_off[l]].reshape(n, n_prev).copy()
            parameters[f"b{l}"] = row[self.b_off[l] : self.b_off[l] + n].reshape(n, 1).copy()
        return parameters


@dataclass
class TrainResult:
    """What :func:`train_runs` returns: one entry per run in ``parameters`` and ``costs``.

    ``compile_s``: compiling or loading the kernel, once per process (0 for numpy); ``train_s``: the
    training alone; ``check_s`` and ``check_error`` (the largest relative
    disagreement, see the module docstring): the reference check (numba only).
    """

    parameters: list[Parameters]
    costs: list[list[float]]
    engine: str
    compile_s: float = 0.0
    train_s: float = 0.0
    check_s: float = 0.0
    check_error: float = 0.0
    fallback_reason: str | None = None


def numba_available() -> bool:
    return numba is not None


def resolve_engine(engine: str) -> str:
    """"auto" -> "numba" when numba imported, else "numpy"; "numba" without numba raises."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if engine == "numba" and numba is None:
        raise RuntimeError(f"engine 'numba' asked for, but numba does not import ({NUMBA_ERROR})")
    if engine == "auto":
        return "numba" if numba is not None else "numpy"
    return engine


@dataclass
class _Workspace:
    """The kernel's arrays for R runs: S (R, rows, m) with X copied in, G (R, 2h, m), E/Ef (R, m)."""

    layout: Layout
    Y: np.ndarray
    S: np.ndarray
    G: np.ndarray
    E: np.ndarray
    Ef: np.ndarray
    costs: np.ndarray

    @classmethod
    def new(cls, layout: Layout, X: np.ndarray, Y: np.ndarray, runs: int) -> _Workspace:
        m = X.shape[1]
        S = np.zeros((runs, int(layout.dims.sum()), m))
        S[:, : layout.dims[0]] = X  # X never changes: copied once, read as rows 0..n_x-1
        G = np.zeros((runs, 2 * int(layout.dims[1:].max()), m))
        E = np.zeros((runs, m), dtype=np.int64)
        Y = np.ascontiguousarray(Y, dtype=np.float64)
        return cls(layout, Y, S, G, E, E.view(np.float64), np.zeros(runs))

    def run(self, theta: np.ndarray, learning_rate: float, n_iter: int, record: bool) -> np.ndarray:
        """Advance theta (R, P) in place by n_iter iterations; returns the costs (R,) if ``record``."""
        lay = self.layout
        # Hand out runs one at a time rather than in equal halves: on a shared
        # machine one core may be slower, and the other then takes more runs.
        previous = numba.set_parallel_chunksize(1)
        try:
            _train_segment(
                self.Y, theta, lay.dims, lay.w_off, lay.b_off, lay.s_off, self.S, self.G, self.E, self.Ef,
                float(learning_rate), int(n_iter), bool(record), self.costs,
            )
        finally:
            numba.set_parallel_chunksize(previous)
        return self.costs.copy()


_compile_seconds: float | None = None


def compile_kernel() -> float:
    """Compile the kernel, or load it from numba's cache, once per process; returns the seconds that took.

    Runs a tiny problem with the same argument types as every real one, so
    later calls reuse this compilation whatever the layer sizes. Later calls
    return the same figure without doing anything.
    """
    global _compile_seconds
    if numba is None:
        raise RuntimeError(f"numba does not import ({NUMBA_ERROR})")
    if _compile_seconds is None:
        start = time.perf_counter()
        layout = Layout.of([2, 3, 1])
        X = np.linspace(-1.0, 1.0, 8).reshape(2, 4)
        work = _Workspace.new(layout, X, np.array([[0.0, 1.0, 0.0, 1.0]]), 1)
        tiny = {"W1": np.ones((3, 2)), "b1": np.zeros((3, 1)), "W2": np.ones((1, 3)), "b2": np.zeros((1, 1))}
        work.run(layout.pack([tiny]), 0.1, 2, True)
        _compile_seconds = time.perf_counter() - start
    return _compile_seconds


def _boundaries(num_iterations: int, record_every: int, check_steps: int) -> list[int]:
    """Iterations where a segment starts or ends: the recorded ones, the checked ones, and the end."""
    points = set(range(0, num_iterations, record_every)) | {0, num_iterations}
    points |= {min(check_steps, num_iterations), max(num_iterations - check_steps, 0)}
    return sorted(points)


def _train_numba(
    X: np.ndarray, Y: np.ndarray, layout: Layout, initial: Sequence[Parameters], learning_rate: float,
    num_iterations: int, record_every: int, check_steps: int, progress: Progress | None,
) -> tuple[dict[int, np.ndarray], np.ndarray, float]:
    """Train all runs; returns the snapshots {iteration: theta (R, P)}, the costs (R, n_records) and the seconds.

    snapshots[t] holds the parameters after t updates, for every segment
    boundary t (including 0 and num_iterations); they cost R * P floats each.
    """
    theta = layout.pack(initial)
    work = _Workspace.new(layout, X, Y, len(initial))
    bounds = _boundaries(num_iterations, record_every, check_steps)
    snapshots, costs = {0: theta.copy()}, []
    start = time.perf_counter()
    for t0, t1 in zip(bounds[:-1], bounds[1:]):
        record = t0 % record_every == 0
        segment_costs = work.run(theta, learning_rate, t1 - t0, record)
        if record:
            costs.append(segment_costs)
        snapshots[t1] = theta.copy()
        if progress is not None:
            progress((t1 - t0) * len(initial))
    seconds = time.perf_counter() - start
    return snapshots, np.array(costs).T.reshape(len(initial), -1), seconds


def _step_error(ours: np.ndarray, reference: np.ndarray, start: np.ndarray) -> float:
    """||ours - reference|| relative to the size of the reference's change from ``start`` (NaN if either is not finite)."""
    with np.errstate(all="ignore"):  # a diverged run must end in FastPathMismatch, not in a warning
        change = np.linalg.norm(reference - start) + 1e-12 * np.linalg.norm(start) + 1e-300
        return float(np.linalg.norm(ours - reference) / change)


def _check_costs(
    X: np.ndarray, Y: np.ndarray, layout: Layout, snapshots: dict, costs: np.ndarray, record_every: int, r: int, label: str
) -> float:
    """Each cost the kernel recorded for run r = the reference's cost from logits of its parameters then."""
    worst = 0.0
    for c, t in enumerate(range(0, max(snapshots), record_every)):
        _, caches = L_model_forward(X, layout.unpack(snapshots[t][r]))
        expected = compute_cost_from_logits(caches[-1][1], Y)
        with np.errstate(all="ignore"):
            error = float(abs(costs[r, c] - expected) / max(abs(expected), 1e-300))
        if not error <= COST_RTOL:
            raise FastPathMismatch(
                f"fast path: run {label}: cost at iteration {t} is {costs[r, c]!r}, the reference gives {expected!r} "
                f"(relative difference {error:.2e} > {COST_RTOL:g}); use the numpy engine and report this"
            )
        worst = max(worst, error)
    return worst


def _check_steps(
    X: np.ndarray, Y: np.ndarray, layout: Layout, snapshots: dict, learning_rate: float, pairs: list, r: int, label: str
) -> float:
    """For each (t0, t1): L_layer_model from the kernel's parameters at t0 lands on the kernel's at t1."""
    worst = 0.0
    for t0, t1 in pairs:
        start = layout.unpack(snapshots[t0][r])
        reference, _ = L_layer_model(X, Y, list(layout.dims), learning_rate, t1 - t0, parameters=start)
        error = _step_error(snapshots[t1][r], layout.pack([reference])[0], snapshots[t0][r])
        if not error <= STEP_RTOL:
            raise FastPathMismatch(
                f"fast path: run {label}: iterations {t0} to {t1} re-run by the reference L_layer_model from the same "
                f"parameters differ by {error:.2e} of the update (limit {STEP_RTOL:g}); use the numpy engine and report this"
            )
        worst = max(worst, error)
    return worst


def check_against_reference(
    X: np.ndarray, Y: np.ndarray, layout: Layout, snapshots: dict[int, np.ndarray], costs: np.ndarray,
    learning_rate: float, record_every: int, labels: Sequence[str], check_steps: int = 2,
) -> float:
    """Re-derive the kernel's results with the reference core; raise FastPathMismatch where they differ.

    For every run: (1) each recorded cost equals the reference's cost from
    logits of the snapshot at that iteration (to COST_RTOL); (2) L_layer_model
    run for ``check_steps`` iterations from the snapshots at 0 and at
    N - check_steps lands on the snapshots at check_steps and at N (to
    STEP_RTOL of the change). Returns the largest relative difference seen.
    """
    N = max(snapshots)
    pairs = sorted({(0, min(check_steps, N)), (max(N - check_steps, 0), N)})
    worst = 0.0
    for r, label in enumerate(labels):
        worst = max(worst, _check_costs(X, Y, layout, snapshots, costs, record_every, r, label))
        worst = max(worst, _check_steps(X, Y, layout, snapshots, learning_rate, pairs, r, label))
    return worst


def _train_numpy(
    X: np.ndarray, Y: np.ndarray, layers_dims: list[int], initial: Sequence[Parameters], learning_rate: float,
    num_iterations: int, record_every: int, progress: Progress | None,
) -> tuple[list[Parameters], list[list[float]], float]:
    """The reference path: L_layer_model once per run."""
    start = time.perf_counter()
    parameters, costs = [], []
    for init in initial:
        trained, run_costs = L_layer_model(
            X, Y, layers_dims, learning_rate, num_iterations, parameters=init, record_every=record_every, progress=progress
        )
        parameters.append(trained)
        costs.append([float(c) for c in run_costs])
    return parameters, costs, time.perf_counter() - start


def _check_inputs(X: object, Y: object, layers_dims: Sequence[int], initial: Sequence[Parameters], record_every: int) -> tuple:
    X = np.ascontiguousarray(as_array("X", X, ndim=2), dtype=np.float64)
    Y = check_labels(Y)
    dims = check_layers_dims(layers_dims)
    if dims[0] != X.shape[0] or dims[-1] != Y.shape[0] or Y.shape[1] != X.shape[1]:
        raise ValueError(f"layers_dims {dims} needs X ({dims[0]}, m) and Y ({dims[-1]}, m), got X {X.shape} and Y {Y.shape}")
    if len(initial) == 0:
        raise ValueError("initial must hold at least one parameter dict")
    if record_every < 1:
        raise ValueError(f"record_every must be at least 1, got {record_every}")
    return X, Y, dims


def train_runs(
    X: np.ndarray,
    Y: np.ndarray,
    layers_dims: Sequence[int],
    initial: Sequence[Parameters],
    learning_rate: float = 0.0075,
    num_iterations: int = 3000,
    record_every: int = 1000,
    engine: str = "auto",
    progress: Progress | None = None,
    labels: Sequence[str] | None = None,
    check_steps: int = 2,
) -> TrainResult:
    """Train one network from each parameter dict in ``initial``; what L_layer_model gives, run by run.

    X: (n_x, m), Y: (n_L, m) of 0/1, layers_dims [n_x, ..., n_L]. Returns a
    TrainResult whose ``parameters[r]`` and ``costs[r]`` match
    ``L_layer_model(X, Y, layers_dims, learning_rate, num_iterations, parameters=initial[r])``.
    ``engine``: "auto" (numba if it imports and compiles, else numpy), "numba" or
    "numpy". ``progress(n)`` is called as iterations finish (n summed over runs).
    ``labels`` name the runs in error messages.
    """
    X, Y, dims = _check_inputs(X, Y, layers_dims, initial, record_every)
    labels = list(labels) if labels is not None else [str(r) for r in range(len(initial))]
    chosen, reason, compile_s = resolve_engine(engine), None, 0.0
    if chosen == "numba":
        try:
            compile_s = compile_kernel()
        except Exception as error:  # a numba that imports but cannot compile: fall back only if allowed
            if engine == "numba":
                raise
            chosen, reason = "numpy", f"numba failed to compile the kernel ({type(error).__name__}: {error})"
    elif engine == "auto":
        reason = f"numba does not import ({NUMBA_ERROR})"
    if chosen == "numpy":
        parameters, costs, train_s = _train_numpy(X, Y, dims, initial, learning_rate, num_iterations, record_every, progress)
        return TrainResult(parameters, costs, "numpy", train_s=train_s, fallback_reason=reason)
    layout = Layout.of(dims)
    snapshots, costs, train_s = _train_numba(X, Y, layout, initial, learning_rate, num_iterations, record_every, check_steps, progress)
    start = time.perf_counter()
    error = check_against_reference(X, Y, layout, snapshots, costs, learning_rate, record_every, labels, check_steps)
    check_s = time.perf_counter() - start
    final = snapshots[num_iterations]
    return TrainResult(
        [layout.unpack(row) for row in final], [[float(c) for c in row] for row in costs], "numba",
        compile_s=compile_s, train_s=train_s, check_s=check_s, check_error=error,
    )
