"""Plotting helpers shared by the studies: matplotlib's Agg canvas, no pyplot, no display.

Figures are built as ``matplotlib.figure.Figure`` objects on an Agg canvas, so
nothing depends on (or changes) the pyplot backend or its global state, and
the studies run the same on a headless machine. Files are written atomically:
a half-written PNG never replaces a good one.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..files import write_atomic

GRID_STEP = 0.01  # the course's h in plot_decision_boundary
#: One colour per class in every figure (Okabe and Ito's colour-blind-safe palette): the examples in the strong
#: colour, the region the model assigns to that class in its light version. Fixed levels, never the data's range:
#: a model predicting 0 everywhere paints the class-0 colour, not the colour map's end.
CLASS_COLORS = ("#E69F00", "#0072B2")
REGION_COLORS = ("#F9E2B0", "#B8D8EE")
#: One colour per initialization method in every figure.
METHOD_COLORS = ("#555555", "#D55E00", "#009E73", "#CC79A7", "#56B4E9")
FIGSIZE = (7.0, 4.5)


def new_figure(ncols: int = 1, figsize: tuple[float, float] = FIGSIZE, **subplot_kw: object) -> tuple[Figure, list]:
    """A Figure on an Agg canvas and its ``ncols`` axes (always a list)."""
    figure = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(ncols=ncols, squeeze=False, **subplot_kw)[0]
    return figure, list(axes)


def save_png(figure: Figure, path: Path, dpi: int = 120) -> None:
    """Render ``figure`` to PNG and write it atomically."""
    buffer = io.BytesIO()
    figure.savefig(buffer, dpi=dpi, format="png")
    write_atomic(path, buffer.getvalue())


def decision_grid(X: np.ndarray, h: float = GRID_STEP) -> tuple[np.ndarray, np.ndarray]:
    """The notebook's grid for X of shape (2, m): xx, yy of shape (n_y, n_x), 1 beyond the data on each side.

    Built exactly as the course's ``plot_decision_boundary`` builds it, so values
    computed on it can be passed to that function's ``contourf(xx, yy, Z)``.
    """
    x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
    y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
    return np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))


def cost_curves(curves: Mapping[str, tuple[Sequence[int], Sequence[float]]], title: str, log_scale: bool = False) -> Figure:
    """One line per label, in the label's colour: curves[label] = (iterations, costs)."""
    figure, (ax,) = new_figure()
    for color, (label, (iterations, costs)) in zip(METHOD_COLORS, curves.items()):
        ax.plot(iterations, costs, marker="o", markersize=3, label=label, color=color)
    _cost_axes(ax, title, log_scale)
    return figure


def cost_bands(curves: Mapping[str, tuple[Sequence[int], np.ndarray]], title: str, log_scale: bool = False) -> Figure:
    """The mean cost over seeds per label, with a band from the lowest to the highest seed: costs are (seeds, points)."""
    figure, (ax,) = new_figure()
    for color, (label, (iterations, costs)) in zip(METHOD_COLORS, curves.items()):
        costs = np.asarray(costs, dtype=float)
        ax.plot(iterations, costs.mean(axis=0), color=color, label=f"{label} (mean of {costs.shape[0]} seeds)")
        ax.fill_between(iterations, costs.min(axis=0), costs.max(axis=0), color=color, alpha=0.2, linewidth=0)
    _cost_axes(ax, title + "; bands: lowest to highest seed", log_scale)
    return figure


def _cost_axes(ax: object, title: str, log_scale: bool) -> None:
    ax.set_xlabel("Iterations")
    ax.set_ylabel("Cost")
    if log_scale:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.legend()


def accuracy_by_method(accuracies: Mapping[str, tuple[Sequence[float], Sequence[float]]], title: str) -> Figure:
    """Train and test accuracy of every seed per label (one dot each) and their mean (a bar): values in [0, 1]."""
    from matplotlib.lines import Line2D

    figure, (ax,) = new_figure()
    for index, (color, (train, test)) in enumerate(zip(METHOD_COLORS, accuracies.values())):
        for offset, values, marker in ((-0.15, train, "o"), (0.15, test, "s")):
            ax.scatter(np.full(len(values), index + offset), values, color=color, marker=marker, alpha=0.7)
            ax.hlines(np.mean(values), index + offset - 0.1, index + offset + 0.1, color="black", linewidth=2)
    ax.set_xticks(range(len(accuracies)), list(accuracies))
    ax.set_xlabel("Initialization")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("Accuracy")
    ax.set_title(title)
    ax.legend(handles=[Line2D([], [], marker="o", linestyle="", color="gray", label="train, one seed"),
                       Line2D([], [], marker="s", linestyle="", color="gray", label="test, one seed"),
                       Line2D([], [], color="black", linewidth=2, label="mean over seeds")], loc="lower right")
    return figure


def _boundary_panel(ax: object, Z: np.ndarray, X: np.ndarray, Y: np.ndarray, title: str) -> None:
    """The region the model assigns to each class (Z, 0/1 on X's grid) and the examples, both in their class's colour."""
    from matplotlib.patches import Patch

    xx, yy = decision_grid(X)
    ax.contourf(xx, yy, Z, levels=[-0.5, 0.5, 1.5], colors=REGION_COLORS)
    labels = np.ravel(Y)
    handles = [Patch(color=REGION_COLORS[c], label=f"predicted class {c}") for c in (0, 1)]
    for c in (0, 1):
        handles.append(ax.scatter(X[0, labels == c], X[1, labels == c], color=CLASS_COLORS[c], s=15, edgecolors="k",
                                  linewidths=0.3, label=f"class {c} examples"))
    ax.legend(handles=handles, loc="upper right", fontsize="small", framealpha=0.9)
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.5, 1.5)
    ax.set_xlabel("Feature #0")
    ax.set_title(title)


def decision_boundaries(
    Z_train: np.ndarray, X_train: np.ndarray, Y_train: np.ndarray, Z_test: np.ndarray, X_test: np.ndarray, Y_test: np.ndarray,
    title: str,
) -> Figure:
    """Train and test panels side by side, as the course's plot_decision_boundary draws them.

    Z_*: predictions on :func:`decision_grid` of X_* (shape of its xx); X_*: (2, m); Y_*: (1, m).
    """
    figure, (train_ax, test_ax) = new_figure(ncols=2, figsize=(11.0, 5.5), sharex=True, sharey=True)
    _boundary_panel(train_ax, Z_train, X_train, Y_train, "Training data")
    _boundary_panel(test_ax, Z_test, X_test, Y_test, "Test data")
    train_ax.set_ylabel("Feature #1")
    figure.suptitle(title)
    return figure
