"""ReLU, sigmoid and softmax (reference/ops/activations.py)."""

import warnings

import numpy as np
import pytest
from scipy import special

from reference.ops.activations import (
    ReluCache,
    SigmoidCache,
    relu_backward,
    relu_forward,
    sigmoid,
    sigmoid_backward,
    sigmoid_forward,
    softmax,
)
from reference.testing import numerical_gradient, rel_error

# ---------------------------------------------------------------- relu


def test_relu_by_hand_gradient_zero_at_zero():
    x = np.array([[-2.0, -0.0, 0.0, 1e-300, 3.0]])
    out, cache = relu_forward(x)
    np.testing.assert_array_equal(out, [[0.0, 0.0, 0.0, 1e-300, 3.0]])
    assert isinstance(cache, ReluCache)
    np.testing.assert_array_equal(
        relu_backward(np.full((1, 5), 7.0), cache), [[0.0, 0.0, 0.0, 7.0, 7.0]]
    )


@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 4, 5), (1, 2, 3, 2, 3)])
def test_relu_gradient_check(shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink
    out, cache = relu_forward(x)
    dout = rng.standard_normal(shape)
    numeric = numerical_gradient(lambda v: relu_forward(v)[0], x, dout)
    assert rel_error(relu_backward(dout, cache), numeric) < 1e-6


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_dtype_nan_propagation_and_purity(dtype):
    x = np.array([-1.0, np.nan, 2.0], dtype)
    before = x.copy()
    out, cache = relu_forward(x)
    assert out.dtype == dtype and np.isnan(out[1])
    dout = np.ones(3, dtype)
    dx = relu_backward(dout, cache)
    assert dx.dtype == dtype
    np.testing.assert_array_equal(dx, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(dout, 1.0)
    assert relu_forward([1, -1])[0].dtype == np.float64  # integers become float64


# ---------------------------------------------------------------- sigmoid


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_overflow_free_for_huge_inputs(dtype):
    x = np.array(
        [-1e4, -1e3, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 1e3, 1e4], dtype
    )
    with (
        warnings.catch_warnings(),
        np.errstate(over="raise", invalid="raise", divide="raise"),
    ):
        warnings.simplefilter("error")
        out = sigmoid(x)
        out_f, cache = sigmoid_forward(x)
        dx = sigmoid_backward(np.ones_like(x), cache)
    assert out.dtype == dtype and dx.dtype == dtype
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))
    np.testing.assert_array_equal(out, out_f)
    assert out[0] == 0.0 and out[-1] == 1.0 and out[5] == 0.5
    expected = special.expit(x.astype(np.float64))
    # relative accuracy, except for denormal results (fewer digits, tiny absolute error)
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(out, expected, rtol=rtol, atol=np.finfo(dtype).tiny)


def test_sigmoid_values_symmetry_and_nan():
    x = np.linspace(-40, 40, 161)
    out = sigmoid(x)
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-x)), rtol=1e-14)
    np.testing.assert_allclose(out + sigmoid(-x), 1.0, rtol=1e-15)
    np.testing.assert_allclose(
        sigmoid(np.log(np.array([3.0, 1 / 3]))), [0.75, 0.25], rtol=1e-15
    )
    assert np.isnan(sigmoid(np.array([np.nan]))[0])
    assert (
        sigmoid(0.0) == 0.5 and sigmoid(np.float32(2.0)).dtype == np.float32
    )  # scalars
    np.testing.assert_array_equal(sigmoid(np.array([-np.inf, np.inf])), [0.0, 1.0])


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4), (1, 2, 2, 3, 2)])
def test_sigmoid_gradient_check_and_purity(shape):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape) * 3
    before = x.copy()
    out, cache = sigmoid_forward(x)
    assert isinstance(cache, SigmoidCache)
    dout = rng.standard_normal(shape)
    numeric = numerical_gradient(lambda v: sigmoid_forward(v)[0], x, dout)
    assert rel_error(sigmoid_backward(dout, cache), numeric) < 1e-6
    np.testing.assert_array_equal(x, before)


def test_sigmoid_backward_by_hand():
    _, cache = sigmoid_forward(np.array([0.0, np.log(3.0)]))
    np.testing.assert_allclose(
        sigmoid_backward(np.array([1.0, 2.0]), cache),
        [0.25, 2 * 0.75 * 0.25],
        rtol=1e-15,
    )


# ---------------------------------------------------------------- softmax


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_stable_and_matches_scipy(dtype):
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((2, 4, 3, 5)) * 10).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for axis in (1, -1, 0):
            out = softmax(x, axis=axis)
            assert out.dtype == dtype
            np.testing.assert_allclose(
                out,
                special.softmax(x.astype(np.float64), axis=axis),
                rtol=1e-5 if dtype == np.float32 else 1e-13,
                atol=1e-7 if dtype == np.float32 else 1e-16,
            )
            np.testing.assert_allclose(out.sum(axis=axis), 1.0, rtol=1e-6)
        huge = softmax(np.array([[1000.0, 1000.0 + np.log(3.0)], [-1e4, 0.0]], dtype))
    # float32 rounds 1000 + log(3) to a spacing of 6e-5: hence the looser tolerance
    np.testing.assert_allclose(
        huge, [[0.25, 0.75], [0.0, 1.0]], rtol=1e-4 if dtype == np.float32 else 1e-12
    )


def test_softmax_default_axis_is_channels_and_by_hand():
    x = np.array([[[0.0, 0.0], [np.log(3.0), 0.0]]])  # (N=1, K=2, L=2)
    np.testing.assert_allclose(softmax(x), [[[0.25, 0.5], [0.75, 0.5]]], rtol=1e-15)
    before = x.copy()
    softmax(x)
    np.testing.assert_array_equal(x, before)


def test_errors():
    with pytest.raises(
        ValueError,
        match=r"softmax: expected axis in \[-2, 1\] for x of "
        r"shape \(2, 3\), got axis=2\.",
    ):
        softmax(np.zeros((2, 3)), axis=2)
    with pytest.raises(TypeError, match=r"softmax: expected axis as an int, got 1.0\."):
        softmax(np.zeros((2, 3)), axis=1.0)
    with pytest.raises(
        TypeError, match="sigmoid: expected x with a numeric dtype, got dtype <U1"
    ):
        sigmoid(np.array(["a"]))
    _, relu_cache = relu_forward(np.zeros(3))
    _, sigmoid_cache = sigmoid_forward(np.zeros(3))
    with pytest.raises(
        ValueError,
        match=r"relu_backward: expected dout of shape \(3,\) "
        r"\(the forward's output\), got shape \(4,\)\.",
    ):
        relu_backward(np.zeros(4), relu_cache)
    with pytest.raises(
        TypeError,
        match=r"relu_backward: expected the ReluCache returned "
        r"by relu_forward, got a SigmoidCache\.",
    ):
        relu_backward(np.zeros(3), sigmoid_cache)
    with pytest.raises(
        ValueError,
        match=r"sigmoid_backward: expected dout of shape "
        r"\(3,\) \(the forward's output\), got shape \(3, 1\)\.",
    ):
        sigmoid_backward(np.zeros((3, 1)), sigmoid_cache)
