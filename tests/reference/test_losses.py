"""reference.losses: hand-computed values, float64 gradient checks, stability, errors."""

import math

import numpy as np
import pytest

from reference import losses

RNG = np.random.default_rng(1234)
CLASSIC_Y = np.array([[1, 1, 1], [1, 1, 0], [0, 1, 0], [1, 0, 1]], dtype=float)
CLASSIC_POS, CLASSIC_NEG = np.array([0.25, 0.25, 0.5]), np.array([0.75, 0.75, 0.5])


def numerical_grad(f, x, h=1e-6):
    """Central differences of a scalar function f at every entry of float64 x."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (f(up) - f(down)) / (2 * h)
    return grad


def loop_weighted_bce(y, p, w_pos, w_neg, eps):
    """Independent double loop of the course's definition."""
    n, k = y.shape
    total = 0.0
    for j in range(k):
        column = 0.0
        for i in range(n):
            column += -(
                w_pos[j] * y[i, j] * math.log(p[i, j] + eps)
                + w_neg[j] * (1 - y[i, j]) * math.log(1 - p[i, j] + eps)
            )
        total += column / n
    return total


# ------------------------------------------------------------------ weighted BCE


@pytest.mark.parametrize("p, expected", [(0.7, -0.4956), (0.3, -0.4956)])
def test_course_classic_values(p, expected):
    value = losses.weighted_bce(
        CLASSIC_Y, np.full((4, 3), p), CLASSIC_POS, CLASSIC_NEG, epsilon=1
    )
    assert value == pytest.approx(expected, abs=5e-5)


def test_weighted_bce_matches_a_loop():
    y = (RNG.random((7, 4)) < 0.4).astype(float)
    p = RNG.uniform(0.01, 0.99, (7, 4))
    w_pos, w_neg = RNG.uniform(0.1, 1, 4), RNG.uniform(0.1, 1, 4)
    got = losses.weighted_bce(y, p, w_pos, w_neg, 1e-3)
    assert got == pytest.approx(loop_weighted_bce(y, p, w_pos, w_neg, 1e-3), rel=1e-12)


def test_plain_bce_by_hand_and_one_dimensional():
    y, p = np.array([1.0, 0.0]), np.array([0.9, 0.2])
    expected = -(math.log(0.9 + 1e-7) + math.log(0.8 + 1e-7)) / 2
    assert losses.bce(y, p) == pytest.approx(expected, rel=1e-12)
    assert losses.bce_grad(y, p, 0.0) == pytest.approx([-1 / 0.9 / 2, 1 / 0.8 / 2])


def test_weighted_bce_grad_is_exact():
    y = (RNG.random((5, 3)) < 0.5).astype(float)
    p = RNG.uniform(0.05, 0.95, (5, 3))
    w_pos, w_neg = np.array([0.2, 0.5, 0.9]), np.array([0.8, 0.5, 0.1])
    analytic = losses.weighted_bce_grad(y, p, w_pos, w_neg, 1e-2)
    numeric = numerical_grad(lambda q: losses.weighted_bce(y, q, w_pos, w_neg, 1e-2), p)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_bce_grad_is_exact():
    y = (RNG.random((6, 2)) < 0.5).astype(float)
    p = RNG.uniform(0.05, 0.95, (6, 2))
    numeric = numerical_grad(lambda q: losses.bce(y, q), p)
    np.testing.assert_allclose(losses.bce_grad(y, p), numeric, rtol=1e-6, atol=1e-9)


def test_course_class_weights_balance_the_two_terms():
    y = (RNG.random((200, 3)) < [0.05, 0.2, 0.5]).astype(float)
    freq_pos = y.mean(axis=0)
    w_pos, w_neg = 1 - freq_pos, freq_pos
    p = np.full(y.shape, 0.5)  # equal per-entry losses: contributions ~ counts * weight
    positive_part = losses.weighted_bce(y, p, w_pos, 0.0)
    negative_part = losses.weighted_bce(y, p, 0.0, w_neg)
    assert positive_part == pytest.approx(negative_part, rel=1e-12)


def test_dtype_is_preserved_and_inputs_untouched():
    y = np.array([[1, 0], [0, 1]])
    p32 = np.array([[0.8, 0.3], [0.1, 0.6]], dtype=np.float32)
    before = p32.copy()
    value = losses.weighted_bce(y, p32, [1, 2], [2, 1])
    assert isinstance(value, np.float32)
    assert losses.weighted_bce_grad(y, p32, [1, 2], [2, 1]).dtype == np.float32
    assert (
        losses.soft_dice_loss(
            y[None, :, :, None].astype(np.float32), p32[None, :, :, None]
        ).dtype
        == np.float32
    )
    np.testing.assert_array_equal(p32, before)


# ------------------------------------------------------------------ logits variant


def test_logits_variant_equals_the_probability_version():
    y = (RNG.random((6, 3)) < 0.5).astype(float)
    z = RNG.normal(0, 2, (6, 3))
    w_pos, w_neg = np.array([0.3, 0.6, 0.9]), np.array([0.7, 0.4, 0.1])
    p = 1 / (1 + np.exp(-z))
    assert losses.weighted_bce_with_logits(y, z, w_pos, w_neg) == pytest.approx(
        losses.weighted_bce(y, p, w_pos, w_neg, epsilon=0.0), rel=1e-12
    )
    numeric = numerical_grad(
        lambda q: losses.weighted_bce_with_logits(y, q, w_pos, w_neg), z
    )
    np.testing.assert_allclose(
        losses.weighted_bce_with_logits_grad(y, z, w_pos, w_neg),
        numeric,
        rtol=1e-6,
        atol=1e-9,
    )


def test_logits_variant_is_stable_for_huge_logits():
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    z = np.array([[1000.0], [-1000.0], [-1000.0], [1000.0]])
    value = losses.weighted_bce_with_logits(y, z, 1.0, 1.0)
    assert value == pytest.approx(2000 / 4)  # the two wrong ones cost 1000 each
    np.testing.assert_allclose(
        losses.weighted_bce_with_logits_grad(y, z, 1.0, 1.0),
        [[0.0], [0.0], [-0.25], [0.25]],
    )


# ------------------------------------------------------------------ masked (multi-task)


def test_masked_bce_ignores_missing_labels():
    y = np.array([[1.0, np.nan], [0.0, 1.0], [-1.0, 0.0]])
    p = np.array([[0.8, 0.5], [0.4, 0.9], [0.3, 0.2]])
    # column 0: rows 0, 1 present; column 1: rows 1, 2 present
    expected = (
        -(math.log(0.8) + math.log(0.6)) / 2 - (math.log(0.9) + math.log(0.8)) / 2
    )
    assert losses.masked_bce(y, p, epsilon=0.0) == pytest.approx(expected, rel=1e-12)
    grad = losses.masked_bce_grad(y, p, epsilon=0.0)
    np.testing.assert_allclose(
        grad, [[-1 / 0.8 / 2, 0.0], [1 / 0.6 / 2, -1 / 0.9 / 2], [0.0, 1 / 0.8 / 2]]
    )


def test_masked_bce_equals_weighted_without_missing_and_has_exact_grad():
    y = (RNG.random((5, 3)) < 0.5).astype(float)
    p = RNG.uniform(0.05, 0.95, (5, 3))
    w_pos, w_neg = np.array([0.2, 0.5, 0.9]), np.array([0.8, 0.5, 0.1])
    assert losses.masked_bce(y, p, w_pos, w_neg) == pytest.approx(
        losses.weighted_bce(y, p, w_pos, w_neg), rel=1e-12
    )
    y_missing = y.copy()
    y_missing[[0, 3], [1, 2]] = np.nan
    y_missing[:, 0] = -1  # a task with no label at all contributes 0
    numeric = numerical_grad(lambda q: losses.masked_bce(y_missing, q, w_pos, w_neg), p)
    analytic = losses.masked_bce_grad(y_missing, p, w_pos, w_neg)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)
    assert np.all(analytic[:, 0] == 0)


# ------------------------------------------------------------------ soft dice


def test_soft_dice_by_hand():
    # class 0: 2*(1*0.5 + 1*1) / (2 + 0.25 + 1) = 3 / 3.25; class 1 empty: eps / eps = 1
    y = np.array([[[[1.0, 1.0, 0.0]]], [[[0.0, 0.0, 0.0]]]])
    p = np.array([[[[0.5, 1.0, 0.0]]], [[[0.0, 0.0, 0.0]]]])
    eps = 1e-5
    dice0 = (3 + eps) / (3.25 + eps)
    assert losses.soft_dice_loss(y, p, epsilon=eps) == pytest.approx(
        1 - (dice0 + 1) / 2
    )
    assert losses.soft_dice_loss(y, y) == pytest.approx(0.0)


def test_soft_dice_grad_is_exact_with_and_without_batch_axis():
    y = (RNG.random((3, 4, 3, 2)) < 0.4).astype(float)
    p = RNG.uniform(0.01, 0.99, (3, 4, 3, 2))
    numeric = numerical_grad(lambda q: losses.soft_dice_loss(y, q), p)
    np.testing.assert_allclose(
        losses.soft_dice_loss_grad(y, p), numeric, rtol=1e-6, atol=1e-9
    )
    yb, pb = y[None].repeat(2, axis=0), p[None].repeat(2, axis=0)
    pb[1] = RNG.uniform(0.01, 0.99, pb[1].shape)
    axis = (2, 3, 4)
    numeric = numerical_grad(lambda q: losses.soft_dice_loss(yb, q, axis=axis), pb)
    np.testing.assert_allclose(
        losses.soft_dice_loss_grad(yb, pb, axis=axis), numeric, rtol=1e-6, atol=1e-9
    )


def test_soft_dice_with_batch_axis_is_the_mean_over_cases():
    y = (RNG.random((2, 3, 4, 4, 2)) < 0.5).astype(float)
    p = RNG.uniform(0, 1, (2, 3, 4, 4, 2))
    per_case = [losses.soft_dice_loss(y[n], p[n]) for n in range(2)]
    assert losses.soft_dice_loss(y, p, axis=(2, 3, 4)) == pytest.approx(
        np.mean(per_case)
    )


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "call, error, text",
    [
        (
            lambda: losses.weighted_bce([[1, 0]], [[0.5, 1.5]], [1, 1], [1, 1]),
            ValueError,
            "weighted_bce: expected y_pred with probabilities in [0, 1]",
        ),
        (
            lambda: losses.weighted_bce([[1, 2]], [[0.5, 0.5]], [1, 1], [1, 1]),
            ValueError,
            "expected y_true with binary labels 0/1",
        ),
        (
            lambda: losses.weighted_bce([[1, 0]], [[0.5, 0.5]], [1, 1, 1], [1, 1]),
            ValueError,
            "expected pos_weights of shape (2,)",
        ),
        (
            lambda: losses.weighted_bce([[1, 0]], [[0.5, 0.5, 0.5]], [1], [1]),
            ValueError,
            "expected y_true and y_pred with the same shape",
        ),
        (
            lambda: losses.weighted_bce_grad([[1]], [[0.5]], [1], [1], epsilon=-1),
            ValueError,
            "epsilon a finite number >= 0",
        ),
        (
            lambda: losses.bce(np.ones((2, 2, 2)), np.ones((2, 2, 2)) / 2),
            ValueError,
            "expected y_pred with 1 or 2 dims",
        ),
        (
            lambda: losses.weighted_bce_with_logits([[1]], [[np.inf]], 1, 1),
            ValueError,
            "expected logits without NaN or infinity",
        ),
        (lambda: losses.masked_bce([[2.0]], [[0.5]]), ValueError, "binary labels"),
        (
            lambda: losses.bce([["a"]], [[0.5]]),
            TypeError,
            "expected y_true with a numeric",
        ),
        (
            lambda: losses.soft_dice_loss(
                np.ones((2, 3, 3, 3)), np.ones((2, 3, 3, 3)), axis=(1, 2, 5)
            ),
            ValueError,
            "For (classes, x, y, z)",
        ),
        (
            lambda: losses.soft_dice_loss(
                np.ones((2, 3)), np.ones((2, 3)), axis=(0, 1)
            ),
            ValueError,
            "leave the class axis out",
        ),
        (
            lambda: losses.soft_dice_loss_grad(np.ones(3), np.ones(3)),
            ValueError,
            "expected y_pred with a class axis",
        ),
    ],
)
def test_errors_name_the_function_and_argument(call, error, text):
    with pytest.raises(error, match=None) as info:
        call()
    assert text in str(info.value)
