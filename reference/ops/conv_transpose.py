"""Transposed convolution (PyTorch's ConvTranspose1d/2d/3d) in 1, 2 and 3 spatial dims.

Public names: `conv_transpose_forward`, `conv_transpose_backward`,
`ConvTransposeCache`. The weight is (C_in, C_out, *kernel), PyTorch's layout.

A transposed convolution is the adjoint (the backward-data pass) of the
convolution with the same weight, stride and padding: it spreads every input
value over a kernel-sized window of the output instead of summing a window into
one output. So its forward is `conv_backward`'s dx computation and its backward
is `conv_forward` (for dx) plus `conv_backward`'s weight gradient; U-Net's
learned 2x upsampling (kernel 2, stride 2) is the common use. Same slab-wise
GEMM engine, same memory bound as `reference.ops.conv`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from reference._validation import fail
from reference.ops import im2col as _im2col
from reference.ops.conv import _check_conv_args, _check_dout, _select

__all__ = ["ConvTransposeCache", "conv_transpose_backward", "conv_transpose_forward"]


class ConvTransposeCache(NamedTuple):
    """What `conv_transpose_backward` needs (treat as opaque)."""

    x: np.ndarray  # the input (N, C_in, *S); not copied
    w: np.ndarray  # the weight (C_in, C_out, *kernel)
    has_bias: bool  # whether a bias was added (db is None otherwise)
    stride: tuple  # one int per spatial dim
    padding: tuple  # one int per spatial dim


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


def conv_transpose_forward(x, w, b=None, stride=1, padding=0, *, backend: str = "auto"):
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
    stride, padding = _check_conv_args(
        func, x, w, b, stride, padding, w_layout="(C_in, C_out, *kernel)"
    )
    s_out = _output_shape(func, x, w, stride, padding)
    out_shape = (x.shape[0], w.shape[1]) + s_out
    kernels, split = _select(
        backend, func, out_shape, w.shape, stride, padding, x.dtype, gemm_only=True
    )
    out, _ = _im2col.gemm_backward(
        x, None, w, stride, padding, split, kernels, x_shape=out_shape
    )
    if b is not None:
        out += b.reshape((-1,) + (1,) * len(s_out))
    return out, ConvTransposeCache(x, w, b is not None, stride, padding)


def conv_transpose_backward(dout, cache: ConvTransposeCache, *, backend: str = "auto"):
    """Backpropagate through `conv_transpose_forward`: -> (dx, dw, db).

    Parameters
    ----------
    dout : ndarray of shape (N, C_out, *S_out)
    cache : ConvTransposeCache
    backend : {"auto", "numba", "im2col"}, optional

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
    x, w = cache.x, cache.w
    s_out = _output_shape(func, x, w, cache.stride, cache.padding)
    dout = _check_dout(func, dout, cache, (x.shape[0], w.shape[1]) + s_out)
    kernels, split = _select(
        backend,
        func,
        dout.shape,
        w.shape,
        cache.stride,
        cache.padding,
        x.dtype,
        gemm_only=True,
    )

    # dx is the ordinary convolution of dout; dw is that convolution's weight gradient
    dx = _im2col.gemm_forward(dout, w, cache.stride, cache.padding, split, kernels)
    _, dw = _im2col.gemm_backward(
        x, dout, w, cache.stride, cache.padding, split, kernels, need_dx=False
    )
    db = dout.sum(axis=(0, *range(2, dout.ndim))) if cache.has_bias else None
    return dx, dw, db
