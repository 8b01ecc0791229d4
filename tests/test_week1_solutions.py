"""Week 1 from-scratch kernels: the solutions, and how the grader treats typical bugs.

Part 1 pins the solutions (solutions/week1/*.py) with hand-computed values,
independent implementations (scipy.signal.correlate, sliding windows,
scipy.special.expit) and float64 central-difference gradients.

Part 2 grades scratch copies of the solutions with one typical learner bug each
(`autograder.engine.Grader` on a temporary target) and checks the status and the
message a learner would see.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import correlate
from scipy.special import expit

from autograder.engine import Grader
from autograder.registry import EXERCISES
from reference.testing import numerical_gradients
from solutions.week1.activations import relu_backward, relu_forward, sigmoid
from solutions.week1.batchnorm import batchnorm_backward, batchnorm_forward
from solutions.week1.convolution import conv_backward_naive, conv_forward_naive
from solutions.week1.pooling import max_pool_backward, max_pool_forward

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = {e.name: e for e in EXERCISES if e.week == "week1"}


# --------------------------------------------------------------------------------------
# convolution
# --------------------------------------------------------------------------------------


def _pair(v):
    return (v, v) if isinstance(v, int) else v


X33 = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
W22 = np.array([[[[1.0, 0.0], [0.0, 2.0]]]])


def test_conv_forward_hand_example():
    out, _ = conv_forward_naive(X33, W22, np.array([0.5]))
    # out[i, j] = x[i, j] + 2 * x[i + 1, j + 1] + 0.5
    np.testing.assert_allclose(out, [[[[11.5, 14.5], [20.5, 23.5]]]])


def test_conv_forward_stride_and_padding_hand_example():
    out, _ = conv_forward_naive(X33, W22, np.array([0.5]), stride=2, padding=1)
    # padded 5x5 image, windows at rows/columns 0 and 2:
    # [[0, 0], [0, 1]] -> 2.5, [[0, 0], [2, 3]] -> 6.5, [[0, 4], [0, 7]] -> 14.5,
    # [[5, 6], [8, 9]] -> 23.5
    np.testing.assert_allclose(out, [[[[2.5, 6.5], [14.5, 23.5]]]])


def test_conv_backward_hand_example():
    _, cache = conv_forward_naive(X33, W22, np.array([0.5]))
    dx, dw, db = conv_backward_naive(np.ones((1, 1, 2, 2)), cache)
    np.testing.assert_allclose(dx, [[[[1, 1, 0], [1, 3, 2], [0, 2, 2]]]])
    np.testing.assert_allclose(dw, [[[[12, 16], [24, 28]]]])
    np.testing.assert_allclose(db, [4.0])


def scipy_conv(x, w, b, stride, padding):
    """Cross-correlate with scipy over the padded input, then keep every stride-th pixel."""
    (sh, sw), (ph, pw) = stride, padding
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.stack(
        [
            np.stack(
                [
                    correlate(x_pad[n], w[f], mode="valid")[0] + b[f]
                    for f in range(len(w))
                ]
            )
            for n in range(len(x))
        ]
    )
    return out[:, :, ::sh, ::sw]


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "stride", "padding"),
    [
        ((2, 3, 5, 5), (4, 3, 3, 3), 1, 0),
        ((2, 3, 5, 5), (4, 3, 3, 3), 2, 1),
        ((1, 2, 4, 6), (3, 2, 2, 3), (1, 2), (1, 0)),
        ((2, 1, 7, 5), (2, 1, 3, 1), 3, 2),
    ],
)
def test_conv_forward_matches_scipy(x_shape, w_shape, stride, padding):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    out, _ = conv_forward_naive(x, w, b, stride=stride, padding=padding)
    np.testing.assert_allclose(
        out, scipy_conv(x, w, b, _pair(stride), _pair(padding)), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize(("stride", "padding"), [(1, 0), (2, 1), ((2, 1), (0, 1))])
def test_conv_backward_matches_numerical_gradients(stride, padding):
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 2, 5, 4)), rng.standard_normal((3, 2, 3, 2))
    b = rng.standard_normal(3)
    out, cache = conv_forward_naive(x, w, b, stride=stride, padding=padding)
    dout = rng.standard_normal(out.shape)
    grads = conv_backward_naive(dout, cache)

    def forward(x, w, b):
        return conv_forward_naive(x, w, b, stride=stride, padding=padding)

    for got, expected in zip(
        grads, numerical_gradients(forward, (x, w, b), (0, 1, 2), dout), strict=True
    ):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def test_conv_keeps_float32_and_leaves_inputs_alone():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(2).astype(np.float32)
    copies = [a.copy() for a in (x, w, b)]
    out, cache = conv_forward_naive(x, w, b, stride=2, padding=1)
    dout = np.ones_like(out)
    grads = conv_backward_naive(dout, cache)
    assert out.dtype == np.float32 and out.shape == (2, 2, 2, 2)
    assert [g.dtype for g in grads] == [np.float32] * 3
    assert [g.shape for g in grads] == [x.shape, w.shape, b.shape]
    for a, copy in zip((x, w, b), copies, strict=True):
        np.testing.assert_array_equal(a, copy)


# --------------------------------------------------------------------------------------
# max pooling
# --------------------------------------------------------------------------------------

X24 = np.array([[[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 1.0, 2.0]]]])


def test_max_pool_hand_examples():
    out, cache = max_pool_forward(X24, kernel=2)
    np.testing.assert_array_equal(out, [[[[4.0, 5.0]]]])
    dx = max_pool_backward(np.array([[[[10.0, 20.0]]]]), cache)
    np.testing.assert_array_equal(dx, [[[[0, 0, 20, 0], [0, 10, 0, 0]]]])
    # DenseNet's stem pool: kernel 3, stride 2, padding 1
    out, _ = max_pool_forward(X24, kernel=3, stride=2, padding=1)
    np.testing.assert_array_equal(out, [[[[4.0, 5.0]]]])


def test_max_pool_ties_go_to_the_first_maximum_and_overlaps_add_up():
    x = np.array([[[[7.0, 7.0], [1.0, 7.0]]]])
    _, cache = max_pool_forward(x, kernel=2)
    np.testing.assert_array_equal(
        max_pool_backward(np.array([[[[3.0]]]]), cache), [[[[3.0, 0.0], [0.0, 0.0]]]]
    )
    # overlapping windows (kernel (1, 2), stride 1): the 3 wins twice
    x = np.array([[[[1.0, 3.0, 2.0]]]])
    out, cache = max_pool_forward(x, kernel=(1, 2), stride=1)
    np.testing.assert_array_equal(out, [[[[3.0, 3.0]]]])
    np.testing.assert_array_equal(
        max_pool_backward(np.array([[[[1.0, 2.0]]]]), cache), [[[[0.0, 3.0, 0.0]]]]
    )


def test_max_pool_padding_never_wins():
    x = np.full((1, 1, 3, 3), -5.0)
    out, cache = max_pool_forward(x, kernel=3, stride=2, padding=1)
    np.testing.assert_array_equal(out, np.full((1, 1, 2, 2), -5.0))
    dx = max_pool_backward(np.ones((1, 1, 2, 2)), cache)
    assert dx.shape == x.shape and dx.sum() == 4.0


@pytest.mark.parametrize(
    ("kernel", "stride", "padding"),
    [(2, None, 0), (3, 2, 1), ((2, 3), 1, (1, 0)), (3, (1, 2), 1)],
)
def test_max_pool_forward_matches_sliding_windows(kernel, stride, padding):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 6, 5))
    (kh, kw) = (kernel, kernel) if isinstance(kernel, int) else kernel
    (sh, sw) = (
        (kh, kw)
        if stride is None
        else ((stride, stride) if isinstance(stride, int) else stride)
    )
    (ph, pw) = (padding, padding) if isinstance(padding, int) else padding
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    expected = sliding_window_view(x_pad, (kh, kw), axis=(2, 3)).max(axis=(4, 5))
    out, _ = max_pool_forward(x, kernel, stride, padding)
    np.testing.assert_array_equal(out, expected[:, :, ::sh, ::sw])


def test_max_pool_backward_matches_numerical_gradients():
    rng = np.random.default_rng(4)
    x = 0.1 * rng.permutation(2 * 2 * 5 * 5).reshape(2, 2, 5, 5)  # no ties
    out, cache = max_pool_forward(x, 3, 2, 1)
    dout = rng.standard_normal(out.shape)

    def forward(x):
        return max_pool_forward(x, 3, 2, 1)

    np.testing.assert_allclose(
        max_pool_backward(dout, cache),
        numerical_gradients(forward, (x,), (0,), dout)[0],
        rtol=1e-6,
        atol=1e-8,
    )


def test_max_pool_keeps_float32_and_leaves_x_alone():
    x = np.random.default_rng(5).standard_normal((2, 3, 5, 5)).astype(np.float32)
    copy = x.copy()
    out, cache = max_pool_forward(x, 3, 2, 1)
    dx = max_pool_backward(np.ones_like(out), cache)
    assert out.dtype == dx.dtype == np.float32 and out.shape == (2, 3, 3, 3)
    np.testing.assert_array_equal(x, copy)


# --------------------------------------------------------------------------------------
# batch norm
# --------------------------------------------------------------------------------------

X_BN = np.array(
    [[[[1.0, 2.0]]], [[[3.0, 4.0]]]]
)  # (2, 1, 1, 2): one channel 1, 2, 3, 4


def test_batchnorm_hand_examples():
    out, cache = batchnorm_forward(X_BN, np.array([2.0]), np.array([1.0]), eps=0.0)
    # mean 2.5, variance 1.25: out = 2 * (x - 2.5) / sqrt(1.25) + 1
    np.testing.assert_allclose(
        out.ravel(), 2 * (np.arange(1, 5) - 2.5) / np.sqrt(1.25) + 1
    )
    dx, dgamma, dbeta = batchnorm_backward(
        np.array([[[[1.0, 0.0]]], [[[0.0, 0.0]]]]), cache
    )
    np.testing.assert_allclose(dbeta, [1.0])
    np.testing.assert_allclose(dgamma, [-1.5 / np.sqrt(1.25)])
    # dx = inv_std * gamma * (e0 - 1/4 - x_hat * x_hat[0] / 4), by hand
    x_hat = (np.arange(1, 5) - 2.5) / np.sqrt(1.25)
    expected = (
        2 / np.sqrt(1.25) * (np.array([1, 0, 0, 0]) - 0.25 - x_hat * x_hat[0] / 4)
    )
    np.testing.assert_allclose(dx.ravel(), expected, atol=1e-12)


def test_batchnorm_eval_mode_uses_the_running_statistics():
    out, cache = batchnorm_forward(
        X_BN,
        np.array([2.0]),
        np.array([1.0]),
        eps=0.0,
        running_mean=np.array([2.0]),
        running_var=np.array([4.0]),
        training=False,
    )
    np.testing.assert_allclose(out.ravel(), [0.0, 1.0, 2.0, 3.0])  # 2 * (x - 2) / 2 + 1
    dx, _, _ = batchnorm_backward(np.ones_like(X_BN), cache)
    np.testing.assert_allclose(dx, np.ones_like(X_BN))  # gamma / sqrt(var) = 1


def test_batchnorm_training_output_has_gamma_std_and_beta_mean():
    rng = np.random.default_rng(6)
    x = 3 + 2 * rng.standard_normal((4, 3, 5, 5))
    gamma, beta = np.array([0.5, 1.0, 2.0]), np.array([-1.0, 0.0, 1.0])
    out, _ = batchnorm_forward(x, gamma, beta, eps=0.0)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), gamma, rtol=1e-12)


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_backward_matches_numerical_gradients(training):
    rng = np.random.default_rng(7)
    x = 1 + rng.standard_normal((2, 3, 3, 2))
    gamma, beta = 1 + rng.standard_normal(3), rng.standard_normal(3)
    running = (
        {}
        if training
        else {
            "running_mean": rng.standard_normal(3),
            "running_var": rng.uniform(0.5, 2, 3),
        }
    )

    def forward(x, gamma, beta):
        return batchnorm_forward(x, gamma, beta, 1e-5, training=training, **running)

    out, cache = forward(x, gamma, beta)
    dout = rng.standard_normal(out.shape)
    grads = batchnorm_backward(dout, cache)
    numeric = numerical_gradients(forward, (x, gamma, beta), (0, 1, 2), dout)
    for got, expected in zip(grads, numeric, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    if training:  # the mean's path makes dx sum to zero per channel
        np.testing.assert_allclose(grads[0].sum(axis=(0, 2, 3)), 0, atol=1e-12)


def test_batchnorm_keeps_float32_leaves_inputs_alone_and_needs_running_stats():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    gamma, beta = np.ones(3, np.float32), np.zeros(3, np.float32)
    copy = x.copy()
    out, cache = batchnorm_forward(x, gamma, beta)
    grads = batchnorm_backward(np.ones_like(out), cache)
    assert out.dtype == np.float32 and [g.dtype for g in grads] == [np.float32] * 3
    np.testing.assert_array_equal(x, copy)
    with pytest.raises(
        ValueError, match="training=False.*running_mean and running_var"
    ):
        batchnorm_forward(x, gamma, beta, training=False)


# --------------------------------------------------------------------------------------
# activations
# --------------------------------------------------------------------------------------


def test_relu_hand_example_and_gradient_zero_at_zero():
    x = np.array([-1.5, 0.0, 2.0], dtype=np.float32)
    out, cache = relu_forward(x)
    np.testing.assert_array_equal(out, [0.0, 0.0, 2.0])
    dx = relu_backward(np.array([5.0, 5.0, 5.0], dtype=np.float32), cache)
    np.testing.assert_array_equal(dx, [0.0, 0.0, 5.0])
    assert out.dtype == dx.dtype == np.float32
    np.testing.assert_array_equal(x, [-1.5, 0.0, 2.0])  # not modified


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_matches_expit_without_overflow_warnings(dtype):
    x = np.concatenate([np.linspace(-30, 30, 61), [-1e3, -710, -89, 89, 710, 1e3]])
    x = x.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = sigmoid(x)
    assert out.dtype == dtype
    # (at x = -89 float32 gives a subnormal 2e-39 where expit underflows to 0)
    np.testing.assert_allclose(
        out, expit(x), rtol=1e-6 if dtype == np.float32 else 1e-14, atol=1e-37
    )
    assert sigmoid(np.array([2.0]))[0] == pytest.approx(1 / (1 + np.exp(-2)))
    np.testing.assert_allclose(sigmoid(-x), 1 - sigmoid(x), atol=1e-7)


# --------------------------------------------------------------------------------------
# part 2: the grader on typical learner bugs
# --------------------------------------------------------------------------------------
# Each bug is a text replacement in a scratch copy of a solution file. Bugs in
# different exercises share one scratch folder (and one grader, whose worker start-up
# dominates the time): the forward's stride bug leaves the stride-1 cases that the
# backward's db bug fails on intact. The in-place padding gets a folder of its own.

PAD = "    x_pad = np.pad(x, ((0, 0), (0, 0), (PH, PH), (PW, PW)))\n"
BUGS = {
    # the learner "pads" x itself: shifts its content down/right by the padding
    "in-place padding": (
        "convolution",
        [
            (
                PAD + "\n    # slide",
                PAD + "    np.copyto(x, x_pad[:, :, :H, :W])\n\n    # slide",
            ),
        ],
    ),
    "forgotten stride and db per image": (
        "convolution",
        [
            ("H_out = 1 + (H + 2 * PH - KH) // SH", "H_out = 1 + (H + 2 * PH - KH)"),
            ("W_out = 1 + (W + 2 * PW - KW) // SW", "W_out = 1 + (W + 2 * PW - KW)"),
            (
                "x_pad[n, :, SH * i : SH * i + KH, SW * j : SW * j + KW]",
                "x_pad[n, :, i : i + KH, j : j + KW]",
            ),
            ("db = dout.sum(axis=(0, 2, 3))", "db = dout.sum(axis=(2, 3))"),
        ],
    ),
    "gradient to every tie": (
        "pooling",
        [
            (
                "                    u, v = np.unravel_index(np.argmax(window), window.shape)\n"
                "                    dx_pad[n, c, SH * i + u, SW * j + v] += dout[n, c, i, j]",
                "                    ties = window == np.max(window)\n"
                "                    dx_pad[n, c, SH * i : SH * i + KH, SW * j : SW * j + KW] += (\n"
                "                        ties * dout[n, c, i, j])",
            ),
        ],
    ),
    "mean treated as a constant": (
        "batchnorm",
        [
            (
                "dx_hat\n            - dx_hat.mean(axis=axes, keepdims=True)\n",
                "dx_hat\n",
            ),
        ],
    ),
}
GRADED = {  # folder -> (bug names, exercises graded there)
    "mutation": (["in-place padding"], ["conv_forward_naive"]),
    "others": (
        [
            "forgotten stride and db per image",
            "gradient to every tie",
            "mean treated as a constant",
        ],
        [
            "conv_forward_naive",
            "conv_backward_naive",
            "max_pool_backward",
            "batchnorm_backward",
        ],
    ),
}


def write_bug(root: Path, bug: str) -> None:
    """Write solutions/week1/<lesson>.py with the bug's replacements under root/week1."""
    lesson, replacements = BUGS[bug]
    source = (ROOT / "solutions" / "week1" / f"{lesson}.py").read_text()
    for old, new in replacements:
        assert old in source, f"the solution no longer contains {old!r}"
        source = source.replace(old, new)
    (root / "week1").mkdir(parents=True, exist_ok=True)
    (root / "week1" / f"{lesson}.py").write_text(source)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(folder, exercise name) -> Result, for every buggy scratch folder."""
    results = {}
    for folder, (bugs, names) in GRADED.items():
        root = tmp_path_factory.mktemp(folder)
        for bug in bugs:
            write_bug(root, bug)
        with Grader(root) as grader:
            for name in names:
                results[folder, name] = grader.grade(EXERCISE[name])
    return results


def test_conv_forward_padding_x_in_place_is_reported_as_mutation(graded):
    result = graded["mutation", "conv_forward_naive"]
    assert result.status == "mutated-input" and not result.passed
    # the public and hidden cases pad; the edge case (no padding) keeps its share
    assert [g.passed for g in result.groups] == [False, False, True]
    assert "public case 2" in result.message
    assert "modified its input in place (argument 1)" in result.message


def test_conv_forward_forgetting_the_stride_gives_a_wrong_shape(graded):
    result = graded["others", "conv_forward_naive"]
    assert result.status == "wrong-shape"
    assert "public case 3" in result.message and "stride=2" in result.message
    assert "wrong shape: expected (2, 2, 3, 3), got (2, 2, 5, 5)" in result.message
    assert "Hint: Per axis the output size is" in result.message


def test_conv_backward_db_not_summed_over_the_batch(graded):
    result = graded["others", "conv_backward_naive"]
    assert result.status == "wrong-shape"
    assert "public case 1" in result.message
    assert (
        "the gradient for argument 3 (shape (4,)): expected an array of shape (4,), "
        "got ndarray of shape (2, 4)"
    ) in result.message


def test_max_pool_backward_sending_the_gradient_to_every_tie(graded):
    result = graded["others", "max_pool_backward"]
    assert result.status == "wrong-value"
    assert "public case 4" in result.message and "ties" in result.message
    assert "wrong value at ['grads'] at index" in result.message
    assert "Only the FIRST maximum" in result.message


def test_batchnorm_backward_ignoring_the_mean_blames_the_backward(graded):
    result = graded["others", "batchnorm_backward"]
    assert result.status == "wrong-value"
    assert "public case 1" in result.message and "training" in result.message
    assert (
        "gradient check: the gradient for argument 1 (shape (2, 3, 4, 4))"
        in result.message
    )
    assert "numerical derivative of your own batchnorm_forward" in result.message
    assert "the backward is wrong" in result.message
