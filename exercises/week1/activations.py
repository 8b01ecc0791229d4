"""Activation functions from scratch: ReLU (forward and backward) and a safe sigmoid.

A network without non-linear activations is just one big linear map, however
many layers it has. DenseNet puts a ReLU after every batch norm::

    relu(x) = max(x, 0)

and a chest X-ray classifier turns each finding's score (logit) ``z`` into a
probability with the sigmoid::

    sigmoid(z) = 1 / (1 + exp(-z))

Both work element-wise on arrays of any shape and keep the dtype (float32 in,
float32 out).
"""

import numpy as np

__all__ = ["relu_backward", "relu_forward", "sigmoid"]


def relu_forward(x):
    """Apply the rectifier max(x, 0) element-wise; return (out, cache).

    Parameters
    ----------
    x : ndarray of any shape, float

    Returns
    -------
    out : ndarray, x's shape and dtype
        ``out[k] = x[k] if x[k] > 0 else 0``.
    cache : anything
        Whatever `relu_backward` needs (the solution keeps ``x``). Do not
        modify ``x``: build a new array.

    Examples
    --------
    >>> out, cache = relu_forward(np.array([-1.5, 0.0, 2.0]))
    >>> out
    array([0., 0., 2.])
    """
    ### START CODE HERE ###
    # Hint: build a NEW array (np.maximum works element by element): overwriting the
    # Hint: negative entries of x in place would change the caller's x.
    raise NotImplementedError("week1.activations.relu_forward: not implemented yet")
    ### END CODE HERE ###


def relu_backward(dout, cache):
    """Backpropagate through `relu_forward`: return dx (a single array).

    Parameters
    ----------
    dout : ndarray, the shape of relu_forward's output
        Upstream gradient, d loss / d out.
    cache : anything
        The cache your `relu_forward` returned.

    Returns
    -------
    dx : ndarray, dout's shape and dtype
        ``dx[k] = dout[k] if x[k] > 0 else 0``.

    Notes
    -----
    The slope of max(x, 0) is 1 where x > 0 and 0 where x < 0. At exactly
    ``x == 0`` it is not defined; use 0 there (as PyTorch does).

    Examples
    --------
    >>> out, cache = relu_forward(np.array([-1.5, 0.0, 2.0]))
    >>> relu_backward(np.array([5.0, 5.0, 5.0]), cache)
    array([0., 0., 5.])
    """
    ### START CODE HERE ###
    # Hint: the slope of max(x, 0) is 1 where x > 0 and 0 elsewhere, also at x == 0
    # Hint: (Notes). In arithmetic a boolean array counts True as 1 and False as 0.
    raise NotImplementedError("week1.activations.relu_backward: not implemented yet")
    ### END CODE HERE ###


def sigmoid(x):
    """Compute the logistic sigmoid 1 / (1 + exp(-x)) element-wise, without overflow.

    Parameters
    ----------
    x : ndarray of any shape, float
        Scores (logits); any magnitude, e.g. -1000 or 1000.

    Returns
    -------
    ndarray, x's shape and dtype
        Values in [0, 1]; ``sigmoid(0) = 0.5`` and
        ``sigmoid(-x) = 1 - sigmoid(x)``.

    Notes
    -----
    ``np.exp(-x)`` overflows to ``inf`` once ``-x`` passes about 710 in float64
    (88 in float32), with a RuntimeWarning. Two equal forms of the sigmoid avoid
    it, because each only ever exponentiates a number <= 0::

        sigmoid(x) = 1 / (1 + exp(-x))          for x >= 0
        sigmoid(x) = exp(x) / (1 + exp(x))      for x < 0

    Both can be written with ``z = exp(-|x|)``, which lies in (0, 1]:
    ``1 / (1 + z)`` for x >= 0 and ``z / (1 + z)`` for x < 0.

    Examples
    --------
    ``sigmoid(2) = 1 / (1 + exp(-2)) = 1 / 1.1353 = 0.8808``; far out the
    function saturates at exactly 0 and 1.

    >>> sigmoid(np.array([-1000.0, 0.0, 2.0, 1000.0])).round(4)
    array([0.    , 0.5   , 0.8808, 1.    ])
    """
    ### START CODE HERE ###
    # Hint: see Notes: only ever exponentiate numbers <= 0, so exp cannot overflow;
    # Hint: compute the x >= 0 form and the x < 0 form and pick one per element
    # Hint: (np.where).
    raise NotImplementedError("week1.activations.sigmoid: not implemented yet")
    ### END CODE HERE ###
