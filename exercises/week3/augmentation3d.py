"""3D data augmentation: one spatial change applied to the image AND its mask.

Labelled brain tumours are scarce, so training patches are varied on the fly: a
patch flipped left-right or turned by 90 degrees is still a plausible brain, and
a slightly brighter scan is still the same scan. The one rule: the label map must
move with the image, voxel for voxel, or the network learns from labels that
point at the wrong tissue. Intensity changes apply to the image only: labels are
categories, not brightness.

Shapes: the image is channels-first ``(C, X, Y, Z)``; its spatial axes are 1, 2, 3.
The label is ``(X, Y, Z)`` (class indices) or ``(K, X, Y, Z)`` (one-hot); its
spatial axes are the last three. The flips name the *spatial* axes 0 (x), 1 (y)
and 2 (z), never the channel axis.
"""

import numpy as np

__all__ = ["apply_augmentation"]


def apply_augmentation(image, label, flip_axes=(), rotations=0, scale=1.0):
    """Flip and rotate an image and its label together, then scale the image.

    Parameters
    ----------
    image : ndarray of shape (C, X, Y, Z)
        Channels-first patch.
    label : ndarray of shape (X, Y, Z) or (K, X, Y, Z)
        The label map on the same grid (class indices, or one-hot channels).
    flip_axes : sequence of int in {0, 1, 2}, optional
        Spatial axes to reverse: 0 is x, 1 is y, 2 is z.
    rotations : int, optional
        Quarter turns in the x-y plane, turning x towards y: ``np.rot90`` with
        ``k=rotations`` on the (x, y) axes of each array. Negative turns back.
    scale : float, optional
        Factor multiplying the image intensities (not the label).

    Returns
    -------
    image_out : ndarray of shape (C, X, Y, Z), or (C, Y, X, Z) after an odd
        number of quarter turns; the image's dtype
    label_out : ndarray on the same grid as image_out, the label's dtype

    Notes
    -----
    In this order: flip every axis in ``flip_axes``, rotate, multiply the image
    by ``scale``. With ``s = label.ndim - 3`` the first spatial axis of the label
    (0 or 1), spatial axis ``a`` is axis ``1 + a`` of the image and ``s + a`` of
    the label.

    Examples
    --------
    A 1-channel 2 x 2 x 1 image [[0, 1], [2, 3]] (x down, y across) with label
    [[1, 0], [0, 0]]: flipping x gives image [[2, 3], [0, 1]] and label
    [[0, 0], [1, 0]]; then ``scale=2`` gives image [[4, 6], [0, 2]]. One quarter
    turn of the original instead gives image [[1, 3], [0, 2]] and label
    [[0, 0], [1, 0]] (what ``np.rot90`` does).
    """
    image, label = np.asarray(image), np.asarray(label)
    ### START CODE HERE ###
    # Hint: spatial axis a is image axis 1 + a and label axis s + a, s being the label's
    # Hint: first spatial axis (Notes). Flip first (np.flip), then rotate both on their
    # Hint: (x, y) axes (np.rot90); scale only the image.
    raise NotImplementedError(
        "week3.augmentation3d.apply_augmentation: not implemented yet"
    )
    ### END CODE HERE ###
