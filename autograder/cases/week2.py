"""Cases and oracle adapters for week 2 (evaluating diagnostic models).

Every oracle is built from `reference.metrics` only (never `solutions`) and has
the learner function's signature. `reference.metrics` is imported lazily so that
the registry (and ``ai4md list``) never depends on it being importable.

Public cases follow the course's classic example ``y = [1, 0, 0, 1, 1]``,
``pred = [0.8, 0.8, 0.4, 0.6, 0.3]``. Hidden cases mix seeded random inputs with
edge cases: ties in scores, a threshold equal to a score (``>=`` counts as
positive), one class only, all or none predicted positive (NaN results), a
single sample, bool and float labels, float32 scores. The course's own functions
(``true_positives`` ... ``get_npv``) always receive ndarrays, as in the course.

The ROC operating-point exercises use class sizes that are powers of two, so
every rate is an exact binary fraction and ties between points are exact ties
(broken by the documented "first point wins" rule) whatever formula the
learner uses.
"""

from __future__ import annotations

import warnings

import numpy as np

from autograder.cases import edge
from autograder.spec import Case

__all__ = [
    "accuracy_oracle",
    "auc_oracle",
    "bayes_hidden",
    "bayes_oracle",
    "bayes_public",
    "binary_hidden",
    "binary_public",
    "bootstrap_hidden",
    "bootstrap_oracle",
    "bootstrap_public",
    "brier_oracle",
    "calibration_hidden",
    "calibration_oracle",
    "calibration_public",
    "closest_oracle",
    "confusion_oracle",
    "count_oracle",
    "curve_hidden",
    "curve_public",
    "decision_hidden",
    "decision_public",
    "f1_oracle",
    "npv_oracle",
    "platt_hidden",
    "platt_oracle",
    "platt_public",
    "ppv_oracle",
    "pr_curve_hidden",
    "pr_curve_oracle",
    "prevalence_hidden",
    "prevalence_oracle",
    "prevalence_public",
    "probability_hidden",
    "probability_public",
    "ranking_hidden",
    "roc_auc_oracle",
    "roc_curve_oracle",
    "sensitivity_oracle",
    "specificity_oracle",
    "threshold_hidden",
    "threshold_public",
    "trapezoid_hidden",
    "trapezoid_public",
    "youden_oracle",
]

CLASSIC_Y = np.array([1, 0, 0, 1, 1])
CLASSIC_PRED = np.array([0.8, 0.8, 0.4, 0.6, 0.3])
SMALL_Y = np.array([0, 0, 1, 1])
SMALL_SCORE = np.array([0.1, 0.4, 0.35, 0.8])


def _metric(name: str):
    from reference import metrics

    return getattr(metrics, name)


def _quiet(name: str, *args, **kwargs):
    """Call ``reference.metrics.<name>`` with its UndefinedMetricWarning silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _metric(name)(*args, **kwargs)


# --------------------------------------------------------------------------- oracles


def _decisions(pred, th):
    return np.asarray(pred) >= th


def count_oracle(cell: tuple[int, int]):
    """Oracle for one count: ``cell`` = (truth, decision) in the confusion matrix."""

    def oracle(y, pred, th=0.5):
        return _quiet("confusion_matrix", y, _decisions(pred, th))[cell]

    return oracle


def _rate_oracle(name: str):
    def oracle(y, pred, th=0.5):
        return _quiet(name, y, _decisions(pred, th))

    oracle.__name__ = f"{name}_oracle"
    return oracle


accuracy_oracle = _rate_oracle("accuracy")
sensitivity_oracle = _rate_oracle("sensitivity")
specificity_oracle = _rate_oracle("specificity")
ppv_oracle = _rate_oracle("ppv")
npv_oracle = _rate_oracle("npv")


def prevalence_oracle(y):
    """Oracle for ``get_prevalence``."""
    return _quiet("prevalence", y)


def confusion_oracle(y_true, y_pred):
    """Oracle for ``confusion_matrix``."""
    return _quiet("confusion_matrix", y_true, y_pred)


def f1_oracle(y_true, y_pred):
    """Oracle for ``f1_score`` (NaN on 0 / 0)."""
    return _quiet("f1_score", y_true, y_pred)


def bayes_oracle(sensitivity, specificity, prevalence):
    """Oracle for ``ppv_from_prevalence``."""
    return _quiet("ppv_from_prevalence", sensitivity, specificity, prevalence)


def roc_curve_oracle(y_true, y_score):
    """Oracle for ``roc_curve``: every distinct score, no point dropped."""
    return _quiet("roc_curve", y_true, y_score, drop_intermediate=False)


def auc_oracle(fpr, tpr):
    """Oracle for ``auc_trapezoid``."""
    return _quiet("auc", fpr, tpr)


def roc_auc_oracle(y_true, y_score):
    """Oracle for ``auc_mann_whitney``."""
    return _quiet("roc_auc_score", y_true, y_score)


def youden_oracle(y_true, y_score):
    """Oracle for ``threshold_youden``."""
    return _quiet("optimal_threshold", y_true, y_score, method="youden")


def closest_oracle(y_true, y_score):
    """Oracle for ``threshold_closest_to_corner``."""
    return _quiet("optimal_threshold", y_true, y_score, method="closest")


def bootstrap_oracle(y_true, y_score, n_bootstraps=1000, alpha=0.05, seed=0):
    """Oracle for ``bootstrap_auc_ci``: stratified bootstrap of the ROC AUC."""
    ci = _quiet(
        "bootstrap_ci",
        _metric("roc_auc_score"),
        y_true,
        y_score,
        n_bootstraps,
        alpha,
        seed,
    )
    return tuple(ci)


def pr_curve_oracle(y_true, y_score):
    """Oracle for ``precision_recall_curve``."""
    return _quiet("precision_recall_curve", y_true, y_score)


def calibration_oracle(y_true, y_prob, n_bins=5):
    """Oracle for ``calibration_curve`` (uniform bins)."""
    return _quiet("calibration_curve", y_true, y_prob, n_bins=n_bins)


def brier_oracle(y_true, y_prob):
    """Oracle for ``brier_score``."""
    return _quiet("brier_score", y_true, y_prob)


def platt_oracle(y_true, y_score, **kwargs):
    """Oracle for ``platt_fit``."""
    return tuple(_quiet("platt_fit", y_true, y_score, **kwargs))


# --------------------------------------------------------------------------- inputs


def _labels(rng, n: int, both: bool = True) -> np.ndarray:
    """0/1 int labels with a random prevalence; both classes present if ``both``."""
    while True:
        y = (rng.random(n) < rng.uniform(0.2, 0.8)).astype(np.int64)
        if not both or 0 < y.sum() < n:
            return y


def _scores(rng, y: np.ndarray, decimals: int | None = None) -> np.ndarray:
    """Probabilities that rank positives higher on average; rounded to make ties."""
    logit = rng.normal(1.5 * (np.asarray(y, dtype=float) - 0.5), 1.0)
    score = 1.0 / (1.0 + np.exp(-logit))
    return np.round(score, decimals) if decimals is not None else score


# --------------------------------------------------- diagnostic_metrics (course style)


def binary_public() -> list[Case]:
    """Make the course's example at th = 0.5 (default) and 0.7, and one with ties."""
    return [
        Case(args=(CLASSIC_Y, CLASSIC_PRED)),
        Case(args=(CLASSIC_Y, CLASSIC_PRED, 0.7)),
        Case(
            args=(
                np.array([0, 1, 1, 0, 1, 0, 0, 1]),
                np.array([0.2, 0.9, 0.5, 0.6, 0.45, 0.1, 0.5, 0.7]),
            )
        ),
    ]


def binary_hidden(rng) -> list[Case]:
    """Random and edge cases for the course's (y, pred, th) functions."""
    y = _labels(rng, int(rng.integers(20, 200)))
    pred = _scores(rng, y)
    y2 = _labels(rng, 40)
    pred2 = _scores(rng, y2, decimals=1)  # many ties, some exactly 0.5
    k = int(rng.integers(0, y.size))
    y_one = np.zeros(12, dtype=np.int64)
    pred_one = _scores(rng, y_one)
    return [
        Case(args=(y, pred)),
        Case(args=(y2, pred2)),  # ties, pred == 0.5
        Case(args=(y, pred, float(pred[k]))),  # th equal to a score
        Case(args=(y, pred), kwargs={"th": 0.3}),
        Case(args=(y2.astype(bool), pred2, 0.6)),  # bool labels
        Case(args=(y2.astype(np.float64), pred2.astype(np.float32), 0.5)),  # floats
        *edge(
            Case(args=(y_one, pred_one)),  # no positives
            Case(args=(1 - y_one, pred_one)),  # no negatives
            Case(args=(y, pred, 0.0)),  # all positive
            Case(args=(y, pred, 1.01)),  # none positive
            Case(args=(np.array([1]), np.array([0.7]))),  # n = 1
            Case(args=(np.array([0]), np.array([0.5]))),
        ),
    ]


def prevalence_public() -> list[Case]:
    """Make the course's labels and a rare-disease set."""
    return [Case(args=(CLASSIC_Y,)), Case(args=(np.array([0, 0, 0, 1]),))]


def prevalence_hidden(rng) -> list[Case]:
    """Random, bool, float, single-class and single-sample labels."""
    y = _labels(rng, int(rng.integers(20, 300)))
    return [
        Case(args=(y,)),
        Case(args=(y.astype(bool),)),
        Case(args=(y.astype(np.float64),)),
        *edge(
            Case(args=(np.zeros(7, dtype=np.int64),)),
            Case(args=(np.ones(3, dtype=np.int64),)),
            Case(args=(np.array([1]),)),
        ),
    ]


# --------------------------------------------------------- confusion_matrix, f1_score


def decision_public() -> list[Case]:
    """Make the course's example thresholded at 0.5, and a small second one."""
    return [
        Case(args=(CLASSIC_Y, np.array([1, 1, 0, 1, 0]))),
        Case(args=(np.array([0, 0, 1, 1, 1, 0]), np.array([0, 1, 1, 1, 0, 0]))),
    ]


def decision_hidden(rng) -> list[Case]:
    """Random and edge cases for (y_true, y_pred) with hard decisions."""
    y = _labels(rng, int(rng.integers(20, 200)))
    y_pred = (_scores(rng, y) >= 0.5).astype(np.int64)
    zeros = np.zeros(6, dtype=np.int64)
    return [
        Case(args=(y, y_pred)),
        Case(args=(y.astype(bool), y_pred.astype(bool))),
        Case(args=(y.astype(np.float64), y_pred.astype(np.float64))),
        Case(args=(y.tolist(), y_pred.tolist())),  # lists
        *edge(
            Case(args=(y, np.ones_like(y))),  # all positive
            Case(args=(y, np.zeros_like(y))),  # none positive
            Case(args=(zeros, zeros)),  # no positives at all
            Case(args=(1 - zeros, 1 - zeros)),  # every one positive
            Case(args=(np.array([1]), np.array([0]))),  # n = 1
        ),
    ]


def bayes_public() -> list[Case]:
    """Make a good test on a common and on a rare disease."""
    return [
        Case(args=(0.9, 0.9, 0.1)),
        Case(args=(0.99, 0.95, 0.01)),
        Case(args=(0.5, 0.75, 0.5)),
    ]


def bayes_hidden(rng) -> list[Case]:
    """Random probabilities and the extremes 0 and 1 (where defined)."""
    cases = [
        Case(args=tuple(float(v) for v in rng.uniform(0.01, 0.99, 3))) for _ in range(4)
    ]
    sens, spec = (float(v) for v in rng.uniform(0.1, 0.9, 2))
    return cases + edge(
        Case(args=(sens, spec, 0.0)),
        Case(args=(sens, spec, 1.0)),
        Case(args=(1.0, 1.0, 0.3)),
        Case(args=(0.0, 0.2, 0.4)),
    )


# ------------------------------------------------------------- curves (ROC, PR, AUC)


def curve_public() -> list[Case]:
    """Make the course's example (a tie at 0.8 across classes) and a 4-patient one."""
    return [Case(args=(CLASSIC_Y, CLASSIC_PRED)), Case(args=(SMALL_Y, SMALL_SCORE))]


def _ranking_common(rng) -> list[Case]:
    y = _labels(rng, int(rng.integers(30, 300)))
    y2 = _labels(rng, 60)
    ties = _scores(rng, y2, decimals=1)
    return [
        Case(args=(y, _scores(rng, y))),
        Case(args=(y2, ties)),  # many ties
        Case(args=(y2.astype(bool), ties)),  # bool labels
        Case(args=(y2.astype(np.float64), ties.astype(np.float32))),  # floats
        Case(args=(y2, rng.integers(1, 6, y2.size))),  # integer ratings 1..5
        Case(args=(y2.tolist(), ties.tolist())),  # lists
        *edge(
            Case(args=(np.array([0, 1]), np.array([0.3, 0.3]))),  # one tie, n = 2
            Case(args=(y, np.full(y.size, 0.5))),  # all scores equal
        ),
    ]


def curve_hidden(rng) -> list[Case]:
    """Random and edge cases for ``roc_curve``, plus one class only (NaN rates)."""
    return _ranking_common(rng) + edge(
        Case(args=(np.zeros(5, dtype=np.int64), np.array([0.1, 0.2, 0.2, 0.9, 0.4]))),
        Case(args=(np.ones(4, dtype=np.int64), np.array([0.7, 0.2, 0.5, 0.9]))),
    )


def ranking_hidden(rng) -> list[Case]:
    """Random and edge cases for ``auc_mann_whitney``, including perfect rankings."""
    y = _labels(rng, 50)
    return _ranking_common(rng) + [
        Case(args=(y, y + rng.random(y.size))),  # perfect: AUC 1
        Case(args=(y, -y + rng.random(y.size))),  # inverted: AUC 0
        *edge(Case(args=(np.zeros(5, dtype=np.int64), rng.random(5)))),  # one class
    ]


def pr_curve_hidden(rng) -> list[Case]:
    """Random and edge cases for ``precision_recall_curve`` (at least one positive)."""
    return _ranking_common(rng) + edge(
        Case(args=(np.ones(4, dtype=np.int64), np.array([0.7, 0.2, 0.5, 0.9]))),
        Case(args=(np.array([1]), np.array([0.4]))),
    )


def trapezoid_public() -> list[Case]:
    """Make the 4-patient example's ROC curve and a made-up monotone curve."""
    return [
        Case(args=(np.array([0, 0, 0.5, 0.5, 1]), np.array([0, 0.5, 0.5, 1, 1]))),
        Case(args=(np.array([0.0, 0.1, 0.4, 1.0]), np.array([0.0, 0.6, 0.8, 1.0]))),
    ]


def trapezoid_hidden(rng) -> list[Case]:
    """ROC curves of random data (full and thinned), general monotone curves, lists."""
    y = _labels(rng, int(rng.integers(30, 200)))
    score = _scores(rng, y)
    full = roc_curve_oracle(y, score)
    thinned = _quiet("roc_curve", y, score, drop_intermediate=True)
    x = np.sort(rng.random(20))
    height = rng.random(20)
    return [
        Case(args=(full[0], full[1])),
        Case(args=(thinned[0], thinned[1])),
        Case(args=(x, height)),
        Case(args=(x.tolist(), height.tolist())),
        Case(args=(np.array([0.0, 1.0]), np.array([0.25, 0.75]))),
        Case(args=(np.array([0.0, 0.5, 0.5, 1.0]), np.array([0.0, 0.2, 0.9, 1.0]))),
        *edge(Case(args=(np.array([0.3, 0.3]), np.array([0.1, 0.9])))),  # area 0
    ]


# ------------------------------------------------------------------- operating points


def threshold_public() -> list[Case]:
    """Make the course's example (one best point) and the 4-patient one (a tie)."""
    return [Case(args=(CLASSIC_Y, CLASSIC_PRED)), Case(args=(SMALL_Y, SMALL_SCORE))]


def _dyadic_labels(rng, n_pos: int, n_neg: int) -> np.ndarray:
    return rng.permutation(np.r_[np.ones(n_pos, np.int64), np.zeros(n_neg, np.int64)])


def threshold_hidden(rng) -> list[Case]:
    """Class sizes that are powers of two (exact rates, so ties are exact ties)."""
    cases = []
    sizes = ((8, 32, None), (16, 16, 1), (32, 8, None), (4, 4, 1))
    for n_pos, n_neg, decimals in sizes:
        y = _dyadic_labels(rng, n_pos, n_neg)
        cases.append(Case(args=(y, _scores(rng, y, decimals))))
    y = _dyadic_labels(rng, 8, 16)
    score = _scores(rng, y, 2)
    return cases + [
        Case(args=(y.astype(bool), score)),  # bool labels
        Case(args=(y.tolist(), score.tolist())),  # lists
        *edge(
            Case(args=(y, y + rng.random(y.size))),  # perfect separation
            Case(args=(y, -y + rng.random(y.size))),  # worse than chance
            Case(args=(np.array([0, 1]), np.array([0.2, 0.7]))),
        ),
    ]


# ------------------------------------------------------------------------ bootstrap


def bootstrap_public() -> list[Case]:
    """Small fixed data sets with few resamples."""
    y = np.array([0, 0, 0, 0, 1, 1, 1, 0, 1, 0])
    score = np.array([0.1, 0.3, 0.2, 0.6, 0.8, 0.4, 0.9, 0.5, 0.5, 0.05])
    return [
        Case(args=(SMALL_Y, SMALL_SCORE, 50)),
        Case(args=(y, score, 100, 0.1, 1)),
        Case(args=(y, score), kwargs={"n_bootstraps": 60, "seed": 7}),
    ]


def bootstrap_hidden(rng) -> list[Case]:
    """Random data, random seeds and alphas; ties, bool labels, lists, one positive."""
    y = _labels(rng, int(rng.integers(40, 200)))
    y2 = _labels(rng, 50)
    ties = _scores(rng, y2, decimals=1)
    seed = int(rng.integers(0, 2**31))
    y_one = np.r_[1, np.zeros(9, np.int64)]
    return [
        Case(args=(y, _scores(rng, y), 150, 0.05, seed)),
        Case(args=(y2, ties, 100, 0.2, seed + 1)),
        Case(args=(y2.astype(bool), ties), kwargs={"n_bootstraps": 80, "alpha": 0.1}),
        Case(args=(y2.tolist(), ties.tolist(), 50)),
        *edge(Case(args=(y_one, rng.random(10), 50, 0.05, 3))),  # a single positive
        Case(args=(y2, ties)),  # all defaults (1000)
    ]


# -------------------------------------------------------------------- calibration


def calibration_public() -> list[Case]:
    """Make the lesson's example (an empty bin) and the course's one in 2 bins."""
    y_prob = np.array([0.1, 0.3, 0.35, 0.7, 0.9])
    return [
        Case(args=(np.array([0, 0, 1, 1, 1]), y_prob)),
        Case(args=(CLASSIC_Y, CLASSIC_PRED, 2)),
    ]


def calibration_hidden(rng) -> list[Case]:
    """Random data and bins, empty bins, probabilities on bin edges, bool labels."""
    y = _labels(rng, int(rng.integers(50, 500)))
    prob = _scores(rng, y)
    edges_y = np.array([0, 1, 0, 1, 1, 0, 1, 1])
    edges_p = np.array([0.0, 0.2, 0.4, 0.4, 0.8, 0.6, 1.0, 0.5])  # inner edges go lower
    return [
        Case(args=(y, prob)),
        Case(args=(y, prob, int(rng.integers(3, 15)))),
        Case(args=(edges_y, edges_p)),
        Case(args=(edges_y, edges_p, 10)),
        Case(args=(y.astype(bool), prob.astype(np.float32), 4)),
        Case(args=(y.tolist(), prob.tolist())),
        *edge(
            Case(args=(y, 0.3 + 0.05 * prob)),  # all in one bin
            Case(args=(y, prob, 1)),
            Case(args=(np.array([1]), np.array([0.42]))),
        ),
    ]


def probability_public() -> list[Case]:
    """Small fixed probabilities."""
    return [
        Case(args=(np.array([0, 1, 1]), np.array([0.2, 0.6, 1.0]))),
        Case(args=(CLASSIC_Y, CLASSIC_PRED)),
    ]


def probability_hidden(rng) -> list[Case]:
    """Random, bool and float labels, float32 probabilities, perfect and n = 1."""
    y = _labels(rng, int(rng.integers(20, 300)))
    prob = _scores(rng, y)
    return [
        Case(args=(y, prob)),
        Case(args=(y.astype(bool), prob)),
        Case(args=(y.astype(np.float64), prob.astype(np.float32))),
        Case(args=(y.tolist(), prob.tolist())),
        *edge(
            Case(args=(y, y.astype(np.float64))),  # perfect
            Case(args=(np.array([0]), np.array([0.9]))),
        ),
    ]


def platt_public() -> list[Case]:
    """Make the lesson's two hand-solvable examples and a small realistic one."""
    s = np.array([-2.0, -1.2, -0.3, 0.1, 0.4, 0.8, 1.5, 2.2])
    return [
        Case(args=(np.array([0, 0, 1, 1]), np.array([-1.0, 1.0, -1.0, 1.0]))),
        Case(args=(np.array([0, 0, 1, 0, 1, 0, 1, 1]), s)),
        Case(args=(np.array([0, 1, 1, 1]), np.array([0.0, 0.0, 1.0, 1.0]))),
    ]


def platt_hidden(rng) -> list[Case]:
    """Overlapping and separable scores, probabilities as scores, rare positives."""
    y = _labels(rng, int(rng.integers(50, 300)))
    logits = rng.normal(2.0 * y - 1.0, 1.2)
    y2 = _labels(rng, 30)
    separable = np.where(y2 == 1, 1 + rng.random(30), rng.random(30))
    rare = np.r_[1, 1, np.zeros(38, np.int64)]
    return [
        Case(args=(y, logits)),
        Case(args=(y, _scores(rng, y))),  # scores in [0, 1]
        Case(args=(y2, separable)),  # needs the smoothing
        Case(args=(y2.astype(bool), separable)),
        Case(args=(y.astype(np.float64).tolist(), logits.tolist())),
        *edge(Case(args=(rare, rng.normal(0.0, 1.0, 40)))),  # rare positives
        Case(args=(y, 0.5 * logits), kwargs={"max_iter": 200, "tol": 1e-12}),
    ]
