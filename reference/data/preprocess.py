"""Label statistics, class weights, consensus labels and image standardisation.

Public names: `compute_class_freqs`, `class_weights`, `majority_vote`,
`fit_standardization`, `apply_standardization`, `standardize_per_image`.

Labels are ``(N, K)`` arrays of 0/1 (N images, K findings). Images are
channels-first ``(N, C, H, W)`` (any number of spatial axes works).

Standardisation statistics come from the *training* images only: fit them with
`fit_standardization` on the training set, then `apply_standardization` the same
numbers to the validation and test sets. Computing them on the test set lets
test information leak into the model's inputs and makes the score optimistic.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from reference._validation import (
    as_float_array,
    check_binary_labels,
    check_finite,
    check_ndim,
    fail,
)

__all__ = [
    "Standardization",
    "apply_standardization",
    "class_weights",
    "compute_class_freqs",
    "fit_standardization",
    "majority_vote",
    "standardize_per_image",
]


def _binary_labels(labels, func: str) -> np.ndarray:
    """Return labels as a float array of shape (N, K) or (N,), checked to be 0/1."""
    arr = as_float_array(labels, "labels", func)
    check_ndim(arr, (1, 2), "labels", func, "(N, K)")
    if arr.shape[0] == 0:
        fail(func, "labels with at least one image", f"shape {arr.shape}")
    check_binary_labels(arr, "labels", func)
    return arr


def compute_class_freqs(labels):
    """Return the frequency of positive and of negative labels of each finding.

    Parameters
    ----------
    labels : array-like of shape (N, K), 0/1
        One row per image, one column per finding. (N,) is one finding.

    Returns
    -------
    positive_frequencies, negative_frequencies : ndarray of shape (K,)
        Floating (float64 for integer or bool labels); they add up to 1.

    Notes
    -----
    ``freq_pos[k] = (1 / N) * sum over n of labels[n, k]`` and
    ``freq_neg[k] = 1 - freq_pos[k]``.

    Examples
    --------
    >>> pos, neg = compute_class_freqs([[1, 0], [0, 0], [1, 1], [0, 0]])
    >>> pos, neg
    (array([0.5 , 0.25]), array([0.5 , 0.75]))
    """
    arr = _binary_labels(labels, "compute_class_freqs")
    positive_frequencies = np.mean(arr, axis=0)
    return positive_frequencies, 1 - positive_frequencies


def class_weights(labels):
    """Return the course's class weights ``(pos_weights, neg_weights)``.

    Parameters
    ----------
    labels : array-like of shape (N, K), 0/1

    Returns
    -------
    pos_weights, neg_weights : ndarray of shape (K,)
        ``pos_weights = freq_neg`` and ``neg_weights = freq_pos``.

    Notes
    -----
    With these weights the positive and the negative examples of each finding
    contribute equally to the weighted loss::

        pos_weights[k] * freq_pos[k] = freq_neg[k] * freq_pos[k]
                                     = neg_weights[k] * freq_neg[k]

    Examples
    --------
    >>> class_weights([[1, 0], [0, 0], [1, 1], [0, 0]])
    (array([0.5 , 0.75]), array([0.5 , 0.25]))
    """
    arr = _binary_labels(labels, "class_weights")
    freq_pos = np.mean(arr, axis=0)
    return 1 - freq_pos, freq_pos


def majority_vote(annotations, tie: str = "positive") -> np.ndarray:
    """Return consensus labels: the majority of several annotators' votes.

    Parameters
    ----------
    annotations : array-like of shape (N, A) or (N, A, K)
        Votes of A annotators (axis 1) on N images (and K findings): 1, 0, or
        NaN / -1 for "did not read this image".
    tie : {"positive", "negative"}, default "positive"
        The label when positive and negative votes are equally many.
        "positive" is the default because a finding that half of the
        experts see deserves a second look (a missed finding usually costs
        more than a false alarm); choose "negative" for a specific label set.

    Returns
    -------
    labels : ndarray of shape (N,) or (N, K), int64, 0/1

    Raises
    ------
    ValueError
        If the votes are not 0/1/missing, or an image has no vote at all.

    Notes
    -----
    ``labels[n] = 1 if (#1 votes) > (#0 votes), 0 if fewer, and the tie rule
    if equal``, counting only the votes that are present.

    Examples
    --------
    >>> majority_vote([[1, 1, 0], [0, 0, 1], [1, 0, -1]])
    array([1, 0, 1])
    >>> majority_vote([[1, 0]], tie="negative")
    array([0])
    """
    func = "majority_vote"
    if tie not in ("positive", "negative"):
        fail(func, 'tie "positive" or "negative"', repr(tie))
    votes = as_float_array(annotations, "annotations", func)
    check_ndim(
        votes,
        (2, 3),
        "annotations",
        func,
        "(N, A) or (N, A, K)",
        "Put the annotators on axis 1.",
    )
    present = ~(np.isnan(votes) | (votes == -1))
    check_binary_labels(votes[present], "annotations", func)
    if votes.shape[1] == 0 or np.any(~present.any(axis=1)):
        fail(
            func,
            "at least one vote per image (and finding)",
            f"{int(np.sum(~present.any(axis=1)))} without any",
        )

    # count the votes for each side, then break ties by the stated rule
    positive = np.sum(present & (votes == 1), axis=1)
    negative = np.sum(present & (votes == 0), axis=1)
    labels = positive > negative
    if tie == "positive":
        labels |= positive == negative
    return labels.astype(np.int64)


class Standardization(NamedTuple):
    """Per-channel statistics fitted on training images: ``mean`` and ``std``, (C,)."""

    mean: np.ndarray
    std: np.ndarray


def _images(images, func: str, name: str = "images") -> np.ndarray:
    """Return images as a float array of shape (N, C, *S), validated."""
    arr = as_float_array(images, name, func)
    check_ndim(
        arr,
        (3, 4, 5),
        name,
        func,
        "(N, C, *S)",
        "Add a channel axis with images[:, None].",
    )
    if arr.shape[0] == 0:
        fail(func, f"{name} with at least one image", f"shape {arr.shape}")
    check_finite(arr, name, func)
    return arr


def fit_standardization(images) -> Standardization:
    """Return the per-channel mean and standard deviation of (training) images.

    Parameters
    ----------
    images : array-like of shape (N, C, *S)
        The training images (never the test images).

    Returns
    -------
    Standardization
        ``(mean, std)``, each of shape (C,), float64.

    Notes
    -----
    ``mean[c]`` and ``std[c]`` (population std, ddof = 0) run over the
    images and the pixels of channel c: axes (0, 2, 3, ...).

    Examples
    --------
    >>> fit_standardization(np.array([[[[0.0, 2.0]]], [[[4.0, 6.0]]]]))
    Standardization(mean=array([3.]), std=array([2.23606798]))
    """
    arr = _images(images, "fit_standardization")
    axes = (0, *range(2, arr.ndim))
    mean = np.mean(arr, axis=axes, dtype=np.float64)
    std = np.std(arr, axis=axes, dtype=np.float64)
    return Standardization(mean, std)


def _channel_stat(stat, n_channels: int, name: str, func: str) -> np.ndarray:
    """Return a per-channel statistic of shape (C,) ready to broadcast."""
    arr = as_float_array(stat, name, func)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != n_channels):
        fail(
            func,
            f"{name} of shape ({n_channels},) (one per channel) or a scalar",
            f"shape {arr.shape}",
        )
    check_finite(arr, name, func)
    return np.broadcast_to(arr, (n_channels,))


def apply_standardization(images, mean, std) -> np.ndarray:
    """Standardise images with given (training-set) statistics.

    Parameters
    ----------
    images : array-like of shape (N, C, *S)
        Any images: training, validation or test.
    mean, std : array-like of shape (C,), or scalars
        From `fit_standardization` on the training images.

    Returns
    -------
    out : ndarray, images' shape and floating dtype

    Notes
    -----
    ``out[n, c, ...] = (images[n, c, ...] - mean[c]) / std[c]``; a channel with
    ``std[c] == 0`` (constant) is only centred (divided by 1).

    Examples
    --------
    >>> apply_standardization(np.array([[[[1.0, 5.0]]]]), [3.0], [2.0])
    array([[[[-1.,  1.]]]])
    """
    func = "apply_standardization"
    arr = _images(images, func)
    n_channels = arr.shape[1]
    mean = _channel_stat(mean, n_channels, "mean", func)
    std = _channel_stat(std, n_channels, "std", func)
    if np.any(std < 0):
        fail(func, "std >= 0", f"min {std.min():.4g}")
    shape = (1, n_channels) + (1,) * (arr.ndim - 2)  # broadcast over N and S
    scale = np.where(std > 0, std, 1.0).reshape(shape)
    return ((arr - mean.reshape(shape)) / scale).astype(arr.dtype, copy=False)


def standardize_per_image(images, epsilon: float = 1e-7) -> np.ndarray:
    """Standardise every image and channel by its own mean and standard deviation.

    Parameters
    ----------
    images : array-like of shape (N, C, *S)
    epsilon : float, default 1e-7
        Added to the standard deviation so that a constant image gives zeros.

    Returns
    -------
    out : ndarray, images' shape and floating dtype

    Notes
    -----
    ``out[n, c] = (images[n, c] - mean(images[n, c])) / (std(images[n, c]) + eps)``
    (Keras' "samplewise" centring and normalisation). It needs no training
    statistics, so it cannot leak test information, but it removes real
    differences in overall brightness between images.

    Examples
    --------
    >>> standardize_per_image(np.array([[[[1.0, 3.0]]]]), epsilon=0.0)
    array([[[[-1.,  1.]]]])
    """
    arr = _images(images, "standardize_per_image")
    axes = tuple(range(2, arr.ndim))
    mean = np.mean(arr, axis=axes, keepdims=True)
    std = np.std(arr, axis=axes, keepdims=True)
    return ((arr - mean) / (std + epsilon)).astype(arr.dtype, copy=False)
