"""Losses for multi-label diagnosis and segmentation, each value with its gradient.

Public names: `bce`, `bce_grad`, `weighted_bce`, `weighted_bce_grad`,
`weighted_bce_with_logits`, `weighted_bce_with_logits_grad`, `masked_bce`,
`masked_bce_grad`, `soft_dice_loss`, `soft_dice_loss_grad`.

Classification losses take ``y_true`` and ``y_pred`` of shape ``(N, K)`` (N
images, K findings; ``(N,)`` is one finding) and follow the course: per finding
the *mean over the batch* of the (weighted) cross-entropy, *summed over the
findings*. Class weights are explicit arguments; the course derives them from
label frequencies as ``pos_weights = freq_neg`` and ``neg_weights = freq_pos``
(`reference.data.preprocess.class_weights`), which makes both classes
contribute equally to the loss.

Every value function ``f`` has a partner ``f_grad`` with the same arguments that
returns d loss / d ``y_pred`` (or d loss / d ``logits``) in ``y_pred``'s shape.
Values are NumPy scalars in the floating dtype of ``y_pred``.
"""

from __future__ import annotations

import numpy as np

from reference._validation import (
    as_float_array,
    check_binary_labels,
    check_finite,
    check_ndim,
    check_probabilities,
    check_same_shape,
    fail,
)
from reference.ops.activations import sigmoid

__all__ = [
    "bce",
    "bce_grad",
    "masked_bce",
    "masked_bce_grad",
    "soft_dice_loss",
    "soft_dice_loss_grad",
    "weighted_bce",
    "weighted_bce_grad",
    "weighted_bce_with_logits",
    "weighted_bce_with_logits_grad",
]

_LEGEND = "(N, K) or (N,)"


def _check_epsilon(epsilon, func: str) -> None:
    """Check that ``epsilon`` is a finite number >= 0."""
    if (
        isinstance(epsilon, (bool, np.bool_))
        or not np.isscalar(epsilon)
        or not np.isfinite(epsilon)
        or epsilon < 0
    ):
        fail(func, "epsilon a finite number >= 0", repr(epsilon))


def _scores(y_pred, name: str, func: str, probabilities: bool = True) -> np.ndarray:
    """Return ``y_pred`` as a float array of shape (N, K) or (N,), validated."""
    pred = as_float_array(y_pred, name, func)
    check_ndim(
        pred,
        (1, 2),
        name,
        func,
        _LEGEND,
        "Stack one column per finding: shape (images, findings).",
    )
    if pred.shape[0] == 0:
        fail(func, f"{name} with at least one sample", f"shape {pred.shape}")
    if probabilities:
        check_probabilities(pred, name, func)
    else:
        check_finite(pred, name, func)
    return pred


def _labels(y_true, pred: np.ndarray, func: str, allow_missing=False) -> np.ndarray:
    """Return ``y_true`` in ``pred``'s dtype, checked to be 0/1 (or missing)."""
    truth = as_float_array(y_true, "y_true", func)
    check_same_shape(truth, pred, ("y_true", "y_pred"), func)
    present = truth[~_missing(truth)] if allow_missing else truth
    check_binary_labels(present, "y_true", func)
    return truth.astype(pred.dtype)


def _missing(truth: np.ndarray) -> np.ndarray:
    """Mask of missing labels: NaN or -1."""
    return np.isnan(truth) | (truth == -1)


def _weights(weights, pred: np.ndarray, name: str, func: str) -> np.ndarray:
    """Return class weights as a float array broadcastable against ``pred``."""
    w = as_float_array(weights, name, func)
    n_classes = pred.shape[1] if pred.ndim == 2 else 1
    if (
        w.ndim > 1
        or (w.ndim == 1 and w.shape[0] != n_classes)
        or (pred.ndim == 1 and w.ndim == 1)
    ):
        expected = f"{name} of shape ({n_classes},) (one per finding) or a scalar"
        if pred.ndim == 1:
            expected = f"{name} as a scalar for 1-D y_pred"
        fail(func, expected, f"shape {w.shape}")
    check_finite(w, name, func)
    if np.any(w < 0):
        fail(func, f"{name} >= 0", f"min {w.min():.4g}")
    return w.astype(pred.dtype)


def _per_class_sum(per_sample: np.ndarray) -> np.generic:
    """Mean over the batch (axis 0), then sum over the findings."""
    return np.sum(np.mean(per_sample, axis=0))


def weighted_bce(y_true, y_pred, pos_weights, neg_weights, epsilon=1e-7):
    """Return the course's class-weighted binary cross-entropy.

    Parameters
    ----------
    y_true : array-like of shape (N, K) or (N,), 0/1
        Ground truth, one column per finding.
    y_pred : array-like of the same shape, probabilities in [0, 1]
        Predicted probabilities (sigmoid outputs).
    pos_weights, neg_weights : array-like of shape (K,), or scalars
        Weight of the positive and the negative term of each finding.
    epsilon : float, default 1e-7
        Added inside the logarithms so that log(0) never happens.

    Returns
    -------
    loss : NumPy scalar in y_pred's floating dtype

    Notes
    -----
    ::

        loss = sum over k of mean over n of
               -( pos_weights[k] * y_true[n, k] * log(y_pred[n, k] + eps)
                + neg_weights[k] * (1 - y_true[n, k]) * log(1 - y_pred[n, k] + eps) )

    Examples
    --------
    One finding, two images: -(1 * log 0.5 + 1 * log 0.5) / 2 = log 2:

    >>> y = np.array([[1.0], [0.0]]); p = np.array([[0.5], [0.5]])
    >>> round(float(weighted_bce(y, p, [1.0], [1.0], epsilon=0.0)), 6)
    0.693147
    """
    func = "weighted_bce"
    _check_epsilon(epsilon, func)
    pred = _scores(y_pred, "y_pred", func)
    truth = _labels(y_true, pred, func)
    w_pos = _weights(pos_weights, pred, "pos_weights", func)
    w_neg = _weights(neg_weights, pred, "neg_weights", func)

    # per-entry loss, then batch mean per finding, then sum over findings
    terms = -(
        w_pos * truth * np.log(pred + epsilon)
        + w_neg * (1 - truth) * np.log(1 - pred + epsilon)
    )
    return _per_class_sum(terms)


def weighted_bce_grad(y_true, y_pred, pos_weights, neg_weights, epsilon=1e-7):
    """Return d `weighted_bce` / d ``y_pred`` (same arguments).

    Returns
    -------
    dy_pred : ndarray, y_pred's shape and floating dtype

    Notes
    -----
    With N the batch size::

        dy_pred[n, k] = -( pos_weights[k] * y_true[n, k] / (y_pred[n, k] + eps)
                         - neg_weights[k] * (1 - y_true[n, k])
                           / (1 - y_pred[n, k] + eps) ) / N

    Examples
    --------
    >>> weighted_bce_grad(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]]),
    ...                   [1.0], [1.0], epsilon=0.0)
    array([[-1.],
           [ 1.]])
    """
    func = "weighted_bce_grad"
    _check_epsilon(epsilon, func)
    pred = _scores(y_pred, "y_pred", func)
    truth = _labels(y_true, pred, func)
    w_pos = _weights(pos_weights, pred, "pos_weights", func)
    w_neg = _weights(neg_weights, pred, "neg_weights", func)

    # derivative of each log term, divided by the batch size (the mean)
    d_terms = -(
        w_pos * truth / (pred + epsilon) - w_neg * (1 - truth) / (1 - pred + epsilon)
    )
    return (d_terms / pred.shape[0]).astype(pred.dtype, copy=False)


def bce(y_true, y_pred, epsilon=1e-7):
    """Return the plain binary cross-entropy: `weighted_bce` with all weights 1.

    Parameters
    ----------
    y_true : array-like of shape (N, K) or (N,), 0/1
    y_pred : array-like of the same shape, probabilities in [0, 1]
    epsilon : float, default 1e-7

    Returns
    -------
    loss : NumPy scalar in y_pred's floating dtype

    Notes
    -----
    ``loss = sum over k of mean over n of
    -(y[n, k] log(p[n, k] + eps) + (1 - y[n, k]) log(1 - p[n, k] + eps))``;
    for one finding this is the usual mean cross-entropy.

    Examples
    --------
    >>> round(float(bce(np.array([1.0, 0.0]), np.array([0.9, 0.2]))), 4)
    0.1643
    """
    return weighted_bce(y_true, y_pred, 1.0, 1.0, epsilon)


def bce_grad(y_true, y_pred, epsilon=1e-7):
    """Return d `bce` / d y_pred: ``-(y / (p + eps) - (1 - y) / (1 - p + eps)) / N``.

    Examples
    --------
    >>> bce_grad(np.array([1.0, 0.0]), np.array([0.5, 0.5]), epsilon=0.0)
    array([-1.,  1.])
    """
    return weighted_bce_grad(y_true, y_pred, 1.0, 1.0, epsilon)


def _log_sigmoids(logits: np.ndarray):
    """Return (log sigmoid(z), log(1 - sigmoid(z))) without overflow or log(0)."""
    # softplus(z) = log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|))
    softplus_pos = np.maximum(logits, 0) + np.log1p(np.exp(-np.abs(logits)))
    return logits - softplus_pos, -softplus_pos  # log s(z), log(1 - s(z))


def weighted_bce_with_logits(y_true, logits, pos_weights, neg_weights):
    """Return `weighted_bce` computed from logits, stable for any logit size.

    Parameters
    ----------
    y_true : array-like of shape (N, K) or (N,), 0/1
    logits : array-like of the same shape, any finite real numbers
        Scores before the sigmoid, ``y_pred = sigmoid(logits)``.
    pos_weights, neg_weights : array-like of shape (K,), or scalars

    Returns
    -------
    loss : NumPy scalar in logits' floating dtype

    Notes
    -----
    ``log sigmoid(z) = z - softplus(z)`` and ``log(1 - sigmoid(z)) = -softplus(z)``
    with ``softplus(z) = max(z, 0) + log1p(exp(-|z|))``, so no epsilon is needed
    and ``z = 100`` gives no overflow nor log(0)::

        loss = sum over k of mean over n of
               -( pos_weights[k] * y[n, k] * log sigmoid(z[n, k])
                + neg_weights[k] * (1 - y[n, k]) * log(1 - sigmoid(z[n, k])) )

    Examples
    --------
    >>> loss = weighted_bce_with_logits([[1.0], [0.0]], [[0.0], [0.0]], 1.0, 1.0)
    >>> round(float(loss), 6)
    0.693147
    """
    func = "weighted_bce_with_logits"
    z = _scores(logits, "logits", func, probabilities=False)
    truth = _labels(y_true, z, func)
    w_pos = _weights(pos_weights, z, "pos_weights", func)
    w_neg = _weights(neg_weights, z, "neg_weights", func)

    log_p, log_not_p = _log_sigmoids(z)
    terms = -(w_pos * truth * log_p + w_neg * (1 - truth) * log_not_p)
    return _per_class_sum(terms)


def weighted_bce_with_logits_grad(y_true, logits, pos_weights, neg_weights):
    """Return d `weighted_bce_with_logits` / d ``logits`` (same arguments).

    Notes
    -----
    With ``s = sigmoid(z)``::

        dlogits[n, k] = ( neg_weights[k] * (1 - y[n, k]) * s[n, k]
                        - pos_weights[k] * y[n, k] * (1 - s[n, k]) ) / N

    (for unit weights this is the familiar ``(s - y) / N``).

    Examples
    --------
    >>> weighted_bce_with_logits_grad([[1.0], [0.0]], [[0.0], [0.0]], 1.0, 1.0)
    array([[-0.25],
           [ 0.25]])
    """
    func = "weighted_bce_with_logits_grad"
    z = _scores(logits, "logits", func, probabilities=False)
    truth = _labels(y_true, z, func)
    w_pos = _weights(pos_weights, z, "pos_weights", func)
    w_neg = _weights(neg_weights, z, "neg_weights", func)

    s = sigmoid(z)
    d_terms = w_neg * (1 - truth) * s - w_pos * truth * (1 - s)
    return (d_terms / z.shape[0]).astype(z.dtype, copy=False)


def _masked_parts(y_true, y_pred, pos_weights, neg_weights, epsilon, func):
    """Validate; return (truth with 0 where missing, present mask, pred, weights)."""
    _check_epsilon(epsilon, func)
    pred = _scores(y_pred, "y_pred", func)
    truth = _labels(y_true, pred, func, allow_missing=True)
    present = ~_missing(truth)
    w_pos = _weights(pos_weights, pred, "pos_weights", func)
    w_neg = _weights(neg_weights, pred, "neg_weights", func)
    return np.where(present, truth, 0), present, pred, w_pos, w_neg


def masked_bce(y_true, y_pred, pos_weights=1.0, neg_weights=1.0, epsilon=1e-7):
    """Return the multi-task cross-entropy that ignores missing labels.

    Parameters
    ----------
    y_true : array-like of shape (N, K) or (N,)
        1 (present), 0 (absent), and NaN or -1 for "not labelled" (a finding
        the report did not mention, a task not annotated for this image).
    y_pred : array-like of the same shape, probabilities in [0, 1]
    pos_weights, neg_weights : array-like of shape (K,), or scalars, default 1
    epsilon : float, default 1e-7

    Returns
    -------
    loss : NumPy scalar in y_pred's floating dtype

    Notes
    -----
    With P_k the images where finding k is labelled and M_k = |P_k|::

        loss = sum over k with M_k > 0 of (1 / M_k) * sum over n in P_k of
               -( pos_weights[k] * y[n, k] * log(p[n, k] + eps)
                + neg_weights[k] * (1 - y[n, k]) * log(1 - p[n, k] + eps) )

    A finding with no labelled image contributes 0. Without missing labels this
    equals `weighted_bce`.

    Examples
    --------
    The missing label (NaN) is skipped, so only log 2 from the first image remains:

    >>> y = np.array([[1.0], [np.nan]]); p = np.array([[0.5], [0.9]])
    >>> round(float(masked_bce(y, p, epsilon=0.0)), 6)
    0.693147
    """
    truth, present, pred, w_pos, w_neg = _masked_parts(
        y_true, y_pred, pos_weights, neg_weights, epsilon, "masked_bce"
    )

    # loss of every entry, zeroed where the label is missing
    terms = -(
        w_pos * truth * np.log(pred + epsilon)
        + w_neg * (1 - truth) * np.log(1 - pred + epsilon)
    )
    terms = np.where(present, terms, 0)

    # mean over the labelled images of each finding (0 when none), sum over findings
    counts = np.sum(present, axis=0)
    per_class = np.sum(terms, axis=0) / np.maximum(counts, 1)
    return np.sum(per_class.astype(pred.dtype, copy=False))


def masked_bce_grad(y_true, y_pred, pos_weights=1.0, neg_weights=1.0, epsilon=1e-7):
    """Return d `masked_bce` / d y_pred (same arguments); 0 where labels are missing.

    Notes
    -----
    ``dp[n, k] = -(w_pos[k] y / (p + eps) - w_neg[k] (1 - y) / (1 - p + eps)) / M_k``
    for labelled entries (M_k labelled images of finding k), 0 elsewhere.

    Examples
    --------
    >>> y = np.array([[1.0], [-1.0]]); p = np.array([[0.5], [0.9]])
    >>> masked_bce_grad(y, p, epsilon=0.0)
    array([[-2.],
           [ 0.]])
    """
    truth, present, pred, w_pos, w_neg = _masked_parts(
        y_true, y_pred, pos_weights, neg_weights, epsilon, "masked_bce_grad"
    )
    counts = np.maximum(np.sum(present, axis=0), 1)
    d_terms = -(
        w_pos * truth / (pred + epsilon) - w_neg * (1 - truth) / (1 - pred + epsilon)
    )
    return np.where(present, d_terms / counts, 0).astype(pred.dtype, copy=False)


def _dice_inputs(y_true, y_pred, axis, epsilon, func):
    """Validate soft-dice inputs; return (truth, pred, axes)."""
    _check_epsilon(epsilon, func)
    pred = as_float_array(y_pred, "y_pred", func)
    if pred.ndim < 2:
        fail(
            func,
            "y_pred with a class axis and spatial axes, such as (classes, x, y, z)",
            f"shape {pred.shape}",
        )
    check_probabilities(pred, "y_pred", func)
    truth = as_float_array(y_true, "y_true", func)
    check_same_shape(truth, pred, ("y_true", "y_pred"), func)
    check_probabilities(truth, "y_true", func)
    return truth.astype(pred.dtype), pred, _dice_axes(axis, pred.ndim, func)


def _dice_axes(axis, ndim: int, func: str) -> tuple[int, ...]:
    """Return ``axis`` as distinct non-negative ints leaving at least one axis out."""
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    valid = all(isinstance(a, (int, np.integer)) and -ndim <= a < ndim for a in axes)
    normalised = tuple(int(a) % ndim for a in axes) if valid else ()
    if not normalised or len(set(normalised)) != len(axes) or len(axes) >= ndim:
        fail(
            func,
            f"axis: distinct axes of y_pred's {ndim} dims that leave the "
            "class axis out",
            repr(axis),
            "For (classes, x, y, z) use axis=(1, 2, 3);"
            " with a batch axis (N, classes, x, y, z) use axis=(2, 3, 4).",
        )
    return normalised


def soft_dice_loss(y_true, y_pred, axis=(1, 2, 3), epsilon=1e-5):
    """Return the course's soft Dice loss (squares in the denominator).

    Parameters
    ----------
    y_true : array-like of shape (classes, x, y, z), values in [0, 1]
        One-hot ground truth (or soft labels), one channel per class.
        With a batch axis: (N, classes, x, y, z) and ``axis=(2, 3, 4)``.
    y_pred : array-like of the same shape, probabilities in [0, 1]
    axis : int or tuple of int, default (1, 2, 3)
        The axes summed over; the mean runs over every remaining entry
        (classes, or batch x classes).
    epsilon : float, default 1e-5
        Smoothing in numerator and denominator.

    Returns
    -------
    loss : NumPy scalar in y_pred's floating dtype, in [0, 1]

    Notes
    -----
    For every class c (sums over ``axis``)::

        dice_c = (2 * sum(y_true_c * y_pred_c) + eps)
                 / (sum(y_true_c ** 2) + sum(y_pred_c ** 2) + eps)
        loss   = 1 - mean over c of dice_c

    (Milletari et al. 2016, V-Net; squares in the denominator.)

    Examples
    --------
    One class, 2 voxels: dice = (2 * 0.5 + 0) / (1 + 0.25 + 0) = 0.8, loss 0.2:

    >>> y = np.array([[[[1.0, 0.0]]]]); p = np.array([[[[0.5, 0.0]]]])
    >>> round(float(soft_dice_loss(y, p, epsilon=0.0)), 6)
    0.2
    """
    truth, pred, axes = _dice_inputs(y_true, y_pred, axis, epsilon, "soft_dice_loss")
    numerator = 2 * np.sum(truth * pred, axis=axes) + epsilon
    denominator = np.sum(truth**2, axis=axes) + np.sum(pred**2, axis=axes) + epsilon
    return 1 - np.mean(numerator / denominator)


def soft_dice_loss_grad(y_true, y_pred, axis=(1, 2, 3), epsilon=1e-5):
    """Return d `soft_dice_loss` / d ``y_pred`` (same arguments), exact.

    Returns
    -------
    dy_pred : ndarray, y_pred's shape and floating dtype

    Notes
    -----
    With a_c, b_c the numerator and denominator of class c and M the number of
    dice values averaged::

        d loss / d p[c, i] = (2 * p[c, i] * a_c - 2 * y[c, i] * b_c) / (M * b_c ** 2)

    Examples
    --------
    >>> y = np.array([[[[1.0, 0.0]]]]); p = np.array([[[[0.5, 0.0]]]])
    >>> soft_dice_loss_grad(y, p, epsilon=0.0)
    array([[[[-0.96,  0.  ]]]])
    """
    func = "soft_dice_loss_grad"
    truth, pred, axes = _dice_inputs(y_true, y_pred, axis, epsilon, func)
    numerator = 2 * np.sum(truth * pred, axis=axes, keepdims=True) + epsilon
    denominator = (
        np.sum(truth**2, axis=axes, keepdims=True)
        + np.sum(pred**2, axis=axes, keepdims=True)
        + epsilon
    )
    n_dice = numerator.size  # how many dice values the loss averages
    # quotient rule on numerator / denominator, with the loss's minus sign
    d_loss = (2 * pred * numerator - 2 * truth * denominator) / denominator**2
    return (d_loss / n_dice).astype(pred.dtype, copy=False)
