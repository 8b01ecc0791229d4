"""Seeded synthetic chest X-rays with the NIH ChestX-ray14 label structure.

Public names: `ChestXrays`, `make_chest_xrays`, `sample_images_per_patient`,
`sample_labels`, `sample_severity`, `text_mined_labels`, `latent_correlation`,
`FINDINGS`, `LABEL_PRECISION`, `LABEL_RECALL`.

What is realistic (numbers from `reference.data.nih_stats`):

- the 14 findings with their real prevalences (Hernia 0.2%, Infiltration
  17.7%) and their pairwise co-occurrence (Effusion with Atelectasis, ...);
- several images per patient: 57% of patients have one image, the mean is
  3.6 and the tail is long, so a random image-level split puts most patients'
  follow-ups on both sides (patient leakage);
- follow-up images of one patient share the anatomy, the lesion positions and,
  more often than chance, the findings;
- each finding has a visual signature drawn where the NIH expert boxes put it
  (see `reference.data._xray_render` for the list).

What makes it hard, on purpose (each is a difficulty of the real data set):

- **Rare findings stay rare.** Hernia is on 0.2 % of the images, Pneumonia on
  1.3 %: a data set of a few thousand images holds a handful of them, so a
  model sees few positive examples and an unweighted loss barely notices them
  (the reason for the weighted loss of week 1).
- **Findings come together and look alike.** Effusion with Atelectasis, Edema
  with Infiltration, ...: the co-occurrence is NIH's, so one finding's
  signature is often next to another's and a model can lean on the company a
  finding keeps. Pneumonia is a clinical diagnosis: on the film it is an
  opacity like Infiltration's or Consolidation's.
- **Most findings are mild.** Each finding on each image gets a severity
  (`sample_severity`, median about 2/3 of the textbook picture): faint
  opacities, a heart just over the limit, small effusions and pneumothoraces.
  Normal variants (heart size, nipple and breast shadows) and lesions behind
  the heart or the diaphragm overlap with the findings.
- **Labels are noisy.** NIH's labels were text-mined from the radiology
  reports, not read from the images. The data set's README expects them to be
  "> 90 % accurate", and Wang et al. (2017) measured the text mining's
  precision and recall at about 0.9 on reports with known findings. So the
  labels here are the true findings seen through a text-miner with
  `LABEL_PRECISION` = `LABEL_RECALL` = 0.9 (`text_mined_labels`): a tenth of
  the findings are missed and a tenth of the positive labels are wrong. The
  test labels are noisy too, as they are in the real data set: even a perfect
  reader scores below AUC 1 against them. ``ChestXrays.true_labels`` keeps the
  findings that were drawn.

How labels are drawn (a Gaussian copula): a latent vector z ~ N(0, R) per
image, finding k present when ``z[k] > Phi^-1(1 - prevalence[k])``. The
correlation R is solved so that every pair of findings co-occurs as often as
in the real data. A patient's images share part of their latent vector,
``z = sqrt(rho) * z_patient + sqrt(1 - rho) * z_image``, which keeps each
image's label distribution and makes follow-ups alike.

References
----------
.. [1] X. Wang, Y. Peng, L. Lu, Z. Lu, M. Bagheri and R. M. Summers,
   "ChestX-ray8: Hospital-scale chest X-ray database and benchmarks on
   weakly-supervised classification and localization of common thorax
   diseases", CVPR 2017 (section 3: the report mining and its evaluation).
.. [2] NIH Clinical Center, the README of the released ChestX-ray14 data set
   (labels "expected to be >90% accurate").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import special

from reference._validation import fail
from reference.data._xray_render import render_chest_xray, sample_anatomy
from reference.data.nih_stats import (
    COOCCURRENCE,
    FINDINGS,
    IMAGES_PER_PATIENT,
    N_IMAGES,
    PREVALENCE,
    SEX,
    VIEW_POSITION,
)

__all__ = [
    "FINDINGS",
    "LABEL_PRECISION",
    "LABEL_RECALL",
    "ChestXrays",
    "latent_correlation",
    "make_chest_xrays",
    "sample_images_per_patient",
    "sample_labels",
    "sample_severity",
    "text_mined_labels",
]

# Images per patient: P(1) as in the real data; for k >= 2,
# P(k) ~ k**-_IPP_POWER * exp(-k / _IPP_SCALE), fitted so that the mean is 3.64,
# the median 1 and the 90th percentile 8 (nih_stats.IMAGES_PER_PATIENT).
_IPP_POWER, _IPP_SCALE = 1.477, 30.0

# text-mined labels: share of positive labels that are right (precision) and of
# true findings that reach the labels (recall); about 0.9 for NIH ChestX-ray14
# (Wang et al. 2017; the data set's README: "> 90 % accurate")
LABEL_PRECISION, LABEL_RECALL = 0.9, 0.9


@dataclass(frozen=True)
class ChestXrays:
    """A synthetic chest X-ray data set (or a subset of one).

    Attributes
    ----------
    images : ndarray of shape (N, 1, H, W), float32 in [0, 1]
    labels : ndarray of shape (N, K), int64 0/1, K = 14 findings
    patient_ids : ndarray of shape (N,), int64 (1, 2, ...)
    image_names : ndarray of shape (N,), str, NIH style ``"00000003_001.png"``
    findings : tuple of str
        Column names of ``labels`` (`FINDINGS`).
    view_positions : ndarray of shape (N,), str, "PA" or "AP"
    ages : ndarray of shape (N,), int64, years
    sexes : ndarray of shape (N,), str, "M" or "F"
    true_labels : ndarray of shape (N, K), int64 0/1, or None
        The findings drawn on the images; ``labels`` are these seen through
        the text-miner's errors (`text_mined_labels`).
    """

    images: np.ndarray
    labels: np.ndarray
    patient_ids: np.ndarray
    image_names: np.ndarray
    findings: tuple = FINDINGS
    view_positions: np.ndarray | None = None
    ages: np.ndarray | None = None
    sexes: np.ndarray | None = None
    true_labels: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, indices) -> ChestXrays:
        """Return the rows ``indices`` (an index array or a boolean mask)."""

        def pick(a):
            return None if a is None else a[indices]

        return ChestXrays(
            pick(self.images),
            pick(self.labels),
            pick(self.patient_ids),
            pick(self.image_names),
            self.findings,
            pick(self.view_positions),
            pick(self.ages),
            pick(self.sexes),
            pick(self.true_labels),
        )

    def table(self) -> dict:
        """Return the course's CSV layout as a dict of columns.

        Keys: ``"Image"``, one key per finding (0/1 int64 columns),
        ``"PatientId"``; ``table["PatientId"]`` works with `check_for_leakage`.
        """
        columns = {"Image": self.image_names}
        for k, name in enumerate(self.findings):
            columns[name] = self.labels[:, k]
        columns["PatientId"] = self.patient_ids
        return columns


def _images_per_patient_pmf(max_images: int) -> np.ndarray:
    """P(k images) for k = 1 .. max_images."""
    k = np.arange(2, max_images + 1, dtype=np.float64)
    tail = k**-_IPP_POWER * np.exp(-k / _IPP_SCALE)
    p_one = IMAGES_PER_PATIENT["fraction_with_1_image"]
    if tail.size == 0:
        return np.ones(1)
    return np.concatenate([[p_one], (1 - p_one) * tail / tail.sum()])


def sample_images_per_patient(
    n_images: int, rng: np.random.Generator, max_images_per_patient: int | None = None
) -> np.ndarray:
    """Return the patient index (0, 1, ...) of each of ``n_images`` images.

    Parameters
    ----------
    n_images : int
    rng : numpy.random.Generator
    max_images_per_patient : int, optional
        Longest follow-up series; default ``min(184, max(2, n_images // 20))``
        (184 is the real maximum; the cap keeps one patient from dominating a
        small data set).

    Returns
    -------
    patient_index : ndarray of shape (n_images,), int64
        Non-decreasing: a patient's images are consecutive (like the NIH file
        names). The last patient may be cut short to reach ``n_images``.

    Examples
    --------
    >>> idx = sample_images_per_patient(10, np.random.default_rng(0))
    >>> idx.shape, bool(np.all(np.diff(idx) >= 0))
    ((10,), True)
    """
    if max_images_per_patient is None:
        max_images_per_patient = min(
            int(IMAGES_PER_PATIENT["max"]), max(2, n_images // 20)
        )
    pmf = _images_per_patient_pmf(int(max_images_per_patient))
    counts = []
    while sum(counts) < n_images:  # draw patients in batches until enough images
        counts.extend(rng.choice(pmf.size, size=max(8, n_images // 3), p=pmf) + 1)
    counts = np.asarray(counts, dtype=np.int64)
    n_patients = int(np.searchsorted(np.cumsum(counts), n_images)) + 1
    return np.repeat(np.arange(n_patients), counts[:n_patients])[:n_images]


def _bivariate_upper(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """P(X > h, Y > k) for standard normals with correlation r (element-wise).

    Uses Phi2(-h, -k; r) = Phi(-h) Phi(-k) + integral from 0 to r of the
    bivariate normal density at (h, k) with correlation t, by 24-point
    Gauss-Legendre quadrature (accurate to ~1e-10 for |r| <= 0.95).
    """
    nodes, weights = np.polynomial.legendre.leggauss(24)
    t = r[..., None] * (nodes + 1) / 2  # (..., 24)
    h, k = h[..., None], k[..., None]
    density = np.exp(-(h**2 - 2 * h * k * t + k**2) / (2 * (1 - t**2)))
    density /= 2 * np.pi * np.sqrt(1 - t**2)
    return special.ndtr(-h[..., 0]) * special.ndtr(-k[..., 0]) + r / 2 * np.sum(
        weights * density, axis=-1
    )


@functools.lru_cache(maxsize=1)
def latent_correlation() -> np.ndarray:
    """Return the 14 x 14 latent correlation that reproduces the NIH co-occurrences.

    For each pair (i, j) the correlation r solves
    ``P(z_i > t_i, z_j > t_j; r) = COOCCURRENCE[i][j] / N_IMAGES`` with
    ``t = Phi^-1(1 - prevalence)`` (bisection); the matrix is then made
    positive definite (eigenvalues clipped at 0.02, unit diagonal restored).

    Returns
    -------
    R : ndarray of shape (14, 14), float64, read-only
    """
    prevalence = np.array([PREVALENCE[name] for name in FINDINGS])
    threshold = special.ndtri(1 - prevalence)
    target = np.asarray(COOCCURRENCE, dtype=np.float64) / N_IMAGES
    h, k = np.meshgrid(threshold, threshold, indexing="ij")
    low, high = np.full(h.shape, -0.95), np.full(h.shape, 0.95)
    for _ in range(50):  # the joint probability grows with r: bisection
        mid = (low + high) / 2
        above = _bivariate_upper(h, k, mid) > target
        high, low = np.where(above, mid, high), np.where(above, low, mid)
    corr = (low + high) / 2
    np.fill_diagonal(corr, 1.0)
    values, vectors = np.linalg.eigh((corr + corr.T) / 2)
    corr = (vectors * np.maximum(values, 0.02)) @ vectors.T
    scale = np.sqrt(np.diag(corr))
    corr = corr / scale[:, None] / scale[None, :]
    corr.setflags(write=False)
    return corr


def _prevalence_vector(prevalence, func: str) -> np.ndarray:
    """Return per-finding prevalences (K,) from None (NIH), a dict or a sequence."""
    if prevalence is None:
        return np.array([PREVALENCE[name] for name in FINDINGS])
    if isinstance(prevalence, dict):
        unknown = set(prevalence) - set(FINDINGS)
        if unknown:
            fail(func, f"prevalence keys among {list(FINDINGS)}", f"{sorted(unknown)}")
        return np.array([prevalence.get(n, PREVALENCE[n]) for n in FINDINGS], float)
    arr = np.broadcast_to(np.asarray(prevalence, dtype=np.float64), (len(FINDINGS),))
    if np.any(~(arr > 0)) or np.any(~(arr < 1)):
        fail(func, "prevalence values strictly between 0 and 1", repr(prevalence))
    return arr.copy()


def sample_labels(
    patient_index,
    rng: np.random.Generator,
    prevalence=None,
    patient_correlation: float = 0.6,
) -> np.ndarray:
    """Draw multi-label findings for images grouped into patients.

    Parameters
    ----------
    patient_index : array-like of shape (N,), int
        Patient of each image (from `sample_images_per_patient`).
    rng : numpy.random.Generator
    prevalence : None, dict or array-like of shape (14,) or scalar
        None uses the NIH prevalences; a dict overrides some findings (handy to
        make rare findings common enough for a small data set).
    patient_correlation : float in [0, 1], default 0.6
        Share of the latent variance common to a patient's images (0: follow-ups
        independent, 1: identical labels).

    Returns
    -------
    labels : ndarray of shape (N, 14), int64 0/1

    Examples
    --------
    >>> y = sample_labels(np.arange(5000), np.random.default_rng(0))
    >>> y.shape, round(float(y[:, 8].mean()), 2)  # Infiltration, 17.7% in NIH
    ((5000, 14), 0.17)
    """
    func = "sample_labels"
    if not 0 <= patient_correlation <= 1:
        fail(func, "patient_correlation in [0, 1]", repr(patient_correlation))
    index = np.asarray(patient_index)
    _, index = np.unique(index, return_inverse=True)
    threshold = special.ndtri(1 - _prevalence_vector(prevalence, func))
    chol = np.linalg.cholesky(latent_correlation())
    shared = rng.standard_normal((index.max() + 1, len(FINDINGS))) @ chol.T
    own = rng.standard_normal((index.size, len(FINDINGS))) @ chol.T
    latent = (
        np.sqrt(patient_correlation) * shared[index]
        + np.sqrt(1 - patient_correlation) * own
    )
    return (latent > threshold).astype(np.int64)


def sample_severity(labels, rng: np.random.Generator) -> np.ndarray:
    """Draw how pronounced each present finding is: (N, 14) in (0, 1], 0 if absent.

    ``severity = 0.45 + 0.55 * Beta(1.6, 2.2)``: 1 is the textbook picture,
    most findings are milder (median about 0.67), a few faint.

    Examples
    --------
    >>> s = sample_severity(np.array([[1, 0], [1, 1]]), np.random.default_rng(0))
    >>> s.shape, bool(s[0, 1] == 0), bool(0.45 <= s[1, 1] <= 1)
    ((2, 2), True, True)
    """
    labels = np.asarray(labels)
    severity = 0.45 + 0.55 * rng.beta(1.6, 2.2, size=labels.shape)
    return np.where(labels > 0, severity, 0.0)


def text_mined_labels(
    true_labels,
    rng: np.random.Generator,
    prevalence=None,
    precision: float = LABEL_PRECISION,
    recall: float = LABEL_RECALL,
) -> np.ndarray:
    """Return the labels a report text-miner would give: true findings plus its errors.

    Parameters
    ----------
    true_labels : array-like of shape (N, 14), 0/1
        The findings on the images.
    rng : numpy.random.Generator
    prevalence : None, dict or array-like, optional
        Prevalence the true labels were drawn with (see `sample_labels`).
    precision, recall : float in (0, 1]
        Share of positive labels that are true; share of findings labelled.

    Returns
    -------
    labels : ndarray of shape (N, 14), int64 0/1

    Notes
    -----
    A finding is kept with probability ``recall``; an absent finding k is
    labelled with probability ``q_k = recall (1 - precision) / precision *
    p_k / (1 - p_k)``, so that a ``precision`` share of the positive labels
    are true. The expected labelled prevalence is ``p_k * recall /
    precision``: with precision = recall it stays the prevalence drawn.

    Examples
    --------
    >>> y = text_mined_labels(np.ones((1000, 14), int), np.random.default_rng(0))
    >>> round(float(y.mean()), 1)  # a tenth of the findings are missed
    0.9
    """
    func = "text_mined_labels"
    if not (0 < precision <= 1 and 0 < recall <= 1):
        fail(func, "precision and recall in (0, 1]", f"{precision!r}, {recall!r}")
    true_labels = np.asarray(true_labels)
    p = _prevalence_vector(prevalence, func)
    false_rate = np.minimum(recall * (1 - precision) / precision * p / (1 - p), 1.0)
    draw = rng.random(true_labels.shape)
    kept = (true_labels > 0) & (draw < recall)
    added = (true_labels == 0) & (draw < false_rate)
    return (kept | added).astype(np.int64)


def _check_size(n_images, image_size, func: str) -> None:
    """Check the requested number of images and image side."""
    if not isinstance(n_images, (int, np.integer)) or n_images < 1:
        fail(func, "n_images a positive integer", repr(n_images))
    if not isinstance(image_size, (int, np.integer)) or not 16 <= image_size <= 512:
        fail(
            func,
            "image_size an integer in [16, 512]",
            repr(image_size),
            "64 trains fast; 320 looks like a downsampled NIH image.",
        )


def _patient_metadata(n_patients: int, rng: np.random.Generator):
    """Age (years) and sex per patient, from the NIH quartiles and sex ratio."""
    quantiles = rng.random(n_patients)
    ages = np.interp(quantiles, [0, 0.25, 0.5, 0.75, 1], [2, 34, 49, 59, 94])
    male = SEX["M"] / (SEX["M"] + SEX["F"])
    sexes = np.where(rng.random(n_patients) < male, "M", "F")
    return np.round(ages).astype(np.int64), sexes


def make_chest_xrays(
    n_images: int = 1000,
    *,
    image_size: int = 64,
    seed=None,
    prevalence=None,
    patient_correlation: float = 0.6,
    max_images_per_patient: int | None = None,
    label_precision: float = LABEL_PRECISION,
    label_recall: float = LABEL_RECALL,
) -> ChestXrays:
    """Generate a seeded synthetic chest X-ray data set.

    Parameters
    ----------
    n_images : int, default 1000
    image_size : int, default 64
        Side of the square images (16 to 512; 320 is the largest tested).
    seed : int or None
        Same seed, same data set (images, labels, patients).
    prevalence : None, dict or array-like, optional
        Override the NIH prevalences (see `sample_labels`).
    patient_correlation : float, default 0.6
        How alike a patient's follow-up labels are (see `sample_labels`).
    max_images_per_patient : int, optional
        See `sample_images_per_patient`.
    label_precision, label_recall : float, default 0.9
        Errors of the text-mined labels (`text_mined_labels`); 1 and 1 give
        labels equal to the findings drawn.

    Returns
    -------
    ChestXrays
        Images (N, 1, S, S) float32 in [0, 1], labels (N, 14) (text-mined),
        patient ids and NIH-style image names, view positions, ages, sexes,
        and the true findings (``true_labels``).

    Examples
    --------
    >>> data = make_chest_xrays(8, image_size=32, seed=0)
    >>> data.images.shape, data.labels.shape, data.image_names[0]
    ((8, 1, 32, 32), (8, 14), np.str_('00000001_000.png'))
    """
    func = "make_chest_xrays"
    _check_size(n_images, image_size, func)
    rng = np.random.default_rng(seed)

    # who: patients, their follow-up numbers, their bodies and metadata
    patient_index = sample_images_per_patient(
        int(n_images), rng, max_images_per_patient
    )
    n_patients = int(patient_index[-1]) + 1
    first = np.searchsorted(patient_index, np.arange(n_patients))
    follow_up = np.arange(n_images) - first[patient_index]
    anatomies = [sample_anatomy(rng) for _ in range(n_patients)]
    ages, sexes = _patient_metadata(n_patients, rng)
    ap_share = VIEW_POSITION["AP"] / (VIEW_POSITION["AP"] + VIEW_POSITION["PA"])
    views = np.where(rng.random(n_images) < ap_share, "AP", "PA")

    # what: findings and their severity, one rendered image per row, then the
    # labels a report text-miner would give
    truth = sample_labels(patient_index, rng, prevalence, patient_correlation)
    severity = sample_severity(truth, rng)
    images = np.empty((n_images, 1, image_size, image_size), dtype=np.float32)
    for n in range(n_images):
        images[n, 0] = render_chest_xray(
            truth[n],
            anatomies[patient_index[n]],
            rng,
            int(image_size),
            views[n],
            severity[n],
        )
    labels = text_mined_labels(truth, rng, prevalence, label_precision, label_recall)

    patient_ids = patient_index.astype(np.int64) + 1
    names = np.array(
        [f"{p:08d}_{f:03d}.png" for p, f in zip(patient_ids, follow_up, strict=True)]
    )
    return ChestXrays(
        images,
        labels,
        patient_ids,
        names,
        FINDINGS,
        views,
        ages[patient_index],
        sexes[patient_index],
        truth,
    )
