"""2D max pooling from scratch: keep the largest value of each window.

Max pooling shrinks an image channel by channel: it slides a ``KH x KW`` window
with a step of ``stride`` and keeps the maximum of each window. It has no
weights; it makes the network cheaper and a little tolerant to small shifts.

DenseNet-121 pools right after its first convolution with a 3x3 window, stride 2
and padding 1, which halves the height and width (a 224 x 224 image becomes
112 x 112 after the stem convolution, then 56 x 56 after this pool).

Padding for max pooling is not zero padding: a padded cell must never win, so
it counts as minus infinity. Per spatial axis the output size is, as for
convolution, ``1 + (size + 2 * padding - kernel) // stride``.

Shapes: ``x`` is ``(N, C, H, W)``; ``out`` is ``(N, C, H_out, W_out)`` (the
channels are pooled separately, so ``C`` does not change).
"""

import numpy as np

__all__ = ["max_pool_backward", "max_pool_forward"]


def _pair(value):
    """Return ``value`` as two ints: ``2`` -> ``(2, 2)``, ``(1, 2)`` -> ``(1, 2)``."""
    if isinstance(value, (tuple, list)):
        first, second = value
        return int(first), int(second)
    return int(value), int(value)


def max_pool_forward(x, kernel, stride=None, padding=0):
    """Take the maximum of each window of (N, C, H, W), giving (N, C, H_out, W_out).

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W), float
        Input feature maps.
    kernel : int or pair of ints
        Window size ``(KH, KW)``, or one int for both.
    stride : int or pair of ints, optional
        Step between windows ``(SH, SW)``; by default the kernel size
        (windows side by side, no overlap).
    padding : int or pair of ints, optional
        Cells added on both sides, ``(PH, PW)`` (default 0); at most half the
        kernel, so every window holds at least one real cell. Padded cells
        count as ``-inf``: they never win.

    Returns
    -------
    out : ndarray of shape (N, C, H_out, W_out), x's dtype
        ``H_out = 1 + (H + 2 * PH - KH) // SH`` and
        ``W_out = 1 + (W + 2 * PW - KW) // SW``.
    cache : tuple
        Whatever `max_pool_backward` needs; the solution keeps
        ``(x, (KH, KW), (SH, SW), (PH, PW))``. Do not modify ``x``.

    Notes
    -----
    With ``x_pad`` the input padded with ``-inf`` (``PH`` rows above and below,
    ``PW`` columns left and right)::

        out[n, c, i, j] = max over u < KH, v < KW of x_pad[n, c, SH*i + u, SW*j + v]

    In code the window of ``out[n, c, i, j]`` is
    ``x_pad[n, c, SH*i : SH*i + KH, SW*j : SW*j + KW]``.

    Examples
    --------
    A 2 x 4 image with 2 x 2 windows (stride 2 by default) gives 1 x 2 maxima:
    ``max(1, 2, 3, 4) = 4`` and ``max(5, 0, 1, 2) = 5``. DenseNet's stem pool
    (kernel 3, stride 2, padding 1) gives ``1 + (2 + 2 - 3) // 2 = 1`` row and
    ``1 + (4 + 2 - 3) // 2 = 2`` columns; its windows cover columns -1..1 and
    1..3 of the original image, so the maxima are again 4 and 5.

    >>> x = np.array([[[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 1.0, 2.0]]]])
    >>> out, cache = max_pool_forward(x, kernel=2)
    >>> out
    array([[[[4., 5.]]]])
    >>> max_pool_forward(x, kernel=3, stride=2, padding=1)[0]
    array([[[[4., 5.]]]])
    """
    KH, KW = _pair(kernel)
    SH, SW = (KH, KW) if stride is None else _pair(stride)
    PH, PW = _pair(padding)
    ### BEGIN SOLUTION
    # Hint: H_out and W_out: see Returns. Pad a NEW array with -inf (np.pad's constant
    # Hint: value) so a padded cell never wins; loop over n, c, i, j and take the
    # Hint: maximum of the window of Notes. Keep x's dtype.
    N, C, H, W = x.shape
    H_out = 1 + (H + 2 * PH - KH) // SH
    W_out = 1 + (W + 2 * PW - KW) // SW

    # pad a copy with -inf: a padded cell can never be the maximum
    x_pad = np.pad(x, ((0, 0), (0, 0), (PH, PH), (PW, PW)), constant_values=-np.inf)

    # slide the window: one loop per output axis, a vectorised max per window
    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x_pad[n, c, SH * i : SH * i + KH, SW * j : SW * j + KW]
                    out[n, c, i, j] = np.max(window)

    cache = (x, (KH, KW), (SH, SW), (PH, PW))
    return out, cache
    ### END SOLUTION


def max_pool_backward(dout, cache):
    """Backpropagate through `max_pool_forward`: each window's max gets the gradient.

    Parameters
    ----------
    dout : ndarray of shape (N, C, H_out, W_out)
        Upstream gradient, d loss / d out.
    cache : tuple
        The cache your `max_pool_forward` returned.

    Returns
    -------
    dx : ndarray of shape (N, C, H, W)
        d loss / d x.

    Notes
    -----
    Only the winner of a window influenced the output, so only it gets the
    gradient. With ``(u*, v*)`` the position of the maximum inside the window of
    ``out[n, c, i, j]``::

        dx_pad[n, c, SH*i + u*, SW*j + v*] += dout[n, c, i, j]

    accumulated over all windows (with stride < kernel, windows overlap and one
    cell can win several times). Then ``dx`` is ``dx_pad`` without the padding.

    Ties: when several cells of a window share the maximum, only the FIRST one in
    row-major order (row by row, left to right) gets the gradient, which is what
    ``np.argmax(window)`` returns (``np.unravel_index`` turns that flat index
    into ``(u*, v*)``). Giving it to every tied cell would count it twice.

    Examples
    --------
    >>> x = np.array([[[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 1.0, 2.0]]]])
    >>> out, cache = max_pool_forward(x, kernel=2)
    >>> max_pool_backward(np.array([[[[10.0, 20.0]]]]), cache)
    array([[[[ 0.,  0., 20.,  0.],
             [ 0., 10.,  0.,  0.]]]])

    With a tie (``x = [[7, 7], [1, 7]]``, one 2 x 2 window) only the first 7
    receives the gradient: ``dx = [[g, 0], [0, 0]]``.
    """
    ### BEGIN SOLUTION
    # Hint: pad x again with -inf. In the forward's loops only the FIRST maximum of a
    # Hint: window (np.argmax gives its flat index, np.unravel_index its row and column)
    # Hint: receives dout[n, c, i, j]; overlaps add up. Cut the padding off.
    x, (KH, KW), (SH, SW), (PH, PW) = cache
    N, C, H_out, W_out = dout.shape
    H, W = x.shape[2:]
    x_pad = np.pad(x, ((0, 0), (0, 0), (PH, PH), (PW, PW)), constant_values=-np.inf)

    # route each output's gradient to the first maximum of its window
    dx_pad = np.zeros_like(x_pad)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x_pad[n, c, SH * i : SH * i + KH, SW * j : SW * j + KW]
                    u, v = np.unravel_index(np.argmax(window), window.shape)
                    dx_pad[n, c, SH * i + u, SW * j + v] += dout[n, c, i, j]

    # the padding was not part of x: drop its (zero) gradient
    return dx_pad[:, :, PH : PH + H, PW : PW + W]
    ### END SOLUTION
