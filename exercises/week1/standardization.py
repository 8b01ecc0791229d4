"""Standardising images with the statistics of the TRAINING set.

Networks train best on inputs with mean 0 and standard deviation 1, so images are
standardised: ``(x - mean) / std``. The question is *whose* mean and std.

They must come from the training images only. The test set stands for patients
the model has never seen; computing the statistics on it (or on train + test)
lets information about the test images into the model's inputs, and the test
score becomes optimistic. The same numbers, fitted once on the training set, are
applied to the training, validation and test images alike. (In deployment one
image arrives at a time: there is no "test batch" to compute statistics on.)

Images are channels-first ``(N, C, H, W)``; the statistics are per channel,
over the images and all their pixels.
"""

import numpy as np

__all__ = ["apply_standardization", "fit_standardization"]


def fit_standardization(train_images):
    """Per-channel mean and standard deviation of the training images.

    Parameters
    ----------
    train_images : ndarray of shape (N, C, H, W)

    Returns
    -------
    mean : ndarray of shape (C,)
    std : ndarray of shape (C,)
        Population standard deviation (np.std's default, ddof = 0).

    Notes
    -----
    mean[c] and std[c] run over the images and the pixels of channel c, that
    is over axes (0, 2, 3).

    Examples
    --------
    >>> x = np.array([[[[0.0, 2.0]]], [[[4.0, 6.0]]]])   # (2, 1, 1, 2)
    >>> fit_standardization(x)
    (array([3.]), array([2.23606798]))
    """
    train_images = np.asarray(train_images)
    ### START CODE HERE ###
    # Hint: np.mean and np.std accept a tuple of axes, such as axis=(0, 2, 3).
    raise NotImplementedError(
        "week1.standardization.fit_standardization: not implemented yet"
    )
    ### END CODE HERE ###


def apply_standardization(images, mean, std):
    """Standardise images (any split) with the training statistics.

    Parameters
    ----------
    images : ndarray of shape (N, C, H, W)
    mean, std : ndarray of shape (C,)
        From `fit_standardization` on the TRAINING images.

    Returns
    -------
    standardized : ndarray of shape (N, C, H, W)
        standardized[n, c, i, j] = (images[n, c, i, j] - mean[c]) / std[c].
        A channel whose std is 0 (constant in training) is only centred: divide
        it by 1 instead of 0.

    Examples
    --------
    >>> x = np.array([[[[1.0, 5.0]]]])
    >>> apply_standardization(x, np.array([3.0]), np.array([2.0]))
    array([[[[-1.,  1.]]]])
    """
    images, mean, std = np.asarray(images), np.asarray(mean), np.asarray(std)
    ### START CODE HERE ###
    # Hint: reshape the (C,) statistics to (1, C, 1, 1) so they broadcast per channel; a
    # Hint: channel with std 0 is divided by 1 instead (np.where can choose per
    # Hint: channel).
    raise NotImplementedError(
        "week1.standardization.apply_standardization: not implemented yet"
    )
    ### END CODE HERE ###
