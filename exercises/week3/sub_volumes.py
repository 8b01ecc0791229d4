"""Training patches from a brain MRI: sub-volumes that actually contain tumour.

A BraTS volume is 240 x 240 x 155 voxels with 4 channels (FLAIR, T1, T1-Gd, T2),
stored channels-last: ``image[x, y, z, c]``. Its label map ``label[x, y, z]``
holds a class per voxel: 0 background, 1 edema, 2 non-enhancing tumour,
3 enhancing tumour. A 3D U-Net cannot take the whole volume (memory), so it trains
on patches, say 160 x 160 x 16. But about 98.75 % of the voxels are background:
most random patches show no tumour at all and teach the network nothing. The fix is
to draw random patches and keep one only when its background fraction is below a
threshold (95 %).

The network wants channels first and one output channel per tumour class, so the
patch is returned as ``X`` of shape ``(C, x, y, z)`` and the label one-hot encoded
as ``y`` of shape ``(num_classes - 1, x, y, z)`` (the background channel is
dropped: it is 1 minus the others).

The random corner uses NumPy's legacy global generator (``np.random.randint``),
exactly as the course does, so ``np.random.seed(3)`` before calling reproduces the
course's outputs.
"""

import numpy as np

__all__ = ["get_sub_volume"]


def get_sub_volume(
    image,
    label,
    orig_x=240,
    orig_y=240,
    orig_z=155,
    output_x=160,
    output_y=160,
    output_z=16,
    num_classes=4,
    max_tries=1000,
    background_threshold=0.95,
):
    """Extract a random sub-volume whose background fraction is below a threshold.

    Parameters
    ----------
    image : ndarray of shape (orig_x, orig_y, orig_z, num_channels)
        The MRI, channels-last.
    label : ndarray of shape (orig_x, orig_y, orig_z)
        Class index (0 .. num_classes - 1) of every voxel.
    orig_x, orig_y, orig_z : int
        Size of the volume (the range the corner is drawn from).
    output_x, output_y, output_z : int
        Size of the patch.
    num_classes : int
        Number of classes including the background (4 for BraTS).
    max_tries : int
        How many random corners to try before giving up.
    background_threshold : float
        Accept a patch when (background voxels) / (patch voxels) < this.

    Returns
    -------
    X : ndarray of shape (num_channels, output_x, output_y, output_z)
        The image patch, channels-first, image's dtype.
    y : float32 ndarray of shape (num_classes - 1, output_x, output_y, output_z)
        The one-hot label patch without the background class:
        ``y[k - 1, i, j, l] = 1`` where the patch's label is ``k``.
    None
        If no patch was accepted in ``max_tries`` tries; print
        ``f"Tried {tries} times to find a sub-volume. Giving up..."`` first.

    Notes
    -----
    Each try:

    1. ``start_x = np.random.randint(0, orig_x - output_x + 1)``, then
       ``start_y`` and ``start_z`` the same way (in this order: x, y, z).
    2. ``patch = label[start_x : start_x + output_x, start_y : ..., start_z : ...]``.
    3. One-hot encode it to ``(output_x, output_y, output_z, num_classes)``
       (``np.eye(num_classes, dtype=np.float32)[patch.astype(int)]`` does it).
    4. ``bgrd_ratio = sum of onehot[:, :, :, 0] / (output_x * output_y * output_z)``.
    5. If ``bgrd_ratio < background_threshold``: copy the image patch, move its
       channels first (``np.moveaxis(X, 3, 0)``), move the classes first in the
       label, drop class 0 (``y[1:]``) and return ``X, y``.

    Examples
    --------
    The course's example: ``image[i, j, k, 0] = i * j * k`` and
    ``label[i, j, k] = k`` on a 4 x 4 x 3 grid, a 2 x 2 x 2 patch, 3 classes. Every
    patch contains a slice of label 1 or 2, so the first corner is accepted. For
    the corner (1, 1, 1)::

        X[0, :, :, 0] = [[1, 2], [2, 4]]     (z = 1: i * j for i, j in 1..2)
        X[0, :, :, 1] = [[2, 4], [4, 8]]     (z = 2)
        y[0, :, :, :] = 1 where z = 0 (label 1), y[1] = 1 where z = 1 (label 2)
    """
    ### START CODE HERE ###
    # Hint: follow the Notes' steps. Draw the corner with np.random.randint for x, then
    # Hint: y, then z (upper bound exclusive); a float32 identity matrix indexed by the
    # Hint: labels one-hot encodes them. After max_tries print the message, return None.
    raise NotImplementedError("week3.sub_volumes.get_sub_volume: not implemented yet")
    ### END CODE HERE ###
