"""The ROC curve and the area under it (AUC), computed two ways.

A threshold turns scores into decisions; every threshold gives one pair
(false positive rate, true positive rate) = (1 - specificity, sensitivity).
Sweeping the threshold from +infinity (nobody is flagged: the point (0, 0)) down
to the lowest score (everybody is flagged: the point (1, 1)) traces the receiver
operating characteristic (ROC) curve. Only the distinct score values matter:
between two neighbouring scores no decision changes.

The area under the ROC curve (AUC) summarises the whole curve in one number. It
has a second meaning that needs no curve at all: the AUC is the probability that
a randomly chosen diseased patient scores higher than a randomly chosen healthy
one, counting a tie as one half (the Mann-Whitney U statistic divided by the
number of pairs). Both computations give the same number; this lesson writes both.

Conventions are scikit-learn's (``sklearn.metrics.roc_curve`` with
``drop_intermediate=False``), so results can be compared with it.
"""

import numpy as np

__all__ = ["auc_mann_whitney", "auc_trapezoid", "roc_curve"]


def roc_curve(y_true, y_score):
    """Compute the ROC curve by sweeping the threshold over the distinct scores.

    Parameters
    ----------
    y_true : array of shape (N,)
        Ground truth 0/1 (ints, floats 0./1. or bools; lists work too).
    y_score : array of shape (N,)
        Scores; a higher score means "more likely diseased".

    Returns
    -------
    fpr : float ndarray of shape (T + 1,)
        ``fpr[k] = FP(thresholds[k]) / (number of negatives)``.
    tpr : float ndarray of shape (T + 1,)
        ``tpr[k] = TP(thresholds[k]) / (number of positives)``.
    thresholds : float ndarray of shape (T + 1,)
        ``[inf, s_1, s_2, ..., s_T]``: +infinity, then the T distinct values of
        ``y_score`` in decreasing order.

    Notes
    -----
    At threshold ``th``, ``y_score >= th`` counts as a positive decision, so
    ``TP(th) = sum over i of [y_true[i] == 1 and y_score[i] >= th]`` and
    ``FP(th) = sum over i of [y_true[i] == 0 and y_score[i] >= th]``. The first
    point (threshold +inf) is always (0, 0) and the last (lowest score) is
    (1, 1). With one class only, the rate whose denominator is 0 is NaN
    everywhere (0 / 0).

    Examples
    --------
    y_true = [0, 0, 1, 1], y_score = [0.1, 0.4, 0.35, 0.8]. Distinct scores in
    decreasing order: 0.8, 0.4, 0.35, 0.1.

    =========  ==  ==  ====  ====
    threshold  TP  FP  tpr   fpr
    =========  ==  ==  ====  ====
    inf        0   0   0.0   0.0
    0.8        1   0   0.5   0.0
    0.4        1   1   0.5   0.5
    0.35       2   1   1.0   0.5
    0.1        2   2   1.0   1.0
    =========  ==  ==  ====  ====

    >>> fpr, tpr, thresholds = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr, tpr
    (array([0. , 0. , 0.5, 0.5, 1. ]), array([0. , 0.5, 0.5, 1. , 1. ]))
    >>> thresholds
    array([ inf, 0.8 , 0.4 , 0.35, 0.1 ])
    """
    y_true, y_score = np.asarray(y_true), np.asarray(y_score, dtype=float)
    ### START CODE HERE ###
    # Hint: thresholds: +inf first, then the distinct scores in DECREASING order. At
    # Hint: each, a score >= threshold is positive; count TP and FP (a loop is fine) and
    # Hint: divide by the numbers of positives and of negatives.
    raise NotImplementedError("week2.roc_auc.roc_curve: not implemented yet")
    ### END CODE HERE ###


def auc_trapezoid(fpr, tpr):
    """Compute the area under a curve given by its points, with the trapezoid rule.

    Parameters
    ----------
    fpr : float array of shape (M,)
        x coordinates, non-decreasing (the false positive rates of an ROC curve).
    tpr : float array of shape (M,)
        y coordinates (the true positive rates).

    Returns
    -------
    area : float
        ``sum over k = 1..M-1 of (fpr[k] - fpr[k-1]) * (tpr[k] + tpr[k-1]) / 2``.

    Examples
    --------
    The curve (0, 0) -> (0, 0.5) -> (0.5, 0.5) -> (0.5, 1) -> (1, 1): the vertical
    steps add nothing, the two horizontal ones 0.5 * 0.5 and 0.5 * 1, so the
    area is 0.25 + 0.5 = 0.75.

    >>> float(auc_trapezoid([0, 0, 0.5, 0.5, 1], [0, 0.5, 0.5, 1, 1]))
    0.75
    """
    fpr, tpr = np.asarray(fpr, dtype=float), np.asarray(tpr, dtype=float)
    ### START CODE HERE ###
    # Hint: each trapezoid's width is the step in fpr (np.diff) and its height the mean
    # Hint: of the two tpr values at its ends; add up width times height.
    raise NotImplementedError("week2.roc_auc.auc_trapezoid: not implemented yet")
    ### END CODE HERE ###


def auc_mann_whitney(y_true, y_score):
    """Compute the ROC AUC as the fraction of (diseased, healthy) pairs ranked right.

    Parameters
    ----------
    y_true : array of shape (N,)
        Ground truth 0/1 (ints, floats 0./1. or bools; lists work too).
    y_score : array of shape (N,)
        Scores; a higher score means "more likely diseased".

    Returns
    -------
    auc : float
        ``mean over every pair (i, j) with y_true[i] == 1 and y_true[j] == 0 of
        ( 1 if y_score[i] > y_score[j], 1/2 if y_score[i] == y_score[j], else 0 )``.
        NaN when one class is missing (no pairs: 0 / 0).

    Examples
    --------
    y_true = [0, 0, 1, 1], y_score = [0.1, 0.4, 0.35, 0.8]. Diseased scores
    0.35 and 0.8, healthy 0.1 and 0.4: of the 4 pairs, 0.35 > 0.1, 0.35 < 0.4,
    0.8 > 0.1, 0.8 > 0.4, so AUC = 3 / 4 = 0.75 (the area of the ROC curve in
    `roc_curve`'s example). With y_score = [0.1, 0.4, 0.4, 0.8] the pair
    (0.4, 0.4) is a tie worth 1/2: AUC = 3.5 / 4 = 0.875.

    >>> float(auc_mann_whitney([0, 0, 1, 1], [0.1, 0.4, 0.4, 0.8]))
    0.875
    """
    y_true, y_score = np.asarray(y_true), np.asarray(y_score, dtype=float)
    ### START CODE HERE ###
    # Hint: compare every (diseased, healthy) pair at once: a column of diseased scores
    # Hint: against a row of healthy ones broadcasts to a table; a win counts 1, a tie
    # Hint: 1/2. Average it; return NaN yourself when a class is missing.
    raise NotImplementedError("week2.roc_auc.auc_mann_whitney: not implemented yet")
    ### END CODE HERE ###
