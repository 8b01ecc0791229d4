"""Cases and oracle adapters for week 3's 2D versus 3D U-Net lesson.

The slicing oracles are ``np.moveaxis``; the parameter counts come from building
the layer or the model with `reference.nn` (imported lazily) and asking it
``num_parameters()``. Volumes have all axes of different lengths, so a learner
who moves the wrong axis returns the wrong shape.
"""

from __future__ import annotations

import numpy as np

from autograder.cases import edge
from autograder.spec import Case

__all__ = [
    "conv_count_hidden",
    "conv_count_oracle",
    "conv_count_public",
    "slices_hidden",
    "slices_public",
    "to_slices_oracle",
    "to_volume_oracle",
    "unet_count_hidden",
    "unet_count_oracle",
    "unet_count_public",
    "volume_hidden",
    "volume_public",
]


# --------------------------------------------------------------------------- oracles


def to_slices_oracle(image, label):
    """Return (image, label) with their last (z) axis moved first."""
    return np.moveaxis(np.asarray(image), -1, 0), np.moveaxis(np.asarray(label), -1, 0)


def to_volume_oracle(slices):
    """Return ``slices`` with its first (batch) axis moved last."""
    return np.moveaxis(np.asarray(slices), 0, -1)


def conv_count_oracle(in_channels, out_channels, kernel, ndim, bias=True):
    """Return reference.nn.Conv(...).num_parameters() for the same layer."""
    from reference.nn import Conv

    conv = Conv(in_channels, out_channels, kernel, bias=bias, ndim=ndim, rng=0)
    return conv.num_parameters()


def unet_count_oracle(
    in_channels, num_classes, base_filters, depth, ndim, batch_norm=False
):
    """Return reference.nn.UNet(...).num_parameters() for the same model."""
    from reference.nn import UNet

    model = UNet(
        in_channels,
        num_classes,
        base_filters,
        depth,
        ndim,
        batch_norm=batch_norm,
        rng=0,
    )
    return model.num_parameters()


# ------------------------------------------------------------------ slicing


def _volume(rng, shape, dtype=np.float64):
    return rng.normal(size=shape).astype(dtype)


def _onehot(rng, classes, shape, dtype=np.float32):
    index = rng.integers(0, classes + 1, size=shape)
    return (index[None] == np.arange(1, classes + 1)[:, None, None, None]).astype(dtype)


def slices_public():
    """Make the docstring's 2 x 1 x 2 example and a small 4-channel case."""
    image = np.arange(4).reshape(1, 2, 1, 2)
    rng = np.random.default_rng(0)
    return [
        Case(
            args=(image, image.copy()),
            label="image [[0, 1], [2, 3]] at x = 0, 1 and z = 0, 1 (one channel, "
            "y = 1): expected image_slices[:, 0, :, 0] = [[0, 2], [1, 3]]",
        ),
        Case(
            args=(_volume(rng, (4, 5, 3, 2), np.float32), _onehot(rng, 3, (5, 3, 2))),
            label="image (4, 5, 3, 2), label (3, 5, 3, 2) (expected shapes "
            "(2, 4, 5, 3) and (2, 3, 5, 3))",
        ),
    ]


def slices_hidden(rng):
    """Make volumes with distinct axis lengths, one slice, float32 and ints."""
    return [
        Case(args=(_volume(rng, (4, 6, 5, 3)), _onehot(rng, 3, (6, 5, 3)))),
        Case(args=(_volume(rng, (4, 3, 4, 7), np.float32), _onehot(rng, 3, (3, 4, 7)))),
        *edge(
            Case(args=(_volume(rng, (2, 5, 6, 1)), _onehot(rng, 2, (5, 6, 1))))
        ),  # one z
        Case(args=(_volume(rng, (1, 8, 8, 8)), _onehot(rng, 1, (8, 8, 8)))),  # a cube
        Case(
            args=(
                _volume(rng, (3, 2, 7, 4), np.float32),
                rng.integers(0, 2, size=(2, 2, 7, 4)).astype(np.uint8),
            )
        ),
        Case(
            args=(
                rng.integers(-5, 5, size=(2, 3, 2, 5)).tolist(),
                _onehot(rng, 1, (3, 2, 5)).tolist(),
            )
        ),  # nested lists
    ]


def volume_public():
    """Make the docstring's inverse example on small slices."""
    slices = np.arange(8.0).reshape(2, 1, 2, 2)
    return [
        Case(
            args=(slices,),
            label="two 2 x 2 slices [[0, 1], [2, 3]] and [[4, 5], [6, 7]] (expected "
            "volume[0, :, :, 1] = [[4, 5], [6, 7]])",
        ),
    ]


def volume_hidden(rng):
    """Make prediction batches with distinct axis lengths, one slice, float32."""
    return [
        Case(args=(_volume(rng, (3, 3, 6, 5)),)),
        Case(args=(_volume(rng, (7, 3, 4, 5), np.float32),)),
        *edge(Case(args=(_volume(rng, (1, 2, 5, 6)),))),  # one slice
        Case(args=(_volume(rng, (8, 1, 8, 8), np.float32),)),
        Case(args=((_volume(rng, (4, 2, 3, 2)) > 0).astype(np.uint8),)),
    ]


# ---------------------------------------------------------- parameter counts


def conv_count_public():
    """Make the docstring's three examples."""
    return [
        Case(args=(4, 32, 3, 2), label="4 -> 32 channels, 3 x 3 (expected 1184)"),
        Case(args=(4, 32, 3, 3), label="4 -> 32 channels, 3 x 3 x 3 (expected 3488)"),
        Case(
            args=(4, 32, 3, 3),
            kwargs={"bias": False},
            label="the same without bias (expected 3456)",
        ),
    ]


def conv_count_hidden(rng):
    """Make random layers, 1 x 1 heads, 1D kernels and the course's widest layer."""
    random_cases = [
        Case(
            args=(
                int(rng.integers(1, 65)),
                int(rng.integers(1, 65)),
                int(rng.choice([1, 3, 5])),
                int(rng.integers(2, 4)),
            ),
            kwargs={"bias": bool(rng.integers(2))},
        )
        for _ in range(4)
    ]
    return [
        *random_cases,
        Case(args=(64, 3, 1, 3)),  # the head
        Case(args=(1, 1, 1, 2), kwargs={"bias": False}),
        Case(args=(2, 5, 7, 1)),
        Case(args=(128, 64, 3, 3)),
    ]


def unet_count_public():
    """Make the docstring's hand example and the course's two models."""
    return [
        Case(
            args=(1, 1, 1, 1, 2),
            label="in 1, classes 1, base 1, depth 1, 2D (expected 33)",
        ),
        Case(
            args=(4, 3, 32, 4, 3), label="the course's 3D U-Net (expected 16,318,307)"
        ),
        Case(args=(4, 3, 32, 4, 2), label="its 2D version (expected 5,441,123)"),
    ]


def unet_count_hidden(rng):
    """Make the small models of brain_mri (with batch norm) and random ones."""
    random_cases = [
        Case(
            args=(
                int(rng.integers(1, 5)),
                int(rng.integers(1, 4)),
                int(rng.integers(1, 9)),
                int(rng.integers(1, 5)),
                int(rng.integers(2, 4)),
            ),
            kwargs={"batch_norm": bool(rng.integers(2))},
        )
        for _ in range(4)
    ]
    return [
        *random_cases,
        Case(args=(4, 3, 8, 3, 2), kwargs={"batch_norm": True}),
        Case(args=(4, 3, 8, 3, 3), kwargs={"batch_norm": True}),
        Case(args=(4, 3, 8, 3, 3)),
        *edge(Case(args=(2, 1, 4, 2, 1), kwargs={"batch_norm": True})),  # depth 1
    ]
