"""gradelab.keras.initializers: each distribution's mean, standard deviation and bounds on a large kernel.

The kernel is (1000, 800) in Keras' layout: fan_in = 1000, fan_out = 800, so
a scheme that used the wrong fan would be off by sqrt(1000/800) = 12% (or by
5% for fan_avg = 900), and a truncated normal without Keras' 0.8796 correction
by 12%. The tolerance on the standard deviation is 1%, about 12 standard
errors for 800,000 draws, so the tests do not flake and still catch those bugs.
"""

import math

import numpy as np
import pytest

from gradelab.keras import clear_session, initializers, set_seed

SHAPE = (1000, 800)
FAN_IN, FAN_OUT = SHAPE
FAN_AVG = (FAN_IN + FAN_OUT) / 2
STD_TOLERANCE = 0.01


@pytest.fixture(autouse=True)
def fresh_session():
    clear_session()
    set_seed(0)


def kurtosis(values):
    centered = values - values.mean()
    return float(np.mean(centered**4) / np.mean(centered**2) ** 2)


def check_distribution(values, std, kind, mean=0.0):
    """Assert mean, standard deviation and the shape of the tails for kind in uniform/truncated/normal."""
    n = values.size
    assert abs(values.mean() - mean) < 5 * std / math.sqrt(n), f"mean {values.mean()} is not {mean}"
    assert values.std() == pytest.approx(std, rel=STD_TOLERANCE), f"std {values.std()} is not {std}"
    spread = np.abs(values - mean).max()
    if kind == "uniform":
        limit = math.sqrt(3) * std
        assert limit * 0.999 < spread <= limit
        assert kurtosis(values) == pytest.approx(1.8, abs=0.02)
    elif kind == "truncated":
        bound = 2 * std / initializers.TRUNCATED_STDDEV_FACTOR
        assert bound * 0.99 < spread <= bound
        assert kurtosis(values) == pytest.approx(2.37, abs=0.03)  # a normal cut at 2 sigma
    else:
        assert spread > 4 * std  # untruncated: 800,000 normal draws reach beyond 4 sigma
        assert kurtosis(values) == pytest.approx(3.0, abs=0.05)


NAMED = [
    ("glorot_uniform", math.sqrt(1 / FAN_AVG), "uniform"),
    ("glorot_normal", math.sqrt(1 / FAN_AVG), "truncated"),
    ("he_normal", math.sqrt(2 / FAN_IN), "truncated"),
    ("he_uniform", math.sqrt(2 / FAN_IN), "uniform"),
    ("lecun_normal", math.sqrt(1 / FAN_IN), "truncated"),
    ("lecun_uniform", math.sqrt(1 / FAN_IN), "uniform"),
    ("random_normal", 0.05, "normal"),
    ("random_uniform", 0.1 / math.sqrt(12), "uniform"),
    ("truncated_normal", 0.05 * initializers.TRUNCATED_STDDEV_FACTOR, "truncated"),
]


@pytest.mark.parametrize("name, std, kind", NAMED)
def test_named_initializer_distribution(name, std, kind):
    initializer = initializers.get(name)
    values = initializer(SHAPE)
    assert values.shape == SHAPE and values.dtype == np.float64
    check_distribution(values, std, kind)
    assert initializer.stddev(SHAPE) == pytest.approx(std)


@pytest.mark.parametrize(
    "mode, fan", [("fan_in", FAN_IN), ("fan_out", FAN_OUT), ("fan_avg", FAN_AVG)], ids=["fan_in", "fan_out", "fan_avg"]
)
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_core(mode, fan, distribution):
    initializer = initializers.VarianceScaling(scale=3.0, mode=mode, distribution=distribution)
    kind = {"truncated_normal": "truncated", "untruncated_normal": "normal", "uniform": "uniform"}[distribution]
    check_distribution(initializer(SHAPE), math.sqrt(3.0 / fan), kind)


def test_the_checks_catch_fan_out_used_for_fan_in():
    """A he_normal that used fan_out (800) instead of fan_in (1000) must fail the he_normal test."""
    buggy = initializers.VarianceScaling(2.0, "fan_out", "truncated_normal")(SHAPE)
    with pytest.raises(AssertionError):
        check_distribution(buggy, math.sqrt(2 / FAN_IN), "truncated")


def test_the_checks_catch_a_missing_truncation_correction():
    """Truncating N(0, s) at 2s without dividing s by 0.8796 gives std 0.88 s: must fail."""
    std = math.sqrt(2 / FAN_IN)
    uncorrected = initializers.truncated_normal(np.random.default_rng(0), SHAPE, 0.0, std)
    with pytest.raises(AssertionError):
        check_distribution(uncorrected, std, "truncated")


def test_the_checks_catch_a_normal_sold_as_truncated():
    std = math.sqrt(2 / FAN_IN)
    with pytest.raises(AssertionError):
        check_distribution(np.random.default_rng(0).normal(0, std, SHAPE), std, "truncated")


def test_constant_initializers():
    assert np.array_equal(initializers.get("zeros")((3, 2)), np.zeros((3, 2)))
    assert np.array_equal(initializers.get("ones")((4,)), np.ones(4))
    assert np.array_equal(initializers.Constant(0.5)((2, 2)), np.full((2, 2), 0.5))
    assert initializers.Constant(0.5).stddev((2, 2)) == 0.0


def test_registry_names_classes_and_objects():
    assert isinstance(initializers.get("he_normal"), initializers.HeNormal)
    assert isinstance(initializers.get("HeNormal"), initializers.HeNormal)
    assert isinstance(initializers.get(initializers.GlorotUniform), initializers.GlorotUniform)
    obj = initializers.RandomNormal(stddev=1.0)
    assert initializers.get(obj) is obj
    assert initializers.get(None) is None
    assert isinstance(initializers.get("glorot_uniform"), initializers.VarianceScaling)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown initializer 'xavier'") as error:
        initializers.get("xavier")
    for name in ("glorot_uniform", "he_normal", "lecun_normal", "zeros", "constant"):
        assert name in str(error.value)
    with pytest.raises(ValueError, match="must be a name or an Initializer"):
        initializers.get(3)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"mode": "fan"}, "mode must be one of"),
        ({"distribution": "normal"}, "distribution must be one of"),
        ({"scale": 0}, "scale"),
    ],
)
def test_variance_scaling_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        initializers.VarianceScaling(**kwargs)


def test_compute_fans_follows_keras():
    assert initializers.compute_fans((1000, 800)) == (1000, 800)
    assert initializers.compute_fans((7,)) == (7, 7)
    assert initializers.compute_fans((3, 3, 4, 8)) == (36, 72)  # conv kernel (kh, kw, in, out)


def test_seeded_initializer_repeats_and_unseeded_follows_set_seed():
    seeded = initializers.GlorotUniform(seed=7)
    assert np.array_equal(seeded((3, 2)), seeded((3, 2)))
    set_seed(5)
    first = initializers.HeNormal()((3, 2))
    set_seed(5)
    assert np.array_equal(initializers.HeNormal()((3, 2)), first)


def test_initializers_leave_numpy_global_state_alone():
    np.random.seed(3)
    state = np.random.get_state()[1].copy()
    initializers.get("he_normal")(SHAPE)
    assert np.array_equal(np.random.get_state()[1], state)
