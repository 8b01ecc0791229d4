"""Winograd F(2, 3) convolution: equal to the direct convolution, forward and backward;
each Numba tile kernel equal to its NumPy twin; each transform pair adjoint; errors."""

import numpy as np
import pytest

from reference.ops._fast import dispatch, threads
from reference.ops._fast import kernels_winograd as jit
from reference.ops._fast import winograd as wino
from reference.ops.conv import conv_backward, conv_forward
from reference.ops.conv_transpose import conv_transpose_forward
from reference.testing import numerical_gradient, rel_error

CASES = [  # (N, C_in, C_out, S, padding): kernel 3 on every axis, stride 1
    (2, 3, 4, (7,), 1),
    (1, 2, 3, (6,), 0),
    (2, 3, 5, (5, 6), (1, 0)),
    (3, 2, 2, (4, 4), 2),
    (1, 2, 5, (5, 4, 7), (1, 0, 2)),
    (2, 3, 2, (3, 5, 6), 1),
    (1, 4, 3, (6, 6, 6), 1),
]


def layer(case, dtype=np.float64, seed=0):
    n, c_in, c_out, shape, padding = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c_in) + shape).astype(dtype)
    w = rng.standard_normal((c_out, c_in) + (3,) * len(shape)).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype)
    return x, w, b, padding


@pytest.mark.parametrize("case", CASES)
def test_forward_and_backward_equal_im2col(case):
    x, w, b, padding = layer(case)
    want_out, want_cache = conv_forward(x, w, b, 1, padding, backend="im2col")
    got_out, got_cache = conv_forward(x, w, b, 1, padding, backend="winograd")
    np.testing.assert_allclose(got_out, want_out, rtol=0, atol=1e-12)
    dout = np.random.default_rng(1).standard_normal(want_out.shape)
    want = conv_backward(dout, want_cache, backend="im2col")
    got = conv_backward(dout, got_cache, backend="winograd")
    for g, e in zip(got, want, strict=True):
        np.testing.assert_allclose(g, e, rtol=0, atol=1e-12)


def test_hand_worked_2d():
    # a 4x4 image of 0..15 and a 3x3 box filter: each output sums a 3x3 window
    x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    out, cache = conv_forward(x, w, backend="winograd")
    np.testing.assert_array_equal(out[0, 0], [[45.0, 54.0], [81.0, 90.0]])
    dx, dw, _ = conv_backward(np.ones_like(out), cache, backend="winograd")
    # each input pixel is in 1, 2 or 4 of the four windows
    np.testing.assert_array_equal(dx[0, 0, 0], [1.0, 2.0, 2.0, 1.0])
    np.testing.assert_array_equal(dw[0, 0, 0], [10.0, 14.0, 18.0])


def test_gradient_check_float64():
    x, w, b, padding = layer((1, 2, 3, (3, 4, 5), 1), seed=3)
    out, cache = conv_forward(x, w, b, 1, padding, backend="winograd")
    dout = np.random.default_rng(4).standard_normal(out.shape)
    dx, dw, db = conv_backward(dout, cache, backend="winograd")

    def run_x(x_):
        return conv_forward(x_, w, b, 1, padding, backend="winograd")[0]

    def run_w(w_):
        return conv_forward(x, w_, b, 1, padding, backend="winograd")[0]

    # h = 1e-5: the sums run over up to 27 * C terms, so 1e-6 leaves ~1e-7 noise
    assert rel_error(dx, numerical_gradient(run_x, x, dout, 1e-5)) < 1e-8
    assert rel_error(dw, numerical_gradient(run_w, w, dout, 1e-5)) < 1e-8
    np.testing.assert_allclose(db, dout.sum(axis=(0, 2, 3, 4)))


def test_float32_close_to_float64():
    x, w, _, _ = layer((1, 32, 32, (16, 16, 8), 1), dtype=np.float32, seed=5)
    out32, cache = conv_forward(x, w, padding=1, backend="winograd")
    out64, cache64 = conv_forward(
        x.astype(np.float64), w.astype(np.float64), padding=1, backend="im2col"
    )
    assert out32.dtype == np.float32
    assert np.abs(out32 - out64).max() < 2e-6 * np.abs(out64).max()
    dout = np.random.default_rng(6).standard_normal(out32.shape)
    got = conv_backward(dout.astype(np.float32), cache, backend="winograd")
    want = conv_backward(dout, cache64, backend="im2col")
    for g, e in zip(got[:2], want[:2], strict=True):
        assert g.dtype == np.float32
        assert np.abs(g - e).max() < 5e-6 * np.abs(e).max()


def test_tiny_slabs_give_the_same_result(monkeypatch):
    # one strip per slab, three per dU group: slabs start mid-image, groups
    # hold several slabs, and the batch spans many groups
    x, w, b, padding = layer((3, 2, 3, (5, 3, 6), 1), seed=7)
    out, cache = conv_forward(x, w, b, 1, padding, backend="winograd")
    dout = np.random.default_rng(8).standard_normal(out.shape)
    grads = conv_backward(dout, cache, backend="winograd")
    monkeypatch.setattr(wino, "SLAB_BYTES", 1)
    monkeypatch.setattr(wino, "MIN_TILES", 1)
    monkeypatch.setattr(wino, "GROUP_TILES", 3 * 3)  # T2 = 3: three strips
    geo = wino._geometry(x.shape, (1, 1, 1))
    assert wino._slab_strips(geo, 3, 8, wino._total_strips(geo, 3)) == 1
    assert wino._group_strips(geo, 1) == 3
    out_small, cache_small = conv_forward(x, w, b, 1, padding, backend="winograd")
    np.testing.assert_allclose(out_small, out, rtol=0, atol=1e-12)
    for g, e in zip(
        conv_backward(dout, cache_small, backend="winograd"), grads, strict=True
    ):
        np.testing.assert_allclose(g, e, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_two_threads_give_the_same_result(dtype, monkeypatch):
    # the runs of strips are split between two threads; the backward's dx
    # contributions of neighbouring tiles overlap, so the runs keep a gap
    x, w, _, _ = layer((2, 5, 4, (9, 7, 6), 1), dtype, seed=11)
    padding = (1, 1, 1)
    geo = wino._geometry(x.shape, padding)
    runs, gaps = wino._partition(wino._total_strips(geo, 2), 2, geo.tiles[1] + 1)
    assert len(runs) == 2 and len(gaps) == 1
    dout = np.random.default_rng(12).standard_normal((2, 4, 9, 7, 6)).astype(dtype)
    monkeypatch.setattr(wino, "SLAB_BYTES", 1)  # one strip per slab: many slabs
    monkeypatch.setattr(wino, "MIN_TILES", 1)
    monkeypatch.setattr(wino, "GROUP_TILES", 2 * 3)  # T2 = 3: two strips
    threads_used = []
    run_threads = wino.run_threads
    monkeypatch.setattr(
        wino,
        "run_threads",
        lambda work, runs: threads_used.append(len(runs)) or run_threads(work, runs),
    )
    one = wino.winograd_forward(x, w, padding, workers=1)
    two = wino.winograd_forward(x, w, padding, workers=2)
    np.testing.assert_array_equal(two, one)
    dx1, dw1 = wino.winograd_backward(dout, x, w, padding, workers=1)
    dx2, dw2 = wino.winograd_backward(dout, x, w, padding, workers=2)
    assert threads_used == [1, 2, 1, 2]
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(dx2, dx1, rtol=0, atol=tol)
    np.testing.assert_allclose(dw2, dw1, rtol=0, atol=tol * 10)


def test_runs_whose_thread_cannot_start_run_in_the_caller(monkeypatch):
    def refuse(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threads.threading.Thread, "start", refuse)
    monkeypatch.setattr(threads, "_helpers", [])  # no helper yet, and none can start
    seen = []
    out = threads.run_threads(lambda a, b: seen.append(a) or a + b, [(0, 1), (2, 3)])
    assert out == [1, 5] and seen == [0, 2]


def test_an_error_in_a_thread_is_raised_in_the_caller():
    def work(start, stop):
        if start:
            raise ValueError(f"run from {start}")
        return stop

    with pytest.raises(ValueError, match="run from 2"):
        threads.run_threads(work, [(0, 1), (2, 3)])


@pytest.mark.parametrize("x_shape", [(2, 3, 4, 5, 6), (1, 20, 3, 2, 17)])
def test_layout_kernels_equal_numpy_twins(x_shape):
    # into and out of a padded, channels-last array (strided views both ways)
    x = np.random.default_rng(3).standard_normal(x_shape)
    padded = np.zeros((x_shape[0],) + tuple(s + 2 for s in x_shape[2:]) + x_shape[1:2])
    inner = padded[:, 1:-1, 1:-1, 1:-1]
    jit.channels_last(x, inner)
    np.testing.assert_array_equal(inner, np.moveaxis(x, 1, -1))
    assert not padded[:, 0].any() and not padded[:, :, :, -1].any()
    back = np.empty_like(x)
    jit.channels_first(inner, back)
    np.testing.assert_array_equal(back, x)
    np.testing.assert_array_equal(wino.channels_first(inner, np.empty_like(x)), back)


# -------------------------------------------------- kernels: twins, adjoints
GEOMETRIES = [((2, 3, 5, 4, 7), (1, 0, 2)), ((2, 3, 5, 6), (1, 1)), ((2, 3, 9), (2,))]


def kernel_inputs(x_shape, padding, channels=3, seed=0):
    """A padded channels-last image, a matching dout and a stack.

    The slab is every strip from strip 1 on; the stack has one strip more, and
    the slab's tiles start at its second strip (t_lo = T2).
    """
    rng = np.random.default_rng(seed)
    geo = wino._geometry(x_shape, padding)
    xcl = wino._channels_last_padded(
        rng.standard_normal(x_shape), geo, wino.NUMPY_KERNELS
    )
    dout = rng.standard_normal((x_shape[0],) + geo.s_out + (channels,))
    strips = x_shape[0] * geo.tiles[0] * geo.tiles[1] - 1
    shape = (np.prod(geo.alpha), (strips + 1) * geo.tiles[2], channels)
    return geo, xcl, dout, rng.standard_normal(shape), strips


def buffers(geo, channels):
    return wino._tile_buffers(geo, channels, np.float64)


@pytest.mark.parametrize(("x_shape", "padding"), GEOMETRIES)
def test_numba_kernels_equal_numpy_twins(x_shape, padding):
    geo, xcl, dout, stack, strips = kernel_inputs(x_shape, padding)
    args = (geo.alpha, geo.tiles, (1, strips, geo.tiles[2]))
    for name in ("input_transform", "output_adjoint"):
        src = xcl if name == "input_transform" else dout
        want = getattr(wino.NUMPY_KERNELS, name)(src, *args, np.zeros_like(stack))
        got = np.zeros_like(stack)
        getattr(wino.NUMBA_KERNELS, name)(src, *args, got, buffers(geo, 3))
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12, err_msg=name)
        assert not got[:, : geo.tiles[2]].any(), name  # before t_lo: untouched
    for name, image in (("input_adjoint", xcl), ("output_transform", dout)):
        start = np.random.default_rng(9).standard_normal(image.shape)
        want = getattr(wino.NUMPY_KERNELS, name)(stack, *args, start.copy())
        got = start.copy()
        getattr(wino.NUMBA_KERNELS, name)(stack, *args, got, buffers(geo, 3))
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("kernels", ["numpy", "numba"])
@pytest.mark.parametrize(("x_shape", "padding"), GEOMETRIES)
def test_transform_pairs_are_adjoint(x_shape, padding, kernels):
    # <T a, s> == <a, T^T s> for input_transform / input_adjoint and for
    # output_adjoint / output_transform (dropped cells count as zeros)
    geo, xcl, dout, stack, strips = kernel_inputs(x_shape, padding, seed=2)
    k = wino.NUMBA_KERNELS if kernels == "numba" else wino.NUMPY_KERNELS
    args = (geo.alpha, geo.tiles, (1, strips, geo.tiles[2]))
    buf = buffers(geo, 3)
    t_x, t_s = np.zeros_like(stack), np.zeros_like(xcl)
    k.input_transform(xcl, *args, t_x, buf)
    k.input_adjoint(stack, *args, t_s, buf)
    assert np.isclose(np.vdot(t_x, stack), np.vdot(xcl, t_s), rtol=1e-12)
    t_d, t_s = np.zeros_like(stack), np.zeros_like(dout)
    k.output_adjoint(dout, *args, t_d, buf)
    k.output_transform(stack, *args, t_s, buf)
    assert np.isclose(np.vdot(t_d, stack), np.vdot(dout, t_s), rtol=1e-12)


def test_input_transform_by_hand():
    # B^T d for d = (0, 1, 2, 3): (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
    xcl = np.arange(4.0).reshape(1, 1, 1, 4, 1)
    out = np.zeros((4, 1, 1))
    jit.input_transform(xcl, (1, 1, 4), (1, 1, 1), (0, 1, 0), out, np.zeros((2, 1, 4)))
    np.testing.assert_array_equal(out[:, 0, 0], [-2.0, 3.0, 1.0, -2.0])


# --------------------------------------------------------- choice and errors
def test_auto_picks_winograd_only_where_it_measured_faster():
    prefer = dispatch.prefer_winograd
    assert prefer((1, 32, 80, 80, 8), (32, 32, 3, 3, 3), (1, 1, 1))
    assert prefer((1, 64, 40, 40, 4), (64, 64, 3, 3, 3), (1, 1, 1))
    assert prefer((1, 192, 160, 160, 16), (64, 192, 3, 3, 3), (1, 1, 1))
    assert prefer((1, 4, 160, 160, 16), (32, 4, 3, 3, 3), (1, 1, 1))
    assert prefer((8, 128, 56, 56), (32, 128, 3, 3), (1, 1))
    assert not prefer((1, 256, 20, 20, 2), (256, 256, 3, 3, 3), (1, 1, 1))
    assert not prefer((1, 32, 80, 80, 8), (32, 32, 3, 3, 3), (2, 2, 2))
    assert not prefer((1, 32, 80, 80, 8), (32, 32, 1, 3, 3), (1, 1, 1))
    assert not prefer((2, 8, 40), (8, 8, 3), (1,))  # 1D: not measured


def test_applies_only_to_stride_1_kernel_3():
    assert wino.winograd_applies((4, 2, 3, 3, 3), (1, 1, 1))
    assert not wino.winograd_applies((4, 2, 3, 3, 1), (1, 1, 1))
    assert not wino.winograd_applies((4, 2, 3, 3), (1, 2))


@pytest.mark.parametrize(
    ("w_shape", "stride", "message"),
    [
        (
            (2, 2, 3, 3),
            2,
            r"stride-1 convolution .* got kernel \(3, 3\), stride \(2, 2\)",
        ),
        ((2, 2, 1, 1), 1, r"got kernel \(1, 1\), stride \(1, 1\)"),
    ],
)
def test_winograd_backend_refuses_other_layers(w_shape, stride, message):
    x = np.ones((1, 2, 6, 6))
    with pytest.raises(ValueError, match=message):
        conv_forward(x, np.ones(w_shape), stride=stride, backend="winograd")


def test_transposed_conv_has_no_winograd_backend():
    with pytest.raises(ValueError, match=r"expected backend in \('auto', 'numba', "):
        conv_transpose_forward(
            np.ones((1, 2, 4, 4)), np.ones((2, 2, 3, 3)), backend="winograd"
        )


def test_runs_without_the_jit(run_without_jit):
    # NUMBA_DISABLE_JIT=1: the kernels run as plain Python, with the same answers
    stdout = run_without_jit("""
        import numpy as np
        from reference.ops._fast import winograd as wino
        rng = np.random.default_rng(0)
        x, w = rng.standard_normal((2, 2, 3, 4, 5)), rng.standard_normal((3, 2, 3, 3, 3))
        dout = rng.standard_normal((2, 3, 3, 4, 5))
        for kernels in (wino.NUMBA_KERNELS, wino.NUMPY_KERNELS):
            out = wino.winograd_forward(x, w, (1, 1, 1), kernels)
            dx, dw = wino.winograd_backward(dout, x, w, (1, 1, 1), kernels)
            print(repr(float(out.sum())), repr(float(dx.sum())), repr(float(dw.sum())))
    """)
    first, second = stdout.split("\n")[:2]
    np.testing.assert_allclose(
        np.array(first.split(), float), np.array(second.split(), float), rtol=1e-12
    )
