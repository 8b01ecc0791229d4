"""U-Net's decoder by hand: nearest upsampling's gradient and one decoder level.

The U-Net of week 3 first shrinks the image (the encoder: convolutions and 2x
max pooling), then grows it back (the decoder). Each decoder level

1. upsamples the coarser maps ``x`` by 2 with nearest neighbours (every cell
   becomes a 2x2 block of copies),
2. concatenates the encoder's maps of the same size, the *skip connection*,
   AFTER the upsampled maps along channels: ``[up(x), skip]``,
3. runs two 3x3 convolutions (padding 1, with bias), each followed by ReLU.

The skip connection brings back the fine detail the pooling threw away; its
gradient ``dskip`` flows back to the encoder directly.

The kernels come from the reference library (`reference.ops`:
``conv_forward``, ``relu_forward`` and their backwards); you write the
upsampling's backward, the wiring and the split of the concatenation's
gradient. Arrays are (N, C, H, W) as everywhere in the course (the same code
works for 3D volumes).
"""

import numpy as np

from reference.ops import (
    conv_backward,
    conv_forward,
    relu_backward,
    relu_forward,
    upsample_forward,
)

__all__ = [
    "decoder_level_backward",
    "decoder_level_forward",
    "nearest_upsample_backward",
]


def nearest_upsample_backward(dout, scale=2):
    """Gradient of nearest-neighbour upsampling: sum ``dout`` over each block.

    Parameters
    ----------
    dout : ndarray of shape (N, C, H * s, W * s), float
        d loss / d out for ``out = upsample(x, scale)``; any number of spatial
        axes (1, 2 or 3).
    scale : int or tuple of ints, optional
        The upsampling factor ``s`` (default 2), one int for every spatial
        axis or one per axis.

    Returns
    -------
    dx : ndarray of shape (N, C, H, W), dout's dtype

    Notes
    -----
    The forward copied ``x[n, c, i, j]`` into the block
    ``out[n, c, s*i : s*i + s, s*j : s*j + s]``, so that cell collects the
    block's gradient::

        dx[n, c, i, j] = sum over u < s, v < s of dout[n, c, s*i + u, s*j + v]

    A reshape does it without loops: split each spatial axis of length
    ``H * s`` into two axes ``(H, s)`` and sum over the ``s`` axes.

    Examples
    --------
    >>> nearest_upsample_backward(np.arange(16.0).reshape(1, 1, 4, 4))
    array([[[[10., 18.],
             [42., 50.]]]])
    """
    ### START CODE HERE ###
    # Hint: turn scale into one int per spatial axis (dout.ndim - 2 of them). Notes: one
    # Hint: reshape splits every spatial axis of length n * s into two axes (n, s); then
    # Hint: sum over the s axes (sum, not average).
    raise NotImplementedError(
        "week3.unet_blocks.nearest_upsample_backward: not implemented yet"
    )
    ### END CODE HERE ###


def decoder_level_forward(x, skip, w1, b1, w2, b2):
    """One U-Net decoder level: upsample x by 2, join the skip, two conv-ReLU steps.

    Parameters
    ----------
    x : ndarray of shape (N, C_x, h, w), float
        The coarser level's output.
    skip : ndarray of shape (N, C_s, 2h, 2w)
        The encoder's maps at this level (the skip connection).
    w1 : ndarray of shape (C_mid, C_x + C_s, 3, 3)
        First conv's filters; its input channels are ``[up(x), skip]`` in
        that order.
    b1 : ndarray of shape (C_mid,)
    w2 : ndarray of shape (C_out, C_mid, 3, 3)
    b2 : ndarray of shape (C_out,)

    Returns
    -------
    out : ndarray of shape (N, C_out, 2h, 2w), x's dtype
    cache : tuple
        Whatever `decoder_level_backward` needs.

    Notes
    -----
    ::

        up     = upsample(x, 2)                        (N, C_x, 2h, 2w)
        joined = concat(up, skip) along axis 1         (N, C_x + C_s, 2h, 2w)
        h      = relu(conv(joined, w1, b1, padding=1))
        out    = relu(conv(h, w2, b2, padding=1))

    with ``reference.ops.upsample_forward``, ``conv_forward`` and
    ``relu_forward``. The order of the concatenation matters: ``w1[:, :C_x]``
    looks at the upsampled maps, ``w1[:, C_x:]`` at the skip (as in
    ``reference.nn.UNet``).

    Examples
    --------
    ``x`` (2, 4, 2, 2) and ``skip`` (2, 2, 4, 4) with ``w1`` (3, 6, 3, 3) and
    ``w2`` (3, 3, 3, 3) give ``out`` of shape (2, 3, 4, 4), all >= 0.
    """
    ### START CODE HERE ###
    # Hint: follow Notes: upsample x by 2, join it with the skip along the channels
    # Hint: (upsampled maps FIRST), then conv (padding 1) and ReLU twice, with the
    # Hint: biases. Keep the kernels' caches and x's channel count C_x in your cache.
    raise NotImplementedError(
        "week3.unet_blocks.decoder_level_forward: not implemented yet"
    )
    ### END CODE HERE ###


def decoder_level_backward(dout, cache):
    """Backpropagate through `decoder_level_forward`.

    Parameters
    ----------
    dout : ndarray of shape (N, C_out, 2h, 2w)
    cache : tuple
        The cache your `decoder_level_forward` returned.

    Returns
    -------
    grads : tuple of 6 ndarrays
        ``(dx, dskip, dw1, db1, dw2, db2)``, each with the shape of the
        matching forward argument.

    Notes
    -----
    Reverse the forward: ``relu_backward``, ``conv_backward`` (returns
    ``(dh, dw2, db2)``), ``relu_backward``, ``conv_backward`` (``djoined,
    dw1, db1``). Then split ``djoined`` where the forward joined:
    ``djoined[:, :C_x]`` is the upsampled maps' gradient, ``djoined[:, C_x:]``
    is ``dskip``. Finally ``dx = nearest_upsample_backward(dup, 2)``.

    Examples
    --------
    ``dx`` has a quarter of the upsampled gradient's pixels: each entry sums
    a 2x2 block of ``djoined[:, :C_x]``.
    """
    ### START CODE HERE ###
    # Hint: undo the forward in reverse (relu, conv, relu, conv), then split djoined at
    # Hint: C_x: the first C_x channels belong to the upsampled x, the rest is dskip;
    # Hint: each cell of dx collects its 2x2 block (nearest_upsample_backward).
    raise NotImplementedError(
        "week3.unet_blocks.decoder_level_backward: not implemented yet"
    )
    ### END CODE HERE ###
