"""``gradelab study cnn``: a small CNN trained with the vectorized convolution on the 8x8 digits.

The convolution and pooling come from :mod:`gradelab.kernels.conv`, which computes
the numbers of the course's loops in :mod:`gradelab.nn.conv` (tests/test_conv.py).

The network, in the course's layout (examples first, channels last, then
examples as columns for the dense part):

    X (m, 8, 8, 1) -> CONV 3x3, pad 1, stride 1, n_C filters -> Z1 (m, 8, 8, n_C)
      -> RELU -> A1 -> MAX POOL f 2, stride 2 -> P1 (m, 4, 4, n_C)
      -> flatten to (16 n_C, m) -> LINEAR W2 (10, 16 n_C), b2 (10, 1) -> Z2 (10, m)
      -> SOFTMAX over axis 0 -> A2 (10, m); cost = -1/m sum(Y log A2), Y one-hot (10, m)

trained by mini-batch gradient descent with momentum on scikit-learn's
``load_digits`` (1797 images, 10 classes), split into train and test sets.
Max-pool backward shares the gradient among tied maxima (see
:func:`max_pool_backward_shared` for why the course's rule is not used here). Everything random
comes from one ``np.random.default_rng(seed)`` and the split's
``random_state=seed``, so a seed gives the same numbers and figures every run
(and the global ``np.random`` state is never touched).

Writes to --out only its own three files: cnn_cost.png, cnn_filters.png, cnn_results.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from gradelab.kernels import conv as conv_fast
from gradelab.nn.activations import relu, relu_backward, softmax
from gradelab.nn.layers import linear_backward, linear_forward

CONV_HPARAMETERS = {"stride": 1, "pad": 1}
POOL_HPARAMETERS = {"f": 2, "stride": 2}
N_CLASSES = 10
OUTPUT_FILES = ("cnn_cost.png", "cnn_filters.png", "cnn_results.json")


# ----------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------


def load_data(seed: int, test_size: float = 0.25) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The digits as X (m, 8, 8, 1) and labels y (m,), split into train and test sets, standardized.

    Returns X_train, y_train, X_test, y_test. The split is stratified (every
    class in the same proportion in both sets). Pixels are standardized with
    the *training* set's mean and standard deviation, applied to both sets:
    raw pixels (0..16, mostly 0) give ReLU features with a large common
    offset, and gradient descent then needs a much smaller step to stay stable.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = digits.images[..., np.newaxis].astype(float)
    X_train, X_test, y_train, y_test = train_test_split(X, digits.target, test_size=test_size, random_state=seed, stratify=digits.target)
    mean, std = X_train.mean(), X_train.std()
    return (X_train - mean) / std, y_train, (X_test - mean) / std, y_test


def one_hot(y: np.ndarray, n_classes: int = N_CLASSES) -> np.ndarray:
    """Labels y (m,) -> Y (n_classes, m) with Y[y[i], i] = 1: examples as columns."""
    Y = np.zeros((n_classes, y.shape[0]))
    Y[y, np.arange(y.shape[0])] = 1.0
    return Y


# ----------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------


def initialize_parameters(n_filters: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """He initialization: W1 (3, 3, 1, n_C), b1 (1, 1, 1, n_C), W2 (10, 16 n_C), b2 (10, 1).

    He's scale sqrt(2 / fan_in) keeps the ReLU layer's activations from
    shrinking or growing; fan_in is 3*3*1 for the filters. The dense layer
    feeds a softmax, not a ReLU, so it gets sqrt(1 / fan_in).
    """
    n_dense = 4 * 4 * n_filters
    return {
        "W1": rng.standard_normal((3, 3, 1, n_filters)) * np.sqrt(2.0 / 9.0),
        "b1": np.zeros((1, 1, 1, n_filters)),
        "W2": rng.standard_normal((N_CLASSES, n_dense)) * np.sqrt(1.0 / n_dense),
        "b2": np.zeros((N_CLASSES, 1)),
    }


def forward(X: np.ndarray, parameters: dict) -> tuple[np.ndarray, np.ndarray, tuple]:
    """X (m, 8, 8, 1) -> A2 (10, m) class probabilities, Z2 (10, m) and the caches for :func:`backward`."""
    Z1, conv_cache = conv_fast.conv_forward(X, parameters["W1"], parameters["b1"], CONV_HPARAMETERS)
    A1, relu_cache = relu(Z1)
    P1, pool_cache = conv_fast.pool_forward(A1, POOL_HPARAMETERS, mode="max")
    F1 = P1.reshape(P1.shape[0], -1).T  # (16 n_C, m): one column per example
    Z2, linear_cache = linear_forward(F1, parameters["W2"], parameters["b2"])
    A2, _ = softmax(Z2)
    return A2, Z2, (conv_cache, relu_cache, pool_cache, P1, linear_cache)


def compute_cost(Z2: np.ndarray, Y: np.ndarray) -> float:
    """Cross-entropy -1/m sum(Y log softmax(Z2)), from Z2 (10, m) and one-hot Y (10, m).

    log softmax is taken as Z2 - logsumexp(Z2): log(A2) would be -inf (and
    warn) where a probability underflows to 0.
    """
    shifted = Z2 - Z2.max(axis=0, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    return float(-np.sum(Y * log_probs) / Y.shape[1])


def backward(A2: np.ndarray, Y: np.ndarray, caches: tuple) -> dict[str, np.ndarray]:
    """Gradients of the mean cross-entropy: "dW1" (3, 3, 1, n_C), "db1" (1, 1, 1, n_C), "dW2", "db2".

    For softmax with cross-entropy dZ2 = A2 - Y. ``linear_backward`` averages
    dW2 and db2 over the m examples but returns dA_prev = W2^T dZ2 unaveraged,
    so it is divided by m here, once, and the conv layer's sums (dW1, db1)
    come out as means too.
    """
    conv_cache, relu_cache, pool_cache, P1, linear_cache = caches
    m = Y.shape[1]
    dF1, dW2, db2 = linear_backward(A2 - Y, linear_cache)
    dP1 = (dF1 / m).T.reshape(P1.shape)
    dA1 = max_pool_backward_shared(dP1, pool_cache, P1)
    dZ1 = relu_backward(dA1, relu_cache)
    _, dW1, db1 = conv_fast.conv_backward(dZ1, conv_cache)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def count_maxima(A_prev: np.ndarray, A: np.ndarray, hparameters: dict) -> np.ndarray:
    """How many entries of each pooling window equal its maximum: (m, n_H, n_W, n_C), at least 1.

    A_prev: (m, n_H_prev, n_W_prev, n_C) the pool's input, A: (m, n_H, n_W, n_C) its max-pool output.
    """
    f, stride = hparameters["f"], hparameters["stride"]
    windows = sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]  # (m, n_H, n_W, n_C, f, f)
    return np.sum(windows == A[..., np.newaxis, np.newaxis], axis=(-2, -1))


def max_pool_backward_shared(dA: np.ndarray, cache: tuple, A: np.ndarray) -> np.ndarray:
    """Max-pool backward that *shares* dA among tied maxima: each of k ties gets dA / k.

    dA, A: (m, n_H, n_W, n_C); cache (A_prev, hparameters). The course's mask
    (``conv_fast.pool_backward``, kept exact there) gives each tied maximum the
    whole dA, k times the gradient in total. Ties are the rule here, not the
    exception: every 2x2 window of blank background holds four equal ReLU
    outputs ReLU(b1), so the course's rule makes db1 up to 4 times too large
    (a gradient check of this network fails on db1 with it). Sharing gives the
    true derivative with respect to b1, and a valid subgradient elsewhere.
    """
    A_prev, hparameters = cache
    return conv_fast.pool_backward(dA / count_maxima(A_prev, A, hparameters), cache, mode="max")


def predict(X: np.ndarray, parameters: dict) -> np.ndarray:
    """Predicted labels (m,): the most probable class of each example."""
    A2, _, _ = forward(X, parameters)
    return np.argmax(A2, axis=0)


def train(
    X: np.ndarray,
    y: np.ndarray,
    parameters: dict,
    rng: np.random.Generator,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    beta: float = 0.9,
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, np.ndarray], list[float]]:
    """Mini-batch gradient descent with momentum; returns the parameters and the cost after each epoch.

    X: (m, 8, 8, 1), y: (m,) labels. The update is Course 2's momentum,
    v = beta v + (1 - beta) dW, W = W - learning_rate v; beta = 0 is plain
    mini-batch gradient descent. costs[0] is the training cost before
    training, costs[e] the cost on the whole training set after epoch e. The
    examples are reshuffled every epoch with ``rng``.
    """
    Y = one_hot(y)
    parameters = dict(parameters)
    velocity = {name: np.zeros_like(value) for name, value in parameters.items()}
    costs = [compute_cost(forward(X, parameters)[1], Y)]
    for _ in range(epochs):
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], batch_size):
            batch = order[start : start + batch_size]
            A2, _, caches = forward(X[batch], parameters)
            grads = backward(A2, Y[:, batch], caches)
            for name in parameters:
                velocity[name] = beta * velocity[name] + (1.0 - beta) * grads[f"d{name}"]
                parameters[name] = parameters[name] - learning_rate * velocity[name]
        costs.append(compute_cost(forward(X, parameters)[1], Y))
        if progress is not None:
            progress(1)
    return parameters, costs


# ----------------------------------------------------------------------------
# Figures (Agg canvases: no window, no global pyplot state)
# ----------------------------------------------------------------------------


def plot_costs(costs: list[float], path: Path, title: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot(range(len(costs)), costs, marker="o")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training cost (cross-entropy)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)


def plot_filters(W1: np.ndarray, feature_maps: np.ndarray, image: np.ndarray, label: int, path: Path) -> None:
    """Top row: the n_C learned 3x3 filters W1[:, :, 0, c]; bottom row: their ReLU feature maps on one test digit."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n_C = W1.shape[3]
    fig = Figure(figsize=(1.4 * (n_C + 1), 3.2), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, n_C + 1, squeeze=False)
    limit = float(np.abs(W1).max()) or 1.0  # one symmetric color scale: 0 is white in every filter
    for c in range(n_C):
        axes[0, c + 1].imshow(W1[:, :, 0, c], cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes[0, c + 1].set_title(f"filter {c}", fontsize=8)
        axes[1, c + 1].imshow(feature_maps[:, :, c], cmap="gray")
    axes[1, 0].imshow(image, cmap="gray_r")
    axes[1, 0].set_title(f"a test digit ({label})", fontsize=8)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0, 0].axis("off")
    fig.suptitle("Learned 3x3 filters (red > 0 > blue) and their ReLU maps", fontsize=9)
    fig.savefig(path)


# ----------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=Path("out/study-cnn"), help="folder for the figures and results (default: out/study-cnn)"
    )
    parser.add_argument("--epochs", type=_positive_int, default=10, help="passes over the training set (default: 10)")
    parser.add_argument("--batch-size", type=_positive_int, default=32, help="examples per gradient step (default: 32)")
    parser.add_argument("--learning-rate", type=_positive_float, default=0.1, help="gradient-descent step size alpha (default: 0.1)")
    parser.add_argument("--beta", type=_beta, default=0.9, help="momentum beta; 0 for plain mini-batch gradient descent (default: 0.9)")
    parser.add_argument("--filters", type=_positive_int, default=8, help="number of 3x3 filters n_C (default: 8)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the split, the initialization and the shuffling (default: 1)")
    parser.add_argument("--no-progress", action="store_true", help="do not show the progress bar")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _beta(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def run(args: argparse.Namespace) -> int:
    """Train, evaluate, write the figures and results, print the accuracies. Returns 0."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console()
    started = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    X_train, y_train, X_test, y_test = load_data(args.seed)
    parameters = initialize_parameters(args.filters, rng)
    columns = (TextColumn("training the CNN"), BarColumn(), MofNCompleteColumn(), TextColumn("epochs"), TimeElapsedColumn())
    with _one_blas_thread(), Progress(*columns, console=console, disable=args.no_progress) as bar:
        task = bar.add_task("train", total=args.epochs)
        parameters, costs = train(
            X_train, y_train, parameters, rng, args.epochs, args.batch_size, args.learning_rate, args.beta, lambda n: bar.advance(task, n)
        )
    results = {
        "train_accuracy": float(np.mean(predict(X_train, parameters) == y_train)),
        "test_accuracy": float(np.mean(predict(X_test, parameters) == y_test)),
        "costs": costs,
        "m_train": int(X_train.shape[0]),
        "m_test": int(X_test.shape[0]),
        "settings": {name: getattr(args, name) for name in ("epochs", "batch_size", "learning_rate", "beta", "filters", "seed")},
    }
    _write_outputs(Path(args.out), parameters, (X_test[0], int(y_test[0])), costs, results)
    seconds = time.perf_counter() - started
    console.print(f"train accuracy {results['train_accuracy']:.1%} on {results['m_train']} digits")
    console.print(f"[bold]test accuracy {results['test_accuracy']:.1%}[/bold] on {results['m_test']} digits (chance: 10%)")
    console.print(f"wrote {', '.join(OUTPUT_FILES)} to {args.out} in {seconds:.1f} s")
    return 0


def _one_blas_thread() -> contextlib.AbstractContextManager:
    """Limit BLAS to one thread while training, when threadpoolctl (a scikit-learn dependency) is there.

    The matrices of a 32-example batch are small: on 2 cores with another busy
    process, two BLAS threads made training ~2.5x slower than one; the numbers are the same.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn installs it
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


def _write_outputs(out: Path, parameters: dict, example: tuple[np.ndarray, int], costs: list[float], results: dict) -> None:
    """Write the study's own three files into ``out``; nothing else there is touched."""
    out.mkdir(parents=True, exist_ok=True)
    cost_title = f"Small CNN on the 8x8 digits, test accuracy {results['test_accuracy']:.1%}"
    plot_costs(costs, out / OUTPUT_FILES[0], cost_title)
    image, label = example
    Z1, _ = conv_fast.conv_forward(image[np.newaxis], parameters["W1"], parameters["b1"], CONV_HPARAMETERS)
    plot_filters(parameters["W1"], np.maximum(Z1[0], 0.0), image[:, :, 0], label, out / OUTPUT_FILES[1])
    (out / OUTPUT_FILES[2]).write_text(json.dumps(results, indent=2) + "\n")
