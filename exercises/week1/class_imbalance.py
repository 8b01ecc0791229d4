"""Class imbalance: how rare each finding is, and resampling to balance a label.

In NIH ChestX-ray14 most findings are rare: Hernia is on 0.2% of the images,
Pneumonia on 1.3%, and even the most common, Infiltration, on 17.7%. A model
trained with the plain cross-entropy on such data learns that "absent" is almost
always right: the negative examples dominate the loss.

Two remedies:

- weight the loss so positives and negatives contribute equally (next lesson,
  ``weighted_loss.py``); the weights come from the class frequencies that
  `compute_class_freqs` returns;
- resample the training set so that a label is balanced (`balance_by_resampling`):
  repeat rare positives (over-sampling) or drop some negatives (under-sampling).
  Resample the training set only: the validation and test sets keep the real
  prevalence, or their metrics mean nothing.
"""

import numpy as np

__all__ = ["balance_by_resampling", "compute_class_freqs"]


def compute_class_freqs(labels):
    """Compute the positive and negative frequency of each finding.

    Parameters
    ----------
    labels : ndarray of shape (N, K), 0/1
        One row per image, one column per finding.

    Returns
    -------
    positive_frequencies : ndarray of shape (K,)
        Fraction of the images where each finding is present.
    negative_frequencies : ndarray of shape (K,)
        Fraction of the images where it is absent.

    Notes
    -----
    freq_pos[k] = (number of images with finding k) / N = mean over n of labels[n, k]
    freq_neg[k] = 1 - freq_pos[k]

    Examples
    --------
    >>> labels = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1], [1, 0, 1]])
    >>> compute_class_freqs(labels)
    (array([0.8, 0.4, 0.8]), array([0.2, 0.6, 0.2]))
    """
    labels = np.asarray(labels)
    ### START CODE HERE ###
    # Hint: the mean of a 0/1 column is the fraction of ones; average over the
    # Hint: images, that is down the rows (axis=0), to get one number per finding.
    raise NotImplementedError(
        "week1.class_imbalance.compute_class_freqs: not implemented yet"
    )
    ### END CODE HERE ###


def balance_by_resampling(y, method="over", seed=0):
    """Return row indices that make a binary label balanced.

    Parameters
    ----------
    y : ndarray of shape (N,), 0/1
        One label per row (for example one finding's column); both classes occur.
    method : {"over", "under"}, default "over"
        "over": keep every row once and add minority rows, drawn WITH
        replacement, until both classes are equally many.
        "under": keep every minority row once and as many majority rows, drawn
        WITHOUT replacement.
    seed : int
        Seed of ``np.random.default_rng``: the same seed must give the same rows.

    Returns
    -------
    indices : ndarray of int
        Rows of the balanced set, in any order: ``y[indices]`` has as many 1s as 0s.
        Its length is ``2 * n_majority`` ("over") or ``2 * n_minority`` ("under").

    Examples
    --------
    With y = [1, 0, 0, 0] over-sampling keeps rows 0..3 and adds row 0 twice:

    >>> np.sort(balance_by_resampling(np.array([1, 0, 0, 0]), "over", seed=0))
    array([0, 0, 0, 1, 2, 3])
    """
    y = np.asarray(y)
    ### START CODE HERE ###
    # Hint: find each class's rows (np.flatnonzero); the smaller class is the minority.
    # Hint: Make ONE generator from the seed (np.random.default_rng); its choice method
    # Hint: draws rows with or without replacement.
    raise NotImplementedError(
        "week1.class_imbalance.balance_by_resampling: not implemented yet"
    )
    ### END CODE HERE ###
