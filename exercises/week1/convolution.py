"""2D convolution from scratch: the forward pass and its gradients, with loops.

A convolutional layer slides ``C_out`` small filters over an image. Each filter
``w[f]`` has shape ``(C_in, KH, KW)``: it looks at all input channels inside a
``KH x KW`` window at once. At every window position the layer multiplies the
window by the filter element-wise, sums everything and adds the filter's bias
``b[f]``; that number is one output pixel of output channel ``f``.

Two hyperparameters decide where the windows sit:

- ``padding`` adds that many rows/columns of zeros around the image first, so a
  3x3 filter with padding 1 keeps the image size;
- ``stride`` is the step between neighbouring windows; stride 2 halves the size.

Per spatial axis the output size is ``1 + (size + 2 * padding - kernel) // stride``
(``//`` rounds down: windows that would stick out of the padded image are dropped).

Shapes (channels-first, as in PyTorch)::

    x    (N, C_in, H, W)        a batch of N images
    w    (C_out, C_in, KH, KW)  C_out filters
    b    (C_out,)               one bias per filter
    out  (N, C_out, H_out, W_out)

These are the "naive" versions: one Python loop per output axis and a vectorised
sum over each window. They are slow but map one-to-one onto the formulas; the
reference library's ``conv_forward`` computes the same with matrix products.
"""

import numpy as np

__all__ = ["conv_backward_naive", "conv_forward_naive"]


def _pair(value):
    """Return ``value`` as two ints: ``2`` -> ``(2, 2)``, ``(1, 2)`` -> ``(1, 2)``."""
    if isinstance(value, (tuple, list)):
        first, second = value
        return int(first), int(second)
    return int(value), int(value)


def conv_forward_naive(x, w, b, stride=1, padding=0):
    """Convolve a batch (N, C_in, H, W) with C_out filters (C_out, C_in, KH, KW).

    Parameters
    ----------
    x : ndarray of shape (N, C_in, H, W), float
        Input images.
    w : ndarray of shape (C_out, C_in, KH, KW), float
        Filters; ``KH`` and ``KW`` may differ (non-square kernels).
    b : ndarray of shape (C_out,), float
        One bias per filter.
    stride : int or pair of ints, optional
        Step between windows, ``(SH, SW)`` or one int for both (default 1).
    padding : int or pair of ints, optional
        Zeros added on both sides, ``(PH, PW)`` rows/columns or one int for
        both (default 0).

    Returns
    -------
    out : ndarray of shape (N, C_out, H_out, W_out), x's dtype
        ``H_out = 1 + (H + 2 * PH - KH) // SH`` and
        ``W_out = 1 + (W + 2 * PW - KW) // SW``.
    cache : tuple
        Whatever `conv_backward_naive` needs; the solution keeps
        ``(x, w, b, (SH, SW), (PH, PW))``. Do not modify ``x``: pad a copy.

    Notes
    -----
    With ``x_pad`` the input with ``PH`` zero rows above and below and ``PW``
    zero columns left and right (shape ``(N, C_in, H + 2 PH, W + 2 PW)``)::

        out[n, f, i, j] = b[f] + sum over c, u, v of
                          x_pad[n, c, SH*i + u, SW*j + v] * w[f, c, u, v]

    for ``c < C_in``, ``u < KH``, ``v < KW``. In code, the window of output
    pixel ``(i, j)`` is ``x_pad[n, :, SH*i : SH*i + KH, SW*j : SW*j + KW]``
    (shape ``(C_in, KH, KW)``, like ``w[f]``), so the triple sum is
    ``np.sum(window * w[f])``. (Strictly this is a cross-correlation: the
    filter is not flipped, as in every deep-learning library.)

    Examples
    --------
    One 3x3 image, one 2x2 filter, stride 1, no padding: the output is
    ``1 + (3 - 2) // 1 = 2`` pixels high and wide, and
    ``out[0, 0, i, j] = x[i, j] * 1 + x[i+1, j+1] * 2 + 0.5``; for example
    ``out[0, 0, 0, 0] = 1 + 2 * 5 + 0.5 = 11.5``.

    >>> x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)  # [[1, 2, 3], ..., [7, 8, 9]]
    >>> w = np.array([[[[1.0, 0.0], [0.0, 2.0]]]])
    >>> out, cache = conv_forward_naive(x, w, np.array([0.5]))
    >>> out
    array([[[[11.5, 14.5],
             [20.5, 23.5]]]])

    With ``padding=1, stride=2`` the same call gives ``1 + (3 + 2 - 2) // 2 = 2``
    pixels per axis, and the first window is the top-left corner of the padded
    image: ``out[0, 0, 0, 0] = 0 * 1 + 1 * 2 + 0.5 = 2.5``.
    """
    SH, SW = _pair(stride)
    PH, PW = _pair(padding)
    ### START CODE HERE ###
    # Hint: H_out and W_out: see Returns. Pad a NEW array with zeros (np.pad), then loop
    # Hint: over n, f, i, j: out[n, f, i, j] is b[f] plus the sum of window * w[f], with
    # Hint: the window of Notes (shape (C_in, KH, KW), like w[f]). Keep x's dtype.
    raise NotImplementedError(
        "week1.convolution.conv_forward_naive: not implemented yet"
    )
    ### END CODE HERE ###


def conv_backward_naive(dout, cache):
    """Backpropagate through `conv_forward_naive`: return (dx, dw, db).

    Parameters
    ----------
    dout : ndarray of shape (N, C_out, H_out, W_out)
        Upstream gradient, d loss / d out.
    cache : tuple
        The cache your `conv_forward_naive` returned.

    Returns
    -------
    dx : ndarray of shape (N, C_in, H, W)
        d loss / d x (x's shape: without the padding).
    dw : ndarray of shape (C_out, C_in, KH, KW)
        d loss / d w.
    db : ndarray of shape (C_out,)
        d loss / d b.

    Notes
    -----
    Every output pixel ``out[n, f, i, j]`` was ``b[f] + sum(window * w[f])``,
    so it sends its gradient ``dout[n, f, i, j]`` back along the same paths::

        db[f]          = sum over n, i, j of dout[n, f, i, j]
        dw[f, c, u, v] = sum over n, i, j of
                         dout[n, f, i, j] * x_pad[n, c, SH*i + u, SW*j + v]
        dx_pad[n, c, SH*i + u, SW*j + v] += dout[n, f, i, j] * w[f, c, u, v]
                         (accumulated over f, i, j: overlapping windows add up)

    and ``dx`` is ``dx_pad`` with the padding border cut off:
    ``dx = dx_pad[:, :, PH : PH + H, PW : PW + W]``. All three sums run over
    the whole batch: the same weights served every image.

    Examples
    --------
    For the example of `conv_forward_naive` (x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
    w = [[1, 0], [0, 2]], b = [0.5]) and ``dout`` all ones: ``db = [4]`` (four
    output pixels); ``dw[0, 0, u, v]`` sums the four windows' entries at
    ``(u, v)``, e.g. ``dw[0, 0, 0, 0] = 1 + 2 + 4 + 5 = 12``; and ``dx`` counts,
    for each input pixel, the filter weights that touched it: the centre pixel
    is in all four windows, ``dx[0, 0, 1, 1] = 1 + 0 + 0 + 2 = 3``.

    >>> x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    >>> w = np.array([[[[1.0, 0.0], [0.0, 2.0]]]])
    >>> out, cache = conv_forward_naive(x, w, np.array([0.5]))
    >>> dx, dw, db = conv_backward_naive(np.ones((1, 1, 2, 2)), cache)
    >>> dx[0, 0]
    array([[1., 1., 0.],
           [1., 3., 2.],
           [0., 2., 2.]])
    >>> dw[0, 0], db
    (array([[12., 16.],
           [24., 28.]]), array([4.]))
    """
    ### START CODE HERE ###
    # Hint: pad x again as the forward did; db sums dout over the batch AND both spatial
    # Hint: axes. In the forward's loops dout[n, f, i, j] times the window adds to
    # Hint: dw[f], and times w[f] to that window of dx_pad (Notes); cut the padding off.
    raise NotImplementedError(
        "week1.convolution.conv_backward_naive: not implemented yet"
    )
    ### END CODE HERE ###
