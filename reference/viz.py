"""Matplotlib figures for evaluating diagnostic models: ROC, PR, calibration, classes.

Public names: `plot_roc`, `plot_precision_recall`, `plot_calibration`,
`save_evaluation_figures`, `plot_confusion_matrix`, `save_confusion_matrix`,
`draw_confusion_matrix` and `plot_curve_points` (matrices and curves computed
elsewhere, in the same look).

Each ``plot_*`` function draws on ``ax`` if given, otherwise on a new figure
(built with ``matplotlib.figure.Figure``, so no pyplot state and no display is
needed), and returns the axes. Inputs of shape ``(N,)`` draw one curve; inputs
of shape ``(N, K)`` draw one curve per finding, labelled with ``label`` (a list
of K names). Metrics come from `reference.metrics`; this module imports nothing
else from the library.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from reference import metrics

__all__ = [
    "draw_confusion_matrix",
    "plot_calibration",
    "plot_confusion_matrix",
    "plot_curve_points",
    "plot_precision_recall",
    "plot_roc",
    "save_confusion_matrix",
    "save_evaluation_figures",
]

_NORMALIZED_OVER = {
    "true": "each true class",
    "pred": "each predicted class",
    "all": "all samples",
}


def _new_axes(ax):
    """Return ``ax``, or the axes of a new 5.5 x 5 inch figure."""
    if ax is not None:
        return ax
    return Figure(figsize=(5.5, 5), layout="constrained").add_subplot()


def _curves(y_true, y_score, label, func: str):
    """Split (N,) or (N, K) inputs into a list of (y_true_k, y_score_k, label_k)."""
    truth, score = np.asarray(y_true), np.asarray(y_score)
    if truth.shape != score.shape or truth.ndim not in (1, 2):
        raise ValueError(
            f"{func}: expected y_true and y_score of one shape (N,) or "
            f"(N, K), got {truth.shape} and {score.shape}."
        )
    if truth.ndim == 1:
        labels = [label] if label is None or isinstance(label, str) else list(label)
        truth, score = truth[:, None], score[:, None]  # (N, 1)
    elif label is None:
        labels = [f"finding {k}" for k in range(truth.shape[1])]
    else:
        labels = [label] if isinstance(label, str) else list(label)
    if len(labels) != truth.shape[1]:
        raise ValueError(
            f"{func}: expected one label per finding ({truth.shape[1]}), "
            f"got {len(labels)}."
        )
    return [(truth[:, k], score[:, k], labels[k]) for k in range(truth.shape[1])]


def _legend_text(label, name: str, value) -> str:
    """Return "label (NAME = 0.873)", or "NAME = 0.873" without a label."""
    text = f"{name} = {value:.3f}"
    return f"{label} ({text})" if label else text


def _finish(ax, xlabel: str, ylabel: str, title: str, loc: str) -> None:
    """Label the axes, fix the unit square, and draw the legend."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    ax.legend(loc=loc, fontsize="small")


def plot_roc(y_true, y_score, ax=None, label=None):
    """Draw the ROC curve (one per finding) with its AUC in the legend.

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1
        Ground truth; 1 means the finding is present.
    y_score : array-like of the same shape, float
        Scores; larger means more likely positive.
    ax : matplotlib Axes or None, default None
        Where to draw; a new figure when None.
    label : str, list of K str, or None
        Curve name(s) shown in the legend before the AUC.

    Returns
    -------
    ax : matplotlib Axes
        With one line per finding (``fpr`` against ``tpr`` from
        `reference.metrics.roc_curve`) and the chance diagonal.

    Examples
    --------
    >>> ax = plot_roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], label="model")
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['model (AUC = 0.750)', 'chance']
    """
    ax = _new_axes(ax)
    for truth, score, name in _curves(y_true, y_score, label, "plot_roc"):
        fpr, tpr, _ = metrics.roc_curve(truth, score)
        area = metrics.roc_auc_score(truth, score)
        ax.plot(fpr, tpr, lw=1.5, label=_legend_text(name, "AUC", area))
    ax.plot([0, 1], [0, 1], ls="--", lw=1, color="grey", label="chance")
    _finish(
        ax,
        "False-positive rate (1 - specificity)",
        "True-positive rate (sensitivity)",
        "ROC curve",
        "lower right",
    )
    return ax


def plot_precision_recall(y_true, y_score, ax=None, label=None):
    """Draw the precision-recall curve (one per finding) with AP in the legend.

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1
        Ground truth; 1 means the finding is present.
    y_score : array-like of the same shape, float
        Scores; larger means more likely positive.
    ax : matplotlib Axes or None, default None
        Where to draw; a new figure when None.
    label : str, list of K str, or None
        Curve name(s) shown in the legend before the average precision.

    Returns
    -------
    ax : matplotlib Axes
        With one step line per finding (recall against precision, from
        `reference.metrics.precision_recall_curve`) and, dotted in the same
        colour, the prevalence: the precision of random scores.

    Examples
    --------
    >>> ax = plot_precision_recall([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['AP = 0.833']
    """
    ax = _new_axes(ax)
    for truth, score, name in _curves(y_true, y_score, label, "plot_precision_recall"):
        precision, recall, _ = metrics.precision_recall_curve(truth, score)
        ap = metrics.average_precision_score(truth, score)
        (line,) = ax.plot(
            recall,
            precision,
            lw=1.5,
            drawstyle="steps-post",
            label=_legend_text(name, "AP", ap),
        )
        ax.axhline(metrics.prevalence(truth), ls=":", lw=1, color=line.get_color())
    _finish(
        ax,
        "Recall (sensitivity)",
        "Precision (PPV)",
        "Precision-recall curve",
        "upper right",
    )
    return ax


def plot_calibration(
    y_true, y_prob, n_bins=10, ax=None, label=None, strategy="uniform"
):
    """Draw the reliability diagram (one per finding), Brier score in the legend.

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1
        Ground truth; 1 means the finding is present.
    y_prob : array-like of the same shape, float in [0, 1]
        Predicted probabilities.
    n_bins : int, default 10
        Number of bins of `reference.metrics.calibration_curve`.
    ax : matplotlib Axes or None, default None
        Where to draw; a new figure when None.
    label : str, list of K str, or None
        Curve name(s) shown in the legend before the Brier score.
    strategy : {"uniform", "quantile"}, default "uniform"
        How the bins are chosen (see `reference.metrics.calibration_curve`).

    Returns
    -------
    ax : matplotlib Axes
        Mean predicted probability (x) against observed frequency (y) per
        non-empty bin, and the diagonal of perfect calibration.

    Examples
    --------
    >>> ax = plot_calibration([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], n_bins=2)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Brier = 0.158', 'perfectly calibrated']
    """
    ax = _new_axes(ax)
    for truth, prob, name in _curves(y_true, y_prob, label, "plot_calibration"):
        prob_true, prob_pred = metrics.calibration_curve(
            truth, prob, n_bins=n_bins, strategy=strategy
        )
        brier = metrics.brier_score(truth, prob)
        ax.plot(
            prob_pred,
            prob_true,
            marker="o",
            ms=3,
            lw=1.5,
            label=_legend_text(name, "Brier", brier),
        )
    ax.plot([0, 1], [0, 1], ls="--", lw=1, color="grey", label="perfectly calibrated")
    _finish(
        ax,
        "Mean predicted probability",
        "Fraction of positives",
        "Calibration (reliability diagram)",
        "upper left",
    )
    return ax


def save_evaluation_figures(y_true, y_score, out_dir, names=None) -> list[Path]:
    """Write roc.png, precision_recall.png and calibration.png to ``out_dir``.

    Parameters
    ----------
    y_true : array-like of shape (N,) or (N, K), 0/1
        Ground truth; 1 means the finding is present.
    y_score : array-like of the same shape, float in [0, 1]
        Predicted probabilities (the calibration figure needs [0, 1]).
    out_dir : str or os.PathLike
        Folder to write into; created if missing.
    names : list of K str, str, or None
        Finding names for the legends.

    Returns
    -------
    paths : list of pathlib.Path
        The three files written, in the order roc, precision-recall, calibration.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = save_evaluation_figures([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], folder)
    ...     [p.name for p in paths]
    ['roc.png', 'precision_recall.png', 'calibration.png']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for filename, plot in (
        ("roc.png", plot_roc),
        ("precision_recall.png", plot_precision_recall),
        ("calibration.png", plot_calibration),
    ):
        ax = plot(y_true, y_score, label=names)
        path = out / filename
        ax.figure.savefig(path, dpi=120)
        paths.append(path)
    return paths


def _class_names(class_names, labels, y_true, y_pred, k: int) -> list[str]:
    """Return K tick labels: the given names, else the classes of the matrix."""
    if class_names is None:
        if labels is None:
            labels = np.union1d(np.ravel(y_true), np.ravel(y_pred))
            labels = labels if labels.size == k else [0, 1]  # 0/1 input: both
        return [f"{v:g}" for v in labels]
    names = [str(name) for name in class_names]
    if len(names) != k:
        raise ValueError(
            f"plot_confusion_matrix: expected one class name per class "
            f"({k}), got {len(names)}."
        )
    return names


def _annotate(ax, cm: np.ndarray, normalize) -> None:
    """Write each cell's value on it, white on dark cells."""
    dark = 0.5 if normalize else cm.max() / 2
    for (i, j), value in np.ndenumerate(cm):
        text = f"{value:.2f}" if normalize else f"{value:d}"
        ax.text(
            j,
            i,
            text,
            ha="center",
            va="center",
            fontsize="small",
            color="white" if value > dark else "black",
        )


def plot_confusion_matrix(
    y_true, y_pred, *, labels=None, class_names=None, normalize="true", ax=None
):
    """Draw the (normalised) confusion matrix as a heat map, each cell annotated.

    Parameters
    ----------
    y_true : array-like of integer class labels, any shape
        Ground truth (such as a label map; every voxel counts once).
    y_pred : array-like of the same shape
        Hard predictions.
    labels : sequence of int, optional
        The classes, in order (see `reference.metrics.confusion_matrix`);
        default: the sorted union of both arrays ([0, 1] for 0/1 input).
    class_names : sequence of K str, optional
        Tick labels, such as ``["background", "edema", "non-enhancing",
        "enhancing"]``; default the class labels.
    normalize : {"true", "pred", "all", None}, default "true"
        As in `reference.metrics.confusion_matrix`; "true" puts each class's
        sensitivity on the diagonal. None draws the counts.
    ax : matplotlib Axes or None, default None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        Rows are the true class, columns the predicted class (as the matrix);
        one text per cell (``.2f`` when normalised, counts otherwise) and a
        colour bar.

    Examples
    --------
    >>> ax = plot_confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2],
    ...                            class_names=["bg", "edema", "tumour"])
    >>> [t.get_text() for t in ax.texts][:3], ax.get_ylabel()
    (['0.50', '0.50', '0.00'], 'True class')
    """
    cm = metrics.confusion_matrix(
        np.ravel(y_true), np.ravel(y_pred), labels=labels, normalize=normalize
    )
    names = _class_names(class_names, labels, y_true, y_pred, len(cm))
    return draw_confusion_matrix(cm, names, normalize=normalize, ax=ax)


def draw_confusion_matrix(cm, class_names, *, normalize="true", ax=None):
    """Draw a confusion matrix already computed, as `plot_confusion_matrix` does.

    For matrices counted elsewhere (such as over millions of voxels, counted
    once for a table and a figure).

    Parameters
    ----------
    cm : ndarray of shape (K, K)
        Counts, or fractions as `reference.metrics.confusion_matrix` normalises them.
    class_names : sequence of K str
        Tick labels, rows and columns.
    normalize : {"true", "pred", "all", None}, default "true"
        How ``cm`` was normalised (None: counts); sets the colour scale and title.

    Examples
    --------
    >>> ax = draw_confusion_matrix(np.array([[3, 1], [0, 2]]), ["no", "yes"],
    ...                            normalize=None)
    >>> [t.get_text() for t in ax.texts]
    ['3', '1', '0', '2']
    """
    cm = np.asarray(cm)
    names = [str(name) for name in class_names]
    if cm.ndim != 2 or cm.shape != (len(names), len(names)):
        raise ValueError(
            f"draw_confusion_matrix: expected a ({len(names)}, {len(names)}) "
            f"matrix, one row and column per class name, got shape {cm.shape}."
        )
    ax = _new_axes(ax)
    image = ax.imshow(cm, cmap="Blues", vmin=0, vmax=1 if normalize else cm.max())
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    _annotate(ax, cm, normalize)
    ticks, slanted = np.arange(len(names)), max(len(name) for name in names) > 4
    ax.set_xticks(
        ticks, names, rotation=45 if slanted else 0, ha="right" if slanted else "center"
    )
    ax.set_yticks(ticks, names)
    ax.set_xlabel("Predicted class")
    ax.set_ylabel("True class")
    over = _NORMALIZED_OVER.get(normalize)
    ax.set_title("Confusion matrix" + (f" (fractions of {over})" if over else ""))
    return ax


def save_confusion_matrix(
    y_true, y_pred, path, *, labels=None, class_names=None, normalize="true"
) -> Path:
    """Write `plot_confusion_matrix`'s figure to a PNG file and return its path.

    Parameters
    ----------
    y_true, y_pred, labels, class_names, normalize
        As in `plot_confusion_matrix`.
    path : str or os.PathLike
        The file to write (``.png``); its folder is created if missing.

    Returns
    -------
    path : pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = save_confusion_matrix([0, 1, 2], [0, 2, 2], Path(folder) / "cm.png")
    ...     out.name, out.stat().st_size > 0
    ('cm.png', True)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ax = plot_confusion_matrix(
        y_true, y_pred, labels=labels, class_names=class_names, normalize=normalize
    )
    ax.figure.savefig(path, dpi=120)
    return path


# kind -> (x label, y label, title, legend place, diagonal's legend or None)
_POINT_KINDS = {
    "roc": (
        "False-positive rate (1 - specificity)",
        "True-positive rate (sensitivity)",
        "ROC curve",
        "lower right",
        "chance",
    ),
    "pr": (
        "Recall (sensitivity)",
        "Precision (PPV)",
        "Precision-recall curve",
        "lower left",
        None,
    ),
    "calibration": (
        "Mean predicted probability",
        "Fraction of positives",
        "Calibration (reliability diagram)",
        "upper left",
        "perfectly calibrated",
    ),
}


def plot_curve_points(curves, kind, ax=None, title=None):
    """Draw curves already computed (such as a learner's) in the look of ``plot_*``.

    `plot_roc`, `plot_precision_recall` and `plot_calibration` compute their
    points with `reference.metrics`; this draws points computed elsewhere
    (``ai4md show`` draws a learner's own ``roc_curve``) with the same axes,
    labels and reference line.

    Parameters
    ----------
    curves : list of (x, y, label)
        One line each: ``x`` and ``y`` 1-D of one length (ROC: fpr, tpr; PR:
        recall, precision, drawn as steps; calibration: mean predicted
        probability, fraction of positives, with markers); ``label`` the
        legend text (or None).
    kind : {"roc", "pr", "calibration"}
    ax : matplotlib Axes or None, default None
        Where to draw; a new figure when None.
    title : str, optional
        Replaces the default title of ``kind``.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> ax = plot_curve_points([([0, 0.5, 1], [0, 1, 1], "mine")], "roc")
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['mine', 'chance']
    """
    if kind not in _POINT_KINDS:
        raise ValueError(
            f"plot_curve_points: expected kind in {sorted(_POINT_KINDS)}, got {kind!r}."
        )
    xlabel, ylabel, default_title, loc, diagonal = _POINT_KINDS[kind]
    ax = _new_axes(ax)
    style = {
        "roc": {},
        "pr": {"drawstyle": "steps-post"},
        "calibration": {"marker": "o", "ms": 3},
    }[kind]
    for x, y, label in curves:
        ax.plot(
            np.asarray(x, float), np.asarray(y, float), lw=1.5, label=label, **style
        )
    if diagonal is not None:
        ax.plot([0, 1], [0, 1], ls="--", lw=1, color="grey", label=diagonal)
    _finish(ax, xlabel, ylabel, title or default_title, loc)
    return ax
