"""Threshold-free metrics of scores: ROC and precision-recall curves, AUC, AP.

Public names: `roc_curve`, `roc_auc_score`, `auc`, `precision_recall_curve`,
`average_precision_score`, `optimal_threshold`.

Every function takes ``(y_true, y_score)``: 0/1 labels (positive class 1) and
real-valued scores where larger means "more likely positive". A sample counts as
predicted positive at threshold ``th`` when ``y_score >= th``. The curves follow
scikit-learn's (>= 1.3) conventions exactly; the scores (`roc_auc_score`,
`average_precision_score`) accept ``(N, K)`` input, one column per finding.

All curves are built from the same counts: sort the scores in decreasing order
and, at each distinct score ``th``, count ``TP(th)`` and ``FP(th)``, the
positives and negatives with ``y_score >= th``.
"""

from __future__ import annotations

import numpy as np

from reference._validation import fail, warn_undefined
from reference.metrics._labels import (
    as_scores,
    check_average,
    labels_and_scores,
    reduce_average,
)

__all__ = [
    "auc",
    "average_precision_score",
    "optimal_threshold",
    "precision_recall_curve",
    "roc_auc_score",
    "roc_curve",
]


def _counts_at_thresholds(y_true: np.ndarray, y_score: np.ndarray):
    """Return (FP, TP, thresholds) at each distinct score, thresholds decreasing.

    ``TP[i]`` / ``FP[i]`` count the positives / negatives with
    ``y_score >= thresholds[i]``; all arrays have shape (T,), T distinct scores.
    """
    # sort by decreasing score; the order inside a tie does not matter
    order = np.argsort(y_score, kind="stable")[::-1]
    score = y_score[order]
    label = y_true[order]

    # the last sample of each run of equal scores closes one threshold
    last = np.r_[np.flatnonzero(score[1:] != score[:-1]), score.size - 1]
    tps = np.cumsum(label)[last]
    fps = last + 1 - tps
    return fps, tps, score[last]


def _drop_collinear(fps, tps, thresholds):
    """Keep the first, the last, and every point where the ROC curve bends.

    A middle point is dropped when the second differences of both FP and TP
    are 0 there: it lies on the straight segment joining its neighbours.
    """
    if fps.size <= 2:
        return fps, tps, thresholds
    bends = (np.diff(fps, 2) != 0) | (np.diff(tps, 2) != 0)
    keep = np.r_[True, bends, True]
    return fps[keep], tps[keep], thresholds[keep]


def _rate_or_nan(counts, func, what, stacklevel):
    """Return ``counts / counts[-1]``, or NaNs plus a warning when the total is 0."""
    if counts[-1] == 0:
        warn_undefined(func, what, stacklevel=stacklevel)
        return np.full(counts.shape, np.nan)
    return counts / counts[-1]


def _roc_points(y_true, y_score, func, drop_intermediate, stacklevel=5):
    """Return (fpr, tpr, thresholds) of one finding; see `roc_curve`."""
    fps, tps, thresholds = _counts_at_thresholds(y_true, y_score)
    if drop_intermediate:
        fps, tps, thresholds = _drop_collinear(fps, tps, thresholds)

    # start at (0, 0): nothing predicted positive above an infinite threshold
    fps = np.r_[0, fps]
    tps = np.r_[0, tps]
    thresholds = np.r_[np.inf, thresholds].astype(np.float64)

    fpr = _rate_or_nan(
        fps, func, "the false-positive rate with no negatives in y_true", stacklevel
    )
    tpr = _rate_or_nan(
        tps, func, "the true-positive rate with no positives in y_true", stacklevel
    )
    return fpr, tpr, thresholds


def roc_curve(y_true, y_score, *, drop_intermediate=True):
    """Compute the receiver operating characteristic (ROC) curve of one finding.

    Parameters
    ----------
    y_true : array-like of shape (N,), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_score : array-like of shape (N,), float
        Scores (probabilities or logits); larger means more likely positive.
    drop_intermediate : bool, default True
        Drop thresholds whose point lies on the straight segment between its
        neighbours (they do not change the curve's shape or area).

    Returns
    -------
    fpr : ndarray of shape (T + 1,), float64
        False-positive rate at each threshold, increasing from 0 to 1.
    tpr : ndarray of shape (T + 1,), float64
        True-positive rate at each threshold, increasing from 0 to 1.
    thresholds : ndarray of shape (T + 1,), float64
        Decreasing: ``thresholds[0] = inf`` (nothing predicted positive), then
        the distinct scores (T of them, fewer after dropping).

    Raises
    ------
    ValueError
        If the inputs are not 1-D of one length, labels not 0/1, scores not
        finite.

    Warns
    -----
    UndefinedMetricWarning
        If ``y_true`` has one class only; the undefined rate (tpr without
        positives, fpr without negatives) is then NaN.

    See Also
    --------
    roc_auc_score : the area under this curve.

    Notes
    -----
    For each distinct score ``th`` in decreasing order::

        tpr(th) = #{n : y_true[n] = 1 and y_score[n] >= th} / #{n : y_true[n] = 1}
        fpr(th) = #{n : y_true[n] = 0 and y_score[n] >= th} / #{n : y_true[n] = 0}

    With ``drop_intermediate`` the point ``i`` (not the first or last) is
    dropped when ``FP[i-1] - 2 FP[i] + FP[i+1] = 0`` and
    ``TP[i-1] - 2 TP[i] + TP[i+1] = 0`` (counts before the (0, 0) point is
    prepended), scikit-learn's rule.

    Examples
    --------
    >>> fpr, tpr, thresholds = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr
    array([0. , 0. , 0.5, 0.5, 1. ])
    >>> tpr
    array([0. , 0.5, 0.5, 1. , 1. ])
    >>> thresholds
    array([ inf, 0.8 , 0.4 , 0.35, 0.1 ])
    """
    truth, score = labels_and_scores(y_true, y_score, "roc_curve", ndims=1)
    return _roc_points(truth, score, "roc_curve", bool(drop_intermediate))


def _trapezoid(x: np.ndarray, y: np.ndarray) -> np.float64:
    """Return sum over i of (x[i+1] - x[i]) * (y[i+1] + y[i]) / 2."""
    return np.float64(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))


def auc(x, y) -> np.float64:
    """Return the area under a curve through the points (x[i], y[i]), trapezoid rule.

    Parameters
    ----------
    x : array-like of shape (P,), P >= 2
        Monotonic (increasing or decreasing) x coordinates, e.g. ``fpr``.
    y : array-like of shape (P,)
        y coordinates, e.g. ``tpr``.

    Returns
    -------
    area : np.float64
        Non-negative for a non-negative ``y``, whichever direction ``x`` runs.

    Raises
    ------
    ValueError
        If ``x`` is not monotonic, the lengths differ, or there are fewer than
        two points.

    Notes
    -----
    ``area = |sum over i of (x[i+1] - x[i]) * (y[i] + y[i+1]) / 2|`` with the
    sign set by the direction of ``x``.

    Examples
    --------
    >>> auc([0, 0.5, 1], [0, 1, 1])
    np.float64(0.75)
    """
    x_arr = as_scores(x, "x", "auc", ndims=1)
    y_arr = as_scores(y, "y", "auc", ndims=1)
    if x_arr.shape != y_arr.shape:
        fail(
            "auc",
            "x and y with the same number of points",
            f"{x_arr.size} and {y_arr.size}",
        )
    if x_arr.size < 2:
        fail("auc", "at least 2 points", f"{x_arr.size}")
    dx = np.diff(x_arr)
    if np.all(dx >= 0):
        direction = 1.0
    elif np.all(dx <= 0):
        direction = -1.0
    else:
        fail(
            "auc",
            "x monotonic (increasing or decreasing)",
            "x going both ways",
            "Sort the points by x first.",
        )
    return np.float64(direction * _trapezoid(x_arr, y_arr))


def _per_finding(func, y_true, y_score, average, score_one):
    """Apply ``score_one(truth_k, score_k)`` to each column and average the results."""
    check_average(average, func)
    truth, score = labels_and_scores(y_true, y_score, func)
    if truth.ndim == 1:
        return reduce_average(score_one(truth, score), average)
    values = np.empty(truth.shape[1])
    for k in range(truth.shape[1]):  # a loop, not a comprehension: same stack depth
        values[k] = score_one(truth[:, k], score[:, k])
    return reduce_average(values, average)


def _roc_auc_one(y_true, y_score) -> np.float64:
    """ROC AUC of one finding; NaN (with a warning) if one class only."""
    n_pos = int(y_true.sum())
    if n_pos == 0 or n_pos == y_true.size:
        warn_undefined(
            "roc_auc_score", "ROC AUC with only one class in y_true", stacklevel=5
        )
        return np.float64(np.nan)
    fpr, tpr, _ = _roc_points(y_true, y_score, "roc_auc_score", True)
    return _trapezoid(fpr, tpr)


def roc_auc_score(y_true, y_score, *, average="macro"):
    """Return the area under the ROC curve (ROC AUC), per finding or averaged.

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_score : array-like of the same shape, float
        Scores; larger means more likely positive.
    average : "macro" or None, default "macro"
        For (N, K) input: "macro" gives the mean over findings whose AUC is
        defined, None the (K,) per-finding values.

    Returns
    -------
    auc : np.float64, or ndarray of shape (K,) with ``average=None``
        The probability that a random positive scores above a random
        negative (ties count 1/2).

    Warns
    -----
    UndefinedMetricWarning
        If ``y_true`` (a column of it) holds one class only; its AUC is NaN.

    Notes
    -----
    Trapezoid rule over the `roc_curve` points::

        AUC = sum over i of (fpr[i+1] - fpr[i]) * (tpr[i] + tpr[i+1]) / 2

    which equals the Mann-Whitney statistic ``U / (N+ N-)``::

        U = sum over positives p and negatives q of
            [s_p > s_q] + 1/2 [s_p = s_q]

    Examples
    --------
    Of the 2 x 2 (positive, negative) pairs, 3 are ordered correctly:

    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    np.float64(0.75)
    """
    return _per_finding("roc_auc_score", y_true, y_score, average, _roc_auc_one)


def _pr_points(y_true, y_score, func, stacklevel=5):
    """Return (precision, recall, thresholds) of one finding; see the public one."""
    fps, tps, thresholds = _counts_at_thresholds(y_true, y_score)
    precision = tps / (tps + fps)  # at least one sample at each threshold
    recall = _rate_or_nan(tps, func, "recall with no positives in y_true", stacklevel)

    # increasing thresholds, then the end point (precision 1, recall 0)
    precision = np.r_[precision[::-1], 1.0]
    recall = np.r_[recall[::-1], 0.0]
    return precision, recall, thresholds[::-1].copy()


def precision_recall_curve(y_true, y_score):
    """Compute precision (PPV) and recall (sensitivity) at every threshold.

    Parameters
    ----------
    y_true : array-like of shape (N,), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_score : array-like of shape (N,), float
        Scores; larger means more likely positive.

    Returns
    -------
    precision : ndarray of shape (T + 1,), float64
        ``precision[i]`` at ``thresholds[i]``; the last entry is 1.
    recall : ndarray of shape (T + 1,), float64
        ``recall[i]`` at ``thresholds[i]``, decreasing; the last entry is 0.
    thresholds : ndarray of shape (T,), the dtype of ``y_score``
        The T distinct scores, increasing.

    Warns
    -----
    UndefinedMetricWarning
        If ``y_true`` has no positives; recall is then NaN (scikit-learn sets
        it to 1 instead).

    Notes
    -----
    At each distinct score ``th``: ``precision = TP / (TP + FP)`` and
    ``recall = TP / (TP + FN)``, counting ``y_score >= th`` as positive.
    No points are dropped (scikit-learn's default ``drop_intermediate=False``).

    Examples
    --------
    >>> precision, recall, thresholds = precision_recall_curve(
    ...     [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> precision
    array([0.5       , 0.66666667, 0.5       , 1.        , 1.        ])
    >>> recall
    array([1. , 1. , 0.5, 0.5, 0. ])
    >>> thresholds
    array([0.1 , 0.35, 0.4 , 0.8 ])
    """
    func = "precision_recall_curve"
    truth, score = labels_and_scores(y_true, y_score, func, ndims=1)
    return _pr_points(truth, score, func)


def _average_precision_one(y_true, y_score) -> np.float64:
    """Average precision of one finding; NaN (with a warning) without positives."""
    func = "average_precision_score"
    if not y_true.any():
        warn_undefined(
            func, "average precision with no positives in y_true", stacklevel=5
        )
        return np.float64(np.nan)
    precision, recall, _ = _pr_points(y_true, y_score, func)
    return np.float64(np.sum((recall[:-1] - recall[1:]) * precision[:-1]))


def average_precision_score(y_true, y_score, *, average="macro"):
    """Return the average precision (AP), a step-wise area under the PR curve.

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_score : array-like of the same shape, float
        Scores; larger means more likely positive.
    average : "macro" or None, default "macro"
        As in `roc_auc_score`.

    Returns
    -------
    ap : np.float64, or ndarray of shape (K,) with ``average=None``
        Between the prevalence (random scores, on average) and 1 (perfect).

    Warns
    -----
    UndefinedMetricWarning
        If ``y_true`` (a column of it) has no positives; AP is NaN
        (scikit-learn returns 0).

    Notes
    -----
    With thresholds in decreasing order and ``R_0 = 0``::

        AP = sum over n of (R_n - R_{n-1}) * P_n

    where ``P_n`` and ``R_n`` are the precision and recall at the n-th
    threshold (no interpolation, as scikit-learn).

    Examples
    --------
    Recall steps to 1/2 at precision 1, then to 1 at precision 2/3:

    >>> average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    np.float64(0.8333333333333333)
    """
    return _per_finding(
        "average_precision_score", y_true, y_score, average, _average_precision_one
    )


def optimal_threshold(y_true, y_score, *, method="youden") -> np.float64:
    """Choose an operating threshold on the ROC curve.

    Parameters
    ----------
    y_true : array-like of shape (N,), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_score : array-like of shape (N,), float
        Scores; larger means more likely positive.
    method : {"youden", "closest"}, default "youden"
        "youden" maximises Youden's J = tpr - fpr (sensitivity + specificity
        - 1); "closest" minimises the distance to the ideal corner (0, 1).

    Returns
    -------
    threshold : np.float64
        Predict positive where ``y_score >= threshold``. Ties go to the first
        point in `roc_curve` order (the highest threshold); ``inf`` means no
        threshold beats predicting everyone negative. NaN (with a warning) if
        ``y_true`` has one class only.

    Notes
    -----
    Over the points of ``roc_curve(y_true, y_score, drop_intermediate=False)``::

        youden:  argmax over i of tpr[i] - fpr[i]
        closest: argmin over i of fpr[i]^2 + (1 - tpr[i])^2

    Ties are decided exactly: both criteria are compared as integers,
    ``TP N- - FP N+`` and ``(FP N+)^2 + (FN N-)^2``, because in floating point
    ``2/3 - 0`` and ``1 - 1/3`` differ in the last bit.

    Examples
    --------
    >>> optimal_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    np.float64(0.8)
    >>> optimal_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], method="closest")
    np.float64(0.8)
    """
    func = "optimal_threshold"
    if method not in ("youden", "closest"):
        fail(func, "method 'youden' or 'closest'", repr(method))
    truth, score = labels_and_scores(y_true, y_score, func, ndims=1)
    n_pos = int(truth.sum())
    n_neg = truth.size - n_pos
    if n_pos == 0 or n_neg == 0:
        warn_undefined(
            func, "the ROC curve with only one class in y_true", stacklevel=3
        )
        return np.float64(np.nan)

    # the points of roc_curve(drop_intermediate=False), as exact integer counts
    fps, tps, thresholds = _counts_at_thresholds(truth, score)
    fps = np.r_[0, fps].astype(object)  # Python ints: the products below are exact
    tps = np.r_[0, tps].astype(object)
    thresholds = np.r_[np.inf, thresholds]

    # compare scaled criteria exactly, so ties really are ties (argmax/argmin
    # return the first best point, the highest threshold)
    if method == "youden":  # (tpr - fpr) * N+ N-
        best = np.argmax(tps * n_neg - fps * n_pos)
    else:  # (fpr^2 + (1 - tpr)^2) * N+^2 N-^2
        best = np.argmin((fps * n_pos) ** 2 + ((n_pos - tps) * n_neg) ** 2)
    return np.float64(thresholds[best])
