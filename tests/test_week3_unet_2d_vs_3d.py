"""Week 3, 2D versus 3D U-Net: hand values, and the checks catch wrong answers.

Expected values are worked out by hand (index bookkeeping, weight counts) or are
the U-Net's documented totals (16,318,307 for the course's 3D model), never
taken from the solutions. The last test grades edited copies of solutions/week3
and checks that each planted mistake fails its exercise, and only that one.
"""

import numpy as np
import pytest
from helpers import WRONG_ANSWER_STATUSES

from solutions.week3 import unet_2d_vs_3d as lesson

LESSON = "week3/unet_2d_vs_3d.py"


def test_volume_to_slices_by_hand():
    # image[0, x, 0, z] = 2 * x + z: slice z holds x values [z, 2 + z]
    image = np.arange(4).reshape(1, 2, 1, 2)
    label = np.zeros((3, 2, 1, 2), np.float32)
    image_slices, label_slices = lesson.volume_to_slices(image, label)
    np.testing.assert_array_equal(image_slices[:, 0, :, 0], [[0, 2], [1, 3]])
    assert label_slices.shape == (2, 3, 2, 1) and label_slices.dtype == np.float32


def test_volume_to_slices_shapes_and_every_entry():
    image = np.random.default_rng(0).normal(size=(4, 5, 3, 2)).astype(np.float32)
    image_slices, _ = lesson.volume_to_slices(image, image[:3])
    assert image_slices.shape == (2, 4, 5, 3) and image_slices.dtype == np.float32
    for c, x, y, z in np.ndindex(image.shape):
        assert image_slices[z, c, x, y] == image[c, x, y, z]


def test_slices_to_volume_by_hand_and_round_trip():
    slices = np.arange(8.0).reshape(2, 1, 2, 2)
    volume = lesson.slices_to_volume(slices)
    assert volume.shape == (1, 2, 2, 2)
    np.testing.assert_array_equal(volume[0, :, :, 1], [[4, 5], [6, 7]])
    image = np.random.default_rng(1).normal(size=(4, 6, 5, 3))
    back = lesson.slices_to_volume(lesson.volume_to_slices(image, image)[0])
    np.testing.assert_array_equal(back, image)


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((4, 32, 3, 2), {}, 32 * 4 * 9 + 32),
        ((4, 32, 3, 3), {}, 32 * 4 * 27 + 32),
        ((4, 32, 3, 3), {"bias": False}, 3456),
        ((64, 3, 1, 3), {}, 195),
    ],
)
def test_count_parameters_conv_by_hand(args, kwargs, expected):
    assert lesson.count_parameters_conv(*args, **kwargs) == expected


def test_count_parameters_unet_by_hand():
    # depth 1: convs 1 -> 1 (9 + 1), 1 -> 2 (18 + 2); head 2 -> 1 (2 + 1)
    assert lesson.count_parameters_unet(1, 1, 1, 1, 2) == 33
    # batch norm: the two convs lose 3 biases, the norms add 2 * (1 + 2)
    assert lesson.count_parameters_unet(1, 1, 1, 1, 2, batch_norm=True) == 36
    # depth 2, 1D: widths 2, 4; encoder 1->1, 1->2, 2->2, 2->4; decoder 6->2, 2->2
    weights = 3 * (1 + 2 + 4 + 8 + 12 + 4) + 2  # 3-tap kernels, then the head's
    biases = 1 + 2 + 2 + 4 + 2 + 2 + 1
    assert lesson.count_parameters_unet(1, 1, 1, 2, 1) == weights + biases
    assert lesson.count_parameters_unet(4, 3, 32, 4, 3) == 16_318_307


def test_a_3d_unet_has_about_three_times_the_parameters():
    two, three = (lesson.count_parameters_unet(4, 3, 32, 4, n) for n in (2, 3))
    assert 2.9 < three / two < 3.0  # 27 / 9 for every 3x3 conv; the 1x1 head stays


# -------------------------------------------------------- wrong implementations

WRONG = {
    "slices along x instead of z": (
        "return np.moveaxis(image, -1, 0), np.moveaxis(label, -1, 0)",
        "return np.moveaxis(image, 1, 0), np.moveaxis(label, 1, 0)",
        {"volume_to_slices"},
    ),
    "reshape instead of moving the axis": (
        "return np.moveaxis(slices, 0, -1)",
        "return slices.reshape(*slices.shape[1:], slices.shape[0])",
        {"slices_to_volume"},
    ),
    "bias counted with the weights' kernel": (
        "return int(weights + (out_channels if bias else 0))",
        "return int(weights + (out_channels * kernel if bias else 0))",
        {"count_parameters_conv", "count_parameters_unet"},
    ),
    "batch norm counted once per channel": (
        "total += 2 * c_out if batch_norm else 0",
        "total += c_out if batch_norm else 0",
        {"count_parameters_unet"},
    ),
}


@pytest.mark.parametrize("mistake", sorted(WRONG))
def test_checks_catch_wrong_implementations(grade_edited, mistake):
    old, new, expected_failures = WRONG[mistake]
    results = grade_edited("week3", [("unet_2d_vs_3d", old, new)], [LESSON])
    failed = {name for name, r in results.items() if not r.passed}
    assert failed == expected_failures, {n: results[n].message[:300] for n in failed}
    for name in expected_failures:  # a wrong answer, not a crash of the grader
        assert results[name].status in WRONG_ANSWER_STATUSES, results[name].message
