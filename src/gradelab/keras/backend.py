"""Session state: the global seed, the per-layer counter, and Keras-style default names.

Keras (TensorFlow) answers "where do the initial weights come from?" with two
seeds: a global one (``tf.random.set_seed``) and an operation-level counter
that advances each time a random op is created. The same program run after the
same ``set_seed`` therefore creates the same ops in the same order and gets
the same numbers. gradelab mirrors that with NumPy's ``SeedSequence``: the
k-th layer built after ``set_seed(s)`` draws from a generator whose seed is
derived from ``(s, k)``. NumPy's global random state is never touched, so a
student's ``np.random.seed`` elsewhere neither disturbs nor is disturbed by it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np

# Separate counters so that shuffling in fit() never shifts the weights of
# the next model built, and vice versa.
_WEIGHTS, _SHUFFLE = 0, 1


class _Session:
    """Everything ``set_seed`` and ``clear_session`` reset."""

    def __init__(self) -> None:
        self.seed: int | None = None
        # Without set_seed, Keras draws a random global seed: results differ
        # from run to run. Fresh OS entropy does the same here.
        self.entropy: int = np.random.SeedSequence().entropy
        self.counters = {_WEIGHTS: itertools.count(), _SHUFFLE: itertools.count()}
        self.names: defaultdict[str, int] = defaultdict(int)


_session = _Session()


def set_seed(seed: int) -> None:
    """Make every later weight draw and shuffle reproducible, like ``tf.random.set_seed``.

    Resets the per-layer counter, so rebuilding the same program after the same
    ``set_seed`` gives identical weights. Layer names are *not* reset (Keras
    keeps counting "dense_1", "dense_2", ... until :func:`clear_session`).
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    _session.seed = int(seed)
    _session.counters = {_WEIGHTS: itertools.count(), _SHUFFLE: itertools.count()}


def get_seed() -> int | None:
    """The seed given to :func:`set_seed`, or None if it was never called."""
    return _session.seed


def clear_session() -> None:
    """Forget the seed, the counters and the default names ("dense" starts again)."""
    global _session
    _session = _Session()


def _seed_sequence(kind: int) -> tuple[int, np.random.SeedSequence]:
    """The next seed of one kind, derived from (global seed, kind, counter)."""
    index = next(_session.counters[kind])
    entropy = _session.entropy if _session.seed is None else _session.seed
    return index, np.random.SeedSequence(entropy, spawn_key=(kind, index))


def layer_generators(count: int) -> tuple[int, list[np.random.Generator]]:
    """(k, generators) for the k-th layer built since :func:`set_seed`: one generator per weight.

    Giving the kernel and the bias their own streams means changing one
    initializer never changes the other's values.
    """
    index, seed = _seed_sequence(_WEIGHTS)
    return index, [np.random.default_rng(child) for child in seed.spawn(count)]


def shuffle_generator() -> np.random.Generator:
    """A generator for one call of ``fit``'s shuffling."""
    return np.random.default_rng(_seed_sequence(_SHUFFLE)[1])


def unique_name(prefix: str) -> str:
    """Keras' default names: "dense", then "dense_1", "dense_2", ... per session."""
    count = _session.names[prefix]
    _session.names[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"
