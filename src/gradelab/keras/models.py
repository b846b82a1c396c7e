"""``Sequential``: a stack of Dense layers in Keras' layout (rows are examples).

Shapes: X (m, n_x), y (m,) or (m, n_out), predictions (m, n_out). The
weights of layer l are kernel (n_{l-1}, n_l) and bias (n_l,); in the course's
notation they are W[l] = kernel.T and b[l] = bias[:, None]
(:meth:`Sequential.to_course_parameters`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from rich.console import Console

from . import backend, bridge, losses, optimizers, report
from . import metrics as _metrics
from .callbacks import Callback, History, ProgressBar
from .layers import Dense, Input, activation_backward, feature_shape

Caches = list[tuple[np.ndarray, np.ndarray]]


class Sequential:
    """Layers applied one after the other: ``Sequential([Input(shape=(2,)), Dense(3), Dense(1)])``.

    The weights exist as soon as the input size is known: from an ``Input``
    first in the list, a first ``Dense(..., input_shape=(n,))`` or
    ``input_dim=n``, :meth:`build`, or else the first data seen.
    """

    def __init__(self, layers: Sequence[Dense | Input] | None = None, name: str | None = None) -> None:
        self.name = name or backend.unique_name("sequential")
        self.input: Input | None = None
        self.layers: list[Dense] = []
        self.loss: losses.Loss | None = None
        self.optimizer: optimizers.Optimizer | None = None
        self.metrics: list[str] = []
        if layers is not None and not isinstance(layers, list | tuple):
            raise ValueError(f"Sequential takes a list of layers, e.g. Sequential([Input(shape=(2,)), Dense(1)]), got {layers!r}")
        for layer in layers or []:
            self.add(layer)

    # -- structure -----------------------------------------------------------------

    def add(self, layer: Dense | Input) -> None:
        """Append a layer (an ``Input`` may only come first); builds it if the input size is known."""
        if isinstance(layer, Input):
            if self.input is not None or self.layers:
                raise ValueError("Input(...) can only be the first element of a Sequential model")
            self.input = layer
            return
        if not isinstance(layer, Dense):
            raise ValueError(f"Sequential takes Input and Dense layers, got {type(layer).__name__}: {layer!r}")
        if any(layer.name == other.name for other in self.layers):
            raise ValueError(f"Layers of a Sequential model must have unique names; {layer.name!r} is already in {self.name!r}")
        self.layers.append(layer)
        n_in = self._declared_input_dim()
        if n_in is not None:
            try:
                self.build((None, n_in))
            except ValueError:
                self.layers.pop()  # leave the model as it was
                raise

    def _declared_input_dim(self) -> int | None:
        if self.input is not None:
            return self.input.n
        return self.layers[0].input_dim if self.layers else None

    def build(self, input_shape: int | Sequence[int | None]) -> None:
        """Create every layer's weights, in order, for inputs of shape (None, n_x)."""
        dims = (input_shape,) if isinstance(input_shape, int | np.integer) else tuple(input_shape)
        n = feature_shape(dims[-1:], "input_shape")
        if self.input is not None and n != self.input.n:
            raise ValueError(f"model {self.name!r} has Input(shape=({self.input.n},)) and cannot be built for {n} features")
        if not self.layers:
            raise ValueError(f"model {self.name!r} has no layers to build")
        for layer in self.layers:
            layer.build((None, n))
            n = layer.units

    @property
    def built(self) -> bool:
        """True once every layer has its weights."""
        return bool(self.layers) and all(layer.built for layer in self.layers)

    @property
    def input_shape(self) -> tuple[None, int] | None:
        """(None, n_x), or None while n_x is unknown."""
        n = self.layers[0].input_dim if self.built else self._declared_input_dim()
        return None if n is None else (None, n)

    @property
    def output_shape(self) -> tuple[None, int]:
        """(None, n_out) of the last layer."""
        if not self.layers:
            raise ValueError(f"model {self.name!r} has no layers")
        return self.layers[-1].output_shape

    def get_layer(self, name: str | None = None, index: int | None = None) -> Dense:
        """The layer called ``name`` (or at position ``index``; the Input is not counted)."""
        if (name is None) == (index is None):
            raise ValueError("get_layer() needs exactly one of name= or index=")
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"index {index} is out of range: model {self.name!r} has {len(self.layers)} layers")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name!r}. Existing layers are: {[layer.name for layer in self.layers]}")

    def _require_built(self, what: str) -> None:
        if not self.built:
            raise ValueError(
                f"model {self.name!r} has no weights yet, so {what} cannot run: its input size is unknown. "
                "Start it with Input(shape=(n_x,)), or call model.build((None, n_x))."
            )

    # -- weights -------------------------------------------------------------------

    def get_weights(self) -> list[np.ndarray]:
        """[kernel1, bias1, kernel2, bias2, ...] as copies, Keras' layout."""
        self._require_built("get_weights()")
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Set all weights from a list shaped like :meth:`get_weights`."""
        self._require_built("set_weights()")
        weights = list(weights)
        if len(weights) != 2 * len(self.layers):
            expected = 2 * len(self.layers)
            raise ValueError(f"model {self.name!r} expects {expected} arrays (kernel, bias per layer), got {len(weights)}")
        for i, layer in enumerate(self.layers):
            layer.set_weights(weights[2 * i : 2 * i + 2])

    def variables(self) -> list[np.ndarray]:
        """The live weight arrays [kernel1, bias1, ...] (no copies): what the optimizer updates."""
        return [w for layer in self.layers for w in (layer.kernel, layer.bias)]

    def count_params(self) -> int:
        """The number of weights and biases of all built layers."""
        return sum(layer.count_params() for layer in self.layers)

    # -- forward and backward -------------------------------------------------------

    def _check_x(self, x: object) -> np.ndarray:
        """x as a float (m, n_x) array; builds the model from it if needed (as Keras does on first data)."""
        X = np.asarray(x)
        if X.dtype.kind not in "biuf" or X.ndim != 2:
            raise ValueError(f"x must be a 2-D numeric array (m examples, n_x features), got shape {X.shape} and dtype {X.dtype}")
        if not self.built:
            self.build((None, X.shape[1]))
        n_x = self.input_shape[1]
        if X.shape[1] != n_x:
            hint = " It looks like the course layout (n_x, m): pass X.T." if X.shape[0] == n_x else ""
            raise ValueError(f"model {self.name!r} expects x of shape (m, {n_x}), examples as rows; got {X.shape}.{hint}")
        return X.astype(float, copy=False)

    def _check_xy(self, x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
        X = self._check_x(x)
        y = np.asarray(y)
        if y.ndim == 0 or y.shape[0] != X.shape[0]:
            hint = " It looks like the course layout (1, m): pass Y.ravel()." if y.ndim == 2 and y.shape[1] == X.shape[0] else ""
            raise ValueError(f"x has {X.shape[0]} examples (rows) but y has shape {y.shape}.{hint}")
        return X, y

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, Caches]:
        """The output (m, n_out) and, per layer, the cache (A_prev, Z)."""
        caches = []
        A = X
        for layer in self.layers:
            A, cache = layer.forward(A)
            caches.append(cache)
        return A, caches

    def _output_loss(self, y: np.ndarray, A: np.ndarray, Z: np.ndarray) -> tuple[float, np.ndarray]:
        """The mean loss and dZ of the output layer.

        When the output activation is the one the loss expects (sigmoid for
        binary, softmax for sparse categorical cross-entropy) the loss is taken
        from Z: the same value without clipping, and dZ = (A - Y) / m, the
        stable form the course uses too.
        """
        last = self.layers[-1]
        if not self.loss.from_logits and self.loss.logits_activation == last.activation:
            logit_loss = self.loss.with_logits()
            return logit_loss(y, Z), logit_loss.gradient(y, Z)
        return self.loss(y, A), activation_backward(last.activation, self.loss.gradient(y, A), Z)

    def _backward(self, dZ: np.ndarray, caches: Caches) -> list[np.ndarray]:
        """[dkernel1, dbias1, ...] from the output layer's dZ, layer by layer downwards."""
        grads: list[np.ndarray] = [np.empty(0)] * (2 * len(self.layers))
        for i in reversed(range(len(self.layers))):
            A_prev = caches[i][0]
            dA_prev, grads[2 * i], grads[2 * i + 1] = self.layers[i].backward_from_z(dZ, A_prev)
            if i > 0:
                # Through the activation of the layer below: dZ[l-1] = dA[l-1] * g'(Z[l-1]).
                dZ = activation_backward(self.layers[i - 1].activation, dA_prev, caches[i - 1][1])
        return grads

    def loss_and_gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """The compiled loss on (x, y) and its gradients [dkernel1, dbias1, ...], shaped like get_weights().

        In the course's notation dW[l] = dkernel_l.T and db[l] = dbias_l[:, None].
        """
        self._require_compiled("loss_and_gradients()")
        X, y = self._check_xy(x, y)
        A, caches = self.forward(X)
        value, dZ = self._output_loss(y, A, caches[-1][1])
        return value, self._backward(dZ, caches)

    def predict(self, x: np.ndarray, batch_size: int | None = None, verbose: int = 0) -> np.ndarray:
        """The model's output for x (m, n_x): an array (m, n_out). (One pass; batch_size changes nothing.)"""
        self._require_layers()
        return self.forward(self._check_x(x))[0]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.predict(x)

    def _require_layers(self) -> None:
        if not self.layers:
            raise ValueError(f"model {self.name!r} has no layers")

    # -- training ------------------------------------------------------------------

    def compile(
        self,
        optimizer: str | optimizers.Optimizer = "adam",
        loss: str | losses.Loss | None = None,
        metrics: Sequence[str] | None = None,
    ) -> None:
        """Choose the loss, the optimizer ("sgd", "adam" or an object) and metrics (["accuracy"])."""
        if loss is None:
            raise ValueError("compile() needs a loss, e.g. loss='binary_crossentropy' or BinaryCrossentropy(from_logits=True)")
        self.loss = losses.get(loss)
        self.optimizer = optimizers.get(optimizer)
        self.metrics = _metrics.check_metrics(metrics)

    def _require_compiled(self, what: str) -> None:
        if self.loss is None:
            raise ValueError(f"{what} needs a loss: call model.compile(optimizer=..., loss=...) first")

    def _logs(self, y: np.ndarray, A: np.ndarray, loss: float) -> dict[str, float]:
        logs = {"loss": loss}
        if self.metrics:
            logs["accuracy"] = _metrics.accuracy(y, A, threshold=0.0 if self.loss.from_logits else 0.5)
        return logs

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: Sequence[Callback] | None = None,
        shuffle: bool = True,
    ) -> History:
        """Train on x (m, n_x), y for ``epochs`` passes in mini-batches of ``batch_size`` (default 32).

        Each epoch's logs are the averages over its batches, each batch's taken
        before its update (as Keras reports them). Returns a History.
        """
        self._require_compiled("fit()")
        X, y = self._check_xy(x, y)
        batch_size, epochs, verbose = _check_fit_args(batch_size, epochs, verbose)
        steps = -(-X.shape[0] // batch_size)
        history = History()
        history.params = {"epochs": epochs, "steps": steps, "verbose": verbose}
        hooks = [history, ProgressBar(epochs, steps, verbose), *(callbacks or [])]
        for hook in hooks:
            hook.set_model(self)
        rng = backend.shuffle_generator()
        for hook in hooks:
            hook.on_train_begin()
        try:
            for epoch in range(epochs):
                order = rng.permutation(X.shape[0]) if shuffle else np.arange(X.shape[0])
                logs = self._fit_epoch(X, y, order, batch_size, epoch, hooks)
                for hook in hooks:
                    hook.on_epoch_end(epoch, dict(logs))
        finally:
            for hook in hooks:
                hook.on_train_end()
        return history

    def _fit_epoch(self, X: np.ndarray, y: np.ndarray, order: np.ndarray, batch_size: int, epoch: int, hooks: list) -> dict:
        """One pass over the data; returns the example-weighted mean of the batches' logs."""
        for hook in hooks:
            hook.on_epoch_begin(epoch)
        totals: dict[str, float] = {}
        seen = 0
        for step, start in enumerate(range(0, X.shape[0], batch_size)):
            batch = order[start : start + batch_size]
            A, caches = self.forward(X[batch])
            value, dZ = self._output_loss(y[batch], A, caches[-1][1])
            self.optimizer.apply(self.variables(), self._backward(dZ, caches))
            for key, item in self._logs(y[batch], A, value).items():
                totals[key] = totals.get(key, 0.0) + item * len(batch)
            seen += len(batch)
            for hook in hooks:
                hook.on_train_batch_end(step, {key: total / seen for key, total in totals.items()})
        return {key: total / seen for key, total in totals.items()}

    def evaluate(
        self, x: np.ndarray, y: np.ndarray, batch_size: int | None = None, verbose: int = 0, return_dict: bool = False
    ) -> float | list[float] | dict[str, float]:
        """The loss (and accuracy) on x, y: a float, [loss, accuracy], or a dict with return_dict=True."""
        self._require_compiled("evaluate()")
        X, y = self._check_xy(x, y)
        A, caches = self.forward(X)
        logs = self._logs(y, A, self._output_loss(y, A, caches[-1][1])[0])
        if verbose:
            Console().print(" - ".join(f"{key}: {value:.4f}" for key, value in logs.items()))
        if return_dict:
            return logs
        return logs["loss"] if len(logs) == 1 else list(logs.values())

    # -- reports and the course bridge -------------------------------------------------

    def summary(self, print_fn: Callable[[str], None] | None = None) -> None:
        """Print layer names, output shapes and parameter counts with totals, as Keras does."""
        report.summary(self, print_fn=print_fn)

    def explain_weights(self) -> list[dict]:
        """Print (and return as dicts) each layer's kernel shape, W[l] shape, initializer, fans and stddevs."""
        self._require_built("explain_weights()")
        return report.explain_weights(self)

    def activations(self) -> list[str]:
        """Each layer's activation name ("linear" for None), first layer first."""
        return [layer.activation for layer in self.layers]

    def to_course_parameters(self) -> dict[str, np.ndarray]:
        """{"W1", "b1", ...} in the course's layout: W[l] = kernel.T (n_l, n_{l-1}), b[l] = bias[:, None] (n_l, 1)."""
        self._require_built("to_course_parameters()")
        return bridge.to_course_parameters(self.layers)

    @classmethod
    def from_course_parameters(
        cls, parameters: dict[str, np.ndarray], activations: Sequence[str | None], name: str | None = None
    ) -> Sequential:
        """A built Sequential whose layer l has weights W[l].T, b[l].ravel() and activation activations[l-1]."""
        dims = bridge.check_course_parameters(parameters, activations)
        dense = [Dense(n, activation=a) for n, a in zip(dims[1:], activations, strict=True)]
        model = cls([Input(shape=(dims[0],)), *dense], name=name)
        for l, layer in enumerate(model.layers, start=1):
            layer.set_weights([np.asarray(parameters[f"W{l}"]).T, np.asarray(parameters[f"b{l}"]).ravel()])
        return model


def _check_fit_args(batch_size: int | None, epochs: int, verbose: int | str) -> tuple[int, int, int]:
    """Keras' defaults: batch_size None means 32, verbose "auto" means 1."""
    batch_size = 32 if batch_size is None else batch_size
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, int | np.integer) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    verbose = 1 if verbose == "auto" else verbose
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return int(batch_size), int(epochs), int(verbose)
