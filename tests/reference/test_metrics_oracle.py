"""reference.metrics against scikit-learn, scipy, and independent loops.

Random inputs are seeded; they include small n (down to 2), heavy ties (scores
rounded to 0 or 1 decimals, or small integers) and imbalanced labels.
"""

import warnings

import numpy as np
import pytest
from scipy import optimize, stats

from reference import metrics as M

sk_metrics = pytest.importorskip("sklearn.metrics")
sk_calibration = pytest.importorskip("sklearn.calibration")

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # sklearn's 0/0 notes


def random_case(rng, *, both_classes=True, probabilities=False):
    """Return (y_true, y_score) of a random size, prevalence and amount of ties."""
    n = int(rng.choice([2, 3, 4, 5, 8, 13, 30, 100, 400]))
    y_true = (rng.random(n) < rng.uniform(0.05, 0.95)).astype(np.int64)
    if both_classes and y_true.min() == y_true.max():
        y_true[rng.choice(n, size=2, replace=False)] = [0, 1]
    score = np.clip(rng.random(n) * 0.8 + 0.25 * y_true * rng.random(), 0, 1)
    ties = rng.integers(4)
    if ties == 1:
        score = np.round(score, 1)  # heavy ties, many on bin edges
    elif ties == 2:
        score = np.round(score, 0)  # two distinct values at most
    elif ties == 3 and not probabilities:
        score = rng.integers(-2, 3, n).astype(float) + y_true  # integer logits
    return y_true, score


def cases(seed, count, **kwargs):
    rng = np.random.default_rng(seed)
    return [random_case(rng, **kwargs) for _ in range(count)]


# ---------------------------------------------------------------- classification


@pytest.mark.parametrize("seed", range(2))
def test_confusion_matrix_and_rates_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    for y_true, score in cases(seed, 50, both_classes=False):
        y_pred = (score >= rng.uniform(0, 1)).astype(int)
        expected = sk_metrics.confusion_matrix(y_true, y_pred, labels=[0, 1])
        np.testing.assert_array_equal(M.confusion_matrix(y_true, y_pred), expected)

        # with zero_division=0.0 both libraries agree even on the undefined cases
        for ours, theirs, kwargs in [
            (M.sensitivity, sk_metrics.recall_score, {}),
            (M.ppv, sk_metrics.precision_score, {}),
            (M.f1_score, sk_metrics.f1_score, {}),
            (M.specificity, sk_metrics.recall_score, {"pos_label": 0}),
            (M.npv, sk_metrics.precision_score, {"pos_label": 0}),
        ]:
            want = theirs(y_true, y_pred, zero_division=0.0, **kwargs)
            got = ours(y_true, y_pred, zero_division=0.0)
            assert got == pytest.approx(want, abs=1e-15), ours.__name__
        assert M.accuracy(y_true, y_pred) == pytest.approx(
            sk_metrics.accuracy_score(y_true, y_pred), abs=1e-15
        )


def test_multilabel_confusion_matrix_matches_sklearn():
    rng = np.random.default_rng(5)
    for _ in range(30):
        n, k = (
            rng.integers(1, 40),
            rng.integers(2, 6),
        )  # (n, 1) is multiclass to sklearn
        y_true = rng.integers(0, 2, (n, k))
        y_pred = rng.integers(0, 2, (n, k))
        np.testing.assert_array_equal(
            M.confusion_matrix(y_true, y_pred),
            sk_metrics.multilabel_confusion_matrix(y_true, y_pred),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = M.sensitivity(y_true, y_pred, zero_division=0.0)
        theirs = sk_metrics.recall_score(
            y_true, y_pred, average=None, zero_division=0.0
        )
        np.testing.assert_allclose(ours, theirs, atol=1e-15)


def random_classes(rng):
    """Return (y_true, y_pred) with 1-6 classes (labels in -1..8), often some absent."""
    n = int(rng.choice([1, 2, 5, 30, 200]))
    classes = rng.choice(np.arange(-1, 9), size=int(rng.integers(1, 7)), replace=False)
    y_true = rng.choice(classes, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.choice(classes, n))
    if rng.random() < 0.5:  # a class present on one side only
        y_pred[y_pred == classes[0]] = classes[-1]
    return y_true, y_pred


@pytest.mark.parametrize("seed", range(3))
def test_multiclass_confusion_matrix_matches_sklearn(seed):
    rng = np.random.default_rng(100 + seed)
    for _ in range(30):
        y_true, y_pred = random_classes(rng)
        union = np.union1d(y_true, y_pred)
        binary = bool(np.all(np.isin(union, (0, 1))))  # 0/1 input: always labels [0, 1]
        subset = rng.choice(
            union, size=int(rng.integers(1, union.size + 1)), replace=False
        )
        subset = np.union1d(subset, y_true[:1])  # scikit-learn wants one in y_true
        extra = np.r_[rng.permutation(union), 42]  # any order, and an absent class
        for labels in (None, rng.permutation(subset), extra):
            sk_labels = [0, 1] if labels is None and binary else labels
            for normalize in (None, "true", "pred", "all"):
                expected = sk_metrics.confusion_matrix(
                    y_true, y_pred, labels=sk_labels, normalize=normalize
                )
                got = M.confusion_matrix(
                    y_true, y_pred, labels=labels, normalize=normalize
                )
                assert got.dtype == (np.int64 if normalize is None else np.float64)
                np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0)


def test_multiclass_confusion_matrix_of_volumes_matches_sklearn():
    rng = np.random.default_rng(7)
    y_true = rng.integers(0, 4, (2, 6, 5, 4))  # a batch of label maps, classes 0-3
    y_pred = np.where(
        rng.random(y_true.shape) < 0.7, y_true, rng.integers(0, 4, y_true.shape)
    )
    y_pred[y_pred == 2] = 3  # class 2 never predicted
    for normalize in (None, "true", "pred", "all"):
        np.testing.assert_allclose(
            M.confusion_matrix(y_true, y_pred, labels=range(4), normalize=normalize),
            sk_metrics.confusion_matrix(
                y_true.ravel(), y_pred.ravel(), labels=range(4), normalize=normalize
            ),
        )
    binary = y_true[..., 0] > 1  # a 3-D 0/1 mask is flattened too
    np.testing.assert_array_equal(
        M.confusion_matrix(binary, y_pred[..., 0] > 1),
        sk_metrics.confusion_matrix(binary.ravel(), y_pred[..., 0].ravel() > 1),
    )


@pytest.mark.parametrize("seed", range(2))
def test_per_class_sens_spec_matches_sklearn(seed):
    rng = np.random.default_rng(200 + seed)
    for _ in range(60):
        y_true, y_pred = random_classes(rng)
        labels = np.r_[np.union1d(y_true, y_pred), 42]  # class 42 has no samples
        cm = M.confusion_matrix(y_true, y_pred, labels=labels)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sens, spec = M.per_class_sens_spec(cm)
        # recall_score(average=None) is the per-class sensitivity
        np.testing.assert_allclose(
            sens,
            sk_metrics.recall_score(
                y_true, y_pred, labels=labels, average=None, zero_division=np.nan
            ),
        )
        # specificity of class k: the recall of "not k"
        theirs = [
            sk_metrics.recall_score(y_true != k, y_pred != k, zero_division=np.nan)
            for k in labels
        ]
        np.testing.assert_allclose(spec, theirs, rtol=1e-15)


# ---------------------------------------------------------------- ranking


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("drop_intermediate", [True, False])
def test_roc_curve_matches_sklearn(seed, drop_intermediate):
    for y_true, score in cases(seed, 150):
        ours = M.roc_curve(y_true, score, drop_intermediate=drop_intermediate)
        theirs = sk_metrics.roc_curve(
            y_true, score, drop_intermediate=drop_intermediate
        )
        for got, want, name in zip(
            ours, theirs, ("fpr", "tpr", "thresholds"), strict=True
        ):
            assert got.shape == want.shape, (name, y_true, score)
            np.testing.assert_allclose(got, want, rtol=1e-15, atol=0, err_msg=name)
            assert got.dtype == np.float64


@pytest.mark.parametrize("seed", range(3))
def test_roc_auc_and_pr_match_sklearn(seed):
    for y_true, score in cases(10 + seed, 100):
        assert M.roc_auc_score(y_true, score) == pytest.approx(
            sk_metrics.roc_auc_score(y_true, score), rel=1e-12
        )
        assert M.average_precision_score(y_true, score) == pytest.approx(
            sk_metrics.average_precision_score(y_true, score), rel=1e-12
        )
        ours = M.precision_recall_curve(y_true, score)
        theirs = sk_metrics.precision_recall_curve(y_true, score)
        for got, want in zip(ours, theirs, strict=True):
            assert got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


def test_float32_scores_match_sklearn():
    rng = np.random.default_rng(8)
    for y_true, score in cases(8, 40):
        score32 = (score + rng.random(score.size) * 1e-3).astype(np.float32)
        for got, want in zip(
            M.roc_curve(y_true, score32),
            sk_metrics.roc_curve(y_true, score32),
            strict=True,
        ):
            np.testing.assert_array_equal(got, want)
        _, _, th = M.precision_recall_curve(y_true, score32)
        _, _, want = sk_metrics.precision_recall_curve(y_true, score32)
        assert th.dtype == want.dtype == np.float32
        np.testing.assert_array_equal(th, want)


def test_multilabel_scores_match_sklearn():
    rng = np.random.default_rng(9)
    for _ in range(20):
        n, k = int(rng.integers(6, 80)), int(rng.integers(1, 5))
        y_true = rng.integers(0, 2, (n, k))
        y_true[:2] = [[0] * k, [1] * k]  # both classes in every column
        score = np.round(rng.random((n, k)) + 0.3 * y_true, 1)
        for average in (None, "macro"):
            np.testing.assert_allclose(
                M.roc_auc_score(y_true, score, average=average),
                sk_metrics.roc_auc_score(y_true, score, average=average),
                rtol=1e-12,
            )
            np.testing.assert_allclose(
                M.average_precision_score(y_true, score, average=average),
                sk_metrics.average_precision_score(y_true, score, average=average),
                rtol=1e-12,
            )


def naive_mann_whitney(y_true, score):
    """U / (N+ N-) by looking at every (positive, negative) pair."""
    pos = [s for s, y in zip(score, y_true, strict=True) if y == 1]
    neg = [s for s, y in zip(score, y_true, strict=True) if y == 0]
    total = 0.0
    for p in pos:
        for q in neg:
            total += 1.0 if p > q else 0.5 if p == q else 0.0
    return total / (len(pos) * len(neg))


@pytest.mark.parametrize("seed", range(2))
def test_auc_equals_mann_whitney(seed):
    for y_true, score in cases(20 + seed, 100):
        auc = M.roc_auc_score(y_true, score)
        if y_true.size <= 100:
            assert auc == pytest.approx(naive_mann_whitney(y_true, score), abs=1e-12)
        u = stats.mannwhitneyu(score[y_true == 1], score[y_true == 0]).statistic
        assert auc == pytest.approx(u / (y_true.sum() * (y_true == 0).sum()), abs=1e-12)


def test_optimal_threshold_matches_exhaustive_search():
    # independent: try every candidate threshold with fractions (exact ties)
    from fractions import Fraction

    for y_true, score in cases(30, 80):
        n_pos, n_neg = int(y_true.sum()), int((y_true == 0).sum())
        candidates = [np.inf] + sorted(set(score.tolist()), reverse=True)
        youden, closest = [], []
        for th in candidates:
            tp = int(np.sum((score >= th) & (y_true == 1)))
            fp = int(np.sum((score >= th) & (y_true == 0)))
            tpr, fpr = Fraction(tp, n_pos), Fraction(fp, n_neg)
            youden.append(tpr - fpr)
            closest.append(fpr**2 + (1 - tpr) ** 2)
        best_j = candidates[youden.index(max(youden))]  # first = highest threshold
        best_d = candidates[closest.index(min(closest))]
        assert M.optimal_threshold(y_true, score) == best_j
        assert M.optimal_threshold(y_true, score, method="closest") == best_d


# ---------------------------------------------------------------- calibration


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 2, 3, 5, 10])
def test_calibration_curve_matches_sklearn(strategy, n_bins):
    for y_true, prob in cases(40 + n_bins, 60, probabilities=True):
        ours = M.calibration_curve(y_true, prob, n_bins=n_bins, strategy=strategy)
        theirs = sk_calibration.calibration_curve(
            y_true, prob, n_bins=n_bins, strategy=strategy
        )
        for got, want in zip(ours, theirs, strict=True):
            assert got.shape == want.shape, (y_true, prob)
            np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)


def test_brier_score_matches_sklearn():
    for y_true, prob in cases(50, 100, both_classes=False, probabilities=True):
        assert M.brier_score(y_true, prob) == pytest.approx(
            sk_metrics.brier_score_loss(y_true, prob), rel=1e-14, abs=1e-16
        )


def platt_loss_and_grad(params, score, target):
    """Cross-entropy with soft targets, written with np.logaddexp (independent form)."""
    a, b = params
    z = a * score + b
    loss = np.sum(target * np.logaddexp(0, -z) + (1 - target) * np.logaddexp(0, z))
    p = 0.5 * (1 + np.tanh(z / 2))  # sigmoid, another way
    return loss, np.array([np.sum((p - target) * score), np.sum(p - target)])


@pytest.mark.parametrize("seed", range(3))
def test_platt_fit_matches_scipy(seed):
    rng = np.random.default_rng(60 + seed)
    for _ in range(10):
        n = int(rng.integers(5, 300))
        y_true = (rng.random(n) < rng.uniform(0.1, 0.9)).astype(int)
        y_true[:2] = [0, 1]
        score = rng.normal(size=n) * rng.uniform(0.2, 5) + y_true * rng.uniform(0, 3)
        n_pos, n_neg = y_true.sum(), n - y_true.sum()
        target = np.where(y_true == 1, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

        a, b = M.platt_fit(y_true, score)
        result = optimize.minimize(
            platt_loss_and_grad,
            x0=[0.0, 0.0],
            jac=True,
            args=(score, target),
            method="BFGS",
            options={"gtol": 1e-11, "maxiter": 1000},
        )
        np.testing.assert_allclose([a, b], result.x, atol=1e-6)
        ours = platt_loss_and_grad([a, b], score, target)[0]
        assert ours <= result.fun + 1e-9


# ---------------------------------------------------------------- bootstrap


def bootstrap_by_hand(metric, y_true, y_score, n_bootstraps, alpha, seed, stratified):
    """The documented algorithm, written out again."""
    y_true, y_score = np.asarray(y_true), np.asarray(y_score)
    rng = np.random.default_rng(seed)
    positives = np.flatnonzero(y_true == 1)
    negatives = np.flatnonzero(y_true == 0)
    values = []
    for _ in range(n_bootstraps):
        if stratified:
            take_pos = rng.choice(positives, size=positives.size, replace=True)
            take_neg = rng.choice(negatives, size=negatives.size, replace=True)
            idx = np.concatenate([take_pos, take_neg])
        else:
            idx = rng.choice(len(y_true), size=len(y_true), replace=True)
        values.append(metric(y_true[idx], y_score[idx]))
    values = np.array(values)
    values = values[~np.isnan(values)]
    low = np.percentile(values, 100 * alpha / 2)
    high = np.percentile(values, 100 * (1 - alpha / 2))
    return metric(y_true, y_score), low, high


@pytest.mark.parametrize("stratified", [True, False])
@pytest.mark.parametrize("seed", [0, 1234])
def test_bootstrap_ci_reproduces_the_documented_algorithm(stratified, seed):
    rng = np.random.default_rng(70)
    y_true = (rng.random(80) < 0.3).astype(int)
    y_score = np.round(rng.random(80) + 0.4 * y_true, 2)
    for metric, alpha in [
        (M.roc_auc_score, 0.05),
        (M.average_precision_score, 0.1),
        (lambda t, s: M.sensitivity(t, s >= 0.6), 0.2),
    ]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = bootstrap_by_hand(
                metric, y_true, y_score, 150, alpha, seed, stratified
            )
            got = M.bootstrap_ci(
                metric,
                y_true,
                y_score,
                n_bootstraps=150,
                alpha=alpha,
                seed=seed,
                stratified=stratified,
            )
            again = M.bootstrap_ci(
                metric,
                y_true,
                y_score,
                n_bootstraps=150,
                alpha=alpha,
                seed=seed,
                stratified=stratified,
            )
        assert tuple(got) == expected  # exact: same draws, same arithmetic
        assert got == again
