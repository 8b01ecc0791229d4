"""Rigid registration (reference.data.registration): matrices, resampling, estimation."""

import numpy as np
import pytest
from scipy import ndimage

from reference.data.brats import make_brats_case
from reference.data.registration import (
    _Level,
    _loss_and_gradient,
    estimate_rigid,
    phase_correlation,
    resample,
    rigid_matrix,
    rotation_matrix,
)


@pytest.fixture(scope="module")
def brain():
    image, label = make_brats_case((48, 48, 32), seed=11)
    return image, label


# --------------------------------------------------------------------- matrices


def test_rotations_are_proper_and_compose_in_order():
    for angles in (0.3, (0.1, -0.4, 0.7)):
        rot = rotation_matrix(angles)
        np.testing.assert_allclose(rot @ rot.T, np.eye(rot.shape[0]), atol=1e-12)
        assert np.isclose(np.linalg.det(rot), 1.0)
    np.testing.assert_allclose(
        rotation_matrix(np.pi / 2), [[0, -1], [1, 0]], atol=1e-15
    )
    a, b, c = 0.1, -0.4, 0.7
    about_0 = [[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]]
    about_1 = [[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]]
    about_2 = [[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]]
    np.testing.assert_allclose(
        rotation_matrix((a, b, c)),
        np.array(about_2) @ np.array(about_1) @ np.array(about_0),
        atol=1e-15,
    )
    with pytest.raises(
        ValueError,
        match=r"rotation_matrix: expected one angle \(2D\) or "
        r"three angles \(3D\), got \(1, 2\)",
    ):
        rotation_matrix((1, 2))


def test_rigid_matrix_turns_about_its_centre():
    center, shift = np.array([3.0, -2.0, 5.0]), np.array([1.0, 2.0, -0.5])
    matrix = rigid_matrix((0.2, 0.3, -0.1), shift, center)
    np.testing.assert_allclose(
        matrix @ [*center, 1], [*(center + shift), 1], atol=1e-12
    )
    point = np.array([4.0, 0.0, 1.0])
    np.testing.assert_allclose(
        (matrix @ [*point, 1])[:3],
        rotation_matrix((0.2, 0.3, -0.1)) @ (point - center) + center + shift,
    )
    np.testing.assert_array_equal(
        rigid_matrix(0.0, [2, -1]), [[1, 0, 2], [0, 1, -1], [0, 0, 1]]
    )
    with pytest.raises(
        ValueError,
        match=r"rigid_matrix: expected shift and center of 2 "
        r"numbers for a 2D rotation, got shapes \(3,\)",
    ):
        rigid_matrix(0.1, [1, 2, 3])


# --------------------------------------------------------------------- resample


def test_resample_pulls_from_the_mapped_point():
    rng = np.random.default_rng(0)
    volume = rng.normal(size=(6, 7, 5))
    # an integer shift is slicing: out[p] = volume[p + t], 0 beyond the edge
    out = resample(volume, rigid_matrix((0, 0, 0), [1, -2, 0]))
    expected = np.zeros_like(volume)
    expected[:5, 2:, :] = volume[1:, :5, :]
    np.testing.assert_allclose(out, expected, atol=1e-12)
    # a general transform, linear: compare with map_coordinates at M p
    matrix = rigid_matrix((0.2, -0.1, 0.3), [0.4, 0.1, -0.3], [2.5, 3, 2])
    points = np.indices(volume.shape).reshape(3, -1).astype(float)
    mapped = matrix[:3, :3] @ points + matrix[:3, 3:]
    direct = ndimage.map_coordinates(volume, mapped, order=1, cval=0.0).reshape(
        volume.shape
    )
    np.testing.assert_allclose(resample(volume, matrix), direct, atol=1e-12)


def test_resample_quarter_turn_and_nearest_labels():
    image = np.arange(12.0).reshape(3, 4)
    # pulling through a quarter turn about the centre of a square gives np.rot90
    square = np.arange(16.0).reshape(4, 4)
    turned = resample(square, rigid_matrix(np.pi / 2, [0, 0], [1.5, 1.5]))
    np.testing.assert_allclose(turned, np.rot90(square, -1), atol=1e-9)
    labels = np.random.default_rng(1).integers(0, 4, size=(9, 8)).astype(np.uint8)
    warped = resample(
        labels, rigid_matrix(0.37, [0.3, -0.6], [4, 3.5]), interpolation="nearest"
    )
    assert warped.dtype == np.uint8 and set(np.unique(warped)) <= {0, 1, 2, 3}
    assert resample(image.astype(int), rigid_matrix(0.0, [0, 0])).dtype == np.float64
    with pytest.raises(
        ValueError,
        match=r'resample: expected interpolation "linear" or '
        r'"nearest", got \'cubic\'',
    ):
        resample(image, np.eye(3), interpolation="cubic")
    with pytest.raises(
        ValueError,
        match=r"resample: expected matrix of shape \(3, 3\) "
        r"for a 2D volume, got shape \(4, 4\)",
    ):
        resample(image, np.eye(4))


# ------------------------------------------------------------ phase correlation


@pytest.mark.parametrize(
    "shape, shift",
    [
        ((16, 12), (3, -5)),
        ((9, 10), (-4, 5)),
        ((8, 6, 10), (2, -2, 4)),
        ((12, 12), (0, 0)),
    ],
)
def test_phase_correlation_finds_circular_shifts(shape, shift):
    fixed = np.random.default_rng(0).normal(size=shape)
    moving = np.roll(fixed, shift, axis=tuple(range(len(shape))))
    found = phase_correlation(fixed, moving)
    assert found.dtype == np.int64
    np.testing.assert_array_equal(found, shift)


def test_phase_correlation_half_way_shift_is_positive():
    fixed = np.random.default_rng(1).normal(size=(8, 7))
    # -4 and +4 are the same shift on 8 voxels: reported in (-n/2, n/2], so +4
    np.testing.assert_array_equal(
        phase_correlation(fixed, np.roll(fixed, (-4, -3), (0, 1))), [4, -3]
    )


def test_phase_correlation_shift_aligns_a_brain(brain):
    flair = np.pad(brain[0][:, :, 16, 0], 10)
    moving = resample(flair, np.linalg.inv(rigid_matrix(0.0, [4, -7])))  # a real shift
    shift = phase_correlation(flair, moving)
    np.testing.assert_array_equal(shift, [4, -7])
    np.testing.assert_allclose(
        resample(moving, rigid_matrix(0.0, shift)), flair, atol=1e-4
    )
    with pytest.raises(
        ValueError,
        match=r"phase_correlation: expected fixed and moving "
        r"of the same shape, got \(3, 3\) and \(3, 4\)",
    ):
        phase_correlation(np.zeros((3, 3)), np.zeros((3, 4)))


# ------------------------------------------------------------ rigid estimation


@pytest.mark.parametrize("masked", [False, True])
def test_loss_gradient_matches_central_differences(masked):
    # smooth images, so that np.gradient matches the interpolant's derivative
    xx, yy = np.mgrid[:64, :64]
    fixed = np.exp(-((xx - 25) ** 2 + (yy - 36) ** 2) / 80.0) + 0.6 * np.exp(
        -((xx - 40) ** 2 + (yy - 22) ** 2) / 40.0
    )
    moving = resample(fixed, np.linalg.inv(rigid_matrix(0.1, [1.5, -2], [31.5, 31.5])))
    coords = np.indices(fixed.shape, dtype=float).reshape(2, -1)
    # masked: the moving image has data only for x < 50 (a zero-filled band beyond)
    valid = (xx < 50).astype(float) if masked else None
    level = _Level(
        fixed.ravel(),
        coords,
        moving,
        np.gradient(moving),
        valid,
        np.array([31.5, 31.5]),
    )
    params = np.array([0.05, 1.0, -1.0])

    loss, analytic, n_valid = _loss_and_gradient(level, params)
    assert n_valid < coords.shape[1] if masked else n_valid == coords.shape[1]
    numeric = [
        (
            _loss_and_gradient(level, params + h)[0]
            - _loss_and_gradient(level, params - h)[0]
        )
        / 2e-5
        for h in np.eye(3) * 1e-5
    ]
    np.testing.assert_allclose(analytic, numeric, rtol=0.05)


def test_estimate_rigid_2d_then_carry_the_labels(brain):
    image, label = brain
    fixed = np.pad(image[:, :, 16, 0], 10)
    fixed_label = np.pad(label[:, :, 16], 10)
    center = (np.array(fixed.shape) - 1) / 2
    true = rigid_matrix(0.25, [3, -4], center)
    moving = resample(fixed, np.linalg.inv(true))
    moving_label = resample(fixed_label, np.linalg.inv(true), interpolation="nearest")

    fit = estimate_rigid(fixed, moving, steps=200)
    np.testing.assert_allclose(fit.angles, [0.25], atol=0.005)
    np.testing.assert_allclose(fit.shift, [3, -4], atol=0.1)
    per_level = fit.losses.reshape(3, 201)  # shrink_factors (4, 2, 1)
    assert per_level[0, -1] < 0.05 * per_level[0, 0]  # the coarse level does the work
    assert np.all(per_level[1:, -1] <= 1.001 * per_level[1:, 0])  # finer: refines
    single = estimate_rigid(fixed, moving, steps=200, shrink_factors=(1,))
    assert single.losses.shape == (201,) and single.losses[-1] < 0.05 * single.losses[0]
    carried = resample(moving_label, fit.matrix, interpolation="nearest")
    tumour, back = fixed_label > 0, carried > 0
    assert 2 * np.sum(tumour & back) / (tumour.sum() + back.sum()) > 0.9


def test_estimate_rigid_3d(brain):
    flair = np.pad(brain[0][..., 0], 6)
    center = (np.array(flair.shape) - 1) / 2
    true = rigid_matrix((0.06, -0.05, 0.1), [2, -1, 1.5], center)
    moving = resample(flair, np.linalg.inv(true))
    fit = estimate_rigid(flair, moving, steps=40)
    np.testing.assert_allclose(fit.angles, [0.06, -0.05, 0.1], atol=0.01)
    np.testing.assert_allclose(fit.shift, [2, -1, 1.5], atol=0.15)
    with pytest.raises(
        ValueError,
        match=r"estimate_rigid: expected fixed with 2 or 3 "
        r"dims \(X, Y\) or \(X, Y, Z\), got shape \(4,\)",
    ):
        estimate_rigid(np.zeros(4), np.zeros(4))
