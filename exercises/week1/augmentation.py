"""Label-preserving augmentation: small changes that keep every finding true.

Augmentation shows the model new versions of its training images. It helps only
when the label stays correct: a chest X-ray shifted by a few pixels, or taken
with a little more or less contrast, shows the same findings, because real
acquisitions differ in exactly these ways (patient position, exposure).

Not every transformation qualifies. A horizontal flip moves the heart to the
right side of the chest: that anatomy (dextrocardia) is rare and is itself a
finding, so a flipped image is not a plausible image with the same labels. This
is why chest X-ray pipelines usually do NOT flip (the reference library's
``random_augment`` makes flipping opt-in).

Images are ``(H, W)`` or channels-first ``(..., H, W)``: both functions act on
the last two axes. Neither may modify its input.
"""

import numpy as np

__all__ = ["adjust_contrast", "shift_image"]


def shift_image(image, dy, dx):
    """Shift an image by whole pixels, filling the uncovered border with zeros.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (..., H, W), float
    dy : int
        Rows to move the content down (negative: up).
    dx : int
        Columns to move the content right (negative: left).

    Returns
    -------
    shifted : ndarray, same shape and dtype as ``image``
        shifted[..., i, j] = image[..., i - dy, j - dx] when that pixel exists,
        else 0. Nothing wraps around (unlike np.roll); a shift as large as the
        image leaves only zeros.

    Examples
    --------
    >>> shift_image(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), 0, 1)
    array([[0., 1., 2.],
           [0., 4., 5.]])
    """
    image = np.asarray(image)
    ### START CODE HERE ###
    # Hint: start from zeros of the image's shape and dtype and copy the part that stays
    # Hint: visible: with a shift d > 0 along an axis of n pixels, source 0 .. n-d-1
    # Hint: lands at d .. n-1 (d < 0 is the mirror case); |d| >= n leaves only zeros.
    raise NotImplementedError("week1.augmentation.shift_image: not implemented yet")
    ### END CODE HERE ###


def adjust_contrast(image, factor):
    """Scale the contrast of each image around its own mean brightness.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (..., H, W), float
    factor : float
        > 1 more contrast, < 1 less; 1 leaves the image unchanged.

    Returns
    -------
    adjusted : ndarray, same shape as ``image``
        With m the mean of each (H, W) image (over the last two axes):
        adjusted[..., i, j] = m + factor * (image[..., i, j] - m). No clipping.

    Examples
    --------
    The mean of [[0, 1]] is 0.5, so factor 2 gives [[-0.5, 1.5]]:

    >>> adjust_contrast(np.array([[0.0, 1.0]]), 2.0)
    array([[-0.5,  1.5]])
    """
    image = np.asarray(image)
    ### START CODE HERE ###
    # Hint: Returns gives the formula; m is one mean per (H, W) image, over the last two
    # Hint: axes only, kept as size-1 axes (keepdims) so that it broadcasts back.
    raise NotImplementedError("week1.augmentation.adjust_contrast: not implemented yet")
    ### END CODE HERE ###
