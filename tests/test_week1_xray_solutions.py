"""Week 1 chest X-ray lessons: hand-computed values, and the checks catch wrong code.

Lessons: data_leakage, class_imbalance, weighted_loss, augmentation, consensus,
standardization. Values are worked out by hand (or by a loop), never taken from
`reference`. The last tests grade copies of solutions/week1 with deliberate
mistakes and check that the autograder fails exactly the edited exercises (and
passes correct alternative implementations).
"""

import math
from pathlib import Path

import numpy as np
import pytest
from helpers import WRONG_ANSWER_STATUSES

from solutions.week1 import (
    augmentation,
    class_imbalance,
    consensus,
    data_leakage,
    standardization,
    weighted_loss,
)

ROOT = Path(__file__).resolve().parent.parent
LESSONS = (
    "data_leakage",
    "class_imbalance",
    "weighted_loss",
    "augmentation",
    "consensus",
    "standardization",
)
CLASSIC_Y = np.array([[1, 1, 1], [1, 1, 0], [0, 1, 0], [1, 0, 1]])


# ------------------------------------------------------------------- data_leakage


def test_check_for_leakage_on_dicts_and_structured_arrays():
    leak = data_leakage.check_for_leakage
    assert leak({"PatientId": [0, 1, 2]}, {"PatientId": [2, 3, 4]}, "PatientId") is True
    assert leak({"PatientId": [0, 1, 2]}, {"PatientId": [3, 4]}, "PatientId") is False
    table = np.zeros(3, dtype=[("Image", "U8"), ("id", int)])
    table["id"] = [7, 7, 8]
    other = np.zeros(1, dtype=[("Image", "U8"), ("id", int)])
    other["id"] = [8]
    assert leak(table, other, "id") is True
    assert leak(table, other[:0], "id") is False


def test_split_by_patient_properties():
    ids = np.array([1, 1, 2, 3, 3, 4, 5, 6, 6, 6, 7, 8, 9, 10])
    labels = np.zeros((14, 2), dtype=int)
    labels[[0, 3, 7], 0] = 1  # rare finding on patients 1, 3, 6
    parts = data_leakage.split_by_patient(ids, labels, (0.6, 0.2, 0.2), seed=0)
    assert sorted(np.concatenate(parts).tolist()) == list(range(14))
    owners = [set(ids[p].tolist()) for p in parts]
    assert not (owners[0] & owners[1] or owners[0] & owners[2] or owners[1] & owners[2])
    assert all(labels[p, 0].sum() == 1 for p in parts)  # one rare patient each
    again = data_leakage.split_by_patient(ids, labels, (0.6, 0.2, 0.2), seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again, strict=True))


# ---------------------------------------------------------------- class_imbalance


def test_compute_class_freqs_by_hand():
    labels = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1], [1, 0, 1]])
    pos, neg = class_imbalance.compute_class_freqs(labels)
    np.testing.assert_allclose(pos, [0.8, 0.4, 0.8])
    np.testing.assert_allclose(neg, [0.2, 0.6, 0.2])


@pytest.mark.parametrize("method, length", [("over", 10), ("under", 4)])
def test_balance_by_resampling_counts(method, length):
    y = np.array([1, 0, 0, 1, 0, 0, 0])  # 2 positives, 5 negatives
    idx = class_imbalance.balance_by_resampling(y, method, seed=3)
    assert idx.size == length and 2 * y[idx].sum() == length
    assert np.array_equal(
        np.sort(idx), np.sort(class_imbalance.balance_by_resampling(y, method, 3))
    )


# ------------------------------------------------------------------ weighted_loss


@pytest.mark.parametrize("p", [0.7, 0.3])
def test_weighted_loss_course_values(p):
    # by hand: class 0 has 3 positives / 1 negative, class 1 the same, class 2 2/2
    loss = weighted_loss.get_weighted_loss(
        np.array([0.25, 0.25, 0.5]), np.array([0.75, 0.75, 0.5]), epsilon=1
    )
    expected = 0.0
    for w_pos, w_neg, n_pos in ((0.25, 0.75, 3), (0.25, 0.75, 3), (0.5, 0.5, 2)):
        expected += (
            -(
                w_pos * n_pos * math.log(p + 1)
                + w_neg * (4 - n_pos) * math.log(1 - p + 1)
            )
            / 4
        )
    value = loss(CLASSIC_Y, np.full((4, 3), p))
    assert value == pytest.approx(expected) and value == pytest.approx(
        -0.4956, abs=1e-4
    )


def test_binary_cross_entropy_by_hand():
    y = np.array([[1, 0], [0, 1]])
    p = np.array([[0.9, 0.2], [0.4, 0.6]])
    expected = (
        -(math.log(0.9) + math.log(0.6)) / 2 - (math.log(0.8) + math.log(0.6)) / 2
    )
    assert weighted_loss.binary_cross_entropy(y, p, 0.0) == pytest.approx(expected)


def test_weighted_loss_grad_matches_finite_differences():
    rng = np.random.default_rng(0)
    y = (rng.random((5, 3)) < 0.5).astype(float)
    p = rng.uniform(0.1, 0.9, (5, 3))
    pos, neg = np.array([0.3, 0.6, 0.8]), np.array([0.7, 0.4, 0.2])
    loss = weighted_loss.get_weighted_loss(pos, neg, 1e-3)
    grad = weighted_loss.weighted_loss_grad(y, p, pos, neg, 1e-3)
    h = 1e-6
    for index in np.ndindex(p.shape):
        up, down = p.copy(), p.copy()
        up[index] += h
        down[index] -= h
        assert grad[index] == pytest.approx(
            (loss(y, up) - loss(y, down)) / (2 * h), rel=1e-6
        )


# ------------------------------------------------------- augmentation, vote, standardize


def test_shift_and_contrast_by_hand():
    image = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(
        augmentation.shift_image(image, 1, -1), [[0, 0, 0], [1, 2, 0]]
    )
    np.testing.assert_array_equal(
        augmentation.shift_image(image, 0, 3), np.zeros((2, 3))
    )
    np.testing.assert_allclose(
        augmentation.adjust_contrast(image, 0.5),
        [[1.25, 1.75, 2.25], [2.75, 3.25, 3.75]],
    )


def test_majority_vote_ties_are_positive():
    votes = np.array([[1, 1, 0, 0], [1, 0, 0, 0], [1, 1, 1, 0]])
    np.testing.assert_array_equal(consensus.majority_vote(votes), [1, 0, 1])


def test_standardization_uses_the_given_statistics():
    train = np.array([[[[0.0, 2.0]]], [[[4.0, 6.0]]]])
    mean, std = standardization.fit_standardization(train)
    np.testing.assert_allclose(mean, [3.0])
    np.testing.assert_allclose(std, [math.sqrt(5.0)])
    test = np.array([[[[3.0, 3.0 + math.sqrt(5.0)]]]])
    np.testing.assert_allclose(
        standardization.apply_standardization(test, mean, std), [[[[0.0, 1.0]]]]
    )
    constant = standardization.apply_standardization(
        test, np.array([1.0]), np.array([0.0])
    )
    np.testing.assert_allclose(constant, test - 1.0)


# ---------------------------------------------- the checks catch wrong implementations

# (lesson, text in the solution, replacement); one edit per graded function
WRONG_A = [
    # epsilon outside the logarithm
    (
        "weighted_loss",
        "pos_weights[i] * y * np.log(p + epsilon)\n",
        "pos_weights[i] * y * (np.log(p) + epsilon)\n",
    ),
    # sum over the batch instead of the mean
    (
        "weighted_loss",
        "    return np.sum(np.mean(per_entry, axis=0))",
        "    return np.sum(per_entry)",
    ),
    # gradient without the 1 / N of the mean
    ("weighted_loss", "    return d_entry / n_images", "    return d_entry"),
    # frequencies over the wrong axis
    (
        "class_imbalance",
        "    positive_frequencies = np.mean(labels, axis=0)",
        "    positive_frequencies = np.mean(labels, axis=1)",
    ),
    # resampling that is not reproducible (unseeded generator)
    (
        "class_imbalance",
        "    rng = np.random.default_rng(seed)\n    positives",
        "    rng = np.random.default_rng()\n    positives",
    ),
    # returning the set of shared patients instead of a bool
    (
        "data_leakage",
        "    return len(patients_1 & patients_2) > 0",
        "    return patients_1 & patients_2",
    ),
    # an image-level random split (patients leak across splits)
    (
        "data_leakage",
        "    row_split = split_of[inverse]",
        "    row_split = np.random.default_rng(seed).integers(0, len(fractions), "
        "len(patient_ids))",
    ),
    # np.roll wraps around instead of filling with zeros
    (
        "augmentation",
        "    height, width = image.shape[-2:]\n    shifted",
        "    return np.roll(image, (dy, dx), axis=(-2, -1))\n    height, width = "
        "image.shape[-2:]\n    shifted",
    ),
    # one mean for the whole batch instead of one per image
    (
        "augmentation",
        "    mean = np.mean(image, axis=(-2, -1), keepdims=True)",
        "    mean = np.mean(image)",
    ),
    # a tie counted as negative
    (
        "consensus",
        "    return (ones >= zeros).astype(int)",
        "    return (ones > zeros).astype(int)",
    ),
    # sample standard deviation (ddof=1)
    (
        "standardization",
        "np.std(train_images, axis=axes)",
        "np.std(train_images, axis=axes, ddof=1)",
    ),
    # standardising with the test batch's own statistics
    (
        "standardization",
        "    return (images - mean.reshape(1, -1, 1, 1)) / scale",
        "    return (images - images.mean(axis=(0, 2, 3), keepdims=True)) / "
        "images.std(axis=(0, 2, 3), keepdims=True)",
    ),
]
FAIL_A = {
    "get_weighted_loss",
    "binary_cross_entropy",
    "weighted_loss_grad",
    "compute_class_freqs",
    "balance_by_resampling",
    "check_for_leakage",
    "split_by_patient",
    "shift_image",
    "adjust_contrast",
    "majority_vote",
    "fit_standardization",
    "apply_standardization",
}

WRONG_B = [
    # no epsilon at all (log(0) at the edge cases)
    (
        "weighted_loss",
        "        y_true * np.log(y_pred + epsilon) + (1 - y_true) * np.log(1 - y_pred + epsilon)",
        "        y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred)",
    ),
    # a patient split without the "lacking splits first" rule
    (
        "data_leakage",
        "            pool = lacking if lacking.size else np.arange(len(fractions))",
        "            pool = np.arange(len(fractions))",
    ),
    # a standardisation that divides by a zero std
    (
        "standardization",
        "    scale = np.where(std > 0, std, 1.0).reshape(1, -1, 1, 1)",
        "    scale = std.reshape(1, -1, 1, 1)",
    ),
    # under-sampling that also keeps every majority row
    (
        "class_imbalance",
        "    kept = rng.choice(majority, size=minority.size, replace=False)",
        "    kept = majority",
    ),
    # correct alternatives, which must still pass:
    (
        "data_leakage",
        "    return len(patients_1 & patients_2) > 0",  # a NumPy bool
        "    return np.any(np.isin(np.asarray(df1[patient_col]),\n"
        "                          np.asarray(df2[patient_col])))",
    ),
    (
        "class_imbalance",
        "    positive_frequencies = np.mean(labels, axis=0)",
        "    positive_frequencies = labels.sum(axis=0) / labels.shape[0]",
    ),
    (
        "consensus",
        "    return (ones >= zeros).astype(int)",
        "    return (np.mean(annotations, axis=1) >= 0.5).astype(int)",
    ),
    (
        "weighted_loss",
        "        loss = 0.0\n        for i in range(len(pos_weights)):\n"
        "            y, p = y_true[:, i], y_pred[:, i]\n"
        "            loss += -np.mean(\n"
        "                pos_weights[i] * y * np.log(p + epsilon)\n"
        "                + neg_weights[i] * (1 - y) * np.log(1 - p + epsilon)\n"
        "            )\n        return loss",
        "        terms = pos_weights * y_true * np.log(y_pred + epsilon) + neg_weights * "
        "(1 - y_true) * np.log(1 - y_pred + epsilon)\n        return -np.sum(terms.mean(0))",
    ),
]
FAIL_B = {
    "binary_cross_entropy",
    "split_by_patient",
    "apply_standardization",
    "balance_by_resampling",
}


@pytest.mark.parametrize(
    "edits, expected_failures",
    [(WRONG_A, FAIL_A), (WRONG_B, FAIL_B)],
    ids=["set-A", "set-B"],
)
def test_checks_catch_wrong_implementations(grade_edited, edits, expected_failures):
    results = grade_edited("week1", edits, [f"week1.{lesson}" for lesson in LESSONS])
    failed = {name for name, r in results.items() if not r.passed}
    assert failed == expected_failures, {n: results[n].message[:300] for n in failed}
    for name in expected_failures:  # a wrong answer, not a crash of the grader
        assert results[name].status in WRONG_ANSWER_STATUSES, results[name].message


def test_solutions_get_full_marks_and_stubs_none():
    from autograder.engine import Grader
    from autograder.registry import select

    exercises = select([f"week1.{lesson}" for lesson in LESSONS])
    with Grader(ROOT / "solutions") as grader:
        assert all(grader.grade(e).passed for e in exercises)
    with Grader(ROOT / "exercises") as grader:
        assert {grader.grade(e).status for e in exercises} == {"not-implemented"}
