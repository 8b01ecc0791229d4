"""Boundary checks shared by every public function of `reference`.

Each check raises ``ValueError`` (wrong shape or value) or ``TypeError`` (wrong
kind of object) with one message template::

    <function>: expected <what>, got <what>. <hint>

Validate once, at public boundaries (kernels, ``Module.forward``, losses,
metrics, constructors); never inside loops or jitted code.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

__all__ = [
    "UndefinedMetricWarning",
    "as_float_array",
    "check_binary_labels",
    "check_cache",
    "check_channels_match",
    "check_divisible",
    "check_dout",
    "check_finite",
    "check_layer_input",
    "check_ndim",
    "check_probabilities",
    "check_same_length",
    "check_same_shape",
    "conv_output_size",
    "fail",
    "spatial_tuple",
    "warn_undefined",
]


class UndefinedMetricWarning(UserWarning):
    """A metric is undefined for the given input (for example 0/0) and is NaN."""


def fail(func: str, expected: str, got: str, hint: str = "", *, kind=ValueError):
    """Raise ``kind`` with the house message template.

    Examples
    --------
    >>> fail("conv_forward", "x with 4 dims", "shape (3, 4)", "Add an axis.")
    Traceback (most recent call last):
    ...
    ValueError: conv_forward: expected x with 4 dims, got shape (3, 4). Add an axis.
    """
    message = f"{func}: expected {expected}, got {got}."
    if hint:
        message += f" {hint}"
    raise kind(message)


def warn_undefined(func: str, what: str, stacklevel: int = 3) -> None:
    """Emit an `UndefinedMetricWarning` saying which quantity is undefined."""
    warnings.warn(
        f"{func}: {what} is undefined; returning NaN.",
        UndefinedMetricWarning,
        stacklevel=stacklevel,
    )


def as_float_array(x, name: str, func: str) -> np.ndarray:
    """Return ``x`` as a floating ndarray (float32/float64 kept, others -> float64).

    Lists, tuples and table columns are accepted; strings and objects are not.
    """
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        fail(
            func,
            f"{name} array-like of numbers",
            repr(type(x).__name__),
            kind=TypeError,
        )
        raise AssertionError from exc  # pragma: no cover
    if arr.dtype.kind not in "biuf":
        fail(func, f"{name} with a numeric dtype", f"dtype {arr.dtype}", kind=TypeError)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return arr


def check_ndim(
    x: np.ndarray,
    ndims: Sequence[int] | int,
    name: str,
    func: str,
    legend: str = "",
    hint: str = "",
) -> None:
    """Check that ``x.ndim`` is one of ``ndims``."""
    allowed = (ndims,) if isinstance(ndims, int) else tuple(ndims)
    if x.ndim not in allowed:
        dims = " or ".join(str(d) for d in allowed)
        fail(
            func,
            f"{name} with {dims} dims {legend}".rstrip(),
            f"shape {tuple(x.shape)}",
            hint,
        )


def check_same_shape(
    a: np.ndarray, b: np.ndarray, names: tuple[str, str], func: str
) -> None:
    """Check that two arrays have identical shapes."""
    if a.shape != b.shape:
        fail(
            func,
            f"{names[0]} and {names[1]} with the same shape",
            f"{tuple(a.shape)} and {tuple(b.shape)}",
        )


def check_same_length(
    a: np.ndarray, b: np.ndarray, names: tuple[str, str], func: str
) -> None:
    """Check that two arrays have the same length along axis 0."""
    if len(a) != len(b):
        fail(
            func,
            f"{names[0]} and {names[1]} with the same number of samples",
            f"{len(a)} and {len(b)}",
        )


def check_channels_match(x: np.ndarray, channels: int, name: str, func: str) -> None:
    """Check that ``x.shape[1]`` (channels-first) equals ``channels``."""
    if x.ndim < 2 or x.shape[1] != channels:
        got = x.shape[1] if x.ndim >= 2 else "no channel axis"
        fail(
            func,
            f"{name} with {channels} channels (axis 1)",
            f"{got} in shape {tuple(x.shape)}",
        )


def check_divisible(size: int, divisor: int, name: str, func: str) -> None:
    """Check that ``size`` is a multiple of ``divisor``; suggest valid sizes."""
    if size % divisor:
        lower = size - size % divisor
        fail(
            func,
            f"{name} divisible by {divisor}",
            str(size),
            f"Try {lower} or {lower + divisor}." if lower else f"Try {divisor}.",
        )


def check_finite(x: np.ndarray, name: str, func: str) -> None:
    """Check that ``x`` holds no NaN or infinity."""
    if x.dtype.kind in "fc" and not np.all(np.isfinite(x)):
        bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
        fail(func, f"{name} without NaN or infinity", f"{bad} non-finite values")


def check_binary_labels(y: np.ndarray, name: str, func: str) -> None:
    """Check that every entry of ``y`` is 0 or 1 (bools allowed)."""
    values = np.unique(np.asarray(y))
    if values.size and not np.all(np.isin(values, (0, 1))):
        shown = ", ".join(str(v) for v in values[:5])
        fail(func, f"{name} with binary labels 0/1", f"values {{{shown}}}")


def check_probabilities(p: np.ndarray, name: str, func: str) -> None:
    """Check that every entry of ``p`` is finite and within [0, 1]."""
    check_finite(p, name, func)
    if p.size and (p.min() < 0 or p.max() > 1):
        fail(
            func,
            f"{name} with probabilities in [0, 1]",
            f"values in [{p.min():.4g}, {p.max():.4g}]",
            "Apply a sigmoid to logits first.",
        )


def _is_int(value) -> bool:
    """Whether ``value`` is an integer (Python or NumPy), excluding bool."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def spatial_tuple(
    value, ndim: int, name: str, func: str, minimum: int = 0
) -> tuple[int, ...]:
    """Return ``value`` (an int, or ``ndim`` ints) as a tuple of ``ndim`` ints.

    The one rule for every spatial hyperparameter (kernel, stride, padding,
    scale): ints only (``2.0`` and ``True`` are refused with ``TypeError``),
    one entry per spatial dim, each at least ``minimum``.

    Examples
    --------
    >>> spatial_tuple(2, 3, "stride", "conv_forward", 1)
    (2, 2, 2)
    >>> spatial_tuple(2.0, 2, "stride", "conv_forward", 1)
    Traceback (most recent call last):
    ...
    TypeError: conv_forward: expected stride as an int or a tuple of 2 ints, got 2.0.
    """
    if _is_int(value):
        values = (int(value),) * ndim
    elif isinstance(value, tuple | list) and all(_is_int(v) for v in value):
        if len(value) != ndim:
            fail(
                func,
                f"{name} with {ndim} entries (one per spatial dim)",
                repr(tuple(value)),
                f"Pass a single int or a tuple of {ndim} ints.",
            )
        values = tuple(int(v) for v in value)
    else:
        fail(
            func,
            f"{name} as an int or a tuple of {ndim} ints",
            repr(value),
            kind=TypeError,
        )
    if min(values, default=minimum) < minimum:
        fail(func, f"{name} >= {minimum} on every axis", f"{name}={values}")
    return values


def conv_output_size(
    spatial: Sequence[int],
    kernel: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[int],
) -> tuple[int, ...]:
    """Return the output size of a sliding window, per spatial axis.

    ``S_out = 1 + (S + 2 * padding - kernel) // stride`` (convolution and
    pooling alike; a window never hangs over the padded edge).

    Examples
    --------
    >>> conv_output_size((5, 6), (3, 3), (2, 1), (1, 0))
    (3, 4)
    """
    return tuple(
        1 + (s + 2 * p - k) // st
        for s, k, st, p in zip(spatial, kernel, stride, padding, strict=True)
    )


def check_dout(dout, expected_shape: Sequence[int], func: str) -> np.ndarray:
    """Check that ``dout`` is a float array of the forward output's shape.

    Integer and bool arrays are converted to float64 (as `as_float_array`
    does); the caller casts to the forward's dtype if it needs to.
    """
    dout = as_float_array(dout, "dout", func)
    if dout.shape != tuple(expected_shape):
        fail(
            func,
            f"dout of shape {tuple(expected_shape)} (the forward's output)",
            f"shape {tuple(dout.shape)}",
        )
    return dout


def check_cache(cache, cache_type: type, func: str, forward: str = "") -> None:
    """Check that ``cache`` is a ``cache_type``, as its paired forward returns.

    ``forward`` names that forward (default: ``func`` with ``backward``
    replaced by ``forward``); raise ``TypeError`` otherwise.

    Examples
    --------
    >>> from typing import NamedTuple
    >>> class AddCache(NamedTuple):
    ...     shape: tuple
    >>> check_cache((2, 3), AddCache, "add_backward")
    Traceback (most recent call last):
    ...
    TypeError: add_backward: expected the AddCache returned by add_forward, got a tuple.
    """
    if not isinstance(cache, cache_type):
        forward = forward or func.replace("backward", "forward")
        fail(
            func,
            f"the {cache_type.__name__} returned by {forward}",
            f"a {type(cache).__name__}",
            kind=TypeError,
        )


def check_layer_input(
    x,
    func: str,
    *,
    channels: int | None = None,
    spatial_dims: int | None = None,
    dtype=None,
) -> None:
    """Check a layer's or model's input: an ndarray (N, C, *S) of the layer's dtype.

    ``channels`` (axis 1), ``spatial_dims`` (``x.ndim - 2``) and ``dtype`` are
    checked when given. Unlike the kernels, layers take only ndarrays and
    never cast: a dtype mismatch usually means a model was never converted.

    Examples
    --------
    >>> check_layer_input(np.zeros((3, 8, 8)), "Conv.forward", spatial_dims=2)
    Traceback (most recent call last):
    ...
    ValueError: Conv.forward: expected x with 4 dims (N, C, *S) for ndim=2, got ...
    """
    if not isinstance(x, np.ndarray):
        fail(func, "x as an ndarray", type(x).__name__, kind=TypeError)
    if spatial_dims is not None and x.ndim != spatial_dims + 2:
        fail(
            func,
            f"x with {spatial_dims + 2} dims (N, C, *S) for ndim={spatial_dims}",
            f"shape {x.shape}",
            "Add a batch axis with x[None]." if x.ndim == spatial_dims + 1 else "",
        )
    if channels is not None:
        check_channels_match(x, channels, "x", func)
    if dtype is not None and x.dtype != dtype:
        fail(
            func,
            f"x with dtype {np.dtype(dtype).name} (the layer's dtype)",
            f"dtype {x.dtype}",
            f"Use x.astype(np.{np.dtype(dtype).name}) or "
            f"model.astype(np.{x.dtype.name}).",
            kind=TypeError,
        )
