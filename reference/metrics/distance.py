"""Boundary distances between segmentations: the (95th-percentile) Hausdorff distance.

Public names: `surface_voxels`, `surface_distances`, `hausdorff_distance`,
`hausdorff_distance_95`.

Dice counts overlapping voxels; it barely notices a small blob of false
positives far from the tumour. A distance between the two outlines does: the
Hausdorff distance is the largest distance from a point of one outline to the
other outline. Its 95th percentile (HD95, the BraTS challenge's choice) ignores
the worst 5 % of boundary points, so one stray voxel does not decide the score.
Distances are in millimetres when ``spacing`` (voxel size per axis) is given,
in voxels otherwise; lower is better.
"""

from __future__ import annotations

import warnings

import numpy as np

from reference._validation import UndefinedMetricWarning, check_same_shape, fail
from reference.metrics._labels import as_labels

__all__ = [
    "hausdorff_distance",
    "hausdorff_distance_95",
    "surface_distances",
    "surface_voxels",
]


def _spacing(spacing, ndim: int, func: str) -> tuple[float, ...]:
    """Return the voxel size per axis (1.0 everywhere when omitted)."""
    if spacing is None:
        return (1.0,) * ndim
    values = (
        np.broadcast_to(np.asarray(spacing, dtype=np.float64), (ndim,))
        if np.ndim(spacing) == 0
        else np.asarray(spacing, dtype=np.float64)
    )
    if values.shape != (ndim,) or not np.all(values > 0):
        fail(
            func,
            f"spacing a positive number or {ndim} positive numbers (one per axis)",
            repr(spacing),
        )
    return tuple(float(v) for v in values)


def surface_voxels(mask):
    """Return the boundary voxels of a binary mask.

    Parameters
    ----------
    mask : array-like of 0/1 or bool, any number of dims

    Returns
    -------
    surface : bool ndarray of the same shape
        Voxels of the mask with at least one face-neighbour outside it (or
        on the array's border): ``mask & ~erosion(mask)`` with the
        face-connected (cross-shaped) structuring element.

    Examples
    --------
    >>> surface_voxels(np.ones((3, 3), dtype=bool)).astype(int)
    array([[1, 1, 1],
           [1, 0, 1],
           [1, 1, 1]])
    """
    from scipy import ndimage  # here: `reference.metrics` loads without SciPy

    mask = as_labels(mask, "mask", "surface_voxels", ndims=None).astype(bool)
    return mask & ~ndimage.binary_erosion(mask, border_value=0)


def surface_distances(a, b, spacing=None):
    """Return the distance from every surface voxel of ``a`` to the surface of ``b``.

    Parameters
    ----------
    a, b : array-like of 0/1 or bool, same shape, neither empty
        Binary masks.
    spacing : float or sequence of float, optional
        Voxel size along each axis (for BraTS, 1 mm isotropic).

    Returns
    -------
    distances : float64 ndarray of shape (number of surface voxels of a,)
        Euclidean distance (in units of ``spacing``) from each surface voxel
        of ``a`` to the nearest surface voxel of ``b``, in C order of the voxels.

    Notes
    -----
    ``scipy.ndimage.distance_transform_edt`` of the complement of b's surface
    gives, at every voxel, the distance to the nearest surface voxel of b; it
    is read at a's surface voxels.

    Examples
    --------
    >>> a = np.zeros((1, 5), bool); a[0, 0] = True
    >>> b = np.zeros((1, 5), bool); b[0, 3] = True
    >>> surface_distances(a, b, spacing=2.0)
    array([6.])
    """
    func = "surface_distances"
    surface_a, surface_b = surface_voxels(a), surface_voxels(b)
    check_same_shape(surface_a, surface_b, ("a", "b"), func)
    if not surface_a.any() or not surface_b.any():
        fail(
            func,
            "two non-empty masks",
            f"{int(surface_a.sum())} and {int(surface_b.sum())} surface voxels",
            "Use hausdorff_distance, which defines the empty cases.",
        )
    from scipy import ndimage

    to_b = ndimage.distance_transform_edt(
        ~surface_b, sampling=_spacing(spacing, surface_b.ndim, func)
    )
    return to_b[surface_a]


def hausdorff_distance(y_true, y_pred, *, percentile=100.0, spacing=None) -> float:
    """Return the symmetric (percentile) Hausdorff distance between two masks.

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1 or bool, same shape
        Binary masks of one class (loop over classes for one-hot maps).
    percentile : float in [0, 100], default 100
        100 gives the classic Hausdorff distance (the maximum); 95 gives HD95.
    spacing : float or sequence of float, optional
        Voxel size along each axis; distances are in its units.

    Returns
    -------
    distance : float
        ``max(P(d(S_true -> S_pred)), P(d(S_pred -> S_true)))`` where ``S`` is a
        mask's surface (`surface_voxels`), ``d(S -> T)`` the distances from
        each voxel of S to the nearest voxel of T (`surface_distances`) and
        ``P`` the ``percentile`` (``np.percentile``, linear interpolation).
        Both masks empty: ``0.0`` (they agree perfectly). Exactly one empty:
        ``inf`` (no outline to measure to), with an `UndefinedMetricWarning`.

    Warns
    -----
    UndefinedMetricWarning
        When exactly one mask is empty.

    Examples
    --------
    >>> a = np.zeros((8, 8), bool); a[2:5, 2:5] = True
    >>> b = np.zeros((8, 8), bool); b[2:5, 3:6] = True
    >>> hausdorff_distance(a, b)
    1.0
    """
    func = "hausdorff_distance"
    truth = as_labels(y_true, "y_true", func, ndims=None).astype(bool)
    pred = as_labels(y_pred, "y_pred", func, ndims=None).astype(bool)
    check_same_shape(truth, pred, ("y_true", "y_pred"), func)
    if not 0 <= percentile <= 100:
        fail(func, "percentile in [0, 100]", repr(percentile))

    # the empty cases: perfect agreement, or no outline to measure to
    if not truth.any() and not pred.any():
        return 0.0
    if not truth.any() or not pred.any():
        empty = "y_true" if not truth.any() else "y_pred"
        warnings.warn(
            f"{func}: {empty} is empty and the other mask is not; the "
            "distance is undefined, returning inf.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return float("inf")

    # directed distances both ways, their percentiles, the larger of the two
    forward = surface_distances(truth, pred, spacing)
    backward = surface_distances(pred, truth, spacing)
    return float(
        max(np.percentile(forward, percentile), np.percentile(backward, percentile))
    )


def hausdorff_distance_95(y_true, y_pred, spacing=None) -> float:
    """Return HD95: `hausdorff_distance` at the 95th percentile (as BraTS ranks).

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1 or bool, same shape
    spacing : float or sequence of float, optional

    Returns
    -------
    distance : float
        See `hausdorff_distance` (both empty: 0.0; one empty: inf with a warning).

    Examples
    --------
    >>> a = np.zeros((1, 30), bool); a[0, :20] = True
    >>> b = a.copy(); b[0, 29] = True   # one stray voxel far away
    >>> hausdorff_distance(a, b), hausdorff_distance_95(a, b)
    (10.0, 0.0)
    """
    return hausdorff_distance(y_true, y_pred, percentile=95.0, spacing=spacing)
