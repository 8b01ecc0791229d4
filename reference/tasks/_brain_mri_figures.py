"""Pictures for `reference.tasks.brain_mri`: coloured label overlays and panel rows.

Public names: `CLASS_COLOURS`, `label_overlay`, `save_panels`.

Figures are drawn on a bare `matplotlib.figure.Figure` (no pyplot), so saving a
PNG never switches the backend of a learner's interactive session.
"""

from __future__ import annotations

import numpy as np

from reference._validation import check_ndim, fail

__all__ = ["CLASS_COLOURS", "label_overlay", "save_panels"]

# edema red, non-enhancing tumour green, enhancing tumour blue
CLASS_COLOURS = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


def label_overlay(grey, masks=None, alpha=0.5) -> np.ndarray:
    """Blend masks over a grey slice: edema red, non-enhancing green, enhancing blue.

    Parameters
    ----------
    grey : ndarray (H, W)
        Any range (min-max scaled to [0, 1]).
    masks : ndarray (K, H, W) with K <= 3, 0/1, optional
        Class masks; where mask c is on, the pixel becomes
        ``(1 - alpha) * grey + alpha * CLASS_COLOURS[c]`` (later classes on top).
    alpha : float in [0, 1]
        Opacity of the colours.

    Returns
    -------
    rgb : float64 ndarray (H, W, 3) in [0, 1]

    Examples
    --------
    >>> masks = np.stack([np.eye(2), 0 * np.eye(2), 0 * np.eye(2)])
    >>> rgb = label_overlay(np.zeros((2, 2)), masks, alpha=1.0)
    >>> rgb[0, 0].tolist(), rgb[0, 1].tolist()
    ([1.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    """
    grey = np.asarray(grey, np.float64)
    check_ndim(grey, 2, "grey", "label_overlay", "(H, W)")
    masks = np.zeros((0, *grey.shape)) if masks is None else np.asarray(masks)
    if masks.ndim != 3 or masks.shape[1:] != grey.shape or len(masks) > 3:
        fail(
            "label_overlay",
            f"masks of shape (K <= 3, {grey.shape[0]}, {grey.shape[1]})",
            f"shape {masks.shape}",
        )
    # grey scaled to [0, 1] on the three colour channels
    span = grey.max() - grey.min()
    scaled = (grey - grey.min()) / span if span > 0 else np.zeros_like(grey)
    rgb = np.repeat(scaled[..., None], 3, axis=-1)
    # paint each class where its mask is on
    for c, mask in enumerate(masks):
        on = mask > 0
        rgb[on] = (1 - alpha) * rgb[on] + alpha * CLASS_COLOURS[c]
    return rgb


def save_panels(path, panels, title="", dpi=80) -> None:
    """Write a row of RGB images, each with its title, as one PNG.

    Parameters
    ----------
    path : str or Path
    panels : list of (str, ndarray (H, W, 3))
        Images in [0, 1], row 0 at the bottom (``origin="lower"``).
    title : str
        Title over the row.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "row.png")
    >>> save_panels(path, [("a", np.zeros((4, 4, 3))), ("b", np.ones((4, 4, 3)))])
    >>> os.path.getsize(path) > 0
    True
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3.4 * len(panels), 3.8))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, rgb) in zip(axes, panels, strict=True):
        ax.imshow(rgb, origin="lower")
        ax.set_title(name)
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
