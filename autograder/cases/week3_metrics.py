"""Cases and oracle adapters for week 3's segmentation metrics and losses.

Lessons ``week3/dice.py`` (the single-class and multi-class Dice
coefficient), ``week3/soft_dice.py`` (the soft Dice loss and its gradient) and
``week3/sens_spec.py`` (per-class sensitivity and specificity). Oracles come
from `reference.metrics` and `reference.losses` only (never `solutions`),
imported lazily.

Classic mistakes the cases catch: epsilon added in the wrong place (the course's
``epsilon = 1`` cases), squares missing in the soft-Dice denominator (soft
predictions), sums over the wrong axes (several different classes, non-default
``axis``).

The sub-volume and standardization lessons are in `autograder.cases.week3`,
which re-exports every name here.
"""

from __future__ import annotations

import warnings

import numpy as np

from autograder.cases import edge
from autograder.spec import Case

__all__ = [
    "class_sens_spec_oracle",
    "dice_hidden",
    "dice_oracle",
    "dice_public",
    "sens_spec_hidden",
    "sens_spec_public",
    "single_dice_hidden",
    "single_dice_oracle",
    "single_dice_public",
    "soft_dice_grad_hidden",
    "soft_dice_grad_oracle",
    "soft_dice_grad_public",
    "soft_dice_hidden",
    "soft_dice_oracle",
    "soft_dice_public",
]


# --------------------------------------------------------------------------- oracles


def single_dice_oracle(y_true, y_pred, axis=(0, 1, 2), epsilon=0.00001):
    """One Dice per entry of the axes left unsummed (none left: a scalar)."""
    from reference.metrics.segmentation import dice_coefficient

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    summed = tuple(int(a) % y_true.ndim for a in np.atleast_1d(axis))
    kept = [a for a in range(y_true.ndim) if a not in summed]
    if not kept:  # the mean over no remaining axis is the single value itself
        return dice_coefficient(y_true, y_pred, axis=axis, epsilon=epsilon)
    # one dice_coefficient per index of the kept axes (moved to the front)
    truth, pred = (
        np.moveaxis(y_true, kept, range(len(kept))),
        np.moveaxis(y_pred, kept, range(len(kept))),
    )
    spatial = tuple(range(y_true.ndim - len(kept)))
    shape = truth.shape[: len(kept)]
    return np.array(
        [
            dice_coefficient(truth[i], pred[i], axis=spatial, epsilon=epsilon)
            for i in np.ndindex(shape)
        ]
    ).reshape(shape)


def dice_oracle(y_true, y_pred, axis=(1, 2, 3), epsilon=0.00001):
    """Return reference.metrics.segmentation.dice_coefficient (same arguments)."""
    from reference.metrics.segmentation import dice_coefficient

    return dice_coefficient(y_true, y_pred, axis=axis, epsilon=epsilon)


def soft_dice_oracle(y_true, y_pred, axis=(1, 2, 3), epsilon=0.00001):
    """Return reference.losses.soft_dice_loss (same arguments)."""
    from reference.losses import soft_dice_loss

    return soft_dice_loss(y_true, y_pred, axis=axis, epsilon=epsilon)


def soft_dice_grad_oracle(y_true, y_pred, axis=(1, 2, 3), epsilon=0.00001):
    """Return reference.losses.soft_dice_loss_grad (same arguments)."""
    from reference.losses import soft_dice_loss_grad

    return soft_dice_loss_grad(y_true, y_pred, axis=axis, epsilon=epsilon)


def class_sens_spec_oracle(pred, label, class_num):
    """Map the course's order (pred, label) onto class_sens_spec(y_true, y_pred)."""
    from reference.metrics.segmentation import class_sens_spec

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return class_sens_spec(label, pred, class_num)


# ----------------------------------------------------------------------- dice


def _course_dice_arrays():
    """Return the course's pred = eye(2) and its two labels, as (2, 2, 1)."""
    pred = np.eye(2)[..., None]
    label_1 = np.array([[1.0, 1.0], [0.0, 0.0]])[..., None]
    label_2 = np.array([[1.0, 1.0], [0.0, 1.0]])[..., None]
    return pred, label_1, label_2


def single_dice_public():
    """Make the course's two single-class cases (epsilon = 1)."""
    pred, label_1, label_2 = _course_dice_arrays()
    return [
        Case(
            args=(pred, label_1),
            kwargs={"epsilon": 1},
            label="the course's case 1: pred eye(2), label [[1, 1], [0, 0]], "
            "epsilon=1 (expected 0.6)",
        ),
        Case(
            args=(pred, label_2),
            kwargs={"epsilon": 1},
            label="the course's case 2: label [[1, 1], [0, 1]], epsilon=1 "
            "(expected 0.8333)",
        ),
    ]


def _masks(rng, shape, p=0.4):
    """Make a random 0/1 float64 mask (each voxel 1 with probability p)."""
    return (rng.random(shape) < p).astype(np.float64)


def single_dice_hidden(rng):
    """Make random hard/soft masks, empty masks and non-default axes."""
    return [
        Case(args=(_masks(rng, (4, 5, 3)), _masks(rng, (4, 5, 3)))),
        Case(
            args=(_masks(rng, (6, 6, 2)), rng.random((6, 6, 2))), kwargs={"epsilon": 1}
        ),
        *edge(
            Case(args=(np.zeros((3, 3, 3)), np.zeros((3, 3, 3)))),  # both empty
            Case(
                args=(_masks(rng, (3, 3, 3)), np.zeros((3, 3, 3))),
                kwargs={"epsilon": 1},
            ),
        ),  # an empty prediction
        Case(
            args=(_masks(rng, (4, 4, 3, 2)), _masks(rng, (4, 4, 3, 2))),
            kwargs={"axis": (0, 1, 2)},
        ),
        Case(args=(_masks(rng, (5, 7)), _masks(rng, (5, 7)), (0, 1), 0.5)),
        Case(
            args=(
                _masks(rng, (4, 4, 4)).astype(np.float32),
                rng.random((4, 4, 4)).astype(np.float32),
            )
        ),
    ]


def _course_multi_class():
    pred, label_1, label_2 = _course_dice_arrays()
    return np.stack([pred, pred]), np.stack([label_1, label_2])


def dice_public():
    """Make the course's three multi-class cases (epsilon = 1)."""
    pred, label_1, label_2 = _course_dice_arrays()
    pred_3, label_3 = _course_multi_class()
    return [
        Case(
            args=(pred[None], label_1[None]),
            kwargs={"epsilon": 1},
            label="the course's case 1 with a class axis, epsilon=1 (expected 0.6)",
        ),
        Case(
            args=(pred[None], label_2[None]),
            kwargs={"epsilon": 1},
            label="the course's case 2 with a class axis, epsilon=1 (expected 0.8333)",
        ),
        Case(
            args=(pred_3, label_3),
            kwargs={"epsilon": 1},
            label="the course's case 3: two classes scoring 0.6 and 0.8333, "
            "epsilon=1 (expected their mean 0.7167)",
        ),
    ]


def dice_hidden(rng):
    """Make random cases with an empty class, soft masks and other axes."""
    truth = _masks(rng, (3, 4, 4, 3))
    truth[2] = 0  # an empty class (both empty: eps / eps = 1)
    pred = _masks(rng, (3, 4, 4, 3))
    pred[2] = 0
    return [
        Case(args=(_masks(rng, (3, 5, 4, 3), 0.2), _masks(rng, (3, 5, 4, 3), 0.6))),
        *edge(
            Case(args=(truth, pred)),  # an empty class
            Case(args=(truth, pred), kwargs={"epsilon": 1}),
        ),
        Case(args=(_masks(rng, (2, 4, 4, 2)), rng.random((2, 4, 4, 2)))),
        Case(args=(_masks(rng, (2, 6, 5)), _masks(rng, (2, 6, 5)), (1, 2))),
        Case(
            args=(
                _masks(rng, (2, 3, 3, 3, 2)),
                rng.random((2, 3, 3, 3, 2)),
                (2, 3, 4),
                1.0,
            )
        ),
        Case(
            args=(
                _masks(rng, (4, 3, 3, 3)).astype(np.float32),
                _masks(rng, (4, 3, 3, 3)).astype(np.float32),
            )
        ),
    ]


# ------------------------------------------------------------------- soft dice


def _course_soft_dice():
    """Return the course's six soft-Dice examples (pred, label, expected)."""
    eye = np.eye(2)
    one = np.array([[1.0, 1.0], [0.0, 0.0]])
    two = np.array([[1.0, 1.0], [0.0, 1.0]])
    pred_4 = eye.copy()
    pred_4[0, 1] = 0.8
    pred_5 = np.stack([0.5 * eye, pred_4])[..., None]
    label_5 = np.stack([one, two])[..., None]
    pred_6 = np.array(
        [
            [[[1.0, 1.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]]],
            [[[1.0, 1.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]]],
        ]
    )
    label_6 = np.array(
        [
            [[[1.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 0.0]]],
            [[[0.0, 0.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 0.0]]],
        ]
    )
    return [
        (eye[None, ..., None], one[None, ..., None], "0.4"),
        (0.5 * eye[None, ..., None], one[None, ..., None], "0.4286"),
        (eye[None, ..., None], two[None, ..., None], "0.1667"),
        (pred_4[None, ..., None], two[None, ..., None], "0.006024"),
        (pred_5, label_5, "0.2173"),
        (pred_6, label_6, "0.4375"),
    ]


def soft_dice_public():
    """Make the course's six soft-Dice cases (epsilon = 1)."""
    cases = []
    for number, (pred, label, expected) in enumerate(_course_soft_dice(), start=1):
        cases.append(
            Case(
                args=(label, pred),
                kwargs={"epsilon": 1},
                label=f"the course's case {number}, epsilon=1 (expected {expected})",
            )
        )
    return cases


def _soft_hidden(rng):
    truth = _masks(rng, (3, 4, 4, 3))
    truth[1] = 0
    return [
        Case(args=(_masks(rng, (3, 5, 4, 3)), rng.random((3, 5, 4, 3)))),
        *edge(Case(args=(truth, rng.random((3, 4, 4, 3))))),  # an empty class
        Case(
            args=(_masks(rng, (2, 4, 4, 2)), rng.random((2, 4, 4, 2))),
            kwargs={"epsilon": 1},
        ),
        Case(args=(_masks(rng, (2, 6, 5)), rng.random((2, 6, 5)), (1, 2))),
        Case(
            args=(
                _masks(rng, (2, 3, 3, 3, 2)),
                rng.random((2, 3, 3, 3, 2)),
                (2, 3, 4),
                0.1,
            )
        ),
        Case(
            args=(
                _masks(rng, (4, 3, 3, 3)).astype(np.float32),
                rng.random((4, 3, 3, 3)).astype(np.float32),
            )
        ),
    ]


def soft_dice_hidden(rng):
    """Make random soft predictions (float64 and float32, other axes)."""
    return _soft_hidden(rng)


def soft_dice_grad_public():
    """Make the course's soft-Dice cases with soft predictions."""
    cases = _course_soft_dice()
    return [
        Case(
            args=(label, pred),
            kwargs={"epsilon": 1},
            label=f"the course's soft-Dice case {number} (epsilon=1): the gradient "
            "of the loss with respect to y_pred",
        )
        for number, (pred, label, _) in enumerate(cases, start=1)
        if number in (2, 4, 5)
    ]


def soft_dice_grad_hidden(rng):
    """Make random soft predictions (as for the loss)."""
    return _soft_hidden(rng)


# -------------------------------------------------------------- sens / spec


def sens_spec_public():
    """Make the course's three sensitivity/specificity cases (pred first)."""
    pred, label_1, label_2 = _course_dice_arrays()
    y_test = np.array([[1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]])
    preds_test = np.array([[1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0]])
    return [
        Case(
            args=(pred[None], label_1[None], 0),
            label="the course's case 1: pred eye(2), label [[1, 1], [0, 0]] "
            "(expected (0.5, 0.5))",
        ),
        Case(
            args=(pred[None], label_2[None], 0),
            label="the course's case 2: label [[1, 1], [0, 1]] (expected (2/3, 1))",
        ),
        Case(
            args=(preds_test, y_test, 0),
            label="the course's case 3: 2 TP, 3 TN, 4 FP, 5 FN in one row "
            "(expected (2/7, 3/7))",
        ),
    ]


def sens_spec_hidden(rng):
    """Make random multi-class masks (float, bool, int) and an empty class."""
    pred, label = _masks(rng, (3, 4, 4, 3)), _masks(rng, (3, 4, 4, 3))
    no_tumour = label.copy()
    no_tumour[1] = 0
    return [
        Case(args=(pred, label, 0)),
        Case(args=(pred, label, 2)),
        Case(args=(pred.astype(bool), label.astype(bool), 1)),
        Case(args=(pred.astype(np.int64), label.astype(np.int64), 1)),
        *edge(Case(args=(pred, no_tumour, 1))),  # no positive voxel: sensitivity NaN
        Case(args=(_masks(rng, (2, 6, 6)), _masks(rng, (2, 6, 6)), 1)),
    ]
