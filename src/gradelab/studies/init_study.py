"""``gradelab study init``: zeros, large random and He initialization, trained live on the circles data.

The course's 3-layer network [2, 10, 5, 1] (LINEAR-RELU-LINEAR-RELU-LINEAR-SIGMOID),
learning rate 0.01, 15000 iterations of batch gradient descent on
``circles()`` (300 training points, seed 1; 100 test points, seed 2). With
initialization seed 3 it reproduces the seed notebook's table: train accuracy
50 %, 83 %, 99 % and test accuracy 50 %, 86 %, 96 %.

Training goes through :func:`gradelab.kernels.fused.train_runs` (the numba kernel,
checked against the reference, or the reference ``L_layer_model`` itself);
predictions, accuracies and decision boundaries always come from the
reference ``predict``.

Writes into ``--out`` only the files named in OUTPUT_FILES, each atomically;
anything else in that folder is left alone.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gradelab.kernels import fused
from gradelab.nn.datasets import circles
from gradelab.nn.initializers import Parameters, get_initializer
from gradelab.nn.layers import L_model_forward, compute_cost_from_logits, predict
from gradelab.nn.train import accuracy

from ..files import write_atomic
from . import figures

LAYERS_DIMS = [2, 10, 5, 1]
LEARNING_RATE = 0.01
ITERATIONS = 15000
RECORD_EVERY = 1000
SEED = 3  # the course's initialization seed


@dataclass(frozen=True)
class Method:
    name: str  # the initializer's short name
    key: str  # the notebook's key in initialization.pkl
    model: str  # the row title of the notebook's table
    problem: str  # the notebook's "Problem/Comment"


METHODS = (
    Method("zeros", "zero initialization", "3-layer NN with zeros initialization", "fails to break symmetry"),
    Method("random", "random initialization", "3-layer NN with large random initialization", "too large weights"),
    Method("he", "he initialization", "3-layer NN with He initialization", "recommended method"),
)

PICKLE = "initialization.pkl"
COSTS_PNG = "costs.png"
RUNS_CSV = "runs.csv"
OUTPUT_FILES = (PICKLE, COSTS_PNG, *(f"decision_{method.name}.png" for method in METHODS), RUNS_CSV)
#: Written too when the study runs over several seeds: the spread over them.
SPREAD_FILES = ("costs_over_seeds.png", "accuracy_over_seeds.png")


@dataclass
class Run:
    """One trained network: its method and seed, parameters, costs and 0/1 predictions (1, m)."""

    method: Method
    seed: int
    parameters: Parameters
    iterations: list[int]
    costs: list[float]
    predictions_train: np.ndarray
    predictions_test: np.ndarray
    accuracy_train: float
    accuracy_test: float

    @property
    def final_cost(self) -> float:
        return self.costs[-1]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``gradelab study init``."""
    parser.add_argument("--out", type=Path, default=Path("out/study-init"), help="folder for the results (default: out/study-init)")
    parser.add_argument("--seed", type=int, default=SEED,
                        help=f"initialization seed of the random and He runs (default: {SEED}, the course's)")
    parser.add_argument(
        "--seeds", type=int, default=1, metavar="N",
        help="repeat over N seeds (seed, seed+1, ...) and report mean and standard deviation (default: 1)",
    )
    parser.add_argument(
        "--engine", choices=fused.ENGINES, default="auto",
        help="numba: the compiled kernel, checked against the reference; numpy: the reference L_layer_model; auto: numba if it works",
    )
    parser.add_argument(
        "--iterations", type=int, default=ITERATIONS,
        help=f"gradient descent iterations (default: {ITERATIONS}, the course's; the seed's table needs it)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


class StudyError(Exception):
    """A problem with the arguments or the output folder, reported before any training."""


def check_arguments(args: argparse.Namespace) -> None:
    if args.seeds < 1:
        raise StudyError(f"--seeds must be at least 1, got {args.seeds}")
    if args.iterations < 1:
        raise StudyError(f"--iterations must be at least 1, got {args.iterations}")


def prepare_out(out: Path) -> set[str]:
    """Create ``out`` if needed; returns the names in OUTPUT_FILES that already exist there (to be replaced).

    Refuses an ``out`` that is a file, or one of our names that is a folder:
    those were made by someone else and replacing them would destroy them.
    """
    if out.exists() and not out.is_dir():
        raise StudyError(f"--out {out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    clashes = [name for name in (*OUTPUT_FILES, *SPREAD_FILES) if (out / name).exists() and not (out / name).is_file()]
    if clashes:
        raise StudyError(f"{out} holds {clashes} which are not files; this study would write files by those names")
    return {name for name in (*OUTPUT_FILES, *SPREAD_FILES) if (out / name).exists()}


def initial_parameters(seeds: list[int]) -> tuple[list[Parameters], list[tuple[Method, int]]]:
    """Every method's starting parameters for every seed, seed-major: [(zeros, s0), (random, s0), (he, s0), (zeros, s1), ...]."""
    starts, keys = [], []
    for seed in seeds:
        for method in METHODS:
            init = get_initializer(method.name)
            starts.append(init(LAYERS_DIMS) if method.name == "zeros" else init(LAYERS_DIMS, seed=seed))
            keys.append((method, seed))
    return starts, keys


def distinct_starts(seeds: list[int]) -> tuple[list[Parameters], list[tuple[Method, int]], list[int]]:
    """The starts worth training, every run's (method, seed), and for each run the index of its start among them.

    Zeros initialization ignores the seed: its runs are the same network, so it is trained once, not once per seed.
    """
    starts, keys = initial_parameters(seeds)
    distinct: list[Parameters] = []
    index: list[int] = []
    seen: dict[tuple[str, int | None], int] = {}
    for start, (method, seed) in zip(starts, keys):
        key = (method.name, None if method.name == "zeros" else seed)
        if key not in seen:
            seen[key] = len(distinct)
            distinct.append(start)
        index.append(seen[key])
    return distinct, keys, index


def train_all(
    data: tuple[np.ndarray, ...], seeds: list[int], engine: str, iterations: int, console: Console, show_progress: bool
) -> tuple[fused.TrainResult, list[Run]]:
    """Train every distinct (method, seed) start with a progress bar; returns the engine's result and every run, evaluated."""
    X, Y = data[0], data[1]
    starts, keys, index = distinct_starts(seeds)
    first_runs = [index.index(position) for position in range(len(starts))]
    labels = [f"{keys[run][0].name} seed {keys[run][1]}" for run in first_runs]
    if fused.resolve_engine(engine) == "numba":
        status = "compiling the numba kernel (once per machine; cached after that)"
        with console.status(status) if show_progress else contextlib.nullcontext():
            try:
                fused.compile_kernel()
            except Exception:  # train_runs decides: it falls back under auto and raises under numba
                pass
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not show_progress) as progress:
        task = progress.add_task(f"training {len(starts)} runs", total=len(starts) * iterations)
        result = fused.train_runs(
            X, Y, LAYERS_DIMS, starts, LEARNING_RATE, iterations, RECORD_EVERY, engine=engine,
            progress=lambda n: progress.advance(task, n), labels=labels,
        )
    runs = [
        evaluate(method, seed, result.parameters[position], result.costs[position], iterations, data)
        for (method, seed), position in zip(keys, index)
    ]
    return result, runs


def evaluate(
    method: Method, seed: int, parameters: Parameters, costs: list[float], iterations: int, data: tuple[np.ndarray, ...]
) -> Run:
    """Predictions and accuracies by the reference ``predict``; the cost after the last update is appended.

    The recorded costs are those before iterations 0, 1000, ...; the notebook's
    iterations run [0, 1000, ..., 15000], so the cost of the trained network
    is added at ``iterations``.
    """
    X, Y, X_test, Y_test = data
    _, caches = L_model_forward(X, parameters)
    final = compute_cost_from_logits(caches[-1][1], Y)
    predictions_train, predictions_test = predict(X, parameters), predict(X_test, parameters)
    return Run(
        method, seed, parameters, [*range(0, iterations, RECORD_EVERY), iterations], [*costs, final],
        predictions_train, predictions_test, accuracy(predictions_train, Y), accuracy(predictions_test, Y_test),
    )


def percent(value: float) -> str:
    """0.9933 -> '99%', as the course's table rounds."""
    return f"{value:.0%}"


def comparison_table(runs: list[Run], seed: int) -> Table:
    """The notebook's conclusion table for one seed, with test accuracy and final cost added."""
    table = Table(title=f"Initialization study, seed {seed} ({runs[0].iterations[-1]} iterations, learning rate {LEARNING_RATE})")
    for column in ("Model", "Train accuracy", "Test accuracy", "Final cost"):
        table.add_column(column, justify="left" if column == "Model" else "right")
    table.add_column("Problem/Comment")
    for run in runs:
        cells = (percent(run.accuracy_train), percent(run.accuracy_test), f"{run.final_cost:.4f}")
        table.add_row(run.method.model, *cells, run.method.problem)
    return table


def summarize(runs: list[Run]) -> dict[str, dict[str, tuple[float, float]]]:
    """{method name: {"train", "test", "cost": (mean, sample standard deviation)}} over the seeds."""
    summary = {}
    for method in METHODS:
        mine = [run for run in runs if run.method is method]
        values = {
            "train": [run.accuracy_train for run in mine],
            "test": [run.accuracy_test for run in mine],
            "cost": [run.final_cost for run in mine],
        }
        ddof = 1 if len(mine) > 1 else 0
        summary[method.name] = {name: (float(np.mean(v)), float(np.std(v, ddof=ddof))) for name, v in values.items()}
    return summary


def summary_table(runs: list[Run], seeds: list[int]) -> Table:
    """Mean ± standard deviation per method over the seeds."""
    table = Table(title=f"Over {len(seeds)} initialization seeds {seeds[0]}..{seeds[-1]}: mean ± standard deviation (n-1)")
    for column in ("Model", "Train accuracy", "Test accuracy", "Final cost"):
        table.add_column(column, justify="left" if column == "Model" else "right")
    summary = summarize(runs)
    for method in METHODS:
        stats = summary[method.name]
        table.add_row(
            method.model,
            f"{stats['train'][0]:.1%} ± {stats['train'][1]:.1%}",
            f"{stats['test'][0]:.1%} ± {stats['test'][1]:.1%}",
            f"{stats['cost'][0]:.4f} ± {stats['cost'][1]:.4f}",
        )
    return table


def engine_line(result: fused.TrainResult, n_runs: int) -> str:
    """Which engine ran, and its times."""
    if result.engine == "numba":
        threads = fused.numba.get_num_threads()
        return (
            f"engine: numba (fused kernel, {n_runs} distinct runs over {threads} threads): "
            f"compile or cache load {result.compile_s:.2f} s, "
            f"training {result.train_s:.2f} s, check against the reference L_layer_model {result.check_s:.3f} s "
            f"(largest relative difference {result.check_error:.1e})"
        )
    line = f"engine: numpy (reference L_layer_model, run by run): training {result.train_s:.2f} s"
    return line + (f"; {result.fallback_reason}" if result.fallback_reason else "")


def decision_values(parameters: Parameters, X: np.ndarray) -> np.ndarray:
    """0/1 predictions on the notebook's grid for X (2, m); shape of that grid's xx."""
    xx, yy = figures.decision_grid(X)
    return predict(np.c_[xx.ravel(), yy.ravel()].T, parameters).reshape(xx.shape)


def notebook_data(runs: list[Run], data: tuple[np.ndarray, ...]) -> dict[str, dict]:
    """What the seed notebook reads from initialization.pkl, one entry per method (plain Python and NumPy only)."""
    X, _, X_test, _ = data
    return {
        run.method.key: {
            "iterations": list(run.iterations),
            "costs": [float(cost) for cost in run.costs],
            "learning_rate": LEARNING_RATE,
            "accuracy train set": run.accuracy_train,
            "accuracy test set": run.accuracy_test,
            "predictions train": run.predictions_train,
            "predictions test": run.predictions_test,
            "decision train": decision_values(run.parameters, X),
            "decision test": decision_values(run.parameters, X_test),
        }
        for run in runs
    }


def runs_csv(runs: list[Run], engine: str) -> bytes:
    """One row per run: method, seed, accuracies, final cost (zeros ignores the seed: its rows repeat)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["method", "seed", "train_accuracy", "test_accuracy", "final_cost", "engine"])
    for run in runs:
        writer.writerow([run.method.name, run.seed, repr(run.accuracy_train), repr(run.accuracy_test), repr(run.final_cost), engine])
    return text.getvalue().encode()


def write_outputs(out: Path, runs: list[Run], engine: str, data: tuple[np.ndarray, ...]) -> list[str]:
    """Write OUTPUT_FILES into ``out`` (the pickle and figures from the first seed's runs); returns the names."""
    X, Y, X_test, Y_test = data
    first = [run for run in runs if run.seed == runs[0].seed]
    entries = notebook_data(first, data)
    write_atomic(out / PICKLE, pickle.dumps(entries, protocol=4))
    curves = {run.method.key: (run.iterations, run.costs) for run in first}
    title = f"Cost, learning rate {LEARNING_RATE} (seed {first[0].seed})"
    figures.save_png(figures.cost_curves(curves, title, log_scale=True), out / COSTS_PNG)
    for run in first:
        entry = entries[run.method.key]
        figure = figures.decision_boundaries(
            entry["decision train"], X, Y, entry["decision test"], X_test, Y_test,
            f"{run.method.model}: train {percent(run.accuracy_train)}, test {percent(run.accuracy_test)}",
        )
        figures.save_png(figure, out / f"decision_{run.method.name}.png")
    write_atomic(out / RUNS_CSV, runs_csv(runs, engine))
    seeds = sorted({run.seed for run in runs})
    if len(seeds) == 1:
        return list(OUTPUT_FILES)
    write_spread(out, runs, seeds)
    return [*OUTPUT_FILES, *SPREAD_FILES]


def write_spread(out: Path, runs: list[Run], seeds: list[int]) -> None:
    """Cost curves with their band over the seeds, and every seed's accuracies per method."""
    by_method = {method: [run for run in runs if run.method == method] for method in METHODS}
    curves = {method.key: (by_method[method][0].iterations, np.array([run.costs for run in by_method[method]]))
              for method in METHODS}
    span = f"seeds {seeds[0]} to {seeds[-1]}"
    figures.save_png(figures.cost_bands(curves, f"Cost, learning rate {LEARNING_RATE}, {span}", log_scale=True),
                     out / SPREAD_FILES[0])
    accuracies = {method.name: ([run.accuracy_train for run in chosen], [run.accuracy_test for run in chosen])
                  for method, chosen in by_method.items()}
    figures.save_png(figures.accuracy_by_method(accuracies, f"Accuracy per initialization over {span}"), out / SPREAD_FILES[1])


def notebook_pickle(engine: str = "auto") -> bytes:
    """Train the three runs (default seed) and return the bytes of ``initialization.pkl``, for a student bundle.

    Bundles do not call this each time: gradelab.assignments.initialization.notebook
    keeps its result in the data cache (studies/data_cache.py).
    """
    data = circles()
    _, runs = train_all(data, [SEED], engine, ITERATIONS, Console(stderr=True), show_progress=False)
    return pickle.dumps(notebook_data(runs, data), protocol=4)


def run(args: argparse.Namespace) -> int:
    """Train, print the tables, write the files. Returns 0, 1 if the fast path disagreed with the reference, 2 on bad input."""
    console = Console()
    try:
        check_arguments(args)
        existing = prepare_out(args.out)
        fused.resolve_engine(args.engine)
    except (StudyError, RuntimeError) as error:
        console.print(f"[red]error:[/red] {error}")
        return 2
    data = circles()
    seeds = [args.seed + i for i in range(args.seeds)]
    try:
        result, runs = train_all(data, seeds, args.engine, args.iterations, console, not args.no_progress)
    except fused.FastPathMismatch as error:
        console.print(f"[red]error:[/red] {error}")
        return 1
    console.print(engine_line(result, len(result.parameters)))
    console.print(comparison_table([run for run in runs if run.seed == seeds[0]], seeds[0]))
    if len(seeds) > 1:
        console.print(summary_table(runs, seeds))
    written = write_outputs(args.out, runs, result.engine, data)
    replaced = [name for name in written if name in existing]
    console.print(f"wrote {len(written)} files to {args.out}/: {', '.join(written)}")
    if replaced:
        console.print(f"replaced the earlier {', '.join(replaced)}; nothing else in {args.out}/ was touched")
    return 0
