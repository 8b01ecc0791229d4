"""Rigid image registration: align two scans of the same head, then carry labels across.

Public names: `rotation_matrix`, `rigid_matrix`, `resample`, `phase_correlation`,
`estimate_rigid`, `RigidFit`.

Conventions (those of ``scipy.ndimage.affine_transform``): a transform is a
homogeneous ``(d + 1, d + 1)`` matrix ``M`` acting on voxel *index* coordinates,
and it *pulls*: resampling the ``moving`` scan with ``M`` gives

    warped[p] = moving[M p]      for every voxel p of the output grid,

so ``M`` maps the fixed scan's coordinates into the moving scan's. Registration
looks for the ``M`` that makes ``warped`` look like ``fixed``; the same ``M``
then carries the moving scan's label map onto the fixed grid (nearest-neighbour
interpolation, so labels stay labels). A rigid ``M`` is a rotation about a
centre ``c`` plus a shift ``t``: ``M p = R (p - c) + c + t``.

A resliced scan is 0 where its field of view ends; `estimate_rigid` compares the
scans only where both hold data (a mask per scan) and works coarse to fine.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import ndimage

from reference._validation import check_ndim, fail

__all__ = [
    "RigidFit",
    "estimate_rigid",
    "phase_correlation",
    "resample",
    "rigid_matrix",
    "rotation_matrix",
]


def _plane_rotation(angle: float, i: int, j: int, d: int) -> np.ndarray:
    """Rotation by ``angle`` in the (axis i, axis j) plane, from i towards j."""
    rot = np.eye(d)
    cos, sin = np.cos(angle), np.sin(angle)
    rot[i, i], rot[i, j], rot[j, i], rot[j, j] = cos, 0.0 - sin, sin, cos  # no -0.0
    return rot


def rotation_matrix(angles) -> np.ndarray:
    """Return a 2D or 3D rotation matrix from angles in radians.

    Parameters
    ----------
    angles : float or sequence of 3 float
        2D: one angle, turning axis 0 towards axis 1. 3D: ``(a, b, c)``, the
        rotations about axis 0, axis 1 and axis 2, applied in that order.

    Returns
    -------
    R : float64 ndarray of shape (2, 2) or (3, 3)
        2D: ``[[cos, -sin], [sin, cos]]``. 3D: ``R = R2(c) @ R1(b) @ R0(a)``
        where ``R0(a)`` turns axis 1 towards axis 2, ``R1(b)`` axis 2 towards
        axis 0, and ``R2(c)`` axis 0 towards axis 1.

    Examples
    --------
    >>> rotation_matrix(np.pi / 2).round(6)
    array([[ 0., -1.],
           [ 1.,  0.]])
    """
    values = np.atleast_1d(np.asarray(angles, dtype=np.float64))
    if values.shape == (1,):
        return _plane_rotation(values[0], 0, 1, 2)
    if values.shape != (3,):
        fail("rotation_matrix", "one angle (2D) or three angles (3D)", repr(angles))
    a, b, c = values
    return (
        _plane_rotation(c, 0, 1, 3)
        @ _plane_rotation(b, 2, 0, 3)
        @ _plane_rotation(a, 1, 2, 3)
    )


def rigid_matrix(angles, shift, center=None) -> np.ndarray:
    """Return the homogeneous matrix of ``p -> R (p - center) + center + shift``.

    Parameters
    ----------
    angles : float (2D) or sequence of 3 float (3D)
        See `rotation_matrix`.
    shift : sequence of d float
        Translation ``t`` in voxels.
    center : sequence of d float, optional
        Centre of rotation (default the origin); use ``(np.array(shape) - 1) / 2``
        to turn about the middle of a volume.

    Returns
    -------
    M : float64 ndarray of shape (d + 1, d + 1)
        ``M[:d, :d] = R``, ``M[:d, d] = center - R center + shift``, last row
        ``(0, ..., 0, 1)``.

    Examples
    --------
    >>> rigid_matrix(0.0, [2, -1])
    array([[ 1.,  0.,  2.],
           [ 0.,  1., -1.],
           [ 0.,  0.,  1.]])
    """
    rot = rotation_matrix(angles)
    d = rot.shape[0]
    shift = np.asarray(shift, dtype=np.float64)
    center = np.zeros(d) if center is None else np.asarray(center, dtype=np.float64)
    if shift.shape != (d,) or center.shape != (d,):
        fail(
            "rigid_matrix",
            f"shift and center of {d} numbers for a {d}D rotation",
            f"shapes {shift.shape} and {center.shape}",
        )
    matrix = np.eye(d + 1)
    matrix[:d, :d] = rot
    matrix[:d, d] = center - rot @ center + shift
    return matrix


def resample(volume, matrix, *, interpolation="linear", output_shape=None, cval=0.0):
    """Resample ``volume`` through a pulling transform: ``out[p] = volume[M p]``.

    Parameters
    ----------
    volume : ndarray with d = 2 or 3 dims
        One channel (loop over channels for a multi-channel image).
    matrix : ndarray of shape (d + 1, d + 1)
        Maps output voxel coordinates to input voxel coordinates.
    interpolation : {"linear", "nearest"}
        "linear" for intensities; "nearest" for label maps, whose values must
        stay valid classes.
    output_shape : tuple of d int, optional
        Default: ``volume.shape``.
    cval : float
        Value where ``M p`` falls outside the input (0: background).

    Returns
    -------
    out : ndarray of shape output_shape
        Linear: float (the input's float dtype, float64 for integers).
        Nearest: the input's dtype.

    Notes
    -----
    ``scipy.ndimage.affine_transform`` (``mode="constant"``): a point ``q = M p``
    is inside when ``0 <= q_k <= n_k - 1`` on every axis; nearest takes the
    voxel ``floor(q + 0.5)``, linear blends the ``2**d`` neighbours.

    Examples
    --------
    >>> resample(np.arange(5.0)[None], rigid_matrix(0.0, [0, 1.5]))
    array([[1.5, 2.5, 3.5, 0. , 0. ]])
    """
    func = "resample"
    volume, matrix = np.asarray(volume), np.asarray(matrix, dtype=np.float64)
    check_ndim(volume, (2, 3), "volume", func, "(X, Y) or (X, Y, Z)")
    d = volume.ndim
    if matrix.shape != (d + 1, d + 1):
        fail(
            func,
            f"matrix of shape {(d + 1, d + 1)} for a {d}D volume",
            f"shape {matrix.shape}",
        )
    if interpolation not in ("linear", "nearest"):
        fail(func, 'interpolation "linear" or "nearest"', repr(interpolation))
    if interpolation == "linear" and volume.dtype.kind != "f":
        volume = volume.astype(np.float64)
    return ndimage.affine_transform(
        volume,
        matrix[:d, :d],
        offset=matrix[:d, d],
        output_shape=output_shape,
        order=1 if interpolation == "linear" else 0,
        mode="constant",
        cval=cval,
    )


def phase_correlation(fixed, moving):
    """Estimate the whole-voxel shift between two images from their Fourier phases.

    Parameters
    ----------
    fixed, moving : ndarray of the same shape (any number of dims)

    Returns
    -------
    shift : int64 ndarray of shape (ndim,)
        ``t`` such that ``fixed[p] ~ moving[p + t]`` (indices taken circularly),
        each entry in ``(-n/2, n/2]``; ``resample(moving, rigid_matrix(0, t))``
        then lines ``moving`` up with ``fixed``.

    Notes
    -----
    Shifting an image multiplies its Fourier transform by a phase ramp. With
    ``F = fft(fixed)`` and ``G = fft(moving)``, the normalised cross-power
    spectrum ``R = conj(F) G / |conj(F) G|`` keeps only that ramp, and its
    inverse FFT is (ideally) a single spike at ``t`` (Kuglin and Hines 1975).
    Frequencies where ``|conj(F) G|`` is 0 contribute nothing.

    Examples
    --------
    >>> fixed = np.zeros((8, 8)); fixed[2:4, 3:6] = 1
    >>> moving = np.roll(fixed, (1, -2), axis=(0, 1))
    >>> phase_correlation(fixed, moving)
    array([ 1, -2])
    """
    func = "phase_correlation"
    fixed, moving = (
        np.asarray(fixed, dtype=np.float64),
        np.asarray(moving, dtype=np.float64),
    )
    if fixed.shape != moving.shape:
        fail(
            func,
            "fixed and moving of the same shape",
            f"{fixed.shape} and {moving.shape}",
        )

    # normalised cross-power spectrum, back to space, and its peak
    cross = np.conj(np.fft.fftn(fixed)) * np.fft.fftn(moving)
    magnitude = np.abs(cross)
    spectrum = np.divide(
        cross, magnitude, out=np.zeros_like(cross), where=magnitude > 1e-12
    )
    surface = np.fft.ifftn(spectrum).real
    peak = np.array(np.unravel_index(np.argmax(surface), surface.shape))

    # indices past the middle are negative shifts (the FFT wraps around)
    size = np.array(surface.shape)
    return np.where(peak > size // 2, peak - size, peak).astype(np.int64)


class RigidFit(NamedTuple):
    """The result of `estimate_rigid`."""

    matrix: np.ndarray  # (d + 1, d + 1), pulls moving onto fixed
    angles: np.ndarray  # (1,) in 2D, (3,) in 3D, radians
    shift: np.ndarray  # (d,), voxels
    losses: np.ndarray  # (levels * (steps + 1),) masked mean squared differences


def _rotation_derivatives(angles: np.ndarray) -> list[np.ndarray]:
    """Differentiate `rotation_matrix` by each angle (central differences)."""
    derivatives, step = [], 1e-6
    for k in range(len(angles)):
        delta = np.zeros_like(angles)
        delta[k] = step
        derivatives.append(
            (rotation_matrix(angles + delta) - rotation_matrix(angles - delta))
            / (2 * step)
        )
    return derivatives


def _params_matrix(params: np.ndarray, center: np.ndarray) -> np.ndarray:
    """Return the rigid matrix of the parameters ``(angles, shift)``."""
    d = len(center)
    angles, shift = params[: len(params) - d], params[len(params) - d :]
    return rigid_matrix(angles if d == 3 else angles[0], shift, center)


class _Level(NamedTuple):
    """One level of the coarse-to-fine schedule (see `_build_level`)."""

    target: np.ndarray  # (P,) fixed image at the sample points
    coords: np.ndarray  # (d, P) sample points p
    moving: np.ndarray  # moving image
    grads: list  # d arrays, its central differences
    valid: np.ndarray | None  # moving mask as floats (None: all valid)
    center: np.ndarray  # (d,) centre of rotation


def _sample_moving(level: _Level, params: np.ndarray):
    """Map the sample points through the transform; keep those with valid data.

    Returns ``keep`` (P,) bool, and at the kept points the moving image (P',),
    its gradient (d, P') and the offsets from the centre (d, P'). A point is
    kept when all ``2**d`` voxels around ``M p`` are in the valid mask.
    """
    matrix, d = _params_matrix(params, level.center), level.moving.ndim
    points = matrix[:d, :d] @ level.coords + matrix[:d, d:]  # (d, P) positions M p
    keep = np.ones(points.shape[1], dtype=bool)
    if level.valid is not None:
        keep = ndimage.map_coordinates(level.valid, points, order=1) > 1 - 1e-6
    points = points[:, keep]
    warped = ndimage.map_coordinates(level.moving, points, order=1, mode="nearest")
    slope = np.stack(
        [
            ndimage.map_coordinates(g, points, order=1, mode="nearest")
            for g in level.grads
        ]
    )  # (d, P')
    return keep, warped, slope, level.coords[:, keep] - level.center[:, None]


def _loss_and_gradient(level: _Level, params: np.ndarray):
    """Masked mean squared difference and its gradient for parameters (angles, shift).

    Only sample points whose image ``M p`` has valid data count, and the mean
    is over those points, so moving data out of view does not lower the loss.
    Returns ``(loss, gradient, n_valid)``.
    """
    keep, warped, slope, offsets = _sample_moving(level, params)
    n_valid = int(keep.sum())
    if n_valid == 0:
        return np.inf, np.zeros(len(params)), 0
    residual = warped - level.target[keep]  # (P',)

    # chain rule: dE/dparam = mean of 2 r(p) * grad moving(M p) . d(M p)/dparam
    weighted = 2 * slope * residual / n_valid  # (d, P')
    angles = params[: len(params) - len(level.center)]
    d_angles = [
        np.sum(weighted * (dr @ offsets)) for dr in _rotation_derivatives(angles)
    ]
    gradient = np.concatenate([d_angles, weighted.sum(axis=1)])
    return float(np.mean(residual**2)), gradient, n_valid


def estimate_rigid(
    fixed,
    moving,
    *,
    steps=100,
    learning_rate=0.5,
    smooth=1.0,
    initial_shift=None,
    sample_step=None,
    fixed_mask="auto",
    moving_mask="auto",
    shrink_factors=(4, 2, 1),
) -> RigidFit:
    """Find the rigid transform aligning ``moving`` to ``fixed``, coarse to fine.

    Parameters
    ----------
    fixed, moving : ndarray of the same 2D or 3D shape
        Two scans of the same head (same modality; intensities comparable).
    steps : int, default 100
        Gradient steps at each level of ``shrink_factors``.
    learning_rate : float
        Step size of the preconditioned gradient descent (see Notes).
    smooth : float, default 1.0
        Gaussian sigma (voxels) of the finest level; a level with shrink
        factor ``f`` smooths with ``f * smooth`` (0: no smoothing).
    initial_shift : sequence of d float, optional
        Starting shift; default `phase_correlation`'s estimate, or no shift if
        that fits worse at the coarsest level.
    sample_step : int, optional
        Compare the images on every ``sample_step``-th voxel along each axis
        (default 1 in 2D, 2 in 3D: 8 times fewer points, same answer for
        smooth images); a level with factor ``f`` uses ``max(sample_step, f)``.
    fixed_mask, moving_mask : "auto", None, or bool ndarray of the image's shape
        Where each image holds data. None: the whole grid. "auto": the whole
        grid, less the exact zeros connected to its border (the fill of a
        resliced scan) and one voxel next to them; zeros that both images share
        at the border (the background of two skull-stripped scans) are data.
    shrink_factors : sequence of int, default (4, 2, 1)
        Coarse-to-fine schedule; each level starts from the previous one's
        estimate, so motions of several voxels and degrees converge. ``(1,)``
        is a single level.

    Returns
    -------
    RigidFit
        ``matrix`` (pass to `resample` with ``moving``), the ``angles`` and
        ``shift`` (rotation about the middle of the grid, ``(shape - 1) / 2``)
        and the loss before every step, level after level: shape
        ``(len(shrink_factors) * (steps + 1),)``, ``losses[-1]`` the final one.

    Raises
    ------
    ValueError
        If the shapes differ, an option is invalid, or the valid regions stop
        overlapping.

    Notes
    -----
    Loss ``E = (1 / |V|) sum over p in V of (moving(M p) - fixed(p))**2``,
    ``moving`` interpolated linearly, ``V`` the sample points ``p`` inside the
    fixed mask whose image ``M p`` lies inside the moving mask: scans whose
    edges were filled with zeros are compared only where both hold data, as
    ITK's and ANTs' masked metrics do, and the mean over ``|V|`` gains nothing
    by moving data out of view. Smoothing is normalised, ``G * (I m) / G * m``,
    so the fill never bleeds into the data, and both masks (and the grid) are
    shrunk by ``2 sigma + 1`` voxels for ``V``, where the two smoothings would
    average different anatomy. The gradient with respect to each parameter
    ``theta_j`` is ``mean over V of 2 r(p) grad_moving(M p) . dM p /
    dtheta_j`` (``r`` the residual, ``grad_moving`` from central differences).
    Each step is ``theta_j -= learning_rate * dE/dtheta_j / h_j`` with
    ``h_j = 2 mean (grad_moving . dM p / dtheta_j)**2`` measured at the start
    of each level (a diagonal Gauss-Newton scaling, so a radian and a voxel get
    sensible step sizes).

    Examples
    --------
    >>> yy, xx = np.mgrid[:48, :48]
    >>> fixed = np.exp(-((xx - 20) ** 2 / 60 + (yy - 26) ** 2 / 20))
    >>> true = rigid_matrix(0.2, [2, -3], [23.5, 23.5])
    >>> moving = resample(fixed, np.linalg.inv(true))  # zero-filled edges
    >>> fit = estimate_rigid(fixed, moving, steps=200)
    >>> fit.angles.round(2), fit.shift.round(1), fit.losses.shape
    (array([0.2]), array([ 2., -3.]), (603,))
    """
    func = "estimate_rigid"
    fixed = np.asarray(fixed, dtype=np.float64)
    moving = np.asarray(moving, dtype=np.float64)
    check_ndim(fixed, (2, 3), "fixed", func, "(X, Y) or (X, Y, Z)")
    if fixed.shape != moving.shape:
        fail(
            func,
            "fixed and moving of the same shape",
            f"{fixed.shape} and {moving.shape}",
        )
    masks = _valid_masks((fixed, moving), (fixed_mask, moving_mask), func)
    d = fixed.ndim
    center = (np.array(fixed.shape, dtype=np.float64) - 1) / 2
    step = (1 if d == 2 else 2) if sample_step is None else int(sample_step)
    levels = [
        _build_level((fixed, moving), masks, f * smooth, max(step, f), center)
        for f in _check_factors(shrink_factors, func)
    ]
    if initial_shift is None:  # phase correlation, unless no shift fits better
        found = phase_correlation(fixed * masks[0], moving * masks[1])
        starts = [np.r_[np.zeros(d * 2 - 3), t] for t in (found, np.zeros(d))]
        params = min(starts, key=lambda p: _loss_and_gradient(levels[0], p)[0])
    else:
        params = np.r_[np.zeros(d * 2 - 3), np.asarray(initial_shift, dtype=np.float64)]
    losses = []
    for level in levels:
        params = _descend(level, params, steps, learning_rate, losses, func)
    angles, shift = params[: d * 2 - 3], params[d * 2 - 3 :]
    return RigidFit(_params_matrix(params, center), angles, shift, np.array(losses))


def _check_factors(shrink_factors, func: str) -> list[int]:
    """Return the shrink factors as a list of positive ints."""
    factors = np.atleast_1d(np.asarray(shrink_factors))
    ok = factors.ndim == 1 and factors.size > 0 and factors.dtype.kind in "iu"
    if not ok or np.any(factors < 1):
        expected = "shrink_factors a sequence of positive ints such as (4, 2, 1)"
        fail(func, expected, repr(shrink_factors))
    return [int(f) for f in factors]


def _valid_masks(images, masks, func: str) -> list[np.ndarray]:
    """Return the bool masks of the voxels holding data in ``fixed`` and ``moving``.

    "auto": the exact zeros touching the border are the fill of a resliced
    scan (no data), and so is one voxel next to them (blended with the fill),
    unless both images share most of them, as two skull-stripped scans share
    their background: then they are data, and every voxel counts.
    """
    fills = [_border_zeros(image) for image in images]
    counts = [int(fill.sum()) for fill in fills]
    shared = min(counts) > 0 and np.sum(fills[0] & fills[1]) > 0.5 * min(counts)
    out = []
    names = ("fixed", "moving")
    for image, mask, fill, name in zip(images, masks, fills, names, strict=True):
        if isinstance(mask, str) and mask == "auto":
            keep_all = shared or not fill.any()
            mask = None if keep_all else ndimage.binary_erosion(~fill, border_value=1)
        mask = np.ones(image.shape, dtype=bool) if mask is None else np.asarray(mask)
        if mask.shape != image.shape or mask.dtype.kind not in "biu":
            expected = (
                f'{name}_mask "auto", None, or a bool array of shape {image.shape}'
            )
            fail(func, expected, f"{mask.dtype} array of shape {mask.shape}")
        out.append(mask.astype(bool))
    return out


def _border_zeros(image: np.ndarray) -> np.ndarray:
    """Bool mask of the exact zeros connected to the border of the grid."""
    zero = image == 0
    if not zero.any():
        return zero
    components, _ = ndimage.label(zero)
    faces = [np.take(components, i, axis=a) for a in range(image.ndim) for i in (0, -1)]
    border = np.unique(np.concatenate([f.ravel() for f in faces]))
    return np.isin(components, border[border > 0])


def _smooth_inside(image: np.ndarray, mask: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing that ignores the voxels outside ``mask`` (and the grid).

    ``G * (image mask) / G * mask``: inside the mask an average of valid voxels
    only; just outside it, a smooth extension.
    """
    masked = np.where(mask, image, 0.0)
    if sigma <= 0:
        return masked
    weight = ndimage.gaussian_filter(mask * 1.0, sigma, mode="constant")
    blurred = ndimage.gaussian_filter(masked, sigma, mode="constant")
    return np.divide(blurred, weight, out=np.zeros_like(blurred), where=weight > 1e-6)


def _erode(mask: np.ndarray, margin: float) -> np.ndarray:
    """Shrink ``mask`` by ``ceil(margin)`` voxels, from the grid's edge too.

    At most a quarter of the shortest side, so that small volumes keep a core.
    """
    iterations = min(int(np.ceil(margin)), min(mask.shape) // 4)
    if iterations == 0:
        return mask
    return ndimage.binary_erosion(mask, iterations=iterations, border_value=0)


def _build_level(images, masks, sigma, step, center) -> _Level:
    """Smooth both images inside their masks; sample the fixed one.

    Only points at least ``2 sigma + 1`` voxels inside both masks (and the grid)
    count: nearer the edge the two smoothings would average different anatomy,
    and the central differences would see the fill.
    """
    (fixed, moving), (fixed_valid, moving_valid) = images, masks
    smoothed = _smooth_inside(moving, moving_valid, sigma)
    target, coords = _sample_points(_smooth_inside(fixed, fixed_valid, sigma), step)
    inside = _sample_points(_erode(fixed_valid, 2 * sigma + 1), step)[0]
    valid = _erode(moving_valid, 2 * sigma + 1).astype(np.float64)
    return _Level(
        target[inside],
        coords[:, inside],
        smoothed,
        np.gradient(smoothed),
        valid,
        center,
    )


def _descend(level: _Level, params, steps, learning_rate, losses, func: str):
    """Run ``steps`` preconditioned gradient steps; append each loss to ``losses``."""
    scale = _diagonal_scale(level, params)
    for k in range(steps + 1):
        loss, gradient, n_valid = _loss_and_gradient(level, params)
        if n_valid == 0:
            fail(
                func,
                "fixed and moving whose valid regions overlap",
                "no overlap",
                "Check the masks, or pass initial_shift.",
            )
        losses.append(loss)
        if k < steps:
            params = params - learning_rate * gradient / scale
    return params


def _sample_points(fixed: np.ndarray, step: int):
    """Return the fixed image at every ``step``-th voxel (P,) and its coords (d, P)."""
    grid = tuple(slice(None, None, step) for _ in range(fixed.ndim))
    coords = np.indices(fixed.shape, dtype=np.float64)[(slice(None), *grid)]
    return fixed[grid].ravel(), coords.reshape(fixed.ndim, -1)


def _diagonal_scale(level: _Level, params: np.ndarray) -> np.ndarray:
    """h_j = 2 mean (grad moving . d(M p)/d theta_j)**2 at ``params`` (never 0)."""
    _, _, slope, offsets = _sample_moving(level, params)
    angles = params[: len(params) - len(level.center)]
    columns = [
        np.sum(slope * (dr @ offsets), axis=0) for dr in _rotation_derivatives(angles)
    ]
    columns += list(slope)
    scale = np.array([2 * np.mean(c**2) if c.size else 0.0 for c in columns])
    return np.maximum(scale, 1e-12 * max(scale.max(), 1e-300))
