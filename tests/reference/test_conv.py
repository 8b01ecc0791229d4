"""Convolution and transposed convolution: gradients, oracles, dtypes, errors, memory."""

import tracemalloc

import numpy as np
import pytest
from scipy.signal import correlate

from reference.ops.conv import (
    col2im,
    conv_backward,
    conv_backward_im2col,
    conv_backward_naive,
    conv_forward,
    conv_forward_im2col,
    conv_forward_naive,
    im2col,
)
from reference.ops.conv_transpose import conv_transpose_backward, conv_transpose_forward
from reference.testing import numerical_gradient, rel_error

# (N, C_in, C_out, S, kernel, stride, padding, bias)
CASES = [
    (2, 3, 2, (7,), (3,), 1, 0, True),
    (1, 2, 3, (8,), (4,), 2, 2, False),
    (2, 2, 3, (5, 6), (3, 3), 1, 1, True),
    (1, 3, 2, (7, 6), (3, 2), 2, (2, 1), False),
    (2, 2, 2, (6, 5), (1, 3), (2, 1), (0, 2), True),
    (1, 2, 2, (4, 5, 3), (3, 2, 3), 1, (1, 0, 1), True),
    (2, 2, 3, (5, 4, 6), (2, 3, 3), (2, 1, 2), (0, 1, 2), False),
    (1, 1, 2, (3, 3, 3), (3, 3, 3), 1, 2, True),
]
# conv is linear in each argument, so a large step costs no truncation error and keeps
# round-off (about 1e-16 * |loss| / H) far below the 1e-7 threshold
H = 1e-3
IDS = [f"{len(c[3])}d-k{c[4]}-s{c[5]}-p{c[6]}-b{int(c[7])}" for c in CASES]


def make_case(n, c_in, c_out, shape, kernel, bias, seed=0, transpose=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c_in) + shape)
    w_shape = (c_in, c_out) if transpose else (c_out, c_in)
    w = rng.standard_normal(w_shape + kernel)
    b = rng.standard_normal(c_out) if bias else None
    return x, w, b, rng


def scipy_conv(x, w, b, stride, padding):
    """Oracle: per (n, f), sum over c of scipy's 'valid' correlation, subsampled."""
    ndim = w.ndim - 2
    stride = (stride,) * ndim if isinstance(stride, int) else stride
    padding = (padding,) * ndim if isinstance(padding, int) else padding
    x_pad = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    step = tuple(slice(None, None, s) for s in stride)
    out = []
    for n in range(x.shape[0]):
        maps = [
            sum(
                correlate(x_pad[n, c], w[f, c], mode="valid") for c in range(x.shape[1])
            )
            for f in range(w.shape[0])
        ]
        out.append(np.stack([m[step] for m in maps]))
    out = np.stack(out)
    return out if b is None else out + b.reshape((-1,) + (1,) * ndim)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_conv_gradients_match_central_differences(case):
    n, c_in, c_out, shape, kernel, stride, padding, bias = case
    x, w, b, rng = make_case(n, c_in, c_out, shape, kernel, bias)
    out, cache = conv_forward(x, w, b, stride, padding)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_backward(dout, cache)

    assert (
        rel_error(
            dx,
            numerical_gradient(
                lambda v: conv_forward(v, w, b, stride, padding)[0], x, dout, H
            ),
        )
        < 1e-7
    )
    assert (
        rel_error(
            dw,
            numerical_gradient(
                lambda v: conv_forward(x, v, b, stride, padding)[0], w, dout, H
            ),
        )
        < 1e-7
    )
    if bias:
        assert (
            rel_error(
                db,
                numerical_gradient(
                    lambda v: conv_forward(x, w, v, stride, padding)[0], b, dout, H
                ),
            )
            < 1e-7
        )
    else:
        assert db is None


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_conv_forward_matches_scipy_correlate(case):
    n, c_in, c_out, shape, kernel, stride, padding, bias = case
    x, w, b, _ = make_case(n, c_in, c_out, shape, kernel, bias, seed=1)
    out, _ = conv_forward(x, w, b, stride, padding)
    np.testing.assert_allclose(
        out, scipy_conv(x, w, b, stride, padding), rtol=1e-10, atol=1e-10
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_naive_loops_match_fast_path(case):
    n, c_in, c_out, shape, kernel, stride, padding, bias = case
    x, w, b, rng = make_case(n, c_in, c_out, shape, kernel, bias, seed=2)
    out, cache = conv_forward(x, w, b, stride, padding)
    naive_out, naive_cache = conv_forward_naive(x, w, b, stride, padding)
    np.testing.assert_allclose(naive_out, out, rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    for got, want in zip(
        conv_backward_naive(dout, naive_cache), conv_backward(dout, cache), strict=False
    ):
        if want is None:
            assert got is None
        else:
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_hand_computed_2d_case():
    # 3x3 input, 2x2 all-ones kernel, stride 1, no padding: each output is a 2x2 window sum
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    out, cache = conv_forward(x, np.ones((1, 1, 2, 2)), np.array([0.5]))
    np.testing.assert_array_equal(out, [[[[8.5, 12.5], [20.5, 24.5]]]])
    dx, dw, db = conv_backward(np.ones((1, 1, 2, 2)), cache)
    np.testing.assert_array_equal(dx, [[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]])
    np.testing.assert_array_equal(dw, [[[[8, 12], [20, 24]]]])
    np.testing.assert_array_equal(db, [4.0])


def test_output_size_rule():
    # S_out = 1 + (S + 2 * pad - k) // stride, per axis
    x = np.zeros((1, 1, 10, 9, 8))
    out, _ = conv_forward(
        x, np.zeros((2, 1, 3, 4, 5)), stride=(2, 3, 1), padding=(1, 0, 2)
    )
    assert out.shape == (1, 2, 5, 2, 8)


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_float32_preserved_and_close_to_float64(ndim):
    shape, kernel = ((9, 8, 7)[:ndim], (3, 2, 3)[:ndim])
    x, w, b, rng = make_case(2, 5, 4, shape, kernel, True, seed=3)
    out64, cache64 = conv_forward(x, w, b, 2, 1)
    dout = rng.standard_normal(out64.shape)
    grads64 = conv_backward(dout, cache64)
    f32 = [a.astype(np.float32) for a in (x, w, b)]
    out32, cache32 = conv_forward(*f32, 2, 1)
    grads32 = conv_backward(dout.astype(np.float32), cache32)
    # stated tolerance: float32 within 1e-5 of float64, relative to the largest value
    for got, want in zip((out32, *grads32), (out64, *grads64), strict=False):
        assert got.dtype == np.float32
        assert np.abs(got - want).max() <= 1e-5 * np.abs(want).max()


def test_float64_dout_is_cast_to_the_forward_dtype():
    x = np.ones((1, 2, 4, 4), np.float32)
    out, cache = conv_forward(x, np.ones((3, 2, 3, 3), np.float32))
    dx, dw, _ = conv_backward(np.ones(out.shape), cache)
    assert dx.dtype == dw.dtype == np.float32


def test_inputs_are_not_mutated():
    x, w, b, rng = make_case(2, 3, 4, (6, 5, 4), (3, 3, 3), True, seed=4)
    copies = [a.copy() for a in (x, w, b)]
    out, cache = conv_forward(x, w, b, 1, 1)
    dout = rng.standard_normal(out.shape)
    dout_copy = dout.copy()
    conv_backward(dout, cache)
    for arr, copy in zip((x, w, b, dout), (*copies, dout_copy), strict=False):
        np.testing.assert_array_equal(arr, copy)


def test_non_contiguous_input():
    x, w, b, _ = make_case(2, 3, 2, (8, 7), (3, 3), False, seed=5)
    view = np.swapaxes(np.swapaxes(x, 2, 3).copy(), 2, 3)  # same values, F-like strides
    np.testing.assert_allclose(
        conv_forward(view, w, None, 1, 1)[0],
        conv_forward(x, w, None, 1, 1)[0],
        rtol=1e-12,
    )


# ------------------------------------------------------ transposed convolution
TRANSPOSE_CASES = [
    (2, 3, 2, (5,), (3,), 2, 1, True),
    (1, 2, 3, (3, 4), (2, 2), 2, 0, False),
    (2, 2, 2, (3, 4), (3, 2), (1, 2), (1, 0), True),
    (1, 2, 2, (2, 3, 2), (2, 2, 2), 2, 0, True),
    (1, 2, 3, (3, 2, 3), (3, 3, 2), (2, 1, 1), (1, 1, 0), False),
]


@pytest.mark.parametrize("case", TRANSPOSE_CASES)
def test_conv_transpose_is_the_adjoint_of_conv(case):
    n, c_in, c_out, shape, kernel, stride, padding, _ = case
    x, w, _, rng = make_case(
        n, c_in, c_out, shape, kernel, False, seed=6, transpose=True
    )
    up, _ = conv_transpose_forward(x, w, None, stride, padding)
    z = rng.standard_normal(up.shape)
    down, _ = conv_forward(z, w, None, stride, padding)  # w read as (C_out, C_in, *k)
    assert down.shape == x.shape
    np.testing.assert_allclose(np.sum(down * x), np.sum(z * up), rtol=1e-12)


@pytest.mark.parametrize("case", TRANSPOSE_CASES)
def test_conv_transpose_gradients(case):
    n, c_in, c_out, shape, kernel, stride, padding, bias = case
    x, w, b, rng = make_case(
        n, c_in, c_out, shape, kernel, bias, seed=7, transpose=True
    )
    out, cache = conv_transpose_forward(x, w, b, stride, padding)
    expected = tuple(
        (s - 1) * st - 2 * p + k
        for s, st, p, k in zip(
            shape,
            np.broadcast_to(stride, len(shape)),
            np.broadcast_to(padding, len(shape)),
            kernel,
            strict=False,
        )
    )
    assert out.shape == (n, c_out) + expected
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_transpose_backward(dout, cache)
    assert (
        rel_error(
            dx,
            numerical_gradient(
                lambda v: conv_transpose_forward(v, w, b, stride, padding)[0],
                x,
                dout,
                H,
            ),
        )
        < 1e-7
    )
    assert (
        rel_error(
            dw,
            numerical_gradient(
                lambda v: conv_transpose_forward(x, v, b, stride, padding)[0],
                w,
                dout,
                H,
            ),
        )
        < 1e-7
    )
    if bias:
        assert (
            rel_error(
                db,
                numerical_gradient(
                    lambda v: conv_transpose_forward(x, w, v, stride, padding)[0],
                    b,
                    dout,
                    H,
                ),
            )
            < 1e-7
        )
    else:
        assert db is None


def test_conv_transpose_float32_and_hand_case():
    x = np.array([[[[1.0, 2.0]]]], np.float32)  # (1, 1, 1, 2)
    out, _ = conv_transpose_forward(x, np.ones((1, 1, 2, 2), np.float32), stride=2)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[[[1, 1, 2, 2], [1, 1, 2, 2]]]])


# ----------------------------------------------------------------- bad input
X2, W2 = np.zeros((1, 3, 5, 5)), np.zeros((4, 3, 3, 3))


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (
            (np.zeros((3, 5, 5)), W2),
            {},
            ValueError,
            r"conv_forward: expected x with 4 dims \(N, C_in, \*S\) for a 2D weight, got shape "
            r"\(3, 5, 5\)\. Add a batch axis with x\[None\]\.",
        ),
        (
            (X2, np.zeros((4, 3))),
            {},
            ValueError,
            r"conv_forward: expected w with 3, 4 or 5 dims \(C_out, C_in, \*kernel\), got shape",
        ),
        (
            (X2, np.zeros((4, 2, 3, 3))),
            {},
            ValueError,
            r"expected x with 2 channels \(axis 1\) to match w \(C_out, C_in, \*kernel\) of shape "
            r"\(4, 2, 3, 3\), got 3 in shape \(1, 3, 5, 5\)",
        ),
        (
            (X2, np.zeros((4, 3, 7, 3))),
            {},
            ValueError,
            r"expected kernel \(7, 3\) no larger than the padded input \(5, 5\), got x of shape "
            r"\(1, 3, 5, 5\) with padding \(0, 0\)\. Use a smaller kernel or more padding\.",
        ),
        (
            (X2, W2),
            {"stride": 0},
            ValueError,
            r"expected stride >= 1 on every axis, got stride=\(0, 0\)",
        ),
        (
            (X2, W2),
            {"stride": (1, -2)},
            ValueError,
            r"expected stride >= 1 on every axis",
        ),
        (
            (X2, W2),
            {"padding": -1},
            ValueError,
            r"expected padding >= 0 on every axis, got padding=\(-1, -1\)",
        ),
        (
            (X2, W2),
            {"padding": (1, 1, 1)},
            ValueError,
            r"expected padding with 2 entries \(one per spatial dim\), got \(1, 1, 1\)\. "
            r"Pass a single int or a tuple of 2 ints\.",
        ),
        (
            (X2, W2),
            {"stride": 1.5},
            TypeError,
            r"expected stride as an int or a tuple of 2 ints",
        ),
        (
            (X2, W2),
            {"stride": (2.0, 1)},
            TypeError,
            r"expected stride as an int or a tuple of 2 ints, got \(2\.0, 1\)",
        ),
        (
            (X2, W2, np.zeros(3)),
            {},
            ValueError,
            r"expected b of shape \(4,\), got shape \(3,\)",
        ),
        (
            (X2.astype(int), W2),
            {},
            TypeError,
            r"expected x with a floating dtype, got dtype int64\. Convert with "
            r"x\.astype\(np\.float32\)\.",
        ),
        (
            (X2, W2.astype(np.float32)),
            {},
            TypeError,
            r"expected w with the same dtype as x \(float64\), got dtype float32\. Cast with "
            r"w\.astype\(x\.dtype\)\.",
        ),
        (
            (X2, W2, np.zeros(4, np.float32)),
            {},
            TypeError,
            r"expected b with the same dtype as x \(float64\)",
        ),
        ((X2.tolist(), W2), {}, TypeError, r"expected x as a numpy array, got list"),
        (
            (X2, W2),
            {"backend": "cuda"},
            ValueError,
            r"expected backend in \('auto', 'numba', 'im2col', 'naive', 'winograd', 'shifted'\), got 'cuda'",
        ),
    ],
)
def test_conv_forward_rejects_bad_input(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        conv_forward(*args, **kwargs)


def test_backward_checks_dout():
    _, cache = conv_forward(X2, W2, padding=1)
    with pytest.raises(
        ValueError,
        match=r"conv_backward: expected dout of shape "
        r"\(1, 4, 5, 5\) \(the forward's output\), got shape \(1, 4, 3, 3\)",
    ):
        conv_backward(np.zeros((1, 4, 3, 3)), cache)
    with pytest.raises(
        TypeError, match=r"conv_backward: expected dout with a floating"
    ):
        conv_backward(np.zeros((1, 4, 5, 5), int), cache)
    for backward in (conv_backward_naive, conv_backward_im2col):
        name = backward.__name__
        with pytest.raises(ValueError, match=rf"{name}: expected dout of shape"):
            backward(np.zeros((1, 4, 3, 3)), cache)


def test_conv_transpose_rejects_bad_input():
    x = np.zeros((1, 3, 4, 4))
    with pytest.raises(
        ValueError,
        match=r"conv_transpose_forward: expected x with 3 "
        r"channels \(axis 1\) to match w \(C_in, C_out, \*kernel\)",
    ):
        conv_transpose_forward(np.zeros((1, 2, 4, 4)), np.zeros((3, 5, 2, 2)))
    with pytest.raises(ValueError, match=r"expected b of shape \(5,\)"):
        conv_transpose_forward(x, np.zeros((3, 5, 2, 2)), np.zeros(3))
    with pytest.raises(
        ValueError,
        match=r"expected a positive output size .* got \(0, 0\)"
        r" .* Use less padding\.",
    ):
        conv_transpose_forward(
            np.zeros((1, 3, 1, 1)), np.zeros((3, 5, 2, 2)), padding=1
        )


# -------------------------------------------------------------------- memory
def test_3d_peak_extra_memory_is_bounded():
    # one image's full im2col matrix is 27*16 x 24*24*16 floats = 15.2 MiB, more than the
    # whole 2x budget below (9 MiB): only a chunked scheme passes
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 16, 24, 24, 16), dtype=np.float32)
    w = rng.standard_normal((16, 16, 3, 3, 3), dtype=np.float32)
    dout = rng.standard_normal(x.shape[:1] + (16,) + x.shape[2:], dtype=np.float32)
    conv_backward(dout, conv_forward(x, w, padding=1)[1])  # warm up (numba compile)

    tracemalloc.start()
    out, cache = conv_forward(x, w, padding=1)
    dx, dw, _ = conv_backward(dout, cache)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    returned = out.nbytes + dx.nbytes + dw.nbytes
    budget = x.nbytes + w.nbytes + out.nbytes + dout.nbytes + dx.nbytes + dw.nbytes
    assert peak - returned <= 2 * budget, (peak - returned) / budget


# ------------------------------------------------------------ 1x1 fast path
@pytest.mark.parametrize(
    "x_shape", [(3, 5, 7), (2, 5, 6, 4), (2, 5, 3, 4, 2), (0, 5, 4, 4)]
)
def test_pointwise_conv_equals_channel_products(x_shape):
    # 1x1(x1), stride 1, no padding: out[n, o] = sum over i of w[o, i] x[n, i]
    rng = np.random.default_rng(40)
    x = rng.standard_normal(x_shape)
    x = np.swapaxes(np.swapaxes(x, 1, -1).copy(), 1, -1)  # not C-contiguous
    w = rng.standard_normal((4, 5) + (1,) * (len(x_shape) - 2))
    b = rng.standard_normal(4)
    w2 = w.reshape(4, 5)
    out, cache = conv_forward(x, w, b)
    want = np.einsum("oi,ni...->no...", w2, x) + b.reshape((1, 4) + (1,) * (x.ndim - 2))
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_backward(dout, cache)
    np.testing.assert_allclose(dx, np.einsum("oi,no...->ni...", w2, dout), atol=1e-12)
    spatial = int(np.prod(x_shape[2:]))  # the spatial axes as one
    d3, x3 = dout.reshape(len(x), 4, spatial), x.reshape(len(x), 5, spatial)
    want_dw = np.einsum("nos,nis->oi", d3, x3)
    want_dw = want_dw.reshape(w.shape)
    np.testing.assert_allclose(dw, want_dw, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db, dout.sum(axis=(0, *range(2, dout.ndim))), atol=1e-12)


def test_small_images_fold_unless_the_layer_is_pointwise():
    # folding (N, C) -> (C, N) pays for small images that need gathering; a 1x1
    # stride-1 unpadded layer needs none, so each image is its own GEMM operand
    from reference.ops._fast import gemm

    def folds(w_shape, stride, padding):
        w = np.zeros(w_shape)
        split = (False,) * len(stride)
        return gemm._setup((8, 5, 7, 7), w, stride, padding, split, w.dtype)[0]

    assert not folds((4, 5, 1, 1), (1, 1), (0, 0))
    assert folds((4, 5, 1, 1), (2, 2), (0, 0))
    assert folds((4, 5, 1, 1), (1, 1), (1, 0))
    assert folds((4, 5, 1, 3), (1, 1), (0, 0))


# ------------------------------------------- the readable algorithms (N-d)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_naive_and_im2col_match_scipy_correlate(case):
    n, c_in, c_out, shape, kernel, stride, padding, bias = case
    x, w, b, _ = make_case(n, c_in, c_out, shape, kernel, bias, seed=9)
    want = scipy_conv(x, w, b, stride, padding)
    for forward in (conv_forward_naive, conv_forward_im2col):
        out, _ = forward(x, w, b, stride, padding)
        np.testing.assert_allclose(out, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_im2col_gradients_match_central_differences(case):
    n, c_in, c_out, shape, kernel, stride, padding, bias = case
    x, w, b, rng = make_case(n, c_in, c_out, shape, kernel, bias, seed=10)
    out, cache = conv_forward_im2col(x, w, b, stride, padding)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_backward_im2col(dout, cache)

    def numeric(i):
        args = [x, w, b]

        def f(v):
            return conv_forward_im2col(*args[:i], v, *args[i + 1 :], stride, padding)[0]

        return numerical_gradient(f, args[i], dout, H)

    assert rel_error(dx, numeric(0)) < 1e-7
    assert rel_error(dw, numeric(1)) < 1e-7
    if bias:
        assert rel_error(db, numeric(2)) < 1e-7
    else:
        assert db is None


def test_hand_worked_1d_naive():
    # x = (1, 2, 3, 4, 5), w = (1, 0, -1), stride 2, padding 1: x_pad = (0, 1, ..., 5, 0)
    #   out[i] = x_pad[2i] - x_pad[2i + 2]: (0 - 2, 2 - 4, 4 - 0) = (-2, -2, 4)
    # dout = (1, 10, 100): dx_pad[2i] += dout[i], dx_pad[2i + 2] -= dout[i]
    #   dx_pad = (1, 0, 10 - 1, 0, 100 - 10, 0, -100) -> dx = (0, 9, 0, 90, 0)
    #   dw[u] = sum_i dout[i] x_pad[2i + u]: (0 + 20 + 400, 1 + 30 + 500, 2 + 40 + 0)
    x = np.arange(1.0, 6.0).reshape(1, 1, 5)
    w = np.array([[[1.0, 0.0, -1.0]]])
    out, cache = conv_forward_naive(x, w, stride=2, padding=1)
    np.testing.assert_array_equal(out, [[[-2.0, -2.0, 4.0]]])
    dx, dw, db = conv_backward_naive(np.array([[[1.0, 10.0, 100.0]]]), cache)
    np.testing.assert_array_equal(dx, [[[0.0, 9.0, 0.0, 90.0, 0.0]]])
    np.testing.assert_array_equal(dw, [[[420.0, 531.0, 42.0]]])
    assert db is None


def test_hand_worked_3d_naive():
    # a 3x3x3 volume of ones and a 2x2x2 box filter of ones: every output (2x2x2)
    # sums 8 ones; with dout = 1 each input cell gets the number of windows that
    # cover it (1 at corners, 2 on edges, 4 on faces, 8 in the centre)
    x, w = np.ones((1, 1, 3, 3, 3)), np.ones((1, 1, 2, 2, 2))
    out, cache = conv_forward_naive(x, w, np.array([0.5]))
    np.testing.assert_array_equal(out, np.full((1, 1, 2, 2, 2), 8.5))
    dx, dw, db = conv_backward_naive(np.ones_like(out), cache)
    per_axis = np.array([1.0, 2.0, 1.0])
    want = per_axis[:, None, None] * per_axis[None, :, None] * per_axis[None, None, :]
    np.testing.assert_array_equal(dx[0, 0], want)
    np.testing.assert_array_equal(dw, np.full((1, 1, 2, 2, 2), 8.0))
    np.testing.assert_array_equal(db, [8.0])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_col2im_is_the_adjoint_of_im2col(case):
    # <im2col(a), c> == <a, col2im(c)>: the backward's scatter is the gather's transpose
    n, c_in, _, shape, kernel, stride, padding, _ = case
    ndim = len(shape)
    stride = np.broadcast_to(stride, ndim).tolist()
    padding = np.broadcast_to(padding, ndim).tolist()
    s_pad = tuple(s + 2 * p for s, p in zip(shape, padding, strict=True))
    s_out = tuple(
        1 + (s - k) // st for s, k, st in zip(s_pad, kernel, stride, strict=True)
    )
    rng = np.random.default_rng(11)
    a = rng.standard_normal((n, c_in) + s_pad)
    cols = im2col(a, kernel, stride, s_out)
    assert cols.shape == (n, c_in * np.prod(kernel), np.prod(s_out))
    c = rng.standard_normal(cols.shape)
    back = col2im(c, a.shape, kernel, stride, s_out)
    np.testing.assert_allclose(np.vdot(cols, c), np.vdot(a, back), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_readable_algorithms_keep_the_dtype(dtype):
    x, w, b, rng = make_case(2, 3, 2, (5, 4, 3), (2, 3, 2), True, seed=12)
    x, w, b = (a.astype(dtype) for a in (x, w, b))
    for forward, backward in (
        (conv_forward_naive, conv_backward_naive),
        (conv_forward_im2col, conv_backward_im2col),
    ):
        out, cache = forward(x, w, b, 1, 1)
        grads = backward(rng.standard_normal(out.shape), cache)  # float64 dout: cast
        assert all(a.dtype == dtype for a in (out, *grads))
