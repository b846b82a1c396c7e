"""Callbacks for ``fit``: History (always returned), LambdaCallback, and the rich progress bar."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class Callback:
    """Hooks ``fit`` calls; ``self.model`` is the model being trained. Override what you need."""

    def __init__(self) -> None:
        self.model = None

    def set_model(self, model: object) -> None:
        self.model = model

    def on_train_begin(self, logs: dict | None = None) -> None:
        pass

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        pass

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        pass

    def on_train_end(self, logs: dict | None = None) -> None:
        pass


class LambdaCallback(Callback):
    """A callback from plain functions, e.g. ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    def __init__(
        self,
        on_epoch_end: Callable[[int, dict], None] | None = None,
        on_train_begin: Callable[[dict], None] | None = None,
        on_train_end: Callable[[dict], None] | None = None,
    ) -> None:
        super().__init__()
        self._epoch_end, self._train_begin, self._train_end = on_epoch_end, on_train_begin, on_train_end

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self._epoch_end:
            self._epoch_end(epoch, logs or {})

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self._train_begin:
            self._train_begin(logs or {})

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._train_end:
            self._train_end(logs or {})


class History(Callback):
    """``history.history["loss"]`` (and ``["accuracy"]``): one value per epoch; ``history.epoch``: 0, 1, ..."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.params: dict = {}

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        return f"<History epochs={len(self.epoch)}, keys={list(self.history)}>"


def _format_logs(logs: dict) -> str:
    return " - ".join(f"{key}: {value:.4f}" for key, value in logs.items())


class ProgressBar(Callback):
    """Keras' verbose=1 (a bar per epoch, with the running loss) or verbose=2 (a line per epoch)."""

    def __init__(self, epochs: int, steps: int, verbose: int, console: Console | None = None) -> None:
        super().__init__()
        self.epochs, self.steps, self.verbose = epochs, steps, verbose
        self.console = console or Console()
        self.progress: Progress | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.verbose == 1:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            self.progress = Progress(*columns, TextColumn("{task.fields[logs]}"), console=self.console)
            self.progress.start()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.progress is not None:
            self.task = self.progress.add_task(f"Epoch {epoch + 1}/{self.epochs}", total=self.steps, logs="")

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.progress is not None:
            self.progress.update(self.task, advance=1, logs=_format_logs(logs or {}))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.progress is not None:
            self.progress.update(self.task, logs=_format_logs(logs or {}))
        elif self.verbose == 2:
            self.console.print(f"Epoch {epoch + 1}/{self.epochs} - {self.steps} steps - {_format_logs(logs or {})}")

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
