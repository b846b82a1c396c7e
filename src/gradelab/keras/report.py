"""Rich tables for a Sequential: Keras' ``summary()`` and gradelab's ``explain_weights()``."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from . import backend, initializers


def readable_memory_size(size: float) -> str:
    """Bytes as Keras prints them: "52.00 B", "1.27 KB" (powers of 1024)."""
    units = ("B", "KB", "MB", "GB", "TB")
    power = 0
    while size >= 1024 and power < len(units) - 1:
        size /= 1024
        power += 1
    return f"{size:.2f} {units[power]}"


def default_console() -> Console:
    """The terminal's width on a terminal; 100 columns into a pipe or notebook (rich would assume 80)."""
    console = Console()
    return console if console.is_terminal or console.is_jupyter else Console(width=100)


def _emit(renderables: list, print_fn: Callable[[str], None] | None, console: Console | None) -> None:
    """Print to the console, or render to text and hand it to print_fn (Keras' summary(print_fn=...))."""
    if print_fn is None:
        console = console or default_console()
        for item in renderables:
            console.print(item)
        return
    buffer = io.StringIO()
    text_console = Console(file=buffer, width=100, force_terminal=False, color_system=None)
    for item in renderables:
        text_console.print(item)
    print_fn(buffer.getvalue().rstrip("\n"))


def summary(model: object, print_fn: Callable[[str], None] | None = None, console: Console | None = None) -> None:
    """Layer names and types, output shapes, parameter counts and totals, laid out as Keras 3 does."""
    table = Table(box=box.HEAVY_HEAD, show_lines=True)
    table.add_column("Layer (type)", min_width=31)
    table.add_column("Output Shape", min_width=22)
    table.add_column("Param #", justify="right", min_width=13)
    for layer in model.layers:
        shape, params = (str(layer.output_shape), f"{layer.count_params():,}") if layer.built else ("?", "0 (unbuilt)")
        table.add_row(f"{layer.name} ({type(layer).__name__})", shape, params)
    total = model.count_params()
    # 8 bytes a parameter: gradelab computes in float64 (Keras' float32 would be 4).
    size = readable_memory_size(8 * total)
    footer = [
        f" Total params: {total:,} ({size})",
        f" Trainable params: {total:,} ({size})",
        " Non-trainable params: 0 (0.00 B)",
    ]
    _emit([f'Model: "{model.name}"', table, *footer], print_fn, console)


def weight_rows(model: object) -> list[dict]:
    """One dict per layer: shapes in both layouts, initializer, fans, target and actual stddev."""
    rows = []
    for l, layer in enumerate(model.layers, start=1):
        kernel_shape = layer.kernel.shape
        fan_in, fan_out = initializers.compute_fans(kernel_shape)
        init = layer.kernel_initializer
        rows.append(
            {
                "layer": layer.name,
                "W": f"W{l}",
                "kernel_shape": kernel_shape,
                "W_shape": kernel_shape[::-1],
                "initializer": initializers.describe(init),
                "initializer_name": type(init).__name__,
                "weights_source": layer.weights_source,
                "fan_in": fan_in,
                "fan_out": fan_out,
                # Only meaningful when the initializer drew the kernel (not set_weights).
                "std_target": init.stddev(kernel_shape) if layer.weights_source == "initializer" else None,
                "std_drawn": layer.initial_kernel_std if layer.weights_source == "initializer" else None,
                "std_now": float(layer.kernel.std()),
                "layer_stream": layer.layer_index,
            }
        )
    return rows


def _std(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _table_row(row: dict) -> list[str]:
    drawn = row["weights_source"] == "initializer"
    init = row["initializer_name"] if drawn else "set_weights"
    shapes = f"{row['kernel_shape']} -> {row['W']} {row['W_shape']}"
    stds = [row["std_target"], row["std_drawn"], row["std_now"]]
    return [row["layer"], shapes, init, str(row["fan_in"]), str(row["fan_out"]), *map(_std, stds)]


def explain_weights(model: object, console: Console | None = None) -> list[dict]:
    """Print, for every layer, where its kernel came from; return the same data as dicts."""
    rows = weight_rows(model)
    table = Table(title=f"Where the weights of {model.name!r} come from", box=box.SIMPLE_HEAD, pad_edge=False)
    headers = ("layer", "kernel -> W[l]", "initializer", "fan_in", "fan_out", "target\nstd", "drawn\nstd", "std\nnow")
    for header in headers:
        table.add_column(escape(header), justify="right" if "std" in header or "fan" in header else "left")
    for row in rows:
        table.add_row(*map(escape, _table_row(row)))
    seed = backend.get_seed()
    origin = f"set_seed({seed})" if seed is not None else "a fresh random seed (set_seed was not called)"
    details = sorted({row["initializer"] for row in rows if row["weights_source"] == "initializer"})
    drawn = "Drawn" if details else "Not drawn: every kernel was set from given arrays (set_weights). Layers are built"
    notes = [
        f"{drawn} before any data, from {origin} and each layer's place in the build order.",
        "kernel (n_(l-1), n_l) = W[l].T; fan_in = n_(l-1), the inputs of each neuron; fan_out = n_l.",
        *details,
        "A small layer's drawn std strays from its target by chance; training moves 'std now'.",
    ]
    _emit([table, *(Text(note) for note in notes)], None, console)
    return rows
