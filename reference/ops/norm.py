"""Batch normalisation for (N, C), (N, C, L), (N, C, H, W) and (N, C, D, H, W).

Public: `batchnorm_forward` / `batchnorm_backward` (`BatchNormCache`),
`batchnorm_update_running` and `batchnorm_init_state`.

Statistics are per channel (axis 1), over the batch and every spatial cell.
Running statistics are not updated in place: the forward's cache carries the
batch statistics and `batchnorm_update_running` returns new arrays, with
PyTorch's momentum convention.

Parameters (gamma, beta, running statistics) are cast to x's dtype; outputs
and gradients have x's dtype.

References
----------
.. [1] S. Ioffe and C. Szegedy, "Batch Normalization: Accelerating Deep
   Network Training by Reducing Internal Covariate Shift", ICML 2015.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from reference._validation import (
    as_float_array,
    check_cache,
    check_dout,
    check_ndim,
    fail,
)
from reference.ops._fast import kernels_norm
from reference.ops._fast.dispatch import SMALL_ELEMENTS, compiled_pays
from reference.ops._fast.jit import JIT_ENABLED
from reference.ops._fast.threads import share

__all__ = [
    "BatchNormCache",
    "batchnorm_backward",
    "batchnorm_forward",
    "batchnorm_init_state",
    "batchnorm_update_running",
]


class BatchNormCache(NamedTuple):
    """What `batchnorm_backward` and `batchnorm_update_running` need."""

    xhat: np.ndarray  # (N, C, *S) normalised input, x's dtype
    gamma: np.ndarray  # (C,) scale, x's dtype
    inv_std: np.ndarray  # (C,) 1 / sqrt(var + eps) with the variance that was used
    training: bool  # True: batch statistics were used (and are differentiated)
    batch_mean: np.ndarray | None  # (C,) batch mean (training only)
    batch_var: np.ndarray | None  # (C,) UNBIASED batch variance (training only)
    beta: np.ndarray | None = None  # (C,) shift, kept when a ReLU was fused
    relu: bool = False  # True: out = max(BN(x), 0), and the backward masks dout


def _maps(a):
    """View (N, C, *S) as (N * C, prod S): one row per feature map."""
    return np.ascontiguousarray(a).reshape(a.shape[0] * a.shape[1], -1)


def _channel_sum(a):
    """Sum (N, C, *S) over every axis but 1, giving (C,)."""
    return _maps(a).sum(axis=1).reshape(a.shape[:2]).sum(axis=0)


def _channel_dot(a, b):
    """Return sum over n, s of a[n, c, s] * b[n, c, s], (C,), no temporary."""
    return np.einsum("ij,ij->i", _maps(a), _maps(b)).reshape(a.shape[:2]).sum(axis=0)


def _compiled(dtype) -> bool:
    """Return True when the Numba kernels can run: JIT on, float32 or float64.

    They run on layers of at least `SMALL_ELEMENTS` elements (`compiled_pays`);
    NumPy's passes are as fast below that.
    """
    return JIT_ENABLED and dtype in (np.float32, np.float64)


def _per_channel(values, channels, name, func, dtype):
    """Check a per-channel vector of length C; return it as a (C,) array of dtype."""
    values = as_float_array(values, name, func)
    if values.shape != (channels,):
        fail(
            func,
            f"{name} of shape (C,) = ({channels},) to match x's channels",
            f"shape {tuple(values.shape)}",
        )
    return values.astype(dtype, copy=False)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _normalise(x, gamma, beta, eps, stats, relu=False):
    """NumPy twin of `_normalise_compiled`: return out, xhat, mean, inv_std, batch_var.

    ``stats`` is None (training: this batch's statistics) or the running
    (mean, var). batch_var is the unbiased batch variance, or None. With
    ``relu``, out is max(out, 0) (NaN passes, as in `relu_forward`).
    """
    channels = x.shape[1]
    shape = (1, channels, *(1,) * (x.ndim - 2))  # (C,) broadcasts as (1, C, 1, ...)
    if stats is None:
        # batch statistics; the biased variance normalises, the unbiased is kept
        count = x.size // channels
        mean = _channel_sum(x) / x.dtype.type(count)
        xhat = x - mean.reshape(shape)  # centred; scaled below
        var = _channel_dot(xhat, xhat) / x.dtype.type(count)
        batch_var = var * x.dtype.type(count / (count - 1))
    else:
        # running statistics, constants for the backward
        mean, var = stats
        xhat, batch_var = x - mean.reshape(shape), None
    inv_std = 1 / np.sqrt(var + x.dtype.type(eps))
    xhat *= inv_std.reshape(shape)

    # scale and shift
    out = xhat * gamma.reshape(shape)
    out += beta.reshape(shape)
    if relu:
        np.maximum(out, x.dtype.type(0), out=out)
    return out, xhat, mean, inv_std, batch_var


def _normalise_compiled(x, gamma, beta, eps, stats, relu=False):
    """Do `_normalise` with the Numba kernels: two reads of x, one pass of writes.

    Large layers share their channels between two threads (`_by_channels`).
    """
    channels, dtype = x.shape[1], x.dtype
    x3 = np.ascontiguousarray(x).reshape(x.shape[0], channels, -1)
    xhat, out = np.empty_like(x3), np.empty_like(x3)
    mean64, var64 = np.empty(channels), np.empty(channels)
    mean, var = stats if stats is not None else (mean64, var64)
    mean_x, inv_std = np.empty(channels, dtype), np.empty(channels, dtype)

    def run(c_lo, c_hi):
        if stats is None:
            kernels_norm.channel_moments(x3, c_lo, c_hi, mean64, var64)
        part = slice(c_lo, c_hi)
        mean_x[part] = mean[part]
        inv_std[part] = 1 / np.sqrt(var[part].astype(dtype) + dtype.type(eps))
        args = (mean_x, inv_std, gamma, beta, relu)
        kernels_norm.normalise_affine(x3, c_lo, c_hi, *args, xhat, out)

    _by_channels(run, x3)
    batch_var = None
    if stats is None:
        count = x3.shape[0] * x3.shape[2]
        batch_var = (var64 * (count / (count - 1))).astype(dtype)
    return out.reshape(x.shape), xhat.reshape(x.shape), mean_x, inv_std, batch_var


MIN_THREAD_CELLS = 1 << 20  # smaller layers are normalised in one thread


def _by_channels(run, x3) -> None:
    """Run run(c_lo, c_hi) over the channels of x3 (N, C, S); two threads if large.

    Each channel's passes are independent of the others', so the kernels
    run on two runs of channels at once (one thread start per call, both
    passes inside). Layers under MIN_THREAD_CELLS values use one thread.
    """
    channels = x3.shape[1]
    share(run, channels, x3.size, MIN_THREAD_CELLS)


def batchnorm_forward(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    eps: float = 1e-5,
    running_mean: np.ndarray | None = None,
    running_var: np.ndarray | None = None,
    training: bool = True,
    *,
    relu: bool = False,
) -> tuple[np.ndarray, BatchNormCache]:
    """Normalise each channel of (N, C, *S), then scale by gamma and shift by beta.

    Parameters
    ----------
    x : ndarray of shape (N, C) or (N, C, *S) with 1 to 3 spatial dims, float
    gamma : ndarray of shape (C,)
        Scale (PyTorch's ``weight``).
    beta : ndarray of shape (C,)
        Shift (PyTorch's ``bias``).
    eps : float, optional
        Added to the variance before the square root (default 1e-5).
    running_mean, running_var : ndarray of shape (C,), optional
        Running statistics; required when ``training`` is False, ignored
        (apart from shape checks) when it is True.
    training : bool, optional
        True (default): normalise with this batch's statistics. False: with
        the running statistics (evaluation mode).
    relu : bool, optional, keyword-only
        Also apply a ReLU, out = max(out, 0), in the same pass (default
        False); `batchnorm_backward` then masks dout as `relu_backward` would.
        The result is identical to `relu_forward` after this function.

    Returns
    -------
    out : ndarray, x's shape and dtype
    cache : BatchNormCache
        Pass to `batchnorm_backward`; in training mode also to
        `batchnorm_update_running` (it carries the batch mean and the
        unbiased batch variance).

    Raises
    ------
    ValueError
        If x has fewer than 2 or more than 5 dims, gamma/beta/running
        statistics do not have C entries, eps is negative, running
        statistics are missing in evaluation mode, or a channel has a single
        value in training mode.
    TypeError
        If ``training`` or ``relu`` is not a bool.

    See Also
    --------
    batchnorm_backward, batchnorm_update_running, batchnorm_init_state

    Notes
    -----
    With M = N * prod(S) values per channel c (training mode)::

        mean[c] = (1 / M) * sum over n, s of x[n, c, s]
        var[c]  = (1 / M) * sum over n, s of (x[n, c, s] - mean[c])**2   (biased)
        xhat[n, c, s] = (x[n, c, s] - mean[c]) / sqrt(var[c] + eps)
        out[n, c, s]  = gamma[c] * xhat[n, c, s] + beta[c]

    In evaluation mode mean and var are running_mean and running_var.

    References
    ----------
    .. [1] Ioffe and Szegedy 2015 (see the module docstring).

    Examples
    --------
    >>> x = np.array([[1.0], [3.0]])  # N = 2, C = 1
    >>> out, cache = batchnorm_forward(x, np.ones(1), np.zeros(1), eps=0.0)
    >>> out
    array([[-1.],
           [ 1.]])
    >>> cache.batch_mean, cache.batch_var  # the variance for the update is unbiased
    (array([2.]), array([2.]))
    """
    func = "batchnorm_forward"
    x = as_float_array(x, "x", func)
    check_ndim(
        x,
        (2, 3, 4, 5),
        "x",
        func,
        "(N, C, *S)",
        "Batch norm needs a batch axis and a channel axis.",
    )
    for name, flag in (("training", training), ("relu", relu)):
        if not isinstance(flag, bool | np.bool_):
            fail(func, f"{name} as a bool", repr(flag), kind=TypeError)
    if not _is_real(eps) or not eps >= 0:
        fail(func, "eps >= 0", repr(eps))
    channels = x.shape[1]
    gamma = _per_channel(gamma, channels, "gamma", func, x.dtype)
    beta = _per_channel(beta, channels, "beta", func, x.dtype)
    states = (("running_mean", running_mean), ("running_var", running_var))
    running = [
        None if state is None else _per_channel(state, channels, name, func, x.dtype)
        for name, state in states
    ]

    if training and x.size // channels < 2:
        fail(
            func,
            "more than 1 value per channel in training mode",
            f"x of shape {tuple(x.shape)}",
            "Use a batch of at least 2, or training=False.",
        )
    if not training and any(state is None for state in running):
        fail(
            func,
            "running_mean and running_var when training=False",
            "None",
            "Pass the state from batchnorm_init_state or a trained layer.",
        )
    stats = None if training else tuple(running)
    compiled = _compiled(x.dtype) and compiled_pays(x.size, SMALL_ELEMENTS)
    normalise = _normalise_compiled if compiled else _normalise
    out, xhat, mean, inv_std, batch_var = normalise(x, gamma, beta, eps, stats, relu)
    cache = BatchNormCache(
        xhat,
        gamma,
        inv_std,
        bool(training),
        mean if training else None,
        batch_var,
        beta if relu else None,
        bool(relu),
    )
    return out, cache


def batchnorm_backward(
    dout: np.ndarray, cache: BatchNormCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (dx, dgamma, dbeta) for `batchnorm_forward`, in either mode.

    Parameters
    ----------
    dout : ndarray, the forward output's shape (N, C, *S)
    cache : BatchNormCache
        From `batchnorm_forward`.

    Returns
    -------
    dx : ndarray of shape (N, C, *S)
    dgamma : ndarray of shape (C,)
    dbeta : ndarray of shape (C,)

    See Also
    --------
    batchnorm_forward

    Notes
    -----
    With sums over n and the spatial cells s of channel c, and M their count::

        dbeta[c]  = sum of dout[n, c, s]
        dgamma[c] = sum of dout[n, c, s] * xhat[n, c, s]

    Training mode (the batch statistics depend on x)::

        dx[n, c, s] = (1 / M) * gamma[c] * inv_std[c]
                      * (M * dout[n, c, s] - dbeta[c] - xhat[n, c, s] * dgamma[c])

    Evaluation mode (the running statistics are constants)::

        dx[n, c, s] = gamma[c] * inv_std[c] * dout[n, c, s]

    Examples
    --------
    >>> x = np.array([[1.0], [3.0]])
    >>> out, cache = batchnorm_forward(x, np.ones(1), np.zeros(1), eps=0.0)
    >>> dx, dgamma, dbeta = batchnorm_backward(np.array([[1.0], [1.0]]), cache)
    >>> dx.ravel(), dgamma, dbeta  # shifting every output by 1 only moves beta
    (array([0., 0.]), array([0.]), array([2.]))
    """
    func = "batchnorm_backward"
    check_cache(cache, BatchNormCache, func)
    xhat = cache.xhat
    dout = check_dout(dout, xhat.shape, func).astype(xhat.dtype, copy=False)
    compiled = _compiled(xhat.dtype) and compiled_pays(xhat.size, SMALL_ELEMENTS)
    backward = _backward_compiled if compiled else _backward
    return backward(dout, cache)


def _backward(dout, cache):
    """NumPy twin of `_backward_compiled`: return dx, dgamma, dbeta."""
    xhat = cache.xhat
    shape = (1, xhat.shape[1], *(1,) * (xhat.ndim - 2))
    if cache.relu:  # the fused ReLU: dout passes where its input was positive
        out = xhat * cache.gamma.reshape(shape)
        out += cache.beta.reshape(shape)
        dout = dout * (out > 0)

    # parameter gradients: sums over everything but the channel axis
    dbeta = _channel_sum(dout)
    dgamma = _channel_dot(dout, xhat)
    scale = (cache.gamma * cache.inv_std).reshape(shape)
    if not cache.training:
        return dout * scale, dgamma, dbeta

    # training: (1/M) gamma inv_std (M dout - sum(dout) - xhat sum(dout xhat))
    count = xhat.dtype.type(xhat.size // xhat.shape[1])
    dx = xhat * (-dgamma / count).reshape(shape)
    dx += dout
    dx -= (dbeta / count).reshape(shape)
    dx *= scale
    return dx, dgamma, dbeta


def _backward_compiled(dout, cache):
    """Do `_backward` with the Numba kernels: one pass of sums, one pass for dx."""
    xhat, dtype = cache.xhat, cache.xhat.dtype
    channels = xhat.shape[1]
    d3 = np.ascontiguousarray(dout).reshape(dout.shape[0], channels, -1)
    h3 = np.ascontiguousarray(xhat).reshape(d3.shape)
    beta = cache.beta if cache.relu else np.zeros(channels, dtype)
    sums = (cache.gamma, beta, cache.relu)
    dbeta64, dgamma64 = np.empty(channels), np.empty(channels)
    count = d3.shape[0] * d3.shape[2]
    rows = 3 if cache.training else 1
    coefficients = np.empty((rows, channels), dtype)
    dx = np.empty_like(d3)

    def run(c_lo, c_hi):
        part = slice(c_lo, c_hi)
        kernels_norm.gradient_sums(d3, h3, c_lo, c_hi, *sums, dbeta64, dgamma64)
        # dx = scale (dy - sum(dy) / M - xhat sum(dy xhat) / M); scale dy in eval
        coefficients[0, part] = cache.gamma[part] * cache.inv_std[part]
        if cache.training:
            coefficients[1, part] = dbeta64[part] / count
            coefficients[2, part] = dgamma64[part] / count
        kernels_norm.input_gradient(d3, h3, c_lo, c_hi, *sums, coefficients, dx)

    _by_channels(run, d3)
    return dx.reshape(dout.shape), dgamma64.astype(dtype), dbeta64.astype(dtype)


def batchnorm_update_running(
    running_mean: np.ndarray,
    running_var: np.ndarray,
    cache: BatchNormCache,
    momentum: float = 0.1,
) -> tuple[np.ndarray, np.ndarray]:
    """Blend a training batch's statistics into the running statistics.

    Parameters
    ----------
    running_mean, running_var : ndarray of shape (C,)
        Current running statistics (not modified).
    cache : BatchNormCache
        From `batchnorm_forward` with ``training=True``.
    momentum : float, optional
        Weight of the new batch, in [0, 1] (default 0.1, PyTorch's default).

    Returns
    -------
    new_mean, new_var : ndarray of shape (C,), running_mean's dtype

    Raises
    ------
    ValueError
        If the cache comes from evaluation mode, momentum is outside [0, 1],
        or the running statistics do not have C entries.

    See Also
    --------
    batchnorm_forward, batchnorm_init_state

    Notes
    -----
    PyTorch's convention (note: momentum weighs the NEW value; Keras uses the
    opposite)::

        new_mean[c] = (1 - momentum) * running_mean[c] + momentum * batch_mean[c]
        new_var[c]  = (1 - momentum) * running_var[c]  + momentum * batch_var[c]

    where batch_var is the UNBIASED variance, sum of squares / (M - 1), even
    though the forward normalises with the biased one (/ M).

    Examples
    --------
    >>> x = np.array([[1.0], [3.0]])
    >>> out, cache = batchnorm_forward(x, np.ones(1), np.zeros(1))
    >>> batchnorm_update_running(np.zeros(1), np.ones(1), cache, momentum=0.1)
    (array([0.2]), array([1.1]))
    """
    func = "batchnorm_update_running"
    check_cache(cache, BatchNormCache, func, "batchnorm_forward")
    if not cache.training:
        fail(
            func,
            "a cache from batchnorm_forward(..., training=True)",
            "a cache from evaluation mode",
            "Only training batches update the state.",
        )
    if not _is_real(momentum) or not 0 <= momentum <= 1:
        fail(func, "momentum in [0, 1]", repr(momentum))
    channels = cache.gamma.shape[0]
    old_mean = as_float_array(running_mean, "running_mean", func)
    old_var = as_float_array(running_var, "running_var", func)
    batch = []
    for name, old, new in (
        ("running_mean", old_mean, cache.batch_mean),
        ("running_var", old_var, cache.batch_var),
    ):
        _per_channel(old, channels, name, func, old.dtype)
        batch.append(new.astype(old.dtype, copy=False))

    # exponential moving average, momentum weighing the new batch
    keep = 1.0 - momentum
    new_mean = keep * old_mean + momentum * batch[0]
    new_var = keep * old_var + momentum * batch[1]
    return new_mean.astype(old_mean.dtype), new_var.astype(old_var.dtype)


def batchnorm_init_state(
    channels: int, dtype: npt.DTypeLike = np.float32
) -> dict[str, np.ndarray]:
    """Return the initial running statistics of a batch norm over ``channels``.

    Parameters
    ----------
    channels : int
        Number of channels C (>= 1).
    dtype : numpy floating dtype, optional
        Default float32.

    Returns
    -------
    state : dict
        ``{"running_mean": zeros (C,), "running_var": ones (C,)}``, PyTorch's
        initial values (so evaluation before training is the identity up to eps).

    Raises
    ------
    ValueError
        If ``channels`` is not a positive int or ``dtype`` is not floating.

    Examples
    --------
    >>> batchnorm_init_state(2, dtype=np.float64)
    {'running_mean': array([0., 0.]), 'running_var': array([1., 1.])}
    """
    func = "batchnorm_init_state"
    if (
        isinstance(channels, bool)
        or not isinstance(channels, int | np.integer)
        or channels < 1
    ):
        fail(func, "channels as a positive int", repr(channels))
    if np.dtype(dtype).kind != "f":
        fail(func, "a floating dtype", f"dtype {np.dtype(dtype)}", kind=TypeError)
    return {
        "running_mean": np.zeros(int(channels), dtype=dtype),
        "running_var": np.ones(int(channels), dtype=dtype),
    }
