"""Cases and oracles for week 1's augmentation, consensus and standardization.

Lessons ``week1/augmentation.py`` (shifting an image, adjusting its contrast),
``week1/consensus.py`` (majority vote of several annotators) and
``week1/standardization.py`` (fitting per-channel statistics on the training
images, applying them to others). Oracles are adapters with the learner's
signatures around `reference.data` (imported lazily, never `solutions`).

The leakage and class imbalance lessons are in `autograder.cases.week1_xray`,
the weighted loss lesson in `autograder.cases.week1_losses`;
`autograder.cases.week1_xray` re-exports every name here.
"""

from __future__ import annotations

import numpy as np

from autograder.cases import edge
from autograder.spec import Case

__all__ = [
    "adjust_contrast_oracle",
    "apply_standardization_oracle",
    "contrast_hidden",
    "contrast_public",
    "fit_standardization_oracle",
    "majority_vote_oracle",
    "shift_hidden",
    "shift_image_oracle",
    "shift_public",
    "standardize_apply_hidden",
    "standardize_apply_public",
    "standardize_fit_hidden",
    "standardize_fit_public",
    "vote_hidden",
    "vote_public",
]


# ------------------------------------------------------------------------- oracles


def shift_image_oracle(image, dy, dx):
    """Oracle: `reference.data.augment2d.shift_image` (zero fill)."""
    from reference.data.augment2d import shift_image

    return shift_image(image, dy, dx)


def adjust_contrast_oracle(image, factor):
    """Oracle: `reference.data.augment2d.adjust_contrast`."""
    from reference.data.augment2d import adjust_contrast

    return adjust_contrast(image, factor)


def majority_vote_oracle(annotations):
    """Oracle: `reference.data.preprocess.majority_vote`, ties positive."""
    from reference.data.preprocess import majority_vote

    return majority_vote(annotations, tie="positive")


def fit_standardization_oracle(train_images):
    """Oracle: `reference.data.preprocess.fit_standardization`."""
    from reference.data.preprocess import fit_standardization

    return tuple(fit_standardization(train_images))


def apply_standardization_oracle(images, mean, std):
    """Oracle: `reference.data.preprocess.apply_standardization`."""
    from reference.data.preprocess import apply_standardization

    return apply_standardization(images, mean, std)


# ------------------------------------------------------------------ augmentation


def shift_public() -> list[Case]:
    """Return a 3 x 4 ramp shifted down, left, and up-right."""
    image = np.arange(12.0).reshape(3, 4)
    return [
        Case(args=(image, 1, 0)),
        Case(args=(image, 0, -2)),
        Case(args=(image, -1, 3)),
    ]


def shift_hidden(rng: np.random.Generator) -> list[Case]:
    """Random shifts, no shift, shifts past the border, batches, float32."""
    image = rng.random((6, 7))
    batch = rng.random((2, 1, 5, 5))
    return [
        Case(args=(image, int(rng.integers(1, 4)), int(rng.integers(-4, -1)))),
        *edge(
            Case(args=(image, 0, 0)),
            Case(args=(image, -5, 2)),  # no shift,
            Case(args=(image, 6, 0)),
            Case(args=(image, 2, -9)),
        ),  # past a border
        Case(args=(batch, 1, 2)),
        Case(args=(batch[0].astype(np.float32), -2, -1)),
    ]


def contrast_public() -> list[Case]:
    """Two tiny images."""
    return [
        Case(args=(np.array([[0.0, 1.0]]), 2.0)),
        Case(args=(np.array([[0.2, 0.4], [0.6, 0.8]]), 0.5)),
    ]


def contrast_hidden(rng: np.random.Generator) -> list[Case]:
    """Single images and batches whose images have different means."""
    batch = rng.random((3, 1, 4, 5)) + np.arange(3.0)[:, None, None, None]
    return [
        Case(args=(rng.random((5, 6)), 1.3)),
        Case(args=(batch, 1.5)),
        Case(args=(batch, 1.0)),
        *edge(Case(args=(batch[0], 0.0))),  # flat
        Case(args=(batch.astype(np.float32), 0.8)),
        Case(args=(rng.random((2, 3, 3, 3)), -1.0)),
    ]


# --------------------------------------------------------------------- consensus


def vote_public() -> list[Case]:
    """Three annotators, and two annotators with a tie."""
    return [
        Case(args=(np.array([[1, 1, 0], [0, 0, 1]]),)),
        Case(
            args=(np.array([[1, 1], [0, 0], [1, 0]]),),
            label="two annotators: [[1, 1], [0, 0], [1, 0]] (the last image is a tie)",
        ),
    ]


def vote_hidden(rng: np.random.Generator) -> list[Case]:
    """Odd and even numbers of annotators, several findings, bools."""
    return [
        Case(args=(rng.integers(0, 2, (9, 3)),)),
        *edge(Case(args=(rng.integers(0, 2, (12, 4)),))),  # even: ties
        Case(args=(rng.integers(0, 2, (6, 5, 3)),)),
        *edge(Case(args=(rng.integers(0, 2, (5, 2, 4)),))),  # two: ties
        *edge(Case(args=(rng.integers(0, 2, (4, 1)),))),  # one annotator
        Case(args=(rng.integers(0, 2, (7, 6)).astype(bool),)),
    ]


# --------------------------------------------------------------- standardization


def standardize_fit_public() -> list[Case]:
    """Tiny hand-checkable batches."""
    return [
        Case(args=(np.array([[[[0.0, 2.0]]], [[[4.0, 6.0]]]]),)),
        Case(args=(np.arange(16.0).reshape(2, 2, 2, 2),)),
    ]


def standardize_fit_hidden(rng: np.random.Generator) -> list[Case]:
    """Channels with different means and scales, float32."""
    images = (
        rng.normal(size=(5, 3, 4, 6)) * [[[[1.0]], [[2.0]], [[0.5]]]]
        + np.array([0.0, 1.0, -2.0])[None, :, None, None]
    )
    return [
        Case(args=(images,)),
        Case(args=(images[:1],)),
        Case(args=(images[:, :1].astype(np.float32),)),
        Case(args=(rng.random((8, 1, 7, 7)),)),
    ]


def standardize_apply_public() -> list[Case]:
    """Tiny hand-checkable batches."""
    return [
        Case(args=(np.array([[[[1.0, 5.0]]]]), np.array([3.0]), np.array([2.0]))),
        Case(
            args=(
                np.arange(8.0).reshape(1, 2, 2, 2),
                np.array([1.0, 2.0]),
                np.array([0.5, 4.0]),
            )
        ),
    ]


def standardize_apply_hidden(rng: np.random.Generator) -> list[Case]:
    """Random statistics, a constant channel (std 0), float32."""
    test = rng.normal(size=(4, 3, 5, 5)) + 0.5
    mean, std = rng.normal(size=3), rng.uniform(0.5, 2.0, 3)
    return [
        Case(args=(test, mean, std)),
        Case(args=(test[:1], mean, std)),
        *edge(Case(args=(test, mean, np.array([std[0], 0.0, std[2]])))),  # std 0
        Case(args=(test[:, :1].astype(np.float32), mean[:1], std[:1])),
    ]
