"""Shifted-product convolution: equal to im2col forward and backward (1D and 2D, any
padding), for both kernel sets, one or two threads and any slab size; each Numba
kernel equal to its NumPy twin and the pair adjoint; gradients; dtypes; errors; the
"auto" choice; float16 on the NumPy kernels; the im2col image split over threads."""

import numpy as np
import pytest

from reference.ops._fast import dispatch, kernels_im2col, shifted, winograd
from reference.ops._fast import gemm as gemm_mod
from reference.ops._fast import kernels_shifted as jit
from reference.ops._fast.jit import JIT_ENABLED
from reference.ops.conv import conv_backward, conv_forward
from reference.testing import numerical_gradient, rel_error

CASES = [  # (N, C_in, C_out, S, kernel, padding): stride 1
    (3, 3, 2, (9,), (5,), 2),  # 1D, kernel 5
    (1, 2, 5, (7,), (3,), 3),  # 1D, padding larger than kernel - 1
    (3, 4, 2, (5, 6), (1, 3), (0, 1)),  # 1x3, asymmetric padding
    (1, 3, 5, (6, 5), (3, 3), 1),  # C_out > C_in
    (3, 8, 2, (5, 4), (3, 3), 0),  # C_in = 4 * C_out, no padding
    (2, 2, 3, (5, 7), (2, 3), (1, 0)),  # even kernel, padding on one axis only
    (1, 5, 2, (6, 7), (3, 5), (2, 1)),  # 3x5
    (3, 3, 4, (4, 4), (3, 3), 3),  # padding 3 with kernel 3: border of zeros
    (1, 2, 2, (3, 2), (3, 5), (1, 2)),  # kernel wider than the image
]


def layer(case, dtype=np.float64, seed=0):
    n, c_in, c_out, shape, kernel, padding = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c_in) + shape).astype(dtype)
    w = rng.standard_normal((c_out, c_in) + kernel).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype)
    padding = (padding,) * len(shape) if isinstance(padding, int) else padding
    return x, w, b, padding


def out_shape(x, w, padding):
    spatial = zip(x.shape[2:], w.shape[2:], padding, strict=True)
    return (len(x), len(w)) + tuple(s + 2 * p - k + 1 for s, k, p in spatial)


@pytest.mark.parametrize("case", CASES)
def test_forward_and_backward_equal_im2col(case):
    x, w, b, padding = layer(case)
    want_out, want_cache = conv_forward(x, w, b, 1, padding, backend="im2col")
    got_out, got_cache = conv_forward(x, w, b, 1, padding, backend="shifted")
    assert got_out.shape == out_shape(x, w, padding)
    np.testing.assert_allclose(got_out, want_out, rtol=0, atol=1e-12)
    dout = np.random.default_rng(1).standard_normal(want_out.shape)
    want = conv_backward(dout, want_cache, backend="im2col")
    got = conv_backward(dout, got_cache, backend="shifted")
    for name, g, e in zip(("dx", "dw", "db"), got, want, strict=True):
        assert g.shape == e.shape, name
        np.testing.assert_allclose(g, e, rtol=0, atol=1e-12, err_msg=name)


# ---------------------------------------- kernel sets, threads, slab sizes
SPLIT_CASES = [(3, 4, 2, (5, 6), (3, 3), (1, 2)), (3, 3, 2, (9,), (5,), 2)]


@pytest.mark.parametrize("tiny_slabs", [False, True])
@pytest.mark.parametrize("case", SPLIT_CASES)
def test_kernel_sets_threads_and_slabs_agree(
    case, tiny_slabs, thread_runs, monkeypatch
):
    x, w, _, padding = layer(case, seed=2)
    want_out, cache = conv_forward(x, w, None, 1, padding, backend="im2col")
    dout = np.random.default_rng(3).standard_normal(want_out.shape)
    want_dx, want_dw, _ = conv_backward(dout, cache, backend="im2col")
    height = x.shape[2] if x.ndim == 4 else 1
    if tiny_slabs:  # one image row per slab
        monkeypatch.setattr(shifted, "SLAB_BYTES", 1)
        assert shifted._slab_rows(18, x.shape[-1], height, 8) == 1
    slabs = len(x) * height if tiny_slabs else len(x)
    thread_runs.clear()  # from here on, only the shifted calls
    results = {}
    for name, kernels in (
        ("numpy", shifted.NUMPY_KERNELS),
        ("numba", shifted.NUMBA_KERNELS),
    ):
        for workers in (1, 2):
            out = shifted.shifted_forward(x, w, padding, kernels, workers=workers)
            dx, dw = shifted.shifted_backward(
                dout, x, w, padding, kernels, workers=workers
            )
            np.testing.assert_allclose(out, want_out, rtol=0, atol=1e-12)
            np.testing.assert_allclose(dx, want_dx, rtol=0, atol=1e-12)
            np.testing.assert_allclose(dw, want_dw, rtol=0, atol=1e-12)
            results[name, workers] = out, dx, dw
    # the forward splits images (each image's sums unchanged); so does dx
    for key in results:
        np.testing.assert_array_equal(results[key][0], results[key[0], 1][0])
        np.testing.assert_array_equal(results[key][1], results[key[0], 1][1])
    one_thread_fwd, one_thread_bwd = [(0, len(x))], [(0, slabs)]
    two_fwd = [(0, len(x) // 2), (len(x) // 2, len(x))]
    two_bwd = [(0, slabs // 2), (slabs // 2, slabs)]
    assert thread_runs == 2 * [one_thread_fwd, one_thread_bwd, two_fwd, two_bwd]


# ------------------------------------------------ kernels: twins, adjoints
KERNEL_GEOMETRIES = [  # (C_out, image H, W, kernel, padding, r0, nr)
    (3, 10, 6, (3, 3), (1, 1), 4, 3),  # a slab mid-image
    (2, 10, 6, (3, 3), (0, 0), 7, 3),  # rows past the output's last row
    (2, 9, 6, (2, 4), (3, 0), 2, 4),  # rows before row 0; columns out of range
    (3, 8, 5, (3, 5), (2, 6), 5, 3),  # padding > kernel - 1: outputs out of reach
    (2, 1, 9, (1, 5), (0, 2), 0, 1),  # a 1D layer: one row
]


def kernel_inputs(geometry, seed=0):
    c_out, height, width, kernel, padding, r0, nr = geometry
    h_out, w_out = (
        s + 2 * p - k + 1
        for s, p, k in zip((height, width), padding, kernel, strict=True)
    )
    rng = np.random.default_rng(seed)
    y = rng.standard_normal((kernel[0] * kernel[1], c_out, nr, width))
    dout = rng.standard_normal((c_out, h_out, w_out))
    return y, dout, kernel, padding, r0


@pytest.mark.parametrize("geometry", KERNEL_GEOMETRIES)
def test_numba_kernels_equal_numpy_twins(geometry):
    y, dout, kernel, padding, r0 = kernel_inputs(geometry)
    start = np.random.default_rng(5).standard_normal(dout.shape)  # shift_add adds
    want = shifted.shift_add_rows(y, kernel, padding, r0, start.copy())
    got = start.copy()
    jit.shift_add_rows(y, *kernel, *padding, r0, got)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert not np.array_equal(want, start)  # the slab reached some outputs
    garbage = np.full(y.shape, 7.0)  # gather overwrites all of cols
    want = shifted.gather_rows(dout, kernel, padding, r0, garbage.copy())
    got = garbage.copy()
    jit.gather_rows(dout, *kernel, *padding, r0, got)
    np.testing.assert_array_equal(got, want)
    assert not (want == 7.0).any()
    if any(p < k - 1 for p, k in zip(padding, kernel, strict=True)):
        assert (want == 0.0).any()  # zeros where dout's index is out of range


@pytest.mark.parametrize("kernels", ["numpy", "numba"])
@pytest.mark.parametrize("geometry", KERNEL_GEOMETRIES)
def test_shift_add_and_gather_are_adjoint(geometry, kernels):
    # <S y, o> == <y, S^T o>: the gather is the transpose of the shifted sum
    y, dout, kernel, padding, r0 = kernel_inputs(geometry, seed=6)
    k = shifted.NUMBA_KERNELS if kernels == "numba" else shifted.NUMPY_KERNELS
    s_y = k.shift_add(y, kernel, padding, r0, np.zeros_like(dout))
    if s_y is None:  # the Numba wrapper returns nothing: it fills in place
        s_y = np.zeros_like(dout)
        k.shift_add(y, kernel, padding, r0, s_y)
    t_o = np.empty_like(y)
    k.gather(dout, kernel, padding, r0, t_o)
    lhs, rhs = np.vdot(s_y, dout), np.vdot(y, t_o)
    assert abs(lhs) > 1e-3
    assert np.isclose(lhs, rhs, rtol=1e-12, atol=0)


def test_kernels_by_hand():
    # kernel (1, 2), no padding, a 1x3 slab: out[j] = y[0, j] + y[1, j + 1]
    y = np.array([[[[1.0, 2.0, 3.0]]], [[[10.0, 20.0, 30.0]]]])
    out = np.zeros((1, 1, 2))
    jit.shift_add_rows(y, 1, 2, 0, 0, 0, out)
    np.testing.assert_array_equal(out, [[[1.0 + 20.0, 2.0 + 30.0]]])
    # the gather puts dout at column s - v: offset 0 in place, offset 1 one right
    cols = np.full((2, 1, 1, 3), 9.0)
    jit.gather_rows(np.array([[[21.0, 32.0]]]), 1, 2, 0, 0, 0, cols)
    np.testing.assert_array_equal(cols[:, 0, 0], [[21.0, 32.0, 0.0], [0.0, 21.0, 32.0]])


# ------------------------------------------------------------ worked example
def test_hand_worked_1d():
    # x: channel 0 = (1, 2, 3), channel 1 = (0, 1, 0); w[0, 0] = (1, -1),
    # w[0, 1] = (2, 5); padding 1, so x_pad = (0, 1, 2, 3, 0) and (0, 0, 1, 0, 0)
    #   out[0] = (0 - 1) + (0 + 0)   = -1
    #   out[1] = (1 - 2) + (0 + 5)   =  4
    #   out[2] = (2 - 3) + (2 + 0)   =  1
    #   out[3] = (3 - 0) + (0 + 0)   =  3       (+ bias 0.5 each)
    # dout = (1, 1, 0, 2):
    #   dw[0, c, v] = sum_i dout[i] x_pad[c, i + v]
    #     c = 0: v = 0: 0 + 1 + 0 + 6 = 7;  v = 1: 1 + 2 + 0 + 0 = 3
    #     c = 1: v = 0: 0 + 0 + 0 + 0 = 0;  v = 1: 0 + 1 + 0 + 0 = 1
    #   dx[c, p] = dout[p + 1] w[c, 0] + dout[p] w[c, 1]  (p = 0, 1, 2)
    #     c = 0: (1 - 1, 0 - 1, 2 - 0) = (0, -1, 2)
    #     c = 1: (2 + 5, 0 + 5, 4 + 0) = (7, 5, 4)
    #   db = 1 + 1 + 0 + 2 = 4
    x = np.array([[[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]])
    w = np.array([[[1.0, -1.0], [2.0, 5.0]]])
    out, cache = conv_forward(x, w, np.array([0.5]), padding=1, backend="shifted")
    np.testing.assert_array_equal(out, [[[-0.5, 4.5, 1.5, 3.5]]])
    dx, dw, db = conv_backward(
        np.array([[[1.0, 1.0, 0.0, 2.0]]]), cache, backend="shifted"
    )
    np.testing.assert_array_equal(dx, [[[0.0, -1.0, 2.0], [7.0, 5.0, 4.0]]])
    np.testing.assert_array_equal(dw, [[[7.0, 3.0], [0.0, 1.0]]])
    np.testing.assert_array_equal(db, [4.0])
    for kernels in (shifted.NUMPY_KERNELS, shifted.NUMBA_KERNELS):
        got = shifted.shifted_forward(x, w, (1,), kernels)
        np.testing.assert_array_equal(got, [[[-1.0, 4.0, 1.0, 3.0]]])


def test_gradient_check_float64():
    x, w, b, padding = layer((2, 3, 2, (4, 5), (2, 3), (1, 2)), seed=3)
    out, cache = conv_forward(x, w, b, 1, padding, backend="shifted")
    dout = np.random.default_rng(4).standard_normal(out.shape)
    dx, dw, db = conv_backward(dout, cache, backend="shifted")

    def run_x(x_):
        return conv_forward(x_, w, b, 1, padding, backend="shifted")[0]

    def run_w(w_):
        return conv_forward(x, w_, b, 1, padding, backend="shifted")[0]

    assert rel_error(dx, numerical_gradient(run_x, x, dout, 1e-5)) < 1e-8
    assert rel_error(dw, numerical_gradient(run_w, w, dout, 1e-5)) < 1e-8
    np.testing.assert_allclose(db, dout.sum(axis=(0, 2, 3)))


# ---------------------------------------------------------- dtypes and views
def test_float32_close_to_float64():
    x, w, _, padding = layer((2, 16, 4, (12, 12), (3, 3), 1), np.float32, seed=5)
    out32, cache = conv_forward(x, w, padding=padding, backend="shifted")
    out64, cache64 = conv_forward(
        x.astype(np.float64), w.astype(np.float64), padding=padding, backend="im2col"
    )
    assert out32.dtype == np.float32
    assert np.abs(out32 - out64).max() < 1e-5 * np.abs(out64).max()
    dout = np.random.default_rng(6).standard_normal(out32.shape)
    got = conv_backward(dout.astype(np.float32), cache, backend="shifted")
    want = conv_backward(dout, cache64, backend="im2col")
    for g, e in zip(got[:2], want[:2], strict=True):
        assert g.dtype == np.float32
        assert np.abs(g - e).max() < 1e-5 * np.abs(e).max()


@pytest.mark.parametrize("kernels", ["numpy", "numba"])
def test_inputs_untouched_and_views_accepted(kernels):
    k = shifted.NUMBA_KERNELS if kernels == "numba" else shifted.NUMPY_KERNELS
    rng = np.random.default_rng(7)
    x, w, _, padding = layer((2, 3, 2, (5, 6), (3, 3), (1, 2)), seed=7)
    dout = rng.standard_normal(out_shape(x, w, padding))
    want_out = shifted.shifted_forward(x, w, padding, k)
    want_dx, want_dw = shifted.shifted_backward(dout, x, w, padding, k)
    # the same values as transposed and sliced views
    x_view = np.ascontiguousarray(x.transpose(3, 2, 1, 0)).transpose(3, 2, 1, 0)
    dout_big = np.zeros((2, 2 * dout.shape[1], dout.shape[2], dout.shape[3] + 3))
    dout_big[:, ::2, :, 1:-2] = dout
    dout_view = dout_big[:, ::2, :, 1:-2]
    w_view = np.asfortranarray(w)
    assert not x_view.flags.c_contiguous and not dout_view.flags.c_contiguous
    saved = [a.copy() for a in (x_view, w_view, dout_view)]
    out = shifted.shifted_forward(x_view, w_view, padding, k)
    dx, dw = shifted.shifted_backward(dout_view, x_view, w_view, padding, k)
    np.testing.assert_array_equal(out, want_out)
    np.testing.assert_array_equal(dx, want_dx)
    np.testing.assert_array_equal(dw, want_dw)
    for a, before in zip((x_view, w_view, dout_view), saved, strict=True):
        np.testing.assert_array_equal(a, before)
    # and through the public functions, with the view's dtype and shapes kept
    got_out, cache = conv_forward(x_view, w_view, padding=padding, backend="shifted")
    got_dx, got_dw, _ = conv_backward(dout_view, cache, backend="shifted")
    np.testing.assert_allclose(got_out, want_out, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got_dx, want_dx, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got_dw, want_dw, rtol=0, atol=1e-12)
    for a, before in zip((x_view, w_view, dout_view), saved, strict=True):
        np.testing.assert_array_equal(a, before)


# --------------------------------------------------------- errors and choice
@pytest.mark.parametrize(
    ("x_shape", "w_shape", "stride", "message"),
    [
        (
            (1, 2, 6, 6),
            (2, 2, 3, 3),
            2,
            r"conv_forward: expected a stride-1 convolution with 1 or 2 spatial dims "
            r"for backend 'shifted', got kernel \(3, 3\), stride \(2, 2\)\. "
            r'Use backend="auto"',
        ),
        ((1, 2, 9), (2, 2, 3), (3,), r"got kernel \(3,\), stride \(3,\)"),
        (
            (1, 2, 5, 5, 5),
            (2, 2, 3, 3, 3),
            1,
            r"1 or 2 spatial dims .* got kernel \(3, 3, 3\), stride \(1, 1, 1\)",
        ),
    ],
)
def test_shifted_backend_refuses_other_layers(x_shape, w_shape, stride, message):
    with pytest.raises(ValueError, match=message):
        conv_forward(
            np.ones(x_shape), np.ones(w_shape), stride=stride, backend="shifted"
        )


def test_shifted_backward_refuses_a_3d_cache():
    out, cache = conv_forward(np.ones((1, 2, 4, 4, 4)), np.ones((2, 2, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"conv_backward: .*backend 'shifted'"):
        conv_backward(np.ones_like(out), cache, backend="shifted")


@pytest.mark.parametrize(
    ("w_shape", "stride", "applies"),
    [
        ((4, 2, 3), (1,), True),
        ((32, 128, 3, 3), (1, 1), True),
        ((4, 2, 1, 1), (1, 1), True),  # runs; "auto" just does not pick it
        ((4, 2, 3, 3), (1, 2), False),
        ((4, 2, 3, 3), (2, 2), False),
        ((4, 2, 5), (2,), False),
        ((4, 2, 3, 3, 3), (1, 1, 1), False),
    ],
)
def test_applies_to_stride_1_1d_and_2d(w_shape, stride, applies):
    assert shifted.shifted_applies(w_shape, stride) is applies


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "stride", "prefer"),
    [
        ((8, 128, 56, 56), (32, 128, 3, 3), (1, 1), True),  # DenseNet
        ((8, 128, 7, 7), (32, 128, 3, 3), (1, 1), True),
        ((2, 16, 9, 9), (4, 16, 1, 3), (1, 1), True),  # exactly 4x, kernel 1x3
        ((1, 128, 20, 20, 4), (32, 128, 3, 3, 3), (1, 1, 1), False),  # 3D
        ((8, 128, 56, 56), (32, 128, 3, 3), (2, 2), False),  # stride 2
        ((8, 128, 56, 56), (32, 128, 3, 3), (1, 2), False),
        ((8, 128, 56, 56), (32, 128, 1, 1), (1, 1), False),  # 1x1
        ((8, 124, 56, 56), (32, 124, 3, 3), (1, 1), False),  # C_in < 4 * C_out
        ((8, 128, 56, 56), (128, 128, 3, 3), (1, 1), False),
        ((8, 128, 56), (32, 128, 3), (1,), False),  # 1D: not measured
    ],
)
def test_prefer_shifted(x_shape, w_shape, stride, prefer):
    assert dispatch.prefer_shifted(x_shape, w_shape, stride) is prefer


DENSENET = ((8, 128, 56, 56), (32, 128, 3, 3), (1, 1), (1, 1))


@pytest.mark.skipif(not JIT_ENABLED, reason="auto runs the NumPy kernels")
@pytest.mark.parametrize("func", ["conv_forward", "conv_backward"])
def test_auto_picks_shifted_for_densenet(func):
    kernels, split = dispatch.select_kernels("auto", func, *DENSENET, np.float32)
    assert kernels is shifted.NUMBA_KERNELS and split is None
    kernels, _ = dispatch.select_kernels("auto", func, *DENSENET, np.float64)
    assert kernels is shifted.NUMBA_KERNELS
    # C_out = C_in: Winograd instead
    other = ((8, 32, 56, 56), (32, 32, 3, 3), (1, 1), (1, 1))
    kernels, _ = dispatch.select_kernels("auto", func, *other, np.float32)
    assert isinstance(kernels, winograd.WinogradKernels)


@pytest.mark.parametrize("backend", ["auto", "numba", "shifted"])
def test_other_dtypes_select_numpy_kernels(backend):
    kernels, _ = dispatch.select_kernels(backend, "conv_forward", *DENSENET, np.float16)
    want = (
        shifted.NUMPY_KERNELS if backend == "shifted" else kernels_im2col.NUMPY_KERNELS
    )
    assert kernels is want


@pytest.mark.parametrize("backend", ["auto", "numba", "shifted", "winograd"])
def test_float16_runs_and_is_close_to_float32(backend):
    # for float32, "auto" picks shifted here (C_in = 4 * C_out, 3x3, stride 1)
    x, w, b, padding = layer((2, 16, 4, (8, 8), (3, 3), 1), np.float32, seed=8)
    assert dispatch.prefer_shifted(x.shape, w.shape, (1, 1))
    out32, cache32 = conv_forward(x, w, b, padding=padding, backend="im2col")
    dout = np.random.default_rng(9).standard_normal(out32.shape).astype(np.float32)
    want = (out32, *conv_backward(dout, cache32, backend="im2col"))
    half = [a.astype(np.float16) for a in (x, w, b)]
    out16, cache16 = conv_forward(*half, padding=padding, backend=backend)
    got = (out16, *conv_backward(dout.astype(np.float16), cache16, backend=backend))
    for name, g, e in zip(("out", "dx", "dw", "db"), got, want, strict=True):
        assert g.dtype == np.float16, name
        assert g.shape == e.shape, name
        assert np.isfinite(g).all(), name
        assert np.abs(g - e).max() < 1e-2 * np.abs(e).max(), name


# ------------------------------------------------------- threads elsewhere
@pytest.mark.parametrize(
    ("w_shape", "stride", "padding"),
    [((5, 4, 1, 1), 1, 0), ((5, 4, 3, 3), 2, 1)],
)
def test_im2col_splits_images_over_two_threads(
    w_shape, stride, padding, thread_runs, monkeypatch
):
    # 40x40 images (1600+ padded positions) go one at a time, not folded
    rng = np.random.default_rng(10)
    x = rng.standard_normal((3, 4, 40, 40))
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])

    def run(min_flops):
        monkeypatch.setattr(gemm_mod, "MIN_THREAD_FLOPS", min_flops)
        out, cache = conv_forward(x, w, b, stride, padding, backend="numba")
        dout = np.random.default_rng(11).standard_normal(out.shape)
        return (out, *conv_backward(dout, cache, backend="numba"))

    one = run(1e30)
    assert [len(runs) for runs in thread_runs] == [1, 1]
    two = run(0)
    assert [len(runs) for runs in thread_runs] == [1, 1, 2, 2]
    np.testing.assert_array_equal(two[0], one[0])  # each image as before
    np.testing.assert_array_equal(two[1], one[1])
    for g, e in zip(two[2:], one[2:], strict=True):  # dw: two partial sums
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)
    want = conv_forward(x, w, b, stride, padding, backend="im2col")[0]
    np.testing.assert_allclose(two[0], want, rtol=0, atol=1e-12)


def test_runs_without_the_jit(run_without_jit):
    # NUMBA_DISABLE_JIT=1: the kernels run as plain Python, with the same answers
    stdout = run_without_jit("""
        import numpy as np
        from reference.ops._fast import shifted
        rng = np.random.default_rng(0)
        layers = [((2, 3, 5, 6), (2, 3, 3, 2), (1, 2)), ((2, 3, 9), (4, 3, 5), (3,))]
        for kernels in (shifted.NUMBA_KERNELS, shifted.NUMPY_KERNELS):
            sums = []
            for x_shape, w_shape, padding in layers:
                r = np.random.default_rng(1)
                x, w = r.standard_normal(x_shape), r.standard_normal(w_shape)
                out = shifted.shifted_forward(x, w, padding, kernels, workers=2)
                dout = r.standard_normal(out.shape)
                dx, dw = shifted.shifted_backward(dout, x, w, padding, kernels, workers=2)
                sums += [out.sum(), (out * out).sum(), dx.sum(), (dx * x).sum(), dw.sum()]
            print(*(repr(float(s)) for s in sums))
    """)
    first, second = stdout.split("\n")[:2]
    got, want = np.array(first.split(), float), np.array(second.split(), float)
    assert len(got) == 10
    np.testing.assert_allclose(got, want, rtol=1e-12)
