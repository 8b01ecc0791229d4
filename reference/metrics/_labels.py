"""Input coercion shared by the metrics: labels, hard predictions, scores, averaging.

Every public metric calls one of the ``*_pair`` helpers first, so they all accept
the same inputs (lists, tuples, bool or 0/1 int/float arrays, table columns, of
shape ``(N,)`` or ``(N, K)``) and reject bad ones with the same messages.
The helpers always return fresh arrays, so no metric can mutate its inputs.
"""

from __future__ import annotations

import numpy as np

from reference._validation import check_finite, check_ndim, fail, warn_undefined

__all__ = [
    "as_labels",
    "as_numeric",
    "as_scores",
    "check_average",
    "check_pair_shapes",
    "check_positive_int",
    "check_samples",
    "check_zero_division",
    "labels_and_predictions",
    "labels_and_scores",
    "reduce_average",
    "safe_ratio",
]

_LEGEND = "(N,) or (N, K)"
_ONE_FINDING = "Pass one finding at a time, such as y_true[:, k] and y_score[:, k]."


def as_numeric(y, name: str, func: str) -> np.ndarray:
    """Return ``y`` as an ndarray with a bool/int/float dtype (TypeError otherwise)."""
    try:
        arr = np.asarray(y)
    except (ValueError, TypeError) as exc:  # ragged lists and the like
        fail(
            func, f"{name} array-like of numbers", f"{type(y).__name__}", kind=TypeError
        )
        raise AssertionError from exc  # pragma: no cover
    if arr.dtype.kind not in "biuf":
        fail(
            func,
            f"{name} with a numeric or bool dtype",
            f"dtype {arr.dtype}",
            kind=TypeError,
        )
    return arr


def check_samples(arr: np.ndarray, name: str, func: str, ndims) -> None:
    """Check the number of dims (any if None) and that there is at least one sample."""
    if ndims == 1:
        per_finding = arr.ndim == 2 and name.startswith("y_")
        check_ndim(arr, 1, name, func, "(N,)", _ONE_FINDING if per_finding else "")
    elif ndims is not None:
        check_ndim(arr, ndims, name, func, _LEGEND)
    if arr.size == 0:
        fail(func, f"{name} with at least one sample", f"shape {arr.shape}")


def as_labels(y, name: str, func: str, *, ndims=(1, 2), hint: str = "") -> np.ndarray:
    """Return binary labels ``y`` as a new int64 array of shape (N,) or (N, K).

    ``ndims`` is 1, (1, 2), or None (any number of dims). Raises ``TypeError``
    for non-numeric input and ``ValueError`` for a wrong number of dims, no
    samples, NaN, or values other than 0 and 1.
    """
    arr = as_numeric(y, name, func)
    check_samples(arr, name, func, ndims)
    check_finite(arr, name, func)
    if arr.dtype.kind != "b":
        values = np.unique(arr)
        if not np.all((values == 0) | (values == 1)):
            shown = ", ".join(f"{v:g}" for v in values[:5].tolist())
            more = ", ..." if values.size > 5 else ""
            fail(
                func,
                f"{name} with binary labels 0/1",
                f"values {{{shown}{more}}}",
                hint,
            )
    return arr.astype(np.int64)


def as_scores(y, name: str, func: str, *, ndims=(1, 2)) -> np.ndarray:
    """Return finite scores ``y`` as a new float array (float32/float64 kept)."""
    arr = as_numeric(y, name, func)
    check_samples(arr, name, func, ndims)
    check_finite(arr, name, func)
    dtype = arr.dtype if arr.dtype.kind == "f" else np.float64
    return arr.astype(dtype)  # always a copy


def check_pair_shapes(a: np.ndarray, b: np.ndarray, names, func: str) -> None:
    """Check that two arrays have the same number of samples, then the same shape."""
    if a.shape[0] != b.shape[0]:
        fail(
            func,
            f"{names[0]} and {names[1]} with the same number of samples",
            f"{a.shape[0]} and {b.shape[0]}",
        )
    if a.shape != b.shape:
        fail(
            func,
            f"{names[0]} and {names[1]} with the same shape",
            f"{a.shape} and {b.shape}",
        )


def labels_and_predictions(y_true, y_pred, func: str, *, ndims=(1, 2)):
    """Validate ``(y_true, y_pred)``, both hard 0/1 labels of one shape."""
    truth = as_labels(y_true, "y_true", func, ndims=ndims)
    pred = as_labels(
        y_pred,
        "y_pred",
        func,
        ndims=ndims,
        hint="Threshold scores first: y_pred = y_score >= threshold.",
    )
    check_pair_shapes(truth, pred, ("y_true", "y_pred"), func)
    return truth, pred


def labels_and_scores(
    y_true, y_score, func: str, *, ndims=(1, 2), score_name: str = "y_score"
):
    """Validate ``(y_true, y_score)``: 0/1 labels and finite scores of one shape."""
    truth = as_labels(y_true, "y_true", func, ndims=ndims)
    score = as_scores(y_score, score_name, func, ndims=ndims)
    check_pair_shapes(truth, score, ("y_true", score_name), func)
    return truth, score


def check_average(average, func: str) -> None:
    """Check that ``average`` is None (per finding) or ``"macro"``."""
    if not (average is None or (isinstance(average, str) and average == "macro")):
        fail(func, "average None or 'macro'", repr(average))


def check_positive_int(value, name: str, func: str) -> None:
    """Check that ``value`` is an int (not a bool) of at least 1."""
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not ok or value < 1:
        fail(func, f"{name} a positive integer", repr(value))


def check_zero_division(zero_division, func: str) -> None:
    """Check that ``zero_division`` is ``"warn"`` or a real number."""
    if isinstance(zero_division, str):
        ok = zero_division == "warn"
    else:
        ok = isinstance(zero_division, (int, float, np.integer, np.floating))
        ok = ok and not isinstance(zero_division, bool)
    if not ok:
        fail(
            func,
            "zero_division 'warn' or a number (such as 0.0 or np.nan)",
            repr(zero_division),
        )


def reduce_average(values, average) -> np.float64 | np.ndarray:
    """Return a scalar for 0-d ``values``; (K,) values or their NaN-ignoring mean.

    With ``average="macro"`` the mean skips NaN findings (each already warned
    about); it is NaN only when every finding is NaN.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 0:
        return np.float64(values)
    if average is None:
        return values
    defined = values[~np.isnan(values)]
    return np.float64(defined.mean()) if defined.size else np.float64(np.nan)


def safe_ratio(
    num, den, func: str, what: str, zero_division="warn", stacklevel: int = 4
) -> np.ndarray:
    """Return ``num / den`` as float64, where ``den == 0`` gives NaN and a warning.

    ``zero_division`` is ``"warn"`` (NaN plus `UndefinedMetricWarning`) or a
    number used silently instead. ``what`` names the ratio in the warning.
    """
    check_zero_division(zero_division, func)
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    undefined = den == 0
    ratio = num / np.where(undefined, 1.0, den)
    if not undefined.any():
        return ratio
    if isinstance(zero_division, str):
        if undefined.ndim:
            what = f"{what} for finding(s) {np.flatnonzero(undefined).tolist()}"
        warn_undefined(func, what, stacklevel=stacklevel)
        fill = np.nan
    else:
        fill = float(zero_division)
    return np.where(undefined, fill, ratio)
