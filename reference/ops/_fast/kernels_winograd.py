"""Numba kernels for Winograd convolution F(2, 3): the tile transforms and layouts.

Layouts (see `reference.ops._fast.winograd`): images are channels-last and lifted to
three spatial axes, ``(N, E0, E1, E2, C)``; transformed tiles are
``(P, T, C)`` with P = alpha0 * alpha1 * alpha2 transform components (64 for a
3x3x3 kernel, 16 for 3x3) and T tiles of a slab. Tiles are enumerated row-major
over (n, t0, t1, t2); a slab is a run of *strips* s = (n * T0 + t0) * T1 + t1
(the T2 tiles along the last axis), so one slab may span several images.
Each kernel takes the slab as ``span = (s_lo, strips, t_lo)``: strips s_lo ..
s_lo + strips - 1, whose tiles sit at t_lo, t_lo + 1, ... of the (P, T, C) stack
(a stack may hold several slabs).

An axis with ``alpha == 4`` is transformed (kernel 3, two outputs per tile); an
axis with ``alpha == 1`` is passed through (kernel 1, one output per tile), which
is how a 2D convolution runs as a lifted 3D one. Every loop innermost runs over
the C contiguous channels, so LLVM vectorises it whatever the spatial shape.

Tiles are transformed a *strip* at a time: the T2 tiles that share (n, t0,
t1). Along axes 0 and 1 the strip is transformed whole, so each vectorised
loop runs over a full image row (E2 * C values); only the axis-2 pass works
tile by tile, on rows of C channels, reading or writing the (P, T, C) stack.
``buf`` (2, alpha0 * alpha1, E2 * C) holds two scratch strips. An axis whose
alpha is 1 is copied through unchanged.

Each kernel has a NumPy twin of the same name in `reference.ops._fast.winograd`
(same arguments, same results), and the four transforms are pairwise adjoint:
`input_adjoint` is the transpose of `input_transform`, `output_adjoint` of
`output_transform`.
"""

from __future__ import annotations

from reference.ops._fast.jit import njit

__all__ = [
    "channels_first",
    "channels_last",
    "input_adjoint",
    "input_transform",
    "output_adjoint",
    "output_transform",
]


@njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _line(src, si, ss, dst, di, ds, kind):  # pragma: no cover - jitted
    """Dst rows di + j*ds (j = 0..3) = a 4-point transform of src rows si + j*ss.

    ``kind`` 0: v = B^T d, B^T = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]];
    1: d = B v (its transpose), 4: the same added into dst; 2: y = A^T m into
    rows 0, 1, A^T = [[1,1,1,0],[0,1,-1,-1]]; 3: m = A y from rows 0, 1 (its
    transpose). One loop per output row over the C channels: each reads at
    most three rows and writes one, which LLVM vectorises (one loop writing
    all four rows needs too many run-time alias checks and stays scalar,
    several times slower).
    """
    s0, s1, s2, s3 = si, si + ss, si + 2 * ss, si + 3 * ss
    d0, d1, d2, d3 = di, di + ds, di + 2 * ds, di + 3 * ds
    n = src.shape[1]
    if kind == 0:
        for c in range(n):
            dst[d0, c] = src[s0, c] - src[s2, c]
        for c in range(n):
            dst[d1, c] = src[s1, c] + src[s2, c]
        for c in range(n):
            dst[d2, c] = src[s2, c] - src[s1, c]
        for c in range(n):
            dst[d3, c] = src[s1, c] - src[s3, c]
    elif kind == 1:
        for c in range(n):
            dst[d0, c] = src[s0, c]
        for c in range(n):
            dst[d1, c] = src[s1, c] - src[s2, c] + src[s3, c]
        for c in range(n):
            dst[d2, c] = src[s1, c] + src[s2, c] - src[s0, c]
        for c in range(n):
            dst[d3, c] = -src[s3, c]
    elif kind == 4:
        for c in range(n):
            dst[d0, c] += src[s0, c]
        for c in range(n):
            dst[d1, c] += src[s1, c] - src[s2, c] + src[s3, c]
        for c in range(n):
            dst[d2, c] += src[s1, c] + src[s2, c] - src[s0, c]
        for c in range(n):
            dst[d3, c] -= src[s3, c]
    elif kind == 2:
        for c in range(n):
            dst[d0, c] = src[s0, c] + src[s1, c] + src[s2, c]
        for c in range(n):
            dst[d1, c] = src[s1, c] - src[s2, c] - src[s3, c]
    else:
        for c in range(n):
            dst[d0, c] = src[s0, c]
        for c in range(n):
            dst[d1, c] = src[s0, c] + src[s1, c]
        for c in range(n):
            dst[d2, c] = src[s0, c] - src[s1, c]
        for c in range(n):
            dst[d3, c] = -src[s1, c]


@njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _axis(src, si, ss, dst, di, ds, alpha, kind):  # pragma: no cover - jitted
    """Apply `_line` on an axis of alpha 4; else copy (kind 4: add) the one row."""
    if alpha == 4:
        _line(src, si, ss, dst, di, ds, kind)
    elif kind == 4:
        for c in range(src.shape[1]):
            dst[di, c] += src[si, c]
    else:
        for c in range(src.shape[1]):
            dst[di, c] = src[si, c]


@njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _steps(alpha):  # pragma: no cover - jitted
    """Return the outputs per tile on each axis: 2 where alpha is 4, else 1."""
    return (
        2 if alpha[0] == 4 else 1,
        2 if alpha[1] == 4 else 1,
        2 if alpha[2] == 4 else 1,
    )


@njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _strip(strip, alpha, tiles, e0, e1):  # pragma: no cover - jitted
    """(row, o0, o1): strip ``strip`` = (n * T0 + t0) * T1 + t1 of the tiles.

    ``row`` is the strip's first image row in an (N * E0 * E1, .) view.
    """
    m = _steps(alpha)
    r, tb = divmod(strip, tiles[1])
    n, ta = divmod(r, tiles[0])
    return (n * e0 + ta * m[0]) * e1 + tb * m[1], ta * m[0], tb * m[1]


@njit(cache=True, nogil=True, boundscheck=False)
def input_transform(xcl, alpha, tiles, span, out, buf):  # pragma: no cover - jitted
    """out[xi, t_lo + t, :] = (B^T (x) B^T (x) B^T) of tile t of a slab of xcl.

    ``xcl`` (N, E0, E1, E2, C) is padded so that every tile fits; ``span`` is
    (s_lo, strips, t_lo): the slab is the strips s_lo .. s_lo + strips - 1 and
    its tiles go to out[:, t_lo:], out being (P, T, C).
    """
    a0, a1, a2 = alpha
    t2 = tiles[2]
    e0, e1, e2, n_c = xcl.shape[1], xcl.shape[2], xcl.shape[3], xcl.shape[4]
    x_rows = xcl.reshape(xcl.shape[0] * e0 * e1, e2 * n_c)
    s_a, s_b = buf[0], buf[1]
    cells = s_b.reshape(s_b.shape[0] * e2, n_c)
    s_lo, n_strips, t_lo = span
    n_tiles = out.shape[1]
    stack = out.reshape(out.shape[0] * n_tiles, n_c)
    step2 = _steps(alpha)[2]
    for st in range(n_strips):
        row, _, _ = _strip(s_lo + st, alpha, tiles, e0, e1)
        for q1 in range(a1):  # axis 0, whole strip rows
            _axis(x_rows, row + q1, e1, s_a, q1, a1, a0, 0)
        for k0 in range(a0):  # axis 1
            _axis(s_a, k0 * a1, 1, s_b, k0 * a1, 1, a1, 0)
        for te in range(t2):  # axis 2, tile by tile, into the stack
            tile = t_lo + st * t2 + te
            for k01 in range(a0 * a1):
                src = k01 * e2 + te * step2
                _axis(cells, src, 1, stack, k01 * a2 * n_tiles + tile, n_tiles, a2, 0)


@njit(cache=True, nogil=True, boundscheck=False)
def input_adjoint(dv, alpha, tiles, span, dxcl, buf):  # pragma: no cover - jitted
    """dxcl[tile t] += (B (x) B (x) B) dv[:, t_lo + t, :]: `input_transform`^T.

    Neighbouring tiles overlap by two positions on every transformed axis, so
    their contributions add up (in the strip along axis 2, in ``dxcl``
    (N, E0, E1, E2, C) along axes 0 and 1).
    """
    a0, a1, a2 = alpha
    t2 = tiles[2]
    e0, e1, e2, n_c = dxcl.shape[1], dxcl.shape[2], dxcl.shape[3], dxcl.shape[4]
    dx_rows = dxcl.reshape(dxcl.shape[0] * e0 * e1, e2 * n_c)
    s_a, s_b = buf[0], buf[1]
    cells = s_a.reshape(s_a.shape[0] * e2, n_c)
    s_lo, n_strips, t_lo = span
    n_tiles = dv.shape[1]
    stack = dv.reshape(dv.shape[0] * n_tiles, n_c)
    step2 = _steps(alpha)[2]
    for st in range(n_strips):
        s_a[:] = 0.0
        for te in range(t2):  # axis 2: tiles overlap, so add into the strip
            tile = t_lo + st * t2 + te
            for k01 in range(a0 * a1):
                dst = k01 * e2 + te * step2
                _axis(stack, k01 * a2 * n_tiles + tile, n_tiles, cells, dst, 1, a2, 4)
        for k0 in range(a0):  # axis 1
            _axis(s_a, k0 * a1, 1, s_b, k0 * a1, 1, a1, 1)
        row, _, _ = _strip(s_lo + st, alpha, tiles, e0, e1)
        for q1 in range(a1):  # axis 0, added into the image
            _axis(s_b, q1, a1, dx_rows, row + q1, e1, a0, 4)


@njit(cache=True, nogil=True, boundscheck=False)
def output_transform(mm, alpha, tiles, span, out, buf):  # pragma: no cover - jitted
    """out[tile t] = (A^T (x) A^T (x) A^T) mm[:, t_lo + t, :], cropped to out.

    ``out`` (N, S0, S1, S2, C) is the channels-last output; positions of the
    last tiles that fall beyond S are dropped.
    """
    a0, a1, a2 = alpha
    t2 = tiles[2]
    m = _steps(alpha)
    s0, s1, s2, n_c = out.shape[1], out.shape[2], out.shape[3], out.shape[4]
    out_rows = out.reshape(out.shape[0] * s0 * s1, s2 * n_c)
    s_a, s_b = buf[0], buf[1]
    pitch = s_a.shape[1] // n_c
    cells = s_a.reshape(s_a.shape[0] * pitch, n_c)
    s_lo, n_strips, t_lo = span
    n_tiles = mm.shape[1]
    stack = mm.reshape(mm.shape[0] * n_tiles, n_c)
    for st in range(n_strips):
        for te in range(t2):  # axis 2, tile by tile, from the stack
            tile = t_lo + st * t2 + te
            for k01 in range(a0 * a1):
                src = k01 * a2 * n_tiles + tile
                _axis(stack, src, n_tiles, cells, k01 * pitch + te * m[2], 1, a2, 2)
        for k0 in range(a0):  # axis 1
            _axis(s_a, k0 * a1, 1, s_b, k0 * a1, 1, a1, 2)
        for q1 in range(m[1]):  # axis 0
            _axis(s_b, q1, a1, s_a, q1, a1, a0, 2)
        row, o0, o1 = _strip(s_lo + st, alpha, tiles, s0, s1)
        for q0 in range(min(m[0], s0 - o0)):  # the part inside out
            for q1 in range(min(m[1], s1 - o1)):
                dst = out_rows[row + q0 * s1 + q1]
                src = s_a[q0 * a1 + q1]
                for j in range(s2 * n_c):
                    dst[j] = src[j]


@njit(cache=True, nogil=True, boundscheck=False)
def output_adjoint(dout, alpha, tiles, span, dm, buf):  # pragma: no cover - jitted
    """dm[:, t_lo + t, :] = (A (x) A (x) A) dout[tile t]: `output_transform`^T.

    Positions beyond dout's extent (N, S0, S1, S2, C) count as zeros.
    """
    a0, a1, a2 = alpha
    t2 = tiles[2]
    m = _steps(alpha)
    s0, s1, s2, n_c = dout.shape[1], dout.shape[2], dout.shape[3], dout.shape[4]
    d_rows = dout.reshape(dout.shape[0] * s0 * s1, s2 * n_c)
    s_a, s_b = buf[0], buf[1]
    pitch = s_a.shape[1] // n_c
    s_a.reshape(s_a.shape[0] * pitch, n_c)
    s_lo, n_strips, t_lo = span
    n_tiles = dm.shape[1]
    stack = dm.reshape(dm.shape[0] * n_tiles, n_c)
    for st in range(n_strips):
        row, o0, o1 = _strip(s_lo + st, alpha, tiles, s0, s1)
        s_b[:] = 0.0
        for q0 in range(min(m[0], s0 - o0)):  # the part inside dout
            for q1 in range(min(m[1], s1 - o1)):
                dst = s_b[q0 * a1 + q1]
                src = d_rows[row + q0 * s1 + q1]
                for j in range(s2 * n_c):
                    dst[j] = src[j]
        for q1 in range(m[1]):  # axis 0
            _axis(s_b, q1, a1, s_a, q1, a1, a0, 3)
        for k0 in range(a0):  # axis 1
            _axis(s_a, k0 * a1, 1, s_b, k0 * a1, 1, a1, 3)
        cells_b = s_b.reshape(s_b.shape[0] * pitch, n_c)
        for te in range(t2):  # axis 2, tile by tile, into the stack
            tile = t_lo + st * t2 + te
            for k01 in range(a0 * a1):
                dst = k01 * a2 * n_tiles + tile
                _axis(cells_b, k01 * pitch + te * m[2], 1, stack, dst, n_tiles, a2, 3)


@njit(cache=True, nogil=True, boundscheck=False)
def channels_last(src, dst):  # pragma: no cover - jitted
    """dst[n, i, j, k, c] = src[n, c, i, j, k]; 5D arrays, any strides.

    A blocked transpose: per plane i, 16 channels at a time, so the 16 source
    rows being read stay in L1 while the destination is written 64 bytes at a
    time (NumPy's strided copy misses the cache on every element; timings in
    ``benchmarks/RESULTS.md``).
    """
    n_img, n_c, s0, s1, s2 = src.shape
    for n in range(n_img):
        for i in range(s0):
            for c0 in range(0, n_c, 16):
                c1 = min(c0 + 16, n_c)
                for j in range(s1):
                    for k in range(s2):
                        for c in range(c0, c1):
                            dst[n, i, j, k, c] = src[n, c, i, j, k]


@njit(cache=True, nogil=True, boundscheck=False)
def channels_first(src, dst):  # pragma: no cover - jitted
    """dst[n, c, i, j, k] = src[n, i, j, k, c]; the inverse of `channels_last`."""
    n_img, s0, s1, s2, n_c = src.shape
    for n in range(n_img):
        for i in range(s0):
            for c0 in range(0, n_c, 16):
                c1 = min(c0 + 16, n_c)
                for c in range(c0, c1):
                    for j in range(s1):
                        for k in range(s2):
                            dst[n, c, i, j, k] = src[n, i, j, k, c]
