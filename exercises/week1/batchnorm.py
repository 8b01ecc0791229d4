"""Batch normalisation from scratch, in training and in evaluation mode.

Batch norm (Ioffe and Szegedy, 2015) standardises every channel of a batch of
feature maps, then lets the network rescale it: for channel ``c``::

    x_hat = (x - mean[c]) / sqrt(var[c] + eps)      zero mean, unit variance
    out   = gamma[c] * x_hat + beta[c]              learned scale and shift

The statistics of a channel are taken over everything that shares it: the
batch and both spatial axes, ``m = N * H * W`` numbers per channel.

- Training mode uses the current batch's mean and (biased, divide-by-``m``)
  variance, so every output depends on every input of its channel.
- Evaluation mode uses fixed running averages (``running_mean``,
  ``running_var``, collected during training), so one image's output never
  depends on the other images of the batch.

This lesson computes ``out`` and the gradients only; updating the running
averages is a separate step (``reference.ops.batchnorm_update_running``).

Shapes: ``x`` and ``out`` are ``(N, C, H, W)``; ``gamma``, ``beta``,
``running_mean`` and ``running_var`` are ``(C,)``. A ``(C,)`` vector
broadcasts against ``(N, C, H, W)`` once reshaped to ``(1, C, 1, 1)``.
"""

import numpy as np

__all__ = ["batchnorm_backward", "batchnorm_forward"]


def batchnorm_forward(
    x, gamma, beta, eps=1e-5, running_mean=None, running_var=None, training=True
):
    """Normalise each channel of (N, C, H, W), then scale by gamma and shift by beta.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W), float
        Input feature maps.
    gamma, beta : ndarray of shape (C,), float
        Learned scale and shift, one per channel.
    eps : float, optional
        Added to the variance before the square root (default 1e-5).
    running_mean, running_var : ndarray of shape (C,), float, optional
        The statistics used in evaluation mode (required then; ignored in
        training mode).
    training : bool, optional
        True (default): normalise with the batch's statistics; False: with
        ``running_mean`` and ``running_var``.

    Returns
    -------
    out : ndarray of shape (N, C, H, W), x's dtype
    cache : tuple
        Whatever `batchnorm_backward` needs; the solution keeps
        ``(x_hat, gamma, inv_std, training)``. Do not modify ``x``.

    Raises
    ------
    ValueError
        If ``training`` is False and a running statistic is missing.

    Notes
    -----
    With ``m = N * H * W`` and sums over ``n, h, w``, in training mode::

        mean[c]  = (1 / m) * sum of x[n, c, h, w]
        var[c]   = (1 / m) * sum of (x[n, c, h, w] - mean[c]) ** 2
        x_hat[n, c, h, w] = (x[n, c, h, w] - mean[c]) / sqrt(var[c] + eps)
        out[n, c, h, w]   = gamma[c] * x_hat[n, c, h, w] + beta[c]

    In evaluation mode ``mean = running_mean`` and ``var = running_var``. In
    NumPy: ``x.mean(axis=(0, 2, 3))`` and ``x.var(axis=(0, 2, 3))``.

    Examples
    --------
    One channel holding 1, 2, 3, 4 (N = 2 images of 1 x 2 pixels): mean 2.5,
    variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25, so with eps = 0,
    gamma = 2 and beta = 1: ``out = 2 * (x - 2.5) / sqrt(1.25) + 1``, for
    example ``2 * (-1.5) / 1.118 + 1 = -1.683`` for the first pixel.

    >>> x = np.array([[[[1.0, 2.0]]], [[[3.0, 4.0]]]])  # (2, 1, 1, 2)
    >>> out, cache = batchnorm_forward(x, np.array([2.0]), np.array([1.0]), eps=0.0)
    >>> out.ravel().round(3)
    array([-1.683,  0.106,  1.894,  3.683])
    >>> out, cache = batchnorm_forward(x, np.array([2.0]), np.array([1.0]), eps=0.0,
    ...     running_mean=np.array([2.0]), running_var=np.array([4.0]), training=False)
    >>> out.ravel()
    array([0., 1., 2., 3.])
    """
    if not training and (running_mean is None or running_var is None):
        raise ValueError(
            "batchnorm_forward: evaluation mode (training=False) needs "
            "running_mean and running_var, got None."
        )
    ### START CODE HERE ###
    # Hint: see Notes: statistics per channel over the batch and both spatial axes; the
    # Hint: biased variance (divide by m) in training, the running ones in evaluation.
    # Hint: Broadcast (C,) vectors as (1, C, 1, 1); cache x_hat and 1 / sqrt(var + eps).
    raise NotImplementedError("week1.batchnorm.batchnorm_forward: not implemented yet")
    ### END CODE HERE ###


def batchnorm_backward(dout, cache):
    """Backpropagate through `batchnorm_forward`: return (dx, dgamma, dbeta).

    Parameters
    ----------
    dout : ndarray of shape (N, C, H, W)
        Upstream gradient, d loss / d out.
    cache : tuple
        The cache your `batchnorm_forward` returned.

    Returns
    -------
    dx : ndarray of shape (N, C, H, W)
        d loss / d x.
    dgamma, dbeta : ndarray of shape (C,)
        d loss / d gamma and d loss / d beta.

    Notes
    -----
    With sums over ``n, h, w`` (``m = N * H * W`` terms per channel)::

        dbeta[c]  = sum of dout[n, c, h, w]
        dgamma[c] = sum of dout[n, c, h, w] * x_hat[n, c, h, w]
        dx_hat[n, c, h, w] = dout[n, c, h, w] * gamma[c]

    Evaluation mode: the mean and variance are constants, so
    ``dx = dx_hat / sqrt(var[c] + eps)``.

    Training mode: the mean and the variance are themselves functions of every
    ``x`` in the channel, and differentiating through them gives::

        dx[n, c, h, w] = (1 / sqrt(var[c] + eps)) * (dx_hat[n, c, h, w]
                          - mean of dx_hat[., c, ., .]
                          - x_hat[n, c, h, w] * mean of (dx_hat * x_hat)[., c, ., .])

    (means over ``n, h, w``). The two subtracted terms are the paths through
    the mean and through the variance; leaving them out is the classic bug.
    A consequence: in training mode ``dx`` sums to zero over each channel.

    Examples
    --------
    The training-mode example of `batchnorm_forward` (x = 1, 2, 3, 4 in one
    channel, gamma = 2, beta = 1, eps = 0) with ``dout = [1, 0, 0, 0]``:
    ``dbeta = 1``, ``dgamma = x_hat[0] = -1.342``, and ``dx`` sums to zero.

    >>> x = np.array([[[[1.0, 2.0]]], [[[3.0, 4.0]]]])
    >>> out, cache = batchnorm_forward(x, np.array([2.0]), np.array([1.0]), eps=0.0)
    >>> dout = np.array([[[[1.0, 0.0]]], [[[0.0, 0.0]]]])
    >>> dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    >>> dx.ravel().round(3), dgamma.round(3), dbeta
    (array([ 0.537, -0.716, -0.179,  0.358]), array([-1.342]), array([1.]))
    """
    ### START CODE HERE ###
    # Hint: see Notes: dbeta and dgamma sum over the batch and both spatial axes; dx_hat
    # Hint: is dout times gamma. Evaluation mode only scales it by 1 / sqrt(var + eps);
    # Hint: training mode first subtracts the paths through the mean and the variance.
    raise NotImplementedError("week1.batchnorm.batchnorm_backward: not implemented yet")
    ### END CODE HERE ###
