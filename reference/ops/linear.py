"""The affine (fully connected) layer: out = x w^T + b, with PyTorch's weight layout.

Public: `linear_forward` / `linear_backward` (`LinearCache`).

``w`` is (F_out, F_in) like ``torch.nn.Linear.weight``, so a DenseNet
classifier's weights load one-to-one. The parameters are cast to x's dtype;
outputs and gradients have x's dtype.
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

__all__ = ["LinearCache", "linear_backward", "linear_forward"]


class LinearCache(NamedTuple):
    """What `linear_backward` needs (opaque to callers)."""

    x: np.ndarray  # (N, F_in)
    w: np.ndarray  # (F_out, F_in), x's dtype
    has_bias: bool


def linear_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None
) -> tuple[np.ndarray, LinearCache]:
    """Map (N, F_in) features to (N, F_out) with out = x @ w.T + b.

    Parameters
    ----------
    x : ndarray of shape (N, F_in), float
    w : ndarray of shape (F_out, F_in)
        Weight, PyTorch's layout.
    b : ndarray of shape (F_out,), optional
        Bias; None (default) for no bias.

    Returns
    -------
    out : ndarray of shape (N, F_out), x's dtype
    cache : LinearCache
        Opaque; pass to `linear_backward`.

    Raises
    ------
    ValueError
        If x or w is not 2-D, their feature sizes differ, or b does not have
        F_out entries.

    See Also
    --------
    linear_backward

    Notes
    -----
    out[n, f] = b[f] + sum over k of x[n, k] * w[f, k].

    Examples
    --------
    >>> x = np.array([[1.0, 2.0]])
    >>> w = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, -1.0]])  # F_out = 3, F_in = 2
    >>> linear_forward(x, w, b=np.array([0.0, 0.0, 10.0]))[0]
    array([[1., 3., 8.]])
    """
    func = "linear_forward"
    x = as_float_array(x, "x", func)
    check_ndim(
        x,
        2,
        "x",
        func,
        "(N, F_in)",
        "Flatten the features first, e.g. x.reshape(len(x), -1).",
    )
    w = as_float_array(w, "w", func)
    check_ndim(w, 2, "w", func, "(F_out, F_in)")
    if w.shape[1] != x.shape[1]:
        fail(
            func,
            f"w of shape (F_out, {x.shape[1]}) to match x's F_in = {x.shape[1]}",
            f"shape {tuple(w.shape)}",
            "w uses PyTorch's (F_out, F_in) layout; transpose a (F_in, F_out) weight.",
        )
    w = w.astype(x.dtype, copy=False)

    # affine map, then the bias
    out = x @ w.T  # (N, F_out)
    if b is not None:
        b = as_float_array(b, "b", func)
        if b.shape != (w.shape[0],):
            fail(
                func,
                f"b of shape (F_out,) = ({w.shape[0]},)",
                f"shape {tuple(b.shape)}",
            )
        out += b.astype(x.dtype, copy=False)
    return out, LinearCache(x, w, b is not None)


def linear_backward(
    dout: np.ndarray, cache: LinearCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Return (dx, dw, db) for `linear_forward`.

    Parameters
    ----------
    dout : ndarray of shape (N, F_out)
    cache : LinearCache
        From `linear_forward`.

    Returns
    -------
    dx : ndarray of shape (N, F_in)
    dw : ndarray of shape (F_out, F_in)
    db : ndarray of shape (F_out,), or None when the forward had no bias

    See Also
    --------
    linear_forward

    Notes
    -----
    dx[n, k] = sum over f of dout[n, f] * w[f, k];
    dw[f, k] = sum over n of dout[n, f] * x[n, k];
    db[f] = sum over n of dout[n, f].

    Examples
    --------
    >>> out, cache = linear_forward(np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]]))
    >>> linear_backward(np.array([[1.0]]), cache)
    (array([[3., 4.]]), array([[1., 2.]]), None)
    """
    func = "linear_backward"
    check_cache(cache, LinearCache, func)
    dout = check_dout(dout, (cache.x.shape[0], cache.w.shape[0]), func)
    dout = dout.astype(cache.x.dtype, copy=False)
    db = dout.sum(axis=0) if cache.has_bias else None
    return dout @ cache.w, dout.T @ cache.x, db
