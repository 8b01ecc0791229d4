"""Concat/add (combine.py), nearest upsampling (resample.py) and linear (linear.py)."""

import numpy as np
import pytest

from reference import ops
from reference.ops.combine import (
    AddCache,
    ConcatCache,
    add_backward,
    add_forward,
    concat_backward,
    concat_forward,
)
from reference.ops.linear import LinearCache, linear_backward, linear_forward
from reference.ops.resample import UpsampleCache, upsample_backward, upsample_forward
from reference.testing import numerical_gradient, rel_error


def test_package_reexports_every_kernel():
    for name in [
        "concat_forward",
        "add_backward",
        "upsample_forward",
        "linear_backward",
        "max_pool_forward",
        "batchnorm_update_running",
        "sigmoid",
        "softmax",
        "PoolCache",
        "BatchNormCache",
        "relu_backward",
        "global_avg_pool_forward",
    ]:
        assert callable(getattr(ops, name))


# ---------------------------------------------------------------- concat


@pytest.mark.parametrize("spatial", [(), (5,), (3, 4), (2, 3, 2)])
def test_concat_values_and_gradient_check(spatial):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3, *spatial)), rng.standard_normal((2, 2, *spatial))
    out, cache = concat_forward(a, b)
    assert isinstance(cache, ConcatCache) and out.shape == (2, 5, *spatial)
    np.testing.assert_array_equal(out[:, :3], a)
    np.testing.assert_array_equal(out[:, 3:], b)
    dout = rng.standard_normal(out.shape)
    da, db = concat_backward(dout, cache)
    assert (
        rel_error(da, numerical_gradient(lambda v: concat_forward(v, b)[0], a, dout))
        < 1e-6
    )
    assert (
        rel_error(db, numerical_gradient(lambda v: concat_forward(a, v)[0], b, dout))
        < 1e-6
    )


def test_concat_backward_returns_independent_copies_and_keeps_dtype():
    a, b = np.zeros((1, 1, 2), np.float32), np.ones((1, 2, 2), np.float32)
    out, cache = concat_forward(a, b)
    assert out.dtype == np.float32
    dout = np.arange(6, dtype=np.float32).reshape(1, 3, 2)
    da, db = concat_backward(dout, cache)
    np.testing.assert_array_equal(da, [[[0.0, 1.0]]])
    np.testing.assert_array_equal(db, [[[2.0, 3.0], [4.0, 5.0]]])
    da += 100
    db += 100
    np.testing.assert_array_equal(dout, np.arange(6).reshape(1, 3, 2))  # untouched
    assert da.dtype == np.float32 and da.flags.c_contiguous and db.flags.c_contiguous


# ---------------------------------------------------------------- add


def test_add_values_gradient_and_copies():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 4))
    before = (a.copy(), b.copy())
    out, cache = add_forward(a, b)
    assert isinstance(cache, AddCache)
    np.testing.assert_array_equal(out, a + b)
    dout = rng.standard_normal(out.shape)
    da, db = add_backward(dout, cache)
    assert (
        rel_error(da, numerical_gradient(lambda v: add_forward(v, b)[0], a, dout))
        < 1e-6
    )
    assert (
        rel_error(db, numerical_gradient(lambda v: add_forward(a, v)[0], b, dout))
        < 1e-6
    )
    da += 1
    np.testing.assert_array_equal(db, dout)  # independent of da
    np.testing.assert_array_equal(a, before[0])
    np.testing.assert_array_equal(b, before[1])


def test_combine_errors():
    with pytest.raises(
        ValueError,
        match=r"concat_forward: expected a and b with the same "
        r"shape except along channels \(axis 1\), got \(1, 2, 4, 4\) and "
        r"\(1, 3, 4, 5\)\. U-Net skips need matching sizes",
    ):
        concat_forward(np.zeros((1, 2, 4, 4)), np.zeros((1, 3, 4, 5)))
    with pytest.raises(
        ValueError,
        match=r"concat_forward: expected b with 4 dims like a, "
        r"got shape \(1, 3, 4\)",
    ):
        concat_forward(np.zeros((1, 2, 4, 4)), np.zeros((1, 3, 4)))
    with pytest.raises(
        ValueError,
        match=r"concat_forward: expected a with 2 or 3 or 4 or "
        r"5 dims \(N, C, \*S\), got shape \(4,\)",
    ):
        concat_forward(np.zeros(4), np.zeros(4))
    with pytest.raises(
        TypeError,
        match="concat_forward: expected a and b with the same "
        r"dtype, got float32 and float64\. Convert one with \.astype",
    ):
        concat_forward(np.zeros((1, 2), np.float32), np.zeros((1, 2)))
    with pytest.raises(
        ValueError,
        match=r"add_forward: expected a and b with the same "
        r"shape \(add_forward never broadcasts\), got \(2, 3\) and \(1, 3\)",
    ):
        add_forward(np.zeros((2, 3)), np.zeros((1, 3)))
    with pytest.raises(
        TypeError, match="add_forward: expected a and b with the same dtype"
    ):
        add_forward(np.zeros(3), np.zeros(3, np.float32))
    _, cache = concat_forward(np.zeros((1, 1)), np.zeros((1, 2)))
    with pytest.raises(
        ValueError,
        match=r"concat_backward: expected dout of shape "
        r"\(1, 3\) \(the forward's output\), got shape \(1, 4\)",
    ):
        concat_backward(np.zeros((1, 4)), cache)
    with pytest.raises(
        TypeError,
        match="add_backward: expected the AddCache returned by "
        "add_forward, got a ConcatCache",
    ):
        add_backward(np.zeros((1, 3)), cache)


# ---------------------------------------------------------------- upsample


def _repeat(x, scale):
    for axis, factor in enumerate(scale, start=2):
        x = np.repeat(x, factor, axis=axis)
    return x


@pytest.mark.parametrize(
    ("shape", "scale"),
    [
        ((2, 3, 4), 2),
        ((2, 3, 4), 3),
        ((2, 2, 3, 4), 2),
        ((1, 2, 3, 2), (2, 3)),
        ((1, 2, 2, 3, 2), 2),
        ((1, 1, 2, 2, 3), (1, 2, 3)),
        ((2, 2, 3, 3), 1),
    ],
)
def test_upsample_matches_repeat_and_gradient_check(shape, scale):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape)
    out, cache = upsample_forward(x, scale)
    scale_tuple = (scale,) * (len(shape) - 2) if isinstance(scale, int) else scale
    np.testing.assert_array_equal(out, _repeat(x, scale_tuple))
    dout = rng.standard_normal(out.shape)
    dx = upsample_backward(dout, cache)
    assert (
        rel_error(
            dx, numerical_gradient(lambda v: upsample_forward(v, scale)[0], x, dout)
        )
        < 1e-6
    )


def test_upsample_by_hand_dtype_and_purity():
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]], np.float32)
    before = x.copy()
    out, cache = upsample_forward(x)
    assert isinstance(cache, UpsampleCache) and out.dtype == np.float32
    np.testing.assert_array_equal(
        out[0, 0], [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    )
    dout = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    dx = upsample_backward(dout, cache)
    # block sums: 0+1+4+5, 2+3+6+7, 8+9+12+13, 10+11+14+15
    np.testing.assert_array_equal(dx, [[[[10.0, 18.0], [42.0, 50.0]]]])
    assert dx.dtype == np.float32
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(dout, np.arange(16).reshape(1, 1, 4, 4))


def test_upsample_errors():
    with pytest.raises(
        ValueError,
        match=r"upsample_forward: expected x with 3 or 4 or 5 "
        r"dims \(N, C, \*S\), got shape \(4, 4\)\.",
    ):
        upsample_forward(np.zeros((4, 4)))
    with pytest.raises(
        ValueError,
        match=r"upsample_forward: expected scale >= 1 on every "
        r"axis, got scale=\(0, 0\)\.",
    ):
        upsample_forward(np.zeros((1, 1, 2, 2)), 0)
    with pytest.raises(
        ValueError,
        match=r"upsample_forward: expected scale with 2 entries "
        r"\(one per spatial dim\), got \(2, 2, 2\)\.",
    ):
        upsample_forward(np.zeros((1, 1, 2, 2)), (2, 2, 2))
    with pytest.raises(
        TypeError,
        match=r"upsample_forward: expected scale as an int or a "
        r"tuple of 2 ints, got 1.5\.",
    ):
        upsample_forward(np.zeros((1, 1, 2, 2)), 1.5)
    _, cache = upsample_forward(np.zeros((1, 1, 2, 3)), 2)
    with pytest.raises(
        ValueError,
        match=r"upsample_backward: expected dout of shape "
        r"\(1, 1, 4, 6\) \(x's spatial shape \(2, 3\) times scale \(2, 2\)\), "
        r"got shape \(1, 1, 5, 6\)\.",
    ):
        upsample_backward(np.zeros((1, 1, 5, 6)), cache)


# ---------------------------------------------------------------- linear


@pytest.mark.parametrize("bias", [True, False])
def test_linear_values_and_gradient_check(bias):
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((4, 5)), rng.standard_normal((3, 5))
    b = rng.standard_normal(3) if bias else None
    out, cache = linear_forward(x, w, b)
    assert isinstance(cache, LinearCache)
    expected = np.einsum("nk,fk->nf", x, w) + (b if bias else 0)
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = linear_backward(dout, cache)
    assert (
        rel_error(dx, numerical_gradient(lambda v: linear_forward(v, w, b)[0], x, dout))
        < 1e-6
    )
    assert (
        rel_error(dw, numerical_gradient(lambda v: linear_forward(x, v, b)[0], w, dout))
        < 1e-6
    )
    if bias:
        assert (
            rel_error(
                db, numerical_gradient(lambda v: linear_forward(x, w, v)[0], b, dout)
            )
            < 1e-6
        )
    else:
        assert db is None


def test_linear_by_hand_dtype_and_purity():
    x = np.array([[1.0, 2.0]], np.float32)
    w = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, -1.0]])  # float64 weight: cast to x's
    b = np.array([0.0, 0.0, 10.0])
    before = [x.copy(), w.copy(), b.copy()]
    out, cache = linear_forward(x, w, b)
    np.testing.assert_array_equal(out, [[1.0, 3.0, 8.0]])
    dx, dw, db = linear_backward(np.array([[1.0, 1.0, 1.0]], np.float32), cache)
    np.testing.assert_array_equal(dx, [[2.0, 0.0]])
    np.testing.assert_array_equal(dw, [[1.0, 2.0]] * 3)
    np.testing.assert_array_equal(db, [1.0, 1.0, 1.0])
    assert out.dtype == dx.dtype == dw.dtype == db.dtype == np.float32
    for now, then in zip([x, w, b], before, strict=True):
        np.testing.assert_array_equal(now, then)


def test_linear_float32_within_tolerance_of_float64():
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((8, 64)), rng.standard_normal((14, 64)), np.ones(14)
    out64, cache64 = linear_forward(x, w, b)
    out32, cache32 = linear_forward(x.astype(np.float32), w.astype(np.float32), b)
    np.testing.assert_allclose(out32, out64, rtol=1e-5, atol=1e-5)
    dout = rng.standard_normal(out64.shape)
    for g32, g64 in zip(
        linear_backward(dout.astype(np.float32), cache32),
        linear_backward(dout, cache64),
        strict=True,
    ):
        np.testing.assert_allclose(g32, g64, rtol=1e-5, atol=1e-5)


def test_linear_errors():
    with pytest.raises(
        ValueError,
        match=r"linear_forward: expected x with 2 dims "
        r"\(N, F_in\), got shape \(2, 3, 4\)\. Flatten the features first",
    ):
        linear_forward(np.zeros((2, 3, 4)), np.zeros((5, 12)))
    with pytest.raises(
        ValueError,
        match=r"linear_forward: expected w of shape "
        r"\(F_out, 3\) to match x's F_in = 3, got shape \(3, 5\)\. w uses "
        r"PyTorch's \(F_out, F_in\) layout",
    ):
        linear_forward(np.zeros((2, 3)), np.zeros((3, 5)))
    with pytest.raises(
        ValueError,
        match=r"linear_forward: expected b of shape "
        r"\(F_out,\) = \(5,\), got shape \(3,\)\.",
    ):
        linear_forward(np.zeros((2, 3)), np.zeros((5, 3)), np.zeros(3))
    _, cache = linear_forward(np.zeros((2, 3)), np.zeros((5, 3)))
    with pytest.raises(
        ValueError,
        match=r"linear_backward: expected dout of shape "
        r"\(2, 5\) \(the forward's output\), got shape \(5, 2\)\.",
    ):
        linear_backward(np.zeros((5, 2)), cache)


def test_upsample_scale_follows_the_shared_spatial_rule():
    x = np.arange(4.0).reshape(1, 1, 2, 2)
    np.testing.assert_array_equal(
        upsample_forward(x, np.int64(2))[0], upsample_forward(x, [2, 2])[0]
    )
    with pytest.raises(
        TypeError,
        match=r"upsample_forward: expected scale as an int or "
        r"a tuple of 2 ints, got 2\.0\.",
    ):
        upsample_forward(x, 2.0)
    with pytest.raises(
        TypeError,
        match=r"upsample_forward: expected scale as an int or "
        r"a tuple of 2 ints, got True\.",
    ):
        upsample_forward(x, True)
