"""Private Numba kernels for convolution: im2col gather, col2im scatter, shifted add.

Each kernel works on one image in canonical 3D form (1D and 2D inputs are
lifted to 3D with singleton axes by the caller) and has a pure-NumPy twin of
the same name without the ``_3d`` suffix in `reference.ops.im2col`, which the
tests compare against. The kernels write into caller-owned buffers, allocate
nothing, and run unchanged (slowly, as plain Python) under ``NUMBA_DISABLE_JIT=1``.

Loops are ordered channel-outermost so that the part of the image a channel
touches stays in cache while the kernel offsets sweep over it, and each source
row is read once for all offsets along the last axis (3-4x faster than one pass
per offset on short rows, measured). When the last kernel axis is trivial
(kw == 1, rows kept whole), a plane moves as one contiguous run instead
(`_im2col_planes`, `_shift_add_planes`): 1.5-4x faster on the 4-8 long rows of
thin volumes, measured. Compiled with ``cache=True``;
``parallel=True`` was measured and did not pay on two cores shared with the
BLAS threads (and collapsed under load).
"""

from __future__ import annotations

try:
    from numba import config, njit

    JIT_ENABLED = not config.DISABLE_JIT
except ImportError:  # pragma: no cover - numba is a runtime dependency
    JIT_ENABLED = False

    def njit(*args, **kwargs):
        """Return the function unchanged (stand-in when numba is missing)."""
        if args and callable(args[0]):
            return args[0]
        return lambda func: func


__all__: list[str] = []  # private module; im2col.py wraps these kernels


@njit(cache=True, nogil=True, boundscheck=False)
def _im2col_3d(xp, kd, kh, kw, sd, sh, sw, e0, out):  # pragma: no cover - jitted
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
def _col2im_3d(cols, kd, kh, kw, sd, sh, sw, e0, dst):  # pragma: no cover - jitted
    """Scatter-add dst[c, (e0 + z)*sd + u, y*sh + v, i*sw + t] += cols[g, c, z, y, i].

    The adjoint of `_im2col_3d`: overlapping windows add up. One pass per
    kernel offset here (fusing the offsets, as the gather does, measured slower).
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
def _shift_add_3d(y, kd, kh, kw, e0, out):  # pragma: no cover - jitted
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
    """`_shift_add_3d` when the last axis is not shifted (kw == 1).

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
    """`_im2col_3d` when the gather keeps whole rows (kw == 1, sh == 1, E2 = W_pad).

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
