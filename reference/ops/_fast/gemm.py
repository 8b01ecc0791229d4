"""The slab-wise im2col + GEMM convolution driver: bounded memory, BLAS speed.

Public names: `gemm_forward` / `gemm_backward` (called by
`reference.ops._fast.dispatch` and `reference.ops.conv_transpose`), and the
tuning constants `CHUNK_BYTES`, `FOLD_POSITIONS`, `MIN_THREAD_FLOPS`.

Memory is the trade-off this driver is built around. Classic im2col (the
readable version is `reference.ops.conv.conv_forward_im2col`) copies every
input value once per kernel offset, which for a 3D layer can take gigabytes.
So columns are never built for a whole batch or volume: each image is
processed a *slab* of planes (along the first spatial axis) at a time, each
slab's buffers at most CHUNK_BYTES, and the matrix product of each slab is a
BLAS GEMM. Peak extra memory of forward + backward stays within twice the size
of the inputs, outputs and gradients (the tests measure it), whatever the layer.

Speed comes from the GEMM; the copies around it are the overhead. The *split*
im2col trims them: kernel axes are divided into gathered axes G (copied into
columns on the input side, as in im2col) and shifted axes H (stride 1 only,
handled on the output side). With W reshaped to a (|H|*C_out, |G|*C_in) matrix,

    cols[(g, c), e] = x_pad[c, e*s + g]        (g runs over G offsets)
    Y = W_mat @ cols                           (one GEMM per slab)
    out[f, o] = sum over h of Y[(h, f), o + h] (h runs over H offsets)

H = {} is classic im2col (copies grow with C_in * K); H = all axes copies nothing
on the input side and sums K shifted products instead (grows with C_out * K). A
1x1 conv is a pure GEMM either way. The backward uses the same two layouts:
dW_mat = dY @ cols^T, dcols = W_mat^T @ dY scattered back by col2im, where dY
gathers dout shifted along H (W flipped along H). `reference.ops._fast.dispatch`
picks H per layer from a small cost model. Small 1D/2D images share GEMMs
across the batch (`_setup`).

The gathers and scatters are `reference.ops._fast.kernels_im2col`'s Numba
kernels or their NumPy twins (`NUMBA_KERNELS`, `NUMPY_KERNELS` there).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from reference._validation import conv_output_size
from reference.ops._fast.kernels_im2col import Kernels
from reference.ops._fast.threads import share
from reference.ops.padding import crop_spatial

__all__ = [
    "CHUNK_BYTES",
    "FOLD_POSITIONS",
    "MIN_THREAD_FLOPS",
    "gemm_backward",
    "gemm_forward",
]

CHUNK_BYTES = 16 << 20  # slab buffers: big GEMMs, few BLAS calls (robust under load)
FOLD_POSITIONS = 1024  # 1D/2D images this small share GEMMs across the batch
MIN_THREAD_FLOPS = 2e7  # smaller batches run in one thread


class _Plan(NamedTuple):
    """Geometry of one convolution in canonical 3D (see the module docstring)."""

    stride: tuple
    padding: tuple
    s_pad: tuple
    s_out: tuple
    split: tuple  # True for the shifted (H) axes, False for the gathered (G) axes
    gk: tuple  # kernel on gathered axes (1 elsewhere)
    hk: tuple  # kernel on shifted axes (1 elsewhere)
    extent: tuple  # positions E per axis: S_out on G axes, S_out + k - 1 on H axes
    planes: int  # planes of E per slab
    direct_in: bool  # the columns are the padded image itself (nothing to gather)
    plane_bytes: int  # scratch bytes one plane of E needs


def _lift(values, fill, fold) -> tuple:
    """Map per-axis values (kernel, stride, ...) of 1, 2 or 3 dims to canonical 3D.

    2D (H, W) becomes (H, 1, W) so that slabs are groups of rows; 1D (L,) becomes
    (1, 1, L). With ``fold`` the batch becomes the first axis instead (kernel 1,
    no padding): (N, 1, L) or (N, H, W), so one GEMM serves several small images.
    """
    values = tuple(values)
    if len(values) == 3:
        return values
    if fold:
        return (fill,) * (3 - len(values)) + values
    return (values[0], fill, values[1]) if len(values) == 2 else (fill, fill) + values


def _to_canonical(a, fold) -> np.ndarray:
    """Return a contiguous canonical-3D copy or view of a (N, C, *S)."""
    if fold:  # (N, C, *S) -> (1, C, N, *S)
        moved = np.ascontiguousarray(np.swapaxes(a, 0, 1))
        return moved.reshape((1, a.shape[1]) + _lift((len(a),) + a.shape[2:], 1, False))
    return np.ascontiguousarray(a).reshape(a.shape[:2] + _lift(a.shape[2:], 1, False))


def _from_canonical(a3, shape, fold) -> np.ndarray:
    """Undo `_to_canonical` for an array whose true shape is ``shape`` (N, C, *S)."""
    if fold:
        moved = a3[0].reshape((shape[1], shape[0]) + tuple(shape[2:]))
        return np.ascontiguousarray(np.swapaxes(moved, 0, 1))
    return a3.reshape(shape)


def _make_plan(x_shape, w_shape, stride, padding, split, itemsize) -> _Plan:
    """Work out the canonical-3D geometry and the slab size (all tuples 3 long)."""
    kernel = w_shape[2:]
    s_pad = tuple(s + 2 * p for s, p in zip(x_shape[2:], padding, strict=False))
    s_out = conv_output_size(x_shape[2:], kernel, stride, padding)
    gk = tuple(1 if h else k for h, k in zip(split, kernel, strict=False))
    hk = tuple(k if h else 1 for h, k in zip(split, kernel, strict=False))
    extent = tuple(
        o + k - 1 if h else o for h, o, k in zip(split, s_out, kernel, strict=False)
    )
    direct_in = math.prod(gk) == 1 and all(s == 1 for s in stride)

    # slab size: at most CHUNK_BYTES of buffers and one image's input + output
    rows = 0 if direct_in else 2 * math.prod(gk) * x_shape[1]
    rows += (math.prod(hk) > 1) * math.prod(hk) * w_shape[0]
    per_plane = max(1, rows * math.prod(extent[1:]) * itemsize)
    image = (x_shape[1] * math.prod(s_pad) + w_shape[0] * math.prod(s_out)) * itemsize
    planes = max(1, min(extent[0], min(CHUNK_BYTES, image) // per_plane))
    return _Plan(
        stride,
        padding,
        s_pad,
        s_out,
        split,
        gk,
        hk,
        extent,
        planes,
        direct_in,
        per_plane,
    )


def _weight_matrix(w3, split):
    """Reshape (C_out, C_in, *k) to W_mat[(h, f), (g, c)]; also return the order."""
    h_axes = [2 + a for a in range(3) if split[a]]
    g_axes = [2 + a for a in range(3) if not split[a]]
    order = h_axes + [0] + g_axes + [1]
    n_rows = math.prod(w3.shape[a] for a in h_axes) * w3.shape[0]
    return np.ascontiguousarray(w3.transpose(order).reshape(n_rows, -1)), order


def _flip_shifted(w3, split):
    """Reverse the kernel along the shifted axes (the backward gathers dout so)."""
    flips = tuple(slice(None, None, -1) if h else slice(None) for h in split)
    return w3[(slice(None), slice(None)) + flips]


def _buffer(flat, shape):
    """View the start of a flat scratch buffer with ``shape``."""
    return flat[: math.prod(shape)].reshape(shape)


def _scratch(plan, c_in, c_out, dtype, backward):
    """Allocate the per-call buffers (a slab's columns and products, padded images)."""
    slab = plan.planes * math.prod(plan.extent[1:])
    n_g, n_h = math.prod(plan.gk), math.prod(plan.hk)
    padded = (c_in,) + plan.s_pad if any(plan.padding) else 0
    scratch = {
        "cols": np.empty(0 if plan.direct_in else n_g * c_in * slab, dtype),
        "prod": np.empty(n_h * c_out * slab if n_h > 1 else 0, dtype),
        "x_pad": np.zeros(padded, dtype),
    }
    if backward:
        s_dout = tuple(
            o + 2 * (k - 1) for o, k in zip(plan.s_out, plan.hk, strict=False)
        )
        scratch["dcols"] = np.empty(0 if plan.direct_in else n_g * c_in * slab, dtype)
        scratch["dx_pad"] = np.zeros(padded, dtype)
        scratch["dout_pad"] = np.zeros((c_out,) + s_dout if n_h > 1 else 0, dtype)
    return scratch


def _padded(image, plan, scratch):
    """Return the zero-padded image (C, *S_pad) in ``scratch`` (its border stays 0)."""
    if not any(plan.padding):
        return image
    scratch[crop_spatial(plan.padding, image.shape[1:])] = image
    return scratch


def _gather(xp, plan, e0, nz, kernels, scratch):
    """Return the (n_g * C_in, positions) column matrix of a slab (a view if direct)."""
    if plan.direct_in:
        return xp[:, e0 : e0 + nz].reshape(xp.shape[0], -1)
    cols = _buffer(scratch, (math.prod(plan.gk), xp.shape[0], nz) + plan.extent[1:])
    kernels.im2col(xp, plan.gk, plan.stride, e0, cols)
    return cols.reshape(-1, nz * math.prod(plan.extent[1:]))


def _setup(x_shape, w, stride, padding, split, dtype):
    """Choose the canonical-3D layout and plan: (fold, x3_shape, w3, plan).

    Small 1D/2D images (at most FOLD_POSITIONS padded positions) are folded into
    batch-wide slabs: bigger GEMMs, fewer calls, for the price of transposing
    (N, C) to (C, N). Larger images, all 3D volumes, and 1x1 stride-1 unpadded
    layers (one GEMM on each image as it is, no copies, which measured faster
    than folded on DenseNet's bottlenecks) go one image at a time, slab by
    slab.
    """
    for fold in (False, True):
        w3 = w.reshape(w.shape[:2] + _lift(w.shape[2:], 1, fold))
        s3 = _lift(x_shape[2:], 1, fold)
        batch = (1, x_shape[1], x_shape[0]) if fold else tuple(x_shape[:2])
        x3_shape = batch + (s3[1:] if fold else s3)
        params = [
            _lift(v, f, fold) for v, f in ((stride, 1), (padding, 0), (split, False))
        ]
        plan = _make_plan(x3_shape, w3.shape, *params, dtype.itemsize)
        small = math.prod(plan.s_pad) <= FOLD_POSITIONS and (
            plan.plane_bytes * plan.extent[0] <= CHUNK_BYTES
        )
        # a 1x1 kernel, stride 1, no padding: each image is already its GEMM operand
        copy_free = plan.direct_in and math.prod(plan.hk) == 1 and not any(padding)
        if fold or len(stride) == 3 or x_shape[0] == 1 or not small or copy_free:
            return fold, x3_shape, w3, plan
    raise AssertionError  # pragma: no cover


def _forward_image(xp, wm, plan, out_n, kernels, scratch):
    """out_n (C_out, *S_out) = conv of one padded image, slab by slab."""
    n_h, c_out = math.prod(plan.hk), out_n.shape[0]
    for e0 in range(0, plan.extent[0], plan.planes):
        nz = min(plan.planes, plan.extent[0] - e0)
        cols = _gather(xp, plan, e0, nz, kernels, scratch["cols"])

        # one GEMM per slab; with no shifted axes it lands straight in out
        if n_h == 1:
            np.matmul(wm, cols, out=out_n[:, e0 : e0 + nz].reshape(c_out, -1))
            continue
        y = np.matmul(wm, cols, out=_buffer(scratch["prod"], (len(wm), cols.shape[1])))
        y = y.reshape((n_h, c_out, nz) + plan.extent[1:])
        kernels.shift_add(y, plan.hk, e0, out_n)


def gemm_forward(
    x: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    split: tuple[bool, ...],
    kernels: Kernels,
) -> np.ndarray:
    """Convolve x (N, C_in, *S) with w (C_out, C_in, *k) slab by slab; no bias.

    ``stride`` and ``padding`` are tuples; ``split`` marks the shifted (stride-1)
    kernel axes (see the module docstring); ``kernels`` is one of the kernel
    sets of `reference.ops._fast.kernels_im2col`. Inputs are validated by the
    caller; `reference.ops.conv_forward` is the public entry point.

    Examples
    --------
    >>> from reference.ops._fast.kernels_im2col import NUMPY_KERNELS
    >>> x, w = np.arange(4.0).reshape(1, 1, 4), np.ones((1, 1, 2))
    >>> gemm_forward(x, w, (1,), (0,), (True,), NUMPY_KERNELS)
    array([[[1., 3., 5.]]])
    """
    fold, x3_shape, w3, plan = _setup(x.shape, w, stride, padding, split, x.dtype)
    x3 = _to_canonical(x, fold)
    wm, _ = _weight_matrix(w3, plan.split)
    alloc = np.zeros if math.prod(plan.hk) > 1 else np.empty  # shift_add accumulates
    out3 = alloc((x3_shape[0], w.shape[0]) + plan.s_out, dtype=x.dtype)

    # one image (or one folded batch) at a time keeps the buffers small
    def run(start, stop):
        scratch = _scratch(plan, x3.shape[1], w3.shape[0], x.dtype, backward=False)
        for n in range(start, stop):
            xp = _padded(x3[n], plan, scratch["x_pad"])
            _forward_image(xp, wm, plan, out3[n], kernels, scratch)

    _share_images(run, x3_shape, w)
    s_out = conv_output_size(x.shape[2:], w.shape[2:], stride, padding)
    return _from_canonical(out3, (len(x), len(w)) + s_out, fold)


def _backward_image(xp, dp, wm, plan, dxp, dwm, kernels, scratch):
    """Accumulate dW_mat (if given) and write dx_pad (if given) for one image."""
    n_h, c_out = math.prod(plan.hk), dp.shape[0]
    for e0 in range(0, plan.extent[0], plan.planes):
        nz = min(plan.planes, plan.extent[0] - e0)

        # dY: dout itself, or dout gathered at the shifted offsets (W flipped)
        if n_h == 1:
            dy = dp[:, e0 : e0 + nz].reshape(c_out, -1)
        else:
            dy = _buffer(scratch["prod"], (n_h, c_out, nz) + plan.extent[1:])
            kernels.im2col(dp, plan.hk, (1, 1, 1), e0, dy)
            dy = dy.reshape(n_h * c_out, -1)

        # weights: dW_mat += dY @ cols^T
        if dwm is not None:
            dwm += dy @ _gather(xp, plan, e0, nz, kernels, scratch["cols"]).T
        if dxp is None:
            continue

        # input: dcols = W_mat^T @ dY, scattered back (or written, if direct)
        if plan.direct_in:
            np.matmul(wm.T, dy, out=dxp[:, e0 : e0 + nz].reshape(len(dxp), -1))
            continue
        dcols = np.matmul(
            wm.T, dy, out=_buffer(scratch["dcols"], (wm.shape[1], dy.shape[1]))
        )
        dcols = dcols.reshape((-1, len(dxp), nz) + plan.extent[1:])
        kernels.col2im(dcols, plan.gk, plan.stride, e0, dxp)


def gemm_backward(
    dout: np.ndarray,
    x: np.ndarray | None,
    w: np.ndarray,
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    split: tuple[bool, ...],
    kernels: Kernels,
    *,
    need_dx: bool = True,
    x_shape: tuple[int, ...] | None = None,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Return (dx, dw) of `gemm_forward` for upstream dout.

    dx is None unless ``need_dx``; dw is None when ``x`` is None (then
    ``x_shape`` gives the input shape: the data-gradient-only pass that a
    transposed convolution's forward is).

    Examples
    --------
    >>> from reference.ops._fast.kernels_im2col import NUMPY_KERNELS
    >>> x, w = np.arange(4.0).reshape(1, 1, 4), np.ones((1, 1, 2))
    >>> dx, dw = gemm_backward(np.ones((1, 1, 3)), x, w, (1,), (0,), (False,),
    ...                        NUMPY_KERNELS)
    >>> dx, dw
    (array([[[1., 2., 2., 1.]]]), array([[[3., 6.]]]))
    """
    x_shape = x.shape if x is not None else tuple(x_shape)
    fold, x3_shape, w3, plan = _setup(x_shape, w, stride, padding, split, dout.dtype)
    dout3 = _to_canonical(dout, fold)
    wm, order = _weight_matrix(_flip_shifted(w3, plan.split), plan.split)
    dx3 = np.empty(x3_shape, dout.dtype) if need_dx else None
    x3 = None if x is None else _to_canonical(x, fold)

    # per image: pad x (and dout on the shifted axes), run the slabs, crop dx
    def run(start, stop):
        scratch = _scratch(plan, x3_shape[1], w3.shape[0], dout.dtype, backward=True)
        dwm = np.zeros_like(wm) if x is not None else None
        for n in range(start, stop):
            dxp = _dx_target(dx3, n, plan, scratch)
            xp = None if x3 is None else _padded(x3[n], plan, scratch["x_pad"])
            dp = _padded_dout(dout3[n], plan, scratch["dout_pad"])
            _backward_image(xp, dp, wm, plan, dxp, dwm, kernels, scratch)
            if need_dx and any(plan.padding):
                dx3[n] = dxp[crop_spatial(plan.padding, x3_shape[2:])]
        return dwm

    dwms = _share_images(run, x3_shape, w)
    return (
        None if dx3 is None else _from_canonical(dx3, x_shape, fold),
        None if x is None else _unflatten_dw(sum(dwms), order, w3, plan.split, w.shape),
    )


def _share_images(run, x3_shape, w) -> list:
    """Return [run(start, stop)] over the images (canonical x3_shape) of a layer.

    Each thread runs its images' products with one BLAS thread (see
    `reference.ops._fast.threads.run_split`), in two threads unless the layer
    is under MIN_THREAD_FLOPS or a folded batch (one canonical image).
    """
    flops = 2 * x3_shape[0] * math.prod(x3_shape[2:]) * math.prod(w.shape)
    return share(run, x3_shape[0], flops, MIN_THREAD_FLOPS)


def _dx_target(dx3, n, plan, scratch):
    """Return where image n's dx_pad accumulates (zeroed if col2im adds into it)."""
    if dx3 is None:
        return None
    dxp = scratch["dx_pad"] if any(plan.padding) else dx3[n]
    if not plan.direct_in:
        dxp[...] = 0
    return dxp


def _padded_dout(dout_n, plan, scratch):
    """Return dout (C_out, *S_out) padded by k - 1 on both sides of the shifted axes."""
    if math.prod(plan.hk) == 1:
        return dout_n
    scratch[crop_spatial([k - 1 for k in plan.hk], plan.s_out)] = dout_n
    return scratch


def _unflatten_dw(dwm, order, w3, split, w_shape):
    """Undo the weight-matrix layout and the flip of the shifted axes."""
    dw3 = dwm.reshape([w3.shape[a] for a in order]).transpose(np.argsort(order))
    return np.ascontiguousarray(_flip_shifted(dw3, split)).reshape(w_shape)
