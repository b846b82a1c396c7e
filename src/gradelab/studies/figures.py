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
CMAP = "Spectral"


def new_figure(ncols: int = 1, figsize: tuple[float, float] = (6.0, 4.0), **subplot_kw: object) -> tuple[Figure, list]:
    """A Figure on an Agg canvas and its ``ncols`` axes (always a list)."""
    figure = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(ncols=ncols, squeeze=False, **subplot_kw)[0]
    return figure, list(axes)


def save_png(figure: Figure, path: Path, dpi: int = 100) -> None:
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
    """One line per label: curves[label] = (iterations, costs)."""
    figure, (ax,) = new_figure()
    for label, (iterations, costs) in curves.items():
        ax.plot(iterations, costs, marker="o", markersize=3, label=label)
    ax.set_xlabel("Iterations")
    ax.set_ylabel("Cost")
    if log_scale:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.legend()
    return figure


def _boundary_panel(ax: object, Z: np.ndarray, X: np.ndarray, Y: np.ndarray, title: str) -> None:
    """contourf of the 0/1 predictions Z on X's grid, and the points coloured by label."""
    xx, yy = decision_grid(X)
    ax.contourf(xx, yy, Z, cmap=CMAP)
    scatter = ax.scatter(X[0, :], X[1, :], c=np.ravel(Y), cmap=CMAP, s=15, edgecolors="k", linewidths=0.3)
    ax.add_artist(ax.legend(*scatter.legend_elements(), title="Classes", loc="upper right"))
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
    figure, (train_ax, test_ax) = new_figure(ncols=2, figsize=(9.0, 4.5), sharex=True, sharey=True)
    _boundary_panel(train_ax, Z_train, X_train, Y_train, "Training data")
    _boundary_panel(test_ax, Z_test, X_test, Y_test, "Test data")
    train_ax.set_ylabel("Feature #1")
    figure.suptitle(title)
    return figure
