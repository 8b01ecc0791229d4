"""Metrics of hard 0/1 predictions: the confusion matrix and the rates built from it.

Public names: `confusion_matrix`, `sensitivity`, `specificity`, `ppv`, `npv`,
`accuracy`, `f1_score`, `prevalence`, `ppv_from_prevalence`.

`confusion_matrix` also counts K classes (``labels``, ``normalize`` as in
scikit-learn); `reference.metrics.multiclass` holds that part and
`per_class_sens_spec`.

Every metric takes ``(y_true, y_pred)`` in that order; the positive class is 1
(disease present). ``y_pred`` holds hard labels: threshold scores yourself
(``y_pred = y_score >= threshold``). Inputs of shape ``(N,)`` give NumPy scalars
(counts ``np.int64``, rates ``np.float64``); inputs of shape ``(N, K)`` (one column
per finding) give per-finding arrays of shape ``(K,)`` with ``average=None`` (the
default) or their NaN-ignoring mean with ``average="macro"``.

A rate whose denominator is 0 (for example sensitivity with no positives) is
undefined: it is NaN and an `UndefinedMetricWarning` says so, unless the caller
passes ``zero_division=<number>``. It is never a silent 0.
"""

from __future__ import annotations

import numpy as np

from reference._validation import fail, warn_undefined
from reference.metrics._labels import (
    as_labels,
    check_average,
    labels_and_predictions,
    reduce_average,
    safe_ratio,
)
from reference.metrics.multiclass import (
    check_normalize,
    class_counts,
    class_labels_pair,
    is_binary,
    normalize_counts,
)

__all__ = [
    "accuracy",
    "confusion_matrix",
    "f1_score",
    "npv",
    "ppv",
    "ppv_from_prevalence",
    "prevalence",
    "sensitivity",
    "specificity",
]


def _counts(y_true: np.ndarray, y_pred: np.ndarray):
    """Return (TN, FP, FN, TP) counted down axis 0: int64 scalars or (K,) arrays."""
    tp = np.sum((y_true == 1) & (y_pred == 1), axis=0)
    fp = np.sum((y_true == 0) & (y_pred == 1), axis=0)
    fn = np.sum((y_true == 1) & (y_pred == 0), axis=0)
    tn = np.sum((y_true == 0) & (y_pred == 0), axis=0)
    return tn, fp, fn, tp


def _rate(func, y_true, y_pred, average, zero_division, pick, what):
    """Validate, count, and return ``num / den`` where ``pick`` maps counts to both."""
    check_average(average, func)
    truth, pred = labels_and_predictions(y_true, y_pred, func)
    num, den = pick(*_counts(truth, pred))
    values = safe_ratio(num, den, func, what, zero_division, stacklevel=5)
    return reduce_average(values, average)


def confusion_matrix(y_true, y_pred, *, labels=None, normalize=None) -> np.ndarray:
    """Count how often each true class gets each predicted class (rows: truth).

    Parameters
    ----------
    y_true : array-like of integer class labels, shape (N,), (N, K) or any
        Ground truth: 0/1 (1 means the finding is present) or K classes (such
        as a BraTS label map: 0 background, 1 edema, 2 non-enhancing, 3
        enhancing). Bools and floats with whole values are accepted.
    y_pred : array-like of the same shape
        Hard predictions (threshold scores, or take the argmax over classes).
    labels : sequence of int, optional
        The classes, in the order of the rows and columns; samples whose true
        or predicted class is not listed are not counted. Default: [0, 1] for
        0/1 input, otherwise the sorted union of the classes in both arrays.
    normalize : {None, "true", "pred", "all"}, default None
        None: counts. "true": each row sums to 1 (the fraction of each true
        class given each prediction: sensitivities on the diagonal); "pred":
        each column sums to 1; "all": the whole matrix sums to 1.

    Returns
    -------
    cm : ndarray of shape (K, K), int64 counts or float64 when normalised
        ``cm[i, j]`` = number of samples of true class ``labels[i]`` predicted
        as ``labels[j]``. For 0/1 input, ``[[TN, FP], [FN, TP]]`` (shape (2, 2)
        even when a class is absent), and for 0/1 input of shape (N, K)
        without ``labels``, one such matrix per finding: shape (K, 2, 2)
        (scikit-learn's ``multilabel_confusion_matrix``). Any other input is
        flattened first: a segmentation volume counts every voxel once.

    Raises
    ------
    ValueError
        If the shapes differ, there are no samples, a label is not a whole
        number (or NaN), ``labels`` is empty, repeats a class or has none of
        the classes in ``y_true``, or ``normalize`` is unknown.

    Notes
    -----
    ``cm[i, j] = sum over n of [y_true[n] == labels[i] and y_pred[n] == labels[j]]``,
    as scikit-learn's ``confusion_matrix(y_true, y_pred, labels=labels,
    normalize=normalize)``, including its 0 / 0 rule: with ``normalize`` a
    class with no samples in a row (column) gives a row (column) of zeros, not
    NaN. `per_class_sens_spec` turns the counts into per-class rates.

    Examples
    --------
    >>> confusion_matrix([0, 0, 1, 1, 1], [0, 1, 0, 1, 1])
    array([[1, 1],
           [1, 2]])
    >>> confusion_matrix([0, 1, 2, 2, 3], [0, 2, 2, 2, 1], labels=[0, 1, 2, 3])
    array([[1, 0, 0, 0],
           [0, 0, 1, 0],
           [0, 0, 2, 0],
           [0, 1, 0, 0]])
    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], normalize="true")
    array([[1. , 0. , 0. ],
           [0. , 0.5, 0.5],
           [0. , 0. , 1. ]])
    """
    func = "confusion_matrix"
    check_normalize(normalize, func)
    truth, pred = class_labels_pair(y_true, y_pred, func)
    if labels is None and truth.ndim <= 2 and is_binary(truth) and is_binary(pred):
        tn, fp, fn, tp = _counts(truth, pred)
        cm = np.stack(
            [np.stack([tn, fp], axis=-1), np.stack([fn, tp], axis=-1)], axis=-2
        ).astype(np.int64)  # (2, 2) or (K, 2, 2)
    else:
        cm = class_counts(truth, pred, labels, func)  # (K, K)
    return cm if normalize is None else normalize_counts(cm, normalize)


def sensitivity(y_true, y_pred, *, average=None, zero_division="warn"):
    """Return the sensitivity (recall, true-positive rate) TP / (TP + FN).

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_pred : array-like of the same shape, 0/1 or bool
        Hard predictions.
    average : None or "macro", default None
        For (N, K) input: None gives one value per finding, "macro" their mean
        over the findings where the value is defined (not NaN).
    zero_division : "warn" or float, default "warn"
        Value when TP + FN = 0 (no positives): "warn" gives NaN and an
        `UndefinedMetricWarning`; a number is returned silently.

    Returns
    -------
    sensitivity : np.float64, or ndarray of shape (K,) for (N, K) input
        Fraction of the truly positive cases that the model flags.

    Warns
    -----
    UndefinedMetricWarning
        If there are no positives in ``y_true`` (for some finding).

    Notes
    -----
    ``sensitivity = TP / (TP + FN)`` with the counts of `confusion_matrix`.

    Examples
    --------
    >>> sensitivity([0, 0, 1, 1, 1, 1], [0, 1, 0, 1, 1, 1])
    np.float64(0.75)
    """
    return _rate(
        "sensitivity",
        y_true,
        y_pred,
        average,
        zero_division,
        lambda tn, fp, fn, tp: (tp, tp + fn),
        "TP / (TP + FN) with no positives in y_true",
    )


def specificity(y_true, y_pred, *, average=None, zero_division="warn"):
    """Return the specificity (true-negative rate) TN / (TN + FP).

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_pred : array-like of the same shape, 0/1 or bool
        Hard predictions.
    average : None or "macro", default None
        As in `sensitivity`.
    zero_division : "warn" or float, default "warn"
        Value when TN + FP = 0 (no negatives); "warn" gives NaN and a warning.

    Returns
    -------
    specificity : np.float64, or ndarray of shape (K,) for (N, K) input
        Fraction of the truly negative cases that the model clears.

    Warns
    -----
    UndefinedMetricWarning
        If there are no negatives in ``y_true`` (for some finding).

    Notes
    -----
    ``specificity = TN / (TN + FP)``.

    Examples
    --------
    >>> specificity([0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 1, 0])
    np.float64(0.75)
    """
    return _rate(
        "specificity",
        y_true,
        y_pred,
        average,
        zero_division,
        lambda tn, fp, fn, tp: (tn, tn + fp),
        "TN / (TN + FP) with no negatives in y_true",
    )


def ppv(y_true, y_pred, *, average=None, zero_division="warn"):
    """Return the positive predictive value (precision) TP / (TP + FP).

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_pred : array-like of the same shape, 0/1 or bool
        Hard predictions.
    average : None or "macro", default None
        As in `sensitivity`.
    zero_division : "warn" or float, default "warn"
        Value when TP + FP = 0 (nothing predicted positive); "warn" gives NaN
        and a warning.

    Returns
    -------
    ppv : np.float64, or ndarray of shape (K,) for (N, K) input
        Probability that a case flagged positive really is positive.

    Warns
    -----
    UndefinedMetricWarning
        If ``y_pred`` has no positives (for some finding).

    Notes
    -----
    ``ppv = TP / (TP + FP)``; it depends on the prevalence, see
    `ppv_from_prevalence`.

    Examples
    --------
    >>> ppv([0, 0, 1, 1, 1], [0, 1, 0, 1, 1])
    np.float64(0.6666666666666666)
    """
    return _rate(
        "ppv",
        y_true,
        y_pred,
        average,
        zero_division,
        lambda tn, fp, fn, tp: (tp, tp + fp),
        "TP / (TP + FP) with no positives in y_pred",
    )


def npv(y_true, y_pred, *, average=None, zero_division="warn"):
    """Return the negative predictive value TN / (TN + FN).

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_pred : array-like of the same shape, 0/1 or bool
        Hard predictions.
    average : None or "macro", default None
        As in `sensitivity`.
    zero_division : "warn" or float, default "warn"
        Value when TN + FN = 0 (everything predicted positive); "warn" gives
        NaN and a warning.

    Returns
    -------
    npv : np.float64, or ndarray of shape (K,) for (N, K) input
        Probability that a case cleared as negative really is negative.

    Warns
    -----
    UndefinedMetricWarning
        If ``y_pred`` has no negatives (for some finding).

    Notes
    -----
    ``npv = TN / (TN + FN)``.

    Examples
    --------
    >>> npv([0, 0, 0, 1, 1], [0, 0, 1, 0, 1])
    np.float64(0.6666666666666666)
    """
    return _rate(
        "npv",
        y_true,
        y_pred,
        average,
        zero_division,
        lambda tn, fp, fn, tp: (tn, tn + fn),
        "TN / (TN + FN) with no negatives in y_pred",
    )


def accuracy(y_true, y_pred, *, average=None):
    """Return the accuracy (TP + TN) / N, the fraction of correct predictions.

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_pred : array-like of the same shape, 0/1 or bool
        Hard predictions.
    average : None or "macro", default None
        As in `sensitivity`.

    Returns
    -------
    accuracy : np.float64, or ndarray of shape (K,) for (N, K) input
        Always defined (N >= 1). With a rare finding it is dominated by the
        negatives: predicting "healthy" for everyone scores 1 - prevalence.

    Notes
    -----
    ``accuracy = (TP + TN) / (TP + TN + FP + FN)``.

    Examples
    --------
    >>> accuracy([0, 0, 0, 1], [0, 0, 1, 1])
    np.float64(0.75)
    """
    return _rate(
        "accuracy",
        y_true,
        y_pred,
        average,
        "warn",
        lambda tn, fp, fn, tp: (tp + tn, tp + tn + fp + fn),
        "accuracy with no samples",
    )


def f1_score(y_true, y_pred, *, average=None, zero_division="warn"):
    """Return the F1 score 2 TP / (2 TP + FP + FN) (harmonic mean of PPV, sensitivity).

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_pred : array-like of the same shape, 0/1 or bool
        Hard predictions.
    average : None or "macro", default None
        As in `sensitivity`.
    zero_division : "warn" or float, default "warn"
        Value when 2 TP + FP + FN = 0 (no positives in either array); "warn"
        gives NaN and a warning.

    Returns
    -------
    f1 : np.float64, or ndarray of shape (K,) for (N, K) input

    Warns
    -----
    UndefinedMetricWarning
        If neither ``y_true`` nor ``y_pred`` has a positive (for some finding).

    Notes
    -----
    ``f1 = 2 TP / (2 TP + FP + FN) = 2 ppv sens / (ppv + sens)``.

    Examples
    --------
    >>> f1_score([0, 0, 1, 1, 1], [0, 1, 0, 1, 1])
    np.float64(0.6666666666666666)
    """
    return _rate(
        "f1_score",
        y_true,
        y_pred,
        average,
        zero_division,
        lambda tn, fp, fn, tp: (2 * tp, 2 * tp + fp + fn),
        "2 TP / (2 TP + FP + FN) with no positives in y_true or y_pred",
    )


def prevalence(y_true, *, average=None):
    """Return the prevalence, the fraction of positive cases: mean of ``y_true``.

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1 or bool
        Ground truth; 1 means the finding is present.
    average : None or "macro", default None
        As in `sensitivity`.

    Returns
    -------
    prevalence : np.float64, or ndarray of shape (K,) for (N, K) input

    Notes
    -----
    ``prevalence = (TP + FN) / N = (1 / N) sum over n of y_true[n]``.

    Examples
    --------
    >>> prevalence([0, 0, 0, 1])
    np.float64(0.25)
    >>> prevalence([[0, 1], [1, 1]])
    array([0.5, 1. ])
    """
    check_average(average, "prevalence")
    truth = as_labels(y_true, "y_true", "prevalence")
    return reduce_average(truth.mean(axis=0), average)


def _check_unit_interval(value, name: str, func: str) -> np.ndarray:
    """Return ``value`` as float64 after checking it is finite and within [0, 1]."""
    arr = np.asarray(value, dtype=np.float64)
    if not np.all((arr >= 0) & (arr <= 1)):  # False for NaN too
        shown = arr if arr.ndim == 0 else f"values in [{arr.min()}, {arr.max()}]"
        fail(func, f"{name} within [0, 1]", f"{shown}")
    return arr


def ppv_from_prevalence(sensitivity, specificity, prevalence):
    """Return the PPV a test would have at a given prevalence (Bayes' rule).

    Parameters
    ----------
    sensitivity, specificity, prevalence : float or array-like, each in [0, 1]
        The test's sensitivity and specificity and the population's prevalence;
        arrays broadcast against each other.

    Returns
    -------
    ppv : np.float64, or ndarray of the broadcast shape
        P(disease | positive test).

    Warns
    -----
    UndefinedMetricWarning
        If no one tests positive (``sens * prev = 0`` and
        ``(1 - spec) * (1 - prev) = 0``); the value is NaN.

    Notes
    -----
    ``ppv = sens * prev / (sens * prev + (1 - spec) * (1 - prev))``: true
    positives over all positives, per unit of population.

    Examples
    --------
    A good test (sensitivity 0.9, specificity 0.9) for a rare finding (1 %):

    >>> round(float(ppv_from_prevalence(0.9, 0.9, 0.01)), 4)
    0.0833
    >>> ppv_from_prevalence(0.5, 0.75, 0.5)
    np.float64(0.6666666666666666)
    """
    func = "ppv_from_prevalence"
    sens = _check_unit_interval(sensitivity, "sensitivity", func)
    spec = _check_unit_interval(specificity, "specificity", func)
    prev = _check_unit_interval(prevalence, "prevalence", func)
    true_pos = sens * prev  # per unit of population
    false_pos = (1 - spec) * (1 - prev)
    denom = true_pos + false_pos
    undefined = denom == 0
    if np.any(undefined):
        warn_undefined(
            func,
            "PPV with no positive tests (sens * prev + (1 - spec) * (1 - prev) = 0)",
        )
    ppv_value = np.where(undefined, np.nan, true_pos / np.where(undefined, 1, denom))
    return np.float64(ppv_value) if ppv_value.ndim == 0 else ppv_value
