"""Hand-computed cases and edge cases for reference.metrics.

Every expected number below is worked out by hand in the comments next to it.
"""

import warnings

import numpy as np
import pytest

from reference import metrics as M
from reference._validation import UndefinedMetricWarning

# The running example: 7 patients.
#   index   0  1  2  3  4  5  6
#   y_true  0  0  0  1  1  1  1
#   y_pred  0  1  0  1  0  1  1
#   outcome TN FP TN TP FN TP TP   -> TN = 2, FP = 1, FN = 1, TP = 3
Y_TRUE = [0, 0, 0, 1, 1, 1, 1]
Y_PRED = [0, 1, 0, 1, 0, 1, 1]


@pytest.fixture
def no_warnings():
    """Turn every warning into an error inside the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ---------------------------------------------------------------- classification


def test_confusion_matrix_hand_counts(no_warnings):
    cm = M.confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(cm, [[2, 1], [1, 3]])  # [[TN, FP], [FN, TP]]
    assert cm.dtype == np.int64


# A 4-class segmentation (BraTS labels), 12 voxels:
#   y_true  0 0 0 0 0 1 1 1 2 2 3 3
#   y_pred  0 0 0 0 1 1 1 2 2 0 3 1
# rows = truth, columns = prediction:
#   class 0: 4 right, 1 called 1          -> [4, 1, 0, 0]
#   class 1: 2 right, 1 called 2          -> [0, 2, 1, 0]
#   class 2: 1 right, 1 called 0          -> [1, 0, 1, 0]
#   class 3: 1 right, 1 called 1          -> [0, 1, 0, 1]
SEG_TRUE = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 3]
SEG_PRED = [0, 0, 0, 0, 1, 1, 1, 2, 2, 0, 3, 1]
SEG_CM = [[4, 1, 0, 0], [0, 2, 1, 0], [1, 0, 1, 0], [0, 1, 0, 1]]


def test_multiclass_confusion_matrix_hand_counts(no_warnings):
    cm = M.confusion_matrix(SEG_TRUE, SEG_PRED)
    assert cm.dtype == np.int64
    np.testing.assert_array_equal(cm, SEG_CM)
    # a volume of any shape is flattened: the same 12 voxels as a (2, 3, 2) map
    volume = M.confusion_matrix(
        np.reshape(SEG_TRUE, (2, 3, 2)),
        np.reshape(SEG_PRED, (2, 3, 2)).astype(np.float32),
    )
    np.testing.assert_array_equal(volume, SEG_CM)
    # labels pick and order the classes; voxels of other classes are not counted
    np.testing.assert_array_equal(
        M.confusion_matrix(SEG_TRUE, SEG_PRED, labels=[3, 1]), [[1, 1], [0, 2]]
    )
    np.testing.assert_array_equal(  # class 5 has no voxels: a row and column of 0
        M.confusion_matrix(SEG_TRUE, SEG_PRED, labels=[0, 5]), [[4, 0], [0, 0]]
    )


def test_multiclass_confusion_matrix_normalized(no_warnings):
    # "true": rows / (5, 3, 2, 2); "pred": columns / (5, 4, 2, 1); "all": / 12
    np.testing.assert_allclose(
        M.confusion_matrix(SEG_TRUE, SEG_PRED, normalize="true"),
        np.array(SEG_CM) / [[5], [3], [2], [2]],
    )
    np.testing.assert_allclose(
        M.confusion_matrix(SEG_TRUE, SEG_PRED, normalize="pred"),
        np.array(SEG_CM) / [5, 4, 2, 1],
    )
    np.testing.assert_allclose(
        M.confusion_matrix(SEG_TRUE, SEG_PRED, normalize="all"), np.array(SEG_CM) / 12
    )
    # 0 / 0 (no voxel of class 5 in y_true or y_pred) is 0, as in scikit-learn
    np.testing.assert_allclose(
        M.confusion_matrix(SEG_TRUE, SEG_PRED, labels=[0, 5], normalize="true"),
        [[1, 0], [0, 0]],
    )
    # 0/1 input keeps its layout: [[TN, FP], [FN, TP]] / (TN + FP, FN + TP)
    np.testing.assert_allclose(
        M.confusion_matrix(Y_TRUE, Y_PRED, normalize="true"),
        [[2 / 3, 1 / 3], [1 / 4, 3 / 4]],
    )


def test_binary_layout_is_kept(no_warnings):
    # one class only: still 2 x 2 (scikit-learn's labels=[0, 1]), int64
    for y in ([0, 0, 0], [1.0, 1.0], [False, False]):
        cm = M.confusion_matrix(y, y)
        assert cm.shape == (2, 2) and cm.dtype == np.int64
    np.testing.assert_array_equal(M.confusion_matrix([0, 0], [0, 0]), [[2, 0], [0, 0]])
    np.testing.assert_array_equal(M.confusion_matrix([1], [0]), [[0, 0], [1, 0]])
    # labels [0, 1] flatten (N, K) 0/1 input into one matrix instead of K
    y_true = np.column_stack([Y_TRUE, Y_TRUE])
    assert M.confusion_matrix(y_true, y_true).shape == (2, 2, 2)
    np.testing.assert_array_equal(
        M.confusion_matrix(y_true, y_true, labels=[0, 1]), [[6, 0], [0, 8]]
    )


def test_per_class_sens_spec_hand_values(no_warnings):
    # class k vs the rest, from SEG_CM (N = 12):
    #   class 0: TP 4, FN 1, FP 1 (column 0 has 5), TN 12 - 4 - 1 - 1 = 6
    #   class 1: TP 2, FN 1, FP 2, TN 7;  class 2: TP 1, FN 1, FP 1, TN 9
    #   class 3: TP 1, FN 1, FP 0, TN 10
    sens, spec = M.per_class_sens_spec(M.confusion_matrix(SEG_TRUE, SEG_PRED))
    np.testing.assert_allclose(sens, [4 / 5, 2 / 3, 1 / 2, 1 / 2])
    np.testing.assert_allclose(spec, [6 / 7, 7 / 9, 9 / 10, 10 / 10])
    # a binary matrix: class 1's values are sensitivity and specificity
    sens, spec = M.per_class_sens_spec(M.confusion_matrix(Y_TRUE, Y_PRED))
    assert sens[1] == M.sensitivity(Y_TRUE, Y_PRED)
    assert spec[1] == M.specificity(Y_TRUE, Y_PRED)
    np.testing.assert_allclose([sens[0], spec[0]], [2 / 3, 3 / 4])  # roles swapped


def test_per_class_sens_spec_undefined_classes():
    cm = M.confusion_matrix(SEG_TRUE, SEG_PRED, labels=[0, 1, 2, 3, 4])  # 4: no voxels
    with pytest.warns(
        UndefinedMetricWarning,
        match=r"per_class_sens_spec: sensitivity "
        r"TP / \(TP \+ FN\) with no samples "
        r"of the class in y_true for "
        r"class\(es\) at \[4\]",
    ):
        sens, spec = M.per_class_sens_spec(cm)
    assert np.isnan(sens[4]) and spec[4] == 1.0
    with pytest.warns(UndefinedMetricWarning, match=r"specificity .* every sample"):
        sens, spec = M.per_class_sens_spec([[3]])  # one class: no negatives
    assert sens[0] == 1.0 and np.isnan(spec[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sens, _ = M.per_class_sens_spec(cm, zero_division=0.0)
    assert sens[4] == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: M.confusion_matrix([0, 1, 2], [0, 1.5, 2]),
            r"confusion_matrix: expected y_pred with integer class labels, got values "
            r"\{1.5\}. Threshold scores first",
        ),
        (
            lambda: M.confusion_matrix([0, 1, 2], [0, 1, 2], labels=[1, 1]),
            r"confusion_matrix: expected labels without repeats, got \[1, 1\].",
        ),
        (
            lambda: M.confusion_matrix([0, 1, 2], [0, 1, 2], labels=[7, 8]),
            r"confusion_matrix: expected at least one of labels in y_true, got labels "
            r"\[7, 8\].",
        ),
        (
            lambda: M.confusion_matrix([0, 1, 2], [0, 1, 2], labels=[]),
            r"confusion_matrix: expected labels a non-empty 1-D sequence of class labels",
        ),
        (
            lambda: M.confusion_matrix([0, 1], [0, 1], normalize="rows"),
            r"confusion_matrix: expected normalize None, 'true', 'pred' or 'all', "
            r"got 'rows'.",
        ),
        (
            lambda: M.confusion_matrix(np.zeros((2, 3)), np.zeros((3, 2))),
            r"confusion_matrix: expected y_true and y_pred with the same number of samples",
        ),
        (
            lambda: M.per_class_sens_spec([[0.5, 0.5], [0.2, 0.8]]),
            r"per_class_sens_spec: expected cm of counts \(non-negative whole numbers\), "
            r"got values such as 0.5. Pass the counts",
        ),
        (
            lambda: M.per_class_sens_spec(np.ones((3, 2, 2))),
            r"per_class_sens_spec: expected cm a square \(K, K\) confusion matrix, got "
            r"shape \(3, 2, 2\).",
        ),
    ],
)
def test_multiclass_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("func", "expected"),
    [
        (M.sensitivity, 3 / 4),  # TP / (TP + FN) = 3 / (3 + 1)
        (M.specificity, 2 / 3),  # TN / (TN + FP) = 2 / (2 + 1)
        (M.ppv, 3 / 4),  # TP / (TP + FP) = 3 / (3 + 1)
        (M.npv, 2 / 3),  # TN / (TN + FN) = 2 / (2 + 1)
        (M.accuracy, 5 / 7),  # (TP + TN) / N = (3 + 2) / 7
        (M.f1_score, 3 / 4),  # 2 TP / (2 TP + FP + FN) = 6 / (6 + 1 + 1)
    ],
)
def test_rates_hand_values(func, expected, no_warnings):
    value = func(Y_TRUE, Y_PRED)
    assert type(value) is np.float64
    assert value == pytest.approx(expected, abs=1e-15)


def test_prevalence_hand_value(no_warnings):
    value = M.prevalence(Y_TRUE)  # 4 positives of 7
    assert type(value) is np.float64
    assert value == pytest.approx(4 / 7)


@pytest.mark.parametrize(
    "convert",
    [
        list,
        tuple,
        lambda y: np.array(y, dtype=bool),
        lambda y: np.array(y, dtype=np.float32),
        lambda y: np.array(y, dtype=np.uint8),
    ],
)
def test_input_kinds_agree(convert, no_warnings):
    for func in (M.sensitivity, M.specificity, M.ppv, M.npv, M.accuracy, M.f1_score):
        assert func(convert(Y_TRUE), convert(Y_PRED)) == func(
            np.array(Y_TRUE), np.array(Y_PRED)
        )
    np.testing.assert_array_equal(
        M.confusion_matrix(convert(Y_TRUE), convert(Y_PRED)), [[2, 1], [1, 3]]
    )


def test_multilabel_per_finding_and_macro(no_warnings):
    # finding 0 is the running example; finding 1:
    #   y_true 1 1 0 0 0 0 0 ; y_pred 1 0 0 0 0 1 1 -> TP 1, FN 1, FP 2, TN 3
    y_true = np.column_stack([Y_TRUE, [1, 1, 0, 0, 0, 0, 0]])
    y_pred = np.column_stack([Y_PRED, [1, 0, 0, 0, 0, 1, 1]])
    cm = M.confusion_matrix(y_true, y_pred)
    assert cm.shape == (2, 2, 2)
    np.testing.assert_array_equal(cm[0], [[2, 1], [1, 3]])
    np.testing.assert_array_equal(cm[1], [[3, 2], [1, 1]])
    sens = M.sensitivity(y_true, y_pred)
    np.testing.assert_allclose(sens, [3 / 4, 1 / 2])
    assert M.sensitivity(y_true, y_pred, average="macro") == pytest.approx(5 / 8)
    np.testing.assert_allclose(M.specificity(y_true, y_pred), [2 / 3, 3 / 5])
    np.testing.assert_allclose(M.ppv(y_true, y_pred), [3 / 4, 1 / 3])
    np.testing.assert_allclose(M.npv(y_true, y_pred), [2 / 3, 3 / 4])
    np.testing.assert_allclose(M.accuracy(y_true, y_pred), [5 / 7, 4 / 7])
    np.testing.assert_allclose(M.f1_score(y_true, y_pred), [3 / 4, 2 / 5])  # 2/(2+2+1)
    np.testing.assert_allclose(M.prevalence(y_true), [4 / 7, 2 / 7])
    assert M.prevalence(y_true, average="macro") == pytest.approx(3 / 7)


@pytest.mark.parametrize(
    ("func", "y_true", "y_pred", "why"),
    [
        (M.sensitivity, [0, 0, 0], [0, 1, 0], "no positives in y_true"),  # TP + FN = 0
        (M.specificity, [1, 1], [1, 0], "no negatives in y_true"),  # TN + FP = 0
        (
            M.ppv,
            [0, 1, 1],
            [0, 0, 0],
            "no positives in y_pred",
        ),  # none predicted positive
        (
            M.npv,
            [0, 1, 1],
            [1, 1, 1],
            "no negatives in y_pred",
        ),  # all predicted positive
        (M.f1_score, [0, 0], [0, 0], "no positives in y_true or y_pred"),  # 0 / 0
    ],
)
def test_undefined_rates_are_nan_and_warn(func, y_true, y_pred, why):
    with pytest.warns(UndefinedMetricWarning, match=f"{func.__name__}: .*{why}"):
        value = func(y_true, y_pred)
    assert type(value) is np.float64 and np.isnan(value)

    # zero_division replaces NaN, silently
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert func(y_true, y_pred, zero_division=0.0) == 0.0
        assert func(y_true, y_pred, zero_division=1) == 1.0


def test_undefined_finding_is_named_and_skipped_by_macro():
    y_true = np.array([[1, 0], [0, 0], [1, 0]])  # finding 1 has no positives
    y_pred = np.array([[1, 0], [0, 1], [0, 0]])
    with pytest.warns(UndefinedMetricWarning, match=r"finding\(s\) \[1\]"):
        sens = M.sensitivity(y_true, y_pred)
    assert sens[0] == 0.5 and np.isnan(sens[1])
    with pytest.warns(UndefinedMetricWarning):
        assert M.sensitivity(y_true, y_pred, average="macro") == 0.5


def test_ppv_from_prevalence(no_warnings):
    # 0.9 * 0.01 / (0.9 * 0.01 + 0.1 * 0.99) = 0.009 / 0.108 = 1 / 12
    assert M.ppv_from_prevalence(0.9, 0.9, 0.01) == pytest.approx(1 / 12)
    # consistent with counts: the running example has sens 3/4, spec 2/3, prev 4/7
    assert M.ppv_from_prevalence(3 / 4, 2 / 3, 4 / 7) == pytest.approx(3 / 4)
    out = M.ppv_from_prevalence(0.9, 0.9, [0.01, 0.5])
    np.testing.assert_allclose(out, [1 / 12, 0.9])


def test_ppv_from_prevalence_undefined_and_invalid():
    with pytest.warns(UndefinedMetricWarning, match="ppv_from_prevalence"):
        assert np.isnan(M.ppv_from_prevalence(0.5, 1.0, 0.0))  # nobody tests positive
    with pytest.raises(
        ValueError,
        match=r"ppv_from_prevalence: expected "
        r"specificity within \[0, 1\], got 1.5",
    ):
        M.ppv_from_prevalence(0.5, 1.5, 0.1)


# ---------------------------------------------------------------- ranking

# Ties in the scores: sorted by decreasing score
#   score  0.9 0.8 0.5 0.5 0.2 0.1
#   label   1   1   0   1   0   0        P = 3, N = 3
#   at th:  TP  1   2   3       3   3
#           FP  0   0   1       2   3
R_TRUE = [0, 1, 0, 1, 1, 0]
R_SCORE = [0.2, 0.8, 0.5, 0.5, 0.9, 0.1]


def test_roc_curve_with_ties_hand(no_warnings):
    fpr, tpr, th = M.roc_curve(R_TRUE, R_SCORE, drop_intermediate=False)
    np.testing.assert_allclose(fpr, [0, 0, 0, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(tpr, [0, 1 / 3, 2 / 3, 1, 1, 1])
    np.testing.assert_array_equal(th, [np.inf, 0.9, 0.8, 0.5, 0.2, 0.1])

    # counts FP 0 0 1 2 3 / TP 1 2 3 3 3: second differences at the middle points
    # FP: 1, 0, 0 and TP: 0, -1, 0 -> only the point at 0.2 is collinear
    fpr, tpr, th = M.roc_curve(R_TRUE, R_SCORE)
    np.testing.assert_allclose(fpr, [0, 0, 0, 1 / 3, 1])
    np.testing.assert_allclose(tpr, [0, 1 / 3, 2 / 3, 1, 1])
    np.testing.assert_array_equal(th, [np.inf, 0.9, 0.8, 0.5, 0.1])


def test_roc_auc_with_ties_hand(no_warnings):
    # pairs (positive, negative): 0.9 and 0.8 beat all 3 negatives (6); 0.5 beats
    # 0.2 and 0.1 and ties 0.5 (2.5) -> U = 8.5 of 9 pairs
    assert M.roc_auc_score(R_TRUE, R_SCORE) == pytest.approx(8.5 / 9, abs=1e-15)
    # trapezoids of the curve: (1/3) * (2/3 + 1) / 2 + (2/3) * 1 = 5/18 + 12/18
    fpr, tpr, _ = M.roc_curve(R_TRUE, R_SCORE)
    assert M.auc(fpr, tpr) == pytest.approx(17 / 18, abs=1e-15)


def test_precision_recall_with_ties_hand(no_warnings):
    precision, recall, th = M.precision_recall_curve(R_TRUE, R_SCORE)
    # increasing thresholds 0.1, 0.2, 0.5, 0.8, 0.9: precision TP / (TP + FP)
    # = 3/6, 3/5, 3/4, 2/2, 1/1, then the end point 1
    np.testing.assert_allclose(precision, [1 / 2, 3 / 5, 3 / 4, 1, 1, 1])
    np.testing.assert_allclose(recall, [1, 1, 1, 2 / 3, 1 / 3, 0])
    np.testing.assert_array_equal(th, [0.1, 0.2, 0.5, 0.8, 0.9])
    # AP = 1/3 * 1 (at 0.9) + 1/3 * 1 (at 0.8) + 1/3 * 3/4 (at 0.5) = 11/12
    assert M.average_precision_score(R_TRUE, R_SCORE) == pytest.approx(11 / 12)


def test_optimal_threshold_ties_take_the_highest(no_warnings):
    # Youden's J = tpr - fpr at inf, .9, .8, .5, .2, .1: 0, 1/3, 2/3, 2/3, 1/3, 0
    # (in floats 2/3 - 0 < 1 - 1/3 by one bit: the tie must be decided exactly)
    assert M.optimal_threshold(R_TRUE, R_SCORE) == 0.8
    # distance^2 to (0, 1) at .8 and .5: 1/9 both -> the first (0.8)
    assert M.optimal_threshold(R_TRUE, R_SCORE, method="closest") == 0.8


def test_optimal_threshold_methods_differ(no_warnings):
    # sorted: P P N N N P N N N N N N N P   (4 positives, 10 negatives)
    # at 9: (fpr, tpr) = (0, 1/2), J = 0.5,  d^2 = 0.25
    # at 5: (fpr, tpr) = (0.3, 3/4), J = 0.45, d^2 = 0.09 + 0.0625 = 0.1525
    y_true = [1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    score = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0.5, 0.4, 0.3, 0.2]
    assert M.optimal_threshold(y_true, score) == 9.0
    assert M.optimal_threshold(y_true, score, method="closest") == 5.0


def test_constant_scores_give_the_diagonal(no_warnings):
    fpr, tpr, th = M.roc_curve([0, 1, 0, 1], [0.3] * 4)
    np.testing.assert_array_equal(fpr, [0, 1])
    np.testing.assert_array_equal(tpr, [0, 1])
    np.testing.assert_array_equal(th, [np.inf, 0.3])
    assert M.roc_auc_score([0, 1, 0, 1], [0.3] * 4) == 0.5
    # AP = recall 0 -> 1 at precision 2/4
    assert M.average_precision_score([0, 1, 0, 1], [0.3] * 4) == 0.5


def test_one_class_only_ranking():
    y_neg, y_pos, score = [0, 0, 0], [1, 1, 1], [0.1, 0.4, 0.4]
    with pytest.warns(UndefinedMetricWarning, match="roc_auc_score: .*only one class"):
        assert np.isnan(M.roc_auc_score(y_neg, score))
    with pytest.warns(UndefinedMetricWarning, match="roc_curve: the true-positive"):
        fpr, tpr, _ = M.roc_curve(y_neg, score)
    assert np.isnan(tpr).all()
    np.testing.assert_allclose(fpr, [0, 2 / 3, 1])
    with pytest.warns(UndefinedMetricWarning, match="roc_curve: the false-positive"):
        fpr, tpr, _ = M.roc_curve(y_pos, score)
    assert np.isnan(fpr).all()
    with pytest.warns(UndefinedMetricWarning, match="precision_recall_curve: recall"):
        precision, recall, _ = M.precision_recall_curve(y_neg, score)
    assert np.isnan(recall[:-1]).all() and recall[-1] == 0
    np.testing.assert_array_equal(precision, [0, 0, 1])
    with pytest.warns(UndefinedMetricWarning, match="average_precision_score"):
        assert np.isnan(M.average_precision_score(y_neg, score))
    with pytest.warns(UndefinedMetricWarning, match="optimal_threshold"):
        assert np.isnan(M.optimal_threshold(y_pos, score))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert M.average_precision_score(y_pos, score) == 1.0  # precision 1 throughout


def test_ranking_per_finding():
    y_true = np.column_stack([R_TRUE, [0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1]])
    y_score = np.column_stack([R_SCORE, R_SCORE, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]])
    with pytest.warns(UndefinedMetricWarning):
        per = M.roc_auc_score(y_true, y_score, average=None)
    assert per.shape == (3,)
    np.testing.assert_allclose(per, [8.5 / 9, np.nan, 1.0])
    with pytest.warns(UndefinedMetricWarning):
        assert M.roc_auc_score(y_true, y_score) == pytest.approx((8.5 / 9 + 1) / 2)
    with pytest.warns(UndefinedMetricWarning):
        ap = M.average_precision_score(y_true, y_score, average=None)
    np.testing.assert_allclose(ap, [11 / 12, np.nan, 1.0])


def test_auc_direction_and_errors(no_warnings):
    assert M.auc([1, 0.5, 0], [1, 1, 0]) == pytest.approx(0.75)  # decreasing x
    assert type(M.auc([0, 1], [0, 1])) is np.float64
    with pytest.raises(ValueError, match="auc: expected x monotonic"):
        M.auc([0, 1, 0.5], [0, 1, 1])
    with pytest.raises(ValueError, match="auc: expected at least 2 points, got 1"):
        M.auc([0], [1])


# ---------------------------------------------------------------- calibration


def test_calibration_curve_hand(no_warnings):
    y_true = [0, 0, 1, 0, 1, 1]
    y_prob = [0.1, 0.2, 0.3, 0.6, 0.8, 0.9]
    # 2 bins [0, .5], (.5, 1]: {.1, .2, .3} with 1 positive; {.6, .8, .9} with 2
    prob_true, prob_pred = M.calibration_curve(y_true, y_prob, n_bins=2)
    np.testing.assert_allclose(prob_true, [1 / 3, 2 / 3])
    np.testing.assert_allclose(prob_pred, [0.2, 2.3 / 3])
    # 10 bins: .1 and .2 sit on edges and go to the lower bin -> bins 0, 1, 2, 5, 7, 8
    prob_true, prob_pred = M.calibration_curve(y_true, y_prob, n_bins=10)
    np.testing.assert_allclose(prob_true, [0, 0, 1, 0, 1, 1])
    np.testing.assert_allclose(prob_pred, y_prob)
    # quantile, 3 bins: edges at the 1/3 and 2/3 quantiles (0.2667, 0.6667)
    prob_true, prob_pred = M.calibration_curve(
        y_true, y_prob, n_bins=3, strategy="quantile"
    )
    np.testing.assert_allclose(prob_true, [0, 0.5, 1])
    np.testing.assert_allclose(prob_pred, [0.15, 0.45, 0.85])


def test_brier_score_hand(no_warnings):
    # (0^2 + 0.5^2 + 0^2 + 0.5^2) / 4 = 0.125
    value = M.brier_score([0, 1, 1, 0], [0.0, 0.5, 1.0, 0.5])
    assert type(value) is np.float64 and value == 0.125
    per = M.brier_score([[0, 1], [1, 1]], [[0.5, 1.0], [1.0, 0.0]])  # columns
    np.testing.assert_allclose(per, [0.125, 0.5])


def test_platt_separable_and_constant(no_warnings):
    # separable data: the smoothed targets keep (a, b) finite
    a, b = M.platt_fit([0, 0, 1, 1], [-1.0, -0.5, 0.5, 1.0])
    assert np.isfinite(a) and np.isfinite(b) and a > 0
    assert type(a) is np.float64 and type(b) is np.float64
    # constant scores: the Hessian is singular; p must be the mean smoothed target
    # t+ = 3/4 (N+ = 2), t- = 1/4 (N- = 2): mean (3/4 + 3/4 + 1/4 + 1/4) / 4 = 1/2
    a, b = M.platt_fit([0, 0, 1, 1], [0.7] * 4)
    assert M.platt_predict([0.7], a, b)[0] == pytest.approx(0.5, abs=1e-9)


def test_platt_warns_when_not_converged():
    with pytest.warns(RuntimeWarning, match="platt_fit: Newton's method did not"):
        M.platt_fit([0, 1, 0, 1, 1], [0.1, 0.2, 0.3, 0.9, 0.5], max_iter=1)


def test_platt_predict_stable_and_dtype(no_warnings):
    prob = M.platt_predict(np.array([-1000.0, 0.0, 1000.0]), 1.0, 0.0)
    np.testing.assert_array_equal(prob, [0.0, 0.5, 1.0])
    prob32 = M.platt_predict(np.array([0.0, 1.0], dtype=np.float32), 2.0, 0.0)
    assert prob32.dtype == np.float32
    assert prob32[1] == pytest.approx(1 / (1 + np.exp(-2)), rel=1e-6)


# ---------------------------------------------------------------- segmentation


def test_dice_hand_and_empty_masks(no_warnings):
    # class 0: overlap 2, sizes 2 + 3 -> (4 + eps) / (5 + eps); class 1: empty -> 1
    y_true = np.array([[[[1, 1, 0, 0]]], [[[0, 0, 0, 0]]]])
    y_pred = np.array([[[[1, 1, 1, 0]]], [[[0, 0, 0, 0]]]])
    eps = 1e-5
    expected = ((4 + eps) / (5 + eps) + 1) / 2
    value = M.dice_coefficient(y_true, y_pred)
    assert type(value) is np.float64 and value == pytest.approx(expected, abs=1e-15)
    assert M.dice_coefficient(y_true, y_pred, epsilon=0.5) == pytest.approx(
        ((4.5 / 5.5) + 1) / 2
    )
    # float32 in, float32 out
    value32 = M.dice_coefficient(y_true.astype(np.float32), y_pred.astype(np.float32))
    assert value32.dtype == np.float32
    # 2-D masks (classes, x, y) with axis=(1, 2)
    assert M.dice_coefficient(
        y_true[..., 0, :], y_pred[..., 0, :], axis=(1, 2)
    ) == pytest.approx(expected)


def test_dice_errors():
    with pytest.raises(
        ValueError,
        match="dice_coefficient: expected y_true and "
        r"y_pred with the same shape",
    ):
        M.dice_coefficient(np.zeros((2, 2, 2, 2)), np.zeros((2, 2, 2, 3)))
    with pytest.raises(ValueError, match="dice_coefficient: expected axis within"):
        M.dice_coefficient(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))


def test_class_sens_spec_hand(no_warnings):
    # class 1: t = 0 0 1 1 1 0, p = 0 1 1 1 0 0 -> TP 2, FN 1, FP 1, TN 2
    y_true = np.zeros((2, 1, 2, 3), dtype=int)
    y_pred = np.zeros((2, 1, 2, 3), dtype=int)
    y_true[1] = np.reshape([0, 0, 1, 1, 1, 0], (1, 2, 3))
    y_pred[1] = np.reshape([0, 1, 1, 1, 0, 0], (1, 2, 3))
    sens, spec = M.class_sens_spec(y_true, y_pred, 1)
    assert type(sens) is np.float64
    assert (sens, spec) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    with pytest.warns(
        UndefinedMetricWarning, match="class_sens_spec: sensitivity of class 0"
    ):
        sens, spec = M.class_sens_spec(y_true, y_pred, 0)  # class 0 is empty
    assert np.isnan(sens) and spec == 1.0


def test_class_sens_spec_errors():
    y = np.zeros((2, 2, 2, 2))
    with pytest.raises(
        ValueError,
        match=r"class_sens_spec: expected class_index an "
        r"int in \[0, 2\)",
    ):
        M.class_sens_spec(y, y, 2)
    with pytest.raises(
        ValueError,
        match="class_sens_spec: expected y_pred with "
        "binary labels 0/1, got values {0, 0.7}. "
        "Threshold probabilities first",
    ):
        M.class_sens_spec(y, np.full_like(y, 0.7) * (np.arange(2) == 1), 0)


# ---------------------------------------------------------------- bootstrap


def test_bootstrap_ci_properties(no_warnings):
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 2, 60)
    y_score = rng.random(60) + 0.5 * y_true
    ci = M.bootstrap_ci(M.roc_auc_score, y_true, y_score, n_bootstraps=200, seed=7)
    assert isinstance(ci, M.ConfidenceInterval)
    assert ci.estimate == M.roc_auc_score(y_true, y_score)
    assert ci.low < ci.estimate < ci.high
    assert ci == M.bootstrap_ci(M.roc_auc_score, y_true, y_score, 200, seed=7)
    assert ci != M.bootstrap_ci(M.roc_auc_score, y_true, y_score, 200, seed=8)
    wider = M.bootstrap_ci(M.roc_auc_score, y_true, y_score, 200, alpha=0.01, seed=7)
    assert wider.low <= ci.low and wider.high >= ci.high


def test_bootstrap_ci_nan_rounds_dropped_with_warning():
    # 1 positive in 6: unstratified resamples often miss it -> NaN AUC rounds
    y_true, y_score = [1, 0, 0, 0, 0, 0], [0.9, 0.1, 0.2, 0.3, 0.4, 0.5]
    with pytest.warns(
        UndefinedMetricWarning,
        match=r"bootstrap_ci: \d+ of 100 "
        "bootstrap rounds gave NaN",
    ):
        ci = M.bootstrap_ci(
            M.roc_auc_score, y_true, y_score, 100, seed=0, stratified=False
        )
    assert ci.low == 1.0 and ci.high == 1.0  # every defined round is perfect


def test_bootstrap_ci_errors():
    with pytest.raises(
        ValueError,
        match="bootstrap_ci: expected y_true with both "
        "classes for stratified resampling, got "
        "only 0s. Pass stratified=False",
    ):
        M.bootstrap_ci(M.accuracy, [0, 0], [0, 1])
    with pytest.raises(
        ValueError,
        match="bootstrap_ci: expected n_bootstraps a positive integer, got 0",
    ):
        M.bootstrap_ci(M.accuracy, [0, 1], [0, 1], n_bootstraps=0)
    with pytest.raises(ValueError, match=r"bootstrap_ci: expected alpha in \(0, 1\)"):
        M.bootstrap_ci(M.accuracy, [0, 1], [0, 1], alpha=1.5)
    with pytest.raises(
        ValueError,
        match=r"bootstrap_ci: expected metric returning "
        r"one number, got shape \(2,\)",
    ):
        M.bootstrap_ci(lambda t, s: np.array([0.5, 0.5]), [0, 1], [0.2, 0.7])
    with pytest.raises(
        ValueError,
        match="bootstrap_ci: expected y_true and y_score "
        "with the same number of samples, got 2 "
        "and 3",
    ):
        M.bootstrap_ci(M.accuracy, [0, 1], [0, 1, 1])


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: M.sensitivity([0, 1], [0, 1, 1]),
            ValueError,
            "sensitivity: expected y_true and y_pred with the same number of samples, "
            "got 2 and 3.",
        ),
        (
            lambda: M.confusion_matrix([[0, 1]], [[0, 1, 1]]),
            ValueError,
            r"confusion_matrix: expected y_true and y_pred with the same shape, "
            r"got \(1, 2\) and \(1, 3\).",
        ),
        (
            lambda: M.specificity([0, 2], [0, 1]),
            ValueError,
            "specificity: expected y_true with binary labels 0/1, got values {0, 2}.",
        ),
        (
            lambda: M.ppv([0, 1], [0.2, 0.8]),
            ValueError,
            r"ppv: expected y_pred with binary labels 0/1, got values {0.2, 0.8}. "
            r"Threshold scores first: y_pred = y_score >= threshold.",
        ),
        (
            lambda: M.npv([0, 1, np.nan], [0, 1, 1]),
            ValueError,
            "npv: expected y_true without NaN or infinity, got 1 non-finite values.",
        ),
        (
            lambda: M.roc_auc_score([0, 1], [0.1, np.nan]),
            ValueError,
            "roc_auc_score: expected y_score without NaN or infinity, got 1 non-finite",
        ),
        (
            lambda: M.roc_curve([0, 1], [0.1, np.inf]),
            ValueError,
            "roc_curve: expected y_score without NaN or infinity",
        ),
        (
            lambda: M.accuracy(["a", "b"], [0, 1]),
            TypeError,
            "accuracy: expected y_true with a numeric or bool dtype, got dtype <U1.",
        ),
        (
            lambda: M.f1_score(np.zeros((2, 2, 2)), np.zeros((2, 2, 2))),
            ValueError,
            r"f1_score: expected y_true with 1 or 2 dims \(N,\) or \(N, K\), "
            r"got shape \(2, 2, 2\).",
        ),
        (
            lambda: M.roc_curve([[0, 1]], [[0.1, 0.2]]),
            ValueError,
            r"roc_curve: expected y_true with 1 dims \(N,\), got shape \(1, 2\). "
            r"Pass one finding at a time",
        ),
        (
            lambda: M.prevalence([]),
            ValueError,
            r"prevalence: expected y_true with at least one sample, got shape \(0,\).",
        ),
        (
            lambda: M.sensitivity([0, 1], [0, 1], average="micro"),
            ValueError,
            "sensitivity: expected average None or 'macro', got 'micro'.",
        ),
        (
            lambda: M.ppv([0, 1], [0, 1], zero_division="zero"),
            ValueError,
            "ppv: expected zero_division 'warn' or a number",
        ),
        (
            lambda: M.calibration_curve([0, 1], [0.2, 1.5]),
            ValueError,
            r"calibration_curve: expected y_prob with probabilities in \[0, 1\], got "
            r"values in \[0.2, 1.5\]. Apply a sigmoid to logits first.",
        ),
        (
            lambda: M.calibration_curve([0, 1], [0.2, 0.5], strategy="kmeans"),
            ValueError,
            "calibration_curve: expected strategy 'uniform' or 'quantile', got 'kmeans'.",
        ),
        (
            lambda: M.calibration_curve([0, 1], [0.2, 0.5], n_bins=0),
            ValueError,
            "calibration_curve: expected n_bins a positive integer, got 0.",
        ),
        (
            lambda: M.brier_score([0, 1], [-0.1, 0.5]),
            ValueError,
            "brier_score: expected y_prob with probabilities in",
        ),
        (
            lambda: M.optimal_threshold([0, 1], [0.1, 0.2], method="f1"),
            ValueError,
            "optimal_threshold: expected method 'youden' or 'closest', got 'f1'.",
        ),
        (
            lambda: M.platt_predict([0.1], np.nan, 0.0),
            ValueError,
            "platt_predict: expected finite a and b",
        ),
    ],
)
def test_validation_messages(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- purity

_PURITY_CALLS = [
    (M.confusion_matrix, "pred"),
    (M.sensitivity, "pred"),
    (M.specificity, "pred"),
    (M.ppv, "pred"),
    (M.npv, "pred"),
    (M.accuracy, "pred"),
    (M.f1_score, "pred"),
    (M.roc_curve, "score"),
    (M.roc_auc_score, "score"),
    (M.precision_recall_curve, "score"),
    (M.average_precision_score, "score"),
    (M.optimal_threshold, "score"),
    (M.calibration_curve, "score"),
    (M.brier_score, "score"),
    (M.platt_fit, "score"),
    (lambda t, s: M.bootstrap_ci(M.roc_auc_score, t, s, 20, seed=0), "score"),
]


@pytest.mark.parametrize(("func", "kind"), _PURITY_CALLS)
def test_inputs_not_mutated(func, kind, no_warnings):
    rng = np.random.default_rng(0)
    y_true = np.array([0, 1, 0, 1, 1, 0, 0, 1])
    y_second = (rng.random(8) < 0.5).astype(int) if kind == "pred" else rng.random(8)
    y_true_copy, y_second_copy = y_true.copy(), y_second.copy()
    func(y_true, y_second)
    np.testing.assert_array_equal(y_true, y_true_copy)
    np.testing.assert_array_equal(y_second, y_second_copy)


def test_segmentation_inputs_not_mutated(no_warnings):
    y_true = np.ones((2, 2, 2, 2))
    y_true[:, 1] = 0
    y_pred = y_true.copy()
    y_pred[0, 0, 0] = 0
    copies = y_true.copy(), y_pred.copy()
    M.dice_coefficient(y_true, y_pred)
    M.class_sens_spec(y_true, y_pred, 0)
    M.confusion_matrix(y_true, 2 * y_pred, normalize="true")  # classes 0-2, flattened
    np.testing.assert_array_equal(y_true, copies[0])
    np.testing.assert_array_equal(y_pred, copies[1])


def test_returned_curves_do_not_alias_inputs(no_warnings):
    y_score = np.array([0.1, 0.4, 0.35, 0.8])
    _, _, thresholds = M.precision_recall_curve([0, 0, 1, 1], y_score)
    thresholds[:] = -1
    np.testing.assert_array_equal(y_score, [0.1, 0.4, 0.35, 0.8])
