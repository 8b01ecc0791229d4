"""Week 3 solutions: the course's own expected outputs, hand values, and the checks.

Values here come from the course's tests (its printed patch, its Dice and soft-Dice
numbers, its sensitivity/specificity examples) or are worked out by hand, never
taken from `reference`. The last tests grade deliberately wrong learner
implementations (copies of solutions/week3 with one edit each) and check that the
autograder catches every one while correct alternatives still pass.
"""

from pathlib import Path

import numpy as np
import pytest
from helpers import WRONG_ANSWER_STATUSES

from reference.data.brats import make_brats_case
from solutions.week3 import (
    augmentation3d,
    dice,
    registration,
    sens_spec,
    soft_dice,
    standardization,
    sub_volumes,
    tiled_prediction,
)

ROOT = Path(__file__).resolve().parent.parent
EYE = np.eye(2)[..., None]  # the course's pred, (2, 2, 1)
LABEL_1 = np.array([[1.0, 1.0], [0.0, 0.0]])[..., None]
LABEL_2 = np.array([[1.0, 1.0], [0.0, 1.0]])[..., None]


# ------------------------------------------------------------------ sub-volumes


def test_get_sub_volume_reproduces_the_course_output(capsys):
    i, j, k = np.meshgrid(np.arange(4), np.arange(4), np.arange(3), indexing="ij")
    image, label = (i * j * k).astype(float)[..., None], k.astype(float)
    state = np.random.get_state()  # noqa: NPY002 - the course's global generator
    try:
        np.random.seed(3)  # noqa: NPY002
        # the course's checker calls three times; it prints the third result
        outputs = [
            sub_volumes.get_sub_volume(image, label, 4, 4, 3, 2, 2, 2, 3)
            for _ in range(3)
        ]
    finally:
        np.random.set_state(state)  # noqa: NPY002
    X, y = outputs[2]
    np.testing.assert_array_equal(
        X, [[[[1.0, 2.0], [2.0, 4.0]], [[2.0, 4.0], [4.0, 8.0]]]]
    )
    np.testing.assert_array_equal(
        y, [[[[1, 0], [1, 0]], [[1, 0], [1, 0]]], [[[0, 1], [0, 1]], [[0, 1], [0, 1]]]]
    )
    assert y.dtype == np.float32
    assert sub_volumes.get_sub_volume(image, 0 * label, 4, 4, 3, 2, 2, 2, 3, 5) is None
    assert "Tried 5 times to find a sub-volume. Giving up..." in capsys.readouterr().out


def test_get_sub_volume_on_a_synthetic_brain():
    image, label = make_brats_case((40, 40, 24), seed=1)
    X, y = sub_volumes.get_sub_volume(
        image, label, 40, 40, 24, 16, 16, 8, background_threshold=0.9
    )
    assert X.shape == (4, 16, 16, 8) and y.shape == (3, 16, 16, 8)
    assert (1 - y.sum(axis=0)).mean() < 0.9


# ---------------------------------------------------------------- standardize


def test_standardize_by_hand():
    image = np.stack([[[1.0, 3.0], [5.0, 5.0]], np.full((2, 2), 7.0)], axis=-1)[None]
    out = standardization.standardize(image)
    # slice 0: [[1, 3], [5, 5]], mean 3.5, std sqrt(2.75); slice 1 is constant
    np.testing.assert_allclose(
        out[0, :, :, 0], np.array([[-2.5, -0.5], [1.5, 1.5]]) / np.sqrt(2.75)
    )
    np.testing.assert_array_equal(out[0, :, :, 1], np.zeros((2, 2)))
    assert out.dtype == np.float64
    # the course's check: a standardised slice has std 1
    patch = np.random.default_rng(0).normal(300, 40, size=(4, 16, 16, 8))
    assert standardization.standardize(patch)[0, :, :, 0].std() == pytest.approx(1.0)


# ----------------------------------------------------------------------- dice


def test_dice_matches_the_course():
    single = dice.single_class_dice_coefficient
    assert single(EYE, LABEL_1, epsilon=1) == pytest.approx(0.6)
    assert single(EYE, LABEL_2, epsilon=1) == pytest.approx(0.8333333333333334)
    multi = dice.dice_coefficient
    assert multi(EYE[None], LABEL_1[None], epsilon=1) == pytest.approx(0.6)
    pred_3, label_3 = np.stack([EYE, EYE]), np.stack([LABEL_1, LABEL_2])
    assert multi(label_3, pred_3, epsilon=1) == pytest.approx(0.7166666666666667)
    # two empty masks: eps / eps
    assert single(np.zeros((2, 2, 2)), np.zeros((2, 2, 2))) == 1.0


def _course_soft_dice_cases():
    eye, one, two = np.eye(2), LABEL_1[..., 0], LABEL_2[..., 0]
    pred_4 = eye.copy()
    pred_4[0, 1] = 0.8
    pred_6 = np.array([[[[1.0, 1.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]]]] * 2)
    label_6 = np.array(
        [
            [[[1.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 0.0]]],
            [[[0.0, 0.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 0.0]]],
        ]
    )
    return [
        (eye[None, ..., None], one[None, ..., None], 0.4),
        (0.5 * eye[None, ..., None], one[None, ..., None], 0.4285714285714286),
        (eye[None, ..., None], two[None, ..., None], 0.16666666666666663),
        (pred_4[None, ..., None], two[None, ..., None], 0.006024096385542355),
        (
            np.stack([0.5 * eye, pred_4])[..., None],
            np.stack([one, two])[..., None],
            0.21729776247848553,
        ),
        (pred_6, label_6, 0.4375),
    ]


@pytest.mark.parametrize("number", range(6))
def test_soft_dice_loss_matches_the_course(number):
    pred, label, expected = _course_soft_dice_cases()[number]
    assert soft_dice.soft_dice_loss(label, pred, epsilon=1) == pytest.approx(expected)


def test_soft_dice_gradient_by_hand_and_by_central_differences():
    one = np.ones((1, 1, 1, 1))
    np.testing.assert_allclose(
        soft_dice.soft_dice_loss_grad(one, 0.5 * one, epsilon=0), [[[[-0.96]]]]
    )
    rng = np.random.default_rng(0)
    for shape, axis in (((3, 4, 3, 2), (1, 2, 3)), ((2, 2, 5, 4), (2, 3))):
        y_true = (rng.random(shape) < 0.4).astype(float)
        y_pred = rng.random(shape)
        grad = soft_dice.soft_dice_loss_grad(y_true, y_pred, axis, 1e-3)
        for index in [tuple(rng.integers(0, n) for n in shape) for _ in range(10)]:
            step = np.zeros(shape)
            step[index] = 1e-6
            numeric = (
                soft_dice.soft_dice_loss(y_true, y_pred + step, axis, 1e-3)
                - soft_dice.soft_dice_loss(y_true, y_pred - step, axis, 1e-3)
            ) / 2e-6
            assert grad[index] == pytest.approx(numeric, rel=1e-5, abs=1e-9)


# ------------------------------------------------------------------ sens / spec


@pytest.mark.parametrize(
    "pred, label, expected",
    [
        (EYE[None], LABEL_1[None], (0.5, 0.5)),
        (EYE[None], LABEL_2[None], (2 / 3, 1.0)),
        (
            np.array([[1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0]]),
            np.array([[1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]]),
            (2 / 7, 3 / 7),
        ),
    ],
)
def test_sens_spec_matches_the_course(pred, label, expected):
    np.testing.assert_allclose(
        sens_spec.compute_class_sens_spec(pred, label, 0), expected
    )


# ------------------------------------------------ augmentation, tiles, registration


def test_docstring_examples_of_the_volume_lessons():
    image = np.arange(4.0).reshape(1, 2, 2, 1)
    label = np.array([[1, 0], [0, 0]]).reshape(2, 2, 1)
    out, lab = augmentation3d.apply_augmentation(image, label, (0,), 0, 2.0)
    np.testing.assert_array_equal(out[0, :, :, 0], [[4, 6], [0, 2]])
    np.testing.assert_array_equal(lab[:, :, 0], [[0, 0], [1, 0]])
    out, lab = augmentation3d.apply_augmentation(image, label, (), 1)
    np.testing.assert_array_equal(out[0, :, :, 0], [[1, 3], [0, 2]])
    np.testing.assert_array_equal(lab[:, :, 0], [[0, 0], [1, 0]])

    assert tiled_prediction.tile_starts(10, 4, 3) == [0, 3, 6]
    assert tiled_prediction.tile_starts(11, 4, 3) == [0, 3, 6, 7]
    tiles = np.stack([np.full((1, 2, 1, 1), 1.0), np.full((1, 2, 1, 1), 3.0)])
    np.testing.assert_array_equal(
        tiled_prediction.stitch_tiles(tiles, [[0, 0, 0], [1, 0, 0]], (3, 1, 1))[
            0, :, 0, 0
        ],
        [1, 2, 3],
    )
    volume = np.random.default_rng(0).normal(size=(2, 9, 10, 6))
    np.testing.assert_allclose(
        tiled_prediction.predict_tiled(lambda b: b[:, :1], volume, patch=(4, 4, 4)),
        volume[:1],
    )

    np.testing.assert_allclose(
        registration.rigid_matrix_2d(np.pi / 2, (0, 0), (1, 1)),
        [[0, -1, 2], [1, 0, 0], [0, 0, 1]],
        atol=1e-12,
    )
    fixed = np.zeros((8, 8))
    fixed[2:4, 3:6] = 1
    moving = np.roll(fixed, (1, -2), axis=(0, 1))
    np.testing.assert_array_equal(
        registration.phase_correlation(fixed, moving), [1, -2]
    )
    np.testing.assert_array_equal(
        registration.warp_label(
            np.array([[1, 2, 3]]), [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
        ),
        [[2, 3, 0]],
    )


def test_registration_lesson_end_to_end():
    # two scans of one head differing by a shift: phase correlation finds it, and
    # the label map comes across exactly with nearest-neighbour interpolation
    image, label = make_brats_case((32, 32, 16), seed=3)
    fixed, fixed_label = np.pad(image[:, :, 8, 0], 8), np.pad(label[:, :, 8], 8)
    moving, moving_label = (
        np.roll(fixed, (3, -5), (0, 1)),
        np.roll(fixed_label, (3, -5), (0, 1)),
    )
    shift = registration.phase_correlation(fixed, moving)
    np.testing.assert_array_equal(shift, [3, -5])
    matrix = registration.rigid_matrix_2d(0.0, shift, (0, 0))
    np.testing.assert_array_equal(
        registration.warp_label(moving_label, matrix), fixed_label
    )


# ---------------------------------------------- the checks catch wrong implementations

# (lesson, text in the solution, replacement); each copy edits every exercise once
WRONG_A = [
    ("sub_volumes", "            X = np.moveaxis(X, 3, 0)\n", ""),  # channels-last X
    ("standardization", "            centered_scaled = centered\n", ""),  # stale slice
    (
        "dice",
        "    dice_numerator = 2.0 * np.sum(y_true * y_pred, axis=axis) + epsilon\n"
        "    dice_denominator = np.sum(y_true, axis=axis) + np.sum(y_pred, axis=axis) "
        "+ epsilon\n    return dice_numerator / dice_denominator",
        "    dice_numerator = 2.0 * (np.sum(y_true * y_pred, axis=axis) + epsilon)\n"
        "    dice_denominator = np.sum(y_true, axis=axis) + np.sum(y_pred, axis=axis) "
        "+ epsilon\n    return dice_numerator / dice_denominator",
    ),  # epsilon doubled
    (
        "soft_dice",
        "    dice_denominator = (\n        np.sum(y_true**2, axis=axis) + "
        "np.sum(y_pred**2, axis=axis) + epsilon\n    )",
        "    dice_denominator = np.sum(y_true, axis=axis) + np.sum(y_pred, axis=axis) "
        "+ epsilon",
    ),  # squares missing
    ("soft_dice", "    n = numerator.size", "    n = 1"),  # the mean's 1/n forgotten
    (
        "sens_spec",
        "    specificity = tn / (tn + fp)",
        "    specificity = tn / (tn + fn)",
    ),
    (
        "augmentation3d",
        "image = np.flip(image, axis=1 + a)",
        "image = np.flip(image, axis=a)",
    ),
    (
        "tiled_prediction",
        "    if starts[-1] != size - patch:\n        starts.append(size - patch)\n",
        "",
    ),
    ("tiled_prediction", "    return total / np.maximum(count, 1)", "    return total"),
    (
        "registration",
        "    matrix[:2, 2] = center - rot @ center + shift",
        "    matrix[:2, 2] = shift",
    ),
    (
        "registration",
        "    return np.where(peak > size // 2, peak - size, peak)",
        "    return peak",
    ),
    (
        "registration",
        "    nearest = np.floor(q[:, inside] + 0.5).astype(int)",
        "    nearest = q[:, inside].astype(int)",
    ),
]
FAIL_A = {
    "get_sub_volume",
    "standardize",
    "single_class_dice_coefficient",
    "soft_dice_loss",
    "soft_dice_loss_grad",
    "compute_class_sens_spec",
    "apply_augmentation",
    "tile_starts",
    "stitch_tiles",
    "rigid_matrix_2d",
    "phase_correlation",
    "warp_label",
}

WRONG_B = [
    ("sub_volumes", "            y = y[1:, :, :, :]\n", ""),  # background kept
    (
        "standardization",
        "standardized_image = np.zeros(image.shape)\n",
        "standardized_image = np.zeros_like(image)\n",
    ),  # float32 stays float32
    (
        "dice",
        "    dice_numerator = 2.0 * np.sum(y_true * y_pred, axis=axis) + epsilon\n"
        "    dice_denominator = np.sum(y_true, axis=axis) + np.sum(y_pred, axis=axis) "
        "+ epsilon\n    return np.mean(",
        "    dice_numerator = 2.0 * np.sum(y_true * y_pred) + epsilon\n"
        "    dice_denominator = np.sum(y_true) + np.sum(y_pred) + epsilon\n"
        "    return np.mean(",
    ),  # sums over every axis
    (
        "sens_spec",
        "    class_pred = pred[class_num]\n    class_label = label[class_num]",
        "    class_pred = label[class_num]\n    class_label = pred[class_num]",
    ),  # swapped
    (
        "augmentation3d",
        "    return image * scale, label.copy()",
        "    return image * scale, label * scale",
    ),  # the label scaled too
    # correct alternatives, which must still pass:
    (
        "soft_dice",
        "    return 1 - np.mean(dice_numerator / dice_denominator)",
        "    return 1.0 - np.sum(dice_numerator / dice_denominator) / dice_numerator.size",
    ),
    (
        "registration",
        "    cross = np.divide(\n        cross, magnitude, out=np.zeros_like"
        "(cross), where=magnitude > 1e-12\n    )",
        "    cross = cross / (magnitude + 1e-15)",
    ),
    # (scipy.ndimage.affine_transform would warp the labels correctly too, but it is
    # the exercise's answer, so the lesson forbids it: tests/test_forbidden_imports.py)
]
FAIL_B = {
    "get_sub_volume",
    "standardize",
    "dice_coefficient",
    "compute_class_sens_spec",
    "apply_augmentation",
}


@pytest.mark.parametrize(
    "edits, expected_failures",
    [(WRONG_A, FAIL_A), (WRONG_B, FAIL_B)],
    ids=["set-A", "set-B"],
)
def test_checks_catch_wrong_implementations(grade_edited, edits, expected_failures):
    results = grade_edited("week3", edits, ["week3"])
    failed = {name for name, r in results.items() if not r.passed}
    assert failed == expected_failures, {n: results[n].message[:300] for n in failed}
    for name in expected_failures:  # a wrong answer, not a crash of the grader
        assert results[name].status in WRONG_ANSWER_STATUSES, results[name].message
