"""Winograd convolution F(2, 3): stride-1 3x3 and 3x3x3 layers with fewer products.

Public names: `winograd_applies`, `winograd_forward`, `winograd_backward`, the
kernel sets `NUMPY_KERNELS` / `NUMBA_KERNELS`, and the NumPy twins of the tile
transforms (`input_transform`, `input_adjoint`, `output_transform`,
`output_adjoint`). `reference.ops.conv_forward` / `conv_backward` call this
module (through `reference.ops._fast.dispatch`) for the layers where it is
faster.

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
transformed (alpha = 1). The layout changes are compiled blocked transposes
(NumPy's strided copy is much slower on large volumes).

Tiles are processed in slabs of tile rows, so the transformed buffers stay a
few MiB however large the volume: about SLAB_BYTES (1 MiB, L2-sized) but at
least MIN_TILES tiles, since every slab multiplies by all of U. The backward
sums dU over groups of slabs (GROUP_TILES tiles or more): adding a wide
layer's dU after every small slab cost more than the products. Two threads
share the slabs, each with single-threaded BLAS (the per-component products
are too small for BLAS to split well). The backward's input tiles overlap, so
the threads' runs of strips keep a gap, done after them (`_partition`).

The backward recomputes the padded channels-last input and U rather than
taking them from the forward: keeping them would add about 1.3x each 3x3
conv input to a model's cached activations (the course U-Net's figure is in
``benchmarks/RESULTS.md``), while recomputing costs a transpose and a small
product per layer.

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

from reference._validation import conv_output_size
from reference.ops._fast import kernels_winograd
from reference.ops._fast.threads import run_threads, thread_count
from reference.ops.padding import crop_spatial

__all__ = [
    "NUMBA_KERNELS",
    "NUMPY_KERNELS",
    "WinogradKernels",
    "channels_first",
    "channels_last",
    "input_adjoint",
    "input_transform",
    "output_adjoint",
    "output_transform",
    "winograd_applies",
    "winograd_backward",
    "winograd_forward",
]

SLAB_BYTES = 1 << 20  # each transformed buffer of a slab stays under this
MIN_TILES = 64  # ... but a slab has at least this many tiles
GROUP_TILES = 128  # the backward's dU products run over groups of this many tiles
MIN_THREAD_FLOPS = 1e8  # smaller layers run in one thread

_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], float)
_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], float)
_ONE = np.ones((1, 1))


def winograd_applies(w_shape: tuple[int, ...], stride: tuple[int, ...]) -> bool:
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
    s_out = conv_output_size(s_in, kernel, (1, 1, 1), padding)
    m = tuple(a - 2 if a == 4 else 1 for a in alpha)
    tiles = tuple(-(-s // k) for s, k in zip(s_out, m, strict=False))
    extent = tuple(k * t + a - k for k, t, a in zip(m, tiles, alpha, strict=False))
    return _Geometry(alpha, padding, s_in, s_out, tiles, extent)


def _channels_last_padded(x, geo, kernels) -> np.ndarray:
    """X (N, C, *S) -> zero-padded channels-last (N, E0, E1, E2, C)."""
    xcl = np.zeros((len(x),) + geo.extent + (x.shape[1],), dtype=x.dtype)
    x3 = x.reshape(x.shape[:2] + geo.s_in)
    kernels.channels_last(x3, xcl[crop_spatial(geo.padding, geo.s_in)])
    return xcl


def _weight_transform(w, geo):
    """U[xi] = (G (x) G (x) G) w as (P, C_in, C_out), in w's dtype.

    One small matrix product per transformed axis (an einsum over all three
    axes at once was several times slower, see ``benchmarks/RESULTS.md``).
    """
    kernel = tuple(3 if a == 4 else 1 for a in geo.alpha)
    u = w.reshape(w.shape[:2] + kernel).transpose(2, 3, 4, 1, 0)  # (k0, k1, k2, x, o)
    u = _per_axis(u, _G.astype(w.dtype), geo.alpha)
    return np.ascontiguousarray(u.reshape(-1, w.shape[1], w.shape[0]))


def _weight_adjoint(du, geo, w_shape):
    """Dw = (G^T (x) G^T (x) G^T) dU, back to w's shape (C_out, C_in, *kernel)."""
    du5 = du.reshape(geo.alpha + du.shape[1:])  # (a0, a1, a2, x, o)
    d = _per_axis(du5, _G.T.astype(du.dtype), geo.alpha)
    return np.ascontiguousarray(d.transpose(4, 3, 0, 1, 2)).reshape(w_shape)


def _per_axis(a, matrix, alpha):
    """Multiply axis k of ``a`` (the first three) by ``matrix`` where alpha[k] is 4."""
    for axis, size in enumerate(alpha):
        if size == 4:
            a = np.moveaxis(np.tensordot(matrix, a, axes=(1, axis)), 0, axis)
    return a


def _slab_strips(geo, channels, itemsize, total) -> int:
    """Return the strips per slab: as many as fit SLAB_BYTES, and MIN_TILES tiles.

    Every slab multiplies by all of U (P * C_in * C_out values), so a slab
    needs enough tiles to reuse it (T / 2 flops per byte of U). Small layers
    get at most 1/16 of their ``total`` strips per slab, so the buffers stay
    small next to their images.
    """
    per_strip = math.prod(geo.alpha) * geo.tiles[2] * channels * itemsize
    wanted = max(SLAB_BYTES // per_strip, -(-MIN_TILES // geo.tiles[2]))
    return max(1, min(wanted, total // 16))


def _group_strips(geo, strips) -> int:
    """Return the strips per dU group: a multiple of ``strips``, >= GROUP_TILES tiles.

    Each group adds its dU (P * C_in * C_out values) into the sum once, so a
    group needs enough tiles to amortise that (as a slab does for U).
    """
    return strips * max(1, -(-GROUP_TILES // (strips * geo.tiles[2])))


# ------------------------------------------- NumPy twins of the tile kernels
def input_transform(
    xcl: np.ndarray,
    alpha: tuple[int, int, int],
    tiles: tuple[int, int, int],
    span: tuple[int, int, int],
    out: np.ndarray,
    buf: np.ndarray | None = None,
) -> np.ndarray:
    """NumPy twin of the Numba kernel: out[xi, t_lo + t] = (B^T (x) B^T (x) B^T) tile t.

    Parameters
    ----------
    xcl : ndarray of shape (N, E0, E1, E2, C)
        Zero-padded channels-last images; every tile fits.
    alpha, tiles : tuple of 3 ints
        Tile size (4 or 1) and number of tiles per axis.
    span : tuple of 3 ints
        (s_lo, R, t_lo): the slab is the R strips from s_lo on (strip
        (n * T0 + t0) * T1 + t1 holds the T2 tiles along the last axis); its
        tiles go to out[:, t_lo : t_lo + R * T2].
    out : ndarray of shape (P, T, C)
        Filled for the slab's tiles and returned.
    buf : ignored
        Scratch of the compiled kernel; kept for the same signature.

    Examples
    --------
    >>> xcl = np.arange(4.0).reshape(1, 1, 1, 4, 1)  # one row d = 0, 1, 2, 3
    >>> out = input_transform(xcl, (1, 1, 4), (1, 1, 1), (0, 1, 0), np.empty((4, 1, 1)))
    >>> out[:, 0, 0]
    array([-2.,  3.,  1., -2.])
    """
    return _tile_map(xcl, alpha, tiles, span, out, _BT, gather=True)


def output_transform(
    m: np.ndarray,
    alpha: tuple[int, int, int],
    tiles: tuple[int, int, int],
    span: tuple[int, int, int],
    out: np.ndarray,
    buf: np.ndarray | None = None,
) -> np.ndarray:
    """NumPy twin: out[tile t] = (A^T (x) A^T (x) A^T) m[:, t_lo + t], cropped to out.

    ``m`` is (P, T, C) and ``span`` as in `input_transform`; ``out``
    (N, S0, S1, S2, C) is written where the slab's tiles lie inside it, and
    returned.

    Examples
    --------
    >>> m = np.array([1.0, 2.0, 3.0, 4.0]).reshape(4, 1, 1)
    >>> out = np.zeros((1, 1, 1, 2, 1))
    >>> out = output_transform(m, (1, 1, 4), (1, 1, 1), (0, 1, 0), out)
    >>> out[0, 0, 0, :, 0]
    array([ 6., -5.])
    """
    return _tile_map(m, alpha, tiles, span, out, _AT, gather=False)


def input_adjoint(
    dv: np.ndarray,
    alpha: tuple[int, int, int],
    tiles: tuple[int, int, int],
    span: tuple[int, int, int],
    dxcl: np.ndarray,
    buf: np.ndarray | None = None,
) -> np.ndarray:
    """`input_transform`^T in NumPy: dxcl[tile t] += (B (x) B (x) B) dv[:, t_lo + t].

    Examples
    --------
    >>> dv = np.array([1.0, 0.0, 0.0, 0.0]).reshape(4, 1, 1)
    >>> dx = np.zeros((1, 1, 1, 4, 1))
    >>> dx = input_adjoint(dv, (1, 1, 4), (1, 1, 1), (0, 1, 0), dx)
    >>> dx[0, 0, 0, :, 0]
    array([ 1.,  0., -1.,  0.])
    """
    return _tile_map(dv, alpha, tiles, span, dxcl, _BT.T, gather=False, add=True)


def output_adjoint(
    dout: np.ndarray,
    alpha: tuple[int, int, int],
    tiles: tuple[int, int, int],
    span: tuple[int, int, int],
    dm: np.ndarray,
    buf: np.ndarray | None = None,
) -> np.ndarray:
    """`output_transform`^T in NumPy: dm[:, t_lo + t] = (A (x) A (x) A) dout[tile t].

    Examples
    --------
    >>> dout = np.array([1.0, 2.0]).reshape(1, 1, 1, 2, 1)
    >>> dm = output_adjoint(dout, (1, 1, 4), (1, 1, 1), (0, 1, 0), np.empty((4, 1, 1)))
    >>> dm[:, 0, 0]
    array([ 1.,  3., -1., -2.])
    """
    return _tile_map(dout, alpha, tiles, span, dm, _AT.T, gather=True)


def _tile_map(src, alpha, tiles, span, dst, matrix, gather, add=False):
    """Shared body of the twins: move tiles between images and (P, T, C) stacks.

    Per axis, ``matrix`` (4-row or 4-column; [[1]] on pass-through axes) maps a
    tile's cells. ``gather``: read image cells (zeros beyond the image), map,
    write the stack. Otherwise: map the stack's cells, then write them into
    the image (accumulate with ``add``), dropping cells beyond the image.
    The stack holds the strips s_lo, s_lo + 1, ... (T2 tiles each) from tile
    t_lo on, ``span`` being (s_lo, strips, t_lo).
    """
    s_lo, n_strips, t_lo = span
    mats = [matrix if a == 4 else _ONE for a in alpha]
    m = tuple(2 if a == 4 else 1 for a in alpha)
    t2 = tiles[2]
    cells_in = tuple(a.shape[1] for a in mats)
    for st in range(n_strips):
        r, t1 = divmod(s_lo + st, tiles[1])
        n, t0 = divmod(r, tiles[0])
        origin = (t0 * m[0], t1 * m[1])
        cols = slice(t_lo + st * t2, t_lo + (st + 1) * t2)
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
    """The tile transforms, (src, alpha, tiles, span, dst, buf), and layout copies."""

    input_transform: Callable
    input_adjoint: Callable
    output_transform: Callable
    output_adjoint: Callable
    channels_last: Callable  # (src (N, C, *S3), dst (N, *S3, C))
    channels_first: Callable  # (src (N, *S3, C), dst (N, C, *S3))


def channels_last(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """NumPy twin of the layout kernel: dst[n, i, j, k, c] = src[n, c, i, j, k]."""
    dst[...] = np.moveaxis(src, 1, -1)
    return dst


def channels_first(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """NumPy twin of the layout kernel: dst[n, c, i, j, k] = src[n, i, j, k, c]."""
    dst[...] = np.moveaxis(src, -1, 1)
    return dst


NUMPY_KERNELS = WinogradKernels(
    input_transform,
    input_adjoint,
    output_transform,
    output_adjoint,
    channels_last,
    channels_first,
)
NUMBA_KERNELS = WinogradKernels(
    kernels_winograd.input_transform,
    kernels_winograd.input_adjoint,
    kernels_winograd.output_transform,
    kernels_winograd.output_adjoint,
    kernels_winograd.channels_last,
    kernels_winograd.channels_first,
)


# ------------------------------------------------------------- threads
def _partition(total, workers, gap):
    """Split strips [0, total) into runs for ``workers`` threads, and the gaps.

    Consecutive runs start ``gap`` strips apart, so that no tile of one run
    touches the cells of a tile of another (input tiles overlap their
    neighbours, and their dx contributions add); the gaps are processed after
    the runs. Returns (runs, gaps), lists of (start, stop); one run when the
    strips are too few to share.

    Examples
    --------
    >>> _partition(100, 2, 11)
    ([(0, 50), (61, 100)], [(50, 61)])
    >>> _partition(20, 2, 11)
    ([(0, 20)], [])
    """
    if workers < 2 or total // workers <= 2 * gap:
        return [(0, total)], []
    bounds = [total * k // workers for k in range(workers + 1)]
    runs = [(0, bounds[1])] + [
        (b + gap, e) for b, e in zip(bounds[1:-1], bounds[2:], strict=True)
    ]
    gaps = [(b, b + gap) for b in bounds[1:-1] if gap]
    return runs, gaps


def _worker_count(workers, total, strips, flops) -> int:
    """Threads for ``total`` strips in slabs of ``strips``: at least four slabs each.

    By default (``workers`` None) as many as BLAS may use, but one for layers
    of fewer than MIN_THREAD_FLOPS product flops, where starting threads and
    sharing the GIL cost more than they save (``benchmarks/RESULTS.md``,
    "Winograd threads").
    """
    return thread_count(total // (4 * strips), flops, MIN_THREAD_FLOPS, workers)


# ------------------------------------------------------------------- drivers
def _slabs(start, stop, strips):
    """Yield (first strip, strips) of each slab of ``strips`` in [start, stop)."""
    for s_lo in range(start, stop, strips):
        yield s_lo, min(strips, stop - s_lo)


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


def _product_flops(geo, x, w) -> int:
    """Return the flops of one pass of products: 2 * P * tiles * C_in * C_out."""
    tiles = _total_strips(geo, len(x)) * geo.tiles[2]
    return 2 * math.prod(geo.alpha) * tiles * w.shape[0] * w.shape[1]


def _total_strips(geo, n_images) -> int:
    """Return the strips (rows of T2 tiles) over all images: N * T0 * T1."""
    return n_images * geo.tiles[0] * geo.tiles[1]


def winograd_forward(
    x: np.ndarray,
    w: np.ndarray,
    padding: tuple[int, ...],
    kernels: WinogradKernels = NUMBA_KERNELS,
    workers: int | None = None,
) -> np.ndarray:
    """Convolve x (N, C_in, *S) with 3x3(x3) filters w, stride 1; no bias.

    ``padding`` is a tuple (one int per spatial dim). Validation is the
    caller's (`reference.ops.conv_forward`). ``workers``: threads sharing the
    slabs (default: as many as BLAS may use, if there is enough work).

    Examples
    --------
    >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    >>> winograd_forward(x, w, (0, 0), NUMPY_KERNELS)
    array([[[[45., 54.],
             [81., 90.]]]])
    """
    geo = _geometry(x.shape, padding)
    c_in, c_out = w.shape[1], w.shape[0]
    xcl = _channels_last_padded(x, geo, kernels)
    u = _weight_transform(w, geo)
    out_cl = np.empty((len(x),) + geo.s_out + (c_out,), dtype=x.dtype)
    total = _total_strips(geo, len(x))
    strips = _slab_strips(geo, max(c_in, c_out), x.dtype.itemsize, total)

    def run(start, stop):
        v_flat, m_flat = (_stack_buffer(geo, strips, c, x.dtype) for c in (c_in, c_out))
        buf_in, buf_out = (_tile_buffers(geo, c, x.dtype) for c in (c_in, c_out))
        # per slab: transform the input tiles, P products, transform back
        for s_lo, n_strips in _slabs(start, stop, strips):
            v = _stack(v_flat, geo, n_strips, c_in)
            span = (s_lo, n_strips, 0)
            kernels.input_transform(xcl, geo.alpha, geo.tiles, span, v, buf_in)
            m = np.matmul(v, u, out=_stack(m_flat, geo, n_strips, c_out))
            kernels.output_transform(m, geo.alpha, geo.tiles, span, out_cl, buf_out)

    workers = _worker_count(workers, total, strips, _product_flops(geo, x, w))
    runs, _ = _partition(total, workers, gap=0)
    run_threads(run, runs)
    out = np.empty((len(x), c_out) + geo.s_out, dtype=x.dtype)
    kernels.channels_first(out_cl, out)
    return out.reshape(out.shape[:2] + geo.s_out[3 - len(padding) :])


def winograd_backward(
    dout: np.ndarray,
    x: np.ndarray,
    w: np.ndarray,
    padding: tuple[int, ...],
    kernels: WinogradKernels = NUMBA_KERNELS,
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
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
    xcl = _channels_last_padded(x, geo, kernels)
    dout_cl = np.empty((len(x),) + geo.s_out + (c_out,), dtype=x.dtype)
    kernels.channels_last(dout.reshape(dout.shape[:2] + geo.s_out), dout_cl)
    u_t = np.ascontiguousarray(_weight_transform(w, geo).transpose(0, 2, 1))
    dxcl = np.zeros_like(xcl)
    total = _total_strips(geo, len(x))
    strips = _slab_strips(geo, max(c_in, c_out), x.dtype.itemsize, total)
    group = _group_strips(geo, strips)

    def run(start, stop):
        du = np.zeros((math.prod(geo.alpha), c_in, c_out), dtype=x.dtype)
        du_group = np.empty_like(du)
        v_flat, dm_flat = (_stack_buffer(geo, group, c, x.dtype) for c in (c_in, c_out))
        dv_flat = _stack_buffer(geo, strips, c_in, x.dtype)
        buf_in, buf_out = (_tile_buffers(geo, c, x.dtype) for c in (c_in, c_out))
        for g_lo, g_strips in _slabs(start, stop, group):
            v = _stack(v_flat, geo, g_strips, c_in)
            dm = _stack(dm_flat, geo, g_strips, c_out)
            for s_lo, n_strips in _slabs(g_lo, g_lo + g_strips, strips):
                # dM = A dY A^T and V = B^T d B for the slab's tiles
                t_lo = (s_lo - g_lo) * geo.tiles[2]
                span = (s_lo, n_strips, t_lo)
                kernels.output_adjoint(dout_cl, geo.alpha, geo.tiles, span, dm, buf_out)
                kernels.input_transform(xcl, geo.alpha, geo.tiles, span, v, buf_in)

                # input: dV[xi] = dM[xi] U[xi]^T, then dx += B dV B^T
                dm_slab = dm[:, t_lo : t_lo + n_strips * geo.tiles[2]]
                dv = np.matmul(dm_slab, u_t, out=_stack(dv_flat, geo, n_strips, c_in))
                span = (s_lo, n_strips, 0)
                kernels.input_adjoint(dv, geo.alpha, geo.tiles, span, dxcl, buf_in)

            # weights: dU[xi] += V[xi]^T dM[xi] over the group's tiles
            du += np.matmul(v.transpose(0, 2, 1), dm, out=du_group)
        return du

    # runs in parallel threads, apart by one row of strips plus one (see
    # _partition), then the gaps between them
    workers = _worker_count(workers, total, strips, _product_flops(geo, x, w))
    runs, gaps = _partition(total, workers, gap=geo.tiles[1] + 1)
    du = sum(run_threads(run, runs) + [run(*gap) for gap in gaps])

    dx = np.empty(x.shape[:2] + geo.s_in, dtype=x.dtype)
    kernels.channels_first(dxcl[crop_spatial(geo.padding, geo.s_in)], dx)
    return dx.reshape(x.shape), _weight_adjoint(du, geo, w.shape)


def _tile_buffers(geo, channels, dtype):
    """Scratch strips (2, alpha0 * alpha1, E2 * channels) for the kernels."""
    return np.zeros((2, geo.alpha[0] * geo.alpha[1], geo.extent[2] * channels), dtype)
