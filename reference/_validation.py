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
    "check_channels_match",
    "check_divisible",
    "check_finite",
    "check_ndim",
    "check_probabilities",
    "check_same_length",
    "check_same_shape",
    "fail",
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
