"""MRI patches for training and whole-volume prediction: sampling, scaling, augmenting.

Public names: `get_sub_volume`, `standardize`, `apply_augmentation`, `augment3d`,
`tile_starts`, `stitch_tiles`, `predict_tiled`.

Shapes: a BraTS volume as stored on disk is channels-last, ``image (X, Y, Z, C)``
with ``label (X, Y, Z)`` holding class indices (0 background, 1 edema,
2 non-enhancing tumour, 3 enhancing tumour). `get_sub_volume` cuts a patch and
returns it channels-first, ``(C, x, y, z)``, as every later step (and
`reference.nn.UNet`) expects; everything after it works channels-first.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np

from reference._validation import check_ndim, fail

__all__ = [
    "apply_augmentation",
    "augment3d",
    "get_sub_volume",
    "predict_tiled",
    "standardize",
    "stitch_tiles",
    "tile_starts",
]


def _check_sizes(func: str, image: np.ndarray, label: np.ndarray, orig, output) -> None:
    """Check that the patch fits in the sampled range and the range in the volume."""
    check_ndim(
        image,
        4,
        "image",
        func,
        "(X, Y, Z, C)",
        "The image is channels-last as stored in the NIfTI files.",
    )
    check_ndim(label, 3, "label", func, "(X, Y, Z) of class indices")
    for axis, (o, p) in enumerate(zip(orig, output, strict=True)):
        name = "xyz"[axis]
        if not 0 < p <= o:
            fail(
                func,
                f"0 < output_{name} <= orig_{name}",
                f"output_{name}={p}, orig_{name}={o}",
            )
        if o > image.shape[axis] or o > label.shape[axis]:
            fail(
                func,
                f"orig_{name} <= the volume's size along {name}, "
                f"{min(image.shape[axis], label.shape[axis])}",
                f"orig_{name}={o}",
            )


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
    *,
    rng=None,
):
    """Cut a random patch that holds enough tumour, as the course does.

    Parameters
    ----------
    image : ndarray of shape (X, Y, Z, C)
        The volume, channels-last (as stored on disk).
    label : ndarray of shape (X, Y, Z), integers in [0, num_classes)
        Class index of every voxel.
    orig_x, orig_y, orig_z : int
        The range the corner is drawn from (the volume's size).
    output_x, output_y, output_z : int
        Patch size.
    num_classes : int
        Number of classes including the background (4 for BraTS).
    max_tries : int
        Corners to try before giving up.
    background_threshold : float
        A patch is accepted when its background fraction is below this.
    rng : numpy.random.Generator, optional
        Source of the corners (``rng.integers(0, high)``). When omitted the
        legacy global ``np.random.randint`` is used exactly as the course does,
        so ``np.random.seed(s)`` reproduces the course's own outputs.

    Returns
    -------
    X : ndarray of shape (C, output_x, output_y, output_z), image's dtype
        The image patch, channels-first.
    y : float32 ndarray of shape (num_classes - 1, output_x, output_y, output_z)
        The one-hot label patch without the background channel.
    None
        Instead of ``(X, y)`` when no accepted patch was found in ``max_tries``
        tries (a `RuntimeWarning` says so).

    Notes
    -----
    Each try draws ``start_x = randint(0, orig_x - output_x + 1)``, then
    ``start_y``, then ``start_z`` likewise, one-hot encodes
    ``label[start_x : start_x + output_x, ...]`` into ``(x, y, z, num_classes)``
    and accepts the patch when ``sum of onehot[..., 0] / (output_x * output_y *
    output_z) < background_threshold``.

    Examples
    --------
    >>> image = np.arange(2 * 2 * 2, dtype=np.float32).reshape(2, 2, 2, 1)
    >>> label = np.ones((2, 2, 2), dtype=np.uint8)
    >>> X, y = get_sub_volume(image, label, 2, 2, 2, 1, 1, 1, num_classes=2,
    ...                       rng=np.random.default_rng(0))
    >>> X.shape, y.shape, y.dtype
    ((1, 1, 1, 1), (1, 1, 1, 1), dtype('float32'))
    """
    func = "get_sub_volume"
    image, label = np.asarray(image), np.asarray(label)
    orig, output = (orig_x, orig_y, orig_z), (output_x, output_y, output_z)
    _check_sizes(func, image, label, orig, output)
    if label.size and (label.min() < 0 or label.max() >= num_classes):
        fail(
            func,
            f"label values in [0, {num_classes})",
            f"values in [{label.min()}, {label.max()}]",
        )

    voxels = output_x * output_y * output_z
    for _ in range(max_tries):
        # draw the corner x, then y, then z (the course's order)
        if rng is None:
            # the course's legacy global RNG, so np.random.seed reproduces its outputs
            start = [
                np.random.randint(0, o - p + 1)  # noqa: NPY002
                for o, p in zip(orig, output, strict=True)
            ]
        else:
            start = [
                int(rng.integers(0, o - p + 1))
                for o, p in zip(orig, output, strict=True)
            ]
        window = tuple(slice(s, s + p) for s, p in zip(start, output, strict=True))

        # one-hot encode the label patch: (x, y, z) -> (x, y, z, num_classes)
        onehot = np.eye(num_classes, dtype=np.float32)[label[window].astype(np.intp)]
        if onehot[..., 0].sum() / voxels < background_threshold:
            patch = np.moveaxis(image[window], 3, 0)  # (C, x, y, z)
            classes = np.moveaxis(onehot, 3, 0)[1:]  # (num_classes - 1, x, y, z)
            return np.ascontiguousarray(patch), np.ascontiguousarray(classes)
    warnings.warn(
        f"{func}: tried {max_tries} times to find a sub-volume. Giving up...",
        RuntimeWarning,
        stacklevel=2,
    )
    return None


def standardize(image):
    """Scale every z-slice of every channel to mean 0 and standard deviation 1.

    Parameters
    ----------
    image : ndarray of shape (C, x, y, z)
        A channels-first patch.

    Returns
    -------
    standardized : float64 ndarray of shape (C, x, y, z)
        ``(image[c, :, :, k] - mean) / std`` with the mean and (population)
        standard deviation of that slice; a slice whose std is 0 is only
        centred (it becomes zeros), never divided by 0.

    Notes
    -----
    ``out[c, i, j, k] = (image[c, i, j, k] - m[c, k]) / s[c, k]`` with
    ``m[c, k] = mean over i, j of image[c, i, j, k]`` and ``s[c, k]`` the std of
    the centred slice (``s = 1`` is used where it is 0). The course writes the
    result into a ``np.zeros`` buffer, so the output is float64 whatever the
    input dtype.

    Examples
    --------
    >>> image = np.array([1.0, 3.0, 5.0, 5.0]).reshape(1, 2, 2, 1)
    >>> standardize(image)[0, :, :, 0]
    array([[-1.50755672, -0.30151134],
           [ 0.90453403,  0.90453403]])
    """
    func = "standardize"
    image = np.asarray(image)
    check_ndim(
        image,
        4,
        "image",
        func,
        "(C, x, y, z)",
        "Move the channels first (get_sub_volume returns them so).",
    )
    if image.dtype.kind not in "biuf":
        fail(func, "image with a numeric dtype", f"dtype {image.dtype}", kind=TypeError)
    values = image.astype(np.float64)

    # centre each (channel, z) slice, then scale by its std where that is not 0
    centred = values - values.mean(axis=(1, 2), keepdims=True)
    std = centred.std(axis=(1, 2), keepdims=True)
    return centred / np.where(std != 0, std, 1.0)


def apply_augmentation(image, label, flip_axes=(), rotations=0, scale=1.0):
    """Flip and rotate an image and its label map together; scale the image only.

    Parameters
    ----------
    image : ndarray of shape (C, X, Y, Z)
        Channels-first volume.
    label : ndarray of shape (X, Y, Z) or (K, X, Y, Z)
        Class indices or one-hot channels, on the same grid as ``image``.
    flip_axes : sequence of int in {0, 1, 2}
        Spatial axes to reverse (0 is x, 1 is y, 2 is z), never the channels.
    rotations : int
        Number of quarter turns in the x-y plane, from x towards y
        (``np.rot90`` on the (x, y) axes; negative turns the other way).
    scale : float
        Intensity factor applied to the image only (labels are categories).

    Returns
    -------
    image_out : ndarray of shape (C, X, Y, Z), or (C, Y, X, Z) for an odd number
        of quarter turns; the image's dtype
    label_out : ndarray, label's dtype, on the same grid as ``image_out``

    Notes
    -----
    Flips first, then the rotation, then the scaling: with ``t`` the spatial
    transform, ``image_out[c] = scale * t(image[c])`` and ``label_out = t(label)``.

    Examples
    --------
    >>> image = np.arange(4.0).reshape(1, 2, 2, 1)
    >>> label = np.array([[1, 0], [0, 0]]).reshape(2, 2, 1)
    >>> out, lab = apply_augmentation(image, label, flip_axes=(0,), scale=2.0)
    >>> out[0, :, :, 0], lab[:, :, 0]
    (array([[4., 6.],
           [0., 2.]]), array([[0, 0],
           [1, 0]]))
    """
    func = "apply_augmentation"
    image, label = np.asarray(image), np.asarray(label)
    check_ndim(image, 4, "image", func, "(C, X, Y, Z)")
    check_ndim(label, (3, 4), "label", func, "(X, Y, Z) or (K, X, Y, Z)")
    if label.shape[-3:] != image.shape[1:]:
        fail(
            func,
            f"label on the image's grid {image.shape[1:]}",
            f"label shape {label.shape}",
        )
    flips = tuple(int(a) for a in flip_axes)
    if any(a not in (0, 1, 2) for a in flips):
        fail(
            func,
            "flip_axes among the spatial axes 0 (x), 1 (y), 2 (z)",
            repr(flip_axes),
        )

    # spatial axes start at 1 in the image and at label.ndim - 3 in the label
    offset = label.ndim - 3
    for axis in flips:
        image, label = np.flip(image, 1 + axis), np.flip(label, offset + axis)
    image = np.rot90(image, int(rotations), axes=(1, 2))
    label = np.rot90(label, int(rotations), axes=(offset, offset + 1))
    image = (
        image * np.asarray(scale, dtype=image.dtype)
        if image.dtype.kind == "f"
        else image * scale
    )
    return np.ascontiguousarray(image), np.ascontiguousarray(label)


def augment3d(image, label, *, rng, flip_axes=(0, 1, 2), rotate=True, intensity=0.1):
    """Draw a random flip/rotation/intensity change and apply it to both arrays.

    Parameters
    ----------
    image : ndarray of shape (C, X, Y, Z)
    label : ndarray of shape (X, Y, Z) or (K, X, Y, Z)
    rng : numpy.random.Generator
        The only source of randomness.
    flip_axes : sequence of int
        Spatial axes that may be flipped, each with probability 1/2.
    rotate : bool
        Draw 0 to 3 quarter turns in the x-y plane (needs X == Y to keep shapes).
    intensity : float
        The image is multiplied by a factor drawn uniformly from
        ``[1 - intensity, 1 + intensity]``.

    Returns
    -------
    image_out, label_out : ndarray
        As `apply_augmentation` returns them.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> image, label = np.ones((2, 4, 4, 3), np.float32), np.zeros((4, 4, 3), np.uint8)
    >>> out, lab = augment3d(image, label, rng=rng)
    >>> out.shape, out.dtype, lab.shape
    ((2, 4, 4, 3), dtype('float32'), (4, 4, 3))
    """
    flips = [a for a in flip_axes if rng.random() < 0.5]
    rotations = int(rng.integers(0, 4)) if rotate else 0
    scale = float(rng.uniform(1.0 - intensity, 1.0 + intensity))
    return apply_augmentation(image, label, flips, rotations, scale)


def tile_starts(size, patch, stride):
    """Return the start of every tile along one axis so that the tiles cover it.

    Parameters
    ----------
    size : int
        Length of the axis.
    patch : int
        Tile length (``patch <= size``).
    stride : int
        Distance between consecutive starts (``stride < patch`` overlaps).

    Returns
    -------
    starts : list of int
        ``0, stride, 2 stride, ...`` while the tile fits, then one last tile
        flush with the end (``size - patch``) if the axis is not yet covered.

    Examples
    --------
    >>> tile_starts(10, 4, 3)
    [0, 3, 6]
    >>> tile_starts(11, 4, 3)
    [0, 3, 6, 7]
    """
    func = "tile_starts"
    if not 0 < patch <= size:
        fail(
            func,
            "0 < patch <= size",
            f"patch={patch}, size={size}",
            "predict_tiled pads volumes smaller than the patch.",
        )
    if stride < 1:
        fail(func, "stride >= 1", f"stride={stride}")
    starts = list(range(0, size - patch + 1, stride))
    if starts[-1] != size - patch:
        starts.append(size - patch)
    return starts


def stitch_tiles(tiles, corners, shape):
    """Average overlapping tile predictions back into one volume.

    Parameters
    ----------
    tiles : ndarray of shape (n, K, px, py, pz)
        One prediction per tile.
    corners : int array of shape (n, 3)
        The tile's first voxel ``(x0, y0, z0)`` in the volume.
    shape : tuple of 3 int
        The volume's spatial shape ``(X, Y, Z)``.

    Returns
    -------
    volume : ndarray of shape (K, X, Y, Z), the tiles' floating dtype
        ``volume[:, v] = sum of the tiles covering v / number of them``; voxels
        covered by no tile are 0.

    Examples
    --------
    >>> tiles = np.stack([np.full((1, 2, 1, 1), 1.0), np.full((1, 2, 1, 1), 3.0)])
    >>> stitch_tiles(tiles, [[0, 0, 0], [1, 0, 0]], (3, 1, 1))[0, :, 0, 0]
    array([1., 2., 3.])
    """
    func = "stitch_tiles"
    tiles, corners = np.asarray(tiles), np.asarray(corners)
    check_ndim(tiles, 5, "tiles", func, "(n, K, px, py, pz)")
    if corners.shape != (len(tiles), 3):
        fail(func, f"corners of shape ({len(tiles)}, 3)", f"shape {corners.shape}")
    dtype = tiles.dtype if tiles.dtype.kind == "f" else np.float64
    total = np.zeros((tiles.shape[1], *shape), dtype=dtype)
    count = np.zeros(tuple(shape), dtype=dtype)

    # add every tile into its window and count the tiles covering each voxel
    for tile, corner in zip(tiles, corners, strict=True):
        window = tuple(
            slice(int(c), int(c) + p)
            for c, p in zip(corner, tile.shape[1:], strict=True)
        )
        total[(slice(None), *window)] += tile
        count[window] += 1
    return total / np.maximum(count, 1)


def predict_tiled(
    predict_fn, image, patch=(160, 160, 16), overlap=0.25, *, batch_size=1
):
    """Predict a whole volume with a patch model by overlapping tiles.

    Parameters
    ----------
    predict_fn : callable
        Maps a batch ``(n, C, px, py, pz)`` to ``(n, K, px, py, pz)`` (a model's
        ``forward``, probabilities or logits). For a function of one patch
        ``(C, px, py, pz) -> (K, px, py, pz)`` pass
        ``lambda b: np.stack([f(p) for p in b])``.
    image : ndarray of shape (C, X, Y, Z)
        Standardised, channels-first volume.
    patch : tuple of 3 int
        Tile size.
    overlap : float in [0, 1)
        Fraction of a tile shared with its neighbour; the stride along each
        axis is ``max(1, round(patch * (1 - overlap)))``.
    batch_size : int
        Tiles per call of ``predict_fn``.

    Returns
    -------
    prediction : ndarray of shape (K, X, Y, Z)
        The tiles' outputs averaged where they overlap (`stitch_tiles`).

    Notes
    -----
    An axis shorter than its patch is zero-padded at the end (zero is the mean
    of a standardised image) and cropped back afterwards.

    Examples
    --------
    >>> image = np.random.default_rng(0).normal(size=(2, 10, 9, 5))
    >>> doubled = predict_tiled(lambda b: 2 * b[:, :1], image, patch=(4, 4, 4))
    >>> np.allclose(doubled, 2 * image[:1])
    True
    """
    func = "predict_tiled"
    image = np.asarray(image)
    check_ndim(image, 4, "image", func, "(C, X, Y, Z)")
    if not 0 <= overlap < 1:
        fail(func, "overlap in [0, 1)", repr(overlap))
    shape = image.shape[1:]
    patch = tuple(int(p) for p in patch)

    # pad short axes up to the patch, then list the tile corners
    padded = np.pad(
        image,
        [(0, 0)] + [(0, max(0, p - s)) for p, s in zip(patch, shape, strict=True)],
    )
    strides = [max(1, round(p * (1 - overlap))) for p in patch]
    starts = [
        tile_starts(s, p, st)
        for s, p, st in zip(padded.shape[1:], patch, strides, strict=True)
    ]
    corners = np.array(list(itertools.product(*starts)), dtype=np.intp)  # (n, 3)

    # predict the tiles batch by batch
    outputs = []
    for first in range(0, len(corners), batch_size):
        batch = np.stack(
            [
                padded[
                    (
                        slice(None),
                        *(slice(c, c + p) for c, p in zip(cs, patch, strict=True)),
                    )
                ]
                for cs in corners[first : first + batch_size]
            ]
        )
        out = np.asarray(predict_fn(batch))
        if out.ndim != 5 or out.shape[0] != len(batch) or out.shape[2:] != patch:
            fail(
                func,
                f"predict_fn to return (n, K, *{patch}) for n={len(batch)}",
                f"shape {out.shape}",
            )
        outputs.append(out)
    volume = stitch_tiles(np.concatenate(outputs), corners, padded.shape[1:])
    return volume[(slice(None), *(slice(0, s) for s in shape))]
