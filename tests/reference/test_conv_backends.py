"""Convolution backends agree: naive == im2col == numba == auto (1D, 2D and 3D), and
every split and slab size of the GEMM driver; each Numba kernel equals its NumPy twin;
everything runs without the JIT."""

import itertools

import numpy as np
import pytest

from reference.ops._fast import dispatch, gemm, kernels_im2col
from reference.ops.conv import conv_backward, conv_forward
from reference.ops.conv_transpose import conv_transpose_backward, conv_transpose_forward

BACKENDS = ["naive", "im2col", "numba", "auto"]
CASES = [  # (N, C_in, C_out, S, kernel, stride, padding)
    (2, 3, 4, (9,), (3,), 1, 1),
    (2, 3, 4, (9, 8), (3, 2), (2, 1), (1, 2)),
    (1, 4, 2, (7, 7), (1, 1), 1, 0),
    (2, 3, 5, (6, 5, 7), (3, 3, 2), 1, (1, 0, 1)),
    (1, 2, 3, (7, 6, 5), (3, 2, 3), (2, 2, 1), 1),
]


def run(backend_fwd, backend_bwd, case, dtype=np.float64, seed=0):
    n, c_in, c_out, shape, kernel, stride, padding = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c_in) + shape).astype(dtype)
    w = rng.standard_normal((c_out, c_in) + kernel).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype)
    out, cache = conv_forward(x, w, b, stride, padding, backend=backend_fwd)
    dout = rng.standard_normal(out.shape).astype(dtype)
    return (out, *conv_backward(dout, cache, backend=backend_bwd))


def assert_all_close(got, want, tol=1e-12):
    for g, e in zip(got, want, strict=False):
        assert g.dtype == e.dtype
        np.testing.assert_allclose(g, e, rtol=tol, atol=tol)


PAIRS = [(case, fwd, bwd) for case in CASES for fwd in BACKENDS for bwd in BACKENDS]


@pytest.mark.numba
@pytest.mark.parametrize(("case", "fwd", "bwd"), PAIRS)
def test_any_backend_consumes_any_forward_cache(case, fwd, bwd):
    assert_all_close(run(fwd, bwd, case), run("im2col", "im2col", case))


@pytest.mark.numba
@pytest.mark.parametrize("case", CASES)
def test_float32_backends_agree(case):
    want = run("im2col", "im2col", case, np.float32)
    assert_all_close(run("numba", "numba", case, np.float32), want, tol=1e-5)


def splits(case):
    """Every choice of shifted axes (stride-1 axes only)."""
    ndim, stride = len(case[3]), np.broadcast_to(case[5], len(case[3]))
    for split in itertools.product([False, True], repeat=ndim):
        if not any(h and s > 1 for h, s in zip(split, stride, strict=False)):
            yield split


@pytest.mark.numba
@pytest.mark.parametrize("kernels", ["numpy", "numba"])
@pytest.mark.parametrize("case", CASES)
def test_every_split_and_slab_size_agrees(case, kernels, monkeypatch):
    n, c_in, c_out, shape, kernel, stride, padding = case
    rng = np.random.default_rng(1)
    x = rng.standard_normal((n, c_in) + shape)
    w = rng.standard_normal((c_out, c_in) + kernel)
    ndim = len(shape)
    stride, padding = np.broadcast_to(stride, ndim), np.broadcast_to(padding, ndim)
    stride, padding = tuple(int(s) for s in stride), tuple(int(p) for p in padding)
    want, cache = conv_forward(x, w, None, stride, padding, backend="im2col")
    dout = rng.standard_normal(want.shape)
    dx_want, dw_want, _ = conv_backward(dout, cache, backend="im2col")
    ops = (
        kernels_im2col.NUMBA_KERNELS
        if kernels == "numba"
        else kernels_im2col.NUMPY_KERNELS
    )
    for chunk in (1, 1 << 20):  # one plane per slab, and whole images
        monkeypatch.setattr(gemm, "CHUNK_BYTES", chunk)
        for split in splits(case):
            out = gemm.gemm_forward(x, w, stride, padding, split, ops)
            dx, dw = gemm.gemm_backward(dout, x, w, stride, padding, split, ops)
            assert_all_close((out, dx, dw), (want, dx_want, dw_want))


@pytest.mark.numba
@pytest.mark.parametrize("kernels", ["numpy", "numba"])
def test_conv_transpose_backends_agree(kernels, monkeypatch):
    # "auto" without the JIT runs the GEMM driver with the NumPy gathers;
    # "im2col" (the readable col2im of one product per image) is the oracle
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 3, 4, 5, 3)), rng.standard_normal((3, 2, 2, 3, 2))
    b = rng.standard_normal(2)
    backend = "numba" if kernels == "numba" else "auto"
    if kernels == "numpy":
        monkeypatch.setattr(dispatch, "JIT_ENABLED", False)
    out, cache = conv_transpose_forward(x, w, b, (2, 1, 2), (0, 1, 1), backend=backend)
    want_out, want_cache = conv_transpose_forward(
        x, w, b, (2, 1, 2), (0, 1, 1), backend="im2col"
    )
    dout = rng.standard_normal(out.shape)
    assert_all_close(
        (out, *conv_transpose_backward(dout, cache, backend=backend)),
        (want_out, *conv_transpose_backward(dout, want_cache, backend="im2col")),
    )


# ------------------------------------------------- Numba kernels vs NumPy twins
KERNEL_CASES = [  # (C, S_pad, kernel, stride, e0, nz)
    (3, (6, 7, 8), (3, 2, 3), (1, 1, 1), 0, 4),
    (2, (9, 8, 9), (3, 3, 2), (2, 2, 3), 1, 2),
    (4, (1, 9, 9), (1, 3, 3), (1, 1, 2), 0, 1),
]


def extent(s_pad, kernel, stride, nz):
    rest = tuple(
        1 + (s - k) // st
        for s, k, st in zip(s_pad[1:], kernel[1:], stride[1:], strict=False)
    )
    return (nz,) + rest


@pytest.mark.numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("c", "s_pad", "kernel", "stride", "e0", "nz"), KERNEL_CASES)
def test_numba_im2col_and_col2im_match_numpy_twins(
    c, s_pad, kernel, stride, e0, nz, dtype
):
    rng = np.random.default_rng(3)
    x_pad = rng.standard_normal((c,) + s_pad).astype(dtype)
    shape = (int(np.prod(kernel)), c) + extent(s_pad, kernel, stride, nz)
    want = kernels_im2col.im2col(x_pad, kernel, stride, e0, np.empty(shape, dtype))
    got = np.full(shape, np.nan, dtype)
    kernels_im2col.im2col_3d(x_pad, *kernel, *stride, e0, got)
    np.testing.assert_array_equal(got, want)

    cols = rng.standard_normal(shape).astype(dtype)
    start = rng.standard_normal(x_pad.shape).astype(dtype)
    want = kernels_im2col.col2im(cols, kernel, stride, e0, start.copy())
    got = start.copy()
    kernels_im2col.col2im_3d(cols, *kernel, *stride, e0, got)
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.numba
@pytest.mark.parametrize(("e0", "nz"), [(0, 8), (0, 3), (2, 3), (6, 2)])
@pytest.mark.parametrize("kernel", [(3, 2, 3), (3, 2, 1)])  # kw == 1: whole-plane path
def test_numba_shift_add_matches_numpy_twin(e0, nz, kernel):
    rng = np.random.default_rng(4)
    s_out = (6, 5, 4)
    y = rng.standard_normal(
        (int(np.prod(kernel)), 3, nz, 5 + kernel[1] - 1, 4 + kernel[2] - 1)
    )
    start = rng.standard_normal((3,) + s_out)
    want = kernels_im2col.shift_add(y, kernel, e0, start.copy())
    got = start.copy()
    kernels_im2col.shift_add_3d(y, *kernel, e0, got)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_pure_python_path_without_the_jit(run_without_jit):
    # NUMBA_DISABLE_JIT=1 turns the kernels into plain Python: slow, same answers;
    # "auto" then runs the GEMM driver with the NumPy gathers (memory stays bounded)
    stdout = run_without_jit("""
        import numpy as np
        from reference.ops._fast.jit import JIT_ENABLED
        from reference.ops.conv import conv_backward, conv_forward
        from reference.ops.conv_transpose import (
            conv_transpose_backward, conv_transpose_forward)
        assert not JIT_ENABLED
        rng = np.random.default_rng(0)
        x, w = rng.standard_normal((1, 2, 4, 3, 4)), rng.standard_normal((2, 2, 2, 3, 2))
        results = {}
        for backend in ("numba", "auto", "im2col"):
            out, cache = conv_forward(x, w, None, (2, 1, 1), 1, backend=backend)
            grads = conv_backward(np.ones_like(out), cache, backend=backend)[:2]
            up, up_cache = conv_transpose_forward(out, w, None, (2, 1, 1), 1, backend=backend)
            up_grads = conv_transpose_backward(up, up_cache, backend=backend)[:2]
            results[backend] = (out, *grads, up, *up_grads)
        for backend in ("numba", "auto"):
            for got, want in zip(results[backend], results["im2col"], strict=True):
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
        print("ok")
    """)
    assert stdout.strip() == "ok"
