"""Usual mistakes in week 1 (kernels, losses, chest X-ray data), as oracle variants.

Each variant has its oracle's signature and makes one mistake learners make;
`MISTAKES` maps an exercise id to its `Mistake` rows (`autograder.mistakes`).
Built from NumPy and the `reference`-based oracles only (never `solutions`).
"""

from __future__ import annotations

import numpy as np

from autograder.cases import week1 as w1
from autograder.cases import week1_xray as wx
from autograder.mistakes import Mistake

__all__ = ["MISTAKES"]


def _pair(value):
    return (int(value), int(value)) if np.isscalar(value) else tuple(map(int, value))


# ------------------------------------------------------------------ kernels


def conv_flipped_kernel(x, w, b, stride=1, padding=0):
    flipped = np.ascontiguousarray(np.flip(np.asarray(w), axis=(2, 3)))
    return w1.conv_forward_oracle(x, flipped, b, stride=stride, padding=padding)


def conv_without_bias(x, w, b, stride=1, padding=0):
    return w1.conv_forward_oracle(
        x, w, np.zeros_like(b), stride=stride, padding=padding
    )


def max_pool_zero_padding(x, kernel, stride=None, padding=0):
    ph, pw = _pair(padding)
    padded = np.pad(np.asarray(x), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    stride = kernel if stride is None else stride
    return w1.max_pool_forward_oracle(padded, kernel, stride=stride, padding=0)


def _batchnorm_with(x, gamma, beta, eps, axes, ddof):
    x = np.asarray(x)
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, ddof=ddof, keepdims=True)
    shape = (1, -1, 1, 1)
    out = np.reshape(gamma, shape) * (x - mean) / np.sqrt(var + eps)
    return (out + np.reshape(beta, shape)).astype(x.dtype), None


def batchnorm_sample_variance(
    x, gamma, beta, eps=1e-5, running_mean=None, running_var=None, training=True
):
    if not training:
        return w1.batchnorm_forward_oracle(
            x, gamma, beta, eps, running_mean, running_var, training
        )
    return _batchnorm_with(x, gamma, beta, eps, (0, 2, 3), ddof=1)


def batchnorm_axis_zero(
    x, gamma, beta, eps=1e-5, running_mean=None, running_var=None, training=True
):
    if not training:
        return w1.batchnorm_forward_oracle(
            x, gamma, beta, eps, running_mean, running_var, training
        )
    return _batchnorm_with(x, gamma, beta, eps, (0,), ddof=0)


# ------------------------------------------------------------------- losses


def _bce_terms(y_true, y_pred, pos_weights, neg_weights, epsilon):
    y, p = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    return -(
        np.asarray(pos_weights) * y * np.log(p + epsilon)
        + np.asarray(neg_weights) * (1 - y) * np.log(1 - p + epsilon)
    )


def bce_summed_over_images(y_true, y_pred, epsilon=1e-7):
    return np.sum(_bce_terms(y_true, y_pred, 1.0, 1.0, epsilon))


def bce_mean_of_everything(y_true, y_pred, epsilon=1e-7):
    return np.mean(_bce_terms(y_true, y_pred, 1.0, 1.0, epsilon))


def weighted_loss_swapped(pos_weights, neg_weights, epsilon=1e-7):
    return wx.weighted_loss_oracle(neg_weights, pos_weights, epsilon)


def weighted_loss_mean_of_everything(pos_weights, neg_weights, epsilon=1e-7):
    def loss(y_true, y_pred):
        return np.mean(_bce_terms(y_true, y_pred, pos_weights, neg_weights, epsilon))

    return loss


def weighted_grad_swapped(y_true, y_pred, pos_weights, neg_weights, epsilon=1e-7):
    return wx.weighted_grad_oracle(y_true, y_pred, neg_weights, pos_weights, epsilon)


def weighted_grad_not_divided(y_true, y_pred, pos_weights, neg_weights, epsilon=1e-7):
    grad = wx.weighted_grad_oracle(y_true, y_pred, pos_weights, neg_weights, epsilon)
    return grad * np.asarray(y_pred).shape[0]


# --------------------------------------------------------- chest X-ray data


def class_freqs_per_image(labels):
    labels = np.asarray(labels)
    positive = np.mean(labels, axis=1)
    return positive, 1 - positive


def class_freqs_swapped(labels):
    positive, negative = wx.freqs_oracle(labels)
    return negative, positive


def shift_with_wrap_around(image, dy, dx):
    return np.roll(np.asarray(image), (dy, dx), axis=(-2, -1))


def contrast_batch_mean(image, factor):
    arr = np.asarray(image)
    mean = np.mean(arr)
    return (mean + factor * (arr - mean)).astype(arr.dtype, copy=False)


def vote_tie_negative(annotations):
    from reference.data.preprocess import majority_vote

    return majority_vote(annotations, tie="negative")


def fit_sample_std(train_images):
    arr = np.asarray(train_images, dtype=np.float64)
    axes = (0, *range(2, arr.ndim))
    return np.mean(arr, axis=axes), np.std(arr, axis=axes, ddof=1)


def apply_unguarded_std(images, mean, std):
    arr = np.asarray(images)
    shape = (1, -1) + (1,) * (arr.ndim - 2)
    out = (arr - np.reshape(mean, shape)) / np.reshape(std, shape)
    return out.astype(arr.dtype, copy=False)


def histogram_range_dropped(images, bins=20, range=None):  # np.histogram's
    return tuple(np.histogram(np.ravel(np.asarray(images)), bins=bins))


def freeze_names_substring(parameter_names, head="classifier"):
    return [name for name in parameter_names if head in name]


def freeze_names_without_dot(parameter_names, head="classifier"):
    return [name for name in parameter_names if name.startswith(head)]


_AXES = "(0, 2, 3)"
MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "week1.convolution.conv_forward_naive": (
        Mistake(
            "the kernel flipped (a true convolution instead of the cross-correlation)",
            conv_flipped_kernel,
        ),
        Mistake("no bias added", conv_without_bias),
    ),
    "week1.pooling.max_pool_forward": (
        Mistake("padding with zeros instead of -inf", max_pool_zero_padding),
    ),
    "week1.batchnorm.batchnorm_forward": (
        Mistake(
            "the sample variance (ddof=1) instead of the biased (population) variance",
            batchnorm_sample_variance,
        ),
        Mistake(
            f"the mean and variance over axis 0 only instead of over axes {_AXES}",
            batchnorm_axis_zero,
        ),
    ),
    "week1.weighted_loss.binary_cross_entropy": (
        Mistake("the sum over the images instead of the mean", bce_summed_over_images),
        Mistake(
            "the mean over every entry instead of the mean over the images "
            "summed over the findings",
            bce_mean_of_everything,
        ),
    ),
    "week1.weighted_loss.get_weighted_loss": (
        Mistake("the positive and negative weights swapped", weighted_loss_swapped),
        Mistake(
            "the mean over every entry instead of the mean over the images "
            "summed over the findings",
            weighted_loss_mean_of_everything,
        ),
    ),
    "week1.weighted_loss.weighted_loss_grad": (
        Mistake("the positive and negative weights swapped", weighted_grad_swapped),
        Mistake(
            "no division by N (the gradient of a sum over the images, not of "
            "their mean)",
            weighted_grad_not_divided,
        ),
    ),
    "week1.class_imbalance.compute_class_freqs": (
        Mistake(
            "the mean over axis 1 (per image) instead of axis 0 (per finding)",
            class_freqs_per_image,
        ),
        Mistake("the positive and negative frequencies swapped", class_freqs_swapped),
    ),
    "week1.augmentation.shift_image": (
        Mistake(
            "np.roll (the image wraps around) instead of filling with zeros",
            shift_with_wrap_around,
        ),
    ),
    "week1.augmentation.adjust_contrast": (
        Mistake(
            "one mean over the whole batch instead of one per image",
            contrast_batch_mean,
        ),
    ),
    "week1.consensus.majority_vote": (
        Mistake("a tie counted as 0 instead of 1", vote_tie_negative),
    ),
    "week1.standardization.fit_standardization": (
        Mistake(
            "the sample std (ddof=1) instead of the population std (ddof=0)",
            fit_sample_std,
        ),
    ),
    "week1.standardization.apply_standardization": (
        Mistake("dividing by a std of 0 instead of by 1", apply_unguarded_std),
    ),
    "week1.data_exploration.pixel_histogram": (
        Mistake("np.histogram without passing range on", histogram_range_dropped),
    ),
    "week1.transfer_learning.freeze_backbone_names": (
        Mistake(
            '`head in name` instead of `name.startswith(head + ".")`',
            freeze_names_substring,
        ),
        Mistake("`name.startswith(head)` without the dot", freeze_names_without_dot),
    ),
}
