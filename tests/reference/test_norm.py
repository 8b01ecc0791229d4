"""Batch normalisation (reference/ops/norm.py): train/eval, running stats, gradients."""

import numpy as np
import pytest

from reference.ops.norm import (
    BatchNormCache,
    batchnorm_backward,
    batchnorm_forward,
    batchnorm_init_state,
    batchnorm_update_running,
)
from reference.testing import numerical_gradient, rel_error

SHAPES = [(6, 3), (4, 3, 5), (3, 2, 4, 3), (2, 2, 3, 2, 3)]  # (N, C, *S), 0 to 3 dims


def _axes(x):
    return (0, *range(2, x.ndim))


def _channel(v, x):
    return v.reshape(1, -1, *(1,) * (x.ndim - 2))


def staged_backward(x, gamma, eps, dout):
    """Training-mode gradients by walking the computational graph node by node."""
    axes, count = _axes(x), x.size // x.shape[1]
    mu = x.mean(axis=axes, keepdims=True)
    xmu = x - mu
    var = (xmu**2).mean(axis=axes, keepdims=True)
    sqrtvar = np.sqrt(var + eps)
    ivar = 1 / sqrtvar
    xhat = xmu * ivar
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    dxhat = dout * _channel(gamma, x)
    divar = (dxhat * xmu).sum(axis=axes, keepdims=True)
    dxmu1 = dxhat * ivar
    dsqrtvar = -divar / sqrtvar**2
    dvar = 0.5 * dsqrtvar / np.sqrt(var + eps)
    dxmu2 = 2 * xmu * dvar / count
    dx1 = dxmu1 + dxmu2
    dmu = -dx1.sum(axis=axes, keepdims=True)
    return dx1 + dmu / count, dgamma, dbeta


def _params(rng, channels):
    return (
        rng.uniform(0.5, 2.0, channels),
        rng.standard_normal(channels),
        rng.standard_normal(channels),
        rng.uniform(0.5, 2.0, channels),
    )


# ---------------------------------------------------------------- forward


@pytest.mark.parametrize("shape", SHAPES)
def test_training_forward_matches_formula_and_normalises(shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 3 + 1
    gamma, beta, _, _ = _params(rng, shape[1])
    out, cache = batchnorm_forward(x, gamma, beta, eps=1e-5)
    axes = _axes(x)
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    expected = _channel(gamma, x) * (x - _channel(mean, x)) / np.sqrt(
        _channel(var, x) + 1e-5
    ) + _channel(beta, x)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    # per channel the output has mean beta and (almost) standard deviation gamma
    np.testing.assert_allclose(out.mean(axis=axes), beta, atol=1e-12)
    np.testing.assert_allclose(
        out.std(axis=axes), gamma * np.sqrt(var / (var + 1e-5)), rtol=1e-12
    )
    # the cache carries the batch mean and the UNBIASED batch variance
    np.testing.assert_allclose(cache.batch_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(cache.batch_var, x.var(axis=axes, ddof=1), rtol=1e-12)
    assert isinstance(cache, BatchNormCache) and cache.training


def test_training_forward_and_running_update_by_hand():
    # channel 0: 1, 2, 6 (mean 3, squares 14): biased var 14/3, unbiased 7
    # channel 1: 10, 20, 30 (mean 20, squares 200): biased 200/3, unbiased 100
    x = np.array([[1.0, 10.0], [2.0, 20.0], [6.0, 30.0]])
    out, cache = batchnorm_forward(x, np.ones(2), np.zeros(2), eps=0.0)
    np.testing.assert_allclose(out[:, 0], np.array([-2.0, -1.0, 3.0]) / np.sqrt(14 / 3))
    np.testing.assert_allclose(out[:, 1], np.array([-1.0, 0.0, 1.0]) * np.sqrt(1.5))
    np.testing.assert_allclose(cache.batch_mean, [3.0, 20.0])
    np.testing.assert_allclose(cache.batch_var, [7.0, 100.0])
    # PyTorch's convention: new = 0.9 * old + 0.1 * batch (unbiased variance)
    new_mean, new_var = batchnorm_update_running(np.zeros(2), np.ones(2), cache)
    np.testing.assert_allclose(new_mean, [0.3, 2.0])
    np.testing.assert_allclose(new_var, [1.6, 10.9])
    new_mean, new_var = batchnorm_update_running(
        np.array([1.0, -1.0]), np.array([2.0, 4.0]), cache, momentum=0.5
    )
    np.testing.assert_allclose(new_mean, [2.0, 9.5])
    np.testing.assert_allclose(new_var, [4.5, 52.0])


def test_running_update_momentum_extremes_and_dtype():
    x = np.random.default_rng(1).standard_normal((5, 3, 4))
    _, cache = batchnorm_forward(x, np.ones(3), np.zeros(3))
    old_mean, old_var = np.full(3, 0.5, np.float32), np.full(3, 2.0, np.float32)
    kept = batchnorm_update_running(old_mean, old_var, cache, momentum=0.0)
    replaced = batchnorm_update_running(old_mean, old_var, cache, momentum=1.0)
    np.testing.assert_array_equal(kept[0], old_mean)
    np.testing.assert_array_equal(kept[1], old_var)
    np.testing.assert_allclose(replaced[0], cache.batch_mean, rtol=1e-6)
    np.testing.assert_allclose(replaced[1], cache.batch_var, rtol=1e-6)
    assert kept[0].dtype == np.float32 and replaced[1].dtype == np.float32
    np.testing.assert_array_equal(old_mean, 0.5)  # not modified in place


@pytest.mark.parametrize("shape", SHAPES)
def test_eval_forward_uses_running_statistics(shape):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape)
    gamma, beta, running_mean, running_var = _params(rng, shape[1])
    out, cache = batchnorm_forward(
        x,
        gamma,
        beta,
        eps=1e-3,
        running_mean=running_mean,
        running_var=running_var,
        training=False,
    )
    expected = _channel(gamma, x) * (x - _channel(running_mean, x)) / np.sqrt(
        _channel(running_var, x) + 1e-3
    ) + _channel(beta, x)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    assert not cache.training and cache.batch_mean is None and cache.batch_var is None


def test_eval_with_initial_state_is_identity_up_to_eps():
    x = np.random.default_rng(3).standard_normal((2, 4, 3, 3))
    state = batchnorm_init_state(4, dtype=np.float64)
    out, _ = batchnorm_forward(x, np.ones(4), np.zeros(4), training=False, **state)
    np.testing.assert_allclose(out, x / np.sqrt(1 + 1e-5), rtol=1e-12)


def test_init_state():
    state = batchnorm_init_state(3)
    assert set(state) == {"running_mean", "running_var"}
    np.testing.assert_array_equal(state["running_mean"], np.zeros(3))
    np.testing.assert_array_equal(state["running_var"], np.ones(3))
    assert state["running_mean"].dtype == np.float32
    assert batchnorm_init_state(2, dtype=np.float64)["running_var"].dtype == np.float64


# ---------------------------------------------------------------- backward


@pytest.mark.parametrize("shape", SHAPES)
def test_training_backward_gradient_check_and_staged_graph(shape):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape) * 2 + 0.5
    gamma, beta, _, _ = _params(rng, shape[1])
    out, cache = batchnorm_forward(x, gamma, beta)
    dout = rng.standard_normal(out.shape)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)

    def forward(x_=x, gamma_=gamma, beta_=beta):
        return batchnorm_forward(x_, gamma_, beta_)[0]

    assert rel_error(dx, numerical_gradient(lambda v: forward(x_=v), x, dout)) < 1e-6
    assert (
        rel_error(dgamma, numerical_gradient(lambda v: forward(gamma_=v), gamma, dout))
        < 1e-6
    )
    assert (
        rel_error(dbeta, numerical_gradient(lambda v: forward(beta_=v), beta, dout))
        < 1e-6
    )
    for ours, staged in zip(
        (dx, dgamma, dbeta), staged_backward(x, gamma, 1e-5, dout), strict=True
    ):
        np.testing.assert_allclose(ours, staged, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("shape", SHAPES)
def test_eval_backward_gradient_check(shape):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape)
    gamma, beta, running_mean, running_var = _params(rng, shape[1])
    state = {
        "running_mean": running_mean,
        "running_var": running_var,
        "training": False,
    }
    out, cache = batchnorm_forward(x, gamma, beta, **state)
    dout = rng.standard_normal(out.shape)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    assert (
        rel_error(
            dx,
            numerical_gradient(
                lambda v: batchnorm_forward(v, gamma, beta, **state)[0], x, dout
            ),
        )
        < 1e-6
    )
    assert (
        rel_error(
            dgamma,
            numerical_gradient(
                lambda v: batchnorm_forward(x, v, beta, **state)[0], gamma, dout
            ),
        )
        < 1e-6
    )
    assert (
        rel_error(
            dbeta,
            numerical_gradient(
                lambda v: batchnorm_forward(x, gamma, v, **state)[0], beta, dout
            ),
        )
        < 1e-6
    )


def test_backward_by_hand():
    # a constant upstream gradient only moves beta: dx = 0, dgamma = 0
    x = np.array([[1.0], [3.0]])
    _, cache = batchnorm_forward(x, np.array([2.0]), np.zeros(1), eps=0.0)
    dx, dgamma, dbeta = batchnorm_backward(np.ones((2, 1)), cache)
    np.testing.assert_allclose(dx, np.zeros((2, 1)), atol=1e-15)
    np.testing.assert_allclose(dgamma, [0.0], atol=1e-15)
    np.testing.assert_array_equal(dbeta, [2.0])
    # dout = xhat = (-1, 1): dgamma = 2, dx = (1/2) * 2 * 1 * (2 * xhat - 0 - xhat * 2) = 0
    dx, dgamma, _ = batchnorm_backward(np.array([[-1.0], [1.0]]), cache)
    np.testing.assert_allclose(dgamma, [2.0])
    np.testing.assert_allclose(dx, np.zeros((2, 1)), atol=1e-15)


# ---------------------------------------------------------------- dtype, purity


def test_float32_within_tolerance_of_float64_and_dtype_kept():
    rng = np.random.default_rng(6)
    x64 = rng.standard_normal((4, 3, 5, 6)) * 2 + 3
    gamma, beta, running_mean, running_var = _params(rng, 3)
    dout64 = rng.standard_normal(x64.shape)
    for training in (True, False):
        kwargs = {
            "running_mean": running_mean,
            "running_var": running_var,
            "training": training,
        }
        out64, cache64 = batchnorm_forward(x64, gamma, beta, **kwargs)
        out32, cache32 = batchnorm_forward(
            x64.astype(np.float32), gamma, beta, **kwargs
        )
        assert out32.dtype == np.float32
        np.testing.assert_allclose(out32, out64, rtol=1e-4, atol=1e-5)
        grads64 = batchnorm_backward(dout64, cache64)
        grads32 = batchnorm_backward(dout64.astype(np.float32), cache32)
        for g32, g64 in zip(grads32, grads64, strict=True):
            assert g32.dtype == np.float32
            np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-4)


def test_inputs_not_modified():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 2, 4))
    gamma, beta, running_mean, running_var = _params(rng, 2)
    arrays = [x, gamma, beta, running_mean, running_var]
    before = [a.copy() for a in arrays]
    for training in (True, False):
        out, cache = batchnorm_forward(
            x,
            gamma,
            beta,
            running_mean=running_mean,
            running_var=running_var,
            training=training,
        )
        dout = np.ones_like(out)
        batchnorm_backward(dout, cache)
        np.testing.assert_array_equal(dout, 1.0)
        if training:
            batchnorm_update_running(running_mean, running_var, cache)
    for a, b in zip(arrays, before, strict=True):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- errors

X = np.zeros((2, 3, 4, 4))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: batchnorm_forward(np.zeros(3), np.ones(3), np.zeros(3)),
            ValueError,
            "batchnorm_forward: expected x with 2 or 3 or 4 or 5 dims (N, C, *S), got shape (3,).",
        ),
        (
            lambda: batchnorm_forward(X, np.ones(4), np.zeros(3)),
            ValueError,
            "batchnorm_forward: expected gamma of shape (C,) = (3,) to match x's channels, "
            "got shape (4,).",
        ),
        (
            lambda: batchnorm_forward(X, np.ones(3), np.zeros((3, 1))),
            ValueError,
            "batchnorm_forward: expected beta of shape (C,) = (3,) to match x's channels, "
            "got shape (3, 1).",
        ),
        (
            lambda: batchnorm_forward(X, np.ones(3), np.zeros(3), training=False),
            ValueError,
            "batchnorm_forward: expected running_mean and running_var when training=False, "
            "got None.",
        ),
        (
            lambda: batchnorm_forward(
                X,
                np.ones(3),
                np.zeros(3),
                running_mean=np.zeros(2),
                running_var=np.ones(3),
                training=False,
            ),
            ValueError,
            "batchnorm_forward: expected running_mean of shape (C,) = (3,) to match x's channels, "
            "got shape (2,).",
        ),
        (
            lambda: batchnorm_forward(X, np.ones(3), np.zeros(3), training="eval"),
            TypeError,
            "batchnorm_forward: expected training as a bool, got 'eval'.",
        ),
        (
            lambda: batchnorm_forward(X, np.ones(3), np.zeros(3), eps=-1.0),
            ValueError,
            "batchnorm_forward: expected eps >= 0, got -1.0.",
        ),
        (
            lambda: batchnorm_forward(np.zeros((1, 3)), np.ones(3), np.zeros(3)),
            ValueError,
            "batchnorm_forward: expected more than 1 value per channel in training mode, "
            "got x of shape (1, 3).",
        ),
        (
            lambda: batchnorm_init_state(0),
            ValueError,
            "batchnorm_init_state: expected channels as a positive int, got 0.",
        ),
        (
            lambda: batchnorm_init_state(3, dtype=np.int32),
            TypeError,
            "batchnorm_init_state: expected a floating dtype, got dtype int32.",
        ),
    ],
)
def test_forward_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(message)


def test_backward_and_update_errors():
    _, train_cache = batchnorm_forward(X, np.ones(3), np.zeros(3))
    _, eval_cache = batchnorm_forward(
        X, np.ones(3), np.zeros(3), training=False, **batchnorm_init_state(3)
    )
    with pytest.raises(
        ValueError,
        match=r"batchnorm_backward: expected dout of shape "
        r"\(2, 3, 4, 4\) \(the forward's output\), got shape \(2, 3\)",
    ):
        batchnorm_backward(np.zeros((2, 3)), train_cache)
    with pytest.raises(
        TypeError,
        match="batchnorm_backward: expected the BatchNormCache "
        "returned by batchnorm_forward, got a tuple",
    ):
        batchnorm_backward(X, tuple(train_cache))
    with pytest.raises(
        ValueError,
        match=r"batchnorm_update_running: expected a cache "
        r"from batchnorm_forward\(..., training=True\), got a cache from "
        "evaluation mode",
    ):
        batchnorm_update_running(np.zeros(3), np.ones(3), eval_cache)
    with pytest.raises(
        ValueError,
        match=r"batchnorm_update_running: expected momentum "
        r"in \[0, 1\], got 1.5",
    ):
        batchnorm_update_running(np.zeros(3), np.ones(3), train_cache, momentum=1.5)
    with pytest.raises(
        ValueError,
        match=r"batchnorm_update_running: expected running_var "
        r"of shape \(C,\) = \(3,\)",
    ):
        batchnorm_update_running(np.zeros(3), np.ones(4), train_cache)


# ------------------------------------------- compiled kernels vs NumPy twins
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", SHAPES + [(3, 5, 9, 8)])
def test_compiled_path_equals_numpy_twin(shape, training, dtype):
    from reference.ops import norm

    rng = np.random.default_rng(21)
    x = (rng.standard_normal(shape) * 3 + 2).astype(dtype)
    x = np.swapaxes(np.swapaxes(x, 0, -1).copy(), 0, -1)  # not C-contiguous
    gamma, beta = (rng.standard_normal(shape[1]).astype(dtype) for _ in "gb")
    stats = (
        None
        if training
        else (np.full(shape[1], 1.5, dtype), np.full(shape[1], 2.0, dtype))
    )
    dout = rng.standard_normal(shape).astype(dtype)
    tol = 1e-12 if dtype == np.float64 else 2e-5
    want = norm._normalise(x, gamma, beta, 1e-5, stats)
    got = norm._normalise_compiled(x, gamma, beta, 1e-5, stats)
    for g, w in zip(got, want, strict=True):
        if w is None:
            assert g is None
            continue
        assert g.dtype == dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol)
    cache = BatchNormCache(want[1], gamma, want[3], training, want[2], want[4])
    for g, w in zip(
        norm._backward_compiled(dout, cache), norm._backward(dout, cache), strict=True
    ):
        assert g.dtype == dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol * np.abs(w).max())


def test_compiled_moments_sum_in_float64():
    # 2**24 + 1 is not a float32: float32 running sums of 1e6 values drift;
    # the kernels accumulate in float64, so the mean and variance are exact here
    from reference.ops._fast import kernels_norm

    x = np.full((1000, 1, 1000), 1.0 + 2.0**-12, np.float32)
    x[:, :, ::2] -= np.float32(2.0**-11)  # values 1 - 2**-12 and 1 + 2**-12
    mean, var = np.empty(1), np.empty(1)
    kernels_norm.channel_moments(x, 0, 1, mean, var)
    assert mean[0] == 1.0
    assert var[0] == 2.0**-24


# ------------------------------------------------------------ fused BN + ReLU
@pytest.mark.parametrize("path", ["compiled", "numpy"])
@pytest.mark.parametrize("training", [True, False])
def test_fused_relu_equals_relu_after_batchnorm(path, training, monkeypatch):
    from reference.ops import norm
    from reference.ops.activations import relu_backward, relu_forward

    if path == "numpy":
        monkeypatch.setattr(norm, "_compiled", lambda dtype: False)
    else:  # the compiled path also on this small layer
        monkeypatch.setattr(norm, "SMALL_ELEMENTS", 0)
    rng = np.random.default_rng(31)
    x = rng.standard_normal((3, 4, 5, 6))
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    state = {"running_mean": np.full(4, 0.2), "running_var": np.full(4, 1.5)}
    kwargs = dict(training=training, **state)
    out, cache = batchnorm_forward(x, gamma, beta, **kwargs)
    relu_out, relu_cache = relu_forward(out)
    fused, fused_cache = batchnorm_forward(x, gamma, beta, relu=True, **kwargs)
    np.testing.assert_array_equal(fused, relu_out)
    assert 0.2 < (fused == 0).mean() < 0.8  # the ReLU does cut here

    dout = rng.standard_normal(x.shape)
    want = batchnorm_backward(relu_backward(dout, relu_cache), cache)
    for got, expected in zip(batchnorm_backward(dout, fused_cache), want, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_fused_relu_gradient_check():
    rng = np.random.default_rng(32)
    x, dout = rng.standard_normal((4, 3, 5)), rng.standard_normal((4, 3, 5))
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)

    def forward(v):
        return batchnorm_forward(v, gamma, beta, relu=True)[0]

    _, cache = batchnorm_forward(x, gamma, beta, relu=True)
    dx, _, _ = batchnorm_backward(dout, cache)
    # absolute, relative to the largest entry: the ReLU zeroes some entries of
    # dx only nearly, which an elementwise relative error would magnify
    error = np.abs(dx - numerical_gradient(forward, x, dout, h=1e-5)).max()
    assert error < 1e-8 * np.abs(dx).max()


def test_fused_relu_flag_must_be_a_bool():
    with pytest.raises(TypeError, match=r"batchnorm_forward: expected relu as a bool"):
        batchnorm_forward(np.ones((2, 1)), np.ones(1), np.zeros(1), relu="yes")


# ------------------------------------------------------------ two threads
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("relu", [True, False])
def test_two_threads_give_the_same_result_as_one(
    training, relu, thread_runs, monkeypatch
):
    # large layers share their channels between two threads; each channel's
    # passes run whole in one thread, so the results are bit-identical
    from reference.ops import norm as norm_mod

    monkeypatch.setattr(norm_mod, "SMALL_ELEMENTS", 0)  # the compiled path, even here
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 7, 4, 5)).astype(np.float32)
    gamma, beta = rng.standard_normal(7), rng.standard_normal(7)
    gamma, beta = gamma.astype(np.float32), beta.astype(np.float32)
    stats = (
        rng.standard_normal(7).astype(np.float32),
        rng.random(7).astype(np.float32),
    )
    dout = rng.standard_normal(x.shape).astype(np.float32)

    def results():
        out, cache = batchnorm_forward(
            x,
            gamma,
            beta,
            running_mean=stats[0].copy(),
            running_var=stats[1].copy(),
            training=training,
            relu=relu,
        )
        return (out, cache.xhat, cache.inv_std, *batchnorm_backward(dout, cache))

    one = results()
    monkeypatch.setattr(norm_mod, "MIN_THREAD_CELLS", 0)
    two = results()
    assert [len(runs) for runs in thread_runs] == [1, 1, 2, 2]
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)
