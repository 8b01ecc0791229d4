"""Standardisation: give every MRI slice mean 0 and standard deviation 1.

MRI intensities have no absolute unit: the same tissue can read 300 on one scanner
and 900 on another, and a coil's sensitivity makes one part of a volume brighter
than another. A network trained on raw values would learn the scanner, not the
anatomy. So each channel of each z-slice is standardised on its own: subtract its
mean, divide by its standard deviation.

A slice that is constant (say, all background) has standard deviation 0; dividing
would give NaN. Such a slice is only centred, which makes it all zeros.
"""

import numpy as np

__all__ = ["standardize"]


def standardize(image):
    """Standardise every (channel, z-slice) of a patch to mean 0 and std 1.

    Parameters
    ----------
    image : ndarray of shape (num_channels, dim_x, dim_y, dim_z)
        A channels-first patch (as `get_sub_volume` returns it).

    Returns
    -------
    standardized_image : float64 ndarray of the same shape
        For every channel ``c`` and slice ``z``:
        ``(image[c, :, :, z] - mean) / std`` with the mean and the (population,
        ``np.std``) standard deviation of that slice. When the std is 0 the
        slice is only centred (it becomes zeros).

    Notes
    -----
    Start from ``np.zeros(image.shape)`` (float64 whatever the input dtype), loop
    over the channels and the z-slices, and fill each slice:
    ``centered = image_slice - np.mean(image_slice)``, then divide by
    ``np.std(centered)`` only if it is not 0.

    Examples
    --------
    A 2 x 2 slice [[1, 3], [5, 5]] has mean 3.5 and std 1.6583; it becomes
    [[-1.5076, -0.3015], [0.9045, 0.9045]]. A constant slice [[7, 7], [7, 7]]
    becomes [[0, 0], [0, 0]].
    """
    ### START CODE HERE ###
    # Hint: follow Notes: a float64 output of zeros, loops over the channels and the
    # Hint: z-slices, each slice centred, then divided by its std only when that std is
    # Hint: not 0 (a constant slice must still be written, as zeros).
    raise NotImplementedError("week3.standardization.standardize: not implemented yet")
    ### END CODE HERE ###
