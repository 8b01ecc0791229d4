"""Seeded synthetic data sets; everything is generated on the learner's machine.

Public names: `synthetic_predictions`, `FINDINGS`.

Nothing is downloaded: each generator takes a ``seed`` and returns the same arrays
for the same seed on every machine.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import expit, logit, ndtri

from reference._validation import fail

__all__ = ["FINDINGS", "SyntheticFinding", "synthetic_predictions"]


class SyntheticFinding(NamedTuple):
    """How one finding of `synthetic_predictions` is generated.

    Attributes
    ----------
    name : str
        The NIH ChestX-ray14 label.
    prevalence : float
        Fraction of positive images in ChestX-ray14 (Wang et al. 2017).
    auc : float
        Target ROC AUC of the synthetic model's scores.
    scale : float
        Multiplies the calibrated log-odds: > 1 overconfident, < 1 underconfident.
    shift : float
        Added to the log-odds: > 0 over-predicts the finding, < 0 under-predicts.
    """

    name: str
    prevalence: float
    auc: float
    scale: float
    shift: float


# prevalences are the real ChestX-ray14 ones (112,120 images); the rest is chosen
# so the findings differ in difficulty and in how they are miscalibrated
FINDINGS = (
    SyntheticFinding("Atelectasis", 0.10309, 0.78, 1.0, 0.0),  # calibrated
    SyntheticFinding("Cardiomegaly", 0.02476, 0.91, 1.6, 0.0),  # overconfident
    SyntheticFinding("Effusion", 0.11877, 0.87, 1.0, 0.8),  # over-predicts
    SyntheticFinding("Infiltration", 0.17743, 0.70, 0.6, 0.0),  # underconfident
    SyntheticFinding("Mass", 0.05157, 0.81, 1.0, -0.7),  # under-predicts
    SyntheticFinding("Pneumothorax", 0.04729, 0.86, 1.3, 0.4),  # both
)


def _labels(n: int, prevalence: float, rng: np.random.Generator) -> np.ndarray:
    """Return (n,) int64 labels with round(prevalence * n) ones at random places."""
    n_pos = min(max(round(prevalence * n), 1), n - 1)  # keep both classes
    y = np.zeros(n, dtype=np.int64)
    y[rng.permutation(n)[:n_pos]] = 1
    return y


def _scores(
    y: np.ndarray, finding: SyntheticFinding, rng: np.random.Generator
) -> np.ndarray:
    """Return (n,) probabilities from the binormal model of one finding."""
    # latent evidence z ~ N(d y, 1) has ROC AUC Phi(d / sqrt(2)) exactly
    d = np.sqrt(2) * ndtri(finding.auc)
    z = d * y + rng.standard_normal(y.size)

    # calibrated log-odds of disease given z, then the chosen miscalibration
    log_odds = d * z - d**2 / 2 + logit(finding.prevalence)
    prob = expit(finding.scale * log_odds + finding.shift)
    return np.clip(prob, 1e-6, 1 - 1e-6)  # strictly inside (0, 1)


def synthetic_predictions(n: int = 2000, seed=0):
    """Generate a seeded multi-label prediction set for six chest X-ray findings.

    Parameters
    ----------
    n : int, default 2000
        Number of images (at least 2).
    seed : int, np.random.Generator or None, default 0
        Seeds ``np.random.default_rng``; the same seed gives the same arrays.

    Returns
    -------
    y_true : ndarray of shape (n, K), int64
        0/1 labels; column k has ``round(prevalence_k * n)`` positives
        (at least one, and at least one negative).
    y_score : ndarray of shape (n, K), float64
        Predicted probabilities, strictly inside (0, 1).
    names : list of str, length K
        The findings, in column order (``[f.name for f in FINDINGS]``).

    Notes
    -----
    Each finding ``k`` (see `FINDINGS`) uses the binormal model: latent
    evidence ``z ~ N(d_k y, 1)`` with ``d_k = sqrt(2) Phi^-1(auc_k)``, so the
    expected ROC AUC is ``auc_k``. The calibrated probability of disease given
    ``z`` has log-odds ``d_k z - d_k^2 / 2 + logit(prevalence_k)``; the model's
    score is ``sigmoid(scale_k * log_odds + shift_k)``, a monotonic map (the
    AUC is unchanged) that is calibrated only when ``scale = 1, shift = 0``.
    Findings are independent (no co-occurrence).

    Examples
    --------
    >>> y_true, y_score, names = synthetic_predictions(n=1000, seed=0)
    >>> y_true.shape, y_score.shape, names[:2]
    ((1000, 6), (1000, 6), ['Atelectasis', 'Cardiomegaly'])
    >>> y_true[:, 1].sum()  # Cardiomegaly: round(0.02476 * 1000) positives
    np.int64(25)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        fail("synthetic_predictions", "n an integer >= 2", repr(n))
    rng = np.random.default_rng(seed)
    y_true = np.empty((n, len(FINDINGS)), dtype=np.int64)
    y_score = np.empty((n, len(FINDINGS)), dtype=np.float64)
    for k, finding in enumerate(FINDINGS):
        y_true[:, k] = _labels(n, finding.prevalence, rng)
        y_score[:, k] = _scores(y_true[:, k], finding, rng)
    return y_true, y_score, [f.name for f in FINDINGS]
