"""Week 2 solutions: hand-computed values, input kinds, NaN on 0/0, and the checks.

Values here are worked out by hand (or by an independent loop), never taken from
`reference`. The last tests grade deliberately wrong learner implementations
(copies of solutions/week2 with one edit each) and check that the autograder
catches every one while correct alternative implementations still pass.
"""

import math
from pathlib import Path

import numpy as np
import pytest
from helpers import WRONG_ANSWER_STATUSES

from solutions.week2 import (
    bootstrap,
    calibration,
    confusion_matrix,
    diagnostic_metrics,
    precision_recall,
    roc_auc,
    thresholds,
)

ROOT = Path(__file__).resolve().parent.parent
Y = np.array([1, 0, 0, 1, 1])
PRED = np.array([0.8, 0.8, 0.4, 0.6, 0.3])
SMALL_Y, SMALL_SCORE = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]
dm = diagnostic_metrics

nan_ok = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # plain 0 / 0 warns


# ------------------------------------------------------------------ diagnostic_metrics

# th -> (TP, TN, FP, FN) for Y, PRED; th = 0.4 equals a score (>= counts positive)
COUNTS = {0.5: (2, 1, 1, 1), 0.7: (1, 1, 1, 2), 0.4: (2, 0, 2, 1), 0.8: (1, 1, 1, 2)}


@pytest.mark.parametrize("th", sorted(COUNTS))
def test_counts_by_hand(th):
    funcs = (
        dm.true_positives,
        dm.true_negatives,
        dm.false_positives,
        dm.false_negatives,
    )
    got = tuple(f(Y, PRED, th) for f in funcs)
    assert got == COUNTS[th]
    assert all(isinstance(v, np.integer) for v in got)


def test_counts_default_threshold_is_half():
    assert dm.true_positives(Y, PRED) == 2
    assert dm.false_positives(np.array([0]), np.array([0.5])) == 1  # 0.5 >= 0.5


@pytest.mark.parametrize(
    "th, expected",
    [
        (0.5, (0.6, 2 / 3, 0.5, 2 / 3, 0.5)),
        (0.7, (0.4, 1 / 3, 0.5, 0.5, 1 / 3)),
        (0.4, (0.4, 2 / 3, 0.0, 0.5, 0.0)),
    ],
)
def test_rates_by_hand(th, expected):
    funcs = (
        dm.get_accuracy,
        dm.get_sensitivity,
        dm.get_specificity,
        dm.get_ppv,
        dm.get_npv,
    )
    got = [f(Y, PRED, th) for f in funcs]
    assert got == pytest.approx(expected, abs=1e-12)
    assert all(isinstance(v, np.floating) for v in got)


def test_prevalence_by_hand():
    assert dm.get_prevalence(Y) == pytest.approx(0.6)
    assert dm.get_prevalence(np.array([0, 0, 0, 1])) == pytest.approx(0.25)
    assert isinstance(dm.get_prevalence(Y), np.floating)


@pytest.mark.parametrize(
    "convert",
    [
        lambda y, p: (y, p),
        lambda y, p: (y.tolist(), p.tolist()),
        lambda y, p: (y.astype(bool), p),
        lambda y, p: (y.astype(np.float64), p.astype(np.float32)),
    ],
    ids=["arrays", "lists", "bool-labels", "float-labels"],
)
def test_course_functions_accept_input_kinds(convert):
    y, pred = convert(Y, PRED)
    assert dm.true_positives(y, pred) == 2
    assert dm.true_negatives(y, pred) == 1
    assert dm.false_positives(y, pred, 0.4) == 2
    assert dm.false_negatives(y, pred, th=0.7) == 2
    assert dm.get_accuracy(y, pred) == pytest.approx(0.6)
    assert dm.get_prevalence(y) == pytest.approx(0.6)
    assert dm.get_sensitivity(y, pred) == pytest.approx(2 / 3)
    assert dm.get_specificity(y, pred) == pytest.approx(0.5)
    assert dm.get_ppv(y, pred) == pytest.approx(2 / 3)
    assert dm.get_npv(y, pred) == pytest.approx(0.5)


@nan_ok
def test_undefined_rates_are_nan():
    healthy, sick = np.zeros(3, dtype=int), np.ones(3, dtype=int)
    pred = np.array([0.2, 0.6, 0.9])
    assert np.isnan(dm.get_sensitivity(healthy, pred))  # no positives
    assert np.isnan(dm.get_specificity(sick, pred))  # no negatives
    assert np.isnan(dm.get_ppv(Y, PRED, 0.95))  # nobody flagged
    assert np.isnan(dm.get_npv(Y, PRED, 0.0))  # everybody flagged
    assert dm.get_accuracy(np.array([1]), np.array([0.7])) == 1.0  # n = 1


# ------------------------------------------------------------------ confusion_matrix


def test_confusion_matrix_by_hand():
    cm = confusion_matrix.confusion_matrix(Y, (PRED >= 0.5).astype(int))
    np.testing.assert_array_equal(cm, [[1, 1], [1, 2]])
    assert cm.shape == (2, 2) and cm.dtype.kind in "iu"


@pytest.mark.parametrize(
    "y_true, y_pred",
    [
        ([1, 0, 0, 1, 1], [1, 1, 0, 1, 0]),
        (
            np.array([True, False, False, True, True]),
            np.array([True, True, False, True, False]),
        ),
        (np.array([1.0, 0.0, 0.0, 1.0, 1.0]), np.array([1.0, 1.0, 0.0, 1.0, 0.0])),
    ],
    ids=["lists", "bools", "floats"],
)
def test_confusion_matrix_input_kinds(y_true, y_pred):
    cm = confusion_matrix.confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(cm, [[1, 1], [1, 2]])


def test_confusion_matrix_one_class():
    cm = confusion_matrix.confusion_matrix(np.zeros(4, int), np.array([0, 1, 1, 0]))
    np.testing.assert_array_equal(cm, [[2, 2], [0, 0]])


@pytest.mark.parametrize(
    "args, expected",
    [
        ((0.9, 0.9, 0.1), 0.5),  # 9 true and 9 false positives per 100
        ((1.0, 0.5, 0.5), 2 / 3),  # 0.5 / (0.5 + 0.25)
        ((0.8, 0.7, 0.0), 0.0),  # nobody has the disease
        ((0.8, 0.7, 1.0), 1.0),  # everybody has it
    ],
)
def test_ppv_from_prevalence_by_hand(args, expected):
    assert confusion_matrix.ppv_from_prevalence(*args) == pytest.approx(expected)


# ------------------------------------------------------------------------ roc_auc


def test_roc_curve_by_hand():
    fpr, tpr, th = roc_auc.roc_curve(SMALL_Y, SMALL_SCORE)
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 0.5, 1, 1])
    np.testing.assert_array_equal(th, [np.inf, 0.8, 0.4, 0.35, 0.1])


def test_roc_curve_with_a_tie_across_classes():
    # thresholds inf, 0.8 (one positive and one negative at once), 0.6, 0.4, 0.3
    fpr, tpr, th = roc_auc.roc_curve(Y, PRED)
    np.testing.assert_allclose(fpr, [0, 0.5, 0.5, 1, 1])
    np.testing.assert_allclose(tpr, [0, 1 / 3, 2 / 3, 2 / 3, 1])
    np.testing.assert_array_equal(th, [np.inf, 0.8, 0.6, 0.4, 0.3])


@pytest.mark.parametrize(
    "y",
    [np.array(SMALL_Y, dtype=bool), np.array(SMALL_Y, float)],
    ids=["bool", "float"],
)
def test_roc_curve_label_kinds(y):
    fpr, tpr, _ = roc_auc.roc_curve(y, np.array(SMALL_SCORE, dtype=np.float32))
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 0.5, 1, 1])


@nan_ok
def test_roc_curve_one_class_is_nan():
    fpr, tpr, _ = roc_auc.roc_curve([1, 1, 1], [0.2, 0.5, 0.5])
    assert np.isnan(fpr).all()
    np.testing.assert_allclose(tpr, [0, 2 / 3, 1])


def test_auc_trapezoid_by_hand():
    assert roc_auc.auc_trapezoid([0, 0, 0.5, 0.5, 1], [0, 0.5, 0.5, 1, 1]) == 0.75
    assert roc_auc.auc_trapezoid([0, 1], [0.25, 0.75]) == pytest.approx(0.5)
    # the tied curve of Y, PRED: 0.5 * (0 + 1/3) / 2 + 0.5 * 2/3 = 5/12
    fpr, tpr, _ = roc_auc.roc_curve(Y, PRED)
    assert roc_auc.auc_trapezoid(fpr, tpr) == pytest.approx(5 / 12)


@pytest.mark.parametrize(
    "y, score, expected",
    [
        (SMALL_Y, SMALL_SCORE, 0.75),
        (SMALL_Y, [0.1, 0.4, 0.4, 0.8], 0.875),  # one tie worth 1/2
        (Y, PRED, 2.5 / 6),  # 0.8 vs 0.8 is a tie
        ([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8], 1.0),
        ([0, 1, 0, 1], [0.9, 0.1, 0.8, 0.2], 0.0),
        ([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], 0.5),
        (np.array([False, True]), np.array([0.3, 0.7], np.float32), 1.0),
    ],
)
def test_auc_mann_whitney_by_hand(y, score, expected):
    assert roc_auc.auc_mann_whitney(y, score) == pytest.approx(expected)


def test_auc_mann_whitney_one_class_is_nan():
    assert np.isnan(roc_auc.auc_mann_whitney([1, 1], [0.2, 0.4]))


def test_auc_two_ways_agree():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 80)
    score = np.round(rng.random(80) + 0.3 * y, 1)  # many ties
    fpr, tpr, _ = roc_auc.roc_curve(y, score)
    assert roc_auc.auc_trapezoid(fpr, tpr) == pytest.approx(
        roc_auc.auc_mann_whitney(y, score), abs=1e-12
    )


# --------------------------------------------------------------------- thresholds


def test_thresholds_by_hand():
    # points: inf (0, 0), 0.8 (0, .5), 0.4 (.5, .5), 0.35 (.5, 1), 0.1 (1, 1):
    # J = 0, .5, 0, .5, 0 and d^2 = 1, .25, .5, .25, 1: ties go to the first (0.8)
    assert thresholds.threshold_youden(SMALL_Y, SMALL_SCORE) == 0.8
    assert thresholds.threshold_closest_to_corner(SMALL_Y, SMALL_SCORE) == 0.8
    # Y, PRED: J = 0, -1/6, 1/6, -1/3, 0 -> 0.6; d^2 = 1, .69, .36, 1.1, 1 -> 0.6
    assert thresholds.threshold_youden(Y, PRED) == 0.6
    assert thresholds.threshold_closest_to_corner(Y.tolist(), PRED.tolist()) == 0.6


def test_threshold_worse_than_chance_is_infinite():
    assert thresholds.threshold_youden([1, 0], [0.2, 0.7]) == np.inf


# ---------------------------------------------------------------------- bootstrap

TEN_Y = np.array([0, 0, 0, 0, 1, 1, 1, 0, 1, 0])
TEN_SCORE = np.array([0.1, 0.3, 0.2, 0.6, 0.8, 0.4, 0.9, 0.5, 0.5, 0.05])


def _bootstrap_by_loop(y, score, n_bootstraps, alpha, seed):
    """The documented algorithm with a naive pair-counting AUC (no reference)."""

    def auc(yy, ss):
        pos, neg = ss[yy == 1], ss[yy == 0]
        return np.mean([(p > q) + 0.5 * (p == q) for p in pos for q in neg])

    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    stats = []
    for _ in range(n_bootstraps):
        idx = np.concatenate(
            [
                rng.choice(pos, size=pos.size, replace=True),
                rng.choice(neg, size=neg.size, replace=True),
            ]
        )
        stats.append(auc(y[idx], score[idx]))
    low, high = np.percentile(stats, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return auc(y, score), low, high


def test_bootstrap_follows_the_documented_algorithm():
    got = bootstrap.bootstrap_auc_ci(TEN_Y, TEN_SCORE, 200, 0.1, 3)
    assert isinstance(got, tuple) and len(got) == 3
    np.testing.assert_allclose(
        got, _bootstrap_by_loop(TEN_Y, TEN_SCORE, 200, 0.1, 3), rtol=1e-12
    )
    assert got[0] == pytest.approx(20.5 / 24)  # 20 pairs won, one tie, of 24
    assert got[1] <= got[0] <= got[2]


def test_bootstrap_seed_and_input_kinds():
    a = bootstrap.bootstrap_auc_ci(TEN_Y, TEN_SCORE, n_bootstraps=100, seed=1)
    b = bootstrap.bootstrap_auc_ci(
        TEN_Y.astype(bool).tolist(), TEN_SCORE.tolist(), n_bootstraps=100, seed=1
    )
    c = bootstrap.bootstrap_auc_ci(TEN_Y, TEN_SCORE, n_bootstraps=100, seed=2)
    assert a == b
    assert a[1:] != c[1:]


# --------------------------------------------------------------- precision_recall


def test_precision_recall_curve_by_hand():
    precision, recall, th = precision_recall.precision_recall_curve(
        SMALL_Y, SMALL_SCORE
    )
    np.testing.assert_allclose(precision, [0.5, 2 / 3, 0.5, 1, 1])
    np.testing.assert_allclose(recall, [1, 1, 0.5, 0.5, 0])
    np.testing.assert_array_equal(th, [0.1, 0.35, 0.4, 0.8])


def test_precision_recall_curve_ties_and_bools():
    # Y, PRED: thresholds 0.3, 0.4, 0.6, 0.8 flag 5, 4, 3, 2 patients
    precision, recall, th = precision_recall.precision_recall_curve(
        Y.astype(bool), PRED
    )
    np.testing.assert_allclose(precision, [3 / 5, 2 / 4, 2 / 3, 1 / 2, 1])
    np.testing.assert_allclose(recall, [1, 2 / 3, 2 / 3, 1 / 3, 0])
    np.testing.assert_array_equal(th, [0.3, 0.4, 0.6, 0.8])


@pytest.mark.parametrize(
    "y_true, y_pred, expected",
    [
        ([1, 0, 0, 1, 1], [1, 1, 0, 1, 0], 4 / 6),
        (np.array([True, False, True]), np.array([True, True, True]), 4 / 5),
        (np.array([1.0, 1.0]), np.array([0.0, 0.0]), 0.0),
    ],
)
def test_f1_by_hand(y_true, y_pred, expected):
    assert precision_recall.f1_score(y_true, y_pred) == pytest.approx(expected)


@nan_ok
def test_f1_undefined_is_nan():
    assert np.isnan(precision_recall.f1_score(np.zeros(3, int), np.zeros(3, int)))


# -------------------------------------------------------------------- calibration


def test_calibration_curve_by_hand():
    prob_true, prob_pred = calibration.calibration_curve(
        [0, 0, 1, 1, 1], [0.1, 0.3, 0.35, 0.7, 0.9]
    )
    np.testing.assert_allclose(prob_true, [0, 0.5, 1, 1])  # bin 2 is empty
    np.testing.assert_allclose(prob_pred, [0.1, 0.325, 0.7, 0.9])


def test_calibration_curve_inner_edges_go_to_the_lower_bin():
    # 5 bins: 0.0 and 0.2 -> bin 0, 0.4 -> bin 1, 1.0 -> bin 4
    prob_true, prob_pred = calibration.calibration_curve(
        np.array([0, 1, 1, 1], dtype=bool), np.array([0.0, 0.2, 0.4, 1.0])
    )
    np.testing.assert_allclose(prob_true, [0.5, 1, 1])
    np.testing.assert_allclose(prob_pred, [0.1, 0.4, 1.0])
    prob_true, prob_pred = calibration.calibration_curve([0, 1], [0.3, 0.8], n_bins=2)
    np.testing.assert_allclose(prob_pred, [0.3, 0.8])


@pytest.mark.parametrize(
    "y",
    [[0, 1, 1], np.array([False, True, True]), np.array([0.0, 1.0, 1.0])],
    ids=["list", "bool", "float"],
)
def test_brier_score_by_hand(y):
    assert calibration.brier_score(y, [0.2, 0.6, 1.0]) == pytest.approx(0.2 / 3)


def test_platt_fit_by_hand():
    # uninformative scores, balanced classes: a = 0, b = 0
    a, b = calibration.platt_fit([0, 0, 1, 1], [-1.0, 1.0, -1.0, 1.0])
    assert (a, b) == pytest.approx((0.0, 0.0), abs=1e-12)
    # two score values: each group's p equals its mean smoothed target
    # (t+ = 4/5, t- = 1/3): p(0) = 17/30, p(1) = 4/5
    a, b = calibration.platt_fit(
        np.array([False, True, True, True]), [0.0, 0.0, 1.0, 1.0]
    )
    assert b == pytest.approx(math.log(17 / 13), abs=1e-9)
    assert a + b == pytest.approx(math.log(4), abs=1e-9)
    assert isinstance(a, float) and isinstance(b, float)


def test_platt_fit_separable_scores_stay_finite():
    # Without Platt's smoothed targets the maximum-likelihood slope is infinite.
    y = np.array([0, 0, 0, 1, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    a, b = calibration.platt_fit(y, s)
    assert np.isfinite([a, b]).all() and a > 0
    # stationarity: the gradient of the cross-entropy with t = 4/5, 1/5 is zero
    p = calibration.platt_predict(s, a, b)
    t = np.where(y == 1, 4 / 5, 1 / 5)
    np.testing.assert_allclose([np.sum((p - t) * s), np.sum(p - t)], 0, atol=1e-9)


def test_platt_predict_given():
    np.testing.assert_allclose(
        calibration.platt_predict([0.0, 1.0], 2.0, -1.0),
        [1 / (1 + math.e), 1 / (1 + math.e**-1)],
    )
    assert np.isfinite(calibration.platt_predict([-1e4, 1e4], 1.0, 0.0)).all()


# ---------------------------------------------- the checks catch wrong implementations

# (lesson, text in the solution, replacement). Set A and set B are two copies of
# solutions/week2; within one copy the edited functions do not feed each other's
# checks, except the counts that the course's rates reuse (listed in FAIL_A).
WRONG_A = [
    # `>` instead of `>=`: a score equal to th is not counted (breaks TP and its users)
    (
        "diagnostic_metrics",
        "    thresholded = pred >= th\n    return np.sum((y == 1) & thr",
        "    thresholded = pred > th\n    return np.sum((y == 1) & thr",
    ),
    # Mann-Whitney without the 1/2 for ties
    ("roc_auc", "    return np.mean(wins + 0.5 * ties)", "    return np.mean(wins)"),
    # Platt without the smoothed targets (plain 0/1)
    (
        "calibration",
        "    target = np.where(y_true == 1, (n_pos + 1) / (n_pos + 2), "
        "1 / (n_neg + 2))",
        "    target = np.where(y_true == 1, 1.0, 0.0)",
    ),
    # Youden's tie rule reversed (last best point: the lowest threshold)
    (
        "thresholds",
        "    return thresholds[np.argmax(youden_j)]",
        "    return thresholds[youden_j.size - 1 - np.argmax(youden_j[::-1])]",
    ),
    # bootstrap not stratified
    (
        "bootstrap",
        "\n        idx = np.concatenate(\n            [\n"
        "                rng.choice(pos, size=pos.size, replace=True),\n"
        "                rng.choice(neg, size=neg.size, replace=True),\n"
        "            ]\n        )",
        "\n        idx = rng.choice(y_true.size, size=y_true.size, replace=True)",
    ),
    # calibration bins by floor(p * n_bins): an inner edge goes to the upper bin
    (
        "calibration",
        "    bin_ids = np.searchsorted(edges[1:-1], y_prob)\n",
        "    bin_ids = np.minimum((y_prob * n_bins).astype(int), n_bins - 1)\n",
    ),
    # confusion matrix transposed ([[TN, FN], [FP, TP]])
    (
        "confusion_matrix",
        "            cm[t, p] = np.sum(",
        "            cm[p, t] = np.sum(",
    ),
    # ROC curve without the (0, 0) point at threshold +inf
    (
        "roc_auc",
        "    thresholds = np.concatenate([[np.inf], np.unique(y_score)[::-1]])\n",
        "    thresholds = np.unique(y_score)[::-1]\n",
    ),
    # PR curve without the end point (recall 0, precision 1)
    (
        "precision_recall",
        "    precision = np.append(tps / flagged, 1.0)\n"
        "    recall = np.append(tps / np.sum(positive), 0.0)",
        "    precision = tps / flagged\n    recall = tps / np.sum(positive)",
    ),
]
FAIL_A = {
    "true_positives",
    "get_accuracy",
    "get_sensitivity",
    "get_ppv",
    "auc_mann_whitney",
    "platt_fit",
    "threshold_youden",
    "bootstrap_auc_ci",
    "calibration_curve",
    "confusion_matrix",
    "roc_curve",
    "precision_recall_curve",
}

WRONG_B = [
    # sensitivity as TP / (TP + FP) (that is the PPV)
    (
        "diagnostic_metrics",
        "    return tp / (tp + fn)",
        "    fp = false_positives(y, pred, th)\n    return tp / (tp + fp)",
    ),
    # NPV silently 0 instead of NaN when nobody is predicted negative
    (
        "diagnostic_metrics",
        "    return tn / (tn + fn)",
        "    return tn / (tn + fn) if tn + fn > 0 else 0.0",
    ),
    # F1 silently 0 on 0 / 0 (scikit-learn's zero_division=0)
    (
        "precision_recall",
        "    return 2 * tp / (2 * tp + fp + fn)",
        "    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0",
    ),
    # bootstrap re-seeding the generator in every round
    (
        "bootstrap",
        "\n        idx = np.concatenate(\n",
        "\n        rng = np.random.default_rng(seed)\n        idx = np.concatenate(\n",
    ),
    # calibration with side="right": an inner edge goes to the upper bin
    (
        "calibration",
        "    bin_ids = np.searchsorted(edges[1:-1], y_prob)\n",
        '    bin_ids = np.searchsorted(edges[1:-1], y_prob, side="right")\n',
    ),
    # ROC thresholds increasing instead of decreasing
    (
        "roc_auc",
        "    thresholds = np.concatenate([[np.inf], np.unique(y_score)[::-1]])\n",
        "    thresholds = np.concatenate([[np.inf], np.unique(y_score)])\n",
    ),
    # Mann-Whitney counting a tie as a win
    (
        "roc_auc",
        "    return np.mean(wins + 0.5 * ties)",
        "    return np.mean(wins + ties)",
    ),
    # correct alternatives, which must still pass:
    # (np.trapezoid would be correct too, but it is the exercise's answer: forbidden)
    (
        "roc_auc",
        "    return np.sum(widths * heights)",
        "    return float(widths @ heights)",
    ),
    (
        "thresholds",
        "    distance2 = fpr**2 + (1 - tpr) ** 2\n"
        "    return thresholds[np.argmin(distance2)]",
        "    return thresholds[np.argmin(np.hypot(fpr, 1 - tpr))]",
    ),
    ("thresholds", "    youden_j = tpr - fpr", "    youden_j = tpr + (1 - fpr) - 1"),
    ("diagnostic_metrics", "    return np.mean(y == 1)", "    return np.mean(y)"),
]
FAIL_B = {
    "get_sensitivity",
    "get_npv",
    "f1_score",
    "bootstrap_auc_ci",
    "calibration_curve",
    "roc_curve",
    "auc_mann_whitney",
}


@pytest.mark.parametrize(
    "edits, expected_failures",
    [(WRONG_A, FAIL_A), (WRONG_B, FAIL_B)],
    ids=["set-A", "set-B"],
)
def test_checks_catch_wrong_implementations(grade_edited, edits, expected_failures):
    results = grade_edited("week2", edits, ["week2"])
    failed = {name for name, r in results.items() if not r.passed}
    assert failed == expected_failures, {n: results[n].message[:300] for n in failed}
    for name in expected_failures:  # a wrong answer, not a crash of the grader
        assert results[name].status in WRONG_ANSWER_STATUSES, results[name].message
