"""Calibration: whether a score of 0.8 can be read as "80% chance of disease".

A model ranks patients well when its AUC is high; it is *calibrated* when, among
the patients it gives a score near p, a fraction near p actually has the disease.
Class-weighted training (week 1) deliberately breaks calibration, so scores must
be checked, and often re-mapped, before anyone reads them as probabilities.

- The reliability (calibration) curve bins the scores and plots, per bin, the
  fraction of positives against the mean score; a calibrated model lies on the
  diagonal.
- The Brier score, mean (p - y)^2, is one number for calibration and sharpness
  together (lower is better; 0.25 is what always answering 0.5 earns).
- Platt scaling fits p = 1 / (1 + exp(-(a s + b))) to the scores s of a held-out
  set: a one-feature logistic regression, solved here with Newton's method.

Conventions are scikit-learn's (``sklearn.calibration.calibration_curve`` with
``strategy="uniform"``, ``sklearn.metrics.brier_score_loss``) and Platt's (1999).

References
----------
.. [1] J. Platt, "Probabilistic outputs for support vector machines and comparisons
   to regularized likelihood methods", Advances in Large Margin Classifiers, 1999.
"""

import numpy as np

__all__ = ["brier_score", "calibration_curve", "platt_fit", "platt_predict"]


def calibration_curve(y_true, y_prob, n_bins=5):
    """Compute the reliability curve: fraction of positives and mean score per bin.

    Parameters
    ----------
    y_true : array of shape (N,)
        Ground truth 0/1 (ints, floats 0./1. or bools; lists work too).
    y_prob : float array of shape (N,)
        Predicted probabilities in [0, 1].
    n_bins : int, optional
        Number of equal-width bins on [0, 1] (default 5).

    Returns
    -------
    prob_true : float ndarray of shape (B,)
        Per non-empty bin, in increasing order of the bins: the fraction of
        positives, ``sum of y_true in the bin / count in the bin``.
    prob_pred : float ndarray of shape (B,)
        Per non-empty bin: the mean predicted probability. Empty bins are left
        out, so ``B <= n_bins``.

    Notes
    -----
    Bin edges are ``edges = np.linspace(0, 1, n_bins + 1)``; a probability ``p``
    goes to bin ``np.searchsorted(edges[1:-1], p)``, so bin 0 is [0, e_1] and bin
    ``b > 0`` is (e_b, e_{b+1}]: a probability equal to an inner edge belongs to
    the lower bin.

    Examples
    --------
    y_true = [0, 0, 1, 1, 1] and y_prob = [0.1, 0.3, 0.35, 0.7, 0.9] with 5 bins
    (edges 0, 0.2, 0.4, 0.6, 0.8, 1): bin 0 holds 0.1 (no positive), bin 1 holds
    0.3 and 0.35 (one positive of two), bin 2 is empty, bin 3 holds 0.7 and bin
    4 holds 0.9 (both positive). So prob_true = [0, 0.5, 1, 1] and
    prob_pred = [0.1, 0.325, 0.7, 0.9].

    >>> prob_true, prob_pred = calibration_curve([0, 0, 1, 1, 1],
    ...                                          [0.1, 0.3, 0.35, 0.7, 0.9])
    >>> prob_true, prob_pred
    (array([0. , 0.5, 1. , 1. ]), array([0.1  , 0.325, 0.7  , 0.9  ]))
    """
    y_true, y_prob = np.asarray(y_true), np.asarray(y_prob)
    ### START CODE HERE ###
    # Hint: Notes gives each probability's bin (an inner edge belongs to the lower bin).
    # Hint: np.bincount with weights sums per bin, without weights it counts; keep only
    # Hint: the bins whose count is > 0.
    raise NotImplementedError(
        "week2.calibration.calibration_curve: not implemented yet"
    )
    ### END CODE HERE ###


def brier_score(y_true, y_prob):
    """Compute the Brier score: the mean squared error of probabilities.

    Parameters
    ----------
    y_true : array of shape (N,)
        Ground truth 0/1 (ints, floats 0./1. or bools; lists work too).
    y_prob : float array of shape (N,)
        Predicted probabilities in [0, 1].

    Returns
    -------
    brier : float
        ``sum over i of (y_prob[i] - y_true[i])^2 / N`` (0 is perfect).

    Examples
    --------
    y_true = [0, 1, 1], y_prob = [0.2, 0.6, 1.0]: squared errors 0.04, 0.16 and
    0, so the Brier score is 0.2 / 3 = 0.0667.

    >>> round(float(brier_score([0, 1, 1], [0.2, 0.6, 1.0])), 4)
    0.0667
    """
    y_true, y_prob = np.asarray(y_true), np.asarray(y_prob)
    ### START CODE HERE ###
    # Hint: convert the labels to float before subtracting (bools cannot be subtracted).
    raise NotImplementedError("week2.calibration.brier_score: not implemented yet")
    ### END CODE HERE ###


def platt_predict(y_score, a, b):
    """Map scores to probabilities with a fitted Platt sigmoid (given, not graded).

    Parameters
    ----------
    y_score : array of shape (N,)
        Scores (any real numbers).
    a, b : float
        Slope and intercept from `platt_fit`.

    Returns
    -------
    prob : float ndarray of shape (N,)
        ``1 / (1 + exp(-(a * y_score + b)))``, computed without overflow as
        ``exp(-log(1 + exp(-z)))``.

    Examples
    --------
    >>> platt_predict([0.0, 1.0], 2.0, -1.0).round(4)
    array([0.2689, 0.7311])
    """
    z = a * np.asarray(y_score, dtype=float) + b
    return np.exp(-np.logaddexp(0.0, -z))


def platt_fit(y_true, y_score, *, max_iter=100, tol=1e-10):
    """Fit Platt scaling p = 1 / (1 + exp(-(a s + b))) by Newton's method.

    Parameters
    ----------
    y_true : array of shape (N,)
        Ground truth 0/1 (ints, floats 0./1. or bools; lists work too).
    y_score : float array of shape (N,)
        The model's scores s on a calibration set (not all equal).
    max_iter : int, optional
        Maximum number of Newton steps (default 100).
    tol : float, optional
        Stop once the largest component of a Newton step is below ``tol``
        (default 1e-10).

    Returns
    -------
    (a, b) : tuple of two floats
        Slope and intercept minimising the cross-entropy
        ``L(a, b) = - sum over i of [t_i log p_i + (1 - t_i) log(1 - p_i)]``,
        ``p_i = 1 / (1 + exp(-(a s_i + b)))``.

    Notes
    -----
    Platt's smoothed targets (which keep a and b finite even when the scores
    separate the classes perfectly): with N+ positives and N- negatives,
    ``t_i = (N+ + 1) / (N+ + 2)`` if ``y_true[i] == 1`` else ``1 / (N- + 2)``.

    Newton's method: start at ``a = 0``, ``b = log((N+ + 1) / (N- + 1))``, then
    repeat (at most ``max_iter`` times)::

        p = 1 / (1 + exp(-(a s + b)))          (platt_predict)
        g = [sum (p - t) s,  sum (p - t)]      gradient of L
        w = p (1 - p)
        H = [[sum w s^2, sum w s],             Hessian of L
             [sum w s,   sum w  ]]
        step = solve(H, g);  (a, b) = (a, b) - step
        stop once max |step| < tol

    Examples
    --------
    y_true = [0, 0, 1, 1] with scores [-1, 1, -1, 1]: the scores carry no
    information (a = 0) and half the patients are positive (b = 0). With
    y_true = [0, 1, 1, 1] and scores [0, 0, 1, 1], N+ = 3 and N- = 1, so the
    targets are t = [1/3, 4/5, 4/5, 4/5]; the fit makes p(0) = mean of the
    targets at s = 0 = (1/3 + 4/5) / 2 = 17/30 and p(1) = 4/5, that is
    b = log(17/13) = 0.268 and a = log(4) - b = 1.118.

    >>> a, b = platt_fit([0, 1, 1, 1], [0.0, 0.0, 1.0, 1.0])
    >>> round(float(a), 3), round(float(b), 3)
    (1.118, 0.268)
    """
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score, dtype=float)
    ### START CODE HERE ###
    # Hint: the smoothed targets and the starting (a, b) come from Notes. Each Newton
    # Hint: step solves H step = g (np.linalg.solve) and subtracts the step; stop once
    # Hint: its largest absolute entry is below tol. platt_predict gives p.
    raise NotImplementedError("week2.calibration.platt_fit: not implemented yet")
    ### END CODE HERE ###
