"""Cases and oracle adapters for week 3's augmentation, tiling and registration.

The segmentation lessons are in `autograder.cases.week3`.

Oracles come from `reference.data` only (never `solutions`), imported lazily.
Registration cases avoid exact ties: angles are irrational and nearest-neighbour
rounding never meets a half-way point or a grid border in floating point, so a
hand-written resampler and ``scipy.ndimage.affine_transform`` agree exactly.
Phase-correlation cases are exact shifts (circular, or inside a zero border), so
the correlation peak is a single clear spike, including shifts of exactly n / 2.
"""

from __future__ import annotations

import itertools

import numpy as np

from autograder.cases import edge
from autograder.spec import Case

__all__ = [
    "augmentation_hidden",
    "augmentation_oracle",
    "augmentation_public",
    "phase_hidden",
    "phase_oracle",
    "phase_public",
    "rigid_hidden",
    "rigid_oracle",
    "rigid_public",
    "stitch_hidden",
    "stitch_oracle",
    "stitch_public",
    "tile_starts_hidden",
    "tile_starts_oracle",
    "tile_starts_public",
    "warp_hidden",
    "warp_oracle",
    "warp_public",
]


# --------------------------------------------------------------------------- oracles


def augmentation_oracle(image, label, flip_axes=(), rotations=0, scale=1.0):
    """Return reference.data.subvolume.apply_augmentation (same arguments)."""
    from reference.data.subvolume import apply_augmentation

    return apply_augmentation(image, label, flip_axes, rotations, scale)


def tile_starts_oracle(size, patch, stride):
    """Return reference.data.subvolume.tile_starts (same arguments)."""
    from reference.data.subvolume import tile_starts

    return tile_starts(size, patch, stride)


def stitch_oracle(tiles, corners, shape):
    """Return reference.data.subvolume.stitch_tiles (same arguments)."""
    from reference.data.subvolume import stitch_tiles

    return stitch_tiles(tiles, corners, shape)


def rigid_oracle(angle, shift, center):
    """Return reference.data.registration.rigid_matrix(angle, shift, center)."""
    from reference.data.registration import rigid_matrix

    return rigid_matrix(angle, shift, center)


def phase_oracle(fixed, moving):
    """Return reference.data.registration.phase_correlation (same arguments)."""
    from reference.data.registration import phase_correlation

    return phase_correlation(fixed, moving)


def warp_oracle(label, matrix):
    """Return reference.data.registration.resample with nearest interpolation."""
    from reference.data.registration import resample

    return resample(label, matrix, interpolation="nearest")


# -------------------------------------------------------------- augmentation


def augmentation_public():
    """Make the docstring's flip-and-scale and quarter-turn examples."""
    image = np.arange(4.0).reshape(1, 2, 2, 1)
    label = np.array([[1, 0], [0, 0]], dtype=np.uint8).reshape(2, 2, 1)
    return [
        Case(
            args=(image, label, (0,), 0, 2.0),
            label="image [[0, 1], [2, 3]], label [[1, 0], [0, 0]] (one z-slice): flip "
            "x, scale 2 (expected image [[4, 6], [0, 2]])",
        ),
        Case(
            args=(image, label, (), 1, 1.0),
            label="the same, one quarter turn (expected image [[1, 3], [0, 2]])",
        ),
    ]


def augmentation_hidden(rng):
    """Make flips, turns and scales of index and one-hot labels, X != Y."""
    image = rng.normal(size=(2, 4, 4, 3)).astype(np.float32)
    label = rng.integers(0, 4, size=(4, 4, 3)).astype(np.uint8)
    onehot = np.moveaxis(np.eye(4, dtype=np.float32)[label], 3, 0)[1:]  # (3, 4, 4, 3)
    wide = rng.normal(size=(3, 5, 3, 2))
    wide_label = rng.integers(0, 3, size=(5, 3, 2))
    return [
        Case(args=(image, label, (1,), 0, 1.0)),
        Case(args=(image, label, (2,), 0, 1.0)),
        Case(args=(image, label, (0, 2), 2, 0.9)),
        Case(args=(image, label, [0, 1, 2], 3, 1.1)),
        Case(args=(image, onehot, (1, 2), 1, 1.0)),
        Case(args=(image, onehot, (), -1, 1.05)),
        Case(args=(wide, wide_label, (0,), 1, 1.0)),
        Case(args=(wide, wide_label, (), 0, 0.5)),
    ]


# ------------------------------------------------------------ tiled prediction


def tile_starts_public():
    """Make the docstring's three examples."""
    return [
        Case(args=(10, 4, 3), label="size 10, patch 4, stride 3 (expected [0, 3, 6])"),
        Case(
            args=(11, 4, 3), label="size 11, patch 4, stride 3 (expected [0, 3, 6, 7])"
        ),
        Case(args=(4, 4, 1), label="size 4, patch 4 (expected [0])"),
    ]


def tile_starts_hidden(rng):
    """Make BraTS-sized axes, exact fits, stride 1 and random axes."""
    random_cases = []
    for _ in range(3):
        patch = int(rng.integers(2, 20))
        size = patch + int(rng.integers(0, 50))
        random_cases.append(Case(args=(size, patch, int(rng.integers(1, patch + 1)))))
    return [
        Case(args=(240, 160, 120)),
        Case(args=(155, 16, 12)),
        Case(args=(9, 4, 4)),
        *edge(Case(args=(16, 16, 8))),  # one tile fits exactly
        Case(args=(7, 3, 1)),
        Case(args=(20, 5, 5)),
        *random_cases,
    ]


def stitch_public():
    """Make the docstring's two-tile example."""
    tiles = np.stack([np.full((1, 2, 1, 1), 1.0), np.full((1, 2, 1, 1), 3.0)])
    return [
        Case(
            args=(tiles, np.array([[0, 0, 0], [1, 0, 0]]), (3, 1, 1)),
            label="two 2x1x1 tiles of 1s (at x=0) and 3s (at x=1) in a 3x1x1 volume "
            "(expected [1, 2, 3])",
        ),
    ]


def _tiling(rng, shape, patch, stride, channels, dtype=np.float64, skip=0):
    """Make random tiles on a regular grid of corners (``skip`` drops the first)."""
    starts = [
        list(range(0, s - p + 1, st))
        for s, p, st in zip(shape, patch, stride, strict=True)
    ]
    corners = np.array(list(itertools.product(*starts)))[skip:]
    tiles = rng.normal(size=(len(corners), channels, *patch)).astype(dtype)
    return Case(args=(tiles, corners, shape))


def stitch_hidden(rng):
    """Make regular tilings (some voxels uncovered, float32 tiles)."""
    return [
        _tiling(rng, (6, 6, 4), (4, 4, 2), (2, 2, 2), 3),
        _tiling(rng, (5, 7, 6), (3, 4, 4), (1, 3, 2), 1),
        _tiling(rng, (8, 8, 8), (4, 4, 4), (4, 4, 4), 2, np.float32),
        *edge(
            _tiling(rng, (7, 5, 4), (4, 3, 2), (3, 2, 2), 2, skip=2),  # some uncovered
            _tiling(rng, (4, 4, 4), (4, 4, 4), (4, 4, 4), 4),  # one tile
        ),
    ]


# -------------------------------------------------------------- registration


def rigid_public():
    """Make the docstring's two examples."""
    return [
        Case(
            args=(0.0, (2.0, -1.0), (5.0, 5.0)),
            label="angle 0, shift (2, -1) "
            "(expected [[1, 0, 2], [0, 1, -1], [0, 0, 1]])",
        ),
        Case(
            args=(np.pi / 2, (0.0, 0.0), (1.0, 1.0)),
            label="a quarter turn about (1, 1), no shift (last column (2, 0, 1))",
        ),
    ]


def rigid_hidden(rng):
    """Make random angles, shifts and centres."""
    return [
        Case(
            args=(
                float(rng.uniform(-1, 1)),
                tuple(rng.uniform(-5, 5, 2)),
                tuple(rng.uniform(0, 50, 2)),
            )
        )
        for _ in range(4)
    ] + [
        Case(args=(-0.3, [3, 4], [0, 0])),
        Case(args=(0.25, np.array([0.5, -1.5]), np.array([119.5, 119.5]))),
    ]


def _block_image():
    fixed = np.zeros((8, 8))
    fixed[2:4, 3:6] = 1.0
    return fixed


def phase_public():
    """Make the docstring's rolled block and an identical pair."""
    fixed = _block_image()
    return [
        Case(
            args=(fixed, np.roll(fixed, (1, -2), axis=(0, 1))),
            label="a block in an 8x8 image and the same rolled by (1, -2) "
            "(expected [1, -2])",
        ),
        Case(args=(fixed, fixed.copy()), label="identical images (expected [0, 0])"),
    ]


def _shifted_brain(rng):
    """Make a FLAIR slice and the same slice shifted inside a zero border."""
    from reference.data.brats import make_brats_case

    image, _ = make_brats_case((32, 32, 16), rng=rng)
    fixed = np.pad(image[:, :, 8, 0], 8)  # (48, 48), brain well inside
    shift = rng.integers(-5, 6, size=2)
    moving = np.zeros_like(fixed)
    moving[8 - shift[0] : 40 - shift[0], 8 - shift[1] : 40 - shift[1]] = fixed[
        8:40, 8:40
    ]
    return Case(args=(fixed, moving))


def phase_hidden(rng):
    """Make random images rolled in 2D and 3D (shifts up to n / 2) and a brain."""
    cases = []
    for shape in ((12, 10), (9, 9), (6, 8, 5)):
        image = rng.normal(size=shape)
        shift = tuple(int(rng.integers(-(n - 1) // 2, n // 2 + 1)) for n in shape)
        cases.append(
            Case(args=(image, np.roll(image, shift, axis=tuple(range(len(shape))))))
        )
    image = rng.normal(size=(8, 6))
    cases += edge(Case(args=(image, np.roll(image, (4, -3), axis=(0, 1)))))  # n / 2
    cases.append(_shifted_brain(rng))
    return cases


def warp_public():
    """Make the docstring's one-voxel shift."""
    return [
        Case(
            args=(np.array([[1, 2, 3]]), np.array([[1.0, 0, 0], [0, 1, 1], [0, 0, 1]])),
            label="label [[1, 2, 3]], a shift q = p + (0, 1) (expected [[2, 3, 0]])",
        ),
    ]


def warp_hidden(rng):
    """Make random label maps through rotations about the centre, 2D and 3D."""
    from reference.data.registration import rigid_matrix

    cases = []
    for shape in ((9, 8), (12, 12), (6, 7, 5)):
        d = len(shape)
        label = rng.integers(0, 4, size=shape).astype(np.uint8)
        angles = (
            float(rng.uniform(0.1, 0.6)) if d == 2 else tuple(rng.uniform(-0.4, 0.4, 3))
        )
        matrix = rigid_matrix(angles, rng.uniform(-2, 2, d), (np.array(shape) - 1) / 2)
        cases.append(Case(args=(label, matrix)))
    label = rng.integers(0, 3, size=(7, 6))
    cases.append(Case(args=(label, rigid_matrix(0.0, [2, -1]))))  # integer shift
    cases.append(
        Case(args=(label.astype(np.int16), rigid_matrix(-0.35, [0.3, 0.7], [3, 2])))
    )
    return cases
