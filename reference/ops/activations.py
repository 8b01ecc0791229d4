"""Element-wise activations and softmax.

Public: `relu_forward` / `relu_backward` (`ReluCache`), `sigmoid`,
`sigmoid_forward` / `sigmoid_backward` (`SigmoidCache`), `softmax`.

All work on arrays of any shape and keep the input's floating dtype (integer
input becomes float64). `sigmoid` never overflows and `softmax` never
overflows, whatever the magnitude of the input.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from reference._validation import as_float_array, check_cache, check_dout, fail

__all__ = [
    "ReluCache",
    "SigmoidCache",
    "relu_backward",
    "relu_forward",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax",
]


class ReluCache(NamedTuple):
    """What `relu_backward` needs (opaque to callers)."""

    positive: np.ndarray  # bool, x's shape: where x > 0


class SigmoidCache(NamedTuple):
    """What `sigmoid_backward` needs (opaque to callers)."""

    out: np.ndarray  # sigmoid(x), x's shape and dtype


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, ReluCache]:
    """Apply the rectifier max(x, 0) element-wise.

    Parameters
    ----------
    x : ndarray of any shape, float

    Returns
    -------
    out : ndarray, x's shape and dtype
    cache : ReluCache
        Opaque; pass to `relu_backward`.

    See Also
    --------
    relu_backward

    Notes
    -----
    out[i] = x[i] if x[i] > 0 else 0.

    Examples
    --------
    >>> out, cache = relu_forward(np.array([-1.0, 0.0, 2.0]))
    >>> out
    array([0., 0., 2.])
    """
    x = as_float_array(x, "x", "relu_forward")
    # np.maximum lets NaN through, so a diverging network is not masked
    return np.maximum(x, x.dtype.type(0)), ReluCache(x > 0)


def relu_backward(dout: np.ndarray, cache: ReluCache) -> np.ndarray:
    """Pass dout through where x > 0 and block it elsewhere.

    Parameters
    ----------
    dout : ndarray, the forward output's shape
    cache : ReluCache
        From `relu_forward`.

    Returns
    -------
    dx : ndarray, dout's shape and dtype

    See Also
    --------
    relu_forward

    Notes
    -----
    dx[i] = dout[i] if x[i] > 0 else 0; at exactly x == 0 the gradient is 0
    (the subgradient PyTorch uses too).

    Examples
    --------
    >>> out, cache = relu_forward(np.array([-1.0, 0.0, 2.0]))
    >>> relu_backward(np.array([5.0, 5.0, 5.0]), cache)
    array([0., 0., 5.])
    """
    func = "relu_backward"
    check_cache(cache, ReluCache, func)
    dout = check_dout(dout, cache.positive.shape, func)
    # multiply by the 0/1 mask: branch-free, unlike np.where on a random mask
    return dout * cache.positive


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Return the logistic function 1 / (1 + exp(-x)) element-wise, overflow-free.

    Parameters
    ----------
    x : ndarray of any shape, float

    Returns
    -------
    out : ndarray, x's shape and dtype, values in [0, 1]

    See Also
    --------
    sigmoid_forward, softmax

    Notes
    -----
    With e = exp(-|x|), which lies in (0, 1] and cannot overflow, and
    p = e / (1 + e) = sigmoid(-|x|) <= 0.5::

        sigmoid(x) = p       if x < 0
        sigmoid(x) = 1 - p   if x >= 0   (= 1 / (1 + e))

    computed without branches as p + [x >= 0] * (1 - 2 p). The textbook
    1 / (1 + exp(-x)) overflows exp for very negative x.

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    x = as_float_array(x, "x", "sigmoid")

    with np.errstate(under="ignore"):  # tiny values round to 0: harmless
        # e = exp(-|x|) in (0, 1]: it never overflows
        e = np.exp(-np.abs(x))

        # p = sigmoid(-|x|); flip to 1 - p where x >= 0 (arithmetic, no branches)
        p = e / (1 + e)
        return p + (x >= 0) * (1 - 2 * p)


def sigmoid_forward(x: np.ndarray) -> tuple[np.ndarray, SigmoidCache]:
    """Apply `sigmoid` and keep its output for the backward.

    Parameters
    ----------
    x : ndarray of any shape, float

    Returns
    -------
    out : ndarray, x's shape and dtype
    cache : SigmoidCache
        Opaque; pass to `sigmoid_backward`.

    See Also
    --------
    sigmoid, sigmoid_backward

    Examples
    --------
    >>> out, cache = sigmoid_forward(np.array([0.0]))
    >>> out
    array([0.5])
    """
    out = sigmoid(x)
    return out, SigmoidCache(out)


def sigmoid_backward(dout: np.ndarray, cache: SigmoidCache) -> np.ndarray:
    """Multiply dout by the sigmoid's derivative out * (1 - out).

    Parameters
    ----------
    dout : ndarray, the forward output's shape
    cache : SigmoidCache
        From `sigmoid_forward`.

    Returns
    -------
    dx : ndarray, dout's shape

    See Also
    --------
    sigmoid_forward

    Notes
    -----
    dx[i] = dout[i] * out[i] * (1 - out[i]), since d sigmoid / dx = s (1 - s).

    Examples
    --------
    >>> out, cache = sigmoid_forward(np.array([0.0]))
    >>> sigmoid_backward(np.array([1.0]), cache)
    array([0.25])
    """
    func = "sigmoid_backward"
    check_cache(cache, SigmoidCache, func)
    dout = check_dout(dout, cache.out.shape, func)
    return dout * cache.out * (1 - cache.out)


def softmax(x: np.ndarray, axis: int = 1) -> np.ndarray:
    """Normalise exp(x) to sum to 1 along ``axis``, without overflow.

    Parameters
    ----------
    x : ndarray of any shape, float
        Scores (logits); for (N, K, *S) the default axis 1 is the class axis.
    axis : int, optional
        Axis along which the output sums to 1 (default 1).

    Returns
    -------
    out : ndarray, x's shape and dtype

    Raises
    ------
    ValueError
        If ``axis`` is not an axis of x.

    See Also
    --------
    sigmoid

    Notes
    -----
    out[..., k, ...] = exp(x[k] - m) / sum over j of exp(x[j] - m), with m the
    maximum along ``axis``; subtracting m changes nothing mathematically and
    keeps every exponent <= 0.

    Examples
    --------
    >>> softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    """
    func = "softmax"
    x = as_float_array(x, "x", func)
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        fail(func, "axis as an int", repr(axis), kind=TypeError)
    if not -x.ndim <= axis < x.ndim:
        fail(
            func,
            f"axis in [{-x.ndim}, {x.ndim - 1}] for x of shape {tuple(x.shape)}",
            f"axis={axis}",
        )

    # shift by the maximum so every exponent is <= 0
    with np.errstate(under="ignore"):
        e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
