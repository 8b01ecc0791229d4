"""Usual mistakes in week 2 (diagnostic metrics), as variants of the oracles.

Each variant has its oracle's signature and makes one mistake learners make;
`MISTAKES` maps an exercise id to its `Mistake` rows (`autograder.mistakes`).
Built from NumPy and `reference` only (never `solutions`).
"""

from __future__ import annotations

import numpy as np

from autograder.cases import week2 as w2
from autograder.mistakes import Mistake

__all__ = ["MISTAKES"]

_GT = "using `pred > th` instead of `pred >= th`"
_LE = "using `pred <= th` instead of `pred < th` for a negative prediction"


def _cells(y, pred, th, strict=True):
    """Return (TP, TN, FP, FN) with ``pred > th`` (strict) as a positive."""
    y, pred = np.asarray(y), np.asarray(pred)
    positive = pred > th if strict else pred >= th
    return (
        np.sum((y == 1) & positive),
        np.sum((y == 0) & ~positive),
        np.sum((y == 0) & positive),
        np.sum((y == 1) & ~positive),
    )


def tp_strict(y, pred, th=0.5):
    return _cells(y, pred, th)[0]


def tn_strict(y, pred, th=0.5):
    return _cells(y, pred, th)[1]


def fp_strict(y, pred, th=0.5):
    return _cells(y, pred, th)[2]


def fn_strict(y, pred, th=0.5):
    return _cells(y, pred, th)[3]


def accuracy_strict(y, pred, th=0.5):
    tp, tn, fp, fn = _cells(y, pred, th)
    return (tp + tn) / (tp + tn + fp + fn)


def sensitivity_strict(y, pred, th=0.5):
    tp, _, _, fn = _cells(y, pred, th)
    return tp / (tp + fn)


def sensitivity_as_ppv(y, pred, th=0.5):
    tp, _, fp, _ = _cells(y, pred, th, strict=False)
    return tp / (tp + fp)


def specificity_strict(y, pred, th=0.5):
    _, tn, fp, _ = _cells(y, pred, th)
    return tn / (tn + fp)


def specificity_as_npv(y, pred, th=0.5):
    _, tn, _, fn = _cells(y, pred, th, strict=False)
    return tn / (tn + fn)


def ppv_strict(y, pred, th=0.5):
    tp, _, fp, _ = _cells(y, pred, th)
    return tp / (tp + fp)


def ppv_as_sensitivity(y, pred, th=0.5):
    tp, _, _, fn = _cells(y, pred, th, strict=False)
    return tp / (tp + fn)


def npv_strict(y, pred, th=0.5):
    _, tn, _, fn = _cells(y, pred, th)
    return tn / (tn + fn)


def npv_as_specificity(y, pred, th=0.5):
    _, tn, fp, _ = _cells(y, pred, th, strict=False)
    return tn / (tn + fp)


def prevalence_of_negatives(y):
    return np.mean(np.asarray(y) == 0)


def confusion_transposed(y_true, y_pred):
    return w2.confusion_oracle(y_true, y_pred).T


def f1_without_two(y_true, y_pred):
    y, p = np.asarray(y_true) == 1, np.asarray(y_pred) == 1
    tp, fp, fn = np.sum(y & p), np.sum(~y & p), np.sum(y & ~p)
    return tp / (tp + fp + fn)


def bayes_specificity_not_complemented(sensitivity, specificity, prevalence):
    true_pos = sensitivity * prevalence
    return true_pos / (true_pos + specificity * (1 - prevalence))


def bayes_without_prevalence(sensitivity, specificity, prevalence):
    return sensitivity / (sensitivity + (1 - specificity))


def brier_absolute(y_true, y_prob):
    y = np.asarray(y_true, dtype=np.float64)
    return np.mean(np.abs(np.asarray(y_prob, dtype=np.float64) - y))


def brier_sum(y_true, y_prob):
    y = np.asarray(y_true, dtype=np.float64)
    return np.sum((np.asarray(y_prob, dtype=np.float64) - y) ** 2)


def auc_right_heights(fpr, tpr):
    fpr, tpr = np.asarray(fpr, dtype=np.float64), np.asarray(tpr, dtype=np.float64)
    return np.sum(np.diff(fpr) * tpr[1:])


def auc_axes_swapped(fpr, tpr):
    fpr, tpr = np.asarray(fpr, dtype=np.float64), np.asarray(tpr, dtype=np.float64)
    return np.sum(np.diff(tpr) * (fpr[1:] + fpr[:-1]) / 2)


def _pairs(y_true, y_score):
    y, score = np.asarray(y_true) == 1, np.asarray(y_score, dtype=np.float64)
    return score[y][:, None], score[~y][None, :]


def mann_whitney_ties_zero(y_true, y_score):
    pos, neg = _pairs(y_true, y_score)
    return np.mean(pos > neg) if pos.size and neg.size else np.float64(np.nan)


def mann_whitney_ties_one(y_true, y_score):
    pos, neg = _pairs(y_true, y_score)
    return np.mean(pos >= neg) if pos.size and neg.size else np.float64(np.nan)


def _last_best(y_true, y_score, criterion):
    fpr, tpr, thresholds = w2.roc_curve_oracle(y_true, y_score)
    values = criterion(fpr, tpr)
    return thresholds[np.flatnonzero(values == values.max())[-1]]


def youden_last(y_true, y_score):
    return _last_best(y_true, y_score, lambda fpr, tpr: tpr - fpr)


def closest_last(y_true, y_score):
    return _last_best(y_true, y_score, lambda fpr, tpr: -(fpr**2 + (1 - tpr) ** 2))


def calibration_upper_bin(y_true, y_prob, n_bins=5):
    truth = np.asarray(y_true, dtype=np.float64)
    prob = np.asarray(y_prob, dtype=np.float64)
    inner = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
    bins = np.searchsorted(inner, prob, side="right")
    count = np.bincount(bins, minlength=n_bins)
    filled = count > 0
    sum_true = np.bincount(bins, weights=truth, minlength=n_bins)[filled]
    sum_prob = np.bincount(bins, weights=prob, minlength=n_bins)[filled]
    return sum_true / count[filled], sum_prob / count[filled]


_DM, _CM = "week2.diagnostic_metrics.", "week2.confusion_matrix."
_ROC, _TH = "week2.roc_auc.", "week2.thresholds."

MISTAKES: dict[str, tuple[Mistake, ...]] = {
    _DM + "true_positives": (Mistake(_GT, tp_strict),),
    _DM + "true_negatives": (Mistake(_LE, tn_strict),),
    _DM + "false_positives": (Mistake(_GT, fp_strict),),
    _DM + "false_negatives": (Mistake(_LE, fn_strict),),
    _DM + "get_accuracy": (Mistake(_GT, accuracy_strict),),
    _DM + "get_prevalence": (
        Mistake(
            "the fraction of labels equal to 0 instead of 1", prevalence_of_negatives
        ),
    ),
    _DM + "get_sensitivity": (
        Mistake(_GT, sensitivity_strict),
        Mistake(
            "TP / (TP + FP) (the PPV) instead of TP / (TP + FN)", sensitivity_as_ppv
        ),
    ),
    _DM + "get_specificity": (
        Mistake(_GT, specificity_strict),
        Mistake(
            "TN / (TN + FN) (the NPV) instead of TN / (TN + FP)", specificity_as_npv
        ),
    ),
    _DM + "get_ppv": (
        Mistake(_GT, ppv_strict),
        Mistake(
            "TP / (TP + FN) (the sensitivity) instead of TP / (TP + FP)",
            ppv_as_sensitivity,
        ),
    ),
    _DM + "get_npv": (
        Mistake(_GT, npv_strict),
        Mistake(
            "TN / (TN + FP) (the specificity) instead of TN / (TN + FN)",
            npv_as_specificity,
        ),
    ),
    _CM + "confusion_matrix": (
        Mistake(
            "the transposed matrix (rows the decision, columns the truth)",
            confusion_transposed,
        ),
    ),
    _CM + "ppv_from_prevalence": (
        Mistake(
            "specificity instead of 1 - specificity for the healthy patients "
            "who test positive",
            bayes_specificity_not_complemented,
        ),
        Mistake(
            "sensitivity / (sensitivity + 1 - specificity), leaving the prevalence out",
            bayes_without_prevalence,
        ),
    ),
    _ROC + "auc_trapezoid": (
        Mistake(
            "the tpr at the right end of each segment instead of the mean of both ends",
            auc_right_heights,
        ),
        Mistake("integrating fpr over tpr (the arguments swapped)", auc_axes_swapped),
    ),
    _ROC + "auc_mann_whitney": (
        Mistake("counting a tie as 0 instead of 1/2", mann_whitney_ties_zero),
        Mistake("counting a tie as 1 instead of 1/2", mann_whitney_ties_one),
    ),
    _TH + "threshold_youden": (
        Mistake(
            "the LAST best point (the lowest threshold) instead of the first",
            youden_last,
        ),
    ),
    _TH + "threshold_closest_to_corner": (
        Mistake(
            "the LAST best point (the lowest threshold) instead of the first",
            closest_last,
        ),
    ),
    "week2.precision_recall.f1_score": (
        Mistake("TP / (TP + FP + FN), without the factors 2", f1_without_two),
    ),
    "week2.calibration.calibration_curve": (
        Mistake(
            "a probability on an inner edge going to the upper bin instead of "
            "the lower one",
            calibration_upper_bin,
        ),
    ),
    "week2.calibration.brier_score": (
        Mistake(
            "the mean absolute difference instead of the mean squared difference",
            brier_absolute,
        ),
        Mistake("the sum of the squared differences instead of their mean", brier_sum),
    ),
}
