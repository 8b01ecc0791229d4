"""Shifted-product convolution: stride-1 1D/2D layers with few output channels.

Public names: `shifted_applies`, `shifted_forward`, `shifted_backward`, the
kernel sets `NUMPY_KERNELS` / `NUMBA_KERNELS` (a `ShiftedKernels`), and the
NumPy twins of the kernels, `shift_add_rows` and `gather_rows`.
`reference.ops.conv_forward` / `conv_backward` call this module (through
`reference.ops._fast.dispatch`) for the layers where it is faster.

With the weight reshaped to W_mat[(t, f), c] = w[f, c, u, v], where
t = u * kw + v runs over the K = kh * kw kernel offsets, a stride-1
convolution of one image x[n] (C_in, H, W) is one matrix product on the
image as it is, then a sum of shifted rows::

    Y = W_mat @ x[n].reshape(C_in, H * W)                        (K * C_out, H * W)
    out[n, f, i, j] = sum over (u, v) of Y[(t, f), i + u - p_h, j + v - p_w]

(terms whose position falls outside the image are zero padding and are left
out). The backward runs the same matrix on shifted copies of dout::

    D[(t, f), r, s] = dout[n, f, r - u + p_h, s - v + p_w]       (0 outside)
    dx[n]   = W_mat^T @ D                                         (C_in, H * W)
    dW_mat += D @ x[n]^T                                          (K * C_out, C_in)

Nothing is padded or gathered on the input side: the products read x and
write dx where they are (an image's rows are contiguous), and only Y and D,
K * C_out values per position, are built, against K * C_in for im2col. The
multiply-adds are the direct method's (Winograd does 0.44 of them in 2D), so
this pays where C_out is small beside C_in, such as DenseNet's 128 -> 32 3x3
layers (measurements against Winograd: ``benchmarks/RESULTS.md``).

Images go a slab of rows at a time, so Y or D stays about SLAB_BYTES. Two
threads share the work, each with single-threaded BLAS: the forward by
images (the shifted sums of neighbouring slabs add into the same output
rows), the backward by slabs (each slab writes its own rows of dx; each
thread sums its own dW_mat). A 1D layer runs as a 2D one with one row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from reference._validation import conv_output_size
from reference.ops._fast import kernels_shifted
from reference.ops._fast.threads import share

__all__ = [
    "NUMBA_KERNELS",
    "NUMPY_KERNELS",
    "ShiftedKernels",
    "gather_rows",
    "shift_add_rows",
    "shifted_applies",
    "shifted_backward",
    "shifted_forward",
]

SLAB_BYTES = 1 << 20  # Y or D of one slab stays about this size (L2-sized)
MIN_THREAD_FLOPS = 2e7  # smaller layers run in one thread


def shifted_applies(w_shape: tuple[int, ...], stride: tuple[int, ...]) -> bool:
    """Return True if the shifted-product method can run this layer: 1D/2D, stride 1.

    Examples
    --------
    >>> shifted_applies((32, 128, 3, 3), (1, 1)), shifted_applies((8, 4, 3, 3), (2, 2))
    (True, False)
    """
    return len(w_shape) in (3, 4) and all(s == 1 for s in stride)


# ------------------------------------------------------------- NumPy twins
def _rows(r0, nr, u, pad, n_out):
    """Output rows [lo, hi) that source rows r0 .. r0 + nr - 1 reach at offset u.

    Source row r feeds output row r - u + pad. Returns (lo, hi, first source
    index into the slab); hi <= lo when none is in range.
    """
    lo, hi = max(0, r0 - u + pad), min(n_out, r0 + nr - u + pad)
    return lo, hi, lo - (r0 - u + pad)


def _pairs(kernel, padding, r0, slab_shape, out_shape):
    """Yield (t, slab index, output index) of every offset that reaches the output.

    slab_shape (nr, W) and out_shape (H_out, W_out); for offset t = u * kw + v
    the two index tuples select the same number of rows and columns, with
    slab[:, r, s] lined up against out[:, r0 + r - u + ph, s - v + pw].
    """
    (kh, kw), (ph, pw) = kernel, padding
    for u in range(kh):
        i_lo, i_hi, r_lo = _rows(r0, slab_shape[0], u, ph, out_shape[0])
        for v in range(kw):
            j_lo, j_hi, s_lo = _rows(0, slab_shape[1], v, pw, out_shape[1])
            if i_hi > i_lo and j_hi > j_lo:
                rows, cols = i_hi - i_lo, j_hi - j_lo
                slab = (slice(None), slice(r_lo, r_lo + rows), slice(s_lo, s_lo + cols))
                yield (
                    u * kw + v,
                    slab,
                    (slice(None), slice(i_lo, i_hi), slice(j_lo, j_hi)),
                )


def shift_add_rows(
    y: np.ndarray,
    kernel: tuple[int, int],
    padding: tuple[int, int],
    r0: int,
    out: np.ndarray,
) -> np.ndarray:
    """Add the shifted products of a slab into ``out`` and return it.

    out[f, i, j] += y[u * kw + v, f, i + u - ph - r0, j + v - pw] wherever that
    index lies in ``y``.

    Parameters
    ----------
    y : ndarray of shape (kh * kw, C_out, nr, W)
        W_mat @ x for the image rows r0 .. r0 + nr - 1.
    kernel, padding : tuple of 2 ints
    r0 : int
        The slab's first image row.
    out : ndarray of shape (C_out, H_out, W_out)
        Updated in place.

    Examples
    --------
    >>> y = np.array([[[[1.0, 2.0, 3.0]]], [[[10.0, 20.0, 30.0]]]])  # kernel (1, 2)
    >>> shift_add_rows(y, (1, 2), (0, 0), 0, np.zeros((1, 1, 2)))
    array([[[21., 32.]]])
    """
    for t, slab, dst in _pairs(kernel, padding, r0, y.shape[2:], out.shape[1:]):
        out[dst] += y[t][slab]
    return out


def gather_rows(
    dout: np.ndarray,
    kernel: tuple[int, int],
    padding: tuple[int, int],
    r0: int,
    cols: np.ndarray,
) -> np.ndarray:
    """Fill ``cols`` with shifted copies of dout for one slab and return it.

    cols[u * kw + v, f, r, s] = dout[f, r0 + r - u + ph, s - v + pw], and 0 where
    that index lies outside dout: the adjoint of `shift_add_rows`.

    Parameters
    ----------
    dout : ndarray of shape (C_out, H_out, W_out)
    kernel, padding : tuple of 2 ints
    r0 : int
        The slab's first image row.
    cols : ndarray of shape (kh * kw, C_out, nr, W)
        Overwritten.

    Examples
    --------
    >>> dout = np.array([[[21.0, 32.0]]])
    >>> gather_rows(dout, (1, 2), (0, 0), 0, np.empty((2, 1, 1, 3)))
    array([[[[21., 32.,  0.]]],
    <BLANKLINE>
    <BLANKLINE>
           [[[ 0., 21., 32.]]]])
    """
    cols[...] = 0
    for t, slab, src in _pairs(kernel, padding, r0, cols.shape[2:], dout.shape[1:]):
        cols[t][slab] = dout[src]
    return cols


class ShiftedKernels(NamedTuple):
    """The two kernels `shifted_forward` / `shifted_backward` use.

    ``shift_add(y, kernel, padding, r0, out)`` and ``gather(dout, kernel,
    padding, r0, cols)`` with the semantics of `shift_add_rows` and
    `gather_rows`.
    """

    shift_add: Callable
    gather: Callable


NUMPY_KERNELS = ShiftedKernels(shift_add_rows, gather_rows)
NUMBA_KERNELS = ShiftedKernels(
    lambda y, k, p, r0, out: kernels_shifted.shift_add_rows(y, *k, *p, r0, out),
    lambda d, k, p, r0, cols: kernels_shifted.gather_rows(d, *k, *p, r0, cols),
)


# ------------------------------------------------------------------- drivers
def _as_2d(a, ndim):
    """Return a contiguous 2D-layer array: (..., L) as (..., 1, L) for a 1D layer.

    Contiguous, so that every slab of image rows below is a view.
    """
    a = np.ascontiguousarray(a)
    return a.reshape(a.shape[:-1] + (1, a.shape[-1])) if ndim == 1 else a


def _weight_matrix(w):
    """W_mat[(t, f), c] = w[f, c, u, v] of a 2D weight (C_out, C_in, kh, kw)."""
    c_out, c_in, kh, kw = w.shape
    return np.ascontiguousarray(w.transpose(2, 3, 0, 1).reshape(kh * kw * c_out, c_in))


def _slab_rows(rows, width, height, itemsize) -> int:
    """Image rows per slab: a (rows, nr * width) buffer of about SLAB_BYTES."""
    return max(1, min(height, SLAB_BYTES // (rows * width * itemsize)))


def _flops(x_shape, w_shape) -> int:
    """Flops of one pass of products: 2 * N * H * W * K * C_out * C_in."""
    return 2 * x_shape[0] * math.prod(x_shape[2:]) * math.prod(w_shape)


def shifted_forward(
    x: np.ndarray,
    w: np.ndarray,
    padding: tuple[int, ...],
    kernels: ShiftedKernels = NUMBA_KERNELS,
    workers: int | None = None,
) -> np.ndarray:
    """Convolve x (N, C_in, *S) with w (C_out, C_in, *k), stride 1, 1D or 2D; no bias.

    ``padding`` is a tuple (one int per spatial dim). Validation is the
    caller's (`reference.ops.conv_forward`). ``workers``: threads sharing the
    images (default: as many as BLAS may use, if there is enough work).

    Examples
    --------
    >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    >>> shifted_forward(x, w, (0, 0), NUMPY_KERNELS)
    array([[[[45., 54.],
             [81., 90.]]]])
    """
    ndim = w.ndim - 2
    x2, w2 = _as_2d(x, ndim), _as_2d(w, ndim)
    pad = (0,) * (2 - ndim) + tuple(padding)
    n_img, c_in, height, width = x2.shape
    c_out, kernel = w2.shape[0], w2.shape[2:]
    wm = _weight_matrix(w2)
    s_out = conv_output_size(x2.shape[2:], kernel, (1, 1), pad)
    out = np.zeros((n_img, c_out) + s_out, dtype=x.dtype)
    nr = _slab_rows(len(wm), width, height, x.dtype.itemsize)

    def run(start, stop):
        y_flat = np.empty(len(wm) * nr * width, dtype=x.dtype)
        for n in range(start, stop):
            for r0 in range(0, height, nr):
                rows = min(nr, height - r0)
                x_slab = x2[n, :, r0 : r0 + rows].reshape(c_in, rows * width)
                y = y_flat[: len(wm) * rows * width].reshape(len(wm), -1)
                np.matmul(wm, x_slab, out=y)
                kernels.shift_add(
                    y.reshape(-1, c_out, rows, width), kernel, pad, r0, out[n]
                )

    share(run, n_img, _flops(x.shape, w.shape), MIN_THREAD_FLOPS, workers)
    return out.reshape(out.shape[:2] + s_out[2 - ndim :])


def shifted_backward(
    dout: np.ndarray,
    x: np.ndarray,
    w: np.ndarray,
    padding: tuple[int, ...],
    kernels: ShiftedKernels = NUMBA_KERNELS,
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (dx, dw) of `shifted_forward` for upstream dout (N, C_out, *S_out).

    Examples
    --------
    A 1D layer: each of the three outputs sums two neighbours of x = (0, 1, 2, 3).

    >>> x, w = np.arange(4.0).reshape(1, 1, 4), np.ones((1, 1, 2))
    >>> dx, dw = shifted_backward(np.ones((1, 1, 3)), x, w, (0,), NUMPY_KERNELS)
    >>> dx, dw
    (array([[[1., 2., 2., 1.]]]), array([[[3., 6.]]]))
    """
    ndim = w.ndim - 2
    x2, w2, dout2 = _as_2d(x, ndim), _as_2d(w, ndim), _as_2d(dout, ndim)
    pad = (0,) * (2 - ndim) + tuple(padding)
    n_img, c_in, height, width = x2.shape
    c_out, kernel = w2.shape[0], w2.shape[2:]
    wm_t = _weight_matrix(w2).T
    rows_d = wm_t.shape[1]
    dx = np.empty(x2.shape, dtype=x.dtype)
    nr = _slab_rows(rows_d, width, height, x.dtype.itemsize)
    slabs = [(n, r0) for n in range(n_img) for r0 in range(0, height, nr)]

    def run(start, stop):
        d_flat = np.empty(rows_d * nr * width, dtype=x.dtype)
        dwm = np.zeros((rows_d, c_in), dtype=x.dtype)
        dwm_slab = np.empty_like(dwm)
        for n, r0 in slabs[start:stop]:
            rows = min(nr, height - r0)
            d = d_flat[: rows_d * rows * width].reshape(-1, c_out, rows, width)
            kernels.gather(dout2[n], kernel, pad, r0, d)
            d = d.reshape(rows_d, rows * width)
            np.matmul(wm_t, d, out=dx[n, :, r0 : r0 + rows].reshape(c_in, -1))
            x_slab = x2[n, :, r0 : r0 + rows].reshape(c_in, -1)
            dwm += np.matmul(d, x_slab.T, out=dwm_slab)
        return dwm

    flops = _flops(x.shape, w.shape)
    dwm = sum(share(run, len(slabs), flops, MIN_THREAD_FLOPS, workers))
    dw = dwm.reshape(kernel + (c_out, c_in)).transpose(2, 3, 0, 1)
    return dx.reshape(x.shape), np.ascontiguousarray(dw).reshape(w.shape)
