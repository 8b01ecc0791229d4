"""Grad-CAM heat maps (Selvaraju et al. 2017) for classifiers such as DenseNet.

Public names: `gradcam_map`, `gradcam`.

Activations: the output of the model's ``features`` (for `DenseNet`, the last
batch norm ``norm5``, before the final ReLU; this is the layer the course's
Keras DenseNet-121 calls ``"bn"``). The channel weights are the spatial means
of the gradient of the chosen class logit with respect to those activations.

References
----------
.. [1] R. R. Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks
   via Gradient-based Localization", ICCV 2017.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from reference._validation import check_ndim, check_same_shape, fail

__all__ = ["gradcam", "gradcam_map"]


def _resize_bilinear(cam, size) -> np.ndarray:
    """Resize (h, w) to ``size`` with linear interpolation, pixel centres aligned."""
    zoom = [s / c for s, c in zip(size, cam.shape, strict=True)]
    out = ndimage.zoom(cam, zoom, order=1, mode="nearest", grid_mode=True)
    return out[tuple(slice(0, s) for s in size)]


def gradcam_map(activations, dactivations, size=None) -> np.ndarray:
    """Combine activations and their gradients into heat maps in [0, 1].

    Parameters
    ----------
    activations : ndarray of shape (N, C, h, w)
        A_c: feature maps of the chosen layer (3D (N, C, d, h, w) also works).
    dactivations : ndarray of shape (N, C, h, w)
        d y_class / d A_c.
    size : tuple of int, optional
        Output spatial size (the input image's); default: keep (h, w).

    Returns
    -------
    cam : ndarray of shape (N, *size)
        The heat maps, each scaled so its maximum is 1 (all zeros if the
        weighted sum is nowhere positive).

    Notes
    -----
    ``alpha[n, c] = mean over i, j of dactivations[n, c, i, j]``;
    ``cam[n, i, j] = max(0, sum over c of alpha[n, c] * activations[n, c, i, j])``;
    then bilinear resize to ``size`` and ``cam[n] /= max(cam[n])``.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((1, 2, 2, 2)); a[0, 0, 0, 0] = 2.0; a[0, 1, 1, 1] = 1.0
    >>> da = np.stack([np.ones((2, 2)), -np.ones((2, 2))])[None]
    >>> gradcam_map(a, da)[0]
    array([[1., 0.],
           [0., 0.]])
    """
    activations, dactivations = np.asarray(activations), np.asarray(dactivations)
    check_ndim(activations, (3, 4, 5), "activations", "gradcam_map", "(N, C, *S)")
    check_same_shape(
        activations, dactivations, ("activations", "dactivations"), "gradcam_map"
    )
    spatial_axes = tuple(range(2, activations.ndim))
    # channel weights: spatial mean of the gradient
    alpha = dactivations.mean(axis=spatial_axes, keepdims=True)  # (N, C, 1, 1)
    # weighted sum over channels, then ReLU
    cams = np.maximum((alpha * activations).sum(axis=1), 0.0)  # (N, *S)
    if size is not None:
        size = tuple(int(s) for s in size)
        if len(size) != len(spatial_axes):
            fail("gradcam_map", f"size with {len(spatial_axes)} entries", repr(size))
        cams = np.stack([_resize_bilinear(cam, size) for cam in cams])
    # scale each map to [0, 1]
    peak = cams.max(axis=tuple(range(1, cams.ndim)), keepdims=True)
    return np.divide(cams, peak, out=np.zeros_like(cams), where=peak > 0)


def gradcam(model, x, class_index) -> np.ndarray:
    """Grad-CAM heat maps of ``model`` for class ``class_index``, at the input's size.

    The model must provide ``features`` (a Module), ``forward_head(features)``
    -> logits and ``backward_head(dlogits)`` -> d features, as `DenseNet` does.
    Call ``model.eval()`` first so batch norm uses its running statistics.
    Leaves the model's parameter gradients untouched (only the head's are
    overwritten).

    Parameters
    ----------
    model : DenseNet or compatible
    x : ndarray of shape (N, C_in, H, W)
        Images, in the model's dtype.
    class_index : int
        Which logit (finding) to explain.

    Returns
    -------
    cam : ndarray of shape (N, H, W)
        Heat maps in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from reference.nn import DenseNet
    >>> net = DenseNet((2, 2), 4, 8, 2, num_classes=3, in_channels=1, rng=0).eval()
    >>> gradcam(net, np.ones((1, 1, 32, 32), np.float32), class_index=2).shape
    (1, 32, 32)
    """
    for method in ("forward_head", "backward_head", "features"):
        if not hasattr(model, method):
            fail(
                "gradcam",
                f"a model with {method!r} (as DenseNet)",
                type(model).__name__,
                kind=TypeError,
            )
    activations = model.features.forward(x)
    logits = model.forward_head(activations)
    if not 0 <= class_index < logits.shape[1]:
        fail("gradcam", f"class_index in [0, {logits.shape[1]})", repr(class_index))
    # gradient of the chosen logit (summed over the batch; samples are independent)
    dlogits = np.zeros_like(logits)
    dlogits[:, class_index] = 1.0
    dactivations = model.backward_head(dlogits)
    return gradcam_map(activations, dactivations, size=x.shape[2:])
