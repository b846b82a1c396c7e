"""Tests of gradelab.nn.conv (loops) and gradelab.kernels.conv (vectorized).

Expected numbers marked "course" are the published outputs of Course 4 Week 1,
"Convolutional Model: Step by Step" (the notebook's expected outputs and its
public_tests.py), as found in public copies of the assignment, each checked
against at least two independent copies. They are printed to 8 significant
digits, so they are compared with np.allclose's defaults.
"""

from __future__ import annotations

import numpy as np
import pytest

from gradelab.kernels import conv as conv_fast
from gradelab.nn import conv
from gradelab.nn.gradcheck import numerical_gradient, relative_error

IMPLEMENTATIONS = [pytest.param(conv, id="loops"), pytest.param(conv_fast, id="fast")]


# ---------------------------------------------------------------------------
# The course's published numbers, for both implementations.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_zero_pad_course(impl):
    # course: zero_pad_test, test 1
    np.random.seed(1)
    x = np.random.randn(4, 3, 3, 2)
    x_pad = impl.zero_pad(x, 3)
    assert x_pad.shape == (4, 9, 9, 2)
    np.testing.assert_array_equal(x_pad[:, 3:6, 3:6, :], x)
    x_pad[:, 3:6, 3:6, :] = 0
    assert not x_pad.any(), "only zeros around the images"


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_conv_single_step_course(impl):
    # course: seed 1, (4, 4, 3) -> -6.999089450680221; public_tests: seed 3, (5, 5, 3) -> -3.5443670581382474
    for seed, shape, expected in ((1, (4, 4, 3), -6.999089450680221), (3, (5, 5, 3), -3.5443670581382474)):
        np.random.seed(seed)
        a_slice_prev = np.random.randn(*shape)
        W = np.random.randn(*shape)
        b = np.random.randn(1, 1, 1)
        Z = impl.conv_single_step(a_slice_prev, W, b)
        assert isinstance(Z, float) and type(Z) is np.float64
        assert np.isclose(Z, expected)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_conv_forward_course(impl):
    # course: Exercise 3, conv_forward_test_1
    np.random.seed(1)
    A_prev = np.random.randn(2, 5, 7, 4)
    W = np.random.randn(3, 3, 4, 8)
    b = np.random.randn(1, 1, 1, 8)
    Z, cache_conv = impl.conv_forward(A_prev, W, b, {"pad": 1, "stride": 2})
    assert Z.shape == (2, 3, 4, 8)
    assert np.isclose(np.mean(Z), 0.5511276474566768)
    expected = [-2.17796037, 8.07171329, -0.5772704, 3.36286738, 4.48113645, -2.89198428, 10.99288867, 3.03171932]
    assert np.allclose(Z[0, 2, 1], expected)
    assert np.allclose(cache_conv[0][1][2][3], [-1.1191154, 1.9560789, -0.3264995, -1.34267579])


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_conv_forward_course_test_2_draws_no_random_numbers(impl):
    # course: conv_forward_test_2. Its last case draws W and b *after* calling
    # conv_forward without reseeding, so it fails for an implementation that
    # consumes random numbers (e.g. Z = np.random.randn(...) instead of np.zeros).
    np.random.seed(3)
    A_prev = np.random.randn(2, 5, 7, 4)
    W = np.random.randn(3, 3, 4, 8)
    b = np.random.randn(1, 1, 1, 8)
    Z, _ = impl.conv_forward(A_prev, W, b, {"pad": 3, "stride": 1})
    assert Z.shape == (2, 9, 11, 8)
    Z, _ = impl.conv_forward(A_prev, W, b, {"pad": 0, "stride": 2})
    assert Z.shape == (2, 2, 3, 8)
    W = np.random.randn(5, 5, 4, 8)
    b = np.random.randn(1, 1, 1, 8)
    Z, cache_conv = impl.conv_forward(A_prev, W, b, {"pad": 6, "stride": 1})
    assert Z.shape == (2, 13, 15, 8)
    assert np.isclose(np.mean(Z), -0.5384027772160062)
    expected_conv = [
        [1.98848968, 1.19505834, -0.0952376, -0.52718778],
        [-0.32158469, 0.15113037, -0.01862772, 0.48352879],
        [0.76896516, 1.36624284, 1.14726479, -0.11022916],
        [0.38825041, -0.38712718, -0.58722031, 1.91082685],
        [-0.45984615, 1.99073781, -0.34903539, 0.25282509],
        [1.08940955, 0.02392202, 0.39312528, -0.2413848],
        [-0.47552486, -0.16577702, -0.64971742, 1.63138295],
    ]
    assert np.allclose(cache_conv[0][1, 2], expected_conv)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_forward_leaves_the_global_random_state_alone(impl):
    np.random.seed(0)
    before = np.random.get_state()[1].copy(), np.random.get_state()[2]
    rng = np.random.default_rng(0)
    Z, cache = impl.conv_forward(
        rng.normal(size=(2, 5, 5, 2)), rng.normal(size=(3, 3, 2, 4)), np.zeros((1, 1, 1, 4)), {"pad": 1, "stride": 1}
    )
    impl.conv_backward(Z, cache)
    A, cache = impl.pool_forward(Z, {"f": 2, "stride": 2})
    impl.pool_backward(A, cache)
    after = np.random.get_state()
    np.testing.assert_array_equal(after[1], before[0])
    assert after[2] == before[1]


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_conv_forward_and_backward_course_first_edition(impl):
    # course (earlier edition): conv_forward with pad 2, stride 2, then conv_backward(Z, cache_conv)
    np.random.seed(1)
    A_prev = np.random.randn(10, 4, 4, 3)
    W = np.random.randn(2, 2, 3, 8)
    b = np.random.randn(1, 1, 1, 8)
    Z, cache_conv = impl.conv_forward(A_prev, W, b, {"pad": 2, "stride": 2})
    assert np.isclose(np.mean(Z), 0.048995203528855794)
    expected = [-0.61490741, -6.7439236, -2.55153897, 1.75698377, 3.56208902, 0.53036437, 5.18531798, 8.75898442]
    assert np.allclose(Z[3, 2, 1], expected)
    assert np.allclose(cache_conv[0][1][2][3], [-0.20075807, 0.18656139, 0.41005165])
    dA, dW, db = impl.conv_backward(Z, cache_conv)
    assert dA.shape == (10, 4, 4, 3) and dW.shape == (2, 2, 3, 8) and db.shape == (1, 1, 1, 8)
    assert np.isclose(np.mean(dA), 1.4524377775388075)
    assert np.isclose(np.mean(dW), 1.7269914583139097)
    assert np.isclose(np.mean(db), 7.839232564616838)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_pool_forward_course(impl):
    # course: pool_forward_test (f=2, stride=1) and the notebook's cases 1 (f=3, stride=1) and 2 (f=3, stride=2)
    np.random.seed(1)
    A_prev = np.random.randn(2, 5, 5, 3)
    A, cache = impl.pool_forward(A_prev, {"stride": 1, "f": 2}, mode="max")
    expected_max = [
        [1.19891788, 0.74055645, 0.07734007],
        [0.31515939, 0.84616065, 0.07734007],
        [0.69803203, 0.84616065, 1.2245077],
        [0.69803203, 1.12141771, 1.2245077],
    ]
    assert np.allclose(A[1, 1], expected_max)
    expected_cache = [
        [0.16938243, 0.74055645, -0.9537006],
        [-0.26621851, 0.03261455, -1.37311732],
        [0.31515939, 0.84616065, -0.85951594],
        [0.35054598, -1.31228341, -0.03869551],
        [-1.61577235, 1.12141771, 0.40890054],
    ]
    assert np.allclose(cache[0][1, 2], expected_cache)
    A, _ = impl.pool_forward(A_prev, {"stride": 1, "f": 2}, mode="average")
    expected_average = [
        [0.11583785, 0.34545544, -0.6561907],
        [-0.2334108, 0.3364666, -0.69382351],
        [0.25497093, -0.21741362, -0.07342615],
        [-0.04092568, -0.01110394, 0.12495022],
    ]
    assert np.allclose(A[1, 1], expected_average)
    A, _ = impl.pool_forward(A_prev, {"stride": 1, "f": 3}, mode="max")
    assert A.shape == (2, 3, 3, 3)
    assert np.allclose(
        A[1, 1], [[1.96710175, 0.84616065, 1.27375593], [1.96710175, 0.84616065, 1.23616403], [1.62765075, 1.12141771, 1.2245077]]
    )
    A, _ = impl.pool_forward(A_prev, {"stride": 1, "f": 3}, mode="average")
    assert np.allclose(
        A[1, 1], [[0.44497696, -0.00261695, -0.31040307], [0.50811474, -0.23493734, -0.23961183], [0.11872677, 0.17255229, -0.22112197]]
    )


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_pool_forward_course_stride_2(impl):
    np.random.seed(1)
    A_prev = np.random.randn(2, 5, 5, 3)
    A, _ = impl.pool_forward(A_prev, {"stride": 2, "f": 3})
    assert A.shape == (2, 2, 2, 3)
    expected_max = [
        [[1.74481176, 0.90159072, 1.65980218], [1.74481176, 1.6924546, 1.65980218]],
        [[1.13162939, 1.51981682, 2.18557541], [1.13162939, 1.6924546, 2.18557541]],
    ]
    assert np.allclose(A[0], expected_max)
    A, _ = impl.pool_forward(A_prev, {"stride": 2, "f": 3}, mode="average")
    expected_average = [
        [[-0.17313416, 0.32377198, -0.34317572], [0.02030094, 0.14141479, -0.01231585]],
        [[0.42944926, 0.08446996, -0.27290905], [0.15077452, 0.28911175, 0.00123239]],
    ]
    assert np.allclose(A[1], expected_average)
    # course (earlier edition): a (2, 4, 4, 3) input, f = 3, stride = 2: one window per image
    np.random.seed(1)
    A_prev = np.random.randn(2, 4, 4, 3)
    A, _ = impl.pool_forward(A_prev, {"stride": 2, "f": 3})
    assert np.allclose(A, [[[[1.74481176, 0.86540763, 1.13376944]]], [[[1.13162939, 1.51981682, 2.18557541]]]])
    A, _ = impl.pool_forward(A_prev, {"stride": 2, "f": 3}, mode="average")
    assert np.allclose(A, [[[[0.02105773, -0.20328806, -0.40389855]]], [[[-0.22154621, 0.51716526, 0.48155844]]]])


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_mask_and_distribute_value_course(impl):
    x = np.array([[-1, 2, 3], [2, -3, 2], [1, 5, -2]])
    expected = np.zeros((3, 3), dtype=bool)
    expected[2, 1] = True
    np.testing.assert_array_equal(impl.create_mask_from_window(x), expected)
    np.random.seed(1)
    np.testing.assert_array_equal(impl.create_mask_from_window(np.random.randn(2, 3)), [[True, False, False], [False, False, False]])
    np.testing.assert_array_equal(impl.distribute_value(2, (2, 2)), np.full((2, 2), 0.5))
    a = impl.distribute_value(100, (10, 10))
    assert a.shape == (10, 10) and np.sum(a) == 100


def test_create_mask_from_window_marks_every_tied_maximum():
    # The course asks students not to consider ties; its x == np.max(x) marks all of them.
    mask = conv.create_mask_from_window(np.array([[3.0, 1.0], [3.0, 3.0]]))
    np.testing.assert_array_equal(mask, [[True, False], [True, True]])


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_pool_backward_course(impl):
    # course: Exercise 8, pool_backward
    np.random.seed(1)
    A_prev = np.random.randn(5, 5, 3, 2)
    _, cache = impl.pool_forward(A_prev, {"stride": 1, "f": 2})
    dA = np.random.randn(5, 4, 2, 2)
    assert np.isclose(np.mean(dA), 0.14571390272918056)
    dA_prev1 = impl.pool_backward(dA, cache, mode="max")
    assert dA_prev1.shape == (5, 5, 3, 2)
    assert np.allclose(dA_prev1[1, 1], [[0, 0], [5.05844394, -1.68282702], [0, 0]])
    dA_prev2 = impl.pool_backward(dA, cache, mode="average")
    assert np.allclose(dA_prev2[1, 1], [[0.08485462, 0.2787552], [1.26461098, -0.25749373], [1.17975636, -0.53624893]])


# ---------------------------------------------------------------------------
# The vectorized reference against the loops, on shapes the course never uses.
# ---------------------------------------------------------------------------

CONV_CASES = [
    # (m, n_H_prev, n_W_prev, n_C_prev, n_C, f, stride, pad): strides 1, 2, 3; pads 0, 1, 2, 6;
    # several where (n_prev - f + 2 pad) is not a multiple of the stride (the floor formula).
    (2, 5, 7, 3, 4, 3, 1, 0),
    (1, 6, 5, 2, 3, 2, 2, 1),
    (2, 7, 8, 1, 2, 3, 3, 2),
    (1, 4, 6, 2, 2, 3, 2, 6),
    (3, 5, 5, 2, 1, 1, 1, 0),
    (1, 8, 6, 3, 2, 4, 3, 0),
    (2, 3, 3, 2, 3, 5, 1, 1),
    (1, 9, 4, 1, 2, 2, 3, 6),
]


def _conv_inputs(case, seed=0):
    m, n_H_prev, n_W_prev, n_C_prev, n_C, f, stride, pad = case
    rng = np.random.default_rng(seed)
    A_prev = rng.standard_normal((m, n_H_prev, n_W_prev, n_C_prev))
    W = rng.standard_normal((f, f, n_C_prev, n_C))
    b = rng.standard_normal((1, 1, 1, n_C))
    return A_prev, W, b, {"stride": stride, "pad": pad}


@pytest.mark.parametrize("case", CONV_CASES)
def test_fast_conv_matches_loops(case):
    A_prev, W, b, hparameters = _conv_inputs(case)
    Z_loop, cache_loop = conv.conv_forward(A_prev, W, b, hparameters)
    Z_fast, cache_fast = conv_fast.conv_forward(A_prev, W, b, hparameters)
    m, n_H_prev, n_W_prev, _, n_C, f, stride, pad = case
    assert Z_fast.shape == (m, (n_H_prev - f + 2 * pad) // stride + 1, (n_W_prev - f + 2 * pad) // stride + 1, n_C)
    np.testing.assert_allclose(Z_fast, Z_loop, rtol=1e-12, atol=1e-12)
    dZ = np.random.default_rng(1).standard_normal(Z_loop.shape)
    for name, fast, loop in zip(("dA_prev", "dW", "db"), conv_fast.conv_backward(dZ, cache_fast), conv.conv_backward(dZ, cache_loop)):
        assert fast.shape == loop.shape, name
        np.testing.assert_allclose(fast, loop, rtol=1e-12, atol=1e-12, err_msg=name)


POOL_CASES = [(5, 7, 2, 2), (6, 6, 3, 1), (7, 5, 2, 3), (8, 8, 3, 2), (4, 9, 1, 2), (5, 5, 5, 1)]


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("n_H_prev, n_W_prev, f, stride", POOL_CASES)
def test_fast_pool_matches_loops(n_H_prev, n_W_prev, f, stride, mode):
    rng = np.random.default_rng(2)
    A_prev = rng.standard_normal((2, n_H_prev, n_W_prev, 3))
    hparameters = {"f": f, "stride": stride}
    A_loop, cache_loop = conv.pool_forward(A_prev, hparameters, mode)
    A_fast, cache_fast = conv_fast.pool_forward(A_prev, hparameters, mode)
    assert A_fast.shape == (2, (n_H_prev - f) // stride + 1, (n_W_prev - f) // stride + 1, 3)
    np.testing.assert_allclose(A_fast, A_loop, rtol=1e-12, atol=1e-12)
    dA = rng.standard_normal(A_loop.shape)
    np.testing.assert_allclose(
        conv_fast.pool_backward(dA, cache_fast, mode), conv.pool_backward(dA, cache_loop, mode), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize("n_H_prev, n_W_prev, f, stride", POOL_CASES)
def test_max_pool_ties_fast_equals_loops_exactly(n_H_prev, n_W_prev, f, stride):
    # Values in {0, 1, 2} make ties in almost every window; integer dA keeps
    # every sum exact, so the two orders of accumulation must agree bit for bit.
    rng = np.random.default_rng(3)
    A_prev = rng.integers(0, 3, size=(2, n_H_prev, n_W_prev, 2)).astype(float)
    dA_shape = (2, (n_H_prev - f) // stride + 1, (n_W_prev - f) // stride + 1, 2)
    dA = rng.integers(-5, 6, size=dA_shape).astype(float)
    hparameters = {"f": f, "stride": stride}
    loop = conv.pool_backward(dA, conv.pool_forward(A_prev, hparameters)[1])
    fast = conv_fast.pool_backward(dA, conv_fast.pool_forward(A_prev, hparameters)[1])
    np.testing.assert_array_equal(fast, loop)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_max_pool_tie_sends_the_whole_gradient_to_each_maximum(impl):
    A_prev = np.array([[1.0, 1.0], [0.0, 1.0]]).reshape(1, 2, 2, 1)
    _, cache = impl.pool_forward(A_prev, {"f": 2, "stride": 2})
    dA_prev = impl.pool_backward(np.full((1, 1, 1, 1), 2.0), cache)
    np.testing.assert_array_equal(dA_prev[0, :, :, 0], [[2.0, 2.0], [0.0, 2.0]])


# ---------------------------------------------------------------------------
# Independent implementations: scipy (a dev dependency) and, when installed, PyTorch.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CONV_CASES)
def test_fast_conv_forward_matches_scipy_correlate(case):
    signal = pytest.importorskip("scipy.signal")
    A_prev, W, b, hparameters = _conv_inputs(case, seed=4)
    stride, pad = hparameters["stride"], hparameters["pad"]
    Z, _ = conv_fast.conv_forward(A_prev, W, b, hparameters)
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    for i in range(A_prev.shape[0]):
        for c in range(W.shape[3]):
            # "valid" correlation over (height, width, channels) leaves a trailing axis of length 1.
            full = signal.correlate(A_pad[i], W[:, :, :, c], mode="valid")[:, :, 0]
            np.testing.assert_allclose(Z[i, :, :, c], full[::stride, ::stride] + b[0, 0, 0, c], rtol=1e-10, atol=1e-10)


def test_fast_conv_backward_matches_scipy_stride_1():
    signal = pytest.importorskip("scipy.signal")
    A_prev, W, b, hparameters = _conv_inputs((2, 6, 5, 3, 4, 3, 1, 1), seed=5)
    Z, cache = conv_fast.conv_forward(A_prev, W, b, hparameters)
    dZ = np.random.default_rng(6).standard_normal(Z.shape)
    dA_prev, dW, db = conv_fast.conv_backward(dZ, cache)
    A_pad = np.pad(A_prev, ((0, 0), (1, 1), (1, 1), (0, 0)))
    # dW[:, :, k, c] = sum_i correlate(A_pad[i, :, :, k], dZ[i, :, :, c], "valid")
    dW_ref = np.einsum(
        "ikxy->xyk", np.stack([[signal.correlate(A_pad[i, :, :, k], dZ[i, :, :, 0], mode="valid") for k in range(3)] for i in range(2)])
    )
    np.testing.assert_allclose(dW[:, :, :, 0], dW_ref, rtol=1e-10)
    # dA_prev_pad[i, :, :, k] = sum_c convolve(dZ[i, :, :, c], W[:, :, k, c], "full")
    for i in range(2):
        for k in range(3):
            full = sum(signal.convolve(dZ[i, :, :, c], W[:, :, k, c], mode="full") for c in range(4))
            np.testing.assert_allclose(dA_prev[i, :, :, k], full[1:-1, 1:-1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db.ravel(), dZ.sum(axis=(0, 1, 2)))


@pytest.mark.parametrize("mode", ["max", "average"])
def test_fast_pool_matches_blocks_when_stride_equals_f(mode):
    # Non-overlapping windows are blocks of a reshape: an independent computation.
    A_prev = np.random.default_rng(7).standard_normal((2, 6, 9, 3))
    A, _ = conv_fast.pool_forward(A_prev, {"f": 3, "stride": 3}, mode)
    blocks = A_prev.reshape(2, 2, 3, 3, 3, 3)
    expected = blocks.max(axis=(2, 4)) if mode == "max" else blocks.mean(axis=(2, 4))
    np.testing.assert_allclose(A, expected, rtol=1e-12)


@pytest.mark.parametrize("case", CONV_CASES[:4])
def test_fast_conv_matches_torch(case):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    A_prev, W, b, hparameters = _conv_inputs(case, seed=8)
    Z, cache = conv_fast.conv_forward(A_prev, W, b, hparameters)
    x = torch.tensor(A_prev.transpose(0, 3, 1, 2), requires_grad=True)
    weight = torch.tensor(W.transpose(3, 2, 0, 1), requires_grad=True)
    bias = torch.tensor(b.ravel(), requires_grad=True)
    out = F.conv2d(x, weight, bias, stride=hparameters["stride"], padding=hparameters["pad"])
    np.testing.assert_allclose(Z, out.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-10)
    dZ = np.random.default_rng(9).standard_normal(Z.shape)
    out.backward(torch.tensor(dZ.transpose(0, 3, 1, 2)))
    dA_prev, dW, db = conv_fast.conv_backward(dZ, cache)
    np.testing.assert_allclose(dA_prev, x.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dW, weight.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(db.ravel(), bias.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("n_H_prev, n_W_prev, f, stride", POOL_CASES)
def test_fast_pool_matches_torch(n_H_prev, n_W_prev, f, stride, mode):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    A_prev = np.random.default_rng(10).standard_normal((2, n_H_prev, n_W_prev, 3))  # continuous: no ties
    A, cache = conv_fast.pool_forward(A_prev, {"f": f, "stride": stride}, mode)
    x = torch.tensor(A_prev.transpose(0, 3, 1, 2), requires_grad=True)
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    out = pool(x, kernel_size=f, stride=stride)
    np.testing.assert_allclose(A, out.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-12)
    dA = np.random.default_rng(11).standard_normal(A.shape)
    out.backward(torch.tensor(dA.transpose(0, 3, 1, 2)))
    np.testing.assert_allclose(conv_fast.pool_backward(dA, cache, mode), x.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------
# Backward passes against finite differences of a scalar function.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("case", [(2, 4, 5, 2, 3, 3, 2, 1), (1, 5, 4, 2, 2, 2, 3, 2)])
def test_conv_backward_matches_finite_differences(impl, case):
    A_prev, W, b, hparameters = _conv_inputs(case, seed=12)
    G = np.random.default_rng(13).standard_normal(impl.conv_forward(A_prev, W, b, hparameters)[0].shape)

    def J():  # J = sum(Z * G), so dJ/dZ = G
        return float(np.sum(impl.conv_forward(A_prev, W, b, hparameters)[0] * G))

    dA_prev, dW, db = impl.conv_backward(G, impl.conv_forward(A_prev, W, b, hparameters)[1])
    for name, analytic, x in (("dA_prev", dA_prev, A_prev), ("dW", dW, W), ("db", db, b)):
        assert relative_error(analytic, numerical_gradient(J, x)) < 1e-7, name


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("mode", ["max", "average"])
def test_pool_backward_matches_finite_differences(impl, mode):
    rng = np.random.default_rng(14)
    A_prev = rng.standard_normal((2, 5, 6, 2))  # continuous values: no ties, max is differentiable
    hparameters = {"f": 3, "stride": 2}
    G = rng.standard_normal(impl.pool_forward(A_prev, hparameters, mode)[0].shape)

    def J():
        return float(np.sum(impl.pool_forward(A_prev, hparameters, mode)[0] * G))

    dA_prev = impl.pool_backward(G, impl.pool_forward(A_prev, hparameters, mode)[1], mode)
    assert relative_error(dA_prev, numerical_gradient(J, A_prev)) < 1e-7


# ---------------------------------------------------------------------------
# Bad inputs: a ValueError naming the argument and the shapes.
# ---------------------------------------------------------------------------

A_OK = np.zeros((2, 5, 5, 3))
W_OK = np.zeros((3, 3, 3, 4))
B_OK = np.zeros((1, 1, 1, 4))
HP_OK = {"stride": 1, "pad": 1}


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize(
    "args, words",
    [
        ((np.zeros((5, 5, 3)), W_OK, B_OK, HP_OK), ["A_prev", "4-D", "(5, 5, 3)"]),
        ((A_OK, np.zeros((3, 3, 3)), B_OK, HP_OK), ["W", "4-D", "(3, 3, 3)"]),
        ((A_OK, np.zeros((3, 3, 2, 4)), B_OK, HP_OK), ["n_C_prev", "(3, 3, 2, 4)", "(2, 5, 5, 3)"]),
        ((A_OK, np.zeros((3, 2, 3, 4)), B_OK, HP_OK), ["W", "square", "(3, 2, 3, 4)"]),
        ((A_OK, W_OK, np.zeros((1, 1, 1, 3)), HP_OK), ["b", "(1, 1, 1, 4)", "(1, 1, 1, 3)"]),
        ((A_OK, W_OK, np.zeros((4,)), HP_OK), ["b", "4-D", "(4,)"]),
        ((A_OK, W_OK, B_OK, {"stride": 1}), ["hparameters", "'pad'"]),
        ((A_OK, W_OK, B_OK, {"pad": 1}), ["hparameters", "'stride'"]),
        ((A_OK, W_OK, B_OK, {"stride": 0, "pad": 1}), ["hparameters['stride']", "positive"]),
        ((A_OK, W_OK, B_OK, {"stride": 1.5, "pad": 1}), ["hparameters['stride']", "1.5"]),
        ((A_OK, W_OK, B_OK, {"stride": 1, "pad": -1}), ["hparameters['pad']", "non-negative"]),
        ((A_OK, np.zeros((8, 8, 3, 4)), B_OK, {"stride": 1, "pad": 1}), ["f = 8", "(2, 5, 5, 3)", "7 x 7"]),
    ],
)
def test_conv_forward_rejects_bad_inputs(impl, args, words):
    with pytest.raises(ValueError) as error:
        impl.conv_forward(*args)
    for word in words:
        assert word in str(error.value)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_backward_rejects_a_gradient_of_the_wrong_shape(impl):
    Z, cache = impl.conv_forward(A_OK, W_OK, B_OK, HP_OK)
    with pytest.raises(ValueError, match=r"dZ must have shape \(2, 5, 5, 4\).*got dZ \(2, 5, 5, 3\)"):
        impl.conv_backward(np.zeros((2, 5, 5, 3)), cache)
    with pytest.raises(ValueError, match="cache must be the tuple"):
        impl.conv_backward(Z, (A_OK, W_OK))
    A, cache = impl.pool_forward(A_OK, {"f": 2, "stride": 2})
    with pytest.raises(ValueError, match=r"dA must have shape \(2, 2, 2, 3\).*got dA \(2, 2, 3\)"):
        impl.pool_backward(np.zeros((2, 2, 3)), cache)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_pool_rejects_bad_inputs(impl):
    with pytest.raises(ValueError, match=r"mode must be one of \('max', 'average'\), got 'avg'"):
        impl.pool_forward(A_OK, {"f": 2, "stride": 2}, mode="avg")
    with pytest.raises(ValueError, match=r"mode must be one of"):
        impl.pool_backward(np.zeros((2, 2, 2, 3)), (A_OK, {"f": 2, "stride": 2}), mode="min")
    with pytest.raises(ValueError, match=r"hparameters lacks 'f'"):
        impl.pool_forward(A_OK, {"stride": 2})
    with pytest.raises(ValueError, match=r"hparameters\['f'\] = 6 is larger than the input: A_prev has shape \(2, 5, 5, 3\)"):
        impl.pool_forward(A_OK, {"f": 6, "stride": 1})
    with pytest.raises(ValueError, match=r"A_prev must be 4-D, got shape \(5, 5\)"):
        impl.pool_forward(np.zeros((5, 5)), {"f": 2, "stride": 1})


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_helpers_reject_bad_inputs(impl):
    with pytest.raises(ValueError, match=r"X must be 4-D, got shape \(3, 3\)"):
        impl.zero_pad(np.zeros((3, 3)), 1)
    with pytest.raises(ValueError, match="pad must be a non-negative integer"):
        impl.zero_pad(A_OK, -2)
    with pytest.raises(ValueError, match=r"a_slice_prev \(3, 3, 2\) and W \(3, 3, 3\)"):
        impl.conv_single_step(np.zeros((3, 3, 2)), np.zeros((3, 3, 3)), np.zeros((1, 1, 1)))
    with pytest.raises(ValueError, match=r"b must hold a single number.*\(1, 1, 2\)"):
        impl.conv_single_step(np.zeros((3, 3, 3)), np.zeros((3, 3, 3)), np.zeros((1, 1, 2)))
    with pytest.raises(ValueError, match="shape must be a pair"):
        impl.distribute_value(1.0, (2, 2, 2))
    with pytest.raises(ValueError, match="x must hold at least one entry"):
        impl.create_mask_from_window(np.zeros((0, 2)))
