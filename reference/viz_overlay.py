"""Blend a heat map (such as Grad-CAM's) over a grey image and write it as PNG.

Public names: `overlay_heatmap`, `save_overlay_png`.
"""

from __future__ import annotations

import numpy as np

from reference._validation import check_ndim, check_same_shape, fail

__all__ = ["overlay_heatmap", "save_overlay_png"]


def overlay_heatmap(image, heatmap, *, alpha=0.4, cmap="jet") -> np.ndarray:
    """Colour ``heatmap`` with ``cmap`` and blend it over the grey ``image``.

    Parameters
    ----------
    image : ndarray of shape (H, W)
        Grey image, any range (min-max scaled to [0, 1] here).
    heatmap : ndarray of shape (H, W)
        Values in [0, 1] (`reference.gradcam.gradcam` output).
    alpha : float, optional
        Weight of the coloured heat map (default 0.4).
    cmap : str, optional
        A matplotlib colormap name (default "jet").

    Returns
    -------
    rgb : ndarray of shape (H, W, 3), float64 in [0, 1]
        ``(1 - alpha) * grey + alpha * cmap(heatmap)``.

    Examples
    --------
    >>> import numpy as np
    >>> rgb = overlay_heatmap(np.zeros((2, 2)), np.ones((2, 2)), alpha=1.0, cmap="gray")
    >>> rgb.shape, float(rgb.min())
    ((2, 2, 3), 1.0)
    """
    import matplotlib

    image, heatmap = np.asarray(image, float), np.asarray(heatmap, float)
    check_ndim(image, 2, "image", "overlay_heatmap", "(H, W)")
    check_same_shape(image, heatmap, ("image", "heatmap"), "overlay_heatmap")
    if not 0.0 <= alpha <= 1.0:
        fail("overlay_heatmap", "alpha in [0, 1]", repr(alpha))
    # scale the image to [0, 1] and repeat it over RGB
    span = image.max() - image.min()
    grey = (image - image.min()) / span if span > 0 else np.zeros_like(image)
    colours = matplotlib.colormaps[cmap](np.clip(heatmap, 0.0, 1.0))[
        ..., :3
    ]  # (H, W, 3)
    return (1.0 - alpha) * grey[..., None] + alpha * colours


def save_overlay_png(path, image, heatmap, *, alpha=0.4, cmap="jet") -> None:
    """Write `overlay_heatmap`'s blend to ``path`` as an RGB PNG.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "cam.png")
    >>> save_overlay_png(path, np.eye(4), np.eye(4))
    >>> os.path.getsize(path) > 0
    True
    """
    import matplotlib.image

    matplotlib.image.imsave(
        path, overlay_heatmap(image, heatmap, alpha=alpha, cmap=cmap)
    )
