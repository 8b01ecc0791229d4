"""The voxel-wise 4-class confusion matrix of `reference.tasks.brain_mri`.

Public names: `VOXEL_CLASSES`, `predicted_label_map`, `confusion_report`.

The per-class dice says how well each tumour class is found; the confusion
matrix says what it is mistaken for. The errors to expect are between
neighbouring regions: the thin enhancing rim called edema (outside it) or
non-enhancing core (inside it), and edema's faint outer edge called background.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reference._validation import fail
from reference.metrics import confusion_matrix

__all__ = ["VOXEL_CLASSES", "confusion_report", "predicted_label_map"]

VOXEL_CLASSES = ("background", "edema", "non-enhancing", "enhancing")


def predicted_label_map(probabilities, threshold=0.5) -> np.ndarray:
    """Return the (X, Y, Z) uint8 label map of (3, X, Y, Z) class probabilities.

    Each voxel takes its most probable tumour class (1 edema, 2 non-enhancing,
    3 enhancing) where that probability reaches ``threshold``, else 0:
    ``label = (argmax_c p_c + 1) * (max_c p_c >= threshold)``.

    Examples
    --------
    >>> p = np.array([[0.9, 0.2, 0.3], [0.1, 0.7, 0.4], [0.0, 0.1, 0.2]])
    >>> predicted_label_map(p[:, :, None, None]).ravel().tolist()  # 3 voxels
    [1, 2, 0]
    """
    p = np.asarray(probabilities)
    if p.ndim < 2 or p.shape[0] != 3:
        fail("predicted_label_map", "probabilities of shape (3, ...)", f"{p.shape}")
    best = np.argmax(p, axis=0)
    found = np.take_along_axis(p, best[None], axis=0)[0] >= threshold
    return ((best + 1) * found).astype(np.uint8)


def confusion_report(labels, probabilities, path=None, threshold=0.5) -> str:
    """Return the voxel-wise confusion matrix as text; write its PNG to ``path``.

    Parameters
    ----------
    labels : list of uint8 ndarray (X, Y, Z)
        Ground-truth label maps (0 to 3).
    probabilities : list of ndarray (3, X, Y, Z)
        Predicted class probabilities, read by `predicted_label_map`.
    path : str or Path, optional
        Where to save the normalised matrix as a PNG
        (`reference.viz.draw_confusion_matrix`).
    threshold : float

    Returns
    -------
    text : str
        Rows are the true class and sum to 1 (``normalize="true"``, so the
        diagonal is each class's sensitivity); columns are the prediction.
        Every voxel of every volume counts once.
    """
    truth = np.concatenate([np.ravel(label) for label in labels])
    pred = np.concatenate(
        [np.ravel(predicted_label_map(p, threshold)) for p in probabilities]
    )
    classes = list(range(len(VOXEL_CLASSES)))
    matrix = confusion_matrix(truth, pred, labels=classes, normalize="true")
    if path is not None:  # the figure of the same matrix (counting takes seconds)
        from reference.viz import draw_confusion_matrix

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        ax = draw_confusion_matrix(matrix, VOXEL_CLASSES, normalize="true")
        ax.figure.savefig(path, dpi=120)
    lines = [
        "voxels, rows: truth (each row sums to 1), columns: prediction",
        f"{'':<15}" + "".join(f"{name:>14}" for name in VOXEL_CLASSES),
    ]
    for name, row in zip(VOXEL_CLASSES, matrix, strict=True):
        lines.append(f"{name:<15}" + "".join(f"{value:>14.3f}" for value in row))
    return "\n".join(lines)
