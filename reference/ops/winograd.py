"""Winograd convolution F(2, 3): stride-1 3x3 and 3x3x3 layers with fewer products.

Public names: `winograd_applies`, `winograd_forward`, `winograd_backward`, the
kernel sets `NUMPY_KERNELS` / `NUMBA_KERNELS`, and the NumPy twins of the tile
transforms (`input_transform`, `input_adjoint`, `output_transform`,
`output_adjoint`). `reference.ops.conv_forward` / `conv_backward` call this
module for the layers where it is faster (see `reference.ops.conv`).

The idea (Lavin and Gray, 2016): two outputs of a 3-tap correlation,
y0 = d0 g0 + d1 g1 + d2 g2 and y1 = d1 g0 + d2 g1 + d3 g2, need 6 products
directly but only 4 after linear transforms of the 4 inputs d and 3 weights g::

    y = A^T [(G g) * (B^T d)]          (* elementwise)

    B^T = [[1, 0, -1, 0],   G = [[1, 0, 0],         A^T = [[1, 1, 1, 0],
           [0, 1, 1, 0],         [1/2, 1/2, 1/2],          [0, 1, -1, -1]]
           [0, -1, 1, 0],        [1/2, -1/2, 1/2],
           [0, 1, 0, -1]]        [0, 0, 1]]

Nested along every spatial axis, a 4x4x4 input tile d gives a 2x2x2 output
tile with 64 products per channel pair instead of 216 (16 instead of 36 in 2D).
Summed over input channels, the elementwise products of all tiles become, per
transform component xi (one of the P = 64 or 16 cells of a tile),

    V[xi] = (B^T d)[xi]     (T tiles, C_in)     input transform
    U[xi] = (G g G^T)[xi]   (C_in, C_out)       weight transform
    M[xi] = V[xi] @ U[xi]   (T tiles, C_out)    P matrix products (BLAS)
    Y     = A^T M A                              output transform

so a 3x3x3 layer does 64/216 = 0.30 of the direct method's multiply-adds (in
2D, 16/36 = 0.44), in GEMMs, plus cheap transforms. Every stage is linear, so
the backward applies the transposes in reverse order:

    dM = A dY A^T,   dU[xi] = V[xi]^T @ dM[xi],   dV[xi] = dM[xi] @ U[xi]^T,
    dx = B dV B^T  (overlapping tiles add),        dw = G^T dU G.

The result equals the direct convolution up to float rounding (the transforms
only add, subtract and halve).

Layout: images are channels-last and lifted to three spatial axes,
(N, E0, E1, E2, C); a 2D layer's first axis has a 1-tap "kernel" that is not
transformed (alpha = 1). Tiles are processed in slabs of tile rows so that the
transformed buffers stay a few MiB however large the volume.

References
----------
1. A. Lavin, S. Gray, "Fast algorithms for convolutional neural networks",
   CVPR 2016.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from reference.ops import _jit_winograd
from reference.ops.im2col import crop_spatial

__all__ = [
    "NUMBA_KERNELS",
    "NUMPY_KERNELS",
    "WinogradKernels",
    "input_adjoint",
    "input_transform",
    "output_adjoint",
    "output_transform",
    "winograd_applies",
    "winograd_backward",
    "winograd_forward",
]

SLAB_BYTES = (
    1 << 20
)  # each transformed buffer of a slab stays under this (measured best 0.25-1 MiB)

_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], float)
_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], float)
_ONE = np.ones((1, 1))


def winograd_applies(w_shape, stride) -> bool:
    """Return True for a stride-1 convolution with a kernel of 3 on every axis.

    Examples
    --------
    >>> winograd_applies((8, 4, 3, 3), (1, 1)), winograd_applies((8, 4, 3, 3), (2, 2))
    (True, False)
    """
    return all(k == 3 for k in w_shape[2:]) and all(s == 1 for s in stride)


# ------------------------------------------------------------------ geometry
class _Geometry(NamedTuple):
    """Canonical-3D geometry of one Winograd convolution (tuples 3 long)."""

    alpha: tuple  # tile size per axis: 4 (transformed) or 1 (pass-through)
    padding: tuple
    s_in: tuple  # input spatial size
    s_out: tuple  # output spatial size
    tiles: tuple  # tiles per axis: ceil(S_out / m), m = 2 or 1
    extent: tuple  # padded input the tiles cover: m * tiles + alpha - m


def _geometry(x_shape, padding) -> _Geometry:
    """Lift (N, C, *S) with kernel 3 on every axis to canonical 3D."""
    lead = 3 - (len(x_shape) - 2)
    alpha = (1,) * lead + (4,) * (len(x_shape) - 2)
    padding = (0,) * lead + tuple(padding)
    s_in = (1,) * lead + tuple(x_shape[2:])
    kernel = tuple(3 if a == 4 else 1 for a in alpha)
    s_out = tuple(
        s + 2 * p - k + 1 for s, p, k in zip(s_in, padding, kernel, strict=False)
    )
    m = tuple(a - 2 if a == 4 else 1 for a in alpha)
    tiles = tuple(-(-s // k) for s, k in zip(s_out, m, strict=False))
    extent = tuple(k * t + a - k for k, t, a in zip(m, tiles, alpha, strict=False))
    return _Geometry(alpha, padding, s_in, s_out, tiles, extent)


def _channels_last_padded(x, geo) -> np.ndarray:
    """X (N, C, *S) -> zero-padded channels-last (N, E0, E1, E2, C)."""
    xcl = np.zeros((len(x),) + geo.extent + (x.shape[1],), dtype=x.dtype)
    xcl[crop_spatial(geo.padding, geo.s_in)] = np.moveaxis(
        x.reshape(x.shape[:2] + geo.s_in), 1, -1
    )
    return xcl


def _weight_transform(w, geo):
    """U[xi] = (G (x) G (x) G) w as (P, C_in, C_out), in w's dtype."""
    w3 = w.reshape(w.shape[:2] + tuple(3 if a == 4 else 1 for a in geo.alpha))
    g0, g1, g2 = (_G if a == 4 else _ONE for a in geo.alpha)
    u = np.einsum("ai,bj,ck,oxijk->abcxo", g0, g1, g2, w3, optimize=True)
    return np.ascontiguousarray(u.reshape(-1, w.shape[1], w.shape[0]), dtype=w.dtype)


def _weight_adjoint(du, geo, w_shape):
    """Dw = (G^T (x) G^T (x) G^T) dU, back to w's shape (C_out, C_in, *kernel)."""
    g0, g1, g2 = (_G if a == 4 else _ONE for a in geo.alpha)
    du5 = du.reshape(geo.alpha + du.shape[1:])
    dw = np.einsum("ai,bj,ck,abcxo->oxijk", g0, g1, g2, du5, optimize=True)
    return np.ascontiguousarray(dw.reshape(w_shape), dtype=du.dtype)


def _slab_strips(geo, channels, itemsize) -> int:
    """Return the strips per slab: the most whose buffers stay under SLAB_BYTES."""
    per_strip = math.prod(geo.alpha) * geo.tiles[2] * channels * itemsize
    return max(1, SLAB_BYTES // per_strip)


# ------------------------------------------- NumPy twins of the tile kernels
def input_transform(xcl, alpha, tiles, s_lo, out, buf=None):
    """NumPy twin of the Numba kernel: out[xi, t] = (B^T (x) B^T (x) B^T) tile t.

    Parameters
    ----------
    xcl : ndarray of shape (N, E0, E1, E2, C)
        Zero-padded channels-last images; every tile fits.
    alpha, tiles : tuple of 3 ints
        Tile size (4 or 1) and number of tiles per axis.
    s_lo : int
        First strip ((n * T0 + t0) * T1 + t1: the T2 tiles along the last axis)
        of the slab.
    out : ndarray of shape (P, R * T2, C)
        Filled for the R strips of the slab and returned.
    buf : ignored
        Scratch of the compiled kernel; kept for the same signature.

    Examples
    --------
    >>> xcl = np.arange(4.0).reshape(1, 1, 1, 4, 1)  # one row d = 0, 1, 2, 3
    >>> input_transform(xcl, (1, 1, 4), (1, 1, 1), 0, np.empty((4, 1, 1)))[:, 0, 0]
    array([-2.,  3.,  1., -2.])
    """
    return _tile_map(xcl, alpha, tiles, s_lo, out, _BT, gather=True)


def output_transform(m, alpha, tiles, s_lo, out, buf=None):
    """NumPy twin: out[tile t] = (A^T (x) A^T (x) A^T) m[:, t], cropped to out.

    ``m`` is (P, R * T1 * T2, C); ``out`` (N, S0, S1, S2, C) is written where
    the slab's tiles lie inside it, and returned.

    Examples
    --------
    >>> m = np.array([1.0, 2.0, 3.0, 4.0]).reshape(4, 1, 1)
    >>> out = output_transform(m, (1, 1, 4), (1, 1, 1), 0, np.zeros((1, 1, 1, 2, 1)))
    >>> out[0, 0, 0, :, 0]
    array([ 6., -5.])
    """
    return _tile_map(m, alpha, tiles, s_lo, out, _AT, gather=False)


def input_adjoint(dv, alpha, tiles, s_lo, dxcl, buf=None):
    """NumPy twin: dxcl[tile t] += (B (x) B (x) B) dv[:, t] (`input_transform`^T).

    Examples
    --------
    >>> dv = np.array([1.0, 0.0, 0.0, 0.0]).reshape(4, 1, 1)
    >>> dx = input_adjoint(dv, (1, 1, 4), (1, 1, 1), 0, np.zeros((1, 1, 1, 4, 1)))
    >>> dx[0, 0, 0, :, 0]
    array([ 1.,  0., -1.,  0.])
    """
    return _tile_map(dv, alpha, tiles, s_lo, dxcl, _BT.T, gather=False, add=True)


def output_adjoint(dout, alpha, tiles, s_lo, dm, buf=None):
    """NumPy twin: dm[:, t] = (A (x) A (x) A) dout[tile t] (`output_transform`^T).

    Examples
    --------
    >>> dout = np.array([1.0, 2.0]).reshape(1, 1, 1, 2, 1)
    >>> output_adjoint(dout, (1, 1, 4), (1, 1, 1), 0, np.empty((4, 1, 1)))[:, 0, 0]
    array([ 1.,  3., -1., -2.])
    """
    return _tile_map(dout, alpha, tiles, s_lo, dm, _AT.T, gather=True)


def _tile_map(src, alpha, tiles, s_lo, dst, matrix, gather, add=False):
    """Shared body of the twins: move tiles between images and (P, T, C) stacks.

    Per axis, ``matrix`` (4-row or 4-column; [[1]] on pass-through axes) maps a
    tile's cells. ``gather``: read image cells (zeros beyond the image), map,
    write the stack. Otherwise: map the stack's cells, then write them into
    the image (accumulate with ``add``), dropping cells beyond the image.
    The stack holds the strips s_lo, s_lo + 1, ... (T2 tiles each).
    """
    mats = [matrix if a == 4 else _ONE for a in alpha]
    m = tuple(2 if a == 4 else 1 for a in alpha)
    t2 = tiles[2]
    cells_in = tuple(a.shape[1] for a in mats)
    for st in range((dst if gather else src).shape[1] // t2):
        r, t1 = divmod(s_lo + st, tiles[1])
        n, t0 = divmod(r, tiles[0])
        origin = (t0 * m[0], t1 * m[1])
        cols = slice(st * t2, (st + 1) * t2)
        if gather:
            cells = np.zeros(cells_in + (t2, src.shape[-1]))
            _move_cells(cells, src[n], origin, m[2], to_image=False)
            dst[:, cols] = _apply(mats, cells).reshape(len(dst), t2, -1)
        else:
            stack = src[:, cols].reshape(cells_in + (t2, -1))
            _move_cells(_apply(mats, stack), dst[n], origin, m[2], True, add)
    return dst


def _apply(mats, cells):
    """Map cells[i, j, k, ...] by mats0[a, i] mats1[b, j] mats2[c, k] (summed)."""
    return np.einsum("ai,bj,ck,ijk...->abc...", *mats, cells)


def _move_cells(cells, img, origin, m2, to_image, add=False):
    """Copy between strip cells (c0, c1, c2, T2, C) and img[o0+q0, o1+q1, q2+m2*t].

    Cells that fall beyond ``img`` (E0, E1, E2, C) are skipped (left zero).
    """
    for q0, q1, q2 in np.ndindex(cells.shape[:3]):
        i0, i1 = origin[0] + q0, origin[1] + q1
        if i0 >= img.shape[0] or i1 >= img.shape[1]:
            continue
        n2 = min(cells.shape[3], len(range(q2, img.shape[2], m2)))
        window = img[i0, i1, q2 : q2 + m2 * n2 : m2]
        part = cells[q0, q1, q2, :n2]
        if not to_image:
            part[...] = window
        elif add:
            window += part
        else:
            window[...] = part


class WinogradKernels(NamedTuple):
    """The four tile transforms; each takes (src, alpha, tiles, s_lo, dst, buf)."""

    input_transform: Callable
    input_adjoint: Callable
    output_transform: Callable
    output_adjoint: Callable


NUMPY_KERNELS = WinogradKernels(
    input_transform, input_adjoint, output_transform, output_adjoint
)
NUMBA_KERNELS = WinogradKernels(
    _jit_winograd._input_transform,
    _jit_winograd._input_adjoint,
    _jit_winograd._output_transform,
    _jit_winograd._output_adjoint,
)


# ------------------------------------------------------------------- drivers
def _slabs(geo, n_images, strips):
    """Yield (first strip, strips) of each slab of ``strips`` over all images."""
    total = n_images * geo.tiles[0] * geo.tiles[1]
    for s_lo in range(0, total, strips):
        yield s_lo, min(strips, total - s_lo)


def _stack_shape(geo, n_strips, channels) -> tuple:
    """Shape (P, n_strips * T2, channels) of the transformed tiles of a slab."""
    return (math.prod(geo.alpha), n_strips * geo.tiles[2], channels)


def _stack(flat, geo, n_strips, channels):
    """View the start of a flat buffer as a (P, n_strips * T2, channels) stack."""
    shape = _stack_shape(geo, n_strips, channels)
    return flat[: math.prod(shape)].reshape(shape)


def _stack_buffer(geo, n_strips, channels, dtype):
    """Allocate a flat buffer for `_stack` views of up to ``n_strips`` strips."""
    return np.empty(math.prod(_stack_shape(geo, n_strips, channels)), dtype)


def _to_channels_first(a_cl, true_spatial):
    """(N, *S3, C) channels-last -> contiguous (N, C, *S) in the caller's dims."""
    return np.ascontiguousarray(np.moveaxis(a_cl, -1, 1)).reshape(
        (len(a_cl), a_cl.shape[-1]) + tuple(true_spatial)
    )


def winograd_forward(x, w, padding, kernels=NUMBA_KERNELS) -> np.ndarray:
    """Convolve x (N, C_in, *S) with 3x3(x3) filters w, stride 1; no bias.

    ``padding`` is a tuple (one int per spatial dim). Validation is the
    caller's (`reference.ops.conv_forward`).

    Examples
    --------
    >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    >>> winograd_forward(x, w, (0, 0), NUMPY_KERNELS)
    array([[[[45., 54.],
             [81., 90.]]]])
    """
    geo = _geometry(x.shape, padding)
    c_in, c_out = w.shape[1], w.shape[0]
    xcl = _channels_last_padded(x, geo)
    u = _weight_transform(w, geo)
    out_cl = np.empty((len(x),) + geo.s_out + (c_out,), dtype=x.dtype)
    strips = _slab_strips(geo, max(c_in, c_out), x.dtype.itemsize)
    v_flat, m_flat = (_stack_buffer(geo, strips, c, x.dtype) for c in (c_in, c_out))
    buf_in, buf_out = (_tile_buffers(geo, c, x.dtype) for c in (c_in, c_out))

    # per slab: transform the input tiles, P products, transform back
    for s_lo, n_strips in _slabs(geo, len(x), strips):
        v = _stack(v_flat, geo, n_strips, c_in)
        kernels.input_transform(xcl, geo.alpha, geo.tiles, s_lo, v, buf_in)
        m = np.matmul(v, u, out=_stack(m_flat, geo, n_strips, c_out))
        kernels.output_transform(m, geo.alpha, geo.tiles, s_lo, out_cl, buf_out)
    return _to_channels_first(out_cl, geo.s_out[3 - len(padding) :])


def winograd_backward(dout, x, w, padding, kernels=NUMBA_KERNELS):
    """Return (dx, dw) of `winograd_forward` for upstream dout (N, C_out, *S_out).

    Examples
    --------
    >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    >>> dx, dw = winograd_backward(np.ones((1, 1, 2, 2)), x, w, (0, 0), NUMPY_KERNELS)
    >>> dx[0, 0]
    array([[1., 2., 2., 1.],
           [2., 4., 4., 2.],
           [2., 4., 4., 2.],
           [1., 2., 2., 1.]])
    >>> dw[0, 0]
    array([[10., 14., 18.],
           [26., 30., 34.],
           [42., 46., 50.]])
    """
    geo = _geometry(x.shape, padding)
    c_in, c_out = w.shape[1], w.shape[0]
    xcl = _channels_last_padded(x, geo)
    dout_cl = np.moveaxis(dout.reshape(dout.shape[:2] + geo.s_out), 1, -1)
    dout_cl = np.ascontiguousarray(dout_cl)
    u_t = np.ascontiguousarray(_weight_transform(w, geo).transpose(0, 2, 1))
    du = np.zeros((math.prod(geo.alpha), c_in, c_out), dtype=x.dtype)
    du_slab = np.empty_like(du)
    dxcl = np.zeros_like(xcl)
    strips = _slab_strips(geo, max(c_in, c_out), x.dtype.itemsize)
    v_flat, dv_flat = (_stack_buffer(geo, strips, c_in, x.dtype) for _ in "vd")
    dm_flat = _stack_buffer(geo, strips, c_out, x.dtype)
    buf_in, buf_out = (_tile_buffers(geo, c, x.dtype) for c in (c_in, c_out))

    for s_lo, n_strips in _slabs(geo, len(x), strips):
        # dM = A dY A^T and V = B^T d B for the slab's tiles
        dm = _stack(dm_flat, geo, n_strips, c_out)
        kernels.output_adjoint(dout_cl, geo.alpha, geo.tiles, s_lo, dm, buf_out)
        v = _stack(v_flat, geo, n_strips, c_in)
        kernels.input_transform(xcl, geo.alpha, geo.tiles, s_lo, v, buf_in)

        # weights: dU[xi] += V[xi]^T dM[xi]; input: dV[xi] = dM[xi] U[xi]^T
        du += np.matmul(v.transpose(0, 2, 1), dm, out=du_slab)
        dv = np.matmul(dm, u_t, out=_stack(dv_flat, geo, n_strips, c_in))
        kernels.input_adjoint(dv, geo.alpha, geo.tiles, s_lo, dxcl, buf_in)

    dx = _to_channels_first(dxcl[crop_spatial(geo.padding, geo.s_in)], x.shape[2:])
    return dx, _weight_adjoint(du, geo, w.shape)


def _tile_buffers(geo, channels, dtype):
    """Scratch strips (2, alpha0 * alpha1, E2 * channels) for the kernels."""
    return np.zeros((2, geo.alpha[0] * geo.alpha[1], geo.extent[2] * channels), dtype)
