"""The Dice coefficient: how much a predicted tumour overlaps the true one.

Accuracy is useless for tumours: predicting "background" everywhere is 98.75 %
accurate. The Dice coefficient scores the overlap of two regions A (truth) and
B (prediction) instead::

    Dice(A, B) = 2 |A and B| / (|A| + |B|)

1 for a perfect match, 0 for no overlap. With masks as 0/1 arrays ``y_true`` and
``y_pred``, ``|A and B| = sum of y_true * y_pred`` and ``|A| = sum of y_true``. A
small ``epsilon`` is added to the numerator and to the denominator, so that two
empty masks score (0 + eps) / (0 + eps) = 1 instead of 0 / 0.

Two versions: one class at a time (arrays ``(x, y, z)``), and several classes at
once (arrays ``(num_classes, x, y, z)``: one Dice per class, then their mean).
The ``axis`` argument names the axes to sum over, so the same code serves 2D
slices and 3D volumes.
"""

import numpy as np

__all__ = ["dice_coefficient", "single_class_dice_coefficient"]


def single_class_dice_coefficient(y_true, y_pred, axis=(0, 1, 2), epsilon=0.00001):
    """Compute the Dice coefficient of one class.

    Parameters
    ----------
    y_true : ndarray of shape (x, y, z)
        Ground-truth mask, 0/1.
    y_pred : ndarray of shape (x, y, z)
        Predicted mask, 0/1.
    axis : tuple of int, optional
        Axes to sum over (default: all three spatial axes).
    epsilon : float, optional
        Smoothing constant added to the numerator and to the denominator.

    Returns
    -------
    dice_coefficient : NumPy float (an array if ``axis`` leaves axes unsummed)
        ``(2 * sum(y_true * y_pred) + epsilon)
        / (sum(y_true) + sum(y_pred) + epsilon)``, sums over ``axis``.

    Examples
    --------
    The course's first example: y_pred = [[1, 0], [0, 1]], y_true = [[1, 1],
    [0, 0]] (one z-slice), epsilon = 1: the overlap is 1 voxel, so
    Dice = (2 * 1 + 1) / (2 + 2 + 1) = 0.6. With y_true = [[1, 1], [0, 1]]:
    (2 * 2 + 1) / (3 + 2 + 1) = 0.8333.
    """
    ### START CODE HERE ###
    # Hint: Returns gives the formula; every sum runs over `axis` only. epsilon goes
    # Hint: once into the numerator (after the factor 2) and once into the denominator.
    raise NotImplementedError(
        "week3.dice.single_class_dice_coefficient: not implemented yet"
    )
    ### END CODE HERE ###


def dice_coefficient(y_true, y_pred, axis=(1, 2, 3), epsilon=0.00001):
    """Compute the mean over classes of the per-class Dice coefficients.

    Parameters
    ----------
    y_true : ndarray of shape (num_classes, x, y, z)
        One-hot ground truth, one channel per class.
    y_pred : ndarray of shape (num_classes, x, y, z)
        Predicted masks, one channel per class.
    axis : tuple of int, optional
        Axes to sum over (default: the spatial axes 1, 2, 3).
    epsilon : float, optional
        Smoothing constant.

    Returns
    -------
    dice_coefficient : NumPy float
        ``mean over c of dice_c`` with ``dice_c = (2 * sum(y_true[c] * y_pred[c])
        + epsilon) / (sum(y_true[c]) + sum(y_pred[c]) + epsilon)``: the sums run
        over ``axis``, the mean over whatever axes remain.

    Examples
    --------
    The course's third example (epsilon = 1): class 0 scores 0.6 and class 1
    scores 0.8333 (the two single-class examples above), so the mean is 0.7167.
    """
    ### START CODE HERE ###
    # Hint: the same numerator and denominator as single_class_dice_coefficient,
    # Hint: summed over `axis` only (one value per class), then np.mean of the ratio.
    raise NotImplementedError("week3.dice.dice_coefficient: not implemented yet")
    ### END CODE HERE ###
