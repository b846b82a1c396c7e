"""The convolution assignment: Course 4 Week 1, "Convolutional Model: Step by Step".

Eight exercises in the course's names and layout (examples first, channels
last), 100 points. The course grades only the four forward functions and
leaves backpropagation optional; here all eight count:

    zero_pad 10, conv_single_step 10, conv_forward 20, pool_forward 15,
    conv_backward 20, create_mask_from_window 5, distribute_value 5, pool_backward 15.

Fairness, as the engine and this declaration enforce it:

* every case builds its inputs from its own seeded generator before the
  student's code runs, so a conv_forward that fills Z with np.random.randn
  (the course forum's question, seed 000) shifts nothing and passes;
* conv_forward, conv_backward and pool_backward call other graded functions
  (``calls``): the grader answers those calls with the reference, so a wrong
  zero_pad costs zero_pad's points only;
* public cases already use pad = 0, strides other than 1, strides that do not
  divide evenly (the floor formula decides), the default mode and negative
  windows, so a mistake there shows in the student's check; hidden cases vary
  sizes and values (tests/test_parity.py holds every assignment to that);
* the backward exercises are also checked by finite differences (judges.py).

Ties in max pooling: the course's mask ``x == np.max(x)`` marks every
maximum, and the reference does too; the course also says ties need not be
considered, so a mask that marks only the first maximum (argmax) is accepted
as a correct alternative. No case has ties: inputs are continuous random
numbers, where the two rules agree.

Stand-in calls are one round trip each to the grader, and a call may make at
most 1000 of them (sandbox.MAX_STAND_IN_CALLS), so the cases of conv_forward
and pool_backward keep m * n_H * n_W * n_C small (at most 192).
"""

from __future__ import annotations

import numpy as np

from ...grading.judges import Values
from ...grading.spec import Assignment, Case, Exercise, Mistake
from ...kernels import conv as conv_fast
from . import alternatives as alt
from . import judges, mistakes


def _randn(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape)


def _pad_case(shape: tuple[int, ...], pad: int):
    return lambda rng: ([_randn(rng, *shape), pad], {})


def _step_case(f: int, n_C_prev: int):
    return lambda rng: ([_randn(rng, f, f, n_C_prev), _randn(rng, f, f, n_C_prev), _randn(rng, 1, 1, 1)], {})


def _conv_case(A_shape: tuple[int, int, int, int], f: int, n_C: int, stride: int, pad: int):
    def make(rng: np.random.Generator) -> tuple[list, dict]:
        n_C_prev = A_shape[3]
        return [_randn(rng, *A_shape), _randn(rng, f, f, n_C_prev, n_C), _randn(rng, 1, 1, 1, n_C),
                {"stride": stride, "pad": pad}], {}

    return make


def _pool_case(A_shape: tuple[int, int, int, int], f: int, stride: int, mode: str | None):
    # mode None: rely on the default, mode="max".
    return lambda rng: ([_randn(rng, *A_shape), {"f": f, "stride": stride}], {} if mode is None else {"mode": mode})


def _conv_backward_case(A_shape: tuple[int, int, int, int], f: int, n_C: int, stride: int, pad: int):
    """dZ and the cache conv_forward would return; dZ is random, as any upstream gradient may be."""

    def make(rng: np.random.Generator) -> tuple[list, dict]:
        (A_prev, W, b, hparameters), _ = _conv_case(A_shape, f, n_C, stride, pad)(rng)
        m, n_H_prev, n_W_prev, _ = A_shape
        n_H, n_W = (n_H_prev - f + 2 * pad) // stride + 1, (n_W_prev - f + 2 * pad) // stride + 1
        return [_randn(rng, m, n_H, n_W, n_C), (A_prev, W, b, hparameters)], {}

    return make


def _pool_backward_case(A_shape: tuple[int, int, int, int], f: int, stride: int, mode: str):
    def make(rng: np.random.Generator) -> tuple[list, dict]:
        A_prev = _randn(rng, *A_shape)
        m, n_H_prev, n_W_prev, n_C = A_shape
        dA = _randn(rng, m, (n_H_prev - f) // stride + 1, (n_W_prev - f) // stride + 1, n_C)
        return [dA, (A_prev, {"f": f, "stride": stride})], {"mode": mode}

    return make


def _mask_case(shape: tuple[int, int], negative: bool = False):
    # negative: every entry below 0, so the largest |x| is the minimum, not the maximum.
    return lambda rng: ([-np.abs(_randn(rng, *shape)) if negative else _randn(rng, *shape)], {})


def _distribute_case(dz: float | None, shape: tuple[int, int]):
    return lambda rng: ([float(rng.normal(0, 3)) if dz is None else dz, shape], {})


def _hidden(name: str, make: object, seed: int, varies: str) -> Case:
    return Case(name, make, seed=seed, hidden=True, varies=varies)


def _mistakes(listed: list[tuple]) -> list[Mistake]:
    return [Mistake(*entry) for entry in listed]


EXERCISES = [
    Exercise(
        id="zero_pad_test", function="zero_pad", points=10, reference=conv_fast.zero_pad,
        title="Zero padding", output_name="X_pad",
        cases=[Case("the course's sizes", _pad_case((4, 3, 3, 2), 3), seed=1),
               Case("a non-square batch", _pad_case((2, 4, 6, 3), 1), seed=2),
               Case("no padding", _pad_case((3, 2, 5, 1), 0), seed=11),
               _hidden("one tall image", _pad_case((1, 7, 2, 4), 2), 12, "other sizes")],
        mistakes=_mistakes(mistakes.ZERO_PAD),
        alternatives=[alt.zero_pad_list_form, alt.zero_pad_keywords, alt.zero_pad_by_slicing, alt.zero_pad_concatenate],
    ),
    Exercise(
        id="conv_single_step_test", function="conv_single_step", points=10,
        reference=conv_fast.conv_single_step, title="A single step of convolution", output_name="Z",
        cases=[Case("the course's sizes", _step_case(4, 3), seed=1),
               _hidden("a 1x1 filter", _step_case(1, 5), 11, "1x1 filters"),
               _hidden("one input channel", _step_case(3, 1), 12, "one input channel"),
               _hidden("a 5x5 filter", _step_case(5, 2), 13, "larger filters")],
        mistakes=_mistakes(mistakes.CONV_SINGLE_STEP),
        alternatives=[alt.conv_single_step_einsum, alt.conv_single_step_tensordot, alt.conv_single_step_flattened,
                      alt.conv_single_step_loops],
    ),
    Exercise(
        id="conv_forward_test", function="conv_forward", points=20,
        reference=conv_fast.conv_forward, title="Convolution forward", calls=("zero_pad", "conv_single_step"),
        name_path=judges.output_namer(("Z", "cache"), ("A_prev", "W", "b", "hparameters")),
        cases=[Case("the course's sizes: pad 1, stride 2", _conv_case((2, 5, 7, 4), 3, 8, 2, 1), seed=1),
               Case("stride 1, no padding", _conv_case((2, 4, 5, 3), 2, 4, 1, 0), seed=11),
               Case("a stride that does not divide evenly", _conv_case((1, 6, 9, 2), 3, 3, 3, 2), seed=12),
               _hidden("a large pad", _conv_case((1, 3, 4, 2), 3, 1, 2, 4), 13, "a pad larger than the filter"),
               _hidden("a 1x1 filter", _conv_case((3, 3, 4, 5), 1, 2, 2, 0), 14, "1x1 filters")],
        mistakes=_mistakes(mistakes.CONV_FORWARD),
        alternatives=[alt.conv_forward_randn, alt.conv_forward_ones, alt.conv_forward_empty, alt.conv_forward_windows,
                      alt.conv_forward_channels_at_once],
    ),
    Exercise(
        id="pool_forward_test", function="pool_forward", points=15,
        reference=conv_fast.pool_forward, title="Pooling forward",
        name_path=judges.output_namer(("A", "cache"), ("A_prev", "hparameters")),
        cases=[Case("max, stride 1", _pool_case((2, 5, 7, 3), 3, 1, "max"), seed=1),
               Case("average, stride 2", _pool_case((2, 5, 7, 3), 3, 2, "average"), seed=2),
               Case("max, a stride that does not divide evenly", _pool_case((2, 7, 9, 2), 2, 3, "max"), seed=11),
               _hidden("average, a stride that does not divide evenly", _pool_case((2, 8, 6, 2), 3, 3, "average"), 12,
                       "strides that do not divide evenly"),
               Case("the default mode", _pool_case((1, 4, 4, 3), 2, 2, None), seed=13),
               _hidden("one window", _pool_case((3, 3, 3, 1), 3, 1, "average"), 14, "a window as large as the image")],
        mistakes=_mistakes(mistakes.POOL_FORWARD),
        alternatives=[alt.pool_forward_windows, alt.pool_forward_channels_at_once, alt.pool_forward_math_floor],
    ),
    Exercise(
        id="conv_backward_test", function="conv_backward", points=20,
        reference=conv_fast.conv_backward, title="Convolution backward", calls=("zero_pad",),
        name_path=judges.output_namer(("dA_prev", "dW", "db")), judges=[Values(), judges.CONV_BACKWARD_GRADIENTS],
        cases=[Case("the course's sizes: pad 2, stride 2", _conv_backward_case((10, 4, 4, 3), 2, 8, 2, 2), seed=1),
               Case("stride 1, no padding", _conv_backward_case((2, 5, 4, 2), 3, 3, 1, 0), seed=11),
               _hidden("a stride that does not divide evenly", _conv_backward_case((2, 7, 6, 1), 3, 2, 3, 1), 12,
                       "strides that do not divide evenly"),
               _hidden("overlapping windows", _conv_backward_case((1, 5, 6, 2), 3, 2, 1, 1), 13,
                       "overlapping windows (stride < f)")],
        mistakes=_mistakes(mistakes.CONV_BACKWARD),
        alternatives=[alt.conv_backward_channels_at_once, alt.conv_backward_np_pad_and_guarded_unpad,
                      alt.conv_backward_kernel_offsets],
    ),
    Exercise(
        id="create_mask_from_window_test", function="create_mask_from_window", points=5,
        reference=conv_fast.create_mask_from_window, title="The mask of a window's maximum", output_name="mask",
        judges=[Values(strict_dtype=False)],  # a mask of 0.0 and 1.0 routes the gradient exactly as a boolean one
        cases=[Case("the course's sizes", _mask_case((2, 3)), seed=1),
               _hidden("a square window", _mask_case((3, 3)), 11, "square windows"),
               Case("negative entries", _mask_case((2, 4), negative=True), seed=12),
               _hidden("a 1x1 window", _mask_case((1, 1)), 13, "a 1x1 window")],
        mistakes=_mistakes(mistakes.CREATE_MASK),
        alternatives=[alt.mask_argmax_only, alt.mask_as_floats, alt.mask_greater_equal],
    ),
    Exercise(
        id="distribute_value_test", function="distribute_value", points=5,
        reference=conv_fast.distribute_value, title="Sharing a gradient over a window", output_name="a",
        cases=[Case("the course's values", _distribute_case(2.0, (2, 2)), seed=1),
               Case("a rectangular window", _distribute_case(None, (2, 3)), seed=2),
               _hidden("a tall window", _distribute_case(None, (3, 2)), 11, "other window shapes"),
               _hidden("a row", _distribute_case(-1.5, (1, 4)), 12, "negative gradients"),
               _hidden("a large window", _distribute_case(None, (5, 5)), 13, "other window shapes")],
        mistakes=_mistakes(mistakes.DISTRIBUTE_VALUE),
        alternatives=[alt.distribute_full, alt.distribute_loops, alt.distribute_broadcast],
    ),
    Exercise(
        id="pool_backward_test", function="pool_backward", points=15,
        reference=conv_fast.pool_backward, title="Pooling backward", output_name="dA_prev",
        calls=("create_mask_from_window", "distribute_value"), judges=[Values(), judges.POOL_BACKWARD_GRADIENTS],
        cases=[Case("max, the course's sizes", _pool_backward_case((5, 5, 3, 2), 2, 1, "max"), seed=1),
               Case("average, the course's sizes", _pool_backward_case((5, 5, 3, 2), 2, 1, "average"), seed=2),
               Case("max, a stride that does not divide evenly", _pool_backward_case((2, 7, 5, 2), 3, 2, "max"), seed=11),
               _hidden("average, a stride that does not divide evenly", _pool_backward_case((2, 6, 7, 2), 2, 3, "average"),
                       12, "strides that do not divide evenly"),
               _hidden("max, windows side by side", _pool_backward_case((2, 4, 6, 3), 2, 2, "max"), 13,
                       "windows that do not overlap")],
        mistakes=_mistakes(mistakes.POOL_BACKWARD),
        alternatives=[alt.pool_backward_inline, alt.pool_backward_argmax_only, alt.pool_backward_kernel_offsets],
    ),
]

ASSIGNMENT = Assignment(
    name="convolution",
    title="Convolutional model, step by step",
    exercises=EXERCISES,
    student_modules=("public_tests", "test_utils"),  # the course's checking modules: empty stand-ins (grading/guard.py)
    preload=["numpy", "matplotlib.pyplot"],  # what its notebook imports (a filter or two): loaded once, not per worker
    description="Padding, a single convolution step, convolution and pooling forward, and their backward passes, in NumPy.",
)
