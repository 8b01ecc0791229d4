"""Bootstrap confidence intervals for any metric.

Public names: `bootstrap_ci` and its result type `ConfidenceInterval`.

The algorithm is fixed down to the order of the random draws, so a learner's loop
with the same seed reproduces the interval exactly (the autograder relies on it).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from reference._validation import UndefinedMetricWarning, check_finite, fail
from reference.metrics._labels import as_labels, check_positive_int

__all__ = ["ConfidenceInterval", "bootstrap_ci"]


class ConfidenceInterval(NamedTuple):
    """A point estimate with the bounds of its confidence interval.

    Attributes
    ----------
    estimate : float
        The metric on the full data.
    low, high : float
        The lower and upper bounds (percentiles of the bootstrap distribution).
    """

    estimate: float
    low: float
    high: float


def _check_arguments(y_true, y_score, n_bootstraps, alpha, stratified):
    """Validate the inputs of `bootstrap_ci`; return (labels, scores)."""
    func = "bootstrap_ci"
    truth = as_labels(y_true, "y_true", func, ndims=1)
    score = np.asarray(y_score)
    if score.dtype.kind not in "biuf":
        fail(
            func, "y_score with a numeric dtype", f"dtype {score.dtype}", kind=TypeError
        )
    check_finite(score, "y_score", func)
    if score.ndim == 0 or len(score) != len(truth):
        got = "a scalar" if score.ndim == 0 else str(len(score))
        fail(
            func,
            "y_true and y_score with the same number of samples",
            f"{len(truth)} and {got}",
        )
    check_positive_int(n_bootstraps, "n_bootstraps", func)
    if not 0 < alpha < 1:
        fail(func, "alpha in (0, 1)", repr(alpha), "alpha=0.05 gives a 95% interval.")
    if stratified and (truth.all() or not truth.any()):
        fail(
            func,
            "y_true with both classes for stratified resampling",
            f"only {truth[0]}s",
            "Pass stratified=False to resample all samples.",
        )
    return truth, score


def bootstrap_ci(
    metric: Callable,
    y_true,
    y_score,
    n_bootstraps: int = 1000,
    alpha: float = 0.05,
    seed=None,
    *,
    stratified: bool = True,
) -> ConfidenceInterval:
    """Estimate a metric with a percentile bootstrap confidence interval.

    Parameters
    ----------
    metric : callable ``metric(y_true, y_score) -> float``
        Any metric of this package, such as `roc_auc_score` or a lambda that
        thresholds the scores first.
    y_true : array-like of shape (N,), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_score : array-like of shape (N, ...)
        Whatever ``metric`` takes second (scores or hard predictions);
        resampled along axis 0 together with ``y_true``.
    n_bootstraps : int, default 1000
        Number of resampling rounds.
    alpha : float, default 0.05
        The interval covers ``1 - alpha`` of the bootstrap distribution.
    seed : int, np.random.Generator or None, default None
        Seeds ``np.random.default_rng``; the same seed gives the same interval.
    stratified : bool, default True
        Resample positives and negatives separately, so every round keeps the
        original class counts (and the AUC stays defined).

    Returns
    -------
    ci : ConfidenceInterval
        ``(estimate, low, high)``: the metric on the full data and the
        ``100 alpha/2`` and ``100 (1 - alpha/2)`` percentiles of the rounds.

    Raises
    ------
    ValueError
        On bad inputs, or with ``stratified=True`` if ``y_true`` has one class.

    Warns
    -----
    UndefinedMetricWarning
        If some rounds give NaN (a resample with one class only, possible only
        when not stratified); they are dropped. If all do, low and high are NaN.

    Notes
    -----
    The exact algorithm::

        rng = np.random.default_rng(seed)
        pos = np.flatnonzero(y_true == 1); neg = np.flatnonzero(y_true == 0)
        repeat n_bootstraps times:
            stratified: idx = concatenate([rng.choice(pos, size=pos.size),
                                           rng.choice(neg, size=neg.size)])
            otherwise:  idx = rng.choice(N, size=N)     (with replacement)
            stats.append(metric(y_true[idx], y_score[idx]))
        drop NaN stats
        low, high = np.percentile(stats, [100 alpha / 2, 100 (1 - alpha / 2)])

    The percentile interval is simple and works for any metric, but it is only
    approximate for small N or metrics near 0 or 1 [1]_.

    References
    ----------
    .. [1] B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap",
       Chapman & Hall, 1993, ch. 13.

    Examples
    --------
    >>> from reference.metrics import accuracy
    >>> y_true = [0, 0, 0, 1, 1, 1]
    >>> y_pred = [0, 0, 1, 1, 1, 0]
    >>> ci = bootstrap_ci(accuracy, y_true, y_pred, n_bootstraps=200, seed=0)
    >>> float(ci.estimate)
    0.6666666666666666
    >>> bool(ci.low <= ci.estimate <= ci.high)
    True
    """
    truth, score = _check_arguments(y_true, y_score, n_bootstraps, alpha, stratified)
    estimate = metric(truth, score)  # first: a wrong kind of metric fails fast
    if np.ndim(estimate) != 0:
        fail(
            "bootstrap_ci",
            "metric returning one number",
            f"shape {np.shape(estimate)}",
            "For (N, K) metrics pass average='macro' or one finding's column.",
        )
    rng = np.random.default_rng(seed)
    pos = np.flatnonzero(truth == 1)
    neg = np.flatnonzero(truth == 0)

    # resample and score; NaN rounds are counted once below, not warned each time
    stats = np.empty(n_bootstraps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for i in range(n_bootstraps):
            if stratified:
                idx = np.concatenate(
                    [
                        rng.choice(pos, size=pos.size, replace=True),
                        rng.choice(neg, size=neg.size, replace=True),
                    ]
                )
            else:
                idx = rng.choice(len(truth), size=len(truth), replace=True)
            stats[i] = metric(truth[idx], score[idx])

    # drop undefined rounds, then take the percentile interval
    defined = stats[~np.isnan(stats)]
    if defined.size < stats.size:
        warnings.warn(
            f"bootstrap_ci: {stats.size - defined.size} of {stats.size} "
            "bootstrap rounds gave NaN (a resample with one class only?) "
            "and were dropped.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    if defined.size:
        low, high = np.percentile(defined, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    else:
        low = high = np.nan
    return ConfidenceInterval(np.float64(estimate), np.float64(low), np.float64(high))
