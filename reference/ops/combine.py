"""The two graph-branching primitives: channel concatenation and addition.

Public: `concat_forward` / `concat_backward` (`ConcatCache`) and
`add_forward` / `add_backward` (`AddCache`).

Their backwards are the two rules every branching network follows:
a concatenation SPLITS the gradient by channel (U-Net skips, DenseNet
growth); a fork or sum gives EVERY branch the whole gradient (residuals).
Both inputs must have the same dtype: a silent float32 + float64 promotion
usually means a parameter was never converted.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from reference._validation import (
    as_float_array,
    check_cache,
    check_dout,
    check_ndim,
    fail,
)

__all__ = [
    "AddCache",
    "ConcatCache",
    "add_backward",
    "add_forward",
    "concat_backward",
    "concat_forward",
]


class ConcatCache(NamedTuple):
    """What `concat_backward` needs: where to split the channels."""

    split: int  # channels that came from `a`; the rest came from `b`
    out_shape: tuple  # (N, C_a + C_b, *S)


class AddCache(NamedTuple):
    """What `add_backward` needs: the shape both inputs share."""

    shape: tuple


def _check_pair(a, b, func, ndims=None):
    """Convert a and b to float arrays with the same dtype (and ndim in ``ndims``)."""
    a = as_float_array(a, "a", func)
    b = as_float_array(b, "b", func)
    if ndims is not None:
        check_ndim(a, ndims, "a", func, "(N, C, *S)")
    if b.ndim != a.ndim:
        fail(func, f"b with {a.ndim} dims like a", f"shape {tuple(b.shape)}")
    if a.dtype != b.dtype:
        fail(
            func,
            "a and b with the same dtype",
            f"{a.dtype} and {b.dtype}",
            "Convert one with .astype(...).",
            kind=TypeError,
        )
    return a, b


def concat_forward(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ConcatCache]:
    """Join (N, C_a, *S) and (N, C_b, *S) along channels into (N, C_a + C_b, *S).

    Parameters
    ----------
    a : ndarray of shape (N, C_a, *S), float
    b : ndarray of shape (N, C_b, *S), same dtype as a

    Returns
    -------
    out : ndarray of shape (N, C_a + C_b, *S)
        out[:, :C_a] is a and out[:, C_a:] is b.
    cache : ConcatCache
        Opaque; pass to `concat_backward`.

    Raises
    ------
    ValueError
        If a or b has fewer than 2 dims, or they differ in any axis but 1.
    TypeError
        If a and b have different dtypes.

    See Also
    --------
    concat_backward, add_forward

    Examples
    --------
    >>> out, cache = concat_forward(np.zeros((1, 1, 2)), np.ones((1, 2, 2)))
    >>> out.shape, cache.split
    ((1, 3, 2), 1)
    """
    func = "concat_forward"
    a, b = _check_pair(a, b, func, (2, 3, 4, 5))
    if a.shape[:1] + a.shape[2:] != b.shape[:1] + b.shape[2:]:
        fail(
            func,
            "a and b with the same shape except along channels (axis 1)",
            f"{tuple(a.shape)} and {tuple(b.shape)}",
            "U-Net skips need matching sizes: crop or pad one of them.",
        )
    out = np.concatenate([a, b], axis=1)
    return out, ConcatCache(a.shape[1], tuple(out.shape))


def concat_backward(
    dout: np.ndarray, cache: ConcatCache
) -> tuple[np.ndarray, np.ndarray]:
    """Split dout (N, C_a + C_b, *S) into (da, db): a concat's gradient is a slice.

    Parameters
    ----------
    dout : ndarray of shape (N, C_a + C_b, *S)
    cache : ConcatCache
        From `concat_forward`.

    Returns
    -------
    da : ndarray of shape (N, C_a, *S)
        da = dout[:, :C_a] (a contiguous copy, safe to modify).
    db : ndarray of shape (N, C_b, *S)
        db = dout[:, C_a:] (a contiguous copy).

    See Also
    --------
    concat_forward

    Examples
    --------
    >>> out, cache = concat_forward(np.zeros((1, 1)), np.zeros((1, 2)))
    >>> concat_backward(np.array([[1.0, 2.0, 3.0]]), cache)
    (array([[1.]]), array([[2., 3.]]))
    """
    func = "concat_backward"
    check_cache(cache, ConcatCache, func)
    dout = check_dout(dout, cache.out_shape, func)
    return dout[:, : cache.split].copy(), dout[:, cache.split :].copy()


def add_forward(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, AddCache]:
    """Add two arrays of the same shape element-wise (a residual join).

    Parameters
    ----------
    a : ndarray of any shape, float
    b : ndarray, a's shape and dtype (no broadcasting)

    Returns
    -------
    out : ndarray, a's shape and dtype
        out = a + b.
    cache : AddCache
        Opaque; pass to `add_backward`.

    Raises
    ------
    ValueError
        If a and b have different shapes.
    TypeError
        If a and b have different dtypes.

    See Also
    --------
    add_backward, concat_forward

    Examples
    --------
    >>> add_forward(np.array([1.0, 2.0]), np.array([10.0, 20.0]))[0]
    array([11., 22.])
    """
    func = "add_forward"
    a, b = _check_pair(a, b, func)
    if a.shape != b.shape:
        fail(
            func,
            "a and b with the same shape (add_forward never broadcasts)",
            f"{tuple(a.shape)} and {tuple(b.shape)}",
        )
    return a + b, AddCache(tuple(a.shape))


def add_backward(dout: np.ndarray, cache: AddCache) -> tuple[np.ndarray, np.ndarray]:
    """Give both inputs of a sum the whole upstream gradient.

    Parameters
    ----------
    dout : ndarray, the forward output's shape
    cache : AddCache
        From `add_forward`.

    Returns
    -------
    da, db : ndarray, dout's shape
        Both equal dout (two independent copies, safe to modify).

    See Also
    --------
    add_forward

    Notes
    -----
    d(a + b)/da = d(a + b)/db = 1, so da = db = dout. The converse rule, used
    when one array feeds two branches (a fork), is to ADD the two gradients.

    Examples
    --------
    >>> out, cache = add_forward(np.zeros(2), np.zeros(2))
    >>> add_backward(np.array([1.0, 2.0]), cache)
    (array([1., 2.]), array([1., 2.]))
    """
    func = "add_backward"
    check_cache(cache, AddCache, func)
    dout = check_dout(dout, cache.shape, func)
    return dout.copy(), dout.copy()
