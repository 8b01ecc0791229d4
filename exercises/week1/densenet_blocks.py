"""DenseNet's building blocks by hand: dense layer, transition, dense block, Grad-CAM.

DenseNet-121 (the chest X-ray classifier of week 1) is a stack of *dense
blocks*. Inside a block every *dense layer* reads ALL the feature maps made so
far and adds ``growth_rate`` new ones::

    new = conv2(relu(bn2(conv1(relu(bn1(x))))))      # torchvision's order
    out = concat(x, new) along channels               # (N, C + growth_rate, H, W)

``conv1`` is a 1x1 "bottleneck" convolution, ``conv2`` a 3x3 convolution with
padding 1; neither has a bias (the batch norm after it has a shift). Between
two blocks a *transition* halves the channels and the image size:
batch norm, ReLU, 1x1 convolution, 2x2 average pooling.

Here you write the wiring; the kernels come from the reference library
(`reference.ops`: ``batchnorm_forward``, ``relu_forward``, ``conv_forward``,
``avg_pool_forward`` and their backwards, each returning ``(out, cache)`` /
taking ``(dout, cache)``). Batch norm runs in training mode (batch statistics).
The backward of a concatenation is a split: the first ``C`` channels of
``dout`` belong to ``x``, the rest to the new maps. Because ``x`` fed both the
concatenation and the layer's path, its two gradients ADD.

Finally `gradcam_map` turns a layer's activations and their gradients into the
heat maps that show where the network looked (Selvaraju et al. 2017).
"""

import numpy as np

from reference.ops import (
    avg_pool_backward,
    avg_pool_forward,
    batchnorm_backward,
    batchnorm_forward,
    conv_backward,
    conv_forward,
    relu_backward,
    relu_forward,
)

__all__ = [
    "dense_block_forward",
    "dense_layer_backward",
    "dense_layer_forward",
    "gradcam_map",
    "transition_backward",
    "transition_forward",
]


def dense_layer_forward(
    x, norm1_gamma, norm1_beta, conv1_w, norm2_gamma, norm2_beta, conv2_w
):
    """One dense layer: BN-ReLU-1x1 conv-BN-ReLU-3x3 conv, then concat with x.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W), float
        The feature maps the layer reads (everything made so far in the block).
    norm1_gamma, norm1_beta : ndarray of shape (C,)
        Scale and shift of the first batch norm.
    conv1_w : ndarray of shape (M, C, 1, 1)
        The 1x1 bottleneck filters (``M = bn_size * growth_rate``), no bias.
    norm2_gamma, norm2_beta : ndarray of shape (M,)
        Scale and shift of the second batch norm.
    conv2_w : ndarray of shape (G, M, 3, 3)
        The 3x3 filters making ``G = growth_rate`` new maps (padding 1), no bias.

    Returns
    -------
    out : ndarray of shape (N, C + G, H, W), x's dtype
        ``out[:, :C]`` is ``x`` and ``out[:, C:]`` the new maps.
    cache : tuple
        Whatever `dense_layer_backward` needs; the solution keeps the six
        kernel caches and ``C``.

    Notes
    -----
    With every batch norm in training mode (``reference.ops.batchnorm_forward``
    with its defaults)::

        h1  = relu(bn(x, norm1_gamma, norm1_beta))
        h2  = relu(bn(conv(h1, conv1_w), norm2_gamma, norm2_beta))
        new = conv(h2, conv2_w, padding=1)
        out = concat(x, new) along axis 1

    ``conv`` is ``reference.ops.conv_forward`` with ``b=None``.

    Examples
    --------
    With ``x`` of shape (2, 4, 5, 5), ``conv1_w`` (8, 4, 1, 1) and ``conv2_w``
    (2, 8, 3, 3) the output has shape (2, 6, 5, 5) and ``out[:, :4]`` equals
    ``x`` exactly:

    >>> out, cache = dense_layer_forward(x, g1, b1, w1, g2, b2, w2)  # doctest: +SKIP
    >>> out.shape, np.array_equal(out[:, :4], x)                    # doctest: +SKIP
    ((2, 6, 5, 5), True)
    """
    ### START CODE HERE ###
    # Hint: chain the kernels of Notes, keeping each cache (each returns (out, cache));
    # Hint: the 3x3 conv uses padding 1. Concatenate along the channels with x FIRST,
    # Hint: and keep x's channel count in the cache: the backward splits dout there.
    raise NotImplementedError(
        "week1.densenet_blocks.dense_layer_forward: not implemented yet"
    )
    ### END CODE HERE ###


def dense_layer_backward(dout, cache):
    """Backpropagate through `dense_layer_forward`.

    Parameters
    ----------
    dout : ndarray of shape (N, C + G, H, W)
        d loss / d out.
    cache : tuple
        The cache your `dense_layer_forward` returned.

    Returns
    -------
    grads : tuple of 7 ndarrays
        ``(dx, dnorm1_gamma, dnorm1_beta, dconv1_w, dnorm2_gamma, dnorm2_beta,
        dconv2_w)``, each with the shape of the matching forward argument.

    Notes
    -----
    Split ``dout`` where the forward joined: ``dout[:, :C]`` is the gradient of
    the copy of ``x``, ``dnew = dout[:, C:]`` that of the new maps. Send
    ``dnew`` back through conv2, ReLU, BN2, conv1, ReLU, BN1 (the reverse
    order, each backward with its own cache). ``x`` was used twice, so::

        dx = dout[:, :C] + (gradient that reached x through the path)

    Examples
    --------
    If ``dout[:, C:]`` is all zeros, no gradient flows through the path:
    ``dx`` equals ``dout[:, :C]`` and every parameter gradient is zero.
    """
    ### START CODE HERE ###
    # Hint: split dout at C (x's channels): the first part is the copy of x, the rest
    # Hint: goes back through conv2, relu2, bn2, conv1, relu1, bn1. x fed the concat AND
    # Hint: the path, so its two gradients add (Notes). conv_backward's db is None here.
    raise NotImplementedError(
        "week1.densenet_blocks.dense_layer_backward: not implemented yet"
    )
    ### END CODE HERE ###


def transition_forward(x, gamma, beta, w):
    """Run a transition between dense blocks: BN-ReLU-1x1 conv-2x2 average pool.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W), float
    gamma, beta : ndarray of shape (C,)
        The batch norm's scale and shift (training mode: batch statistics).
    w : ndarray of shape (C_out, C, 1, 1)
        The 1x1 filters (no bias); DenseNet uses ``C_out = C // 2``.

    Returns
    -------
    out : ndarray of shape (N, C_out, H // 2, W // 2), x's dtype
    cache : tuple
        Whatever `transition_backward` needs.

    Notes
    -----
    ``out = avg_pool(conv(relu(bn(x, gamma, beta)), w), kernel=2)`` with
    ``reference.ops.avg_pool_forward(h, 2)`` (stride 2: an odd last row or
    column is dropped).

    Examples
    --------
    ``x`` of shape (2, 4, 6, 6) and ``w`` of shape (2, 4, 1, 1) give ``out`` of
    shape (2, 2, 3, 3); each output pixel is the mean of a 2x2 block of the
    convolved maps.
    """
    ### START CODE HERE ###
    # Hint: BN, ReLU, 1x1 conv (no bias), 2x2 average pool, as in Notes; keep the four
    # Hint: caches.
    raise NotImplementedError(
        "week1.densenet_blocks.transition_forward: not implemented yet"
    )
    ### END CODE HERE ###


def transition_backward(dout, cache):
    """Backpropagate through `transition_forward`: return (dx, dgamma, dbeta, dw).

    Parameters
    ----------
    dout : ndarray of shape (N, C_out, H // 2, W // 2)
    cache : tuple
        The cache your `transition_forward` returned.

    Returns
    -------
    dx : ndarray of shape (N, C, H, W)
    dgamma, dbeta : ndarray of shape (C,)
    dw : ndarray of shape (C_out, C, 1, 1)

    Notes
    -----
    The forward's four steps in reverse: ``avg_pool_backward``,
    ``conv_backward`` (its ``db`` is None), ``relu_backward``,
    ``batchnorm_backward``.

    Examples
    --------
    For an even-sized ``x`` every cell of a 2x2 block receives a quarter of its
    output pixel's gradient before the convolution's backward.
    """
    ### START CODE HERE ###
    # Hint: unpack the four caches and call the backwards in reverse order.
    raise NotImplementedError(
        "week1.densenet_blocks.transition_backward: not implemented yet"
    )
    ### END CODE HERE ###


def dense_block_forward(x, layers_params):
    """Run a dense block: dense layers in turn, each appending its maps to the state.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W), float
    layers_params : list of tuples
        One tuple per dense layer, ``(norm1_gamma, norm1_beta, conv1_w,
        norm2_gamma, norm2_beta, conv2_w)`` in `dense_layer_forward`'s order.
        Layer ``l`` (from 0) reads ``C + l * G`` channels.

    Returns
    -------
    out : ndarray of shape (N, C + L * G, H, W), x's dtype
        ``L = len(layers_params)``; ``out[:, :C]`` is ``x``, then each
        layer's ``G`` new maps in order.
    cache : list
        The layers' caches.

    Notes
    -----
    ``f_0 = x`` and ``f_l = dense_layer_forward(f_{l-1}, *layers_params[l-1])``:
    every layer sees the maps of all the layers before it.

    Examples
    --------
    DenseNet-121's first block has 6 layers with ``G = 32`` on 64 input maps:
    it returns ``64 + 6 * 32 = 256`` maps.
    """
    ### START CODE HERE ###
    # Hint: each layer's output is the next layer's input (Notes); collect the caches in
    # Hint: a list. With no layers, out is x itself.
    raise NotImplementedError(
        "week1.densenet_blocks.dense_block_forward: not implemented yet"
    )
    ### END CODE HERE ###


def _bilinear_resize(maps, size):
    """Resize (N, h, w) to (N, *size): linear interpolation, pixel centres aligned.

    Given (not graded): `gradcam_map` calls it.

    Output pixel ``o`` of an axis samples the input at ``(o + 0.5) * n_in /
    n_out - 0.5``, clamped to ``[0, n_in - 1]`` (PyTorch's
    ``align_corners=False``); the two neighbouring pixels are mixed linearly.
    """
    out = maps
    for axis, (n_in, n_out) in enumerate(zip(maps.shape[1:], size, strict=True), 1):
        # where each output pixel samples the input along this axis
        src = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        lo = np.floor(src).astype(int)
        hi = np.minimum(lo + 1, n_in - 1)
        shape = [1] * out.ndim
        shape[axis] = n_out
        frac = (src - lo).reshape(shape).astype(out.dtype)
        below, above = np.take(out, lo, axis=axis), np.take(out, hi, axis=axis)
        out = (1 - frac) * below + frac * above
    return out


def gradcam_map(activations, dactivations, size=None):
    """Grad-CAM heat maps in [0, 1] from a layer's activations and their gradients.

    Parameters
    ----------
    activations : ndarray of shape (N, C, h, w), float
        ``A``: the chosen layer's feature maps (DenseNet: the output of norm5).
    dactivations : ndarray of shape (N, C, h, w)
        ``dA = d y_class / d A``: the gradient of the class score.
    size : tuple (H, W), optional
        Output size (the input image's); default ``None`` keeps ``(h, w)``.

    Returns
    -------
    cam : ndarray of shape (N, H, W), activations' dtype
        One map per image, scaled so its maximum is 1; a map whose weighted
        sum is nowhere positive is all zeros.

    Notes
    -----
    1. Channel weights: ``alpha[n, c] = mean over i, j of dA[n, c, i, j]``.
    2. ``cam[n, i, j] = max(0, sum over c of alpha[n, c] * A[n, c, i, j])``.
    3. Bilinear resize of each map to ``size`` with pixel centres aligned
       (PyTorch's ``align_corners=False``): along each axis output pixel ``o``
       samples the input at ``s = (o + 0.5) * h / H - 0.5`` clipped to
       ``[0, h - 1]``, i.e. ``(1 - t) * m[floor(s)] + t * m[floor(s) + 1]`` with
       ``t = s - floor(s)`` (the upper index capped at ``h - 1``). Resize rows
       and columns one after the other. The given helper
       ``_bilinear_resize(cams, size)`` does this for a stack (N, h, w) of maps.
    4. ``cam[n] /= max(cam[n])`` where that maximum is positive; else zeros.

    Examples
    --------
    Two channels, the gradient +1 everywhere on the first and -1 on the second,
    so ``alpha = (1, -1)``: the map is ``A[0] - A[1]`` clipped at 0, then
    scaled to a maximum of 1.

    >>> a = np.zeros((1, 2, 2, 2)); a[0, 0, 0, 0] = 2.0; a[0, 1, 1, 1] = 1.0
    >>> da = np.stack([np.ones((2, 2)), -np.ones((2, 2))])[None]
    >>> gradcam_map(a, da)[0]
    array([[1., 0.],
           [0., 0.]])
    """
    ### START CODE HERE ###
    # Hint: follow Notes: alpha is the spatial mean of the gradient per image and
    # Hint: channel; the map is the ReLU of the alpha-weighted sum over channels; resize
    # Hint: (_bilinear_resize); divide each map by its maximum where that is > 0.
    raise NotImplementedError("week1.densenet_blocks.gradcam_map: not implemented yet")
    ### END CODE HERE ###
