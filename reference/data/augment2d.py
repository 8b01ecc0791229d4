"""Label-preserving augmentation of 2D images (chest X-rays): small, realistic changes.

Public names: `shift_image`, `adjust_contrast`, `horizontal_flip`,
`rotate_zoom`, `random_augment`.

An augmentation must keep the label true. A chest X-ray that is shifted by a
few pixels, rotated by a few degrees, zoomed by a few percent or exposed a
little differently shows the same findings, because real acquisitions vary in
exactly these ways (patient position, distance, exposure).

Why horizontal flips are *off* by default: a flipped chest X-ray puts the heart
on the right, the aortic knob and the stomach bubble on the wrong side. That
anatomy (dextrocardia, situs inversus) is rare and is itself a finding, so a
flipped image is not a plausible image with the same labels; a model trained on
them may learn that a right-sided heart is normal, and side-specific findings
(a left effusion) change meaning. Flip only when the task really is
left-right symmetric (``random_augment(..., flip=True)``).

Images are ``(H, W)`` or channels-first ``(..., H, W)``: every function acts on
the last two axes. Randomness comes from an explicit ``rng``; nothing mutates
its input and the floating dtype is preserved.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from reference._validation import as_float_array, check_finite, fail

__all__ = [
    "adjust_contrast",
    "horizontal_flip",
    "random_augment",
    "rotate_zoom",
    "shift_image",
]


def _image(image, func: str) -> np.ndarray:
    """Return ``image`` as a float array with at least 2 dims (..., H, W)."""
    arr = as_float_array(image, "image", func)
    if arr.ndim < 2:
        fail(func, "image with at least 2 dims (..., H, W)", f"shape {arr.shape}")
    check_finite(arr, "image", func)
    return arr


def shift_image(image, dy: int, dx: int, fill: float = 0.0) -> np.ndarray:
    """Shift an image by whole pixels; the uncovered border gets ``fill`` (no wrap).

    Parameters
    ----------
    image : array-like of shape (H, W) or (..., H, W)
    dy, dx : int
        Pixels to move the content down (dy > 0) and right (dx > 0); negative
        values move it up and left.
    fill : float, default 0.0
        Value of the pixels that were uncovered.

    Returns
    -------
    out : ndarray, image's shape and floating dtype

    Notes
    -----
    ``out[..., i, j] = image[..., i - dy, j - dx]`` where that index is inside the
    image, else ``fill``.

    Examples
    --------
    >>> shift_image(np.array([[1.0, 2.0], [3.0, 4.0]]), 1, 0)
    array([[0., 0.],
           [1., 2.]])
    """
    arr = _image(image, "shift_image")
    if not all(isinstance(v, (int, np.integer)) for v in (dy, dx)):
        fail(
            "shift_image",
            "dy and dx as whole numbers of pixels",
            f"{dy!r}, {dx!r}",
            "Round them first, or use rotate_zoom for sub-pixel shifts.",
        )
    height, width = arr.shape[-2:]
    out = np.full_like(arr, fill)
    # the destination window and the source window of the part that stays visible
    dst_y = slice(max(dy, 0), height + min(dy, 0))
    dst_x = slice(max(dx, 0), width + min(dx, 0))
    src_y = slice(max(-dy, 0), height + min(-dy, 0))
    src_x = slice(max(-dx, 0), width + min(-dx, 0))
    if abs(dy) < height and abs(dx) < width:
        out[..., dst_y, dst_x] = arr[..., src_y, src_x]
    return out


def adjust_contrast(image, factor: float) -> np.ndarray:
    """Scale the contrast of an image around its own mean.

    Parameters
    ----------
    image : array-like of shape (H, W) or (..., H, W)
    factor : float
        > 1 increases, < 1 decreases the contrast; 1 leaves the image unchanged.

    Returns
    -------
    out : ndarray, image's shape and floating dtype

    Notes
    -----
    With m the mean of each (H, W) image:
    ``out[..., i, j] = m + factor * (image[..., i, j] - m)``. The mean is kept,
    the standard deviation is multiplied by ``|factor|``. Values are not clipped.

    Examples
    --------
    >>> adjust_contrast(np.array([[0.0, 1.0]]), 2.0)
    array([[-0.5,  1.5]])
    """
    arr = _image(image, "adjust_contrast")
    if not np.isscalar(factor) or not np.isfinite(factor):
        fail("adjust_contrast", "factor a finite number", repr(factor))
    mean = np.mean(arr, axis=(-2, -1), keepdims=True)
    return (mean + factor * (arr - mean)).astype(arr.dtype, copy=False)


def horizontal_flip(image) -> np.ndarray:
    """Mirror an image left to right (see the module notes: off by default for CXR).

    Examples
    --------
    >>> horizontal_flip(np.array([[1.0, 2.0, 3.0]]))
    array([[3., 2., 1.]])
    """
    return _image(image, "horizontal_flip")[..., ::-1].copy()


def rotate_zoom(
    image,
    angle: float = 0.0,
    zoom: float = 1.0,
    shift: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """Rotate, zoom and shift an image about its centre (bilinear, edges repeated).

    Parameters
    ----------
    image : array-like of shape (H, W) or (..., H, W)
    angle : float, default 0
        Counter-clockwise rotation in degrees (as the image is displayed).
    zoom : float, default 1
        > 1 magnifies (the content grows), < 1 shrinks.
    shift : (float, float), default (0, 0)
        Move of the content in pixels (down, right), after rotation and zoom.

    Returns
    -------
    out : ndarray, image's shape and floating dtype

    Notes
    -----
    Each output pixel p (row, column) samples the input at
    ``c + R(angle)^-1 (p - c - shift) / zoom`` (c the centre), by bilinear
    interpolation; outside the image the nearest edge value is used
    (`scipy.ndimage.affine_transform`, ``order=1, mode="nearest"``).

    Examples
    --------
    >>> rotate_zoom(np.arange(9.0).reshape(3, 3), angle=0.0, zoom=1.0)
    array([[0., 1., 2.],
           [3., 4., 5.],
           [6., 7., 8.]])
    """
    arr = _image(image, "rotate_zoom")
    if not zoom > 0:
        fail("rotate_zoom", "zoom > 0", repr(zoom))
    theta = np.deg2rad(angle)
    # output -> input map in (row, column) coordinates; rows grow downwards
    matrix = (
        np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
        / zoom
    )
    centre = (np.array(arr.shape[-2:]) - 1) / 2
    offset = centre - matrix @ (centre + np.asarray(shift, dtype=np.float64))
    flat = arr.reshape(-1, *arr.shape[-2:])  # (B, H, W)
    out = np.stack(
        [
            ndimage.affine_transform(plane, matrix, offset, order=1, mode="nearest")
            for plane in flat
        ]
    )
    return out.reshape(arr.shape).astype(arr.dtype, copy=False)


def random_augment(
    images,
    rng: np.random.Generator,
    *,
    max_rotation: float = 5.0,
    max_shift: float = 0.05,
    zoom_range=(0.95, 1.05),
    contrast_range=(0.9, 1.1),
    flip: bool = False,
) -> np.ndarray:
    """Apply a random small rotation, zoom, shift and contrast change to each image.

    Parameters
    ----------
    images : array-like of shape (N, C, H, W)
        A batch; each image (all its channels together) gets its own draw.
    rng : numpy.random.Generator
        The source of randomness (same generator state -> same output).
    max_rotation : float, default 5
        Angles are uniform in [-max_rotation, max_rotation] degrees.
    max_shift : float, default 0.05
        Shifts are uniform in +- max_shift * (H, W) pixels.
    zoom_range, contrast_range : (float, float)
        Uniform ranges of the zoom and the contrast factor.
    flip : bool, default False
        Mirror half of the images left-right (opt-in; see the module notes).

    Returns
    -------
    out : ndarray, images' shape and floating dtype
        The labels of each image are unchanged, so they need no copy.

    Examples
    --------
    >>> x = np.zeros((2, 1, 8, 8)); x[:, :, 3:5, 3:5] = 1.0
    >>> random_augment(x, np.random.default_rng(0)).shape
    (2, 1, 8, 8)
    """
    arr = _image(images, "random_augment")
    if arr.ndim != 4:
        fail("random_augment", "images with 4 dims (N, C, H, W)", f"shape {arr.shape}")
    if not isinstance(rng, np.random.Generator):
        fail(
            "random_augment",
            "rng a numpy.random.Generator",
            type(rng).__name__,
            "Make one with np.random.default_rng(seed).",
            kind=TypeError,
        )
    out = np.empty_like(arr)
    height, width = arr.shape[-2:]
    for n, image in enumerate(arr):
        # draw this image's parameters, then apply geometry and contrast
        angle = rng.uniform(-max_rotation, max_rotation)
        zoom = rng.uniform(*zoom_range)
        shift = rng.uniform(-max_shift, max_shift, size=2) * (height, width)
        factor = rng.uniform(*contrast_range)
        moved = rotate_zoom(image, angle, zoom, tuple(shift))
        out[n] = adjust_contrast(moved, factor)
        if flip and rng.random() < 0.5:
            out[n] = out[n][..., ::-1]
    return out
