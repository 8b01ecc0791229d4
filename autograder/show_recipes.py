"""What ``ai4md show`` draws for each lesson, from the learner's own functions.

One function per lesson of `autograder.show.RECIPES`, named after it:
``recipe(lesson, seed, out) -> list of PNG paths``. ``lesson.name`` is the
learner's function ``name`` (`autograder.show.Lesson`); the inputs are seeded
synthetic data from `reference.data`, small enough to draw in seconds. Every
figure is a bare `matplotlib.figure.Figure` (no pyplot state). Runs only in
the child process `autograder.show` starts.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np

__all__ = [
    "calibration",
    "data_exploration",
    "densenet_blocks",
    "dice",
    "precision_recall",
    "roc_auc",
    "standardization",
    "sub_volumes",
]

DPI = 100
MRI_SHAPE = (64, 64, 32)  # a small synthetic BraTS-like case (X, Y, Z)
PATCH = (32, 32, 16)  # the sub-volume drawn from it


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _save(figure, out: Path, name: str) -> Path:
    path = out / name
    figure.savefig(path, dpi=DPI)
    return path


def _floats(values, what: str) -> np.ndarray:
    """``values`` as a float array, or a clear error naming what returned it."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{what} should be 1-D, got shape {array.shape}")
    return array


# ---------------------------------------------------------------------- week 1


def data_exploration(lesson: ModuleType, seed: int, out: Path) -> list[Path]:
    """Draw with the lesson's `plot_exploration` (given; calls the learner's three)."""
    from reference.data import (
        apply_standardization,
        fit_standardization,
        make_chest_xrays,
    )

    xrays = make_chest_xrays(300, image_size=32, seed=seed)
    stats = fit_standardization(xrays.images)
    standardized = apply_standardization(xrays.images, stats.mean, stats.std)
    # the learner's functions first, so a missing one is named before drawing
    lesson.label_counts(xrays.labels, xrays.findings)
    lesson.images_per_patient(xrays.patient_ids)
    lesson.pixel_histogram(xrays.images, bins=50)
    path = out / "data_exploration.png"
    lesson.plot_exploration(
        xrays.labels,
        xrays.findings,
        xrays.patient_ids,
        xrays.images,
        standardized,
        path,
    )
    return [path]


def _tiny_cardiomegaly_model(seed: int):
    """Train a tiny DenseNet on 32 x 32 synthetic X-rays: Cardiomegaly or not."""
    from reference.data import make_chest_xrays
    from reference.losses import weighted_bce_with_logits, weighted_bce_with_logits_grad
    from reference.nn import DenseNet
    from reference.optim import Adam
    from reference.train import train_epoch

    data = make_chest_xrays(
        480,
        image_size=32,
        seed=seed,
        label_precision=1.0,
        label_recall=1.0,
        prevalence={"Cardiomegaly": 0.3},
    )
    k = data.findings.index("Cardiomegaly")
    y = data.labels[:, k : k + 1].astype(np.float32)
    x_train, y_train, x_test, y_test = (
        data.images[:400],
        y[:400],
        data.images[400:],
        y[400:],
    )
    pos = np.array([1.0 - y_train.mean()], np.float32)  # weighted loss: balance
    neg = np.array([y_train.mean()], np.float32)

    def loss_and_grad(logits, target):
        return (
            weighted_bce_with_logits(target, logits, pos, neg),
            weighted_bce_with_logits_grad(target, logits, pos, neg),
        )

    model = DenseNet((2, 2), 8, 16, 2, num_classes=1, in_channels=1, rng=seed)
    optimizer, rng = Adam(model, lr=3e-3), np.random.default_rng(seed)
    for _ in range(4):
        train_epoch(
            model, optimizer, loss_and_grad, x_train, y_train, batch_size=32, rng=rng
        )
    return model.eval(), x_test, y_test[:, 0]


def densenet_blocks(lesson: ModuleType, seed: int, out: Path) -> list[Path]:
    """Draw the learner's `gradcam_map` of a tiny trained DenseNet's norm5."""
    from reference.ops._fast.jit import on_compile
    from reference.viz_overlay import overlay_heatmap

    told = []

    def compiling(kernel: str, started: bool) -> None:
        if started and not told:
            told.append(kernel)
            print(
                "compiling Numba kernels (first run only, up to a minute)...",
                flush=True,
            )

    on_compile(compiling)
    probe = np.ones((1, 1, 2, 2))
    lesson.gradcam_map(probe, probe)  # not written yet? say so before training
    model, x, y = _tiny_cardiomegaly_model(seed)
    activations = model.features.forward(x)  # (N, C, h, w)
    logits = model.forward_head(activations)
    prob = 1.0 / (1.0 + np.exp(-logits[:, 0]))
    # the four most confident images that do have the finding
    ranked = np.argsort(-prob, kind="stable")
    shown = ([n for n in ranked if y[n] == 1] + [n for n in ranked if y[n] == 0])[:4]
    dlogits = np.zeros_like(logits)
    dlogits[:, 0] = 1.0
    dactivations = model.backward_head(dlogits)
    cams = lesson.gradcam_map(activations[shown], dactivations[shown], size=x.shape[2:])
    cams = np.asarray(cams, dtype=float)
    if cams.shape != (len(shown), *x.shape[2:]):
        raise ValueError(
            f"gradcam_map returned shape {cams.shape}, expected "
            f"{(len(shown), *x.shape[2:])}"
        )
    figure = _figure(2.4 * len(shown), 5.0)
    axes = figure.subplots(2, len(shown), squeeze=False)
    for j, n in enumerate(shown):
        axes[0, j].imshow(x[n, 0], cmap="gray")
        finding = "Cardiomegaly" if y[n] == 1 else "no Cardiomegaly"
        axes[0, j].set_title(f"{finding}, p = {prob[n]:.2f}", fontsize="small")
        axes[1, j].imshow(overlay_heatmap(x[n, 0], cams[j]))
        axes[1, j].set_title(
            f"your gradcam_map (max {cams[j].max():.2f})", fontsize="small"
        )
    for ax in axes.ravel():
        ax.axis("off")
    figure.suptitle(
        "Grad-CAM of a tiny DenseNet for Cardiomegaly\n"
        "(red: most evidence for the finding)"
    )
    return [_save(figure, out, "gradcam.png")]


# ---------------------------------------------------------------------- week 2


def _predictions(seed: int, n: int = 1000):
    from reference.data import synthetic_predictions

    return synthetic_predictions(n=n, seed=seed)


def roc_auc(lesson: ModuleType, seed: int, out: Path) -> list[Path]:
    """One ROC curve per synthetic finding from `roc_curve`, AUCs both ways."""
    from reference.viz import plot_curve_points

    y, score, names = _predictions(seed)
    curves = []
    for k, name in enumerate(names):
        fpr, tpr, _ = lesson.roc_curve(y[:, k], score[:, k])
        fpr, tpr = _floats(fpr, "roc_curve's fpr"), _floats(tpr, "roc_curve's tpr")
        area = float(lesson.auc_trapezoid(fpr, tpr))
        pairs = float(lesson.auc_mann_whitney(y[:, k], score[:, k]))
        curves.append((fpr, tpr, f"{name} (AUC {area:.3f}; Mann-Whitney {pairs:.3f})"))
    ax = plot_curve_points(curves, "roc", title="ROC curves from your roc_curve")
    ax.figure.set_size_inches(6.5, 6)
    return [_save(ax.figure, out, "roc_auc.png")]


def precision_recall(lesson: ModuleType, seed: int, out: Path) -> list[Path]:
    """PR curves from `precision_recall_curve`; F1 at 0.5 from `f1_score`."""
    from reference.viz import plot_curve_points

    y, score, names = _predictions(seed)
    curves, points = [], []
    for k, name in enumerate(names):
        precision, recall, _ = lesson.precision_recall_curve(y[:, k], score[:, k])
        precision = _floats(precision, "precision_recall_curve's precision")
        recall = _floats(recall, "precision_recall_curve's recall")
        flagged = (score[:, k] >= 0.5).astype(np.int64)
        f1 = float(lesson.f1_score(y[:, k], flagged))
        curves.append((recall, precision, f"{name} (F1 at 0.5 = {f1:.2f})"))
        tp = int(np.sum(flagged * y[:, k]))
        points.append((tp / max(flagged.sum(), 1), tp / y[:, k].sum(), y[:, k].mean()))
    ax = plot_curve_points(
        curves,
        "pr",
        title="Precision-recall from your "
        "precision_recall_curve\n(dots: threshold 0.5; dotted: "
        "prevalence, the precision of random scores)",
    )
    for line, (prec, rec, prevalence) in zip(ax.lines, points, strict=False):
        ax.axhline(prevalence, ls=":", lw=1, color=line.get_color())
        ax.plot([rec], [prec], "o", ms=5, color=line.get_color())
    ax.figure.set_size_inches(6.5, 6)
    return [_save(ax.figure, out, "precision_recall.png")]


def calibration(lesson: ModuleType, seed: int, out: Path) -> list[Path]:
    """Reliability diagrams of raw and Platt-scaled scores on held-out halves."""
    from scipy.special import logit

    from reference.viz import plot_curve_points

    y, prob, names = _predictions(seed, n=8000)  # rare findings need many images
    half = len(y) // 2
    figure = _figure(12, 5.6)
    before, after = figure.subplots(1, 2)
    raw, scaled = [], []
    for k, name in enumerate(names):
        truth, p = y[half:, k], prob[half:, k]
        # Platt scaling on the log-odds, fitted on the first half
        a, b = lesson.platt_fit(y[:half, k], logit(prob[:half, k]))
        p_scaled = np.asarray(lesson.platt_predict(logit(p), a, b), dtype=float)
        for curves, q in ((raw, p), (scaled, p_scaled)):
            frac, mean = lesson.calibration_curve(truth, q, n_bins=10)
            brier = float(lesson.brier_score(truth, q))
            curves.append(
                (
                    _floats(mean, "calibration_curve's prob_pred"),
                    _floats(frac, "calibration_curve's prob_true"),
                    f"{name} (Brier {brier:.3f})",
                )
            )
    plot_curve_points(
        raw, "calibration", ax=before, title="Raw scores (your calibration_curve)"
    )
    plot_curve_points(
        scaled,
        "calibration",
        ax=after,
        title="After Platt scaling (your platt_fit, held-out half)",
    )
    return [_save(figure, out, "calibration.png")]


# ---------------------------------------------------------------------- week 3


def _mri(seed: int):
    from reference.data import make_brats_case

    return make_brats_case(MRI_SHAPE, seed=seed)


def _masks(y: np.ndarray, z: int) -> np.ndarray:
    """Return the (3, Y, X) class masks of slice ``z``, transposed for display."""
    return np.stack([m[:, :, z].T for m in y])


def _label_overlay(grey, masks):
    from reference.tasks._brain_mri_figures import label_overlay

    return label_overlay(grey, masks)


def _find_corner(image: np.ndarray, patch: np.ndarray):
    """Where ``patch`` (C, x, y, z) sits in ``image`` (X, Y, Z, C), or None."""
    sx, sy, sz = patch.shape[1:]
    for corner in np.argwhere(image[..., 0] == patch[0, 0, 0, 0]):
        i, j, k = corner
        block = image[i : i + sx, j : j + sy, k : k + sz]
        if block.shape[:3] == (sx, sy, sz) and np.array_equal(
            np.moveaxis(block, 3, 0), patch
        ):
            return int(i), int(j), int(k)
    return None


def sub_volumes(lesson: ModuleType, seed: int, out: Path) -> list[Path]:
    """Draw the learner's `get_sub_volume`: where it lies, its slices with labels."""
    from matplotlib.patches import Rectangle

    image, label = _mri(seed)
    np.random.seed(seed)  # noqa: NPY002 - get_sub_volume draws with np.random
    result = lesson.get_sub_volume(image, label, *MRI_SHAPE, *PATCH, num_classes=4)
    if result is None:
        raise ValueError("get_sub_volume returned None (no sub-volume accepted)")
    x, y = (np.asarray(a) for a in result)
    if x.shape != (4, *PATCH) or y.shape != (3, *PATCH):
        raise ValueError(
            f"get_sub_volume returned X of shape {x.shape} and y of "
            f"shape {y.shape}; expected {(4, *PATCH)} and {(3, *PATCH)}"
        )
    corner = _find_corner(image, x)
    zs = np.linspace(1, PATCH[2] - 2, 4).round().astype(int)
    figure = _figure(15, 3.8)
    axes = figure.subplots(1, 1 + len(zs))
    if corner is not None:  # the whole slice through the patch's middle
        i, j, k = corner
        z = k + PATCH[2] // 2
        whole = np.stack([(label[:, :, z] == c).T for c in (1, 2, 3)])
        axes[0].imshow(_label_overlay(image[:, :, z, 0].T, whole), origin="lower")
        axes[0].add_patch(
            Rectangle(
                (i - 0.5, j - 0.5), PATCH[0], PATCH[1], fill=False, ec="yellow", lw=2
            )
        )
        axes[0].set_title(
            f"volume slice z = {z}\npatch corner {corner}", fontsize="small"
        )
    else:
        axes[0].text(0.5, 0.5, "X is not a block\nof the image", ha="center")
        axes[0].set_title("where the patch lies", fontsize="small")
    background = 1.0 - y.sum(axis=0).mean()
    for ax, z in zip(axes[1:], zs, strict=True):
        ax.imshow(_label_overlay(x[0, :, :, z].T, _masks(y, z)), origin="lower")
        ax.set_title(f"patch slice z = {z}", fontsize="small")
    for ax in axes:
        ax.axis("off")
    figure.suptitle(
        f"Your get_sub_volume: FLAIR with edema (red), non-enhancing "
        f"(green), enhancing (blue); background {background:.0%}"
    )
    return [_save(figure, out, "sub_volumes.png")]


def _reference_patch(seed: int):
    from reference.data import get_sub_volume

    image, label = _mri(seed)
    np.random.seed(seed)  # noqa: NPY002 - get_sub_volume draws with np.random
    return get_sub_volume(image, label, *MRI_SHAPE, *PATCH, num_classes=4)


def standardization(lesson: ModuleType, seed: int, out: Path) -> list[Path]:
    """Draw the learner's `standardize` on a sub-volume: a slice of each modality."""
    from reference.data import MODALITIES

    x, _ = _reference_patch(seed)
    standardized = np.asarray(lesson.standardize(x), dtype=float)
    if standardized.shape != x.shape:
        raise ValueError(
            f"standardize returned shape {standardized.shape}, expected {x.shape}"
        )
    z = PATCH[2] // 2
    figure = _figure(13, 8.4)
    axes = figure.subplots(3, len(MODALITIES))
    for c, name in enumerate(MODALITIES):
        for row, (volume, what) in enumerate(((x, "raw"), (standardized, "yours"))):
            s = volume[c, :, :, z]
            shown = axes[row, c].imshow(s.T, cmap="gray", origin="lower")
            figure.colorbar(shown, ax=axes[row, c], fraction=0.046, pad=0.02)
            axes[row, c].set_title(
                f"{name} {what}: mean {s.mean():.2f}, std {s.std():.2f}",
                fontsize="small",
            )
            axes[row, c].axis("off")
        ax = axes[2, c]  # every slice of the standardised channel: mean 0, std 1
        ax.plot(standardized[c].mean(axis=(0, 1)), "o-", ms=3, label="mean")
        ax.plot(standardized[c].std(axis=(0, 1)), "s-", ms=3, label="std")
        ax.set(xlabel="slice z", ylim=(-0.5, 1.5), title=f"{name}: each slice after")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="x-small")
    figure.suptitle(
        f"Your standardize on a {PATCH[0]}x{PATCH[1]}x{PATCH[2]} "
        f"sub-volume (slice z = {z}; every slice should be mean 0, std 1)"
    )
    return [_save(figure, out, "standardization.png")]


def dice(lesson: ModuleType, seed: int, out: Path) -> list[Path]:
    """Dice of a prediction shifted away from the truth, per class and mean."""
    from reference.data import LABELS

    _, label = _mri(seed)
    truth = np.stack([(label == c).astype(np.float32) for c in (1, 2, 3)])
    shifts = list(range(0, 9))
    per_class, mean = [], []
    for s in shifts:
        pred = np.roll(truth, s, axis=1)
        per_class.append(
            [
                float(lesson.single_class_dice_coefficient(truth[c], pred[c]))
                for c in range(3)
            ]
        )
        mean.append(float(lesson.dice_coefficient(truth, pred)))
    per_class = np.array(per_class)
    z = int(np.argmax(truth.sum(axis=(0, 1, 2))))
    figure = _figure(11, 4.6)
    left, right = figure.subplots(1, 2, width_ratios=(1, 1.4))
    shift = 3
    pred = np.roll(truth, shift, axis=1)
    grey = _mri(seed)[0][:, :, z, 0].T
    left.imshow(_label_overlay(grey, _masks(pred, z)), origin="lower")
    left.contour(
        truth[:, :, :, z].sum(axis=0).T, levels=[0.5], colors="white", linewidths=1.2
    )
    left.set_title(
        f"prediction shifted by {shift} voxels (colours)\n"
        "over the true tumour (white outline)",
        fontsize="small",
    )
    left.axis("off")
    for c in range(3):
        right.plot(
            shifts,
            per_class[:, c],
            "o-",
            ms=3,
            color=("red", "green", "blue")[c],
            label=f"{LABELS[c + 1]} (single_class_dice_coefficient)",
        )
    right.plot(shifts, mean, "k--", lw=2, label="mean (dice_coefficient)")
    right.set(
        xlabel="shift of the prediction (voxels)",
        ylabel="Dice",
        ylim=(0, 1.02),
        title="Your Dice as the prediction moves away",
    )
    right.grid(alpha=0.3)
    right.legend(fontsize="small")
    return [_save(figure, out, "dice.png")]
