"""Convolution (cross-correlation, as in PyTorch) in 1, 2 and 3 spatial dims.

Public names: `conv_forward` / `conv_backward` (any backend), the readable
algorithms `conv_forward_naive` / `conv_backward_naive` (loops) and
`conv_forward_im2col` / `conv_backward_im2col` (one matrix product), the
layout helpers `im2col` / `col2im`, and `ConvCache`.

A convolution slides C_out filters of shape (C_in, *kernel) over the
zero-padded input; each output value is one window times one filter, summed::

    out[n, f, i] = b[f] + sum over c and k of x_pad[n, c, s*i + k] * w[f, c, k]

where i and k are spatial index tuples (one entry per axis, ``s*i + k`` taken
per axis) and, per axis, S_out = 1 + (S + 2*padding - kernel) // stride.

Backends (``backend=`` of `conv_forward` / `conv_backward`); all give the same
result up to float rounding and share one `ConvCache`, so any backward
consumes any forward's cache:

``"auto"``     the default: ``"im2col"`` for small layers (where it is the
               fastest), else ``"numba"`` when Numba compiles, else the
               memory-bounded slab-wise GEMM driver with NumPy gathers.
``"numba"``    the fast path, chosen per layer: Winograd, shifted products or
               the slab-wise GEMM driver with compiled gathers.
``"im2col"``   `conv_forward_im2col` here: the whole column matrix, one GEMM.
``"naive"``    `conv_forward_naive` here: a loop over output positions.
``"winograd"`` Winograd F(2, 3); stride-1 3x3 / 3x3x3 layers only.
``"shifted"``  the shifted-product method; stride-1 1D and 2D layers only.

The fast paths live in the private package `reference.ops._fast` (selection
rules in `reference.ops._fast.dispatch`); measurements behind them are in
``benchmarks/RESULTS.md``.

Notes
-----
Memory is the lesson of im2col. It copies every input value once per kernel
offset, so its column matrix is prod(kernel) times the (padded) input: for a
3x3x3 layer from 192 to 64 channels on a 160x160x16 volume, 192*27 x 409600
floats, 7.9 GiB in float32, against 0.3 GiB for the input. This is why
``"auto"`` never builds the whole matrix: its GEMM driver gathers a slab of
planes at a time (extra memory stays within twice the inputs, outputs and
gradients), and two other methods avoid most copies. Winograd F(2, 3) trades
multiply-adds for cheap transforms (16 instead of 36 products per 2x2 outputs
of a 3x3 kernel); the shifted-product method multiplies the input as it is and
shifts the (fewer) output channels instead. ``"auto"`` uses each on the layers
where it measured fastest (`reference.ops._fast.dispatch`).

References
----------
1. K. Chellapilla, S. Puri, P. Simard, "High performance convolutional neural
   networks for document processing", 2006 (convolution as im2col + GEMM).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from reference._validation import check_dout, conv_output_size, fail, spatial_tuple
from reference.ops._fast import dispatch
from reference.ops.padding import crop_spatial, pad_spatial

__all__ = [
    "BACKENDS",
    "ConvCache",
    "col2im",
    "conv_backward",
    "conv_backward_im2col",
    "conv_backward_naive",
    "conv_forward",
    "conv_forward_im2col",
    "conv_forward_naive",
    "im2col",
]

BACKENDS = ("auto", "numba", "im2col", "naive", "winograd", "shifted")


class ConvCache(NamedTuple):
    """What `conv_backward` needs from `conv_forward` (treat as opaque)."""

    x: np.ndarray  # the unpadded input (N, C_in, *S); not copied
    w: np.ndarray  # the weight (C_out, C_in, *kernel)
    has_bias: bool  # whether a bias was added (db is None otherwise)
    stride: tuple[int, ...]  # one int per spatial dim
    padding: tuple[int, ...]  # one int per spatial dim


# ------------------------------------------------------------- public kernels
def conv_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
    *,
    backend: str = "auto",
) -> tuple[np.ndarray, ConvCache]:
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
    backend : {"auto", "numba", "im2col", "naive", "winograd", "shifted"}, optional
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
        padding < 0, kernel larger than the padded input, unknown backend, a
        layer that backend "winograd" or "shifted" cannot run.

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
    func = "conv_forward"
    stride, padding = check_conv_args(func, x, w, b, stride, padding)
    conv_output_shape(func, x.shape, w.shape[2:], stride, padding)
    check_backend(func, backend, BACKENDS)
    if backend == "naive":
        return conv_forward_naive(x, w, b, stride, padding)
    if backend == "im2col" or dispatch.small_layer(
        backend, x.shape, w.shape, stride, padding
    ):
        return conv_forward_im2col(x, w, b, stride, padding)
    out = dispatch.run_forward(x, w, stride, padding, backend, func)
    if b is not None:
        out += _per_channel(b, x.ndim - 2)
    return out, ConvCache(x, w, b is not None, stride, padding)


def conv_backward(
    dout: np.ndarray, cache: ConvCache, *, backend: str = "auto"
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Backpropagate through `conv_forward`: (dout, cache) -> (dx, dw, db).

    Parameters
    ----------
    dout : ndarray of shape (N, C_out, *S_out), float
        Upstream gradient; cast to the forward's dtype.
    cache : ConvCache
        From `conv_forward` (any backend).
    backend : {"auto", "numba", "im2col", "naive", "winograd", "shifted"}, optional
        As in `conv_forward`; need not be the forward's.

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
    func = "conv_backward"
    x, w, stride, padding = cache.x, cache.w, cache.stride, cache.padding
    s_out = conv_output_shape(func, x.shape, w.shape[2:], stride, padding)
    dout = check_conv_dout(func, dout, x.dtype, (len(x), len(w)) + s_out)
    check_backend(func, backend, BACKENDS)
    if backend == "naive":
        return conv_backward_naive(dout, cache)
    if backend == "im2col" or dispatch.small_layer(
        backend, x.shape, w.shape, stride, padding
    ):
        return conv_backward_im2col(dout, cache)
    dx, dw = dispatch.run_backward(dout, x, w, stride, padding, backend, func)
    return dx, dw, _bias_gradient(dout, cache.has_bias)


# ------------------------------------------------ readable algorithm 1: loops
def conv_forward_naive(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
) -> tuple[np.ndarray, ConvCache]:
    """Convolve (N, C_in, *S) with (C_out, C_in, *kernel) filters, one output at a time.

    One Python loop over the output positions; at each, the window of every
    image times every filter is one vectorised (N, C_in*K) @ (C_in*K, C_out)
    product. Same contract and formula as `conv_forward`, in 1, 2 and 3 dims;
    the course exercise (week 1) writes the 2D case.

    Examples
    --------
    >>> x, w = np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))
    >>> out, _ = conv_forward_naive(x, w, stride=2)
    >>> out
    array([[[[4.]]]])
    """
    func = "conv_forward_naive"
    stride, padding = check_conv_args(func, x, w, b, stride, padding)
    s_out = conv_output_shape(func, x.shape, w.shape[2:], stride, padding)
    n, c_out, kernel = len(x), len(w), w.shape[2:]
    x_pad = pad_spatial(x, padding)
    w_flat = w.reshape(c_out, -1)  # (C_out, C_in*K)
    out = np.empty((n, c_out) + s_out, dtype=x.dtype)

    # slide the window: out[:, :, i] = x_pad[:, :, s*i : s*i + kernel] . w
    for i in np.ndindex(*s_out):
        window = x_pad[_window(i, stride, kernel)]  # (N, C_in, *kernel)
        out[(..., *i)] = window.reshape(n, w_flat.shape[1]) @ w_flat.T

    # add bias
    if b is not None:
        out += _per_channel(b, len(s_out))
    return out, ConvCache(x, w, b is not None, stride, padding)


def conv_backward_naive(
    dout: np.ndarray, cache: ConvCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Backpropagate through a convolution by a loop over outputs: -> (dx, dw, db).

    Same contract and formulas as `conv_backward`, in 1, 2 and 3 dims: each
    output position sends dout back to its window (dx) and its weights (dw).

    Examples
    --------
    >>> out, cache = conv_forward_naive(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)))
    >>> dx, dw, db = conv_backward_naive(np.ones_like(out), cache)
    >>> dx[0, 0], db
    (array([[1., 1.],
           [1., 1.]]), None)
    """
    func = "conv_backward_naive"
    x, w, stride, padding = cache.x, cache.w, cache.stride, cache.padding
    s_out = conv_output_shape(func, x.shape, w.shape[2:], stride, padding)
    dout = check_conv_dout(func, dout, x.dtype, (len(x), len(w)) + s_out)
    n, kernel = len(x), w.shape[2:]
    x_pad = pad_spatial(x, padding)
    dx_pad, dw = np.zeros_like(x_pad), np.zeros_like(w)
    w_flat = w.reshape(len(w), -1)  # (C_out, C_in*K)

    # each output position i: dw += dout_i^T @ window_i, window_i's dx += dout_i @ w
    for i in np.ndindex(*s_out):
        window = _window(i, stride, kernel)
        dout_i = dout[(..., *i)]  # (N, C_out)
        dw += (dout_i.T @ x_pad[window].reshape(n, w_flat.shape[1])).reshape(w.shape)
        dx_pad[window] += (dout_i @ w_flat).reshape((n,) + w.shape[1:])

    # drop the padding; the bias gradient sums over batch and positions
    dx = dx_pad[crop_spatial(padding, x.shape[2:], lead=2)]
    return dx, dw, _bias_gradient(dout, cache.has_bias)


# ------------------------------------ readable algorithm 2: im2col + one GEMM
def conv_forward_im2col(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
) -> tuple[np.ndarray, ConvCache]:
    """Convolve by classic im2col + GEMM in NumPy; same contract as `conv_forward`.

    Every window is copied into one column of a matrix (`im2col`), so that
    one matrix product per image, W_mat (C_out, C_in*K) @ cols (C_in*K, P),
    computes every window sum at once (P = prod(S_out) positions). Works in
    1, 2 and 3 dims, any stride; the column matrix is prod(kernel) times the
    size of the input (see the module Notes).

    Examples
    --------
    >>> out, _ = conv_forward_im2col(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)))
    >>> out
    array([[[[4., 4.],
             [4., 4.]]]])
    """
    func = "conv_forward_im2col"
    stride, padding = check_conv_args(func, x, w, b, stride, padding)
    s_out = conv_output_shape(func, x.shape, w.shape[2:], stride, padding)
    n, c_out = len(x), len(w)

    # gather: cols[n, (c, k), i] = x_pad[n, c, s*i + k]
    cols = im2col(pad_spatial(x, padding), w.shape[2:], stride, s_out)

    # multiply: one GEMM per image does all its window sums
    out = w.reshape(c_out, -1) @ cols  # (N, C_out, P)
    out = out.reshape((n, c_out) + s_out)
    if b is not None:
        out += _per_channel(b, len(s_out))
    return out, ConvCache(x, w, b is not None, stride, padding)


def conv_backward_im2col(
    dout: np.ndarray, cache: ConvCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Backpropagate through `conv_forward_im2col`: -> (dx, dw, db).

    The forward is out_mat = W_mat @ cols per image, so (Notes of
    `conv_backward` in matrix form), with dout_mat (N, C_out, P)::

        dW_mat = sum over n of dout_mat[n] @ cols[n]^T     (C_out, C_in*K)
        dcols  = W_mat^T @ dout_mat                        (N, C_in*K, P)
        dx_pad = col2im(dcols): each column added back into its window

    The columns are gathered again from the cached x (not kept from the
    forward, which would hold prod(kernel) copies of x in memory).

    Examples
    --------
    >>> x = np.arange(5.0).reshape(1, 1, 5)
    >>> out, cache = conv_forward_im2col(x, np.array([[[1.0, 0.0, -1.0]]]))
    >>> dx, dw, db = conv_backward_im2col(np.ones_like(out), cache)
    >>> dx, dw
    (array([[[ 1.,  1.,  0., -1., -1.]]]), array([[[3., 6., 9.]]]))
    """
    func = "conv_backward_im2col"
    x, w, stride, padding = cache.x, cache.w, cache.stride, cache.padding
    s_out = conv_output_shape(func, x.shape, w.shape[2:], stride, padding)
    dout = check_conv_dout(func, dout, x.dtype, (len(x), len(w)) + s_out)
    x_pad = pad_spatial(x, padding)
    cols = im2col(x_pad, w.shape[2:], stride, s_out)  # (N, C_in*K, P)
    dout_mat = dout.reshape(len(x), len(w), math.prod(s_out))  # (N, C_out, P)

    # weights: one GEMM over all images and positions
    dw = np.tensordot(dout_mat, cols, axes=([0, 2], [0, 2])).reshape(w.shape)

    # input: dcols = W_mat^T @ dout_mat, scattered back into the windows
    dcols = w.reshape(len(w), -1).T @ dout_mat  # (N, C_in*K, P)
    dx_pad = col2im(dcols, x_pad.shape, w.shape[2:], stride, s_out)
    dx = dx_pad[crop_spatial(padding, x.shape[2:], lead=2)]
    return dx, dw, _bias_gradient(dout, cache.has_bias)


def im2col(
    x_pad: np.ndarray,
    kernel: Sequence[int],
    stride: Sequence[int],
    s_out: Sequence[int],
) -> np.ndarray:
    """Copy every window of x_pad (N, C, *S_pad) into a column: (N, C*K, P).

    cols[n, (c, k), i] = x_pad[n, c, s*i + k], with K = prod(kernel) offsets k
    and P = prod(s_out) positions i, both row-major. The loop runs over the
    kernel offsets, not the pixels: for one offset k, x_pad[n, c, s*i + k]
    over all i is a strided view.

    Examples
    --------
    >>> im2col(np.arange(4.0).reshape(1, 1, 4), (2,), (1,), (3,))
    array([[[0., 1., 2.],
            [1., 2., 3.]]])
    """
    n, c = x_pad.shape[:2]
    n_offsets = math.prod(kernel)
    cols = np.empty((n, c, n_offsets) + tuple(s_out), dtype=x_pad.dtype)
    for k, offset in enumerate(np.ndindex(*kernel)):
        cols[:, :, k] = x_pad[_grid(offset, stride, s_out)]
    return cols.reshape(n, c * n_offsets, math.prod(s_out))


def col2im(
    cols: np.ndarray,
    x_pad_shape: Sequence[int],
    kernel: Sequence[int],
    stride: Sequence[int],
    s_out: Sequence[int],
) -> np.ndarray:
    """Add columns (N, C*K, P) back into their windows: the adjoint of `im2col`.

    x_pad[n, c, s*i + k] += cols[n, (c, k), i]; where windows overlap, their
    contributions add up. Returns a new array of shape ``x_pad_shape``.

    Examples
    --------
    >>> col2im(np.ones((1, 2, 3)), (1, 1, 4), (2,), (1,), (3,))
    array([[[1., 2., 2., 1.]]])
    """
    n, c = x_pad_shape[:2]
    cols = cols.reshape((n, c, math.prod(kernel)) + tuple(s_out))
    x_pad = np.zeros(x_pad_shape, dtype=cols.dtype)
    for k, offset in enumerate(np.ndindex(*kernel)):
        x_pad[_grid(offset, stride, s_out)] += cols[:, :, k]
    return x_pad


# ------------------------------------------------------------------- helpers
def _window(position, stride, kernel) -> tuple[slice, ...]:
    """Index of x_pad[:, :, s*i + k] for one output position i, all offsets k."""
    return (slice(None), slice(None)) + tuple(
        slice(i * s, i * s + k)
        for i, s, k in zip(position, stride, kernel, strict=True)
    )


def _grid(offset, stride, s_out) -> tuple[slice, ...]:
    """Index of x_pad[:, :, s*i + k] for one kernel offset k, all positions i."""
    return (slice(None), slice(None)) + tuple(
        slice(k, k + s * (o - 1) + 1, s)
        for k, s, o in zip(offset, stride, s_out, strict=True)
    )


def _per_channel(b: np.ndarray, ndim: int) -> np.ndarray:
    """Return b (C,) shaped (C, 1, ..., 1) to broadcast over ``ndim`` spatial axes."""
    return b.reshape((-1,) + (1,) * ndim)


def _bias_gradient(dout: np.ndarray, has_bias: bool) -> np.ndarray | None:
    """Return db[f] = sum of dout[:, f] over the batch and positions, or None."""
    return dout.sum(axis=(0, *range(2, dout.ndim))) if has_bias else None


# ------------------------------- argument checks (shared with conv_transpose)
def check_conv_args(
    func: str,
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    stride: int | Sequence[int],
    padding: int | Sequence[int],
    w_layout: str = "(C_out, C_in, *kernel)",
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Validate the arguments of a conv forward; return stride and padding tuples."""
    _check_float(x, "x", func)
    _check_float(w, "w", func, x.dtype)
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
        _check_float(b, "b", func, x.dtype)
        n_out = w.shape[1 - in_axis]
        if b.shape != (n_out,):
            fail(func, f"b of shape ({n_out},)", f"shape {b.shape}")
    stride = spatial_tuple(stride, ndim, "stride", func, 1)
    padding = spatial_tuple(padding, ndim, "padding", func, 0)
    return stride, padding


def conv_output_shape(
    func: str,
    x_shape: Sequence[int],
    kernel: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[int],
) -> tuple[int, ...]:
    """Return S_out (`conv_output_size`); fail if a kernel exceeds the padded input."""
    s_pad = tuple(s + 2 * p for s, p in zip(x_shape[2:], padding, strict=True))
    if any(k > s for k, s in zip(kernel, s_pad, strict=True)):
        fail(
            func,
            f"kernel {tuple(kernel)} no larger than the padded input {s_pad}",
            f"x of shape {tuple(x_shape)} with padding {padding}",
            "Use a smaller kernel or more padding.",
        )
    return conv_output_size(x_shape[2:], kernel, stride, padding)


def check_conv_dout(
    func: str, dout: np.ndarray, dtype: np.dtype, out_shape: Sequence[int]
) -> np.ndarray:
    """Check dout's kind (a float array) and shape; return it in ``dtype``."""
    _check_float(dout, "dout", func)
    return check_dout(dout, out_shape, func).astype(dtype, copy=False)


def check_backend(func: str, backend: str, allowed: Sequence[str]) -> None:
    """Check that ``backend`` is one of ``allowed``."""
    if backend not in allowed:
        fail(func, f"backend in {tuple(allowed)}", repr(backend))


def _check_float(arr, name: str, func: str, dtype=None) -> None:
    """Check that arr is an ndarray, floating and (if given) of ``dtype``."""
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
