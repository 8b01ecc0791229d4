"""Overlap metrics of segmentations: Dice, and sensitivity/specificity per class.

Public names: `dice_coefficient`, `class_sens_spec`.

Arrays are one-hot label maps ``(classes, x, y, z)`` (or ``(classes, *S)``) with
values 0/1; ``y_pred`` may also hold soft probabilities for `dice_coefficient`.
"""

from __future__ import annotations

import numpy as np

from reference._validation import check_finite, check_same_shape, fail, warn_undefined
from reference.metrics._labels import as_labels

__all__ = ["class_sens_spec", "dice_coefficient"]


def _as_float(x, name: str, func: str) -> np.ndarray:
    """Return ``x`` as a floating array (float32/float64 kept, others float64)."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        fail(
            func,
            f"{name} with a numeric or bool dtype",
            f"dtype {arr.dtype}",
            kind=TypeError,
        )
    check_finite(arr, name, func)
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def _normalise_axis(axis, ndim: int, func: str) -> tuple[int, ...]:
    """Return ``axis`` as a tuple of non-negative ints, checked against ``ndim``."""
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if not axes or any(not -ndim <= a < ndim for a in axes):
        fail(
            func,
            f"axis within the {ndim} dims of y_true",
            repr(axis),
            "For (classes, x, y, z) arrays sum over axis=(1, 2, 3).",
        )
    return tuple(int(a) % ndim for a in axes)


def dice_coefficient(y_true, y_pred, axis=(1, 2, 3), epsilon=1e-5):
    """Return the Dice coefficient of each class, averaged over the classes.

    Parameters
    ----------
    y_true : array-like of shape (classes, x, y, z), 0/1
        One-hot ground truth, one channel per class.
    y_pred : array-like of the same shape, 0/1 or probabilities
        Predicted masks (or soft predictions).
    axis : int or tuple of int, default (1, 2, 3)
        The axes summed over (the spatial ones); the remaining axes are
        averaged over at the end.
    epsilon : float, default 1e-5
        Smoothing added to numerator and denominator, so that two empty masks
        score 1 instead of 0/0.

    Returns
    -------
    dice : NumPy scalar
        The mean Dice coefficient, in the floating dtype of the inputs
        (float64 for integer or bool input).

    Notes
    -----
    The course's definition::

        dice_c = (2 sum over axis of y_true * y_pred + eps)
                 / (sum over axis of y_true + sum over axis of y_pred + eps)
        dice   = mean over c of dice_c

    Examples
    --------
    Class 0: 2 of 3 + 2 voxels overlap, so dice = (4 + eps) / (5 + eps); class 1
    is empty in both, so dice = eps / eps = 1:

    >>> y_true = [[[[1, 1, 0, 0]]], [[[0, 0, 0, 0]]]]
    >>> y_pred = [[[[1, 1, 1, 0]]], [[[0, 0, 0, 0]]]]
    >>> round(float(dice_coefficient(y_true, y_pred)), 4)
    0.9
    """
    func = "dice_coefficient"
    truth = _as_float(y_true, "y_true", func)
    pred = _as_float(y_pred, "y_pred", func)
    check_same_shape(truth, pred, ("y_true", "y_pred"), func)
    axes = _normalise_axis(axis, truth.ndim, func)
    dtype = np.result_type(truth, pred)

    # per-class overlap and sizes, then the smoothed ratio, then the class mean
    numerator = 2 * np.sum(truth * pred, axis=axes) + epsilon
    denominator = np.sum(truth, axis=axes) + np.sum(pred, axis=axes) + epsilon
    return np.mean(numerator / denominator).astype(dtype)[()]


def class_sens_spec(y_true, y_pred, class_index):
    """Return the voxel-wise sensitivity and specificity of one class.

    Parameters
    ----------
    y_true : array-like of shape (classes, x, y, z), 0/1 or bool
        One-hot ground truth (any spatial shape after the class axis).
    y_pred : array-like of the same shape, 0/1 or bool
        Hard predicted masks (threshold probabilities first).
    class_index : int
        Which class (index along axis 0) to score.

    Returns
    -------
    sensitivity : np.float64
        TP / (TP + FN) over the voxels of channel ``class_index``.
    specificity : np.float64
        TN / (TN + FP) over the same voxels.

    Warns
    -----
    UndefinedMetricWarning
        If the class has no positive (or no negative) voxels in ``y_true``;
        the undefined value is NaN.

    Notes
    -----
    With ``t = y_true[class_index]``, ``p = y_pred[class_index]``:
    ``TP = sum of t * p``, ``FN = sum of t * (1 - p)``, ``FP = sum of (1 - t) * p``,
    ``TN = sum of (1 - t) * (1 - p)``.

    Examples
    --------
    >>> y_true = [[[[1, 1, 0, 0]]], [[[0, 0, 1, 1]]]]
    >>> y_pred = [[[[1, 0, 0, 0]]], [[[0, 1, 1, 1]]]]
    >>> class_sens_spec(y_true, y_pred, 0)
    (np.float64(0.5), np.float64(1.0))
    """
    func = "class_sens_spec"
    legend = "(classes, *S)"
    truth = as_labels(y_true, "y_true", func, ndims=None)
    pred = as_labels(
        y_pred,
        "y_pred",
        func,
        ndims=None,
        hint="Threshold probabilities first: y_pred = prob >= 0.5.",
    )
    if truth.ndim < 2:
        fail(
            func,
            f"y_true with at least 2 dims {legend}",
            f"shape {truth.shape}",
            "Add the class axis with y_true[None].",
        )
    check_same_shape(truth, pred, ("y_true", "y_pred"), func)
    n_classes = truth.shape[0]
    if (
        isinstance(class_index, bool)
        or not isinstance(class_index, (int, np.integer))
        or not 0 <= class_index < n_classes
    ):
        fail(
            func,
            f"class_index an int in [0, {n_classes}) for y_true {legend}",
            repr(class_index),
        )

    # confusion counts over the voxels of one class channel
    t, p = truth[class_index], pred[class_index]
    tp, fn = np.sum(t * p), np.sum(t * (1 - p))
    fp, tn = np.sum((1 - t) * p), np.sum((1 - t) * (1 - p))
    return (
        _ratio_or_nan(
            tp,
            tp + fn,
            func,
            f"sensitivity of class {class_index} with no positive voxels in y_true",
        ),
        _ratio_or_nan(
            tn,
            tn + fp,
            func,
            f"specificity of class {class_index} with no negative voxels in y_true",
        ),
    )


def _ratio_or_nan(num, den, func: str, what: str) -> np.float64:
    """Return num / den as np.float64, or NaN with a warning when den is 0."""
    if den == 0:
        warn_undefined(func, what, stacklevel=4)
        return np.float64(np.nan)
    return np.float64(num / den)
