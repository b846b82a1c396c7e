"""The initialization assignment: data generation, preprocessing, and zeros, large random and He initialization.

Ids and points follow the seed notebook (10 points). Every case draws its
inputs from its own seeded generator. Public cases already have unequal noise
levels, a seed other than the default and three layers, so swapped arguments,
a hard-coded seed and a two-layer loop show in the check; hidden cases vary
sizes and values. Seeded initializers must use their seed (``seed_use``: two
calls in a row, two seeds); those that draw other numbers than the reference
(another generator, another order) are accepted when right in distribution.
Datasets and preprocessed arrays are compared without a dtype rule: the
instructions state none (labels 0./1. as floats are right).
"""

from __future__ import annotations

import numpy as np

from ... import nn
from ...grading.judges import SeedUse, Values
from ...grading.spec import Assignment, Case, Exercise, Mistake
from ...grading.stats import seeded_initializer_check
from . import alternatives as alt
from . import mistakes


def _dataset_args(n_train: int, n_test: int, noise_train: float, noise_test: float, seed_train: int, seed_test: int):
    return lambda rng: ([n_train, n_test, noise_train, noise_test, seed_train, seed_test], {})


def _random_dataset_args(rng: np.random.Generator) -> tuple[list, dict]:
    seeds = rng.choice(1000, size=2, replace=False)
    return [int(rng.integers(20, 200)), int(rng.integers(10, 80)), float(rng.uniform(0, 0.2)), float(rng.uniform(0, 0.2)),
            int(seeds[0]), int(seeds[1])], {}


def _preprocess_args(n_train: int, n_test: int, seed: int):
    return lambda rng: (list(nn.generate_dataset(n_train, n_test, 0.05, 0.05, seed, seed + 1)), {})


def _random_preprocess_args(rng: np.random.Generator) -> tuple[list, dict]:
    m_train, m_test = int(rng.integers(3, 60)), int(rng.integers(3, 30))
    return [rng.standard_normal((m_train, 2)), rng.integers(0, 2, m_train), rng.standard_normal((m_test, 2)),
            rng.integers(0, 2, m_test)], {}


def _dims(layers_dims: list[int], seed: int | None = None):
    return lambda rng: ([list(layers_dims)] + ([] if seed is None else [seed]), {})


def _random_dims(depth: int, seeded: bool):
    def make(rng: np.random.Generator) -> tuple[list, dict]:
        dims = [int(n) for n in rng.integers(1, 12, size=depth)]
        return [dims] + ([int(rng.integers(0, 100))] if seeded else []), {}

    return make


def _initializer_cases(seeded: bool, public: list[int], public_seed: int) -> list[Case]:
    return [
        Case("public", _dims(public, public_seed if seeded else None)),
        # Public, with a seed other than the default: a seed that is ignored (np.random.seed(3) hard-coded) shows in the check.
        Case("wider", _dims([5, 8, 4, 1], 7 if seeded else None)),
        Case("deeper", _random_dims(6, seeded), seed=41, hidden=True, varies="deeper networks"),
        Case("other seed", _random_dims(3, seeded), seed=42, hidden=True, varies="other seeds" if seeded else "other layer sizes"),
    ]


def _parameters_namer(path: tuple) -> str:
    if not path:
        return "parameters"
    key = str(path[0])
    return f"parameters['{key}'] ({key[0]}[{key[1:]}])" + "".join(f"[{p!r}]" for p in path[1:])


def _dataset_namer(path: tuple) -> str:
    names = ("train_X", "train_Y", "test_X", "test_Y")
    return "the returned tuple" if not path else f"{names[path[0]]} (item {path[0]} of the returned tuple)"


def _preprocessed_namer(path: tuple) -> str:
    names = ("preprocessed_train_X", "preprocessed_train_Y", "preprocessed_test_X", "preprocessed_test_Y")
    return "the returned tuple" if not path else f"{names[path[0]]} (item {path[0]})"


EXERCISES = [
    Exercise(
        id="TestDataGeneration", function="generate_dataset", points=2, reference=nn.generate_dataset,
        title="Data generation with make_circles", name_path=_dataset_namer, uses_randomness=True,
        judges=[Values(strict_dtype=False)],  # the instructions state no dtype: labels 0./1. as floats are right
        cases=[Case("public", _dataset_args(10, 5, 0.05, 0.05, 1, 2)),
               # Unequal noise levels and seeds: swapped arguments show in the check, not only in the grade.
               Case("unequal noise", _dataset_args(12, 6, 0.02, 0.15, 3, 4)),
               Case("study size", _dataset_args(300, 100, 0.05, 0.05, 1, 2), hidden=True, varies="the study's sizes"),
               Case("random sizes", _random_dataset_args, seed=7, hidden=True, varies="other sizes, noise and seeds")],
        mistakes=[Mistake(*m) for m in mistakes.GENERATE_DATASET],
        alternatives=[alt.generate_dataset_global_seed, alt.generate_dataset_random_state_objects, alt.generate_dataset_keywords],
    ),
    Exercise(
        id="TestPreprocessing", function="preprocess", points=2,
        reference=nn.preprocess, title="Examples as columns", name_path=_preprocessed_namer,
        judges=[Values(strict_dtype=False)],  # the instructions state no dtype: any numeric dtype with the right values
        cases=[Case("public", _preprocess_args(10, 5, 1)),
               Case("study size", _preprocess_args(300, 100, 1), hidden=True, varies="the study's sizes"),
               Case("random arrays", _random_preprocess_args, seed=11, hidden=True, varies="other numbers of examples")],
        mistakes=[Mistake(*m) for m in mistakes.PREPROCESS],
        alternatives=[alt.preprocess_reshape, alt.preprocess_transpose_newaxis, alt.preprocess_loop],
    ),
    Exercise(
        id="TestZeroInitialization", function="initialize_parameters_zeros", points=2,
        reference=nn.initialize_parameters_zeros, title="Zero initialization", name_path=_parameters_namer,
        cases=_initializer_cases(False, [3, 2, 1], 0), mistakes=[Mistake(*m) for m in mistakes.ZEROS],
        alternatives=[alt.zeros_comprehension, alt.zeros_zeros_like, alt.zeros_float32_free],
    ),
    Exercise(
        id="TestRandomInitialization", function="initialize_parameters_random", points=2,
        reference=nn.initialize_parameters_random, title="Large random initialization", name_path=_parameters_namer,
        uses_randomness=True, cases=_initializer_cases(True, [3, 2, 1], 3), mistakes=[Mistake(*m) for m in mistakes.RANDOM],
        judges=[Values(), SeedUse(seed_position=1), seeded_initializer_check(lambda n_prev: 10.0)],
        alternatives=[alt.random_global_seed, alt.random_private_generator, alt.random_default_rng, alt.random_normal_scale],
    ),
    Exercise(
        id="TestHeInitialization", function="initialize_parameters_he", points=2,
        reference=nn.initialize_parameters_he, title="He initialization", name_path=_parameters_namer,
        uses_randomness=True, cases=_initializer_cases(True, [3, 1, 2], 3), mistakes=[Mistake(*m) for m in mistakes.HE],
        judges=[Values(), SeedUse(seed_position=1), seeded_initializer_check(lambda n_prev: np.sqrt(2.0 / n_prev))],
        alternatives=[alt.he_global_seed, alt.he_private_generator, alt.he_default_rng, alt.he_divide_by_sqrt],
    ),
]

ASSIGNMENT = Assignment(
    name="initialization",
    title="Initialization: zeros, large random and He",
    exercises=EXERCISES,
    student_modules=("public_tests", "test_utils"),  # the course's checking modules: empty stand-ins (grading/guard.py)
    preload=["numpy", "sklearn.datasets", "matplotlib.pyplot"],  # what its notebook imports: loaded once, not per worker
    description="Generate the circles data, bring it into the course's layout, and implement three initializations.",
)
