"""The student's notebook for the initialization assignment, in the seed notebook's structure and our own words."""

from __future__ import annotations

import pickle
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ...grading.rule import RULE
from ...studies.data_cache import CachedFile, write_cached

CHECK = "!python tests/test_initialization.py --test_case {id}"

INTRO = """# Initialization: zeros, large random and He

A network's weights have to start somewhere before the first gradient step, and where they start decides
whether training works at all. In this assignment you generate a small data set, bring it into the course's
layout, implement three ways to initialize a 3-layer network, and compare how the same network trains
from each of them.

**Checking.** After each function, run the cell below it. It checks the functions as they are in the running
notebook (nothing to save). Every test case gets its own inputs: nothing you draw from `np.random` changes what a later test is
given. The check's cases include unequal noise levels and a seed other than the default; your final grade adds
cases of other sizes and seeds, so make your functions work for any input."""

INTRO += "\n\n**What the checker runs.** " + RULE

SETUP = """import pickle

import matplotlib.pyplot as plt
import numpy as np
import sklearn.datasets"""

DATA = """## 1 - Data generation [2 points]

`sklearn.datasets.make_circles` draws points on two concentric circles: the outer one is class 0, the inner one
class 1. Noise blurs them. It uses random numbers, so pass each set's seed as `random_state`: then the data is
the same every time and the same as ours."""

PREPROCESS = """## 2 - Preprocessing [2 points]

`make_circles` returns one example per *row*: X of shape (m, 2) and labels of shape (m,). The course stacks
examples as *columns*: X has shape (n_x, m) = (2, m) and Y has shape (1, m), the same shape as the network's
output AL. Transpose the samples and turn each label vector into a row. Any numeric dtype is right here (labels 0 and 1 as
integers or as floats)."""

PLOT_DATA = """train_X, train_Y, test_X, test_Y = generate_dataset(300, 100, 0.05, 0.05, 1, 2)
fig, axes = plt.subplots(1, 2, figsize=(8, 4), sharex=True, sharey=True)
for ax, X, Y, title in ((axes[0], train_X, train_Y, "Training data"), (axes[1], test_X, test_Y, "Test data")):
    ax.scatter(X[:, 0], X[:, 1], c=Y, s=20, cmap=plt.cm.Spectral)
    ax.set_title(title)
plt.show()
train_X, train_Y, test_X, test_Y = preprocess(train_X, train_Y, test_X, test_Y)
print(train_X.shape, train_Y.shape, test_X.shape, test_Y.shape)"""

METHODS = r"""## 3 - Three initializations [6 points: 2 each]

The model is LINEAR → RELU → LINEAR → RELU → LINEAR → SIGMOID with `layers_dims = [2, 10, 5, 1]`. Its parameters
are W[l] of shape (n_l, n_{l-1}) and b[l] of shape (n_l, 1) for l = 1, 2, 3; layer 0 is the input X and has no
weights. You write three initializers:

- **zeros** [2 points]: every weight and bias 0, as float arrays (`np.zeros(shape)` gives float64; integer zeros would
  truncate every later update);
- **large random** [2 points]: weights $W^{[l]} = 10 \cdot \mathcal{N}(0, 1)$ of shape $(n^{[l]}, n^{[l-1]})$,
  `np.random.randn(n_l, n_{l-1}) * 10`, biases 0;
- **He** [2 points] (He et al., 2015): weights $W^{[l]} = \sqrt{2 / n^{[l-1]}} \cdot \mathcal{N}(0, 1)$,
  `np.random.randn(n_l, n_{l-1}) * np.sqrt(2 / n_{l-1})`, biases 0. Xavier's initialization would use
  $\sqrt{1 / n^{[l-1]}}$; the factor 2 makes up for ReLU setting half its inputs to zero.

Seed NumPy's generator once with the given `seed` and draw the layers in order W1, W2, W3: then your numbers are
ours. (Another generator, such as `np.random.default_rng(seed)`, gives other numbers that are just as right;
the checker then tests them in distribution instead.)"""

RESULTS = """## 4 - What happens in training

We trained the network for 15,000 iterations of gradient descent (learning rate 0.01) from each initialization;
`gradelab study init` does this live in a fraction of a second and wrote `data/initialization.pkl`.
Load it and look at the cost curves and decision boundaries."""

LOAD_RESULTS = """with open("data/initialization.pkl", "rb") as f:
    results = pickle.load(f)

plt.yscale("log")  # large random weights start near 1800, the others near 0.7
for method, result in results.items():
    plt.plot(result["iterations"], result["costs"], label=method)
plt.xlabel("iteration"); plt.ylabel("cost"); plt.legend(); plt.show()

for method, result in results.items():
    print(f"{method:24} train accuracy {result['accuracy train set']:.2f}   test accuracy {result['accuracy test set']:.2f}")"""

BOUNDARY = """def plot_decision_boundary(decision, X, Y, title):
    plt.figure()
    # The grid the study evaluated: step 0.01 over the data's range widened by 1.
    xx, yy = np.meshgrid(np.arange(X[0].min() - 1, X[0].max() + 1, 0.01), np.arange(X[1].min() - 1, X[1].max() + 1, 0.01))
    plt.contourf(xx, yy, decision, cmap=plt.cm.Spectral)
    plt.scatter(X[0], X[1], c=Y[0], s=15, cmap=plt.cm.Spectral)
    plt.xlim(-1.5, 1.5); plt.ylim(-1.5, 1.5); plt.title(title); plt.show()

for method, result in results.items():
    plot_decision_boundary(result["decision train"], train_X, train_Y, f"{method}: training data")"""

DISCUSSION = """## 5 - Why it turns out this way

**Zeros.** Every hidden unit computes ReLU(0) = 0, the output is sigmoid(0) = 0.5 for every example, and the
cost is ln 2 ≈ 0.693 whatever the label. Worse, all units of a layer have the same weights, so they get the same
gradient and stay identical forever: the network cannot *break symmetry*, and it predicts one class for
everything (50% accuracy).

**Large random.** Random weights break symmetry, but weights of size 10 push Z[3] far from 0, so the sigmoid
saturates at exactly 0 or 1. Where such an output is wrong, the loss is enormous (the textbook formula gives
log(0) = -inf; the study computes the cost from Z[3] so it stays finite). Training starts from a very high cost
and creeps: about 83% on the training set after 15,000 iterations.

**He.** Scaling by sqrt(2 / n_{l-1}) keeps the variance of the activations about the same from layer to layer,
so nothing saturates or dies out, and the network separates the circles quickly (about 99% train, 96% test).

## What to remember

- Different initializations lead to very different results, with the same model and the same data.
- Random initialization breaks symmetry, so that different hidden units can learn different things.
- Do not start with weights that are too large: they saturate the output and slow learning down.
- He initialization suits ReLU layers.
- Biases can start at zero: the random weights already break symmetry."""


def build(functions: dict[str, str]) -> nbformat.NotebookNode:
    """The notebook, with each graded function in its own cell followed by its check."""
    cells = [new_markdown_cell(INTRO), new_code_cell(SETUP)]
    graded = [(DATA, "generate_dataset", "TestDataGeneration"), (PREPROCESS, "preprocess", "TestPreprocessing")]
    for text, function, exercise_id in graded:
        cells += [new_markdown_cell(text), new_code_cell(functions[function]), new_code_cell(CHECK.format(id=exercise_id))]
    cells += [new_code_cell(PLOT_DATA), new_markdown_cell(METHODS)]
    for function, exercise_id in (("initialize_parameters_zeros", "TestZeroInitialization"),
                                  ("initialize_parameters_random", "TestRandomInitialization"),
                                  ("initialize_parameters_he", "TestHeInitialization")):
        cells += [new_code_cell(functions[function]), new_code_cell(CHECK.format(id=exercise_id))]
    cells += [new_markdown_cell(RESULTS), new_code_cell(LOAD_RESULTS), new_code_cell(BOUNDARY), new_markdown_cell(DISCUSSION)]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


RESULT_KEYS = ("zero initialization", "random initialization", "he initialization")  # init_study.METHODS' keys
ENTRY_KEYS = ("iterations", "costs", "accuracy train set", "accuracy test set", "decision train", "decision test")


def train_study() -> bytes:
    """The bytes of initialization.pkl, from training the study: what the cache runs when it has no good entry."""
    from ...studies.init_study import notebook_pickle  # Numba and matplotlib: imported only when the file is built

    return notebook_pickle()


def check_data(payload: bytes) -> None:
    """Raise ValueError unless ``payload`` is an initialization.pkl that LOAD_RESULTS can read."""
    try:
        results = pickle.loads(payload)
    except Exception as error:  # a truncated or foreign pickle raises almost anything
        raise ValueError(f"not a readable pickle: {type(error).__name__}: {error}") from None
    if not isinstance(results, dict):
        raise ValueError(f"expected a dict, got {type(results).__name__}")
    if set(results) != set(RESULT_KEYS):
        raise ValueError(f"expected the keys {sorted(RESULT_KEYS)}, got {sorted(map(repr, results))}")
    for method, result in results.items():
        missing = sorted(set(ENTRY_KEYS) - set(result)) if isinstance(result, dict) else sorted(ENTRY_KEYS)
        if missing:
            raise ValueError(f"{method!r} lacks {missing}")


DATA_FILE = CachedFile(
    name="initialization.pkl",
    build=train_study,
    # Everything the study's training and predictions run through; its settings are in init_study.py.
    sources=("nn", "kernels", "studies/init_study.py", "studies/figures.py"),
    distributions=("numpy", "scikit-learn", "numba"),
    check=check_data,
)


def write_data(folder: Path, overwrite: bool) -> list[Path]:
    """``data/initialization.pkl``: the study's results, trained once per machine and then copied from the cache."""
    return [write_cached(DATA_FILE, Path(folder), overwrite)]
