"""Pooling kernels for (N, C, *S) inputs with 1, 2 or 3 spatial dims.

Public: `max_pool_forward` / `max_pool_backward`, `avg_pool_forward` /
`avg_pool_backward`, `global_avg_pool_forward` / `global_avg_pool_backward`,
and their caches `PoolCache`, `GlobalPoolCache`.

``kernel``, ``stride`` and ``padding`` are an int (same in every spatial dim)
or a tuple with one entry per spatial dim; ``stride`` defaults to ``kernel``.
Per spatial axis the output size is ``1 + (size + 2 * padding - kernel) // stride``.

Max pooling runs a Numba loop kernel (``_fast/kernels_pool.py``); with
``NUMBA_DISABLE_JIT=1``, or below `SMALL_ELEMENTS` input elements
(`reference.ops._fast.dispatch.compiled_pays`), it runs the kernel's NumPy
twin instead. Average pooling is plain NumPy: a sum of strided views, one per
window offset.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from reference._validation import (
    as_float_array,
    check_cache,
    check_dout,
    check_ndim,
    conv_output_size,
    fail,
    spatial_tuple,
)
from reference.ops._fast import kernels_pool
from reference.ops._fast.dispatch import SMALL_ELEMENTS, compiled_pays
from reference.ops._fast.threads import share

__all__ = [
    "GlobalPoolCache",
    "PoolCache",
    "avg_pool_backward",
    "avg_pool_forward",
    "global_avg_pool_backward",
    "global_avg_pool_forward",
    "max_pool_backward",
    "max_pool_forward",
]

_X_LEGEND = "(N, C, *S)"
_X_HINT = "Pooling needs batch and channel axes; add them with x[None] or x[:, None]."


class PoolCache(NamedTuple):
    """What `max_pool_backward` / `avg_pool_backward` need (opaque to callers)."""

    mode: str  # "max" or "avg": the forward that made this cache
    x_shape: tuple  # (N, C, *S)
    x_dtype: np.dtype
    kernel: tuple  # one int per spatial dim
    stride: tuple
    padding: tuple
    argmax: np.ndarray | None  # (N, C, *S_out) window cell numbers (max pooling only)


class GlobalPoolCache(NamedTuple):
    """What `global_avg_pool_backward` needs (opaque to callers)."""

    x_shape: tuple  # (N, C, *S)
    x_dtype: np.dtype


def _check_pool_input(x, kernel, stride, padding, func):
    """Validate the pooling arguments; return x, kernel, stride, padding, S_out."""
    x = as_float_array(x, "x", func)
    check_ndim(x, (3, 4, 5), "x", func, _X_LEGEND, _X_HINT)
    nd = x.ndim - 2
    kernel = spatial_tuple(kernel, nd, "kernel", func, 1)
    stride = kernel if stride is None else spatial_tuple(stride, nd, "stride", func, 1)
    padding = spatial_tuple(padding, nd, "padding", func, 0)

    # every window must hold at least one real cell, and fit in the padded input
    half = tuple(k // 2 for k in kernel)
    if any(p > h for p, h in zip(padding, half, strict=True)):
        fail(
            func,
            f"padding at most half the kernel (<= {half})",
            f"padding={padding}",
            "Larger padding would create windows made only of padding.",
        )
    padded = tuple(s + 2 * p for s, p in zip(x.shape[2:], padding, strict=True))
    if any(k > s for k, s in zip(kernel, padded, strict=True)):
        size = "padded spatial size" if any(padding) else "spatial size"
        fail(
            func,
            f"kernel no larger than the {size} {padded}",
            f"kernel={kernel} for x of shape {tuple(x.shape)}",
            "Use a smaller kernel or a larger input.",
        )
    out_spatial = conv_output_size(x.shape[2:], kernel, stride, padding)
    return x, kernel, stride, padding, out_spatial


def _check_pool_cache(cache, mode: str, func: str) -> None:
    """Check that ``cache`` is the PoolCache made by ``<mode>_pool_forward``."""
    check_cache(cache, PoolCache, func)
    if cache.mode != mode:
        fail(
            func,
            f"the PoolCache returned by {mode}_pool_forward",
            f"a PoolCache from {cache.mode}_pool_forward",
            kind=TypeError,
        )


def _as_3d(shape, kernel, stride, padding):
    """Map (N, C, *S) to the canonical (N*C, D, H, W) layout of `kernels_pool`."""
    lead = 3 - len(kernel)
    maps = (shape[0] * shape[1], *(1,) * lead, *shape[2:])
    return maps, (1,) * lead + kernel, (1,) * lead + stride, (0,) * lead + padding


MIN_THREAD_CELLS = 1 << 20  # inputs with fewer cells are pooled in one thread


def by_maps(call: Callable[[int, int], None], n_maps: int, cells: int) -> None:
    """Run call(first, stop) over maps [0, n_maps): two threads if ``cells`` is large.

    The loop kernels release the GIL and the maps are independent, so two
    runs of maps go to two cores (timings: ``benchmarks/RESULTS.md``); inputs
    under MIN_THREAD_CELLS run in one.
    """
    share(call, n_maps, cells, MIN_THREAD_CELLS)


def _index_dtype(kernel):
    """Smallest integer dtype that numbers every cell of a window."""
    return np.uint8 if np.prod(kernel) <= 256 else np.int32


def max_pool_forward(
    x: np.ndarray,
    kernel: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] = 0,
) -> tuple[np.ndarray, PoolCache]:
    """Take the maximum over each window of (N, C, *S), giving (N, C, *S_out).

    Parameters
    ----------
    x : ndarray of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W), float
    kernel : int or tuple of ints
        Window size, one entry per spatial dim (an int means the same in all).
    stride : int or tuple of ints, optional
        Step between windows; defaults to ``kernel`` (non-overlapping windows).
    padding : int or tuple of ints, optional
        Cells added on both sides of each spatial axis (default 0), at most
        ``kernel // 2``. Padded cells count as -inf, so they never win.

    Returns
    -------
    out : ndarray of shape (N, C, *S_out), x's dtype
        ``S_out = 1 + (S + 2 * padding - kernel) // stride`` per axis.
    cache : PoolCache
        Opaque; pass to `max_pool_backward`.

    Raises
    ------
    ValueError
        If x does not have 3 to 5 dims, a hyperparameter is out of range, or
        the kernel is larger than the padded input.
    TypeError
        If a hyperparameter is not an int or a tuple of ints.

    See Also
    --------
    max_pool_backward, avg_pool_forward

    Notes
    -----
    In 2D, with x_pad the input padded with -inf::

        out[n, c, i, j] = max over u < KH, v < KW of x_pad[n, c, s0*i + u, s1*j + v]

    Ties: the first maximum in row-major window order (u, then v) is the one
    recorded, and only it receives the gradient (as in PyTorch's CPU kernel).
    A NaN in a window makes that output NaN, so divergence is not hidden.
    DenseNet's stem uses kernel 3, stride 2, padding 1; U-Net uses kernel 2.

    Examples
    --------
    >>> x = np.array([[[[1., 2., 5., 0.], [3., 4., 1., 2.]]]])
    >>> out, cache = max_pool_forward(x, kernel=2)
    >>> out
    array([[[[4., 5.]]]])
    >>> max_pool_forward(x, kernel=3, stride=2, padding=1)[0]
    array([[[[4., 5.]]]])
    """
    func = "max_pool_forward"
    x, kernel, stride, padding, out_spatial = _check_pool_input(
        x, kernel, stride, padding, func
    )
    maps_shape, k3, s3, p3 = _as_3d(x.shape, kernel, stride, padding)

    # run the loop kernel on the canonical (N*C, D, H, W) layout
    x_maps = np.ascontiguousarray(x).reshape(maps_shape)
    out_maps_shape = (maps_shape[0], *(1,) * (3 - len(kernel)), *out_spatial)
    out = np.empty(out_maps_shape, dtype=x.dtype)
    argmax = np.empty(out_maps_shape, dtype=_index_dtype(kernel))
    compiled = kernels_pool.jit_enabled() and compiled_pays(x.size, SMALL_ELEMENTS)
    kernel_fn = (
        kernels_pool.max_pool_forward_3d
        if compiled
        else kernels_pool.max_pool_forward_3d_numpy
    )
    by_maps(
        lambda a, b: kernel_fn(x_maps[a:b], *k3, *s3, *p3, out[a:b], argmax[a:b]),
        len(x_maps),
        x_maps.size,
    )

    out_shape = (*x.shape[:2], *out_spatial)
    cache = PoolCache(
        "max",
        tuple(x.shape),
        x.dtype,
        kernel,
        stride,
        padding,
        argmax.reshape(out_shape),
    )
    return out.reshape(out_shape), cache


def max_pool_backward(dout: np.ndarray, cache: PoolCache) -> np.ndarray:
    """Route each gradient in dout (N, C, *S_out) to its window's maximum in x.

    Parameters
    ----------
    dout : ndarray of shape (N, C, *S_out)
        Upstream gradient d loss / d out.
    cache : PoolCache
        From `max_pool_forward`.

    Returns
    -------
    dx : ndarray of shape (N, C, *S), x's dtype

    See Also
    --------
    max_pool_forward

    Notes
    -----
    dx[n, c, s0*i + u*, s1*j + v*] += dout[n, c, i, j], where (u*, v*) is the
    window cell that held the maximum; every other cell gets 0. Overlapping
    windows (stride < kernel) add up.

    Examples
    --------
    >>> x = np.array([[[[1., 2.], [4., 3.]]]])
    >>> out, cache = max_pool_forward(x, kernel=2)
    >>> max_pool_backward(np.array([[[[10.]]]]), cache)
    array([[[[ 0.,  0.],
             [10.,  0.]]]])
    """
    func = "max_pool_backward"
    _check_pool_cache(cache, "max", func)
    dout = check_dout(dout, cache.argmax.shape, func)
    maps_shape, k3, s3, p3 = _as_3d(
        cache.x_shape, cache.kernel, cache.stride, cache.padding
    )

    # scatter-add into a zero gradient on the canonical layout
    out_maps_shape = (maps_shape[0], *(1,) * (3 - len(cache.kernel)), *dout.shape[2:])
    dout_maps = np.ascontiguousarray(dout, dtype=cache.x_dtype).reshape(out_maps_shape)
    dx = np.zeros(maps_shape, dtype=cache.x_dtype)
    compiled = kernels_pool.jit_enabled() and compiled_pays(dx.size, SMALL_ELEMENTS)
    kernel_fn = (
        kernels_pool.max_pool_backward_3d
        if compiled
        else kernels_pool.max_pool_backward_3d_numpy
    )
    argmax = cache.argmax.reshape(out_maps_shape)
    by_maps(
        lambda a, b: kernel_fn(dout_maps[a:b], argmax[a:b], *k3, *s3, *p3, dx[a:b]),
        len(dx),
        dx.size,
    )
    return dx.reshape(cache.x_shape)


def _windows(a, kernel, stride, out_spatial):
    """Yield the view a[:, :, u + s0*i, v + s1*j, ...] for each window offset (u, v)."""
    for offset in np.ndindex(*kernel):
        yield a[
            (
                slice(None),
                slice(None),
                *(
                    slice(o, o + s * (n - 1) + 1, s)
                    for o, s, n in zip(offset, stride, out_spatial, strict=True)
                ),
            )
        ]


def avg_pool_forward(
    x: np.ndarray,
    kernel: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
) -> tuple[np.ndarray, PoolCache]:
    """Average each window of (N, C, *S), giving (N, C, *S_out).

    Parameters
    ----------
    x : ndarray of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W), float
    kernel : int or tuple of ints
        Window size, one entry per spatial dim.
    stride : int or tuple of ints, optional
        Step between windows; defaults to ``kernel``.

    Returns
    -------
    out : ndarray of shape (N, C, *S_out), x's dtype
        ``S_out = 1 + (S - kernel) // stride`` per axis (cells past the last
        full window are ignored).
    cache : PoolCache
        Opaque; pass to `avg_pool_backward`.

    Raises
    ------
    ValueError
        If x does not have 3 to 5 dims, or the kernel is larger than x.
    TypeError
        If ``kernel`` or ``stride`` is not an int or a tuple of ints.

    See Also
    --------
    avg_pool_backward, global_avg_pool_forward

    Notes
    -----
    out[n, c, i, j] = (1 / (KH * KW)) * sum over u < KH, v < KW of
    x[n, c, s0*i + u, s1*j + v]. DenseNet's transition uses kernel 2, stride 2.

    Examples
    --------
    >>> x = np.arange(8.0).reshape(1, 1, 2, 4)
    >>> avg_pool_forward(x, kernel=2)[0]
    array([[[[2.5, 4.5]]]])
    """
    func = "avg_pool_forward"
    x, kernel, stride, padding, out_spatial = _check_pool_input(
        x, kernel, stride, 0, func
    )

    # sum one strided view per window offset, then divide by the window size
    views = _windows(x, kernel, stride, out_spatial)
    out = next(views).copy()
    for view in views:
        out += view
    out *= x.dtype.type(1.0 / np.prod(kernel))
    return out, PoolCache("avg", tuple(x.shape), x.dtype, kernel, stride, padding, None)


def avg_pool_backward(dout: np.ndarray, cache: PoolCache) -> np.ndarray:
    """Spread each gradient in dout (N, C, *S_out) evenly over its window in x.

    Parameters
    ----------
    dout : ndarray of shape (N, C, *S_out)
    cache : PoolCache
        From `avg_pool_forward`.

    Returns
    -------
    dx : ndarray of shape (N, C, *S), x's dtype

    See Also
    --------
    avg_pool_forward

    Notes
    -----
    dx[n, c, s0*i + u, s1*j + v] += dout[n, c, i, j] / (KH * KW) for every
    u < KH, v < KW; cells outside every window get 0.

    Examples
    --------
    >>> out, cache = avg_pool_forward(np.ones((1, 1, 2, 2)), kernel=2)
    >>> avg_pool_backward(np.array([[[[4.]]]]), cache)
    array([[[[1., 1.],
             [1., 1.]]]])
    """
    func = "avg_pool_backward"
    _check_pool_cache(cache, "avg", func)
    n, c, *spatial = cache.x_shape
    out_spatial = conv_output_size(spatial, cache.kernel, cache.stride, cache.padding)
    dout = check_dout(dout, (n, c, *out_spatial), func)
    share = (dout * (1.0 / np.prod(cache.kernel))).astype(cache.x_dtype, copy=False)

    # windows that tile x exactly cover every cell; otherwise start from zeros
    pairs = list(zip(cache.kernel, cache.stride, out_spatial, spatial, strict=True))
    tiles = all(k == st and k * m == s for k, st, m, s in pairs)
    dx = (np.empty if tiles else np.zeros)(cache.x_shape, dtype=cache.x_dtype)

    # one strided view per window offset: assign if windows are disjoint, else add
    overlap = any(st < k for k, st, _, _ in pairs)
    for view in _windows(dx, cache.kernel, cache.stride, out_spatial):
        if overlap:
            view += share
        else:
            view[...] = share
    return dx


def global_avg_pool_forward(x: np.ndarray) -> tuple[np.ndarray, GlobalPoolCache]:
    """Average every channel of (N, C, *S) over all spatial cells, giving (N, C).

    Parameters
    ----------
    x : ndarray of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W), float

    Returns
    -------
    out : ndarray of shape (N, C), x's dtype
    cache : GlobalPoolCache
        Opaque; pass to `global_avg_pool_backward`.

    Raises
    ------
    ValueError
        If x does not have 3 to 5 dims.

    See Also
    --------
    global_avg_pool_backward, avg_pool_forward

    Notes
    -----
    out[n, c] = (1 / (H * W)) * sum over i, j of x[n, c, i, j]; DenseNet's
    head applies it before the classifier.

    Examples
    --------
    >>> x = np.arange(8.0).reshape(1, 2, 2, 2)
    >>> global_avg_pool_forward(x)[0]
    array([[1.5, 5.5]])
    """
    func = "global_avg_pool_forward"
    x = as_float_array(x, "x", func)
    check_ndim(x, (3, 4, 5), "x", func, _X_LEGEND, _X_HINT)

    # pairwise sum along the contiguous flattened spatial axis
    out = np.ascontiguousarray(x).reshape(*x.shape[:2], -1).mean(axis=2)  # (N, C)
    return out, GlobalPoolCache(tuple(x.shape), x.dtype)


def global_avg_pool_backward(dout: np.ndarray, cache: GlobalPoolCache) -> np.ndarray:
    """Spread each dout[n, c] evenly over the spatial cells of channel c.

    Parameters
    ----------
    dout : ndarray of shape (N, C)
    cache : GlobalPoolCache
        From `global_avg_pool_forward`.

    Returns
    -------
    dx : ndarray of shape (N, C, *S), x's dtype
        dx[n, c, i, j] = dout[n, c] / (H * W).

    See Also
    --------
    global_avg_pool_forward

    Examples
    --------
    >>> out, cache = global_avg_pool_forward(np.zeros((1, 1, 2, 2)))
    >>> global_avg_pool_backward(np.array([[8.]]), cache)
    array([[[[2., 2.],
             [2., 2.]]]])
    """
    func = "global_avg_pool_backward"
    check_cache(cache, GlobalPoolCache, func)
    dout = check_dout(dout, cache.x_shape[:2], func)
    n, c, *spatial = cache.x_shape
    share = (dout * (1.0 / np.prod(spatial))).astype(cache.x_dtype, copy=False)
    dx = np.empty(cache.x_shape, dtype=cache.x_dtype)
    dx[...] = share.reshape(n, c, *(1,) * len(spatial))
    return dx
