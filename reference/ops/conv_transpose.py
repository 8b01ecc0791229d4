"""Transposed convolution (PyTorch's ConvTranspose1d/2d/3d) in 1, 2 and 3 spatial dims.

Public names: `conv_transpose_forward`, `conv_transpose_backward`,
`ConvTransposeCache`. The weight is (C_in, C_out, *kernel), PyTorch's layout.

A transposed convolution is the adjoint (the backward-data pass) of the
convolution with the same weight, stride and padding: it spreads every input
value over a kernel-sized window of the output instead of summing a window into
one output. So its forward is `conv_backward`'s dx computation and its backward
is `conv_forward` (for dx) plus `conv_backward`'s weight gradient; U-Net's
learned 2x upsampling (kernel 2, stride 2) is the common use.

Backends: ``"auto"`` and ``"numba"`` run the slab-wise GEMM driver of
`reference.ops._fast.gemm` (the memory-bounded engine of `conv_forward`;
``"auto"`` uses its NumPy gathers when Numba is disabled); ``"im2col"`` is the
readable version, `reference.ops.conv.col2im` of one matrix product per image.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from reference._validation import fail
from reference.ops._fast import gemm
from reference.ops._fast.dispatch import select_kernels
from reference.ops.conv import (
    check_backend,
    check_conv_args,
    check_conv_dout,
    col2im,
    im2col,
)
from reference.ops.padding import crop_spatial, pad_spatial

__all__ = [
    "BACKENDS",
    "ConvTransposeCache",
    "conv_transpose_backward",
    "conv_transpose_forward",
]

BACKENDS = ("auto", "numba", "im2col")


class ConvTransposeCache(NamedTuple):
    """What `conv_transpose_backward` needs (treat as opaque)."""

    x: np.ndarray  # the input (N, C_in, *S); not copied
    w: np.ndarray  # the weight (C_in, C_out, *kernel)
    has_bias: bool  # whether a bias was added (db is None otherwise)
    stride: tuple[int, ...]  # one int per spatial dim
    padding: tuple[int, ...]  # one int per spatial dim


def _output_shape(func, x, w, stride, padding) -> tuple:
    """Return S_out = (S - 1) * stride - 2 * padding + kernel; fail if not positive."""
    s_out = tuple(
        (s - 1) * st - 2 * p + k
        for s, st, p, k in zip(x.shape[2:], stride, padding, w.shape[2:], strict=False)
    )
    if any(s < 1 for s in s_out):
        fail(
            func,
            "a positive output size (S - 1) * stride - 2 * padding + kernel",
            f"{s_out} for x of shape {x.shape}, kernel {w.shape[2:]}, "
            f"stride {stride}, padding {padding}",
            "Use less padding.",
        )
    return s_out


def conv_transpose_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
    *,
    backend: str = "auto",
) -> tuple[np.ndarray, ConvTransposeCache]:
    """Upsample (N, C_in, *S) to (N, C_out, *S_out) with (C_in, C_out, *kernel) filters.

    Parameters
    ----------
    x : ndarray of shape (N, C_in, *S), float32 or float64
    w : ndarray of shape (C_in, C_out, *kernel), same dtype as x
    b : ndarray of shape (C_out,), optional
    stride, padding : int or tuple of int, optional
        One per spatial dim; stride >= 1 (default 1), padding >= 0 (default 0)
        is cropped from both sides of the output.
    backend : {"auto", "numba", "im2col"}, optional
        Implementation (see the module docstring); all give the same result
        up to float rounding.

    Returns
    -------
    out : ndarray of shape (N, C_out, *S_out), dtype of x
        S_out = (S - 1) * stride - 2 * padding + kernel per axis (PyTorch's rule
        with no output_padding).
    cache : ConvTransposeCache
        Opaque; pass to `conv_transpose_backward`.

    Raises
    ------
    TypeError, ValueError
        As `reference.ops.conv_forward`, plus a non-positive output size.

    See Also
    --------
    conv_transpose_backward, reference.ops.conv_backward, reference.nn.ConvTranspose

    Notes
    -----
    In 2D, every input pixel adds a weighted copy of the kernel to the output::

        out_full[n, f, s_0*i + u, s_1*j + v] += x[n, c, i, j] * w[c, f, u, v]

    summed over (c, i, j, u, v); out = out_full without ``padding`` on each
    side, plus b[f]. This is exactly dx of `conv_forward` with the same w,
    stride and padding, so <conv(z), x> = <z, conv_transpose(x)>.

    Examples
    --------
    >>> x, w = np.array([[[1.0, 2.0]]]), np.ones((1, 1, 2))
    >>> out, _ = conv_transpose_forward(x, w, stride=2)
    >>> out
    array([[[1., 1., 2., 2.]]])
    """
    func = "conv_transpose_forward"
    stride, padding = check_conv_args(
        func, x, w, b, stride, padding, w_layout="(C_in, C_out, *kernel)"
    )
    s_out = _output_shape(func, x, w, stride, padding)
    out_shape = (x.shape[0], w.shape[1]) + s_out
    check_backend(func, backend, BACKENDS)
    if backend == "im2col":
        out = _forward_im2col(x, w, stride, padding, out_shape)
    else:
        kernels, split = select_kernels(
            backend, func, out_shape, w.shape, stride, padding, x.dtype, gemm_only=True
        )
        out, _ = gemm.gemm_backward(
            x, None, w, stride, padding, split, kernels, x_shape=out_shape
        )
    if b is not None:
        out += b.reshape((-1,) + (1,) * len(s_out))
    return out, ConvTransposeCache(x, w, b is not None, stride, padding)


def conv_transpose_backward(
    dout: np.ndarray, cache: ConvTransposeCache, *, backend: str = "auto"
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Backpropagate through `conv_transpose_forward`: -> (dx, dw, db).

    Parameters
    ----------
    dout : ndarray of shape (N, C_out, *S_out)
    cache : ConvTransposeCache
    backend : {"auto", "numba", "im2col"}, optional
        As in `conv_transpose_forward`; need not be the forward's.

    Returns
    -------
    dx : ndarray of shape (N, C_in, *S)
    dw : ndarray of shape (C_in, C_out, *kernel)
    db : ndarray of shape (C_out,), or None when the forward had no bias

    Notes
    -----
    With dout_pad = dout zero-padded by ``padding`` (2D)::

        dx[n, c, i, j] = sum over f, u, v of
                         dout_pad[n, f, s_0*i + u, s_1*j + v] * w[c, f, u, v]
        dw[c, f, u, v] = sum over n, i, j of
                         x[n, c, i, j] * dout_pad[n, f, s_0*i + u, s_1*j + v]
        db[f]          = sum over n and positions of dout[n, f, ...]

    so dx is `conv_forward` of dout with the same w, stride and padding.

    Examples
    --------
    >>> x, w = np.ones((1, 1, 2)), np.ones((1, 1, 2))
    >>> out, cache = conv_transpose_forward(x, w, stride=2)
    >>> dx, dw, db = conv_transpose_backward(np.arange(4.0).reshape(1, 1, 4), cache)
    >>> dx, dw
    (array([[[1., 5.]]]), array([[[2., 4.]]]))
    """
    func = "conv_transpose_backward"
    x, w, stride, padding = cache.x, cache.w, cache.stride, cache.padding
    s_out = _output_shape(func, x, w, stride, padding)
    dout = check_conv_dout(func, dout, x.dtype, (x.shape[0], w.shape[1]) + s_out)
    check_backend(func, backend, BACKENDS)
    if backend == "im2col":
        dx, dw = _backward_im2col(dout, x, w, stride, padding)
    else:
        kernels, split = select_kernels(
            backend, func, dout.shape, w.shape, stride, padding, x.dtype, gemm_only=True
        )
        # dx is the ordinary convolution of dout; dw is its weight gradient
        dx = gemm.gemm_forward(dout, w, stride, padding, split, kernels)
        _, dw = gemm.gemm_backward(
            x, dout, w, stride, padding, split, kernels, need_dx=False
        )
    db = dout.sum(axis=(0, *range(2, dout.ndim))) if cache.has_bias else None
    return dx, dw, db


def _forward_im2col(x, w, stride, padding, out_shape) -> np.ndarray:
    """Out = col2im(W_mat^T @ x_mat), cropped: `conv_backward_im2col`'s dx pass.

    W_mat is w (C_in, C_out, *kernel) as (C_in, C_out*K); x_mat is x as
    (N, C_in, P) with P = prod(S) input positions, the grid of the windows.
    """
    n, c_in = x.shape[:2]
    x_mat = x.reshape(n, c_in, math.prod(x.shape[2:]))  # (N, C_in, P)
    cols = w.reshape(c_in, -1).T @ x_mat  # (N, C_out*K, P)
    full = out_shape[:2] + tuple(
        s + 2 * p for s, p in zip(out_shape[2:], padding, strict=True)
    )
    out_pad = col2im(cols, full, w.shape[2:], stride, x.shape[2:])
    return out_pad[crop_spatial(padding, out_shape[2:], lead=2)]


def _backward_im2col(dout, x, w, stride, padding) -> tuple[np.ndarray, np.ndarray]:
    """Dx = W_mat @ cols and dw = sum over n of x_mat @ cols^T, cols = im2col(dout)."""
    n, c_in = x.shape[:2]
    cols = im2col(pad_spatial(dout, padding), w.shape[2:], stride, x.shape[2:])
    dx = (w.reshape(c_in, -1) @ cols).reshape(x.shape)  # (N, C_in, *S)
    x_mat = x.reshape(n, c_in, math.prod(x.shape[2:]))  # (N, C_in, P)
    dw = np.tensordot(x_mat, cols, axes=([0, 2], [0, 2])).reshape(w.shape)
    return dx, dw
