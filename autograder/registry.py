"""The one table of graded exercises: `EXERCISES`.

Each row names the learner's function (lesson file + name), its oracle (always
from `reference`, never from `solutions`), its points, its public and hidden
cases and how to compare. Case builders and oracle adapters live in
`autograder.cases`, one module per week.
"""

from __future__ import annotations

from autograder.cases import week1 as w1
from autograder.cases import week2 as w2
from autograder.compare import Compare
from autograder.spec import Exercise

__all__ = ["EXERCISES", "for_lesson", "lessons", "select"]

# week 1: from-scratch kernels ------------------------------------------------------
# Forwards grade `out` only (pick=0: the learner's cache never leaves the worker).
# Backwards run the gradient check FIRST, so a backward that disagrees with the
# learner's own forward is reported as such ("the backward is wrong"); the round
# trip against the reference then checks the values (and the tie conventions).
_ACT, _CONV = "week1/activations.py", "week1/convolution.py"
_POOL, _BN = "week1/pooling.py", "week1/batchnorm.py"
_F32 = Compare(rtol=1e-4, atol=1e-5, dtype="exact")  # float32 in -> float32 out
_BACKWARD = "gradcheck+roundtrip"

WEEK1: tuple[Exercise, ...] = (
    # week1/activations.py
    Exercise(module=_ACT, name="relu_forward", points=1, oracle=w1.relu_forward_oracle,
             public=w1.relu_public, hidden=w1.relu_hidden, pick=0, compare=_F32,
             hint="np.maximum(x, 0) builds a new array of x's dtype."),
    Exercise(module=_ACT, name="relu_backward", points=1,
             oracle=w1.relu_backward_oracle, public=w1.relu_public,
             hidden=w1.relu_hidden, kind=_BACKWARD, compare=_F32,
             hint="dx = dout where x > 0 and 0 elsewhere, also where x == 0."),
    Exercise(module=_ACT, name="sigmoid", points=1, oracle=w1.sigmoid_oracle,
             public=w1.sigmoid_public, hidden=w1.sigmoid_hidden, compare=_F32,
             hint="With z = np.exp(-np.abs(x)) (never overflows): 1 / (1 + z) where "
                  "x >= 0 and z / (1 + z) where x < 0; keep x's dtype."),
    # week1/convolution.py
    Exercise(module=_CONV, name="conv_forward_naive", points=2,
             oracle=w1.conv_forward_oracle, public=w1.conv_public,
             hidden=w1.conv_hidden, pick=0, compare=_F32,
             hint="Per axis the output size is 1 + (size + 2 * padding - kernel) // "
                  "stride; out[n, f, i, j] = b[f] + np.sum(window * w[f]) with the "
                  "window x_pad[n, :, SH*i : SH*i + KH, SW*j : SW*j + KW]."),
    Exercise(module=_CONV, name="conv_backward_naive", points=3,
             oracle=w1.conv_backward_oracle, public=w1.conv_public,
             hidden=w1.conv_hidden, kind=_BACKWARD, compare=_F32,
             hint="db sums dout over the batch and both spatial axes; in the "
                  "forward's loops dw[f] += dout[n, f, i, j] * window and the window "
                  "of dx_pad += dout[n, f, i, j] * w[f]; cut the padding off dx_pad."),
    # week1/pooling.py
    Exercise(module=_POOL, name="max_pool_forward", points=2,
             oracle=w1.max_pool_forward_oracle, public=w1.max_pool_public,
             hidden=w1.max_pool_hidden, pick=0, compare=_F32,
             hint="stride defaults to the kernel; pad with -inf (np.pad(..., "
                  "constant_values=-np.inf)) so a padded cell never wins."),
    Exercise(module=_POOL, name="max_pool_backward", points=3,
             oracle=w1.max_pool_backward_oracle, public=w1.max_pool_public,
             hidden=w1.max_pool_hidden, kind=_BACKWARD, compare=_F32,
             hint="Only the FIRST maximum of each window (np.argmax, then "
                  "np.unravel_index) gets dout[n, c, i, j]; overlapping windows "
                  "add up."),
    # week1/batchnorm.py
    Exercise(module=_BN, name="batchnorm_forward", points=2,
             oracle=w1.batchnorm_forward_oracle, public=w1.batchnorm_public,
             hidden=w1.batchnorm_hidden, pick=0, compare=_F32,
             hint="Per channel over axes (0, 2, 3): training uses x.mean and the "
                  "biased x.var; evaluation uses running_mean and running_var."),
    Exercise(module=_BN, name="batchnorm_backward", points=3,
             oracle=w1.batchnorm_backward_oracle, public=w1.batchnorm_public,
             hidden=w1.batchnorm_hidden, kind=_BACKWARD, compare=_F32,
             hint="Training mode: dx = inv_std * (dx_hat - mean(dx_hat) - x_hat * "
                  "mean(dx_hat * x_hat)) per channel, with dx_hat = dout * gamma; "
                  "evaluation mode: dx = dx_hat * inv_std."),
)

# week 2 ---------------------------------------------------------------------------
_DM, _CM = "week2/diagnostic_metrics.py", "week2/confusion_matrix.py"
_ROC, _TH, _BS = "week2/roc_auc.py", "week2/thresholds.py", "week2/bootstrap.py"
_PR, _CAL = "week2/precision_recall.py", "week2/calibration.py"
_COUNT = "Threshold with pred >= th (a score equal to th is positive), then np.sum."
_RATE = ("Count with NumPy (np.sum) and divide plainly: NumPy integer 0 / 0 gives "
         "nan, the expected answer when the denominator is empty.")

WEEK2: tuple[Exercise, ...] = (
    # week2/diagnostic_metrics.py: the course's own functions (y, pred, th=0.5)
    Exercise(module=_DM, name="true_positives", points=1,
             oracle=w2.count_oracle((1, 1)),
             public=w2.binary_public, hidden=w2.binary_hidden, hint=_COUNT),
    Exercise(module=_DM, name="true_negatives", points=1,
             oracle=w2.count_oracle((0, 0)),
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint=_COUNT + " TN: y == 0 and predicted negative (pred < th)."),
    Exercise(module=_DM, name="false_positives", points=1,
             oracle=w2.count_oracle((0, 1)),
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint=_COUNT + " FP: y == 0 but predicted positive."),
    Exercise(module=_DM, name="false_negatives", points=1,
             oracle=w2.count_oracle((1, 0)),
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint=_COUNT + " FN: y == 1 but predicted negative (pred < th)."),
    Exercise(module=_DM, name="get_accuracy", points=1, oracle=w2.accuracy_oracle,
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint="(TP + TN) / (TP + TN + FP + FN); pass th on to the counts."),
    Exercise(module=_DM, name="get_prevalence", points=1, oracle=w2.prevalence_oracle,
             public=w2.prevalence_public, hidden=w2.prevalence_hidden,
             hint="The fraction of labels equal to 1: np.mean of the 0/1 labels."),
    Exercise(module=_DM, name="get_sensitivity", points=1,
             oracle=w2.sensitivity_oracle,
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint="TP / (TP + FN): out of the diseased patients. " + _RATE),
    Exercise(module=_DM, name="get_specificity", points=1,
             oracle=w2.specificity_oracle,
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint="TN / (TN + FP): out of the healthy patients. " + _RATE),
    Exercise(module=_DM, name="get_ppv", points=1, oracle=w2.ppv_oracle,
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint="TP / (TP + FP): out of those predicted positive. " + _RATE),
    Exercise(module=_DM, name="get_npv", points=1, oracle=w2.npv_oracle,
             public=w2.binary_public, hidden=w2.binary_hidden,
             hint="TN / (TN + FN): out of those predicted negative. " + _RATE),
    # week2/confusion_matrix.py
    Exercise(module=_CM, name="confusion_matrix", points=1,
             oracle=w2.confusion_oracle,
             public=w2.decision_public, hidden=w2.decision_hidden,
             hint="Rows are the truth, columns the decision: [[TN, FP], [FN, TP]], "
                  "an integer array; labels may be bools or floats 0./1."),
    Exercise(module=_CM, name="ppv_from_prevalence", points=1, oracle=w2.bayes_oracle,
             public=w2.bayes_public, hidden=w2.bayes_hidden,
             hint="sens * prev / (sens * prev + (1 - spec) * (1 - prev))."),
    # week2/roc_auc.py
    Exercise(module=_ROC, name="roc_curve", points=3, oracle=w2.roc_curve_oracle,
             public=w2.curve_public, hidden=w2.curve_hidden,
             hint="thresholds: inf, then np.unique(y_score) reversed (decreasing); at "
                  "each, y_score >= th is positive; fpr = FP / negatives, "
                  "tpr = TP / positives."),
    Exercise(module=_ROC, name="auc_trapezoid", points=1, oracle=w2.auc_oracle,
             public=w2.trapezoid_public, hidden=w2.trapezoid_hidden,
             hint="np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2)."),
    Exercise(module=_ROC, name="auc_mann_whitney", points=2, oracle=w2.roc_auc_oracle,
             public=w2.curve_public, hidden=w2.ranking_hidden,
             hint="Average over all (diseased, healthy) pairs: 1 if the diseased "
                  "score is higher, 1/2 for a tie, 0 otherwise; NaN if a class is "
                  "missing."),
    # week2/thresholds.py
    Exercise(module=_TH, name="threshold_youden", points=1, oracle=w2.youden_oracle,
             public=w2.threshold_public, hidden=w2.threshold_hidden,
             hint="thresholds[np.argmax(tpr - fpr)]: argmax returns the first best "
                  "point (the highest threshold), which is the tie rule."),
    Exercise(module=_TH, name="threshold_closest_to_corner", points=1,
             oracle=w2.closest_oracle,
             public=w2.threshold_public, hidden=w2.threshold_hidden,
             hint="thresholds[np.argmin(fpr**2 + (1 - tpr)**2)]: the corner is "
                  "(fpr, tpr) = (0, 1); argmin returns the first best point."),
    # week2/bootstrap.py
    Exercise(module=_BS, name="bootstrap_auc_ci", points=3, oracle=w2.bootstrap_oracle,
             public=w2.bootstrap_public, hidden=w2.bootstrap_hidden,
             compare=Compare(rtol=1e-9, atol=1e-12),
             hint="Follow the docstring's steps exactly: one "
                  "rng = np.random.default_rng(seed) before the loop; per round "
                  "rng.choice(pos, ...) then rng.choice(neg, ...); np.percentile of "
                  "the AUCs at 100 * alpha / 2 and 100 * (1 - alpha / 2)."),
    # week2/precision_recall.py
    Exercise(module=_PR, name="precision_recall_curve", points=2,
             oracle=w2.pr_curve_oracle,
             public=w2.curve_public, hidden=w2.pr_curve_hidden,
             hint="thresholds = np.unique(y_score) (increasing); precision = "
                  "TP / flagged, recall = TP / positives; then append precision 1 "
                  "and recall 0."),
    Exercise(module=_PR, name="f1_score", points=1, oracle=w2.f1_oracle,
             public=w2.decision_public, hidden=w2.decision_hidden,
             hint="2 TP / (2 TP + FP + FN) with NumPy integer counts (0 / 0 is nan)."),
    # week2/calibration.py
    Exercise(module=_CAL, name="calibration_curve", points=2,
             oracle=w2.calibration_oracle,
             public=w2.calibration_public, hidden=w2.calibration_hidden,
             hint="bin = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_prob) "
                  "(a probability on an inner edge goes to the lower bin); drop "
                  "empty bins."),
    Exercise(module=_CAL, name="brier_score", points=1, oracle=w2.brier_oracle,
             public=w2.probability_public, hidden=w2.probability_hidden,
             hint="np.mean((y_prob - y_true) ** 2) with the labels as floats."),
    Exercise(module=_CAL, name="platt_fit", points=3, oracle=w2.platt_oracle,
             public=w2.platt_public, hidden=w2.platt_hidden,
             compare=Compare(rtol=1e-6, atol=1e-7),
             hint="Use Platt's smoothed targets (N+ + 1) / (N+ + 2) and 1 / (N- + 2), "
                  "not 0/1; Newton: (a, b) -= solve(H, g), as in the Notes."),
)

EXERCISES: tuple[Exercise, ...] = (*WEEK1, *WEEK2)


def lessons() -> list[str]:
    """Lesson files in course order, such as ``"week2/diagnostic_metrics.py"``."""
    return list(dict.fromkeys(e.module for e in EXERCISES))


def for_lesson(module: str) -> list[Exercise]:
    """Return the exercises of one lesson file, in table order."""
    return [e for e in EXERCISES if e.module == module]


def select(selectors: list[str] | None) -> list[Exercise]:
    """Exercises matching any selector: a week, a lesson, a function name or a dotted id.

    Raises
    ------
    ValueError
        If a selector matches nothing (the message lists what exists).
    """
    if not selectors:
        return list(EXERCISES)
    chosen = []
    for selector in selectors:
        key = selector.removesuffix(".py").replace("/", ".")
        matches = [
            e
            for e in EXERCISES
            if key in (e.week, e.lesson, e.name, e.id, f"{e.week}.{e.lesson}")
        ]
        if not matches:
            weeks = sorted({e.week for e in EXERCISES})
            raise ValueError(
                f"no exercise matches {selector!r}; try a week ({', '.join(weeks)}), "
                "a lesson or an exercise name from `ai4md list`"
            )
        chosen += [e for e in matches if e not in chosen]
    return [e for e in EXERCISES if e in chosen]
