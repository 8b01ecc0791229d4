"""Numba kernels for the shifted-product convolution: shifted sum and gather.

Layouts (see `reference.ops._fast.shifted`): one image at a time, channels first;
a *slab* holds the image rows r0 .. r0 + nr - 1. ``y`` and ``cols`` are
``(K, C_out, nr, W)`` with K = kh * kw kernel offsets t = u * kw + v; ``out``
and ``dout`` are ``(C_out, H_out, W_out)``. Innermost loops run along image
rows, so LLVM vectorises them. Each kernel has a NumPy twin of the same name
in `reference.ops._fast.shifted`, and the two are adjoint: `gather_rows` is
the transpose of `shift_add_rows`.
"""

from __future__ import annotations

from reference.ops._fast.jit import njit

__all__ = ["gather_rows", "shift_add_rows"]


@njit(cache=True, nogil=True, boundscheck=False)
def shift_add_rows(y, kh, kw, ph, pw, r0, out):  # pragma: no cover - jitted
    """Add out[f, i, j] += y[u * kw + v, f, i + u - ph - r0, j + v - pw] where in range.

    Each output row is read and written once per slab, however many offsets
    add into it.
    """
    channels, nr, width = y.shape[1], y.shape[2], y.shape[3]
    h_out, w_out = out.shape[1], out.shape[2]
    i_lo, i_hi = max(0, r0 + ph - kh + 1), min(h_out, r0 + nr + ph)
    for f in range(channels):
        for i in range(i_lo, i_hi):
            row = out[f, i]
            for u in range(kh):
                r = i + u - ph - r0
                if r < 0 or r >= nr:
                    continue
                for v in range(kw):
                    src = y[u * kw + v, f, r]
                    shift = v - pw
                    for j in range(max(0, -shift), min(w_out, width - shift)):
                        row[j] += src[j + shift]


@njit(cache=True, nogil=True, boundscheck=False)
def gather_rows(dout, kh, kw, ph, pw, r0, cols):  # pragma: no cover - jitted
    """Fill cols[u * kw + v, f, r, s] = dout[f, r0 + r - u + ph, s - v + pw] (or 0)."""
    channels, nr, width = cols.shape[1], cols.shape[2], cols.shape[3]
    h_out, w_out = dout.shape[1], dout.shape[2]
    for u in range(kh):
        for v in range(kw):
            shift = pw - v
            lo, hi = max(0, -shift), max(0, min(width, w_out - shift))
            for f in range(channels):
                for r in range(nr):
                    dst = cols[u * kw + v, f, r]
                    i = r0 + r - u + ph
                    if i < 0 or i >= h_out:
                        dst[:] = 0
                        continue
                    src = dout[f, i]
                    dst[:lo] = 0
                    for s in range(lo, hi):
                        dst[s] = src[s + shift]
                    dst[max(lo, hi) :] = 0
