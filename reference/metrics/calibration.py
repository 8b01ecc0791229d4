"""Calibration: checking and fixing how well probabilities match frequencies.

Public names: `calibration_curve`, `brier_score`, `platt_fit`, `platt_predict`.

`calibration_curve` and `brier_score` follow scikit-learn's `calibration_curve` and
`brier_score_loss`; `platt_fit` / `platt_predict` recalibrate scores with a
one-feature logistic regression (Platt 1999).
"""

from __future__ import annotations

import warnings

import numpy as np

from reference._validation import check_probabilities, fail
from reference.metrics._labels import as_scores, check_positive_int, labels_and_scores

__all__ = ["brier_score", "calibration_curve", "platt_fit", "platt_predict"]


def calibration_curve(y_true, y_prob, *, n_bins=5, strategy="uniform"):
    """Compare mean predicted probability with the observed frequency, bin by bin.

    Parameters
    ----------
    y_true : array-like of shape (N,), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_prob : array-like of shape (N,), float in [0, 1]
        Predicted probabilities of the positive class.
    n_bins : int, default 5
        Number of bins.
    strategy : {"uniform", "quantile"}, default "uniform"
        "uniform": edges ``0, 1/n_bins, ..., 1``; "quantile": edges at the
        quantiles of ``y_prob`` (``np.percentile`` at ``100 j / n_bins``), so
        the bins hold about as many samples each.

    Returns
    -------
    prob_true : ndarray of shape (B,), float64, B <= n_bins
        Fraction of positives in each non-empty bin.
    prob_pred : ndarray of shape (B,), float64
        Mean predicted probability in each non-empty bin.

    Notes
    -----
    With inner edges ``e_1 < ... < e_{n_bins-1}``, sample n goes to bin
    ``b(n) = #{j : e_j < y_prob[n]}`` (a value equal to an edge goes to the
    lower bin); then for each non-empty bin ``b``::

        prob_true[b] = mean of y_true[n] over n with b(n) = b
        prob_pred[b] = mean of y_prob[n] over n with b(n) = b

    A calibrated model has ``prob_true ~ prob_pred`` (the diagonal).

    Examples
    --------
    >>> prob_true, prob_pred = calibration_curve(
    ...     [0, 0, 1, 0, 1, 1], [0.1, 0.2, 0.3, 0.6, 0.8, 0.9], n_bins=2)
    >>> prob_true
    array([0.33333333, 0.66666667])
    >>> prob_pred
    array([0.2       , 0.76666667])
    """
    func = "calibration_curve"
    truth, prob = labels_and_scores(y_true, y_prob, func, ndims=1, score_name="y_prob")
    check_probabilities(prob, "y_prob", func)
    check_positive_int(n_bins, "n_bins", func)

    # bin edges
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    elif strategy == "quantile":
        edges = np.percentile(prob, np.linspace(0, 1, n_bins + 1) * 100)
    else:
        fail(func, "strategy 'uniform' or 'quantile'", repr(strategy))

    # bin index = number of inner edges strictly below the probability
    bins = np.searchsorted(edges[1:-1], prob, side="left")
    count = np.bincount(bins, minlength=n_bins)
    sum_true = np.bincount(bins, weights=truth, minlength=n_bins)
    sum_prob = np.bincount(bins, weights=prob, minlength=n_bins)
    filled = count > 0
    return sum_true[filled] / count[filled], sum_prob[filled] / count[filled]


def brier_score(y_true, y_prob):
    """Return the Brier score, the mean squared error of predicted probabilities.

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1 or bool
        Ground truth; 1 means the finding is present.
    y_prob : array-like of the same shape, float in [0, 1]
        Predicted probabilities of the positive class.

    Returns
    -------
    brier : np.float64, or ndarray of shape (K,) for (N, K) input
        0 is perfect; always predicting the prevalence p scores p (1 - p).
        Lower is better (scikit-learn's ``brier_score_loss``).

    Notes
    -----
    ``brier = (1 / N) sum over n of (y_prob[n] - y_true[n])^2``, per column.

    Examples
    --------
    >>> brier_score([0, 1, 1, 0], [0.0, 0.5, 1.0, 0.5])
    np.float64(0.125)
    """
    func = "brier_score"
    truth, prob = labels_and_scores(y_true, y_prob, func, score_name="y_prob")
    check_probabilities(prob, "y_prob", func)
    values = np.mean((prob.astype(np.float64) - truth) ** 2, axis=0)
    return np.float64(values) if values.ndim == 0 else values


def _platt_loss(a, b, s, t):
    """Cross-entropy sum of softplus(z) - t z with z = a s + b (stable form)."""
    z = a * s + b
    return np.sum(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - t * z)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """Return 1 / (1 + exp(-z)) without overflow: exp(-|z|) is at most 1."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _newton_step(a, b, s, t):
    """Return the Newton step (da, db) for the Platt loss at (a, b)."""
    p = _sigmoid(a * s + b)
    residual = p - t
    grad = np.array([np.sum(residual * s), np.sum(residual)])
    w = p * (1 - p)
    hess = np.array([[np.sum(w * s * s), np.sum(w * s)], [np.sum(w * s), np.sum(w)]])
    # least squares: a minimum-norm step when the Hessian is singular (constant s)
    return -np.linalg.lstsq(hess, grad, rcond=None)[0]


def platt_fit(y_true, y_score, *, max_iter=100, tol=1e-10):
    """Fit Platt scaling ``p = 1 / (1 + exp(-(a * s + b)))`` by Newton's method.

    Parameters
    ----------
    y_true : array-like of shape (N,), 0/1 or bool
        Ground truth of a held-out calibration set.
    y_score : array-like of shape (N,), float
        The model's scores (logits or uncalibrated probabilities).
    max_iter : int, default 100
        Maximum number of Newton steps.
    tol : float, default 1e-10
        Stop when a step changes ``a`` and ``b`` by less than ``tol``.

    Returns
    -------
    a, b : np.float64
        Slope and intercept; calibrated probabilities are
        ``platt_predict(y_score, a, b)``.

    Warns
    -----
    RuntimeWarning
        If Newton's method did not converge within ``max_iter`` steps.

    Notes
    -----
    Minimises the cross-entropy with Platt's smoothed targets (they keep the
    fit finite when the classes are separable)::

        t[n] = (N+ + 1) / (N+ + 2)  if y_true[n] = 1,  1 / (N- + 2)  otherwise
        z[n] = a s[n] + b,  p[n] = 1 / (1 + exp(-z[n]))
        L(a, b) = - sum over n of t[n] log p[n] + (1 - t[n]) log(1 - p[n])

    Newton's method from ``a = 0, b = log((N+ + 1) / (N- + 1))`` with
    gradient ``g = sum (p - t) [s, 1]`` and Hessian
    ``H = sum p (1 - p) [[s^2, s], [s, 1]]``; the step ``-H^-1 g`` is halved
    while it would increase L (a damped Newton step, as in Lin et al. [2]_).

    References
    ----------
    .. [1] J. Platt, "Probabilistic outputs for support vector machines and
       comparisons to regularized likelihood methods", 1999.
    .. [2] H.-T. Lin, C.-J. Lin and R. C. Weng, "A note on Platt's
       probabilistic outputs for support vector machines", 2007.

    Examples
    --------
    >>> a, b = platt_fit([0, 0, 1, 1], [-2.0, 1.0, -1.0, 2.0])
    >>> round(float(a), 4), round(float(b), 4)
    (0.2023, 0.0)
    """
    func = "platt_fit"
    truth, score = labels_and_scores(y_true, y_score, func, ndims=1)
    check_positive_int(max_iter, "max_iter", func)
    if not tol > 0:
        fail(func, "tol a positive number", repr(tol))
    s = score.astype(np.float64)
    n_pos = int(truth.sum())
    n_neg = truth.size - n_pos
    t = np.where(truth == 1, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    a, b = 0.0, np.log((n_pos + 1) / (n_neg + 1))
    loss = _platt_loss(a, b, s, t)
    for _ in range(max_iter):
        step = _newton_step(a, b, s, t)
        # damp: halve the step while it would increase the loss (rounding allowed)
        for _ in range(50):
            new_loss = _platt_loss(a + step[0], b + step[1], s, t)
            if new_loss <= loss + 1e-12 * abs(loss):
                break
            step = step / 2
        a, b, loss = a + step[0], b + step[1], new_loss
        if np.max(np.abs(step)) < tol:
            break
    else:
        warnings.warn(
            f"platt_fit: Newton's method did not converge in {max_iter} "
            "steps; increase max_iter.",
            RuntimeWarning,
            stacklevel=2,
        )
    return np.float64(a), np.float64(b)


def platt_predict(y_score, a, b):
    """Map scores to calibrated probabilities ``1 / (1 + exp(-(a * s + b)))``.

    Parameters
    ----------
    y_score : array-like of any shape, float
        Scores, as passed to `platt_fit`.
    a, b : float
        The slope and intercept from `platt_fit`.

    Returns
    -------
    prob : ndarray of the shape of ``y_score``, float
        The dtype of ``y_score`` (float64 for integer input); strictly inside
        (0, 1) unless ``|a s + b|`` is huge.

    Notes
    -----
    Evaluated stably: ``exp(-|z|)`` never overflows, so for ``z >= 0``
    ``p = 1 / (1 + exp(-z))`` and for ``z < 0`` ``p = exp(z) / (1 + exp(z))``.

    Examples
    --------
    >>> platt_predict([-1.0, 0.0, 1.0], 2.0, 0.0).round(4)
    array([0.1192, 0.5   , 0.8808])
    """
    func = "platt_predict"
    score = as_scores(y_score, "y_score", func, ndims=None)
    if not (np.isfinite(a) and np.isfinite(b)):
        fail(func, "finite a and b", f"a={a!r}, b={b!r}")
    prob = _sigmoid(a * score + b)
    return prob.astype(score.dtype, copy=False)
