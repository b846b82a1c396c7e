"""Losses in Keras' layout, by name or as objects, each with its gradient.

Shapes: y_pred (m, n_out); y_true (m, n_out) or (m,) for binary / MSE, and
(m,) or (m, 1) integer class labels for the sparse categorical loss. A loss
returns the mean over the m examples (a float), and :meth:`Loss.gradient`
returns d(mean loss)/d(y_pred), shape (m, n_out), so the 1/m is inside it.

``from_logits=True`` means y_pred is Z (the output layer is linear) and the
loss applies sigmoid / softmax itself, stably. With ``from_logits=False`` the
probabilities are clipped to [1e-7, 1 - 1e-7] as Keras does; but when the
output layer's own activation is the matching one (sigmoid for binary,
softmax for sparse categorical) the model evaluates the loss from Z instead,
as Keras' TensorFlow backend does, which is the same number without the
clipping error, and gives dZ = (A - Y) / m directly.
"""

from __future__ import annotations

import numpy as np

from ..nn.activations import sigmoid, softmax

EPSILON = 1e-7  # Keras' backend.epsilon()


def _softmax_rows(Z: np.ndarray) -> np.ndarray:
    return softmax(Z.T)[0].T


class Loss:
    """Base class. ``logits_activation`` names the output activation that turns logits into y_pred."""

    logits_activation: str | None = None

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = bool(from_logits)

    def __call__(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        """The loss averaged over the m examples."""
        return float(np.mean(self.per_example(self.labels(y_true, y_pred), np.asarray(y_pred, dtype=float))))

    def labels(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """y_true checked against y_pred and brought to the shape the loss works with."""
        raise NotImplementedError

    def per_example(self, y: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """d(mean loss)/d(y_pred), shape (m, n_out)."""
        raise NotImplementedError

    def with_logits(self) -> Loss:
        """The same loss taking logits (what the model uses when the output activation matches)."""
        return type(self)(from_logits=True)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(from_logits={self.from_logits})"


def _matching_labels(y_true: np.ndarray, y_pred: np.ndarray, loss: str) -> np.ndarray:
    """y_true as (m, n_out) like y_pred; a 1-D y_true is taken as one column."""
    y = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred)
    if y.ndim == 1:
        y = y[:, None]
    if y.shape != y_pred.shape:
        raise ValueError(f"{loss}: y_true has shape {np.shape(y_true)} but the model outputs {y_pred.shape} (m, n_out)")
    return y


class BinaryCrossentropy(Loss):
    """-[y log p + (1 - y) log(1 - p)], averaged over outputs and examples; y in [0, 1]."""

    logits_activation = "sigmoid"

    def labels(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y = _matching_labels(y_true, y_pred, "binary_crossentropy")
        if np.any((y < 0) | (y > 1)):
            raise ValueError("binary_crossentropy: y_true must hold labels in [0, 1] (0/1 classes)")
        return y

    def per_example(self, y: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        if self.from_logits:
            # -log sigmoid(z) = log(1 + e^-z): finite for every finite z.
            return np.mean(np.logaddexp(0.0, y_pred) - y * y_pred, axis=1)
        p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p), axis=1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y_pred = np.asarray(y_pred, dtype=float)
        y = self.labels(y_true, y_pred)
        m, n = y.shape
        if self.from_logits:
            return (sigmoid(y_pred)[0] - y) / (m * n)
        p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        # Zero where the clip is active, as the derivative of clip is.
        inside = (y_pred >= EPSILON) & (y_pred <= 1.0 - EPSILON)
        return inside * (-(y / p) + (1.0 - y) / (1.0 - p)) / (m * n)


class SparseCategoricalCrossentropy(Loss):
    """-log p[y] with y the integer class of each example; y_pred (m, K) probabilities (or logits)."""

    logits_activation = "softmax"

    def labels(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y = np.asarray(y_true)
        y_pred = np.asarray(y_pred)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1 or y.shape[0] != y_pred.shape[0]:
            raise ValueError(
                f"sparse_categorical_crossentropy: y_true must be (m,) class indices for y_pred {y_pred.shape}, "
                f"got {np.shape(y_true)}"
            )
        if y.dtype.kind not in "biuf" or np.any(y != np.round(y)) or np.any((y < 0) | (y >= y_pred.shape[1])):
            raise ValueError(f"sparse_categorical_crossentropy: y_true must hold integers 0..{y_pred.shape[1] - 1}")
        return y.astype(int)

    def per_example(self, y: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        rows = np.arange(y.shape[0])
        if self.from_logits:
            # log softmax(z)[y] = z[y] - logsumexp(z), shifted by the row max.
            shifted = y_pred - y_pred.max(axis=1, keepdims=True)
            return np.log(np.exp(shifted).sum(axis=1)) - shifted[rows, y]
        # Keras renormalizes the probabilities first; the max() keeps an all-zero row finite.
        p = y_pred / np.maximum(y_pred.sum(axis=1, keepdims=True), EPSILON)
        return -np.log(np.clip(p[rows, y], EPSILON, 1.0 - EPSILON))

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y_pred = np.asarray(y_pred, dtype=float)
        y = self.labels(y_true, y_pred)
        m = y.shape[0]
        one_hot = np.eye(y_pred.shape[1])[y]
        if self.from_logits:
            return (_softmax_rows(y_pred) - one_hot) / m
        total = np.maximum(y_pred.sum(axis=1, keepdims=True), EPSILON)
        q_y = np.sum(one_hot * y_pred, axis=1, keepdims=True)
        inside = (q_y / total >= EPSILON) & (q_y / total <= 1.0 - EPSILON)
        # d(-log(q_y / sum q))/dq_j = 1/sum q - [j = y] / q_y; zero where the clip is active.
        return np.where(inside, 1.0 / total - one_hot / np.where(inside, q_y, 1.0), 0.0) / m


class MeanSquaredError(Loss):
    """mean((y - y_pred)^2) over outputs and examples; for regression with a linear output."""

    def __init__(self) -> None:
        super().__init__(from_logits=False)

    def labels(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return _matching_labels(y_true, y_pred, "mean_squared_error")

    def per_example(self, y: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.mean((y_pred - y) ** 2, axis=1)

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y_pred = np.asarray(y_pred, dtype=float)
        y = self.labels(y_true, y_pred)
        return 2.0 * (y_pred - y) / y.size

    def __repr__(self) -> str:
        return "MeanSquaredError()"


ALL_LOSSES: dict[str, type[Loss]] = {
    "binary_crossentropy": BinaryCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
}


def get(identifier: str | Loss) -> Loss:
    """A loss from its name ("binary_crossentropy") or an object (returned as is)."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in ALL_LOSSES:
        return ALL_LOSSES[identifier.lower()]()
    known = ", ".join(ALL_LOSSES)
    raise ValueError(f"Unknown loss {identifier!r}. Known losses: {known}; or an object, e.g. BinaryCrossentropy(True)")
