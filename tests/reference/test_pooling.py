"""Max, average and global average pooling (reference/ops/pooling.py, _fast/kernels_pool.py)."""

import json

import numpy as np
import pytest

from reference.ops._fast import kernels_pool
from reference.ops.pooling import (
    GlobalPoolCache,
    PoolCache,
    avg_pool_backward,
    avg_pool_forward,
    global_avg_pool_backward,
    global_avg_pool_forward,
    max_pool_backward,
    max_pool_forward,
)
from reference.testing import numerical_gradient, rel_error

# ---------------------------------------------------------------- naive oracles


def _tuple(v, nd):
    return (v,) * nd if isinstance(v, int) else tuple(v)


def naive_max_pool(x, dout, kernel, stride, padding):
    """Loops over every output cell: (out, dx); ties go to np.argmax's first max."""
    nd = x.ndim - 2
    kernel, stride, padding = (
        _tuple(kernel, nd),
        _tuple(stride, nd),
        _tuple(padding, nd),
    )
    x_pad = np.pad(
        x, [(0, 0), (0, 0)] + [(p, p) for p in padding], constant_values=-np.inf
    )
    out_spatial = [
        1 + (s - k) // st
        for s, k, st in zip(x_pad.shape[2:], kernel, stride, strict=True)
    ]
    out = np.empty((*x.shape[:2], *out_spatial), dtype=x.dtype)
    dx_pad = np.zeros(x_pad.shape)
    for n, c in np.ndindex(*x.shape[:2]):
        for o in np.ndindex(*out_spatial):
            corner = [i * st for i, st in zip(o, stride, strict=True)]
            window = x_pad[
                (n, c, *(slice(a, a + k) for a, k in zip(corner, kernel, strict=True)))
            ]
            first = np.unravel_index(np.argmax(window), window.shape)
            out[(n, c, *o)] = window[first]
            if dout is not None:
                dx_pad[
                    (n, c, *(a + u for a, u in zip(corner, first, strict=True)))
                ] += dout[(n, c, *o)]
    crop = (
        slice(None),
        slice(None),
        *(slice(p, p + s) for p, s in zip(padding, x.shape[2:], strict=True)),
    )
    return out, dx_pad[crop]


def naive_avg_pool(x, kernel, stride):
    nd = x.ndim - 2
    kernel, stride = _tuple(kernel, nd), _tuple(stride, nd)
    out_spatial = [
        1 + (s - k) // st for s, k, st in zip(x.shape[2:], kernel, stride, strict=True)
    ]
    out = np.empty((*x.shape[:2], *out_spatial))
    for o in np.ndindex(*out_spatial):
        window = x[
            (
                slice(None),
                slice(None),
                *(
                    slice(i * st, i * st + k)
                    for i, st, k in zip(o, stride, kernel, strict=True)
                ),
            )
        ]
        out[(slice(None), slice(None), *o)] = window.reshape(*x.shape[:2], -1).mean(
            axis=2
        )
    return out


# (x shape, kernel, stride, padding): 1D, 2D, 3D; DenseNet stem; U-Net; anisotropic
MAX_CASES = [
    ((2, 3, 9), 3, 2, 1),
    ((2, 2, 7), 2, 1, 0),
    ((2, 3, 7, 8), 3, 2, 1),
    ((1, 2, 6, 6), 2, None, 0),
    ((2, 2, 5, 6), 3, 1, 1),
    ((1, 2, 5, 7), (2, 3), (1, 2), (1, 0)),
    ((1, 2, 4, 4, 4), 2, 2, 0),
    ((1, 2, 5, 4, 6), 3, 2, 1),
    ((1, 1, 3, 5, 4), (1, 3, 2), (1, 2, 1), (0, 1, 1)),
]


# ---------------------------------------------------------------- max pooling


@pytest.mark.parametrize(("shape", "kernel", "stride", "padding"), MAX_CASES)
def test_max_pool_matches_naive_loops_including_ties(shape, kernel, stride, padding):
    rng = np.random.default_rng(0)
    for x in (rng.standard_normal(shape), rng.integers(0, 3, shape).astype(float)):
        out, cache = max_pool_forward(x, kernel, stride, padding)
        dout = rng.standard_normal(out.shape)
        expected_out, expected_dx = naive_max_pool(
            x, dout, kernel, stride or kernel, padding
        )
        np.testing.assert_array_equal(out, expected_out)
        np.testing.assert_allclose(
            max_pool_backward(dout, cache), expected_dx, rtol=1e-12, atol=1e-12
        )


@pytest.mark.parametrize(("shape", "kernel", "stride", "padding"), MAX_CASES)
def test_max_pool_gradient_check(shape, kernel, stride, padding):
    rng = np.random.default_rng(1)
    x = rng.permutation(np.prod(shape)).reshape(shape) / 7.0  # distinct: no ties
    out, cache = max_pool_forward(x, kernel, stride, padding)
    dout = rng.standard_normal(out.shape)
    numeric = numerical_gradient(
        lambda v: max_pool_forward(v, kernel, stride, padding)[0], x, dout
    )
    assert rel_error(max_pool_backward(dout, cache), numeric) < 1e-6


def test_max_pool_densenet_stem_by_hand_padding_never_wins():
    # all values negative: zero padding would wrongly give 0 everywhere
    x = -np.arange(1.0, 17.0).reshape(1, 1, 4, 4)
    out, cache = max_pool_forward(x, kernel=3, stride=2, padding=1)
    np.testing.assert_array_equal(out, [[[[-1.0, -2.0], [-5.0, -6.0]]]])
    dx = max_pool_backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), cache)
    expected = np.zeros((1, 1, 4, 4))
    expected[0, 0, 0, 0], expected[0, 0, 0, 1] = 1.0, 2.0
    expected[0, 0, 1, 0], expected[0, 0, 1, 1] = 3.0, 4.0
    np.testing.assert_array_equal(dx, expected)


def test_max_pool_ties_first_in_row_major_order_gets_gradient():
    _, cache = max_pool_forward(np.ones((1, 1, 2, 2)), kernel=2)
    np.testing.assert_array_equal(
        max_pool_backward(np.full((1, 1, 1, 1), 7.0), cache),
        [[[[7.0, 0.0], [0.0, 0.0]]]],
    )
    _, cache = max_pool_forward(np.ones((1, 1, 2, 2, 2)), kernel=2)
    dx = max_pool_backward(np.ones((1, 1, 1, 1, 1)), cache)
    assert dx[0, 0, 0, 0, 0] == 1.0 and dx.sum() == 1.0
    # a tie between the second row and the first column: row-major picks (0, 1)
    x = np.array([[[[0.0, 5.0], [5.0, 1.0]]]])
    _, cache = max_pool_forward(x, kernel=2)
    np.testing.assert_array_equal(
        max_pool_backward(np.ones((1, 1, 1, 1)), cache), [[[[0.0, 1.0], [0.0, 0.0]]]]
    )


def test_max_pool_nan_propagates_in_jit_and_twin():
    x = np.array([[[[1.0, np.nan], [3.0, 2.0]]]])
    out, cache = max_pool_forward(x, 2)
    assert np.isnan(out[0, 0, 0, 0])
    np.testing.assert_array_equal(
        max_pool_backward(np.ones((1, 1, 1, 1)), cache), [[[[0.0, 1.0], [0.0, 0.0]]]]
    )
    out_twin, argmax_twin = np.empty((1, 1, 1, 1)), np.empty((1, 1, 1, 1), np.uint8)
    kernels_pool.max_pool_forward_3d_numpy(
        x.reshape(1, 1, 2, 2), 1, 2, 2, 1, 2, 2, 0, 0, 0, out_twin, argmax_twin
    )
    assert np.isnan(out_twin[0, 0, 0, 0]) and argmax_twin[0, 0, 0, 0] == 1
    # a NaN after the maximum, a window with both infinities (no NaN)
    x = np.array([[[5.0, np.nan, 1.0, np.inf, -np.inf, 0.0]]])
    out, cache = max_pool_forward(x, kernel=3)
    assert np.isnan(out[0, 0, 0]) and out[0, 0, 1] == np.inf
    np.testing.assert_array_equal(
        max_pool_backward(np.ones((1, 1, 2)), cache), [[[0.0, 1.0, 0.0, 1.0, 0.0, 0.0]]]
    )


def test_max_pool_overlapping_windows_add_gradients():
    x = np.array([[[0.0, 5.0, 1.0, 0.0, 2.0]]])
    out, cache = max_pool_forward(x, kernel=3, stride=1)
    np.testing.assert_array_equal(out, [[[5.0, 5.0, 2.0]]])
    np.testing.assert_array_equal(
        max_pool_backward(np.ones((1, 1, 3)), cache), [[[0.0, 2.0, 0.0, 0.0, 1.0]]]
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_dtype_preserved_and_inputs_unchanged(dtype):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 8, 8)).astype(dtype)
    x_before = x.copy()
    out, cache = max_pool_forward(x, 3, 2, 1)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dout_before = dout.copy()
    dx = max_pool_backward(dout, cache)
    assert out.dtype == dtype and dx.dtype == dtype and dx.shape == x.shape
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(dout, dout_before)


def test_max_pool_float32_equals_float64():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 2, 7, 6, 5))
    out64, cache64 = max_pool_forward(x, 3, 2, 1)
    out32, cache32 = max_pool_forward(x.astype(np.float32), 3, 2, 1)
    np.testing.assert_array_equal(out32, out64.astype(np.float32))  # max is exact
    dout = rng.standard_normal(out64.shape)
    np.testing.assert_allclose(
        max_pool_backward(dout.astype(np.float32), cache32),
        max_pool_backward(dout, cache64),
        rtol=1e-6,
        atol=1e-6,
    )


def test_max_pool_accepts_non_contiguous_input():
    x = np.random.default_rng(4).standard_normal((4, 6, 8, 3)).transpose(0, 3, 1, 2)
    out, _ = max_pool_forward(x, 2)
    np.testing.assert_array_equal(out, naive_max_pool(x, None, 2, 2, 0)[0])


# ---------------------------------------------------------------- Numba vs NumPy twins


def _canonical_case(rng, shape, kernel, stride, padding, ties):
    x = rng.integers(0, 3, shape).astype(float) if ties else rng.standard_normal(shape)
    if ties:  # sprinkle NaN and +-inf: NaN must propagate, +inf - inf is not a NaN
        x.flat[rng.choice(x.size, 6, replace=False)] = [
            np.nan,
            np.nan,
            np.inf,
            -np.inf,
            np.inf,
            -np.inf,
        ]
    out_shape = (
        shape[0],
        *(
            1 + (s + 2 * p - k) // st
            for s, k, st, p in zip(shape[1:], kernel, stride, padding, strict=True)
        ),
    )
    return x, out_shape


@pytest.mark.numba
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize(
    ("shape", "kernel", "stride", "padding"),
    [
        ((3, 1, 1, 9), (1, 1, 3), (1, 1, 2), (0, 0, 1)),
        ((3, 1, 7, 8), (1, 3, 3), (1, 2, 2), (0, 1, 1)),
        ((2, 4, 5, 6), (2, 2, 2), (2, 2, 2), (0, 0, 0)),
        ((2, 5, 6, 7), (3, 2, 3), (2, 1, 3), (1, 1, 1)),
    ],
)
def test_max_pool_jit_kernels_equal_numpy_twins(shape, kernel, stride, padding, ties):
    rng = np.random.default_rng(5)
    for dtype in (np.float32, np.float64):
        x, out_shape = _canonical_case(rng, shape, kernel, stride, padding, ties)
        x = x.astype(dtype)
        results = []
        for forward, backward in (
            (kernels_pool.max_pool_forward_3d, kernels_pool.max_pool_backward_3d),
            (
                kernels_pool.max_pool_forward_3d_numpy,
                kernels_pool.max_pool_backward_3d_numpy,
            ),
        ):
            out = np.empty(out_shape, dtype)
            argmax = np.empty(out_shape, np.uint8)
            forward(x, *kernel, *stride, *padding, out, argmax)
            dx = np.zeros(shape, dtype)
            backward(np.ones(out_shape, dtype), argmax, *kernel, *stride, *padding, dx)
            results.append((out, argmax, dx))
        for jit_result, numpy_result in zip(*results, strict=True):
            np.testing.assert_array_equal(jit_result, numpy_result)


@pytest.mark.numba
def test_upsample_jit_kernels_equal_numpy_twins():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 2, 3, 4))
    for factors in [(1, 1, 2), (2, 2, 2), (1, 3, 2), (2, 1, 3)]:
        out_shape = (3, *(s * f for s, f in zip(x.shape[1:], factors, strict=True)))
        outs = []
        for kernel in (
            kernels_pool.upsample_forward_3d,
            kernels_pool.upsample_forward_3d_numpy,
        ):
            out = np.empty(out_shape)
            kernel(x, *factors, out)
            outs.append(out)
        np.testing.assert_array_equal(*outs)
        dout = rng.standard_normal(out_shape)
        dxs = []
        for kernel in (
            kernels_pool.upsample_backward_3d,
            kernels_pool.upsample_backward_3d_numpy,
        ):
            dx = np.zeros(x.shape)
            kernel(dout, *factors, dx)
            dxs.append(dx)
        np.testing.assert_allclose(*dxs, rtol=1e-13)


_NO_JIT_SCRIPT = """
import json, sys
import numpy as np
from reference.ops import max_pool_forward, max_pool_backward
from reference.ops._fast import kernels_pool
from reference.ops import upsample_forward, upsample_backward
assert not kernels_pool.jit_enabled()
x = np.random.default_rng(7).integers(0, 4, (2, 2, 5, 6)).astype(float)
out, cache = max_pool_forward(x, 3, 2, 1)
up, up_cache = upsample_forward(x, (2, 3))
json.dump({"out": out.tolist(), "dx": max_pool_backward(out, cache).tolist(),
           "up": up.tolist(), "dup": upsample_backward(up, up_cache).tolist()},
          sys.stdout)
"""


@pytest.mark.numba
def test_everything_runs_with_numba_jit_disabled(run_without_jit):
    got = {
        k: np.array(v) for k, v in json.loads(run_without_jit(_NO_JIT_SCRIPT)).items()
    }
    from reference.ops import upsample_backward, upsample_forward

    x = np.random.default_rng(7).integers(0, 4, (2, 2, 5, 6)).astype(float)
    out, cache = max_pool_forward(x, 3, 2, 1)
    up, up_cache = upsample_forward(x, (2, 3))
    np.testing.assert_array_equal(got["out"], out)
    np.testing.assert_array_equal(got["dx"], max_pool_backward(out, cache))
    np.testing.assert_array_equal(got["up"], up)
    np.testing.assert_array_equal(got["dup"], upsample_backward(up, up_cache))


# ---------------------------------------------------------------- average pooling

AVG_CASES = [
    ((2, 3, 8), 2, None),
    ((2, 2, 7), 3, 1),
    ((2, 3, 6, 6), 2, None),
    ((1, 2, 5, 5), 2, None),  # the last row and column are in no window
    ((2, 2, 6, 7), 3, 2),
    ((1, 2, 5, 6), (2, 3), (1, 3)),
    ((1, 2, 4, 4, 4), 2, None),
    ((1, 1, 5, 4, 6), (3, 2, 2), (2, 1, 2)),
]


@pytest.mark.parametrize(("shape", "kernel", "stride"), AVG_CASES)
def test_avg_pool_matches_naive_and_gradient_check(shape, kernel, stride):
    rng = np.random.default_rng(8)
    x = rng.standard_normal(shape)
    out, cache = avg_pool_forward(x, kernel, stride)
    np.testing.assert_allclose(
        out, naive_avg_pool(x, kernel, stride or kernel), rtol=1e-12, atol=1e-14
    )
    dout = rng.standard_normal(out.shape)
    numeric = numerical_gradient(
        lambda v: avg_pool_forward(v, kernel, stride)[0], x, dout
    )
    assert rel_error(avg_pool_backward(dout, cache), numeric) < 1e-6


def test_avg_pool_by_hand():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    out, cache = avg_pool_forward(x, kernel=2)  # DenseNet's transition
    np.testing.assert_array_equal(out, [[[[2.5, 4.5], [10.5, 12.5]]]])
    np.testing.assert_array_equal(
        avg_pool_backward(np.full((1, 1, 2, 2), 4.0), cache), np.ones((1, 1, 4, 4))
    )
    # an odd length: the last cell is in no window and gets no gradient
    out, cache = avg_pool_forward(np.arange(5.0).reshape(1, 1, 5), kernel=2)
    np.testing.assert_array_equal(out, [[[0.5, 2.5]]])
    np.testing.assert_array_equal(
        avg_pool_backward(np.ones((1, 1, 2)), cache), [[[0.5, 0.5, 0.5, 0.5, 0.0]]]
    )
    # overlapping windows share cells: gradients add
    out, cache = avg_pool_forward(
        np.array([[[1.0, 2.0, 3.0, 4.0]]]), kernel=3, stride=1
    )
    np.testing.assert_array_equal(out, [[[2.0, 3.0]]])
    np.testing.assert_array_equal(
        avg_pool_backward(np.full((1, 1, 2), 3.0), cache), [[[1.0, 2.0, 2.0, 1.0]]]
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_avg_pool_dtype_float32_tolerance_inputs_unchanged(dtype):
    rng = np.random.default_rng(9)
    x64 = rng.standard_normal((2, 4, 6, 6, 6))
    x = x64.astype(dtype)
    x_before = x.copy()
    out, cache = avg_pool_forward(x, 2)
    dout = np.ones(out.shape, dtype)
    dx = avg_pool_backward(dout, cache)
    assert out.dtype == dtype and dx.dtype == dtype
    np.testing.assert_allclose(out, avg_pool_forward(x64, 2)[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(dout, np.ones(out.shape))
    assert dx.flags.writeable


# ---------------------------------------------------------------- global average pooling


@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 4, 5), (1, 2, 3, 4, 2)])
def test_global_avg_pool_values_and_gradient_check(shape):
    rng = np.random.default_rng(10)
    x = rng.standard_normal(shape)
    out, cache = global_avg_pool_forward(x)
    np.testing.assert_allclose(out, x.reshape(*shape[:2], -1).mean(axis=2), rtol=1e-12)
    assert out.shape == shape[:2]
    dout = rng.standard_normal(out.shape)
    numeric = numerical_gradient(lambda v: global_avg_pool_forward(v)[0], x, dout)
    assert rel_error(global_avg_pool_backward(dout, cache), numeric) < 1e-6


def test_global_avg_pool_by_hand_and_float32():
    x = np.arange(8.0).reshape(1, 2, 2, 2)
    out, cache = global_avg_pool_forward(x)
    np.testing.assert_array_equal(out, [[1.5, 5.5]])
    np.testing.assert_array_equal(
        global_avg_pool_backward(np.array([[4.0, 8.0]]), cache),
        [[[[1.0, 1.0], [1.0, 1.0]], [[2.0, 2.0], [2.0, 2.0]]]],
    )
    out32, cache32 = global_avg_pool_forward(x.astype(np.float32))
    assert out32.dtype == np.float32
    assert global_avg_pool_backward(out32, cache32).dtype == np.float32


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: max_pool_forward(np.zeros((3, 4)), 2),
            ValueError,
            "max_pool_forward: expected x with 3 or 4 or 5 dims (N, C, *S), got shape (3, 4).",
        ),
        (
            lambda: max_pool_forward(np.zeros((1, 1, 2, 2)), 3),
            ValueError,
            "max_pool_forward: expected kernel no larger than the spatial size (2, 2), "
            "got kernel=(3, 3) for x of shape (1, 1, 2, 2). Use a smaller kernel or a larger "
            "input.",
        ),
        (
            lambda: max_pool_forward(np.zeros((1, 1, 2, 2)), 5, 1, 1),
            ValueError,
            "max_pool_forward: expected kernel no larger than the padded spatial size (4, 4), "
            "got kernel=(5, 5) for x of shape (1, 1, 2, 2).",
        ),
        (
            lambda: max_pool_forward(np.zeros((1, 1, 6, 6)), 3, 1, 2),
            ValueError,
            "max_pool_forward: expected padding at most half the kernel (<= (1, 1)), "
            "got padding=(2, 2).",
        ),
        (
            lambda: max_pool_forward(np.zeros((1, 1, 6, 6)), (2, 2, 2)),
            ValueError,
            "max_pool_forward: expected kernel with 2 entries (one per spatial dim), "
            "got (2, 2, 2).",
        ),
        (
            lambda: max_pool_forward(np.zeros((1, 1, 6, 6)), 2.0),
            TypeError,
            "max_pool_forward: expected kernel as an int or a tuple of 2 ints, got 2.0.",
        ),
        (
            lambda: max_pool_forward(np.zeros((1, 1, 6, 6)), True),
            TypeError,
            "max_pool_forward: expected kernel as an int or a tuple of 2 ints, got True.",
        ),
        (
            lambda: max_pool_forward(np.zeros((1, 1, 6, 6)), 2, 0),
            ValueError,
            "max_pool_forward: expected stride >= 1 on every axis, got stride=(0, 0).",
        ),
        (
            lambda: max_pool_forward(np.array([["a"]]), 2),
            TypeError,
            "max_pool_forward: expected x with a numeric dtype",
        ),
        (
            lambda: avg_pool_forward(np.zeros((1, 1, 4, 4, 4, 4)), 2),
            ValueError,
            "avg_pool_forward: expected x with 3 or 4 or 5 dims (N, C, *S), "
            "got shape (1, 1, 4, 4, 4, 4).",
        ),
        (
            lambda: avg_pool_forward(np.zeros((1, 1, 3)), 4),
            ValueError,
            "avg_pool_forward: expected kernel no larger than the spatial size (3,), "
            "got kernel=(4,) for x of shape (1, 1, 3). Use a smaller kernel",
        ),
        (
            lambda: global_avg_pool_forward(np.zeros((2, 3))),
            ValueError,
            "global_avg_pool_forward: expected x with 3 or 4 or 5 dims (N, C, *S), "
            "got shape (2, 3).",
        ),
    ],
)
def test_pooling_errors_name_function_argument_expected_and_actual(
    call, error, message
):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(message)


def test_pooling_backward_errors():
    x = np.zeros((1, 2, 4, 4))
    _, max_cache = max_pool_forward(x, 2)
    _, avg_cache = avg_pool_forward(x, 2)
    _, global_cache = global_avg_pool_forward(x)
    assert isinstance(max_cache, PoolCache) and isinstance(
        global_cache, GlobalPoolCache
    )
    with pytest.raises(
        ValueError,
        match=r"max_pool_backward: expected dout of shape "
        r"\(1, 2, 2, 2\) \(the forward's output\), got shape \(1, 2, 4, 4\)",
    ):
        max_pool_backward(x, max_cache)
    with pytest.raises(
        TypeError,
        match="max_pool_backward: expected the PoolCache returned "
        "by max_pool_forward, got a PoolCache from avg_pool_forward",
    ):
        max_pool_backward(np.zeros((1, 2, 2, 2)), avg_cache)
    with pytest.raises(
        TypeError,
        match="avg_pool_backward: expected the PoolCache returned "
        "by avg_pool_forward, got a PoolCache from max_pool_forward",
    ):
        avg_pool_backward(np.zeros((1, 2, 2, 2)), max_cache)
    with pytest.raises(
        TypeError,
        match="max_pool_backward: expected the PoolCache returned "
        "by max_pool_forward, got a GlobalPoolCache",
    ):
        max_pool_backward(np.zeros((1, 2, 2, 2)), global_cache)
    with pytest.raises(
        ValueError,
        match=r"avg_pool_backward: expected dout of shape "
        r"\(1, 2, 2, 2\) \(the forward's output\)",
    ):
        avg_pool_backward(np.zeros((1, 2, 3, 3)), avg_cache)
    with pytest.raises(
        TypeError,
        match="global_avg_pool_backward: expected the "
        "GlobalPoolCache returned by global_avg_pool_forward, got a PoolCache",
    ):
        global_avg_pool_backward(np.zeros((1, 2)), max_cache)
    with pytest.raises(
        ValueError,
        match=r"global_avg_pool_backward: expected dout of "
        r"shape \(1, 2\) \(the forward's output\), got shape \(2,\)",
    ):
        global_avg_pool_backward(np.zeros(2), global_cache)


@pytest.mark.parametrize("op", ["max_pool", "upsample"])
def test_two_threads_give_the_same_result_as_one(op, thread_runs, monkeypatch):
    # large inputs are split into two runs of maps, one per thread
    from reference.ops import pooling as pooling_mod
    from reference.ops import resample as resample_mod
    from reference.ops.resample import upsample_backward, upsample_forward

    for module in (pooling_mod, resample_mod):  # the compiled kernels, even here
        monkeypatch.setattr(module, "SMALL_ELEMENTS", 0)
    x = np.random.default_rng(3).standard_normal((2, 3, 9, 8))

    def results():
        if op == "max_pool":
            out, cache = max_pool_forward(x, kernel=3, stride=2, padding=1)
            return out, max_pool_backward(np.arange(out.size).reshape(out.shape), cache)
        out, cache = upsample_forward(x, scale=2)
        return out, upsample_backward(np.arange(out.size).reshape(out.shape), cache)

    one = results()
    monkeypatch.setattr(pooling_mod, "MIN_THREAD_CELLS", 0)
    two = results()
    assert [len(runs) for runs in thread_runs] == [1, 1, 2, 2]
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- one rule with conv


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda x: max_pool_forward(x, 2, stride=2.0), "stride"),
        (lambda x: max_pool_forward(x, 2, stride=(2, 2.0)), "stride"),
        (lambda x: max_pool_forward(x, 3, stride=2, padding=1.0), "padding"),
        (lambda x: max_pool_forward(x, (2, 2.0)), "kernel"),
        (lambda x: avg_pool_forward(x, 2, stride=2.0), "stride"),
        (lambda x: avg_pool_forward(x, 2, stride=False), "stride"),
    ],
)
def test_pooling_rejects_float_and_bool_hyperparameters_as_conv_does(call, name):
    with pytest.raises(
        TypeError,
        match=rf"_pool_forward: expected {name} as an int or "
        r"a tuple of 2 ints, got ",
    ):
        call(np.zeros((1, 1, 4, 4)))


def test_pooling_accepts_numpy_ints_and_lists():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    expected = max_pool_forward(x, 2)[0]
    np.testing.assert_array_equal(max_pool_forward(x, np.int64(2))[0], expected)
    np.testing.assert_array_equal(
        max_pool_forward(x, [2, 2], stride=[2, 2])[0], expected
    )
    out, cache = avg_pool_forward(x, (np.int32(2), 2))
    assert out.shape == (1, 1, 2, 2) and cache.kernel == (2, 2)
    assert all(type(k) is int for k in cache.kernel + cache.stride + cache.padding)
