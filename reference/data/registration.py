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
    losses: np.ndarray  # (steps + 1,) mean squared difference before each step


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


def _loss_and_gradient(target, moving, grads, coords, center, params, n_angles):
    """Mean squared difference and its gradient for parameters (angles, shift).

    ``target`` holds the fixed image at the sample points ``coords`` (d, P).
    """
    angles, shift = params[:n_angles], params[n_angles:]
    matrix = rigid_matrix(angles if n_angles > 1 else angles[0], shift, center)
    d = moving.ndim
    points = matrix[:d, :d] @ coords + matrix[:d, d:]  # (d, P) sample positions
    warped = ndimage.map_coordinates(moving, points, order=1, mode="nearest")
    residual = warped - target  # (P,)

    # chain rule: dE/dparam = mean of 2 r(p) * grad moving(M p) . d(M p)/dparam
    slope = np.stack(
        [ndimage.map_coordinates(g, points, order=1, mode="nearest") for g in grads]
    )  # (d, P)
    weighted = 2 * slope * residual / residual.size  # (d, P)
    d_shift = weighted.sum(axis=1)
    offsets = coords - center[:, None]  # (d, P)
    d_angles = [
        np.sum(weighted * (dr @ offsets)) for dr in _rotation_derivatives(angles)
    ]
    return float(np.mean(residual**2)), np.concatenate([d_angles, d_shift])


def estimate_rigid(
    fixed,
    moving,
    *,
    steps=300,
    learning_rate=0.5,
    smooth=1.0,
    initial_shift=None,
    sample_step=None,
) -> RigidFit:
    """Find the rigid transform aligning ``moving`` to ``fixed`` by gradient descent.

    Parameters
    ----------
    fixed, moving : ndarray of the same 2D or 3D shape
        Two scans of the same head (same modality; intensities comparable).
    steps : int
        Gradient steps.
    learning_rate : float
        Step size of the preconditioned gradient descent (see Notes).
    smooth : float
        Gaussian sigma (voxels) applied to both images first: a smoother
        loss surface, so larger misalignments are recovered.
    initial_shift : sequence of d float, optional
        Starting shift; default `phase_correlation`'s estimate.
    sample_step : int, optional
        Compare the images on every ``sample_step``-th voxel along each axis
        (default 1 in 2D, 2 in 3D: 8 times fewer points, same answer for
        smooth images).

    Returns
    -------
    RigidFit
        ``matrix`` (pass to `resample` with ``moving``), the ``angles`` and
        ``shift`` (rotation about the middle of the grid, ``(shape - 1) / 2``)
        and the loss before every step (``losses[-1]`` is the final one).

    Notes
    -----
    Loss ``E = mean over p of (moving(M p) - fixed(p))**2`` with ``moving``
    interpolated linearly. Its gradient with respect to each parameter
    ``theta_j`` is ``mean over p of 2 r(p) grad_moving(M p) . dM p / dtheta_j``
    (``r`` the residual, ``grad_moving`` from central differences). Each step
    is ``theta_j -= learning_rate * dE/dtheta_j / h_j`` with
    ``h_j = 2 mean (grad_moving . dM p / dtheta_j)**2`` measured at the start
    (a diagonal Gauss-Newton scaling, so a radian and a voxel get sensible
    step sizes).

    Examples
    --------
    >>> yy, xx = np.mgrid[:48, :48]
    >>> fixed = np.exp(-((xx - 20) ** 2 / 60 + (yy - 26) ** 2 / 20))
    >>> true = rigid_matrix(0.2, [2, -3], [23.5, 23.5])
    >>> moving = resample(fixed, np.linalg.inv(true))
    >>> fit = estimate_rigid(fixed, moving, steps=200)
    >>> fit.angles.round(2), fit.shift.round(1)
    (array([0.2]), array([ 2., -3.]))
    """
    func = "estimate_rigid"
    fixed = np.asarray(fixed, dtype=np.float64)
    moving = np.asarray(moving, dtype=np.float64)
    check_ndim(fixed, (2, 3), "fixed", func, "(X, Y) or (X, Y, Z)")
    if fixed.shape != moving.shape:
        fail(func, "fixed and moving of the same shape",
             f"{fixed.shape} and {moving.shape}")
    d = fixed.ndim
    n_angles = 1 if d == 2 else 3

    # smooth both, then sample the fixed image and the moving image's gradient
    if smooth > 0:
        fixed = ndimage.gaussian_filter(fixed, smooth)
        moving = ndimage.gaussian_filter(moving, smooth)
    step = (1 if d == 2 else 2) if sample_step is None else int(sample_step)
    target, coords = _sample_points(fixed, step)
    grads = np.gradient(moving)
    center = (np.array(fixed.shape, dtype=np.float64) - 1) / 2
    shift = phase_correlation(fixed, moving) if initial_shift is None else initial_shift
    params = np.concatenate([np.zeros(n_angles), np.asarray(shift, dtype=np.float64)])

    # diagonal Gauss-Newton scale h_j, measured once at the start; then descend
    scale = _diagonal_scale(moving, grads, coords, center, params, n_angles)
    losses = []
    for _ in range(steps + 1):
        loss, gradient = _loss_and_gradient(target, moving, grads, coords, center,
                                            params, n_angles)
        losses.append(loss)
        if len(losses) <= steps:
            params = params - learning_rate * gradient / scale
    angles, shift = params[:n_angles], params[n_angles:]
    matrix = rigid_matrix(angles if d == 3 else angles[0], shift, center)
    return RigidFit(matrix, angles, shift, np.array(losses))


def _sample_points(fixed: np.ndarray, step: int):
    """Return the fixed image at every ``step``-th voxel (P,) and its coords (d, P)."""
    grid = tuple(slice(None, None, step) for _ in range(fixed.ndim))
    coords = np.indices(fixed.shape, dtype=np.float64)[(slice(None), *grid)]
    return fixed[grid].ravel(), coords.reshape(fixed.ndim, -1)


def _diagonal_scale(moving, grads, coords, center, params, n_angles):
    """h_j = 2 mean (grad moving . d(M p)/d theta_j)**2 at ``params`` (never 0)."""
    angles, shift = params[:n_angles], params[n_angles:]
    matrix = rigid_matrix(angles if n_angles > 1 else angles[0], shift, center)
    d = moving.ndim
    points = matrix[:d, :d] @ coords + matrix[:d, d:]
    slope = np.stack(
        [ndimage.map_coordinates(g, points, order=1, mode="nearest") for g in grads]
    )  # (d, P)
    offsets = coords - center[:, None]
    columns = [
        np.sum(slope * (dr @ offsets), axis=0) for dr in _rotation_derivatives(angles)
    ]
    columns += list(slope)
    scale = np.array([2 * np.mean(c**2) for c in columns])
    return np.maximum(scale, 1e-12 * max(scale.max(), 1e-300))
