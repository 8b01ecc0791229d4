"""The soft Dice loss: a Dice a network can be trained on, and its gradient.

The Dice coefficient counts voxels of 0/1 masks; a network outputs probabilities
``p`` in [0, 1] and needs a smooth loss. The soft Dice loss (Milletari et al.
2016, V-Net) uses the probabilities directly and squares them in the denominator::

    loss = 1 - mean over classes c of
           (2 sum(y * p) + eps) / (sum(y ** 2) + sum(p ** 2) + eps)

(sums over the spatial ``axis``; y is the one-hot truth, so ``y ** 2 = y``). It is
0 for a perfect, confident prediction and close to 1 when nothing overlaps. Unlike
a per-voxel loss, it is insensitive to the 98.75 % of background voxels: each class
counts once, however small.

To train, backpropagation needs ``d loss / d p`` for every voxel. With
``N_c = 2 sum(y p) + eps`` and ``D_c = sum(y^2) + sum(p^2) + eps`` (sums over the
voxels of class c) and ``n`` the number of ratios averaged (the classes)::

    d loss / d p[c, v] = -(1 / n) * (2 y[c, v] D_c - N_c 2 p[c, v]) / D_c ** 2
                       = -(2 / n) * (y[c, v] / D_c - p[c, v] N_c / D_c ** 2)

(the quotient rule on N_c / D_c; each voxel appears in one N_c and one D_c only).
"""

import numpy as np

__all__ = ["soft_dice_loss", "soft_dice_loss_grad"]


def soft_dice_loss(y_true, y_pred, axis=(1, 2, 3), epsilon=0.00001):
    """Compute the soft Dice loss averaged over classes.

    Parameters
    ----------
    y_true : ndarray of shape (num_classes, x, y, z)
        One-hot ground truth.
    y_pred : ndarray of shape (num_classes, x, y, z)
        Predicted probabilities in [0, 1].
    axis : tuple of int, optional
        Axes to sum over (default: the spatial axes 1, 2, 3).
    epsilon : float, optional
        Smoothing constant.

    Returns
    -------
    dice_loss : NumPy float
        ``1 - mean over c of (2 * sum(y_true * y_pred) + epsilon)
        / (sum(y_true ** 2) + sum(y_pred ** 2) + epsilon)``; the sums run over
        ``axis``, the mean over the remaining axes.

    Examples
    --------
    The course's second example: y_pred = [[0.5, 0], [0, 0.5]] and y_true =
    [[1, 1], [0, 0]], one class, epsilon = 1: numerator 2 * 0.5 + 1 = 2,
    denominator 2 + (0.25 + 0.25) + 1 = 3.5, loss 1 - 2 / 3.5 = 0.4286.
    """
    ### START CODE HERE ###
    # Hint: like dice_coefficient, but the denominator sums the SQUARES of y_true
    # Hint: and y_pred, and the result is 1 minus the mean ratio.
    raise NotImplementedError("week3.soft_dice.soft_dice_loss: not implemented yet")
    ### END CODE HERE ###


def soft_dice_loss_grad(y_true, y_pred, axis=(1, 2, 3), epsilon=0.00001):
    """Compute the gradient of `soft_dice_loss` with respect to ``y_pred``.

    Parameters
    ----------
    y_true : ndarray of shape (num_classes, x, y, z)
        One-hot ground truth.
    y_pred : ndarray of shape (num_classes, x, y, z)
        Predicted probabilities.
    axis : tuple of int, optional
        The axes summed over in the loss.
    epsilon : float, optional
        Smoothing constant.

    Returns
    -------
    dy_pred : ndarray of the same shape as y_pred
        ``-(2 / n) * (y_true / D - y_pred * N / D ** 2)`` where
        ``N = 2 sum(y_true * y_pred) + epsilon`` and
        ``D = sum(y_true ** 2) + sum(y_pred ** 2) + epsilon`` are summed over
        ``axis`` (keep the dims so they broadcast back) and ``n`` is the number
        of ratios averaged (``N.size`` before keeping dims: the classes).

    Examples
    --------
    One class, one voxel: y_true = 1, y_pred = 0.5, epsilon = 0: N = 1,
    D = 1.25, loss = 1 - 0.8 = 0.2 and the gradient is
    -2 * (1 / 1.25 - 0.5 * 1 / 1.5625) = -0.96 (raising p lowers the loss).
    A central difference agrees: (loss(0.501) - loss(0.499)) / 0.002 = -0.96.
    """
    ### START CODE HERE ###
    # Hint: Returns gives the formula. Sum N and D over `axis` keeping the summed axes
    # Hint: (keepdims) so they broadcast back; n is the number of ratios the loss
    # Hint: averages.
    raise NotImplementedError(
        "week3.soft_dice.soft_dice_loss_grad: not implemented yet"
    )
    ### END CODE HERE ###
