"""Nearest-neighbour upsampling by an integer factor, for 1, 2 and 3 spatial dims.

Public: `upsample_forward` / `upsample_backward` (`UpsampleCache`).

U-Net's decoder doubles every spatial size before joining the skip
connection; nearest-neighbour upsampling (then a convolution) is the
parameter-free alternative to a transposed convolution (``conv_transpose.py``).
The loops run in Numba (``_fast/kernels_pool.py``), or in their NumPy twins when
``NUMBA_DISABLE_JIT=1`` or below `SMALL_ELEMENTS` input elements
(`reference.ops._fast.dispatch.compiled_pays`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from reference._validation import (
    as_float_array,
    check_cache,
    check_ndim,
    fail,
    spatial_tuple,
)
from reference.ops._fast import kernels_pool
from reference.ops._fast.dispatch import SMALL_ELEMENTS, compiled_pays
from reference.ops.pooling import by_maps

__all__ = ["UpsampleCache", "upsample_backward", "upsample_forward"]


class UpsampleCache(NamedTuple):
    """What `upsample_backward` needs (opaque to callers)."""

    x_shape: tuple  # (N, C, *S)
    x_dtype: np.dtype
    scale: tuple  # one int per spatial dim


def upsample_forward(
    x: np.ndarray, scale: int | tuple[int, ...] = 2
) -> tuple[np.ndarray, UpsampleCache]:
    """Repeat every cell of (N, C, *S) ``scale`` times along each spatial axis.

    Parameters
    ----------
    x : ndarray of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W), float
    scale : int or tuple of ints, optional
        Factor per spatial dim, each >= 1 (default 2 in every dim).

    Returns
    -------
    out : ndarray of shape (N, C, *(S * scale)), x's dtype
    cache : UpsampleCache
        Opaque; pass to `upsample_backward`.

    Raises
    ------
    ValueError
        If x does not have 3 to 5 dims or a factor is below 1.
    TypeError
        If ``scale`` is not an int or a tuple of ints.

    See Also
    --------
    upsample_backward

    Notes
    -----
    out[n, c, i, j] = x[n, c, i // s0, j // s1]  (PyTorch's mode="nearest").

    Examples
    --------
    >>> out, cache = upsample_forward(np.array([[[1.0, 2.0]]]), scale=2)
    >>> out
    array([[[1., 1., 2., 2.]]])
    """
    func = "upsample_forward"
    x = as_float_array(x, "x", func)
    check_ndim(
        x,
        (3, 4, 5),
        "x",
        func,
        "(N, C, *S)",
        "Add batch and channel axes with x[None] or x[:, None].",
    )
    spatial = x.shape[2:]
    scale = spatial_tuple(scale, len(spatial), "scale", func, 1)

    # run the loop kernel on the canonical (N*C, D, H, W) layout
    lead = (1,) * (3 - len(spatial))
    out_shape = (*x.shape[:2], *(s * f for s, f in zip(spatial, scale, strict=True)))
    out = np.empty(out_shape, dtype=x.dtype)
    compiled = kernels_pool.jit_enabled() and compiled_pays(x.size, SMALL_ELEMENTS)
    kernel_fn = (
        kernels_pool.upsample_forward_3d
        if compiled
        else kernels_pool.upsample_forward_3d_numpy
    )
    maps = x.shape[0] * x.shape[1]
    x_maps = np.ascontiguousarray(x).reshape(maps, *lead, *spatial)
    out_maps = out.reshape(maps, *lead, *out_shape[2:])
    by_maps(
        lambda a, b: kernel_fn(x_maps[a:b], *lead, *scale, out_maps[a:b]),
        maps,
        out.size,
    )
    return out, UpsampleCache(tuple(x.shape), x.dtype, scale)


def upsample_backward(dout: np.ndarray, cache: UpsampleCache) -> np.ndarray:
    """Sum dout (N, C, *(S * scale)) over each scale block, giving dx (N, C, *S).

    Parameters
    ----------
    dout : ndarray of shape (N, C, *(S * scale))
    cache : UpsampleCache
        From `upsample_forward`.

    Returns
    -------
    dx : ndarray of shape (N, C, *S)

    Raises
    ------
    ValueError
        If dout's shape is not x's shape times the scale in every spatial dim.

    See Also
    --------
    upsample_forward

    Notes
    -----
    dx[n, c, i, j] = sum over u < s0, v < s1 of dout[n, c, s0*i + u, s1*j + v]:
    each input cell was copied into its block, so it collects the block's
    gradients.

    Examples
    --------
    >>> out, cache = upsample_forward(np.zeros((1, 1, 2)), scale=2)
    >>> upsample_backward(np.array([[[1.0, 2.0, 3.0, 4.0]]]), cache)
    array([[[3., 7.]]])
    """
    func = "upsample_backward"
    check_cache(cache, UpsampleCache, func)
    dout = as_float_array(dout, "dout", func)
    n, c, *spatial = cache.x_shape
    expected = (n, c, *(s * f for s, f in zip(spatial, cache.scale, strict=True)))
    if dout.shape != expected:
        fail(
            func,
            f"dout of shape {expected} (x's spatial shape {tuple(spatial)} "
            f"times scale {cache.scale})",
            f"shape {tuple(dout.shape)}",
        )

    # sum each block on the canonical (N*C, D, H, W) layout
    lead = (1,) * (3 - len(spatial))
    dx = np.zeros(cache.x_shape, dtype=cache.x_dtype)
    compiled = kernels_pool.jit_enabled() and compiled_pays(dx.size, SMALL_ELEMENTS)
    kernel_fn = (
        kernels_pool.upsample_backward_3d
        if compiled
        else kernels_pool.upsample_backward_3d_numpy
    )
    dout_maps = np.ascontiguousarray(dout, dtype=cache.x_dtype).reshape(
        n * c, *lead, *expected[2:]
    )  # (N*C, D_out, H_out, W_out)
    dx_maps = dx.reshape(n * c, *lead, *spatial)
    by_maps(
        lambda a, b: kernel_fn(dout_maps[a:b], *lead, *cache.scale, dx_maps[a:b]),
        n * c,
        dout_maps.size,
    )
    return dx
