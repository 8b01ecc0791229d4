"""Numba loop kernels for max pooling and upsampling, with NumPy twins.

Every kernel works on a canonical layout: feature maps ``(B, D, H, W)`` with
``B = N * C``; 1D and 2D inputs get leading spatial axes of size 1 (kernel 1,
stride 1, padding 0 there), so one loop nest serves 1, 2 and 3 spatial dims.
Kernels take only arrays and integers, write into output buffers the caller
allocates, and never validate (`reference.ops.pooling` and
`reference.ops.resample` do).

Max pooling: window cells are numbered in row-major order,
``idx = (u * KH + v) * KW + t`` for the offset (u, v, t) inside the window;
``argmax`` stores that number.
Padded cells never win; among equal maxima the first in this order wins; a
NaN beats everything (so NaN propagates, as in PyTorch).

The kernels do not use Numba's ``parallel=True``: it picks the GNU OpenMP
threading layer here, which kills any process forked after a parallel kernel
ran ("fork() called from a process already using GNU OpenMP"), and the
autograder forks its workers. They release the GIL instead (``nogil``), and
`reference.ops.pooling` runs large inputs as two runs of maps in two Python
threads that end before it returns.

Each ``@njit`` kernel has a ``*_numpy`` twin with the same signature (strided
views, a Python loop over the KD * KH * KW window offsets only); tests compare
the two, and the callers use the twins when ``NUMBA_DISABLE_JIT=1``.
"""

from __future__ import annotations

import numpy as np

from reference.ops._fast.jit import JIT_ENABLED, njit

__all__ = [
    "jit_enabled",
    "max_pool_backward_3d",
    "max_pool_backward_3d_numpy",
    "max_pool_forward_3d",
    "max_pool_forward_3d_numpy",
    "upsample_backward_3d",
    "upsample_backward_3d_numpy",
    "upsample_forward_3d",
    "upsample_forward_3d_numpy",
]


def jit_enabled() -> bool:
    """Return True unless Numba's JIT is disabled (``NUMBA_DISABLE_JIT=1``)."""
    return JIT_ENABLED


@njit(cache=True, inline="always")
def _window_max(x, m, z0, y0, x0, u_lo, u_hi, v_lo, v_hi, t_lo, t_hi, kh, kw):
    """Return (max, cell number) over the real cells of one window of map m."""
    # scan in row-major order; strict > keeps the first maximum
    best = x[m, z0 + u_lo, y0 + v_lo, x0 + t_lo]
    best_idx = (u_lo * kh + v_lo) * kw + t_lo
    has_nan = False  # or-ed without a branch: keeps the scan fast
    for u in range(u_lo, u_hi):
        for v in range(v_lo, v_hi):
            for t in range(t_lo, t_hi):
                value = x[m, z0 + u, y0 + v, x0 + t]
                has_nan |= value != value
                if value > best:
                    best, best_idx = value, (u * kh + v) * kw + t

    # rare path: the last NaN wins, so NaN propagates (PyTorch's rule too)
    if has_nan:
        for u in range(u_lo, u_hi):
            for v in range(v_lo, v_hi):
                for t in range(t_lo, t_hi):
                    value = x[m, z0 + u, y0 + v, x0 + t]
                    if value != value:
                        best, best_idx = value, (u * kh + v) * kw + t
    return best, best_idx


@njit(cache=True, nogil=True)
def max_pool_forward_3d(x, kd, kh, kw, sd, sh, sw, pd, ph, pw, out, argmax):
    """Fill ``out`` and ``argmax`` (B, D_out, H_out, W_out) with window maxima of x."""
    n_maps, depth, height, width = x.shape
    _, d_out, h_out, w_out = out.shape
    for m in range(n_maps):
        for i in range(d_out):
            # clip the window to the real (unpadded) cells along each axis
            z0 = i * sd - pd
            u_lo, u_hi = max(0, -z0), min(kd, depth - z0)
            for j in range(h_out):
                y0 = j * sh - ph
                v_lo, v_hi = max(0, -y0), min(kh, height - y0)
                for k in range(w_out):
                    x0 = k * sw - pw
                    t_lo, t_hi = max(0, -x0), min(kw, width - x0)
                    out[m, i, j, k], argmax[m, i, j, k] = _window_max(
                        x, m, z0, y0, x0, u_lo, u_hi, v_lo, v_hi, t_lo, t_hi, kh, kw
                    )


@njit(cache=True, nogil=True)
def max_pool_backward_3d(dout, argmax, kd, kh, kw, sd, sh, sw, pd, ph, pw, dx):
    """Scatter-add ``dout`` into the zero-filled ``dx`` (B, D, H, W) at each argmax."""
    n_maps, depth, height, width = dx.shape
    _, d_out, h_out, w_out = dout.shape
    for m in range(n_maps):
        for i in range(d_out):
            for j in range(h_out):
                for k in range(w_out):
                    # decode the window cell number into offsets (u, v, t)
                    idx = int(argmax[m, i, j, k])  # uint8 -> int: no wrap-around
                    u = idx // (kh * kw)
                    v = (idx // kw) % kh
                    t = idx % kw
                    z, y, x = i * sd - pd + u, j * sh - ph + v, k * sw - pw + t
                    # a padded cell can only hold the max if x itself had -inf there
                    if 0 <= z < depth and 0 <= y < height and 0 <= x < width:
                        dx[m, z, y, x] += dout[m, i, j, k]


@njit(cache=True, nogil=True)
def upsample_forward_3d(x, fd, fh, fw, out):
    """Set out[m, z, y, k] = x[m, z//fd, y//fh, k//fw]."""
    n_maps, depth, height, width = x.shape
    for m in range(n_maps):
        for z in range(depth * fd):
            for y in range(height * fh):
                # one output row from one input row, each value repeated fw times
                src, dst = x[m, z // fd, y // fh], out[m, z, y]
                for k in range(width):
                    value = src[k]
                    for t in range(fw):
                        dst[k * fw + t] = value


@njit(cache=True, nogil=True)
def upsample_backward_3d(dout, fd, fh, fw, dx):
    """Add each (fd, fh, fw) block of ``dout`` into its cell of ``dx`` (B, D, H, W)."""
    n_maps, depth, height, width = dx.shape
    for m in range(n_maps):
        for z in range(depth * fd):
            for y in range(height * fh):
                # one dout row adds into one dx row, fw neighbours per cell
                src, dst = dout[m, z, y], dx[m, z // fd, y // fh]
                for k in range(width):
                    total = dst[k]
                    for t in range(fw):
                        total += src[k * fw + t]
                    dst[k] = total


def _window(a, offset, stride, out_spatial):
    """Return the strided view a[:, o0 + s0*i, o1 + s1*j, o2 + s2*k] (all i, j, k)."""
    index = tuple(
        slice(o, o + s * (n - 1) + 1, s)
        for o, s, n in zip(offset, stride, out_spatial, strict=True)
    )
    return a[(slice(None), *index)]


def _padded_shape(shape, padding):
    return (shape[0], *(n + 2 * p for n, p in zip(shape[1:], padding, strict=True)))


def _interior(padding, spatial):
    pairs = zip(padding, spatial, strict=True)
    return (slice(None), *(slice(p, p + n) for p, n in pairs))


def max_pool_forward_3d_numpy(
    x: np.ndarray,
    kd: int,
    kh: int,
    kw: int,
    sd: int,
    sh: int,
    sw: int,
    pd: int,
    ph: int,
    pw: int,
    out: np.ndarray,
    argmax: np.ndarray,
) -> None:
    """NumPy twin of `max_pool_forward_3d` (same arguments, same results)."""
    stride, padding = (sd, sh, sw), (pd, ph, pw)

    # pad with -inf so that padded cells never win
    x_pad = np.full(_padded_shape(x.shape, padding), -np.inf, dtype=x.dtype)
    x_pad[_interior(padding, x.shape[1:])] = x

    # running maximum over the window offsets in row-major order (strict >)
    offsets = list(np.ndindex(kd, kh, kw))
    out[...] = _window(x_pad, offsets[0], stride, out.shape[1:])
    argmax[...] = 0
    for idx, offset in enumerate(offsets[1:], start=1):
        window = _window(x_pad, offset, stride, out.shape[1:])
        better = window > out
        better |= np.isnan(window)
        np.copyto(out, window, where=better)
        argmax[better] = idx


def max_pool_backward_3d_numpy(
    dout: np.ndarray,
    argmax: np.ndarray,
    kd: int,
    kh: int,
    kw: int,
    sd: int,
    sh: int,
    sw: int,
    pd: int,
    ph: int,
    pw: int,
    dx: np.ndarray,
) -> None:
    """NumPy twin of `max_pool_backward_3d` (adds into ``dx`` like the kernel)."""
    stride, padding = (sd, sh, sw), (pd, ph, pw)
    dx_pad = np.zeros(_padded_shape(dx.shape, padding), dtype=dx.dtype)

    # each window offset writes every padded cell at most once: a strided add
    for idx, offset in enumerate(np.ndindex(kd, kh, kw)):
        window = _window(dx_pad, offset, stride, dout.shape[1:])
        window += np.where(argmax == idx, dout, 0)

    # drop the padding
    dx += dx_pad[_interior(padding, dx.shape[1:])]


def upsample_forward_3d_numpy(
    x: np.ndarray, fd: int, fh: int, fw: int, out: np.ndarray
) -> None:
    """NumPy twin of `upsample_forward_3d`: one np.repeat per spatial axis."""
    for axis, factor in ((1, fd), (2, fh), (3, fw)):
        if factor > 1:
            x = np.repeat(x, factor, axis=axis)
    out[...] = x


def upsample_backward_3d_numpy(
    dout: np.ndarray, fd: int, fh: int, fw: int, dx: np.ndarray
) -> None:
    """NumPy twin of `upsample_backward_3d`: a sum of fd * fh * fw strided views."""
    for u, v, t in np.ndindex(fd, fh, fw):
        dx += dout[:, u::fd, v::fh, t::fw]
