"""Statistical checks, for exercises where many different outputs are right (see judges/draws.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .judges import SeededDraws

Scale = Callable[[int], float]


def seeded_initializer_check(scale: Scale, layers_dims: Sequence[int] = (1000, 800, 600), seeds: tuple[int, int] = (5, 6),
                             relative_std_tolerance: float = 0.05, mean_sigmas: float = 6.0) -> SeededDraws:
    """The second verdict for ``f(layers_dims, seed)`` whose W[l] should be N(0, scale(n_{l-1})^2) and b[l] zeros.

    ``scale`` is needed only at the sizes checked, so the judge keeps a table of it and travels as data.
    """
    dims = tuple(int(n) for n in layers_dims)
    return SeededDraws(layers_dims=dims, scales={n: float(scale(n)) for n in dims[:-1]}, seeds=tuple(int(s) for s in seeds),
                       relative_std_tolerance=float(relative_std_tolerance), mean_sigmas=float(mean_sigmas))
