"""Hausdorff distances (reference.metrics.distance) against a brute-force oracle."""

import itertools

import numpy as np
import pytest
from scipy import ndimage
from scipy.spatial.distance import cdist

from reference._validation import UndefinedMetricWarning
from reference.metrics.distance import (
    hausdorff_distance,
    hausdorff_distance_95,
    surface_distances,
    surface_voxels,
)


def _brute_surface(mask):
    """Voxels of the mask with a face-neighbour outside it or outside the array."""
    padded = np.pad(mask, 1)
    surface = np.zeros_like(mask)
    for index in zip(*np.nonzero(mask), strict=True):
        for axis, step in itertools.product(range(mask.ndim), (-1, 1)):
            neighbour = np.array(index) + 1
            neighbour[axis] += step
            if not padded[tuple(neighbour)]:
                surface[index] = True
    return surface


def _brute_hausdorff(a, b, percentile, spacing):
    pa = np.argwhere(_brute_surface(a)) * spacing
    pb = np.argwhere(_brute_surface(b)) * spacing
    pairwise = cdist(pa, pb)
    return max(
        np.percentile(pairwise.min(axis=1), percentile),
        np.percentile(pairwise.min(axis=0), percentile),
    )


def _blob(rng, shape, p=0.5, sigma=1.5):
    """A smooth random mask covering a fraction p of the array."""
    field = ndimage.gaussian_filter(rng.random(shape), sigma)
    return field > np.quantile(field, 1 - p)


def test_surface_voxels_by_hand_and_brute_force():
    square = np.zeros((5, 5), bool)
    square[1:4, 1:4] = True
    expected = square.copy()
    expected[2, 2] = False
    np.testing.assert_array_equal(surface_voxels(square), expected)
    rng = np.random.default_rng(0)
    for shape in ((9, 8), (6, 7, 5)):
        mask = rng.random(shape) < 0.6
        np.testing.assert_array_equal(surface_voxels(mask), _brute_surface(mask))


@pytest.mark.parametrize(
    "shape, spacing",
    [
        ((12, 10), (1.0, 1.0)),
        ((10, 9, 8), (1.0, 1.0, 1.0)),
        ((10, 9, 8), (1.0, 0.5, 2.5)),
    ],
)
@pytest.mark.parametrize("percentile", [100, 95, 50])
def test_hausdorff_matches_brute_force(shape, spacing, percentile):
    rng = np.random.default_rng(sum(shape) + percentile)
    for _ in range(3):
        a, b = _blob(rng, shape, 0.3), _blob(rng, shape, 0.4)
        got = hausdorff_distance(a, b, percentile=percentile, spacing=spacing)
        assert isinstance(got, float)
        np.testing.assert_allclose(
            got, _brute_hausdorff(a, b, percentile, np.array(spacing)), rtol=1e-12
        )


def test_by_hand_and_symmetry():
    a = np.zeros((8, 8), bool)
    a[2:5, 2:5] = True
    b = np.roll(a, 1, axis=1)
    assert hausdorff_distance(a, b) == hausdorff_distance(b, a) == 1.0
    assert hausdorff_distance(a, b, spacing=(1.0, 3.0)) == 3.0
    assert hausdorff_distance(a, a) == 0.0
    # one stray voxel decides the Hausdorff distance but not HD95
    line = np.zeros((1, 30), bool)
    line[0, :20] = True
    stray = line.copy()
    stray[0, 29] = True
    assert hausdorff_distance(line, stray) == 10.0
    assert hausdorff_distance_95(line, stray) == 0.0
    np.testing.assert_array_equal(surface_distances(line, stray), np.zeros(20))
    assert hausdorff_distance_95(line, stray) <= hausdorff_distance(line, stray)


def test_empty_masks():
    empty, mask = np.zeros((4, 4, 4)), np.zeros((4, 4, 4))
    mask[1, 1, 1] = 1
    assert hausdorff_distance_95(empty, empty) == 0.0
    for a, b, name in ((empty, mask, "y_true"), (mask, empty, "y_pred")):
        with pytest.warns(
            UndefinedMetricWarning,
            match=rf"hausdorff_distance: {name} is "
            r"empty and the other mask is not",
        ):
            assert hausdorff_distance_95(a, b) == float("inf")
    with pytest.raises(
        ValueError,
        match=r"surface_distances: expected two non-empty "
        r"masks, got 0 and 1 surface voxels",
    ):
        surface_distances(empty, mask)


def test_validation():
    a = np.zeros((3, 3))
    with pytest.raises(
        ValueError,
        match=r"hausdorff_distance: expected y_true and y_pred "
        r"with the same shape, got \(3, 3\) and \(3, 4\)",
    ):
        hausdorff_distance(a, np.zeros((3, 4)))
    with pytest.raises(
        ValueError,
        match=r"hausdorff_distance: expected y_pred with binary "
        r"labels 0/1, got values \{0, 2\}",
    ):
        hausdorff_distance(a, 2 * np.eye(3))
    with pytest.raises(
        ValueError,
        match=r"hausdorff_distance: expected percentile in "
        r"\[0, 100\], got 101",
    ):
        hausdorff_distance(np.eye(3), np.eye(3), percentile=101)
    with pytest.raises(
        ValueError,
        match=r"surface_distances: expected spacing a positive "
        r"number or 2 positive numbers \(one per axis\), "
        r"got \(1.0, 0.0\)",
    ):
        hausdorff_distance(np.eye(3), np.eye(3), spacing=(1.0, 0.0))
