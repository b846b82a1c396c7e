"""``Input`` and ``Dense`` in Keras' layout: rows are examples.

Shapes (m examples as rows, the transpose of the course's layout):
    X = A[0]: (m, n_0)      kernel: (n_{l-1}, n_l) = W[l].T      bias: (n_l,) = b[l].ravel()
    Z, A, dZ, dA: (m, n_l)  with  Z = A_prev @ kernel + bias,  A = g(Z)

The activations are gradelab.nn's: they work on the course's (n_l, m) arrays,
so each is applied to Z.T and its result transposed back (a free view).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..nn.activations import BACKWARD, FORWARD
from . import backend, initializers

ACTIVATIONS = ("linear", "sigmoid", "relu", "tanh", "softmax")


def check_activation(activation: str | Callable | None) -> str:
    """The activation's name, "linear" for None; a function is known by its name, as Keras takes ``activation=sigmoid``."""
    name = "linear" if activation is None else getattr(activation, "__name__", None) if callable(activation) else activation
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be None, one of {ACTIVATIONS}, or a function of one of those names, got {activation!r}")
    return name


def activation_forward(name: str, Z: np.ndarray) -> np.ndarray:
    """A = g(Z) for Z of shape (m, n)."""
    if name == "linear":
        return Z
    return FORWARD[name](Z.T)[0].T


def activation_backward(name: str, dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA * g'(Z) (for softmax: the Jacobian-vector product per example row)."""
    if name == "linear":
        return dA
    if name == "softmax":
        A = activation_forward("softmax", Z)
        return BACKWARD["softmax"](dA.T, (Z.T, A.T)).T
    return BACKWARD[name](dA.T, Z.T).T


def feature_shape(shape: int | Sequence[int], what: str = "shape") -> int:
    """n from (n,) or n: only flat feature vectors are supported."""
    dims = (shape,) if isinstance(shape, int | np.integer) else tuple(shape)
    if len(dims) != 1 or isinstance(dims[0], bool) or not isinstance(dims[0], int | np.integer) or dims[0] <= 0:
        raise ValueError(f"{what} must be (n_x,) with n_x a positive integer (one example is a flat vector), got {shape!r}")
    return int(dims[0])


class Input:
    """A placeholder for the data: ``Input(shape=(n_x,))`` says each example has n_x features.

    Its ``shape`` is (None, n_x): None is the batch size m, unknown until data
    comes. Putting it first in a :class:`~gradelab.keras.models.Sequential`
    lets every layer create its weights at once, before any data is seen.
    """

    def __init__(self, shape: int | Sequence[int], name: str | None = None) -> None:
        self.n = feature_shape(shape)
        self.shape: tuple[None, int] = (None, self.n)
        self.name = name or backend.unique_name("input_layer")

    def __repr__(self) -> str:
        return f"<Input name={self.name}, shape={self.shape}>"


def _as_2d(name: str, X: object) -> np.ndarray:
    """X as a float (m, n) array, or a clear error."""
    array = np.asarray(X)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {array.dtype}")
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (m examples as rows, features as columns), got shape {array.shape}")
    return array.astype(float, copy=False)


class Dense:
    """A fully connected layer: A = activation(A_prev @ kernel + bias).

    kernel: (n_in, units) and bias: (units,), created by :meth:`build` as soon
    as n_in is known, by ``kernel_initializer`` and ``bias_initializer`` (names
    or :mod:`~gradelab.keras.initializers` objects). ``input_shape=(n_in,)`` or
    ``input_dim=n_in`` lets a first layer of a Sequential know n_in without an
    :class:`Input`.
    """

    def __init__(
        self,
        units: int,
        activation: str | None = None,
        kernel_initializer: str | initializers.Initializer = "glorot_uniform",
        bias_initializer: str | initializers.Initializer = "zeros",
        name: str | None = None,
        input_shape: Sequence[int] | None = None,
        input_dim: int | None = None,
    ) -> None:
        if isinstance(units, bool) or not isinstance(units, int | np.integer) or units <= 0:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        self.units = int(units)
        self.activation = check_activation(activation)
        self.kernel_initializer = self._initializer("kernel_initializer", kernel_initializer)
        self.bias_initializer = self._initializer("bias_initializer", bias_initializer)
        self.name = name or backend.unique_name("dense")
        self.input_dim = self._declared_input(input_shape, input_dim)
        self.kernel: np.ndarray | None = None
        self.bias: np.ndarray | None = None
        self.layer_index: int | None = None  # k: the seed stream the weights came from
        self.weights_source: str | None = None  # "initializer" or "set_weights"
        self.initial_kernel_std: float | None = None

    @staticmethod
    def _initializer(what: str, identifier: object) -> initializers.Initializer:
        initializer = initializers.get(identifier)
        if initializer is None:
            raise ValueError(f"{what} must be a name or an initializer object, got None")
        return initializer

    @staticmethod
    def _declared_input(input_shape: Sequence[int] | None, input_dim: int | None) -> int | None:
        if input_shape is not None and input_dim is not None and feature_shape(input_shape, "input_shape") != input_dim:
            raise ValueError(f"input_shape {input_shape!r} and input_dim {input_dim!r} disagree")
        if input_shape is not None:
            return feature_shape(input_shape, "input_shape")
        return None if input_dim is None else feature_shape(input_dim, "input_dim")

    @property
    def built(self) -> bool:
        """True once build() has created the kernel and the bias."""
        return self.kernel is not None

    @property
    def output_shape(self) -> tuple[None, int]:
        """(None, units): None stands for the batch size m."""
        return (None, self.units)

    def build(self, input_shape: int | Sequence[int | None]) -> None:
        """Create kernel (n_in, units) and bias (units,) for inputs of shape (None, n_in) or (n_in,).

        Draws from this layer's own generator (see :mod:`.backend`), never from
        NumPy's global random state. Building again with the same n_in is a no-op.
        """
        dims = (input_shape,) if isinstance(input_shape, int | np.integer) else tuple(input_shape)
        n_in = feature_shape(dims[-1:], f"input shape of layer {self.name!r}")
        if self.built:
            if n_in != self.kernel.shape[0]:
                raise ValueError(f"layer {self.name!r} was built for {self.kernel.shape[0]} inputs and cannot take {n_in}")
            return
        self.layer_index, (kernel_rng, bias_rng) = backend.layer_generators(2)
        self.kernel = np.asarray(self.kernel_initializer((n_in, self.units), rng=kernel_rng), dtype=float)
        self.bias = np.asarray(self.bias_initializer((self.units,), rng=bias_rng), dtype=float)
        self.input_dim, self.weights_source = n_in, "initializer"
        self.initial_kernel_std = float(self.kernel.std())

    def _require_built(self, what: str) -> None:
        if not self.built:
            raise ValueError(
                f"layer {self.name!r} has no weights yet: {what} needs them, and they are created only once the "
                "input size is known. Start the Sequential with Input(shape=(n_x,)), or call model.build((None, n_x))."
            )

    def count_params(self) -> int:
        """n_in * units + units once built, else 0."""
        return 0 if not self.built else self.kernel.size + self.bias.size

    def get_weights(self) -> list[np.ndarray]:
        """[kernel (n_in, units), bias (units,)] as copies, in Keras' layout."""
        self._require_built("get_weights()")
        return [self.kernel.copy(), self.bias.copy()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Replace [kernel (n_in, units), bias (units,)]; shapes must match exactly."""
        self._require_built("set_weights()")
        weights = list(weights)
        expected = [self.kernel.shape, self.bias.shape]
        if len(weights) != 2:
            wanted = f"[kernel {expected[0]}, bias {expected[1]}]"
            raise ValueError(f"layer {self.name!r} expects 2 arrays {wanted}, got {len(weights)}")
        kernel = np.array(weights[0], dtype=float)
        bias = np.array(weights[1], dtype=float)
        self._check_shape("kernel", kernel, expected[0], "W[l] (n_l, n_l-1): pass W.T")
        self._check_shape("bias", bias, expected[1], "b[l] (n_l, 1): pass b.ravel()")
        self.kernel, self.bias, self.weights_source = kernel, bias, "set_weights"

    def _check_shape(self, what: str, value: np.ndarray, expected: tuple[int, ...], course_hint: str) -> None:
        if value.shape == expected:
            return
        message = f"layer {self.name!r}: {what} must have shape {expected}, got {value.shape}"
        course_shape = {"kernel": expected[::-1], "bias": (*expected, 1)}[what]
        if value.shape == course_shape:
            message += f"; that is the course layout {course_hint}"
        raise ValueError(message)

    def forward(self, A_prev: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """A = g(A_prev @ kernel + bias); A_prev: (m, n_in) -> A: (m, units), cache (A_prev, Z)."""
        self._require_built("forward()")
        A_prev = _as_2d("X", A_prev)
        n_in = self.kernel.shape[0]
        if A_prev.shape[1] != n_in:
            hint = " (it looks like the course layout (n_x, m): pass X.T)" if A_prev.shape[0] == n_in else ""
            raise ValueError(
                f"layer {self.name!r} expects inputs of shape (m, {n_in}), examples as rows, got {A_prev.shape}{hint}"
            )
        Z = A_prev @ self.kernel + self.bias
        return activation_forward(self.activation, Z), (A_prev, Z)

    def backward(self, dA: np.ndarray, cache: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """From dA (m, units) to (dA_prev (m, n_in), dkernel (n_in, units), dbias (units,)).

        dA is the gradient of the batch's *mean* loss, so the 1/m is already in it.
        """
        A_prev, Z = cache
        return self.backward_from_z(activation_backward(self.activation, dA, Z), A_prev)

    def backward_from_z(self, dZ: np.ndarray, A_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """dkernel = A_prev.T @ dZ, dbias = sum of dZ's rows, dA_prev = dZ @ kernel.T."""
        return dZ @ self.kernel.T, A_prev.T @ dZ, dZ.sum(axis=0)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """The layer's output for X (m, n_in); builds the layer first if needed, as Keras does."""
        X = _as_2d("X", X)
        if not self.built:
            self.build((None, X.shape[1]))
        return self.forward(X)[0]

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "units": self.units,
            "activation": self.activation,
            "kernel_initializer": initializers.describe(self.kernel_initializer),
            "bias_initializer": initializers.describe(self.bias_initializer),
        }

    def __repr__(self) -> str:
        shape = f"kernel {self.kernel.shape}" if self.built else "unbuilt"
        return f"<Dense name={self.name}, units={self.units}, activation={self.activation}, {shape}>"
