"""Image registration: line up two scans of the same head, then move the labels too.

Two MRIs of one patient (two visits, or a scan annotated by a radiologist and a new
one) never sit in the same place: the head has moved a little, shifted and
turned. Registration finds the rigid transform (rotation + shift) that lines them
up; the same transform then carries the annotated label map onto the other scan.

Conventions (those of ``scipy.ndimage.affine_transform``): points are voxel
indices ``p = (x, y)``; a transform is a 3 x 3 homogeneous matrix ``M`` that
*pulls*: the warped image is ``warped[p] = moving[M p]``, so ``M`` maps the fixed
scan's coordinates into the moving scan's. A rigid ``M`` turns by ``angle``
about a ``center`` and shifts by ``shift``::

    M p = R (p - center) + center + shift,    R = [[cos a, -sin a], [sin a, cos a]]

Three steps are yours:

1. `rigid_matrix_2d`: build ``M``.
2. `phase_correlation`: estimate the shift between two scans from the phases of
   their Fourier transforms (a shift is a phase ramp; the ramp's inverse FFT is
   one bright spot at the shift).
3. `warp_label`: carry a label map through ``M`` with *nearest-neighbour*
   interpolation (blending labels 1 and 3 into 2 would invent a tumour class).

The rotation is then refined by gradient descent on the squared intensity
difference: ``reference.data.registration.estimate_rigid`` does it, starting from
your phase-correlation shift.
"""

import numpy as np

__all__ = ["phase_correlation", "rigid_matrix_2d", "warp_label"]


def rigid_matrix_2d(angle, shift, center):
    """Build the 3 x 3 matrix of ``p -> R(angle) (p - center) + center + shift``.

    Parameters
    ----------
    angle : float
        Rotation in radians, turning axis 0 towards axis 1.
    shift : sequence of 2 float
        Translation ``(tx, ty)`` in voxels.
    center : sequence of 2 float
        Centre of rotation ``(cx, cy)``.

    Returns
    -------
    M : float ndarray of shape (3, 3)
        ``M[:2, :2] = R = [[cos(angle), -sin(angle)], [sin(angle), cos(angle)]]``,
        ``M[:2, 2] = center - R @ center + shift``, ``M[2] = [0, 0, 1]``.

    Examples
    --------
    angle 0, shift (2, -1), any centre: [[1, 0, 2], [0, 1, -1], [0, 0, 1]].
    angle pi/2 about (1, 1), no shift: R = [[0, -1], [1, 0]] and
    M[:2, 2] = (1, 1) - R (1, 1) = (1, 1) - (-1, 1) = (2, 0).
    """
    ### START CODE HERE ###
    # Hint: start from the 3 x 3 identity (np.eye), fill the 2 x 2 rotation R, then the
    # Hint: last column as in Returns (R @ center is a matrix-vector product).
    raise NotImplementedError("week3.registration.rigid_matrix_2d: not implemented yet")
    ### END CODE HERE ###


def phase_correlation(fixed, moving):
    """Estimate the whole-voxel shift ``t`` with ``fixed[p] ~ moving[p + t]``.

    Parameters
    ----------
    fixed, moving : ndarray of the same shape (2D or 3D)

    Returns
    -------
    shift : int ndarray of shape (ndim,)
        Each entry in ``(-n/2, n/2]`` for an axis of length n.

    Notes
    -----
    1. ``F = np.fft.fftn(fixed)``, ``G = np.fft.fftn(moving)``.
    2. ``R = conj(F) * G``, normalised to magnitude 1: ``R / |R|`` (where
       ``|R|`` is 0 leave 0).
    3. ``surface = np.fft.ifftn(R).real``; its ``argmax`` (unravelled with
       ``np.unravel_index``) is the shift, modulo the axis lengths.
    4. An index ``k > n // 2`` stands for the negative shift ``k - n``.

    Examples
    --------
    fixed has a bright block at rows 2-3, columns 3-5 of an 8 x 8 image, and
    ``moving = np.roll(fixed, (1, -2), axis=(0, 1))`` (the block at rows 3-4,
    columns 1-3). Then ``fixed[p] = moving[p + (1, -2)]`` and the answer is
    [1, -2] (the peak sits at index (1, 6); 6 > 8 // 2 stands for -2).
    """
    ### START CODE HERE ###
    # Hint: follow Notes: normalise R to magnitude 1 without dividing by 0 (np.divide
    # Hint: has where and out options); the surface's argmax, unravelled, is the shift
    # Hint: modulo the axis lengths, and an index k > n // 2 stands for k - n.
    raise NotImplementedError(
        "week3.registration.phase_correlation: not implemented yet"
    )
    ### END CODE HERE ###


def warp_label(label, matrix):
    """Resample a label map through ``matrix`` with nearest-neighbour interpolation.

    Parameters
    ----------
    label : int ndarray of shape (X, Y) or (X, Y, Z)
        Class indices of the moving scan.
    matrix : ndarray of shape (d + 1, d + 1)
        Pulling transform: output voxel ``p`` reads the label at ``q = M p``.

    Returns
    -------
    warped : ndarray of the same shape and dtype as label
        ``warped[p] = label[floor(q + 0.5)]`` (the nearest voxel, halves
        rounded up) when ``0 <= q_k <= n_k - 1`` on every axis k; 0
        (background) when ``q`` falls outside the grid.

    Notes
    -----
    ``scipy.ndimage.affine_transform(label, matrix[:d, :d], offset=matrix[:d, d],
    order=0, mode="constant", cval=0)`` follows exactly these rules; you may use
    it, or compute ``q`` for all voxels at once with ``np.indices`` and index.

    Examples
    --------
    A pure shift ``matrix = [[1, 0, 0], [0, 1, 1], [0, 0, 1]]`` (q = p + (0, 1))
    moves label [[1, 2, 3]] one voxel left: [[2, 3, 0]].
    """
    label, matrix = np.asarray(label), np.asarray(matrix, dtype=float)
    ### START CODE HERE ###
    # Hint: pull, do not push: every output voxel p reads q = M p (np.indices lists all
    # Hint: the voxels at once); inside the grid take the nearest voxel, halves rounded
    # Hint: up, elsewhere 0. Notes names a SciPy function that does all of it.
    raise NotImplementedError("week3.registration.warp_label: not implemented yet")
    ### END CODE HERE ###
