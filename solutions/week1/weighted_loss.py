"""The (weighted) binary cross-entropy for multi-label diagnosis, and its gradient.

A chest X-ray model outputs, for each of K findings, a probability ``y_pred[n, k]``
(a sigmoid output) that finding k is on image n. Each finding is its own yes/no
question, so the loss is a binary cross-entropy per finding:

    L_k = mean over n of -( y[n, k] * log(p[n, k]) + (1 - y[n, k]) * log(1 - p[n, k]) )

and the total loss is the SUM over the findings of these per-finding means.

With rare findings the negative term dominates L_k. The course's fix weights the
two terms so that both classes contribute equally:

    w_pos[k] = freq_neg[k]      w_neg[k] = freq_pos[k]

(frequencies from ``class_imbalance.compute_class_freqs``): then
``w_pos * freq_pos = w_neg * freq_neg`` for every finding.

A small ``epsilon`` inside the logarithms, ``log(p + epsilon)`` and
``log(1 - p + epsilon)``, keeps ``log(0)`` from happening when a prediction is
exactly 0 or 1.

Shapes: ``y_true`` and ``y_pred`` are ``(N, K)`` (N images, K findings);
weights are ``(K,)``. The loss is a single number.
"""

import numpy as np

__all__ = ["binary_cross_entropy", "get_weighted_loss", "weighted_loss_grad"]


def binary_cross_entropy(y_true, y_pred, epsilon=1e-7):
    """Plain binary cross-entropy: per finding the mean over the images, summed.

    Parameters
    ----------
    y_true : ndarray of shape (N, K) (or (N,) for one finding), 0/1
    y_pred : ndarray of the same shape, probabilities in [0, 1]
    epsilon : float, default 1e-7
        Added inside both logarithms.

    Returns
    -------
    loss : float
        sum over k of mean over n of
        -( y[n, k] * log(p[n, k] + eps) + (1 - y[n, k]) * log(1 - p[n, k] + eps) )

    Examples
    --------
    One finding, predictions 0.9 for a positive and 0.2 for a negative:
    -(log 0.9 + log 0.8) / 2 = 0.1643.

    >>> round(float(binary_cross_entropy(np.array([1, 0]), np.array([0.9, 0.2]))), 4)
    0.1643
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    ### BEGIN SOLUTION
    # Hint: compute the loss of every entry, average over the images (axis=0),
    # Hint: then add up the findings (np.sum). epsilon goes INSIDE the log.
    per_entry = -(
        y_true * np.log(y_pred + epsilon) + (1 - y_true) * np.log(1 - y_pred + epsilon)
    )
    return np.sum(np.mean(per_entry, axis=0))
    ### END SOLUTION


def get_weighted_loss(pos_weights, neg_weights, epsilon=1e-7):
    """Return a weighted loss function ``weighted_loss(y_true, y_pred)``.

    Parameters
    ----------
    pos_weights : ndarray of shape (K,)
        Weight of the positive term of each finding.
    neg_weights : ndarray of shape (K,)
        Weight of the negative term of each finding.
    epsilon : float, default 1e-7
        Added inside both logarithms.

    Returns
    -------
    weighted_loss : function (y_true, y_pred) -> float
        With y_true, y_pred of shape (N, K), it returns::

            sum over k of mean over n of
            -( pos_weights[k] * y_true[n, k] * log(y_pred[n, k] + epsilon)
             + neg_weights[k] * (1 - y_true[n, k]) * log(1 - y_pred[n, k] + epsilon) )

    Examples
    --------
    The course's check: y_true = [[1, 1, 1], [1, 1, 0], [0, 1, 0], [1, 0, 1]],
    pos_weights = [0.25, 0.25, 0.5], neg_weights = [0.75, 0.75, 0.5] and every
    prediction 0.7 gives -0.4956 with epsilon = 1 (the epsilon is large on purpose:
    it shows whether it sits inside the logarithm).

    >>> loss = get_weighted_loss(np.array([0.25, 0.25, 0.5]),
    ...                          np.array([0.75, 0.75, 0.5]), epsilon=1)
    >>> y = np.array([[1, 1, 1], [1, 1, 0], [0, 1, 0], [1, 0, 1]])
    >>> round(float(loss(y, np.full((4, 3), 0.7))), 4)
    -0.4956
    """
    pos_weights, neg_weights = np.asarray(pos_weights), np.asarray(neg_weights)

    def weighted_loss(y_true, y_pred):
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        ### BEGIN SOLUTION
        # Hint: the formula under Returns: per finding, the mean over the images of the
        # Hint: weighted positive and negative log terms, then the sum over the
        # Hint: findings; epsilon INSIDE both logs. Loop over the findings or broadcast.
        loss = 0.0
        for i in range(len(pos_weights)):
            y, p = y_true[:, i], y_pred[:, i]
            loss += -np.mean(
                pos_weights[i] * y * np.log(p + epsilon)
                + neg_weights[i] * (1 - y) * np.log(1 - p + epsilon)
            )
        return loss
        ### END SOLUTION

    return weighted_loss


def weighted_loss_grad(y_true, y_pred, pos_weights, neg_weights, epsilon=1e-7):
    """Gradient of the weighted loss with respect to the predictions ``y_pred``.

    Parameters
    ----------
    y_true, y_pred : ndarray of shape (N, K)
    pos_weights, neg_weights : ndarray of shape (K,)
    epsilon : float, default 1e-7

    Returns
    -------
    dy_pred : ndarray of shape (N, K)
        d loss / d y_pred[n, k] =
        -( pos_weights[k] * y[n, k] / (p[n, k] + eps)
         - neg_weights[k] * (1 - y[n, k]) / (1 - p[n, k] + eps) ) / N

        (d/dp log(p + eps) = 1 / (p + eps), d/dp log(1 - p + eps) = -1 / (1 - p + eps),
        and the mean over the N images divides by N).

    Examples
    --------
    >>> weighted_loss_grad(np.array([[1], [0]]), np.array([[0.5], [0.5]]),
    ...                    np.array([1.0]), np.array([1.0]), epsilon=0.0)
    array([[-1.],
           [ 1.]])
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    pos_weights, neg_weights = np.asarray(pos_weights), np.asarray(neg_weights)
    ### BEGIN SOLUTION
    # Hint: broadcasting applies the (K,) weights to every row of an (N, K) array.
    n_images = y_true.shape[0]
    d_entry = -(
        pos_weights * y_true / (y_pred + epsilon)
        - neg_weights * (1 - y_true) / (1 - y_pred + epsilon)
    )
    return d_entry / n_images
    ### END SOLUTION
