"""Cases and oracles for week 1's weighted loss lesson (BCE, weighted BCE, gradient).

Lesson ``week1/weighted_loss.py``: the binary cross-entropy, the weighted loss
returned by ``get_weighted_loss`` and its gradient. Oracles are adapters with
the learner's signatures around `reference.losses` (imported lazily, never
`solutions`).

The course's classic cases are public: the weighted loss with
``y_true = [[1, 1, 1], [1, 1, 0], [0, 1, 0], [1, 0, 1]]`` (`CLASSIC_Y`),
weights ``[0.25, 0.25, 0.5]`` / ``[0.75, 0.75, 0.5]`` (`CLASSIC_POS`,
`CLASSIC_NEG`), predictions all 0.7 or all 0.3 and ``epsilon = 1`` (which
exposes an epsilon outside the logarithm).

The leakage and class imbalance lessons are in `autograder.cases.week1_xray`,
which re-exports every name here.
"""

from __future__ import annotations

import numpy as np

from autograder.cases import edge
from autograder.spec import Case

__all__ = [
    "CLASSIC_NEG",
    "CLASSIC_POS",
    "CLASSIC_Y",
    "bce_hidden",
    "bce_oracle",
    "bce_public",
    "weighted_grad_hidden",
    "weighted_grad_oracle",
    "weighted_grad_public",
    "weighted_loss_hidden",
    "weighted_loss_oracle",
    "weighted_loss_public",
]

CLASSIC_Y = np.array([[1, 1, 1], [1, 1, 0], [0, 1, 0], [1, 0, 1]])
CLASSIC_POS = np.array([0.25, 0.25, 0.5])
CLASSIC_NEG = np.array([0.75, 0.75, 0.5])


# ------------------------------------------------------------------------- oracles


def bce_oracle(y_true, y_pred, epsilon=1e-7):
    """Oracle: `reference.losses.bce`."""
    from reference.losses import bce

    return bce(y_true, y_pred, epsilon)


def weighted_loss_oracle(pos_weights, neg_weights, epsilon=1e-7):
    """Oracle: a closure around `reference.losses.weighted_bce`."""
    from reference.losses import weighted_bce

    def weighted_loss(y_true, y_pred):
        return weighted_bce(y_true, y_pred, pos_weights, neg_weights, epsilon)

    return weighted_loss


def weighted_grad_oracle(y_true, y_pred, pos_weights, neg_weights, epsilon=1e-7):
    """Oracle: `reference.losses.weighted_bce_grad`."""
    from reference.losses import weighted_bce_grad

    return weighted_bce_grad(y_true, y_pred, pos_weights, neg_weights, epsilon)


# ----------------------------------------------------------------- weighted loss


def bce_public() -> list[Case]:
    """Small hand-checkable values and the course's epsilon = 1 case."""
    return [
        Case(
            args=(
                np.array([[1, 0], [0, 1], [1, 1]]),
                np.array([[0.9, 0.2], [0.4, 0.6], [0.7, 0.99]]),
            )
        ),
        Case(
            args=(CLASSIC_Y, np.full((4, 3), 0.7), 1),
            label="the course's y_true, y_pred all 0.7, epsilon = 1",
        ),
    ]


def bce_hidden(rng: np.random.Generator) -> list[Case]:
    """Random values, 1-D input, predictions at 0 and 1, float32."""
    y = (rng.random((8, 5)) < 0.3).astype(np.int64)
    p = rng.uniform(0.01, 0.99, (8, 5))
    extreme = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    return [
        Case(args=(y, p)),
        Case(args=(y, p, 0.1)),
        Case(args=(y[:, 0], p[:, 0])),
        *edge(
            Case(args=(np.array([[1, 0], [0, 1], [1, 1]]), extreme)),  # log(eps)
            Case(args=(y[:1], p[:1], 1e-3)),
        ),  # one row
        Case(args=(y.astype(np.float32), p.astype(np.float32))),
    ]


def weighted_loss_public() -> list[Case]:
    """Return the course's classic cases (all 0.7, all 0.3, epsilon = 1)."""
    label = (
        "get_weighted_loss([0.25, 0.25, 0.5], [0.75, 0.75, 0.5], epsilon=1)"
        "(y_true = [[1, 1, 1], [1, 1, 0], [0, 1, 0], [1, 0, 1]], y_pred all {})"
    )
    return [
        Case(
            args=(CLASSIC_POS, CLASSIC_NEG, 1),
            then=(((CLASSIC_Y, np.full((4, 3), p)), {}),),
            label=label.format(p),
        )
        for p in (0.7, 0.3)
    ]


def weighted_loss_hidden(rng: np.random.Generator) -> list[Case]:
    """Random weights and predictions, edge predictions, one row."""
    y = (rng.random((10, 4)) < rng.uniform(0.1, 0.5, 4)).astype(np.int64)
    freq_pos = np.clip(y.mean(axis=0), 0.1, 0.9)
    pos, neg = 1 - freq_pos, freq_pos
    p = rng.uniform(0.02, 0.98, (10, 4))
    extreme = np.array([[0.0, 1.0, 0.5, 0.3]] * 2)
    return [
        Case(args=(pos, neg), then=(((y, p), {}),)),
        Case(args=(pos, neg, 0.5), then=(((y, p), {}),)),
        Case(args=(pos, neg), kwargs={"epsilon": 1e-4}, then=(((y, p), {}),)),
        *edge(Case(args=(pos, neg, 1e-7), then=(((y[:2], extreme), {}),))),  # 0 and 1
        Case(args=(pos[:1], neg[:1], 0.01), then=(((y[:, :1], p[:, :1]), {}),)),
        *edge(Case(args=(pos, neg, 1), then=(((y[:1], p[:1]), {}),))),  # one row
        Case(args=(np.ones(4), np.ones(4)), then=(((y, p), {}),)),
    ]


def weighted_grad_public() -> list[Case]:
    """Return the course's classic inputs and a one-finding case."""
    return [
        Case(
            args=(CLASSIC_Y, np.full((4, 3), 0.7), CLASSIC_POS, CLASSIC_NEG, 1),
            label="the course's y_true, y_pred all 0.7, its weights, epsilon = 1",
        ),
        Case(
            args=(
                np.array([[1], [0]]),
                np.array([[0.5], [0.5]]),
                np.array([1.0]),
                np.array([1.0]),
                0.0,
            )
        ),
    ]


def weighted_grad_hidden(rng: np.random.Generator) -> list[Case]:
    """Random labels, predictions and weights, various epsilons."""
    y = (rng.random((6, 5)) < 0.4).astype(np.int64)
    p = rng.uniform(0.05, 0.95, (6, 5))
    pos, neg = rng.uniform(0.1, 0.9, 5), rng.uniform(0.1, 0.9, 5)
    return [
        Case(args=(y, p, pos, neg)),
        Case(args=(y, p, pos, neg, 0.2)),
        *edge(Case(args=(y[:1], p[:1], pos, neg, 1e-3))),  # one row
        Case(args=(y[:, :2], p[:, :2], pos[:2], neg[:2]), kwargs={"epsilon": 0.5}),
        Case(args=(y, p, np.ones(5), np.ones(5), 1e-7)),
    ]
