"""estimate_rigid on scans whose edges are zero-filled (issue 15, part 2).

The moving scans are made by an independent resampler, scipy.ndimage.affine_transform
(cubic, mode="constant"), so they are 0 wherever their field of view ends, as a
resliced clinical scan is. Target: at most 0.5 degree and 0.25 voxel of error for
motions up to 10 degrees and 4 voxels.
"""

from pathlib import Path

import nibabel
import numpy as np
import pytest
from scipy import ndimage

from reference.data.brats import make_brats_case
from reference.data.registration import (
    _valid_masks,
    estimate_rigid,
    phase_correlation,
    rigid_matrix,
)

REAL_T1 = Path(nibabel.__file__).parent / "tests" / "data" / "anatomical.nii"
MAX_DEGREES, MAX_VOXELS = 0.5, 0.25


@pytest.fixture(scope="module")
def real_head():
    """A real T1 head scan, 33 x 41 x 25 voxels of 2 mm, shipped with nibabel."""
    if not REAL_T1.exists():
        pytest.skip("nibabel's test data (anatomical.nii) is not installed")
    return np.asarray(nibabel.load(REAL_T1).dataobj, dtype=np.float64)


@pytest.fixture(scope="module")
def synthetic_head():
    """A BraTS-like T1 brain with scalp and noisy air, cropped to fill its grid."""
    shape, seed = (33, 41, 25), 3
    big = tuple(round(n * 1.3) for n in shape)
    t1 = make_brats_case(big, seed=seed)[0][..., 1].astype(np.float64)
    brain = t1 > 0
    distance = ndimage.distance_transform_edt(~brain)  # voxels outside the brain
    field = ndimage.gaussian_filter(np.random.default_rng(seed).normal(size=big), 2.0)
    field /= field.std()
    scalp = 0.9 * t1.max() * (1 + 0.1 * field)
    air = 0.05 * t1.max() * (1 + 0.5 * field)
    head = ndimage.gaussian_filter(
        np.where(brain, t1, np.where(distance <= 3, scalp, air)), 0.6
    )
    start = [(b - n) // 2 for b, n in zip(big, shape, strict=True)]
    return head[tuple(slice(s, s + n) for s, n in zip(start, shape, strict=True))]


def move(volume, degrees, shift):
    """Return (true matrix, moved scan): resample(moved, true) lines up with volume."""
    center = (np.array(volume.shape) - 1) / 2
    true = rigid_matrix(np.deg2rad(degrees), shift, center)
    inverse = np.linalg.inv(true)
    moved = ndimage.affine_transform(
        volume,
        inverse[:3, :3],
        offset=inverse[:3, 3],
        order=3,
        mode="constant",
        cval=0.0,
    )
    return true, moved


def errors(fit, true, shape):
    """Rotation error (degrees, angle of R_fit^T R_true) and shift error at the centre."""
    relative = fit.matrix[:3, :3].T @ true[:3, :3]
    degrees = np.degrees(np.arccos(np.clip((np.trace(relative) - 1) / 2, -1, 1)))
    center = np.r_[(np.array(shape) - 1) / 2, 1]
    voxels = np.linalg.norm((fit.matrix @ center - true @ center)[:3])
    return degrees, voxels


MOTIONS = [
    ((6, 0, 0), (1.5, -2, 1)),  # the case
    ((4, -3, 5), (1.5, -2, 1)),  # 7.7 degrees about an oblique axis
    ((0, 0, 10), (0, -4, 0)),
    ((-7, 8, -6), (-3, 3.5, -2.5)),  # 12 degrees in all, 5.2 voxels
]


@pytest.mark.parametrize(("degrees", "shift"), MOTIONS)
def test_real_head_with_zero_filled_edges(real_head, degrees, shift):
    true, moved = move(real_head, degrees, shift)
    assert np.mean(moved == 0) > 0.05  # a real band of fill
    fit = estimate_rigid(real_head, moved, steps=50)
    rotation_error, shift_error = errors(fit, true, real_head.shape)
    assert rotation_error <= MAX_DEGREES and shift_error <= MAX_VOXELS


@pytest.mark.parametrize(("degrees", "shift"), MOTIONS[1:])
def test_synthetic_head_with_zero_filled_edges(synthetic_head, degrees, shift):
    true, moved = move(synthetic_head, degrees, shift)
    fit = estimate_rigid(synthetic_head, moved, steps=50)
    rotation_error, shift_error = errors(fit, true, synthetic_head.shape)
    assert rotation_error <= MAX_DEGREES and shift_error <= MAX_VOXELS


@pytest.mark.parametrize("head", ["real_head", "synthetic_head"])
def test_an_integer_shift_found_by_phase_correlation_stays_put(head, request):
    volume = request.getfixturevalue(head)
    true, moved = move(volume, (0, 0, 0), (2, -3, 1))
    np.testing.assert_array_equal(phase_correlation(volume, moved), [2, -3, 1])
    fit = estimate_rigid(volume, moved, steps=50)
    rotation_error, shift_error = errors(fit, true, volume.shape)
    assert rotation_error < 0.02 and shift_error < 0.01


def test_auto_masks_drop_the_fill_but_keep_a_shared_background(real_head):
    _, moved = move(real_head, (6, 0, 0), (1.5, -2, 1))
    fixed_mask, moving_mask = _valid_masks((real_head, moved), ("auto", "auto"), "f")
    assert fixed_mask.all()  # no zeros at its border: all data
    fill = moved == 0
    assert not moving_mask[fill].any()
    # one voxel next to the fill blends data with zeros: dropped too
    assert not moving_mask[ndimage.binary_dilation(fill) & ~fill].any()
    assert moving_mask.sum() > 0.7 * moved.size

    # two skull-stripped scans share their zero background: it is data
    flair = np.pad(make_brats_case((24, 24, 16), seed=1)[0][..., 0], 4)
    shifted = np.roll(flair, (1, -1, 0), axis=(0, 1, 2))
    both = _valid_masks((flair, shifted), ("auto", "auto"), "f")
    assert both[0].all() and both[1].all()
    # None: the whole grid; an explicit mask is used as given
    mask = np.zeros(flair.shape, dtype=bool)
    mask[2:-2, 2:-2, 2:-2] = True
    none, given = _valid_masks((flair, shifted), (None, mask), "f")
    assert none.all() and np.array_equal(given, mask)


def test_estimate_rigid_option_errors():
    volume = np.random.default_rng(0).normal(size=(12, 12, 12))
    with pytest.raises(
        ValueError,
        match=r'estimate_rigid: expected moving_mask "auto", '
        r"None, or a bool array of shape \(12, 12, 12\), "
        r"got bool array of shape \(12, 12\)",
    ):
        estimate_rigid(volume, volume, moving_mask=np.ones((12, 12), dtype=bool))
    with pytest.raises(
        ValueError,
        match=r"estimate_rigid: expected shrink_factors a "
        r"sequence of positive ints such as \(4, 2, 1\), "
        r"got \(2, 0\)",
    ):
        estimate_rigid(volume, volume, shrink_factors=(2, 0))
    with pytest.raises(
        ValueError,
        match=r"estimate_rigid: expected fixed and moving whose "
        r"valid regions overlap, got no overlap",
    ):
        estimate_rigid(volume, volume, fixed_mask=np.zeros(volume.shape, dtype=bool))
