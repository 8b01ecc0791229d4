"""The precision-recall curve and the F1 score: evaluating a rare-disease detector.

When the disease is rare, the ROC curve can look excellent while most of the
patients the model flags are healthy: the false positive rate divides by the many
negatives and hides them. Precision (PPV, TP / (TP + FP)) divides by the flagged
patients instead, so the precision-recall (PR) curve shows the cost of every
false alarm. Recall is sensitivity, TP / (TP + FN).

The F1 score summarises one threshold's precision and recall by their harmonic
mean, 2 P R / (P + R) = 2 TP / (2 TP + FP + FN); it ignores true negatives.

Conventions are scikit-learn's (``sklearn.metrics.precision_recall_curve``), so
results can be compared with it.
"""

import numpy as np

__all__ = ["f1_score", "precision_recall_curve"]


def precision_recall_curve(y_true, y_score):
    """Compute precision and recall at every distinct score used as threshold.

    Parameters
    ----------
    y_true : array of shape (N,)
        Ground truth 0/1 with at least one positive (lists work too).
    y_score : array of shape (N,)
        Scores; ``y_score >= th`` counts as a positive decision.

    Returns
    -------
    precision : float ndarray of shape (T + 1,)
        ``precision[k] = TP(thresholds[k]) / (TP(thresholds[k]) + FP(thresholds[k]))``
        for k < T, and ``precision[T] = 1``.
    recall : float ndarray of shape (T + 1,)
        ``recall[k] = TP(thresholds[k]) / (number of positives)`` for k < T, and
        ``recall[T] = 0``.
    thresholds : float ndarray of shape (T,)
        The T distinct values of ``y_score`` in increasing order.

    Notes
    -----
    Recall decreases along the arrays (thresholds increase); the extra last
    point (recall 0, precision 1) is where the curve starts, at a threshold above
    every score. Every threshold is a score, so at least one patient is flagged
    and precision is never 0 / 0.

    Examples
    --------
    y_true = [0, 0, 1, 1], y_score = [0.1, 0.4, 0.35, 0.8]:

    =========  ==  ==  =========  ======
    threshold  TP  FP  precision  recall
    =========  ==  ==  =========  ======
    0.1        2   2   0.5        1.0
    0.35       2   1   0.667      1.0
    0.4        1   1   0.5        0.5
    0.8        1   0   1.0        0.5
    (end)                1.0        0.0
    =========  ==  ==  =========  ======

    >>> precision, recall, thresholds = precision_recall_curve(
    ...     [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> precision.round(3), recall, thresholds
    (array([0.5  , 0.667, 0.5  , 1.   , 1.   ]), array([1. , 1. , 0.5, 0.5, 0. ]), \
array([0.1 , 0.35, 0.4 , 0.8 ]))
    """
    y_true, y_score = np.asarray(y_true), np.asarray(y_score, dtype=float)
    ### START CODE HERE ###
    # Hint: thresholds: the distinct scores, increasing (np.unique). At each, count TP
    # Hint: and the number flagged (score >= threshold); precision and recall as in
    # Hint: Returns; then append the end point: precision 1, recall 0.
    raise NotImplementedError(
        "week2.precision_recall.precision_recall_curve: not implemented yet"
    )
    ### END CODE HERE ###


def f1_score(y_true, y_pred):
    """Compute the F1 score of hard decisions: 2 TP / (2 TP + FP + FN).

    Parameters
    ----------
    y_true : array of shape (N,)
        Ground truth 0/1 (ints, floats 0./1. or bools; lists work too).
    y_pred : array of shape (N,)
        Hard decisions 0/1 (ints, floats 0./1. or bools), not scores.

    Returns
    -------
    f1 : float
        ``2 TP / (2 TP + FP + FN)``, the harmonic mean of precision and recall.
        NaN when there are no positives and no positive decisions (0 / 0).

    Examples
    --------
    y_true = [1, 0, 0, 1, 1], y_pred = [1, 1, 0, 1, 0]: TP = 2, FP = 1, FN = 1,
    so F1 = 4 / (4 + 1 + 1) = 0.667 (precision = recall = 2/3).

    >>> float(f1_score([1, 0, 0, 1, 1], [1, 1, 0, 1, 0]))
    0.6666666666666666
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    ### START CODE HERE ###
    # Hint: count TP, FP and FN from two boolean arrays (truth is 1, decision is 1);
    # Hint: keep them NumPy integers so that 0 / 0 comes out as nan, not an error.
    raise NotImplementedError("week2.precision_recall.f1_score: not implemented yet")
    ### END CODE HERE ###
