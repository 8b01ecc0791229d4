"""How sure are we of an AUC? A bootstrap confidence interval.

A test set is one sample of patients; another sample would give another AUC. The
bootstrap imitates "another sample" by drawing patients from the test set itself,
with replacement, many times, and recomputing the AUC on each draw. The spread of
those AUCs estimates the spread of the AUC; the middle ``1 - alpha`` of them (the
percentile method) is the confidence interval.

The draw is stratified: positives are resampled among positives and negatives
among negatives, so every draw keeps the test set's class counts (and the AUC is
always defined, even with few positives).

The exact algorithm (so that the numbers can be checked to the last digit) is
that of ``reference.metrics.bootstrap_ci(roc_auc_score, ..., stratified=True)``;
it is spelled out in `bootstrap_auc_ci`.
"""

import numpy as np

from reference.metrics import roc_auc_score

__all__ = ["bootstrap_auc_ci"]


def bootstrap_auc_ci(y_true, y_score, n_bootstraps=1000, alpha=0.05, seed=0):
    """Estimate the ROC AUC and a stratified bootstrap percentile confidence interval.

    Parameters
    ----------
    y_true : array of shape (N,)
        Ground truth 0/1 with both classes present (lists work too).
    y_score : array of shape (N,)
        Scores.
    n_bootstraps : int, optional
        Number of resamples (default 1000).
    alpha : float, optional
        The interval covers ``1 - alpha`` (default 0.05: a 95% interval).
    seed : int, optional
        Seed of the random generator (default 0).

    Returns
    -------
    (estimate, low, high) : tuple of three floats
        A plain tuple: the AUC of the full data and the interval's ends.

    Notes
    -----
    Follow these steps exactly (the grader reproduces them with the same seed):

    1. ``rng = np.random.default_rng(seed)``
    2. ``pos = np.flatnonzero(y_true == 1)``; ``neg = np.flatnonzero(y_true == 0)``
       (the indices of the positives and of the negatives).
    3. For each of the ``n_bootstraps`` rounds, in order::

           idx = np.concatenate([rng.choice(pos, size=pos.size, replace=True),
                                 rng.choice(neg, size=neg.size, replace=True)])
           stat = roc_auc_score(y_true[idx], y_score[idx])

       (positives drawn first, then negatives, both in the same round).
    4. ``low, high = np.percentile(stats, [100 * alpha / 2, 100 * (1 - alpha / 2)])``
       (NumPy's default, linear interpolation).
    5. ``estimate = roc_auc_score(y_true, y_score)`` on the full data.

    Examples
    --------
    y_true = [0, 0, 1, 1], y_score = [0.1, 0.4, 0.35, 0.8] has AUC 0.75. One draw
    might pick positives (2, 2) and negatives (0, 1): scores 0.35, 0.35 against
    0.1, 0.4, so AUC 0.5. Another: positives (3, 2), negatives (0, 0): AUC 1.
    The 2.5th and 97.5th percentiles of many such AUCs are the interval. Ten
    patients (4 diseased) with AUC 0.854 give a wide interval:

    >>> y_true = [0, 0, 0, 0, 1, 1, 1, 0, 1, 0]
    >>> y_score = [0.1, 0.3, 0.2, 0.6, 0.8, 0.4, 0.9, 0.5, 0.5, 0.05]
    >>> estimate, low, high = bootstrap_auc_ci(y_true, y_score, seed=0)
    >>> round(float(estimate), 3), round(float(low), 3), round(float(high), 3)
    (0.854, 0.542, 1.0)
    """
    y_true, y_score = np.asarray(y_true), np.asarray(y_score)
    ### BEGIN SOLUTION
    # Hint: make the generator once, before the loop; in each round draw the
    # Hint: positives' indices, then the negatives', exactly as in the Notes.
    # Hint: roc_auc_score (imported above) computes each round's AUC.
    rng = np.random.default_rng(seed)
    pos = np.flatnonzero(y_true == 1)
    neg = np.flatnonzero(y_true == 0)
    stats = np.empty(n_bootstraps)
    for r in range(n_bootstraps):
        idx = np.concatenate(
            [
                rng.choice(pos, size=pos.size, replace=True),
                rng.choice(neg, size=neg.size, replace=True),
            ]
        )
        stats[r] = roc_auc_score(y_true[idx], y_score[idx])
    low, high = np.percentile(stats, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return roc_auc_score(y_true, y_score), low, high
    ### END SOLUTION
