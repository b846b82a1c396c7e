"""``gradelab study symmetry``: does a layer whose neurons start equal ever break symmetry?

The same ``gradelab.keras`` Sequential model,

    Input(2) -> Dense(4, g) -> Dense(4, g) -> Dense(1, sigmoid),   g = --hidden-activation

is trained twice on the circles data (rows are examples: X = X_course.T),
once with every weight and bias set by a constant initializer (--symmetric-init,
zeros by default) and once with Keras' default random initializer
(--random-init, glorot_uniform), with the same seed, so the two runs see the
batches in the same order and differ only by their starting weights.

Symmetry is measured in the course's layout, where neuron i of layer l is row
i of W[l] (n_l, n_{l-1}) and of b[l] (n_l, 1): the *row spread* of layer l is
max over columns j of (max_i - min_i) of [W[l] | b[l]][i, j]. It is 0 exactly
when all neurons of the layer are identical. It is recorded before training
and after every epoch, for every hidden layer (the output layer has a single
neuron, so its spread is 0 by definition and is not shown).

Why sigmoid hidden units by default: with all-zero weights, a tanh or relu
hidden layer outputs exactly 0 (tanh(0) = relu(0) = 0), so the output layer's
dW is 0 and no gradient reaches the hidden layers: their weights never move,
and the rows stay equal only because nothing learns. sigmoid(0) = 0.5 passes
a signal, so the weights do move, every neuron of a layer by the same amount:
"all neurons learn the same thing", which is the point. The study measures
how far the weights moved and says which case it saw.

Writes to --out only its own files: symmetry.png and symmetry.json.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from gradelab.keras import Adam, Dense, Input, LambdaCallback, Sequential, set_seed
from gradelab.keras.report import default_console
from gradelab.nn.datasets import circles

OUTPUT_FILES = ("symmetry.png", "symmetry.json")
SYMMETRIC_INITS = ("zeros", "ones")
RANDOM_INITS = ("glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "random_normal")
# Row spreads below this are rounding, not a broken symmetry.
EQUAL_TOLERANCE = 1e-10


@dataclass
class Run:
    """One training run: its settings, per-epoch history and row spreads, and the result."""

    label: str
    initializer: str
    loss: list[float] = field(default_factory=list)
    spreads: list[list[float]] = field(default_factory=list)  # [epoch 0..E][hidden layer]
    moved: list[float] = field(default_factory=list)  # per hidden layer: max |W[l] - W[l] at start|
    train_accuracy: float = 0.0
    test_accuracy: float = 0.0
    parameters: dict[str, np.ndarray] = field(default_factory=dict)
    model: Sequential | None = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The study's options."""
    parser.add_argument("--out", type=Path, default=Path("out/study-symmetry"), help="folder for symmetry.png and symmetry.json")
    parser.add_argument("--epochs", type=int, default=300, help="passes over the 300 training points")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=0.02, help="Adam's learning rate")
    parser.add_argument("--hidden-units", type=int, default=4, help="neurons in each of the two hidden layers")
    parser.add_argument("--hidden-activation", choices=("sigmoid", "tanh", "relu"), default="sigmoid")
    parser.add_argument("--symmetric-init", choices=SYMMETRIC_INITS, default="zeros", help="kernel and bias init, symmetric run")
    parser.add_argument("--random-init", choices=RANDOM_INITS, default="glorot_uniform", help="kernel init of the random run")
    parser.add_argument("--seed", type=int, default=1234, help="set_seed() before each run")


def build_model(hidden_units: int, hidden_activation: str, kernel_init: str, bias_init: str) -> Sequential:
    """[Input(2), Dense(n, g), Dense(n, g), Dense(1, sigmoid)] with the given initializers."""

    def dense(units: int, activation: str) -> Dense:
        return Dense(units, activation=activation, kernel_initializer=kernel_init, bias_initializer=bias_init)

    hidden = [dense(hidden_units, hidden_activation) for _ in range(2)]
    return Sequential([Input(shape=(2,)), *hidden, dense(1, "sigmoid")])


def row_spread(W: np.ndarray, b: np.ndarray) -> float:
    """max_j (max_i - min_i) of [W | b][i, j]: 0 exactly when all rows (neurons) are equal.

    W: (n_l, n_{l-1}) and b: (n_l, 1), the course's layout.
    """
    Wb = np.hstack([W, b])
    return float(np.max(Wb.max(axis=0) - Wb.min(axis=0)))


def hidden_spreads(model: Sequential) -> list[float]:
    """The row spread of every hidden layer's [W[l] | b[l]]."""
    parameters = model.to_course_parameters()
    return [row_spread(parameters[f"W{l}"], parameters[f"b{l}"]) for l in range(1, len(model.layers))]


def train(label: str, kernel_init: str, bias_init: str, args: argparse.Namespace, data: tuple) -> Run:
    """Train one model from the given initializers; record row spreads before and after every epoch."""
    X, y, X_test, y_test = data
    set_seed(args.seed)  # the same seed for both runs: same batches, only the start differs
    model = build_model(args.hidden_units, args.hidden_activation, kernel_init, bias_init)
    model.compile(optimizer=Adam(args.learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    start = model.to_course_parameters()
    run = Run(label=label, initializer=kernel_init)
    run.spreads.append(hidden_spreads(model))
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: run.spreads.append(hidden_spreads(model)))
    history = model.fit(X, y, batch_size=args.batch_size, epochs=args.epochs, verbose=0, callbacks=[record])
    run.loss = history.history["loss"]
    run.parameters, run.model = model.to_course_parameters(), model
    run.moved = [float(np.max(np.abs(run.parameters[f"W{l}"] - start[f"W{l}"]))) for l in range(1, len(model.layers))]
    run.train_accuracy = float(model.evaluate(X, y, return_dict=True)["accuracy"])
    run.test_accuracy = float(model.evaluate(X_test, y_test, return_dict=True)["accuracy"])
    return run


def load_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The circles data in Keras' layout: X (m, 2) rows, y (m,) of 0/1."""
    train_X, train_Y, test_X, test_Y = circles()
    return train_X.T, train_Y.ravel(), test_X.T, test_Y.ravel()


def explain(symmetric: Run, random: Run, args: argparse.Namespace) -> list[str]:
    """What the numbers show, in words, including why this setup was chosen."""
    spread = max(max(s) for s in symmetric.spreads)
    moved = max(symmetric.moved)
    checkpoints = len(symmetric.spreads)
    lines = []
    if spread <= EQUAL_TOLERANCE and moved > EQUAL_TOLERANCE:
        lines.append(
            f"{args.symmetric_init}: every row of W[1] and W[2] (a row per neuron) stayed equal at all {checkpoints} checkpoints "
            f"(max spread {spread:.1e}) while the weights moved by up to {moved:.3g}: all neurons of a layer learned the same "
            "thing, so each hidden layer acts like a single neuron."
        )
    elif spread <= EQUAL_TOLERANCE and args.symmetric_init != "zeros":
        lines.append(f"{args.symmetric_init}: the rows stayed equal, but the hidden weights never moved: nothing learned.")
    elif spread <= EQUAL_TOLERANCE:
        lines.append(
            f"{args.symmetric_init}: the rows stayed equal, but only because the hidden weights never moved: with "
            f"{args.hidden_activation}(0) = 0 the hidden layers output 0, so the output layer's dW and every gradient below it "
            "are exactly 0. Nothing learns. Use --hidden-activation sigmoid (sigmoid(0) = 0.5) or --symmetric-init ones "
            "to watch equal neurons learn the same thing."
        )
    else:
        lines.append(f"{args.symmetric_init}: the rows drifted apart (max spread {spread:.1e}): rounding broke the symmetry.")
    start = min(random.spreads[0])
    lines.append(
        f"{args.random_init}: the rows differ from the start (spread at least {start:.3g}) and through training "
        f"(up to {max(max(s) for s in random.spreads):.3g}): each neuron can learn its own feature."
    )
    why = " (the default: sigmoid(0) = 0.5, so zero weights still pass a signal and get gradients)"
    lines.append(
        f"Accuracy on the test set: {symmetric.test_accuracy:.1%} from {args.symmetric_init}, {random.test_accuracy:.1%} from "
        f"{args.random_init}. Hidden units are {args.hidden_activation}{why if args.hidden_activation == 'sigmoid' else ''}."
    )
    return lines


def results_table(runs: list[Run], args: argparse.Namespace) -> Table:
    """One row per run: accuracies, final loss, row spreads and how far the hidden weights moved."""
    bias = "zeros" if args.symmetric_init == "zeros" else f"zeros ({args.symmetric_init} in the symmetric run)"
    hidden = f"hidden {args.hidden_activation} x {args.hidden_units}"
    title = f"{args.epochs} epochs, {hidden}, Adam({args.learning_rate}), bias init {bias}"
    caption = "spread: the largest row spread of [W[l] | b[l]] over all epochs; moved: max |W[l] - W[l] at start|"
    table = Table(title=title, caption=escape(caption))
    headers = ("kernel init", "train acc", "test acc", "final loss", "spread W[1]", "spread W[2]", "moved W[1], W[2]")
    for header in headers:
        table.add_column(escape(header), justify="left" if header == "kernel init" else "right")
    for run in runs:
        spreads = np.max(run.spreads, axis=0)
        numbers = [f"{run.train_accuracy:.1%}", f"{run.test_accuracy:.1%}", f"{run.loss[-1]:.4f}", *(f"{s:.2e}" for s in spreads)]
        table.add_row(run.initializer, *numbers, ", ".join(f"{m:.3g}" for m in run.moved))
    return table


def print_weights(console: Console, run: Run) -> None:
    """The final W[1] and W[2] in the course's layout: one row per neuron."""
    with np.printoptions(precision=4, suppress=True):
        for l in (1, 2):
            console.print(Text(f"{run.initializer}: W[{l}] {run.parameters[f'W{l}'].shape} after training (a row per neuron):"))
            console.print(Text(str(run.parameters[f"W{l}"])))


def _boundary(ax: object, run: Run, X: np.ndarray, y: np.ndarray) -> None:
    """The model's P(y = 1) over the plane, with the training points."""
    xs = np.linspace(X[:, 0].min() - 0.2, X[:, 0].max() + 0.2, 150)
    ys = np.linspace(X[:, 1].min() - 0.2, X[:, 1].max() + 0.2, 150)
    grid_x, grid_y = np.meshgrid(xs, ys)
    probability = run.model.predict(np.column_stack([grid_x.ravel(), grid_y.ravel()])).reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, probability, levels=np.linspace(0, 1, 11), cmap="RdBu", alpha=0.6)
    ax.scatter(X[:, 0], X[:, 1], c=np.where(y == 1, "tab:blue", "tab:red"), edgecolors="white", linewidths=0.4, s=18)
    ax.set_title(f"{run.initializer}: test accuracy {run.test_accuracy:.0%}")
    ax.set_aspect("equal")


def plot(runs: list[Run], X: np.ndarray, y: np.ndarray, path: Path) -> None:
    """Row spreads and loss per epoch, and each run's decision boundary, in one PNG."""
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    figure = Figure(figsize=(12, 10), layout="constrained")
    axes = figure.subplots(2, 2)
    for run, style in zip(runs, ("-", "--"), strict=True):
        spreads = np.asarray(run.spreads)
        for l in range(spreads.shape[1]):
            axes[0, 0].plot(spreads[:, l], style, label=f"{run.initializer}: W[{l + 1}]")
        axes[0, 1].plot(np.arange(1, len(run.loss) + 1), run.loss, style, label=run.initializer)
    axes[0, 0].set(title="row spread of [W[l] | b[l]] (0 = all neurons equal)", xlabel="epoch (0 = before training)")
    axes[0, 0].set_ylabel("max over columns of (max - min) over rows")
    axes[0, 1].set(title="training loss", xlabel="epoch", ylabel="binary cross-entropy")
    for ax in axes[0]:
        ax.legend()
    for ax, run in zip(axes[1], runs, strict=True):
        _boundary(ax, run, X, y)
    figure.savefig(path, dpi=100)


def write_json(runs: list[Run], notes: list[str], args: argparse.Namespace, path: Path) -> None:
    """Settings, per-epoch loss and spreads, accuracies and final course-layout parameters."""
    settings = {key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items() if key != "module"}
    data = {
        "settings": settings,
        "notes": notes,
        "runs": [
            {
                "label": run.label,
                "initializer": run.initializer,
                "train_accuracy": run.train_accuracy,
                "test_accuracy": run.test_accuracy,
                "loss": run.loss,
                "row_spreads": run.spreads,
                "moved": run.moved,
                "parameters": {name: value.tolist() for name, value in run.parameters.items()},
            }
            for run in runs
        ],
    }
    path.write_text(json.dumps(data, indent=1))


def run(args: argparse.Namespace) -> int:
    """Train both runs, print the table and explanation, write symmetry.png and symmetry.json."""
    console = default_console()
    if args.epochs < 1 or args.batch_size < 1 or args.hidden_units < 2:
        console.print("--epochs and --batch-size must be positive and --hidden-units at least 2 (symmetry needs two neurons)")
        return 2
    data = load_data()
    symmetric = train("symmetric", args.symmetric_init, args.symmetric_init, args, data)
    random = train("random", args.random_init, "zeros", args, data)
    notes = explain(symmetric, random, args)
    console.print(results_table([symmetric, random], args))
    for run_ in (symmetric, random):
        print_weights(console, run_)
    for note in notes:
        console.print(Text(note))
    args.out.mkdir(parents=True, exist_ok=True)
    plot([symmetric, random], data[0], data[1], args.out / OUTPUT_FILES[0])
    write_json([symmetric, random], notes, args, args.out / OUTPUT_FILES[1])
    console.print(f"Wrote {', '.join(str(args.out / name) for name in OUTPUT_FILES)}")
    return 0
