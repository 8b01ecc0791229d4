"""Confusion matrices of K classes (segmentation labels, multi-class decisions).

Public name: `per_class_sens_spec`. `reference.metrics.confusion_matrix` uses the
helpers here for any input that is not 0/1: class labels such as a BraTS label
map (0 background, 1 edema, 2 non-enhancing tumour, 3 enhancing tumour).

Conventions are scikit-learn's ``confusion_matrix``: rows are the true class,
columns the predicted class, in the order of ``labels`` (default: the sorted
union of the classes in ``y_true`` and ``y_pred``); samples whose true or
predicted class is not in ``labels`` are not counted.
"""

from __future__ import annotations

import numpy as np

from reference._validation import check_finite, fail, warn_undefined
from reference.metrics._labels import (
    as_numeric,
    check_pair_shapes,
    check_samples,
    check_zero_division,
)

__all__ = ["per_class_sens_spec"]

_KINDS = ("true", "pred", "all")  # of normalize
_HINT_LABELS = (
    "Threshold scores first (y_pred = y_score >= threshold), or take the "
    "argmax over the class axis."
)


def class_labels(y, name: str, func: str) -> np.ndarray:
    """Return class labels ``y`` (any shape) as a new int64 array.

    Bools, ints and floats with whole values are accepted; NaN, other floats,
    strings and empty arrays are not.
    """
    arr = np.atleast_1d(as_numeric(y, name, func))
    check_samples(arr, name, func, None)
    if arr.dtype.kind == "f":
        check_finite(arr, name, func)
        whole = arr == np.round(arr)
        if not np.all(whole):
            shown = ", ".join(f"{v:g}" for v in np.unique(arr[~whole])[:5].tolist())
            expected = f"{name} with integer class labels"
            fail(func, expected, f"values {{{shown}}}", _HINT_LABELS)
    return arr.astype(np.int64)  # always a copy


def _small(values: np.ndarray) -> bool:
    """Return True for small non-negative ints (bincount and lookups work)."""
    return bool(values.min() >= 0 and values.max() < 1 << 20)


def _present(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values: by counting when they are small, else by sorting."""
    return np.flatnonzero(np.bincount(values)) if _small(values) else np.unique(values)


def _positions(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Index of each value in ``labels``, or ``len(labels)`` when it is not there."""
    k = labels.size
    if _small(values) and _small(labels):
        table = np.full(max(values.max(), labels.max()) + 1, k)
        table[labels] = np.arange(k)
        return table[values]
    order = np.argsort(labels)
    at = np.minimum(np.searchsorted(labels[order], values), k - 1)
    return np.where(labels[order][at] == values, order[at], k)


def class_labels_pair(y_true, y_pred, func: str):
    """Validate ``(y_true, y_pred)``: integer class labels of one shape."""
    truth = class_labels(y_true, "y_true", func)
    pred = class_labels(y_pred, "y_pred", func)
    check_pair_shapes(truth, pred, ("y_true", "y_pred"), func)
    return truth, pred


def is_binary(y: np.ndarray) -> bool:
    """Return True when every entry of the int array ``y`` is 0 or 1."""
    return bool(y.min() >= 0 and y.max() <= 1)


def check_normalize(normalize, func: str) -> None:
    """Check that ``normalize`` is None, "true", "pred" or "all"."""
    if not (normalize is None or (isinstance(normalize, str) and normalize in _KINDS)):
        fail(func, "normalize None, 'true', 'pred' or 'all'", repr(normalize))


def _check_labels(labels, truth: np.ndarray, func: str) -> np.ndarray:
    """Return ``labels`` as a 1-D int64 array of distinct classes (some in y_true)."""
    arr = np.asarray(list(labels) if isinstance(labels, range) else labels)
    if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "biuf":
        fail(func, "labels a non-empty 1-D sequence of class labels", repr(labels))
    if not np.all(np.isfinite(arr) & (arr == np.round(arr))):
        fail(func, "labels of whole numbers", repr(labels))
    arr = arr.astype(np.int64)
    if np.unique(arr).size != arr.size:
        fail(func, "labels without repeats", repr(labels))
    if not np.isin(arr, _present(truth)).any():
        fail(
            func,
            "at least one of labels in y_true",
            f"labels {arr.tolist()}",
            "Check the label values (such as 0-3 for BraTS).",
        )
    return arr


def class_counts(truth: np.ndarray, pred: np.ndarray, labels, func: str) -> np.ndarray:
    """Count the (K, K) matrix of flattened ``truth`` (rows) against ``pred`` (columns).

    ``cm[i, j]`` = number of samples with ``truth == labels[i]`` and
    ``pred == labels[j]``; samples with either outside ``labels`` are skipped.
    """
    truth, pred = truth.ravel(), pred.ravel()
    if labels is None:
        labels = np.union1d(_present(truth), _present(pred))  # sorted
    else:
        labels = _check_labels(labels, truth, func)
    k = labels.size
    rows, cols = _positions(truth, labels), _positions(pred, labels)
    keep = (rows < k) & (cols < k)
    counts = np.bincount(rows[keep] * k + cols[keep], minlength=k * k)
    return counts.reshape(k, k).astype(np.int64)


def normalize_counts(cm: np.ndarray, normalize: str) -> np.ndarray:
    """Divide counts by their row sums, column sums or total (last two axes).

    As scikit-learn does, 0 / 0 (a class with no samples) gives 0, silently.
    """
    axis = {"true": -1, "pred": -2, "all": (-2, -1)}[normalize]
    totals = cm.sum(axis=axis, keepdims=True).astype(np.float64)
    return np.divide(cm, totals, out=np.zeros(cm.shape), where=totals > 0)


def _check_counts(cm, func: str) -> np.ndarray:
    """Return a (K, K) matrix of counts as int64 (ValueError otherwise)."""
    arr = np.asarray(cm)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.size == 0:
        fail(
            func,
            "cm a square (K, K) confusion matrix",
            f"shape {arr.shape}",
            "Use confusion_matrix(y_true, y_pred) (with labels for K classes).",
        )
    if arr.dtype.kind not in "biuf":
        fail(func, "cm of counts", f"dtype {arr.dtype}", kind=TypeError)
    ok = np.isfinite(arr) & (arr >= 0) & (arr == np.round(arr))
    if not np.all(ok):
        fail(
            func,
            "cm of counts (non-negative whole numbers)",
            f"values such as {arr[~ok].ravel()[0]:g}",
            "Pass the counts, not a normalised matrix (normalize=None).",
        )
    return arr.astype(np.int64)


def per_class_sens_spec(cm, *, zero_division="warn"):
    """Return each class's sensitivity and specificity (one class vs the rest).

    Parameters
    ----------
    cm : array-like of shape (K, K), counts
        A confusion matrix from `confusion_matrix` (rows: true class, columns:
        predicted class, ``normalize=None``); a 2 x 2 binary matrix works too.
    zero_division : "warn" or float, default "warn"
        Value of an undefined rate: "warn" gives NaN and an
        `UndefinedMetricWarning`; a number is returned silently.

    Returns
    -------
    sensitivity, specificity : ndarray of shape (K,), float64
        In the order of the rows of ``cm`` (the ``labels`` order).

    Warns
    -----
    UndefinedMetricWarning
        For a class with no samples in ``y_true`` (sensitivity) or with every
        sample (specificity).

    Notes
    -----
    For class ``k``, with ``N = sum(cm)``: ``TP = cm[k, k]``,
    ``FN = sum(cm[k, :]) - TP``, ``FP = sum(cm[:, k]) - TP`` and
    ``TN = N - TP - FN - FP``; ``sensitivity = TP / (TP + FN)`` (scikit-learn's
    ``recall_score(..., average=None)``) and ``specificity = TN / (TN + FP)``.

    Examples
    --------
    >>> cm = [[5, 1, 0],
    ...       [2, 3, 1],
    ...       [0, 0, 4]]
    >>> sens, spec = per_class_sens_spec(cm)
    >>> sens.round(3), spec.round(3)
    (array([0.833, 0.5  , 1.   ]), array([0.8  , 0.9  , 0.917]))
    """
    func = "per_class_sens_spec"
    check_zero_division(zero_division, func)
    counts = _check_counts(cm, func)
    tp = np.diag(counts)
    positives = counts.sum(axis=1)  # TP + FN: samples of each class
    negatives = counts.sum() - positives  # TN + FP: samples of the other classes
    tn = negatives - (counts.sum(axis=0) - tp)
    return (
        _ratio(
            tp,
            positives,
            func,
            "sensitivity TP / (TP + FN) with no samples of the class in y_true",
            zero_division,
        ),
        _ratio(
            tn,
            negatives,
            func,
            "specificity TN / (TN + FP) with every sample in the class",
            zero_division,
        ),
    )


def _ratio(num, den, func: str, what: str, zero_division) -> np.ndarray:
    """``num / den`` per class; 0 / 0 warns (naming the classes) or is filled."""
    undefined = den == 0
    ratio = num / np.where(undefined, 1, den)
    if not undefined.any():
        return ratio
    if isinstance(zero_division, str):
        classes = np.flatnonzero(undefined).tolist()
        warn_undefined(func, f"{what} for class(es) at {classes}", stacklevel=4)
        return np.where(undefined, np.nan, ratio)
    return np.where(undefined, float(zero_division), ratio)
