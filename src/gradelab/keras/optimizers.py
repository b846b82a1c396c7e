"""SGD and Adam as Keras defines them, updating a list of weight arrays in place.

Keras' Adam differs from the course's in where epsilon goes: Keras folds the
bias corrections into the learning rate,
    lr_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
    m = beta_1 m + (1 - beta_1) g,   v = beta_2 v + (1 - beta_2) g^2
    w -= lr_t * m / (sqrt(v) + epsilon)
which is the course's m_hat / (sqrt(v_hat) + epsilon) with epsilon scaled by
sqrt(1 - beta_2^t). Keras' defaults: lr 0.001 and epsilon 1e-7.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Optimizer:
    """Base class: ``apply(weights, grads)`` updates each weights[i] in place with grads[i]."""

    def __init__(self, learning_rate: float) -> None:
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
        self.learning_rate = float(learning_rate)
        self.iterations = 0
        self._shapes: list[tuple[int, ...]] | None = None

    def _build(self, weights: Sequence[np.ndarray]) -> None:
        """(Re)create the per-weight state when the weights are new to this optimizer."""
        shapes = [w.shape for w in weights]
        if shapes != self._shapes:
            self._shapes, self.iterations = shapes, 0
            self.build_state(weights)

    def build_state(self, weights: Sequence[np.ndarray]) -> None:
        pass

    def apply(self, weights: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """One step: updates the arrays of ``weights`` in place."""
        if len(weights) != len(grads):
            raise ValueError(f"got {len(grads)} gradients for {len(weights)} weights")
        self._build(weights)
        self.iterations += 1
        for i, (w, g) in enumerate(zip(weights, grads, strict=True)):
            if w.shape != g.shape:
                raise ValueError(f"gradient {i} has shape {g.shape} but its weight has shape {w.shape}")
            self.update(i, w, g)

    def update(self, i: int, w: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """w -= lr * g, or with momentum: v = momentum v - lr g; w += v. Keras' default lr is 0.01."""

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0) -> None:
        super().__init__(learning_rate)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)

    def build_state(self, weights: Sequence[np.ndarray]) -> None:
        self.velocities = [np.zeros_like(w) for w in weights]

    def update(self, i: int, w: np.ndarray, g: np.ndarray) -> None:
        if self.momentum == 0.0:
            w -= self.learning_rate * g
            return
        v = self.velocities[i]
        v *= self.momentum
        v -= self.learning_rate * g
        w += v

    def __repr__(self) -> str:
        return f"SGD(learning_rate={self.learning_rate}, momentum={self.momentum})"


class Adam(Optimizer):
    """Adam with Keras' defaults and Keras' update (see the module docstring)."""

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7) -> None:
        super().__init__(learning_rate)
        for name, beta in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
        if not epsilon > 0:
            raise ValueError(f"epsilon must be positive, got {epsilon!r}")
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def build_state(self, weights: Sequence[np.ndarray]) -> None:
        self.m = [np.zeros_like(w) for w in weights]
        self.v = [np.zeros_like(w) for w in weights]

    def update(self, i: int, w: np.ndarray, g: np.ndarray) -> None:
        t = self.iterations
        lr_t = self.learning_rate * np.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        m, v = self.m[i], self.v[i]
        m += (1.0 - self.beta_1) * (g - m)
        v += (1.0 - self.beta_2) * (g * g - v)
        w -= lr_t * m / (np.sqrt(v) + self.epsilon)

    def __repr__(self) -> str:
        return f"Adam(learning_rate={self.learning_rate}, beta_1={self.beta_1}, beta_2={self.beta_2}, epsilon={self.epsilon})"


ALL_OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam}


def get(identifier: str | Optimizer) -> Optimizer:
    """An optimizer from its name ("sgd", "adam": Keras' default settings) or an object."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in ALL_OPTIMIZERS:
        return ALL_OPTIMIZERS[identifier.lower()]()
    known = ", ".join(ALL_OPTIMIZERS)
    raise ValueError(f"Unknown optimizer {identifier!r}. Known optimizers: {known}; or an object, e.g. Adam(0.01)")
