"""Metrics for evaluating diagnostic models (week 2 of the course).

Every metric takes ``(y_true, y_pred_or_score)`` in that order; the positive
class is 1 (disease present). Labels may be lists, tuples, bool or 0/1 arrays or
table columns. Names follow the clinic or scikit-learn: ``_score`` means higher is
better, ``_loss``/``_error`` lower is better (`brier_score` is the exception that
keeps its clinical name: lower is better).

Modules and their public names::

    classification   confusion_matrix, sensitivity, specificity, ppv, npv,
                     accuracy, f1_score, prevalence, ppv_from_prevalence
    multiclass       per_class_sens_spec (and K-class confusion_matrix)
    ranking          roc_curve, roc_auc_score, auc, precision_recall_curve,
                     average_precision_score, optimal_threshold
    uncertainty      bootstrap_ci, ConfidenceInterval
    calibration      calibration_curve, brier_score, platt_fit, platt_predict
    segmentation     dice_coefficient, class_sens_spec

Conventions:

- Input ``(N,)`` gives NumPy scalars (counts ``np.int64``, rates ``np.float64``);
  input ``(N, K)``, one column per finding, gives ``(K,)`` arrays
  (``average=None``) or their NaN-ignoring mean (``average="macro"``).
- Undefined values (0/0, one class only) are NaN with an
  `UndefinedMetricWarning` (``reference._validation``), never a silent 0.
- Bad input (length mismatch, labels other than 0/1, NaN scores) raises a
  ``ValueError`` naming the function and the argument.
- Inputs are never modified.
"""

from reference._validation import UndefinedMetricWarning
from reference.metrics.calibration import (
    brier_score,
    calibration_curve,
    platt_fit,
    platt_predict,
)
from reference.metrics.classification import (
    accuracy,
    confusion_matrix,
    f1_score,
    npv,
    ppv,
    ppv_from_prevalence,
    prevalence,
    sensitivity,
    specificity,
)
from reference.metrics.distance import (
    hausdorff_distance,
    hausdorff_distance_95,
    surface_distances,
    surface_voxels,
)
from reference.metrics.multiclass import per_class_sens_spec
from reference.metrics.ranking import (
    auc,
    average_precision_score,
    optimal_threshold,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from reference.metrics.segmentation import class_sens_spec, dice_coefficient
from reference.metrics.uncertainty import ConfidenceInterval, bootstrap_ci

__all__ = [
    "ConfidenceInterval",
    "UndefinedMetricWarning",
    "accuracy",
    "auc",
    "average_precision_score",
    "bootstrap_ci",
    "brier_score",
    "calibration_curve",
    "class_sens_spec",
    "confusion_matrix",
    "dice_coefficient",
    "f1_score",
    "hausdorff_distance",
    "hausdorff_distance_95",
    "npv",
    "optimal_threshold",
    "per_class_sens_spec",
    "platt_fit",
    "platt_predict",
    "ppv",
    "ppv_from_prevalence",
    "precision_recall_curve",
    "prevalence",
    "roc_auc_score",
    "roc_curve",
    "sensitivity",
    "specificity",
    "surface_distances",
    "surface_voxels",
]
