"""Choosing an operating point: which threshold to use in the clinic.

The ROC curve lists every trade-off between sensitivity and specificity the model
can make; deployment needs one threshold. Two common rules pick a point of the
curve (the points of ``reference.metrics.roc_curve(..., drop_intermediate=False)``,
first point at threshold +inf):

- Youden's J statistic: maximise ``J = sensitivity + specificity - 1 = tpr - fpr``,
  the vertical distance between the curve and the diagonal of a useless test.
- Closest to the corner: minimise the distance to the perfect test (0, 1), that is
  ``fpr^2 + (1 - tpr)^2``.

Both break ties the same way: among equally good points, the first in the curve's
order wins, which is the one with the highest threshold (the most conservative
choice). ``np.argmax`` and ``np.argmin`` return the first best index, so they do
exactly this.

Neither rule knows what a missed diagnosis costs compared with a false alarm; in
practice the threshold is chosen with clinicians, often for a target sensitivity.
"""

import numpy as np

from reference.metrics import roc_curve

__all__ = ["threshold_closest_to_corner", "threshold_youden"]


def threshold_youden(y_true, y_score):
    """Return the threshold that maximises Youden's J = tpr - fpr.

    Parameters
    ----------
    y_true : array of shape (N,)
        Ground truth 0/1 with both classes present (lists work too).
    y_score : array of shape (N,)
        Scores; ``y_score >= threshold`` counts as a positive decision.

    Returns
    -------
    threshold : float
        ``thresholds[k]`` for the first index ``k`` (highest threshold) at which
        ``tpr[k] - fpr[k]`` is largest, over the points of the full ROC curve
        (``roc_curve(y_true, y_score, drop_intermediate=False)``).

    Examples
    --------
    y_true = [0, 0, 1, 1], y_score = [0.1, 0.4, 0.35, 0.8]: the curve's points
    (threshold: fpr, tpr) are inf: (0, 0), 0.8: (0, 0.5), 0.4: (0.5, 0.5),
    0.35: (0.5, 1), 0.1: (1, 1), so J = 0, 0.5, 0, 0.5, 0. J = 0.5 is reached
    first at threshold 0.8.

    >>> float(threshold_youden([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]))
    0.8
    """
    fpr, tpr, thresholds = roc_curve(y_true, y_score, drop_intermediate=False)
    ### START CODE HERE ###
    # Hint: compute J for every point, then np.argmax picks the first best index.
    raise NotImplementedError("week2.thresholds.threshold_youden: not implemented yet")
    ### END CODE HERE ###


def threshold_closest_to_corner(y_true, y_score):
    """Return the threshold whose ROC point is closest to the perfect corner (0, 1).

    Parameters
    ----------
    y_true : array of shape (N,)
        Ground truth 0/1 with both classes present (lists work too).
    y_score : array of shape (N,)
        Scores; ``y_score >= threshold`` counts as a positive decision.

    Returns
    -------
    threshold : float
        ``thresholds[k]`` for the first index ``k`` (highest threshold) at which
        ``fpr[k]^2 + (1 - tpr[k])^2`` is smallest, over the points of the full
        ROC curve (``roc_curve(y_true, y_score, drop_intermediate=False)``).

    Examples
    --------
    y_true = [0, 0, 1, 1], y_score = [0.1, 0.4, 0.35, 0.8]: squared distances
    of the points (0, 0), (0, 0.5), (0.5, 0.5), (0.5, 1), (1, 1) to (0, 1) are
    1, 0.25, 0.5, 0.25, 1. The first smallest is at threshold 0.8.

    >>> float(threshold_closest_to_corner([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]))
    0.8
    """
    fpr, tpr, thresholds = roc_curve(y_true, y_score, drop_intermediate=False)
    ### START CODE HERE ###
    # Hint: compare squared distances to the corner (0, 1): the square root does not
    # Hint: change which point is closest. np.argmin returns the first smallest index.
    raise NotImplementedError(
        "week2.thresholds.threshold_closest_to_corner: not implemented yet"
    )
    ### END CODE HERE ###
