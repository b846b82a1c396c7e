"""The "accuracy" metric, resolved as Keras resolves it from the output's shape.

One output unit: binary accuracy, the fraction of examples where
(y_pred > 0.5) equals y. Several units: sparse categorical accuracy (argmax
against integer labels), or categorical accuracy when y is one-hot (m, K).
"""

from __future__ import annotations

import numpy as np

METRICS = ("accuracy", "acc")


def check_metrics(metrics: list[str] | tuple[str, ...] | None) -> list[str]:
    """["accuracy"] or []: the only metric supported is accuracy."""
    names = list(metrics or [])
    unknown = [name for name in names if name not in METRICS]
    if unknown:
        raise ValueError(f"Unknown metrics {unknown}. Supported: ['accuracy']")
    return ["accuracy"] if names else []


def accuracy(y_true: np.ndarray, y_pred: np.ndarray, threshold: float = 0.5) -> float:
    """Fraction of examples predicted right; ``threshold`` applies to a single output.

    The model passes threshold 0 when the loss takes logits (sigmoid(z) > 0.5
    exactly when z > 0); Keras would keep 0.5 on the logits, a known pitfall.
    """
    y_pred = np.asarray(y_pred, dtype=float)
    y = np.asarray(y_true)
    if y_pred.shape[1] == 1:
        y = y.reshape(-1, 1) if y.ndim == 1 else y
        return float(np.mean((y_pred > threshold) == (y > 0.5)))
    if y.ndim == 2 and y.shape == y_pred.shape:
        y = y.argmax(axis=1)
    return float(np.mean(y_pred.argmax(axis=1) == y.reshape(-1)))
