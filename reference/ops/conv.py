"""Convolution (cross-correlation, as in PyTorch) in 1, 2 and 3 spatial dims.

Public names: `conv_forward`, `conv_backward` (any backend), `conv_forward_naive`,
`conv_backward_naive` (2D loops, the course exercise's twin), `conv_forward_im2col`
(classic im2col + one matrix product per slab, pure NumPy), `ConvCache`.

Backends (``backend=`` of `conv_forward` / `conv_backward`):

``"naive"``   one Python loop per output axis, vectorised window sum; 2D only.
``"im2col"``  every kernel offset gathered into a column matrix, one GEMM per slab.
``"numba"``   the fast path: compiled gather/scatter kernels and a split im2col
              (below) chosen per layer shape, or Winograd F(2, 3) or the
              shifted-product method where they measured faster.
``"winograd"`` Winograd F(2, 3) for stride-1 3x3 / 3x3x3 kernels (others raise).
``"shifted"`` the shifted-product method (`reference.ops.shifted`) for stride-1
              1D and 2D layers (others raise).
``"auto"``    ``"numba"`` when Numba compiles, else the split im2col with the
              NumPy twins of the kernels.

All backends share one `ConvCache`, so any backward consumes any forward's cache.

Notes
-----
Memory is the trade-off this module is built around. Classic im2col copies every
input value once per kernel offset: for a 3x3x3 conv from 192 to 64 channels on a
160x160x16 volume the column matrix alone would be 192*27 x 409600 floats = 7.9 GiB
in float32, against 0.3 GiB for the input. So columns are never built for a whole
batch or volume: each image is processed a *slab* of planes (along the first
spatial axis) at a time, each slab's buffers at most 16 MiB, and the matrix
product of each slab is a BLAS GEMM. Peak extra memory of forward + backward
stays within twice the size of the inputs, outputs and gradients (the tests
measure it), whatever the layer.

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
gathers dout shifted along H (W flipped along H). ``"auto"``/``"numba"`` pick H
per layer from a small cost model (GEMM flops, discounted for narrow matrices,
plus copied elements); on the benchmark layers it picks the split that measured
fastest (128 -> 32 channels: H = all; 4 -> 32: H = {}; 32 -> 32 on thin volumes:
H = the middle axis). Small 2D images share GEMMs across the batch (see
`reference.ops.im2col.gemm_forward`).

Winograd F(2, 3) (`reference.ops.winograd`) trades multiply-adds for cheap
transforms: a 3x3x3 layer does 64 instead of 216 products per 2x2x2 outputs.
Measured here against the split im2col (forward + backward, float32, two
threads), it wins on every 3D layer of the course U-Net except the thinnest
(192 -> 64 at 160x160x16: 3.5 vs 6.4 s; 32 -> 64 there: 0.54 vs 1.12 s;
384 -> 128 at 80x80x8: 1.4 vs 2.8 s; 256 -> 256 at 20x20x2: 0.23 vs 0.10 s)
and on DenseNet's 3x3 layers (128 -> 32, N = 8, 56x56: 49 vs 82 ms), so
``"auto"`` uses it for 2D and 3D stride-1 3x3(x3) layers with at least 4
positions along the last axis (`_prefer_winograd`), except where the
shifted-product method (`reference.ops.shifted`) measured faster still: 2D
stride-1 layers with at least four times as many input as output channels
(`_prefer_shifted`; DenseNet's 128 -> 32 layers, N = 8, forward + backward
medians against Winograd: 56x56 38.3 vs 38.8 ms, 28x28 9.9 vs 10.2, 14x14
3.0 vs 3.7, 7x7 1.3 vs 1.7). benchmarks/conv.py compares with PyTorch.

The drivers run their own threads (`reference.ops._threads`), each with
one BLAS thread, and keep BLAS to one thread even when they run alone: after
a two-thread BLAS product an OpenBLAS worker keeps spinning for a while and
takes a core from the next layer's threads.

References
----------
1. K. Chellapilla, S. Puri, P. Simard, "High performance convolutional neural
   networks for document processing", 2006 (convolution as im2col + GEMM).
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np

from reference._validation import fail
from reference.ops import _jit
from reference.ops import im2col as _im2col
from reference.ops import shifted as _shifted
from reference.ops import winograd as _winograd

__all__ = [
    "ConvCache",
    "conv_backward",
    "conv_backward_naive",
    "conv_forward",
    "conv_forward_im2col",
    "conv_forward_naive",
]

_BACKENDS = ("auto", "numba", "im2col", "naive", "winograd", "shifted")
# the dtypes the compiled kernels take; others run the NumPy twins
_JIT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_COPY_FLOPS = 60  # one gathered/scattered element costs about as much as 60 GEMM flops


class ConvCache(NamedTuple):
    """What `conv_backward` needs from `conv_forward` (treat as opaque)."""

    x: np.ndarray  # the unpadded input (N, C_in, *S); not copied
    w: np.ndarray  # the weight (C_out, C_in, *kernel)
    has_bias: bool  # whether a bias was added (db is None otherwise)
    stride: tuple  # one int per spatial dim
    padding: tuple  # one int per spatial dim


# ----------------------------------------------------------------- validation
def _as_tuple(value, ndim: int, name: str, func: str, minimum: int) -> tuple:
    """Expand an int or check a tuple of ints; every entry must be >= minimum."""
    values = (value,) * ndim if isinstance(value, int | np.integer) else value
    ok = (
        isinstance(values, tuple | list)
        and len(values) == ndim
        and all(
            isinstance(v, int | np.integer) and not isinstance(v, bool) for v in values
        )
    )
    if not ok:
        fail(
            func,
            f"{name} as an int or a tuple of {ndim} ints",
            repr(value),
            kind=TypeError,
        )
    if any(v < minimum for v in values):
        fail(func, f"{name} >= {minimum} on every axis", repr(value))
    return tuple(int(v) for v in values)


def _check_float(arr, name: str, func: str, dtype=None) -> np.ndarray:
    """Return arr as an ndarray; floating and (if given) of ``dtype`` only."""
    if not isinstance(arr, np.ndarray):
        fail(func, f"{name} as a numpy array", type(arr).__name__, kind=TypeError)
    if arr.dtype.kind != "f":
        fail(
            func,
            f"{name} with a floating dtype",
            f"dtype {arr.dtype}",
            f"Convert with {name}.astype(np.float32).",
            kind=TypeError,
        )
    if dtype is not None and arr.dtype != dtype:
        fail(
            func,
            f"{name} with the same dtype as x ({dtype})",
            f"dtype {arr.dtype}",
            f"Cast with {name}.astype(x.dtype).",
            kind=TypeError,
        )
    return arr


def _check_conv_args(func, x, w, b, stride, padding, w_layout="(C_out, C_in, *kernel)"):
    """Validate the arguments of a conv forward; return stride and padding tuples."""
    x = _check_float(x, "x", func)
    w = _check_float(w, "w", func, x.dtype)
    if w.ndim not in (3, 4, 5):
        fail(func, f"w with 3, 4 or 5 dims {w_layout}", f"shape {w.shape}")
    ndim = w.ndim - 2
    if x.ndim != ndim + 2:
        hint = "Add a batch axis with x[None]." if x.ndim == ndim + 1 else ""
        fail(
            func,
            f"x with {ndim + 2} dims (N, C_in, *S) for a {ndim}D weight",
            f"shape {x.shape}",
            hint,
        )
    in_axis = 1 if w_layout.startswith("(C_out") else 0
    if x.shape[1] != w.shape[in_axis]:
        fail(
            func,
            f"x with {w.shape[in_axis]} channels (axis 1) to match w "
            f"{w_layout} of shape {w.shape}",
            f"{x.shape[1]} in shape {x.shape}",
        )
    if b is not None:
        b = _check_float(b, "b", func, x.dtype)
        n_out = w.shape[1 - in_axis]
        if b.shape != (n_out,):
            fail(func, f"b of shape ({n_out},)", f"shape {b.shape}")
    stride = _as_tuple(stride, ndim, "stride", func, 1)
    padding = _as_tuple(padding, ndim, "padding", func, 0)
    return stride, padding


def _output_shape(func, x_shape, kernel, stride, padding) -> tuple:
    """Return S_out = 1 + (S + 2*pad - k) // stride; fail if a kernel does not fit."""
    s_pad = tuple(s + 2 * p for s, p in zip(x_shape[2:], padding, strict=False))
    if any(k > s for k, s in zip(kernel, s_pad, strict=False)):
        fail(
            func,
            f"kernel {tuple(kernel)} no larger than the padded input {s_pad}",
            f"x of shape {tuple(x_shape)} with padding {padding}",
            "Use a smaller kernel or more padding.",
        )
    return tuple(
        1 + (s - k) // st for s, k, st in zip(s_pad, kernel, stride, strict=False)
    )


def _check_dout(func, dout, cache, out_shape) -> np.ndarray:
    """Check dout's shape and kind; return it in the forward's dtype."""
    dout = _check_float(dout, "dout", func)
    if dout.shape != out_shape:
        fail(
            func,
            f"dout of shape {out_shape} (the forward's output)",
            f"shape {dout.shape}",
        )
    return dout.astype(cache.x.dtype, copy=False)


# ------------------------------------------------------------- public kernels
def conv_forward(x, w, b=None, stride=1, padding=0, *, backend: str = "auto"):
    """Convolve (N, C_in, *S) with (C_out, C_in, *kernel) filters; S has 1, 2 or 3 dims.

    Parameters
    ----------
    x : ndarray of shape (N, C_in, *S), float32 or float64
    w : ndarray of shape (C_out, C_in, *kernel), same dtype as x
        The number of spatial dims is read from ``w.ndim - 2``.
    b : ndarray of shape (C_out,), optional
        Bias; none by default.
    stride, padding : int or tuple of int, optional
        One per spatial dim (an int applies to all). Stride >= 1 (default 1);
        zero padding >= 0 on both sides (default 0).
    backend : {"auto", "numba", "im2col", "naive", "winograd"}, optional
        Implementation (see the module docstring); all give the same result
        up to float rounding.

    Returns
    -------
    out : ndarray of shape (N, C_out, *S_out), dtype of x
    cache : ConvCache
        Opaque; pass to `conv_backward`.

    Raises
    ------
    TypeError
        Non-array or non-float input, mixed dtypes, stride/padding not ints.
    ValueError
        Wrong number of dims, channel mismatch, bias shape, stride < 1,
        padding < 0, kernel larger than the padded input, unknown backend.

    See Also
    --------
    conv_backward, reference.nn.Conv

    Notes
    -----
    Cross-correlation, as in PyTorch (the kernel is not flipped); in 2D::

        out[n, f, i, j] = b[f] + sum over c, u, v of
                          x_pad[n, c, s_0*i + u, s_1*j + v] * w[f, c, u, v]

    with x_pad zero-padded by ``padding`` and, per axis,
    S_out = 1 + (S + 2*pad - k) // stride. 1D and 3D drop or add one index.

    Examples
    --------
    >>> x = np.arange(5.0).reshape(1, 1, 5)
    >>> out, cache = conv_forward(x, np.array([[[1.0, 0.0, -1.0]]]), padding=1)
    >>> out
    array([[[-1., -2., -2., -2.,  3.]]])
    """
    stride, padding = _check_conv_args("conv_forward", x, w, b, stride, padding)
    s_out = _output_shape("conv_forward", x.shape, w.shape[2:], stride, padding)
    if backend == "naive":
        return conv_forward_naive(x, w, b, stride, padding)
    kernels, split = _select(
        backend, "conv_forward", x.shape, w.shape, stride, padding, x.dtype
    )
    if isinstance(kernels, _winograd.WinogradKernels):
        out = _winograd.winograd_forward(x, w, padding, kernels)
    elif isinstance(kernels, _shifted.ShiftedKernels):
        out = _shifted.shifted_forward(x, w, padding, kernels)
    else:
        out = _im2col.gemm_forward(x, w, stride, padding, split, kernels)
    if b is not None:
        out += b.reshape((-1,) + (1,) * len(s_out))
    return out, ConvCache(x, w, b is not None, stride, padding)


def conv_backward(dout, cache: ConvCache, *, backend: str = "auto"):
    """Backpropagate through `conv_forward`: (dout, cache) -> (dx, dw, db).

    Parameters
    ----------
    dout : ndarray of shape (N, C_out, *S_out)
        Upstream gradient; cast to the forward's dtype.
    cache : ConvCache
        From `conv_forward` (any backend).
    backend : {"auto", "numba", "im2col", "naive", "winograd"}, optional

    Returns
    -------
    dx : ndarray of shape (N, C_in, *S)
    dw : ndarray of shape (C_out, C_in, *kernel)
    db : ndarray of shape (C_out,), or None when the forward had no bias

    Notes
    -----
    In 2D, with the forward's notation::

        db[f]          = sum over n, i, j of dout[n, f, i, j]
        dw[f, c, u, v] = sum over n, i, j of
                         dout[n, f, i, j] * x_pad[n, c, s_0*i + u, s_1*j + v]
        dx_pad[n, c, s_0*i + u, s_1*j + v] += dout[n, f, i, j] * w[f, c, u, v]

    summed over every (f, i, j, u, v); dx is dx_pad without its padding.

    Examples
    --------
    >>> x = np.arange(5.0).reshape(1, 1, 5)
    >>> out, cache = conv_forward(x, np.array([[[1.0, 0.0, -1.0]]]), np.zeros(1))
    >>> dx, dw, db = conv_backward(np.ones_like(out), cache)
    >>> dx, dw, db
    (array([[[ 1.,  1.,  0., -1., -1.]]]), array([[[3., 6., 9.]]]), array([3.]))
    """
    x, w = cache.x, cache.w
    s_out = _output_shape(
        "conv_backward", x.shape, w.shape[2:], cache.stride, cache.padding
    )
    dout = _check_dout("conv_backward", dout, cache, (x.shape[0], w.shape[0]) + s_out)
    if backend == "naive":
        return conv_backward_naive(dout, cache)
    kernels, split = _select(
        backend, "conv_backward", x.shape, w.shape, cache.stride, cache.padding, x.dtype
    )
    if isinstance(kernels, _winograd.WinogradKernels):
        dx, dw = _winograd.winograd_backward(dout, x, w, cache.padding, kernels)
    elif isinstance(kernels, _shifted.ShiftedKernels):
        dx, dw = _shifted.shifted_backward(dout, x, w, cache.padding, kernels)
    else:
        dx, dw = _im2col.gemm_backward(
            dout, x, w, cache.stride, cache.padding, split, kernels
        )
    db = dout.sum(axis=(0, *range(2, dout.ndim))) if cache.has_bias else None
    return dx, dw, db


def conv_forward_im2col(x, w, b=None, stride=1, padding=0):
    """Convolve by classic im2col + GEMM in pure NumPy; same contract as `conv_forward`.

    Every kernel offset of a slab of output planes is gathered into a column
    matrix (see `reference.ops.im2col.im2col`) and multiplied by the
    (C_out, K * C_in) weight matrix. Works in 1, 2 and 3 dims, any stride.

    Examples
    --------
    >>> out, _ = conv_forward_im2col(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)))
    >>> out
    array([[[[4., 4.],
             [4., 4.]]]])
    """
    return conv_forward(x, w, b, stride, padding, backend="im2col")


def conv_forward_naive(x, w, b=None, stride=1, padding=0):
    """Convolve (N, C_in, H, W) with (C_out, C_in, KH, KW) filters by explicit loops.

    The course exercise's twin: one loop per output axis, each window summed by
    one vectorised matrix product. Same contract and formula as `conv_forward`,
    2D only.

    Examples
    --------
    >>> x, w = np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))
    >>> out, _ = conv_forward_naive(x, w, stride=2)
    >>> out
    array([[[[4.]]]])
    """
    stride, padding = _check_conv_args("conv_forward_naive", x, w, b, stride, padding)
    if w.ndim != 4:
        fail(
            "conv_forward_naive",
            "a 2D weight (C_out, C_in, KH, KW)",
            f"shape {w.shape}",
            'Use conv_forward(..., backend="im2col") for 1D/3D.',
        )
    (sh, sw), (kh, kw) = stride, w.shape[2:]
    h_out, w_out = _output_shape(
        "conv_forward_naive", x.shape, (kh, kw), stride, padding
    )
    x_pad = _im2col.pad_spatial(x, padding)
    w_flat = w.reshape(w.shape[0], -1)  # (C_out, C_in*KH*KW)
    out = np.empty((x.shape[0], w.shape[0], h_out, w_out), dtype=x.dtype)

    # slide the window: each output pixel is one (N, C_in*KH*KW) @ (.., C_out) product
    for i in range(h_out):
        for j in range(w_out):
            window = x_pad[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
            out[:, :, i, j] = window.reshape(x.shape[0], -1) @ w_flat.T

    # add bias
    if b is not None:
        out += b[:, None, None]
    return out, ConvCache(x, w, b is not None, stride, padding)


def conv_backward_naive(dout, cache: ConvCache):
    """Backpropagate through a 2D convolution by explicit loops: -> (dx, dw, db).

    Same contract and formulas as `conv_backward`; 2D only.

    Examples
    --------
    >>> out, cache = conv_forward_naive(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)))
    >>> dx, dw, db = conv_backward_naive(np.ones_like(out), cache)
    >>> dx[0, 0], db
    (array([[1., 1.],
           [1., 1.]]), None)
    """
    x, w = cache.x, cache.w
    if w.ndim != 4:
        fail(
            "conv_backward_naive",
            "a cache from a 2D convolution",
            f"weight shape {w.shape}",
            'Use conv_backward(..., backend="im2col").',
        )
    (sh, sw), (kh, kw) = cache.stride, w.shape[2:]
    s_out = _output_shape(
        "conv_backward_naive", x.shape, (kh, kw), cache.stride, cache.padding
    )
    dout = _check_dout(
        "conv_backward_naive", dout, cache, (x.shape[0], w.shape[0]) + s_out
    )
    x_pad = _im2col.pad_spatial(x, cache.padding)
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    w_flat = w.reshape(w.shape[0], -1)  # (C_out, C_in*KH*KW)

    # each output pixel sends dout back to its window (dx) and its weights (dw)
    for i in range(s_out[0]):
        for j in range(s_out[1]):
            rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
            window = x_pad[:, :, rows, cols].reshape(x.shape[0], -1)  # (N, C_in*KH*KW)
            dw += (dout[:, :, i, j].T @ window).reshape(w.shape)
            dx_pad[:, :, rows, cols] += (dout[:, :, i, j] @ w_flat).reshape(
                x.shape[0], *w.shape[1:]
            )

    # drop the padding; the bias gradient sums over batch and positions
    dx = dx_pad[_im2col.crop_spatial(cache.padding, x.shape[2:], lead=2)]
    db = dout.sum(axis=(0, 2, 3)) if cache.has_bias else None
    return dx, dw, db


def _select(
    backend, func, x_shape, w_shape, stride, padding, dtype, *, gemm_only=False
):
    """Return (kernels, split) for a backend name; only GEMM kernels if ``gemm_only``.

    With Winograd or shifted-product kernels (a `WinogradKernels` or a
    `ShiftedKernels`) the split is None. The compiled kernels exist for
    float32 and float64; other float dtypes run the NumPy twins.
    """
    allowed = _BACKENDS[:3] if gemm_only else _BACKENDS
    if backend not in allowed:
        fail(func, f"backend in {allowed}", repr(backend))
    if backend == "im2col":
        return _im2col.NUMPY_KERNELS, (False,) * len(stride)
    jit = (backend == "numba" or _jit.JIT_ENABLED) and np.dtype(dtype) in _JIT_DTYPES
    if backend in ("winograd", "shifted"):
        return _special_kernels(backend, func, w_shape, stride, jit), None
    if not gemm_only and jit and _prefer_shifted(x_shape, w_shape, stride):
        return _shifted.NUMBA_KERNELS, None
    if not gemm_only and jit and _prefer_winograd(x_shape, w_shape, stride):
        return _winograd.NUMBA_KERNELS, None
    kernels = _im2col.NUMBA_KERNELS if jit else _im2col.NUMPY_KERNELS
    return kernels, _choose_split(x_shape, w_shape, stride, padding)


def _special_kernels(backend, func, w_shape, stride, jit):
    """Kernels of backend "winograd" or "shifted"; fail where it cannot run."""
    module, applies, needs = {
        "winograd": (
            _winograd,
            _winograd.winograd_applies,
            "a kernel of 3 on every axis",
        ),
        "shifted": (_shifted, _shifted.shifted_applies, "1 or 2 spatial dims"),
    }[backend]
    if not applies(w_shape, stride):
        fail(
            func,
            f"a stride-1 convolution with {needs} for backend {backend!r}",
            f"kernel {tuple(w_shape[2:])}, stride {stride}",
            'Use backend="auto".',
        )
    return module.NUMBA_KERNELS if jit else module.NUMPY_KERNELS


def _prefer_shifted(x_shape, w_shape, stride) -> bool:
    """Return True where the shifted-product method measured faster (see its module).

    2D, stride 1, a kernel larger than 1x1, and at least four times as many
    input as output channels (DenseNet's 3x3 layers: 128 -> 32).
    """
    c_out, c_in = w_shape[:2]
    return (
        len(stride) == 2
        and _shifted.shifted_applies(w_shape, stride)
        and math.prod(w_shape[2:]) > 1
        and c_in >= 4 * c_out
    )


def _prefer_winograd(x_shape, w_shape, stride) -> bool:
    """Return True where Winograd measured faster than the split im2col.

    2D or 3D, stride 1, kernel 3 on every axis, and at least 4 positions
    along the last spatial axis (see the module docstring for the
    measurements; thin volumes such as 20x20x2 lose).
    """
    return (
        len(stride) in (2, 3)
        and _winograd.winograd_applies(w_shape, stride)
        and x_shape[-1] >= 4
    )


def _choose_split(x_shape, w_shape, stride, padding) -> tuple:
    """Pick the shifted (H) kernel axes with the lowest modelled cost (see Notes).

    The model counts GEMM flops, discounted when a matrix side is narrow (BLAS
    runs a 32-wide product at about 2/3 of its peak), plus the elements copied
    by the gathers and scatters around the GEMMs (each worth about
    `_COPY_FLOPS` flops on this class of machine: measured, not guessed).
    """
    ndim, (c_out, c_in), kernel = len(stride), w_shape[:2], w_shape[2:]
    s_out = _output_shape("conv", x_shape, kernel, stride, padding)
    best, best_cost = (False,) * ndim, math.inf
    for split in itertools.product((False, True), repeat=ndim):
        if any(h and s > 1 for h, s in zip(split, stride, strict=False)):
            continue
        n_h = math.prod(k for h, k in zip(split, kernel, strict=False) if h)
        n_g = math.prod(kernel) // n_h
        positions = math.prod(
            o + k - 1 if h else o for h, o, k in zip(split, s_out, kernel, strict=False)
        )
        rows, inner = n_h * c_out, n_g * c_in
        gemm = 6 * rows * inner / (_width_efficiency(rows) * _width_efficiency(inner))
        direct = n_g == 1 and all(s == 1 for s in stride)
        copies = (0 if direct else 4 * inner) + (n_h > 1) * 4 * rows
        cost = positions * (gemm + _COPY_FLOPS * copies)
        if cost < best_cost:
            best, best_cost = split, cost
    return best


def _width_efficiency(width: int) -> float:
    """Fraction of peak a BLAS GEMM reaches when one matrix side is ``width`` wide."""
    return width / (width + 16)
