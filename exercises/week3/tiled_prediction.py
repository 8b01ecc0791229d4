"""Whole-volume prediction from a patch model: overlapping tiles, stitched back.

A U-Net trained on 160 x 160 x 16 patches cannot take a 240 x 240 x 155 volume in
one go (memory), and a prediction cut at a patch border is poor: the voxels near
a tile's edge see little context. So the volume is covered by tiles that
overlap, each tile is predicted, and every voxel gets the *average* of the
predictions of all tiles that cover it.

Two steps are yours:

1. `tile_starts`: where the tiles start along one axis, so that they cover it.
2. `stitch_tiles`: add the tiles' predictions into the volume and divide by how
   many tiles covered each voxel.

`predict_tiled` (given) puts them together around any model.
"""

import itertools

import numpy as np

__all__ = ["predict_tiled", "stitch_tiles", "tile_starts"]


def tile_starts(size, patch, stride):
    """List the start of every tile along one axis of length ``size``.

    Parameters
    ----------
    size : int
        Length of the axis (voxels).
    patch : int
        Length of a tile (``1 <= patch <= size``).
    stride : int
        Distance between consecutive starts (``stride < patch`` makes tiles
        overlap by ``patch - stride`` voxels).

    Returns
    -------
    starts : list of int
        ``0, stride, 2 * stride, ...`` as long as a tile fits (``start + patch
        <= size``); then, if the last of those tiles does not reach the end,
        one more tile flush with the end, starting at ``size - patch``.

    Examples
    --------
    size 10, patch 4, stride 3: tiles at 0, 3, 6 cover [0, 10) exactly, so
    [0, 3, 6]. Size 11: 0, 3, 6 cover only [0, 10), so the last tile starts at
    11 - 4 = 7: [0, 3, 6, 7]. Size 4, patch 4: [0].
    """
    ### START CODE HERE ###
    # Hint: first the starts 0, stride, 2 * stride, ... as long as the tile fits inside
    # Hint: the axis; then one more start flush with the end, unless the last one
    # Hint: already is.
    raise NotImplementedError("week3.tiled_prediction.tile_starts: not implemented yet")
    ### END CODE HERE ###


def stitch_tiles(tiles, corners, shape):
    """Average overlapping tile predictions into one volume.

    Parameters
    ----------
    tiles : ndarray of shape (n, K, px, py, pz)
        Predictions (K channels) for n tiles.
    corners : int ndarray of shape (n, 3)
        ``corners[i] = (x0, y0, z0)``: where tile i starts in the volume.
    shape : tuple of 3 int
        The volume's spatial shape ``(X, Y, Z)``.

    Returns
    -------
    volume : float ndarray of shape (K, X, Y, Z)
        ``volume[:, v] = (sum of the tiles covering voxel v) / (their number)``;
        a voxel that no tile covers is 0.

    Notes
    -----
    Keep two accumulators, ``total`` of shape (K, X, Y, Z) and ``count`` of
    shape (X, Y, Z). For tile i with corner (x0, y0, z0)::

        total[:, x0:x0 + px, y0:y0 + py, z0:z0 + pz] += tiles[i]
        count[x0:x0 + px, y0:y0 + py, z0:z0 + pz] += 1

    then divide, where count is 0 dividing by 1 instead.

    Examples
    --------
    Along x only (K = 1, px = 2, volume 3 x 1 x 1): a tile of 1s at x0 = 0 and a
    tile of 3s at x0 = 1 overlap at x = 1, so the volume is [1, (1 + 3) / 2, 3]
    = [1, 2, 3].
    """
    tiles, corners = np.asarray(tiles), np.asarray(corners)
    ### START CODE HERE ###
    # Hint: Notes: add every tile into a (K, X, Y, Z) total and 1 into a (X, Y, Z) count
    # Hint: over its window, then divide; where the count is 0 divide by 1, so uncovered
    # Hint: voxels stay 0.
    raise NotImplementedError(
        "week3.tiled_prediction.stitch_tiles: not implemented yet"
    )
    ### END CODE HERE ###


def predict_tiled(predict_fn, image, patch=(160, 160, 16), overlap=0.25):
    """Predict a whole volume tile by tile (given: uses your two functions).

    Parameters
    ----------
    predict_fn : callable
        Maps a batch of tiles ``(1, C, px, py, pz)`` to ``(1, K, px, py, pz)``
        (a model's forward pass).
    image : ndarray of shape (C, X, Y, Z)
        Standardised volume, each axis at least as long as the patch.
    patch : tuple of 3 int
        Tile size.
    overlap : float in [0, 1)
        Fraction of a tile shared with its neighbour; the stride along each
        axis is ``max(1, round(patch * (1 - overlap)))``.

    Returns
    -------
    prediction : ndarray of shape (K, X, Y, Z)

    Examples
    --------
    With a "model" that returns its input's first channel, the stitched
    prediction is the first channel of the image itself::

        predict_tiled(lambda b: b[:, :1], image, patch=(4, 4, 4))
    """
    image = np.asarray(image)
    strides = [max(1, round(p * (1 - overlap))) for p in patch]
    starts = [
        tile_starts(s, p, st)
        for s, p, st in zip(image.shape[1:], patch, strides, strict=True)
    ]
    corners = np.array(list(itertools.product(*starts)))  # (n, 3)
    tiles = np.concatenate(
        [
            predict_fn(
                image[None, :, x : x + patch[0], y : y + patch[1], z : z + patch[2]]
            )
            for x, y, z in corners
        ]
    )
    return stitch_tiles(tiles, corners, image.shape[1:])
