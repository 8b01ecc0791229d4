"""Usual mistakes in week 3 (brain MRI segmentation), as oracle variants.

Each variant has its oracle's signature and makes one mistake learners make;
`MISTAKES` maps an exercise id to its `Mistake` rows (`autograder.mistakes`).
Built from NumPy and the `reference`-based oracles only (never `solutions`).
"""

from __future__ import annotations

import numpy as np

from autograder.cases import week3 as w3
from autograder.cases import week3_volumes as w3v
from autograder.mistakes import Mistake

__all__ = ["MISTAKES"]


def _scaled(image, axes, ddof=0):
    arr = np.asarray(image, dtype=np.float64)
    centred = arr - arr.mean(axis=axes, keepdims=True)
    std = centred.std(axis=axes, ddof=ddof, keepdims=True)
    return centred / np.where(std == 0, 1.0, std)


def standardize_whole_volume(image):
    return _scaled(image, (1, 2, 3))


def standardize_sample_std(image):
    return _scaled(image, (1, 2), ddof=1)


def _dice_ratios(y_true, y_pred, axis, eps_top, eps_bottom, square=False):
    t, p = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    axis = tuple(np.atleast_1d(axis).tolist())
    power = 2 if square else 1
    top = 2 * np.sum(t * p, axis=axis) + eps_top
    return top / (
        np.sum(t**power, axis=axis) + np.sum(p**power, axis=axis) + eps_bottom
    )


def single_dice_no_eps_below(y_true, y_pred, axis=(0, 1, 2), epsilon=0.00001):
    return _dice_ratios(y_true, y_pred, axis, epsilon, 0.0)


def single_dice_no_eps_above(y_true, y_pred, axis=(0, 1, 2), epsilon=0.00001):
    return _dice_ratios(y_true, y_pred, axis, 0.0, epsilon)


def dice_no_eps_below(y_true, y_pred, axis=(1, 2, 3), epsilon=0.00001):
    return np.mean(_dice_ratios(y_true, y_pred, axis, epsilon, 0.0))


def dice_no_eps_above(y_true, y_pred, axis=(1, 2, 3), epsilon=0.00001):
    return np.mean(_dice_ratios(y_true, y_pred, axis, 0.0, epsilon))


def soft_dice_no_squares(y_true, y_pred, axis=(1, 2, 3), epsilon=0.00001):
    return 1 - np.mean(_dice_ratios(y_true, y_pred, axis, epsilon, epsilon))


def soft_dice_no_eps_below(y_true, y_pred, axis=(1, 2, 3), epsilon=0.00001):
    return 1 - np.mean(_dice_ratios(y_true, y_pred, axis, epsilon, 0.0, square=True))


def sens_spec_swapped(pred, label, class_num):
    return w3.class_sens_spec_oracle(label, pred, class_num)


def tile_starts_no_last(size, patch, stride):
    return list(range(0, size - patch + 1, stride))


def tile_starts_last_twice(size, patch, stride):
    return [*range(0, size - patch + 1, stride), size - patch]


def _stitched_parts(tiles, corners, shape):
    tiles = np.asarray(tiles, dtype=np.float64)
    total = np.zeros((tiles.shape[1], *shape))
    count = np.zeros(tuple(shape))
    for tile, corner in zip(tiles, corners, strict=True):
        window = tuple(
            slice(int(c), int(c) + n)
            for c, n in zip(corner, tile.shape[1:], strict=True)
        )
        total[(slice(None), *window)] += tile
        count[window] += 1
    return total, count


def stitch_sum_only(tiles, corners, shape):
    return _stitched_parts(tiles, corners, shape)[0]


def stitch_divide_by_zero(tiles, corners, shape):
    total, count = _stitched_parts(tiles, corners, shape)
    return total / count


def rigid_about_origin(angle, shift, center):
    matrix = w3v.rigid_oracle(angle, shift, center)
    matrix[:2, 2] = np.asarray(shift, dtype=np.float64)
    return matrix


def rigid_opposite_angle(angle, shift, center):
    return w3v.rigid_oracle(-angle, shift, center)


def phase_not_wrapped(fixed, moving):
    shift = w3v.phase_oracle(fixed, moving)
    return np.asarray(shift) % np.asarray(np.shape(fixed))


def _reshaped_last_first(a):
    a = np.asarray(a)
    return a.reshape(a.shape[-1], *a.shape[:-1])


def slices_by_reshape(image, label):
    return _reshaped_last_first(image), _reshaped_last_first(label)


def volume_by_reshape(slices):
    slices = np.asarray(slices)
    return slices.reshape(*slices.shape[1:], slices.shape[0])


def conv_count_square_kernel(in_channels, out_channels, kernel, ndim, bias=True):
    return out_channels * in_channels * kernel**2 + (out_channels if bias else 0)


def conv_count_no_bias(in_channels, out_channels, kernel, ndim, bias=True):
    return out_channels * in_channels * kernel**ndim


_TILE = "week3.tiled_prediction."
_EPS_BELOW = "no epsilon in the denominator"
_EPS_ABOVE = "no epsilon in the numerator"
_RESHAPE = "reshape instead of moving the axis (np.moveaxis or np.transpose)"

MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "week3.standardization.standardize": (
        Mistake(
            "standardising each channel over the whole volume instead of per z-slice",
            standardize_whole_volume,
        ),
        Mistake(
            "the sample std (ddof=1) instead of the population std (ddof=0)",
            standardize_sample_std,
        ),
    ),
    "week3.dice.single_class_dice_coefficient": (
        Mistake(_EPS_BELOW, single_dice_no_eps_below),
        Mistake(_EPS_ABOVE, single_dice_no_eps_above),
    ),
    "week3.dice.dice_coefficient": (
        Mistake(_EPS_BELOW, dice_no_eps_below),
        Mistake(_EPS_ABOVE, dice_no_eps_above),
    ),
    "week3.soft_dice.soft_dice_loss": (
        Mistake(
            "plain sums instead of sums of squares in the denominator",
            soft_dice_no_squares,
        ),
        Mistake(_EPS_BELOW, soft_dice_no_eps_below),
    ),
    "week3.sens_spec.compute_class_sens_spec": (
        Mistake(
            "pred and label swapped (the first argument is pred)", sens_spec_swapped
        ),
    ),
    _TILE + "tile_starts": (
        Mistake("no final tile at size - patch", tile_starts_no_last),
        Mistake(
            "size - patch appended even when it is already the last start",
            tile_starts_last_twice,
        ),
    ),
    _TILE + "stitch_tiles": (
        Mistake(
            "the sum of the tiles, not divided by the number covering each voxel",
            stitch_sum_only,
        ),
        Mistake(
            "dividing by a count of 0 where no tile covers a voxel",
            stitch_divide_by_zero,
        ),
    ),
    "week3.registration.rigid_matrix_2d": (
        Mistake(
            "a rotation about the origin (the translation is only the shift, "
            "without center - R center)",
            rigid_about_origin,
        ),
        Mistake("the rotation by -angle (R transposed)", rigid_opposite_angle),
    ),
    "week3.registration.phase_correlation": (
        Mistake(
            "the argmax index k left as it is instead of k - n when k > n // 2",
            phase_not_wrapped,
        ),
    ),
    "week3.unet_2d_vs_3d.volume_to_slices": (Mistake(_RESHAPE, slices_by_reshape),),
    "week3.unet_2d_vs_3d.slices_to_volume": (Mistake(_RESHAPE, volume_by_reshape),),
    "week3.unet_2d_vs_3d.count_parameters_conv": (
        Mistake(
            "kernel ** 2 whatever ndim instead of kernel ** ndim",
            conv_count_square_kernel,
        ),
        Mistake(
            "no bias (C_out more parameters when bias is True)", conv_count_no_bias
        ),
    ),
}
