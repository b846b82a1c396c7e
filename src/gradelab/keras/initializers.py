"""Keras initializers over NumPy, by name or as objects, with one variance-scaling core.

Shapes are Keras' (the kernel of a Dense layer is (n_in, n_out), i.e. W[l].T).
For such a 2-D shape ``fan_in = shape[0]`` (= n_{l-1}) and ``fan_out = shape[1]``
(= n_l); a 1-D shape (a bias) has fan_in = fan_out = its length.

Every named random scheme is ``VarianceScaling(scale, mode, distribution)``:

    glorot_uniform = VarianceScaling(1, "fan_avg", "uniform")         (Keras' Dense default)
    glorot_normal  = VarianceScaling(1, "fan_avg", "truncated_normal")
    he_normal      = VarianceScaling(2, "fan_in",  "truncated_normal")
    he_uniform     = VarianceScaling(2, "fan_in",  "uniform")
    lecun_normal   = VarianceScaling(1, "fan_in",  "truncated_normal")
    lecun_uniform  = VarianceScaling(1, "fan_in",  "uniform")

with target standard deviation sqrt(scale / n), n the chosen fan. Each object
also answers :meth:`Initializer.stddev`, the standard deviation it aims for,
which ``Sequential.explain_weights`` compares with what was drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from . import backend

Shape = Sequence[int]

# The standard deviation of a standard normal truncated to [-2, 2]. Keras
# divides the requested stddev by it so that, after truncation at two
# (pre-correction) standard deviations, the values have the stddev it names.
TRUNCATED_STDDEV_FACTOR = 0.87962566103423978
MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


def compute_fans(shape: Shape) -> tuple[int, int]:
    """(fan_in, fan_out) as Keras computes them: (n_in, n_out) for a (n_in, n_out) kernel."""
    shape = tuple(int(n) for n in shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    # Convolution kernels (..., in, out): every receptive-field position counts.
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def truncated_normal(rng: np.random.Generator, shape: Shape, mean: float, stddev: float) -> np.ndarray:
    """Normal(mean, stddev) values, redrawing any farther than 2 stddev from the mean (as TF does)."""
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return mean + stddev * values


class Initializer:
    """Base class: ``initializer(shape, rng=None) -> ndarray`` of float64.

    ``rng`` is where a layer passes its own generator (see :mod:`.backend`);
    a random initializer built with ``seed=`` ignores it and gives the same
    values at every call, as a seeded Keras 3 initializer does.
    """

    def __call__(self, shape: Shape, dtype: object = None, rng: np.random.Generator | None = None) -> np.ndarray:
        raise NotImplementedError

    def stddev(self, shape: Shape) -> float:
        """The standard deviation of the values this initializer aims for."""
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Constant(Initializer):
    """Every entry equal to ``value`` (standard deviation 0: no symmetry breaking)."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = float(value)

    def __call__(self, shape: Shape, dtype: object = None, rng: np.random.Generator | None = None) -> np.ndarray:
        return np.full(tuple(shape), self.value, dtype=float)

    def stddev(self, shape: Shape) -> float:
        return 0.0

    def get_config(self) -> dict:
        return {"value": self.value}


class Zeros(Constant):
    """All zeros: Keras' default for biases."""

    def __init__(self) -> None:
        super().__init__(0.0)

    def get_config(self) -> dict:
        return {}


class Ones(Constant):
    """All ones."""

    def __init__(self) -> None:
        super().__init__(1.0)

    def get_config(self) -> dict:
        return {}


class RandomInitializer(Initializer):
    """Shared seed handling: a fixed ``seed`` wins over the layer's generator."""

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
            raise ValueError(f"seed must be an integer or None, got {seed!r}")
        self.seed = seed

    def _rng(self, rng: np.random.Generator | None) -> np.random.Generator:
        if self.seed is not None:
            return np.random.default_rng(self.seed)
        # Called on its own (not by a layer): take the next layer stream.
        return rng if rng is not None else backend.layer_generators(1)[1][0]

    def __call__(self, shape: Shape, dtype: object = None, rng: np.random.Generator | None = None) -> np.ndarray:
        return self.sample(self._rng(rng), tuple(int(n) for n in shape))

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"seed": self.seed}


class RandomNormal(RandomInitializer):
    """Normal(mean, stddev); Keras' default stddev is 0.05."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self._stddev = float(mean), float(stddev)

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return rng.normal(self.mean, self._stddev, shape)

    def stddev(self, shape: Shape) -> float:
        return self._stddev

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self._stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """Normal(mean, stddev) redrawn beyond 2 stddev (no correction: the result's stddev is ~0.88 stddev)."""

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return truncated_normal(rng, shape, self.mean, self._stddev)

    def stddev(self, shape: Shape) -> float:
        return self._stddev * TRUNCATED_STDDEV_FACTOR


class RandomUniform(RandomInitializer):
    """Uniform on [minval, maxval); Keras' default is [-0.05, 0.05)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        if not minval < maxval:
            raise ValueError(f"RandomUniform needs minval < maxval, got minval={minval}, maxval={maxval}")
        self.minval, self.maxval = float(minval), float(maxval)

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return rng.uniform(self.minval, self.maxval, shape)

    def stddev(self, shape: Shape) -> float:
        return (self.maxval - self.minval) / math.sqrt(12.0)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class VarianceScaling(RandomInitializer):
    """Values with standard deviation sqrt(scale / n), n = fan_in, fan_out or their average.

    ``truncated_normal``: normal with stddev sqrt(scale / n) / 0.8796..., redrawn
    beyond 2 of those stddevs, so the truncated values have stddev sqrt(scale / n).
    ``untruncated_normal``: plain normal with stddev sqrt(scale / n).
    ``uniform``: uniform on [-limit, limit] with limit = sqrt(3 scale / n).
    """

    def __init__(
        self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal", seed: int | None = None
    ) -> None:
        super().__init__(seed)
        if not scale > 0:
            raise ValueError(f"scale must be positive, got {scale!r}")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if distribution not in DISTRIBUTIONS:
            raise ValueError(f"distribution must be one of {DISTRIBUTIONS}, got {distribution!r}")
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def fan(self, shape: Shape) -> float:
        """n in sqrt(scale / n): the fan the mode picks (at least 1, as in Keras)."""
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        return max(1.0, float(n))

    def stddev(self, shape: Shape) -> float:
        return math.sqrt(self.scale / self.fan(shape))

    def limit(self, shape: Shape) -> float:
        """The uniform distribution's bound sqrt(3 scale / n) (stddev = limit / sqrt(3))."""
        return math.sqrt(3.0) * self.stddev(shape)

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        stddev = self.stddev(shape)
        if self.distribution == "truncated_normal":
            return truncated_normal(rng, shape, 0.0, stddev / TRUNCATED_STDDEV_FACTOR)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, stddev, shape)
        limit = self.limit(shape)
        return rng.uniform(-limit, limit, shape)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


def _named(class_name: str, scale: float, mode: str, distribution: str, doc: str) -> type[VarianceScaling]:
    """A VarianceScaling subclass with fixed arguments, as Keras defines GlorotUniform & co."""

    def __init__(self: VarianceScaling, seed: int | None = None) -> None:
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self: VarianceScaling) -> dict:
        return {"seed": self.seed}

    return type(class_name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc})


GlorotUniform = _named("GlorotUniform", 1.0, "fan_avg", "uniform", "Glorot (Xavier) uniform: limit sqrt(6 / (fan_in + fan_out)).")
GlorotNormal = _named("GlorotNormal", 1.0, "fan_avg", "truncated_normal", "Glorot normal: stddev sqrt(2 / (fan_in + fan_out)).")
HeNormal = _named("HeNormal", 2.0, "fan_in", "truncated_normal", "He normal: stddev sqrt(2 / fan_in), for ReLU layers.")
HeUniform = _named("HeUniform", 2.0, "fan_in", "uniform", "He uniform: limit sqrt(6 / fan_in).")
LecunNormal = _named("LecunNormal", 1.0, "fan_in", "truncated_normal", "LeCun normal: stddev sqrt(1 / fan_in).")
LecunUniform = _named("LecunUniform", 1.0, "fan_in", "uniform", "LeCun uniform: limit sqrt(3 / fan_in).")

ALL_INITIALIZERS: dict[str, type[Initializer]] = {
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_normal": HeNormal,
    "he_uniform": HeUniform,
    "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform,
    "random_normal": RandomNormal,
    "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
}
# Keras also accepts the class names ("GlorotUniform") and a few aliases.
_ALIASES = {cls.__name__.lower(): name for name, cls in ALL_INITIALIZERS.items()}
_ALIASES.update({"zero": "zeros", "one": "ones", "normal": "random_normal", "uniform": "random_uniform"})


def get(identifier: str | Initializer | None) -> Initializer | None:
    """An initializer from a name ("he_normal", "HeNormal") or an object (returned as is).

    Raises ValueError naming the known initializers for an unknown name.
    """
    if identifier is None or isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, str):
        key = identifier.lower()
        key = _ALIASES.get(key.replace("_", ""), key) if key not in ALL_INITIALIZERS else key
        if key in ALL_INITIALIZERS:
            return ALL_INITIALIZERS[key]()
        raise ValueError(f"Unknown initializer {identifier!r}. Known initializers: {', '.join(sorted(ALL_INITIALIZERS))}")
    raise ValueError(f"An initializer must be a name or an Initializer object, got {type(identifier).__name__}: {identifier!r}")


def describe(initializer: Initializer) -> str:
    """A short human description, e.g. "GlorotUniform = VarianceScaling(1, fan_avg, uniform)"."""
    name = type(initializer).__name__
    if isinstance(initializer, VarianceScaling):
        core = f"VarianceScaling({initializer.scale:g}, {initializer.mode}, {initializer.distribution})"
        return core if name == "VarianceScaling" else f"{name} = {core}"
    return repr(initializer)
