"""Gather/scatter kernels of the slab-wise GEMM convolution, Numba and NumPy twins.

Layout: a "column" array holds one row block per kernel offset g (row-major over
the kernel axes) and channel c, then the output positions of a slab of planes
e0 .. e0 + nz - 1 along the first spatial axis::

    cols[g, c, z, *e] = x_pad[c, (e0 + z) * s_0 + g_0, e_1 * s_1 + g_1, ...]

so ``cols.reshape(K * C, -1)`` is the matrix that a (C_out, K * C) weight
matrix multiplies (K = prod(kernel)); see `reference.ops._fast.gemm`.

Three kernels, each on ONE image, writing into a caller-owned buffer and
allocating nothing:

    im2col_3d / im2col        gather the windows of a slab into columns
    col2im_3d / col2im        scatter-add columns back (the adjoint)
    shift_add_3d / shift_add  add shifted products into the output (stride 1)

The ``*_3d`` kernels are compiled by Numba (``cache=True``) and take canonical
3D images (1D and 2D inputs are lifted to 3D with singleton axes by the
caller); their NumPy twins (no suffix) take kernel and stride as tuples, work
in 1, 2 or 3 dims, and are vectorised over everything but the kernel offsets.
`NUMBA_KERNELS` and `NUMPY_KERNELS` bundle each set behind one signature.
Under ``NUMBA_DISABLE_JIT=1`` the compiled kernels run as plain Python.

Loops are ordered channel-outermost so that the part of the image a channel
touches stays in cache while the kernel offsets sweep over it, and each source
row is read once for all offsets along the last axis. When the last kernel
axis is trivial (kw == 1, rows kept whole), a plane moves as one contiguous
run instead (`_im2col_planes`, `_shift_add_planes`), which pays on the short
rows of thin volumes. ``parallel=True`` is not used: it did not pay on two
cores shared with the BLAS threads (timings: ``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from reference.ops._fast.jit import njit

__all__ = [
    "NUMBA_KERNELS",
    "NUMPY_KERNELS",
    "Kernels",
    "col2im",
    "col2im_3d",
    "im2col",
    "im2col_3d",
    "shift_add",
    "shift_add_3d",
]


# ------------------------------------------------------------- NumPy twins
def _offsets(kernel):
    """Yield (g, offset tuple) over the kernel offsets in row-major order."""
    return enumerate(itertools.product(*(range(k) for k in kernel)))


def _window(offset, stride, e0, extent):
    """Index tuple of x_pad[c, (e0 + z)*s_0 + g_0, e_1*s_1 + g_1, ...] over extent."""
    first = slice(
        offset[0] + stride[0] * e0,
        offset[0] + stride[0] * (e0 + extent[0] - 1) + 1,
        stride[0],
    )
    rest = tuple(
        slice(g, g + s * (e - 1) + 1, s)
        for g, s, e in zip(offset[1:], stride[1:], extent[1:], strict=False)
    )
    return (slice(None), first) + rest


def im2col(
    x_pad: np.ndarray,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    e0: int,
    out: np.ndarray,
) -> np.ndarray:
    """Gather the windows of one padded image into ``out`` and return it.

    Parameters
    ----------
    x_pad : ndarray of shape (C, *S_pad)
        One image, already padded.
    kernel, stride : tuple of int, one per spatial dim
    e0 : int
        First output plane (along the first spatial axis) of this slab.
    out : ndarray of shape (prod(kernel), C, nz, *E_rest)
        Filled with out[g, c, z, *e] = x_pad[c, (e0 + z)*s_0 + g_0, e_1*s_1 + g_1, ...]
        for the nz planes e0 .. e0 + nz - 1 and all E_rest positions.

    Examples
    --------
    >>> x_pad = np.arange(4.0).reshape(1, 4)  # one channel, length 4
    >>> im2col(x_pad, (2,), (1,), 0, np.empty((2, 1, 3)))[:, 0]
    array([[0., 1., 2.],
           [1., 2., 3.]])
    """
    extent = out.shape[2:]
    for g, offset in _offsets(kernel):
        out[g] = x_pad[_window(offset, stride, e0, extent)]
    return out


def col2im(
    cols: np.ndarray,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    e0: int,
    dst: np.ndarray,
) -> np.ndarray:
    """Scatter-add columns back into a padded image (the adjoint of `im2col`).

    dst[c, (e0 + z)*s_0 + g_0, e_1*s_1 + g_1, ...] += cols[g, c, z, *e]; windows
    that overlap add up. ``dst`` (C, *S_pad) is updated in place and returned.

    Examples
    --------
    >>> col2im(np.ones((2, 1, 3)), (2,), (1,), 0, np.zeros((1, 4)))
    array([[1., 2., 2., 1.]])
    """
    extent = cols.shape[2:]
    for g, offset in _offsets(kernel):
        dst[_window(offset, stride, e0, extent)] += cols[g]
    return dst


def shift_add(
    y: np.ndarray, kernel: tuple[int, ...], e0: int, out: np.ndarray
) -> np.ndarray:
    """Add shifted products into the output: out[c, o] += y[g, c, o + g - (e0, 0, ...)].

    Stride 1. ``y`` (prod(kernel), C, nz, *E_rest) holds one matrix product per
    kernel offset g over planes e0 .. e0 + nz - 1 (with E = S_out + kernel - 1 on
    every axis); ``out`` (C, *S_out) is updated in place where the source plane
    lies in the slab, and returned.

    Examples
    --------
    >>> y = np.array([[[1.0, 2.0, 3.0]], [[10.0, 20.0, 30.0]]])  # 2 offsets, 1 channel
    >>> shift_add(y, (2,), 0, np.zeros((1, 2)))
    array([[21., 32.]])
    """
    nz, s_out = y.shape[2], out.shape[1:]
    for g, offset in _offsets(kernel):
        lo, hi = max(0, e0 - offset[0]), min(s_out[0], e0 + nz - offset[0])
        if hi <= lo:
            continue
        src = (g, slice(None), slice(lo + offset[0] - e0, hi + offset[0] - e0))
        src += tuple(
            slice(o, o + s) for o, s in zip(offset[1:], s_out[1:], strict=False)
        )
        out[:, lo:hi] += y[src]
    return out


# ---------------------------------------------------------- Numba kernels
@njit(cache=True, nogil=True, boundscheck=False)
def im2col_3d(xp, kd, kh, kw, sd, sh, sw, e0, out):  # pragma: no cover - jitted
    """Gather out[g, c, z, y, i] = xp[c, (e0 + z)*sd + u, y*sh + v, i*sw + t].

    ``xp`` is (C, D_pad, H_pad, W_pad); ``out`` is (kd*kh*kw, C, nz, E1, E2) and
    g = (u*kh + v)*kw + t enumerates the kernel offsets in row-major order.
    """
    channels, nz, e1, e2 = out.shape[1:]
    if kw == 1 and sh == 1 and e2 == xp.shape[3]:  # whole rows: copy planes
        _im2col_planes(xp, kd, kh, sd, e0, out)
        return
    for c in range(channels):
        for uv in range(kd * kh):
            u, v = uv // kh, uv % kh
            for z in range(nz):
                for y in range(e1):
                    src = xp[c, (e0 + z) * sd + u, y * sh + v]
                    for t in range(kw):  # one source row feeds kw columns
                        dst = out[uv * kw + t, c, z, y]
                        if sw == 1:  # unit stride: lets LLVM vectorise
                            for i in range(e2):
                                dst[i] = src[i + t]
                        else:
                            for i in range(e2):
                                dst[i] = src[i * sw + t]


@njit(cache=True, nogil=True, boundscheck=False)
def col2im_3d(cols, kd, kh, kw, sd, sh, sw, e0, dst):  # pragma: no cover - jitted
    """Scatter-add dst[c, (e0 + z)*sd + u, y*sh + v, i*sw + t] += cols[g, c, z, y, i].

    The adjoint of `im2col_3d`: overlapping windows add up. One pass per
    kernel offset here (fusing the offsets, as the gather does, was slower).
    """
    n_offsets, channels, nz, e1, e2 = cols.shape
    for c in range(channels):
        for g in range(n_offsets):
            u, v, t = g // (kh * kw), (g // kw) % kh, g % kw
            for z in range(nz):
                for y in range(e1):
                    row = dst[c, (e0 + z) * sd + u, y * sh + v]
                    src = cols[g, c, z, y]
                    if sw == 1:  # unit stride: lets LLVM vectorise
                        for i in range(e2):
                            row[i + t] += src[i]
                    else:
                        for i in range(e2):
                            row[i * sw + t] += src[i]


@njit(cache=True, nogil=True, boundscheck=False)
def shift_add_3d(y, kd, kh, kw, e0, out):  # pragma: no cover - jitted
    """Add out[c, o0, o1, o2] += y[g, c, o0 + u - e0, o1 + v, o2 + t] (stride 1).

    ``y`` holds one product per kernel offset g = (u, v, t) over planes
    e0 .. e0 + nz - 1; out planes whose source plane falls outside are skipped.
    """
    n_offsets, channels, nz = y.shape[0], y.shape[1], y.shape[2]
    s0, s1, s2 = out.shape[1], out.shape[2], out.shape[3]
    if kw == 1 and y.shape[4] == s2:  # whole (o1, o2) planes shift as one run
        _shift_add_planes(y, kd, kh, e0, out)
        return
    for c in range(channels):
        for o0 in range(max(0, e0 - kd + 1), min(s0, e0 + nz)):
            for o1 in range(s1):
                row = out[c, o0, o1]
                for g in range(n_offsets):
                    u, v, t = g // (kh * kw), (g // kw) % kh, g % kw
                    z = o0 + u - e0
                    if 0 <= z < nz:
                        src = y[g, c, z, o1 + v]
                        for i in range(s2):
                            row[i] += src[i + t]


@njit(cache=True, nogil=True, boundscheck=False)
def _shift_add_planes(y, kd, kh, e0, out):  # pragma: no cover - jitted
    """`shift_add_3d` when the last axis is not shifted (kw == 1).

    Each (o1, o2) plane then receives y's plane moved by v whole rows, so the
    add runs over the flattened plane: one long vectorised loop instead of many
    short rows (the last axis of a thin volume may be 4 or 8 long).
    """
    n_offsets, channels, nz = y.shape[0], y.shape[1], y.shape[2]
    s0, s2 = out.shape[1], out.shape[3]
    run = out.shape[2] * s2
    for c in range(channels):
        for o0 in range(max(0, e0 - kd + 1), min(s0, e0 + nz)):
            dst = out[c, o0].reshape(run)
            for g in range(n_offsets):
                z = o0 + g // kh - e0
                if 0 <= z < nz:
                    src = y[g, c, z].reshape(y.shape[3] * s2)
                    shift = (g % kh) * s2
                    for i in range(run):
                        dst[i] += src[i + shift]


@njit(cache=True, nogil=True, boundscheck=False)
def _im2col_planes(xp, kd, kh, sd, e0, out):  # pragma: no cover - jitted
    """`im2col_3d` when the gather keeps whole rows (kw == 1, sh == 1, E2 = W_pad).

    Each (y, i) plane of a column block is then the source plane moved by v
    whole rows: one long contiguous copy instead of many short rows.
    """
    channels, nz, e1, e2 = out.shape[1:]
    run = e1 * e2
    for c in range(channels):
        for uv in range(kd * kh):
            u, v = uv // kh, uv % kh
            for z in range(nz):
                src = xp[c, (e0 + z) * sd + u].reshape(xp.shape[2] * e2)
                dst = out[uv, c, z].reshape(run)
                for i in range(run):
                    dst[i] = src[i + v * e2]


# ------------------------------------------------------------ kernel sets
class Kernels(NamedTuple):
    """Gather/scatter implementations used by `gemm_forward` / `gemm_backward`.

    Each takes canonical 3D images ``(C, D, H, W)``: ``im2col(x_pad, kernel,
    stride, e0, out)``, ``col2im(cols, kernel, stride, e0, dst)`` and
    ``shift_add(y, kernel, e0, out)`` with the semantics of the NumPy twins.
    """

    im2col: Callable
    col2im: Callable
    shift_add: Callable


NUMPY_KERNELS = Kernels(im2col, col2im, shift_add)
NUMBA_KERNELS = Kernels(
    lambda xp, k, s, e0, out: im2col_3d(xp, *k, *s, e0, out),
    lambda cols, k, s, e0, dst: col2im_3d(cols, *k, *s, e0, dst),
    lambda y, k, e0, out: shift_add_3d(y, *k, e0, out),
)
