"""Sensitivity and specificity of one tumour class, counted voxel by voxel.

Dice says how well two regions overlap; a clinician also wants to know how much
of the tumour was found (sensitivity) and how much healthy tissue was left alone
(specificity). For a segmentation each voxel is one "patient": for class ``c``,
compare the predicted mask ``pred[c]`` with the true mask ``label[c]`` (both 0/1)::

    TP = voxels with pred 1 and label 1      FP = pred 1, label 0
    TN = voxels with pred 0 and label 0      FN = pred 0, label 1

    sensitivity = TP / (TP + FN)        specificity = TN / (TN + FP)

Specificity is almost always close to 1 for a tumour: the background is huge.
Note the course's argument order: the prediction comes first.
"""

import numpy as np

__all__ = ["compute_class_sens_spec"]


def compute_class_sens_spec(pred, label, class_num):
    """Compute the voxel-wise sensitivity and specificity of one class.

    Parameters
    ----------
    pred : ndarray of shape (num_classes, x, y, z)
        Binary (0/1) predictions, one channel per class.
    label : ndarray of shape (num_classes, x, y, z)
        Binary (0/1) ground truth, one channel per class.
    class_num : int
        The class (channel) to score.

    Returns
    -------
    sensitivity : NumPy float
        ``TP / (TP + FN)`` over the voxels of channel ``class_num``.
    specificity : NumPy float
        ``TN / (TN + FP)`` over the same voxels.
        A ratio with a zero denominator is NaN (NumPy's ``0 / 0``).

    Examples
    --------
    The course's second example: pred = [[1, 0], [0, 1]], label = [[1, 1],
    [0, 1]] (one class, one slice): TP = 2, FN = 1, TN = 1, FP = 0, so
    sensitivity = 2 / 3 and specificity = 1 / 1 = 1.
    """
    ### START CODE HERE ###
    # Hint: work on channel class_num of both arrays (pred comes first in the
    # Hint: signature); count the four cells with boolean arrays combined by &, then the
    # Hint: two ratios of Returns (NumPy integer counts make 0 / 0 nan).
    raise NotImplementedError(
        "week3.sens_spec.compute_class_sens_spec: not implemented yet"
    )
    ### END CODE HERE ###
