"""Resampling to balance a binary label: over-sampling and under-sampling.

Public names: `oversample_indices`, `undersample_indices`, `balance_by_resampling`.

Each function returns *row indices* (sorted ascending), so the same indices pick
images, labels and patient ids alike; shuffle them when batching. Resampling
changes the training distribution only: never resample the validation or test
set, whose prevalence must stay the real one for the metrics to mean anything.

- Over-sampling keeps every row and repeats minority rows (drawn with
  replacement) until both classes are equally many. Nothing is thrown away, but
  repeated images invite over-fitting to them (augmentation helps).
- Under-sampling keeps every minority row and a random subset (without
  replacement) of the majority rows. Training is faster but majority data is
  discarded.

With many findings per image (multi-label) no resampling balances all of them
at once; a weighted loss (`reference.losses.weighted_bce`) does.
"""

from __future__ import annotations

import numpy as np

from reference._validation import as_float_array, check_binary_labels, check_ndim, fail

__all__ = ["balance_by_resampling", "oversample_indices", "undersample_indices"]


def _classes(y, func: str):
    """Return (minority indices, majority indices) of a binary label vector."""
    arr = as_float_array(y, "y", func)
    check_ndim(arr, 1, "y", func, "(N,)", "Pick one finding: labels[:, k].")
    check_binary_labels(arr, "y", func)
    positives, negatives = np.flatnonzero(arr == 1), np.flatnonzero(arr == 0)
    if positives.size == 0 or negatives.size == 0:
        fail(
            func,
            "y with both classes present",
            f"{positives.size} positives and {negatives.size} negatives",
            "Nothing to balance with one class only.",
        )
    if positives.size <= negatives.size:
        return positives, negatives
    return negatives, positives


def oversample_indices(y, seed=None) -> np.ndarray:
    """Return row indices that repeat minority rows until both classes are equal.

    Parameters
    ----------
    y : array-like of shape (N,), 0/1
        One binary label per row (for example one finding's column).
    seed : int, numpy.random.Generator or None
        Seeds ``np.random.default_rng``.

    Returns
    -------
    indices : ndarray of shape (2 * n_majority,), int64, sorted
        Every row once, plus ``n_majority - n_minority`` minority rows drawn
        with replacement.

    Examples
    --------
    >>> idx = oversample_indices([1, 0, 0, 0], seed=0)
    >>> idx.tolist()
    [0, 0, 0, 1, 2, 3]
    """
    minority, majority = _classes(y, "oversample_indices")
    rng = np.random.default_rng(seed)
    extra = rng.choice(minority, size=majority.size - minority.size, replace=True)
    return np.sort(np.concatenate([minority, majority, extra])).astype(np.int64)


def undersample_indices(y, seed=None) -> np.ndarray:
    """Return row indices with every minority row and as many random majority rows.

    Parameters
    ----------
    y : array-like of shape (N,), 0/1
    seed : int, numpy.random.Generator or None

    Returns
    -------
    indices : ndarray of shape (2 * n_minority,), int64, sorted, no repeats
        All minority rows and ``n_minority`` majority rows drawn without
        replacement.

    Examples
    --------
    >>> idx = undersample_indices([1, 0, 0, 1, 0, 0], seed=0)
    >>> len(idx), sorted(set([1, 0, 0, 1, 0, 0][i] for i in idx))
    (4, [0, 1])
    """
    minority, majority = _classes(y, "undersample_indices")
    rng = np.random.default_rng(seed)
    kept = rng.choice(majority, size=minority.size, replace=False)
    return np.sort(np.concatenate([minority, kept])).astype(np.int64)


def balance_by_resampling(y, method: str = "over", seed=None) -> np.ndarray:
    """Return row indices that balance a binary label by over- or under-sampling.

    Parameters
    ----------
    y : array-like of shape (N,), 0/1
    method : {"over", "under"}, default "over"
        `oversample_indices` or `undersample_indices`.
    seed : int, numpy.random.Generator or None

    Returns
    -------
    indices : ndarray of int64, sorted

    Examples
    --------
    >>> balance_by_resampling([1, 0, 0], method="under", seed=0).size
    2
    """
    if method == "over":
        return oversample_indices(y, seed)
    if method == "under":
        return undersample_indices(y, seed)
    return fail("balance_by_resampling", 'method "over" or "under"', repr(method))
