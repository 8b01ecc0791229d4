"""Train and evaluate a 3D U-Net on seeded synthetic BraTS-like MRI.

``ai4md train brain-mri`` calls `add_arguments` and `run`; ``ai4md evaluate
--checkpoint FILE`` calls `evaluate` (through `reference.tasks.evaluate_checkpoint`).

Public names: `CLASS_NAMES`, `DEFAULTS`, `MODELS`, `add_arguments`, `run`,
`evaluate`, `make_volumes`, `one_hot`, `sample_patches`, `dice_bce_loss_and_grad`,
`build_model`, `train_model`, `predict_volume`, `score_volumes`, `format_scores`,
`label_overlay`, `save_case_png`, `real_volume_demo`, `compare_2d_3d`.

The defaults (16 training cases of 128 x 128 x 64, 8 held-out cases, 20 epochs
of 40 patches 64 x 64 x 16, the small U-Net: depth 3, 8 base filters, batch
norm, 247 k parameters) train in minutes on 2 cores; ``--model course`` selects
the course's 16.3 M-parameter U-Net (depth 4, 32 base filters; patches
divisible by 8). The synthetic cases are hard in the ways BraTS is (see
`reference.data.brats`), so the three classes score differently: the thin,
incomplete enhancing rim lowest. Measured figures are in
``benchmarks/RESULTS.md`` ("Synthetic data difficulty").

The pipeline, end to end on the learner's machine (nothing downloads):

1. `make_volumes`: seeded synthetic cases (`reference.data.brats.make_brats_case`),
   each z-slice of each channel standardised (`standardize`), labels one-hot
   without the background: ``(3, X, Y, Z)`` for edema, non-enhancing tumour,
   enhancing tumour.
2. `sample_patches`: sub-volumes cut with `get_sub_volume` (most of them holding
   tumour, some anywhere so that the model also sees healthy tissue).
3. Training: soft dice + binary cross-entropy on the sigmoid of the logits, Adam,
   `reference.train.train_epoch` with a tqdm bar.
4. Held-out volumes: whole-volume prediction with `predict_tiled`, threshold
   0.5, the voxel-wise 4-class confusion matrix (printed and
   ``confusion_matrix.png``), per-class dice, sensitivity and specificity;
   overlay PNGs; an HDF5 checkpoint that `evaluate` reloads and scores again.

The last stdout line of `run` and `evaluate` is ``held-out mean dice: X.XXX``
(the mean of the three classes' dice).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from reference import losses as loss_fns
from reference import ops
from reference._validation import fail
from reference.checkpoint import load_checkpoint, save_checkpoint
from reference.data.brats import make_brats_case
from reference.data.subvolume import get_sub_volume, predict_tiled, standardize
from reference.metrics import class_sens_spec, dice_coefficient
from reference.nn import UNet
from reference.optim import Adam
from reference.runtime import limit_blas_threads
from reference.tasks._brain_mri_confusion import confusion_report
from reference.tasks._brain_mri_demos import compare_2d_3d, real_volume_demo
from reference.tasks._brain_mri_figures import label_overlay, save_panels
from reference.train import make_progress, predict, train_epoch

__all__ = [
    "CLASS_NAMES",
    "DEFAULTS",
    "MODELS",
    "add_arguments",
    "build_model",
    "compare_2d_3d",
    "dice_bce_loss_and_grad",
    "evaluate",
    "format_scores",
    "label_overlay",
    "make_volumes",
    "one_hot",
    "predict_volume",
    "real_volume_demo",
    "run",
    "sample_patches",
    "save_case_png",
    "score_volumes",
    "train_model",
]

CLASS_NAMES = ("edema", "non-enhancing", "enhancing")
# U-Net configurations: a small one for a laptop, and the course's (16.3 M params)
MODELS = {
    "small": {"base_filters": 8, "depth": 3, "batch_norm": True},
    "course": {"base_filters": 32, "depth": 4, "batch_norm": False},
}


def _shape_arg(text: str) -> tuple[int, ...]:
    """Parse ``"64x64x16"`` into ``(64, 64, 16)`` (argparse type)."""
    try:
        sizes = tuple(int(part) for part in text.lower().split("x"))
    except ValueError:
        sizes = ()
    if len(sizes) != 3 or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"expected three sizes like 64x64x16, got {text!r}"
        )
    return sizes


# defaults of `run` (``args`` may be any namespace; missing options take these)
DEFAULTS = {
    "out": "brain-mri-out",
    "model": "small",
    "size": (128, 128, 64),
    "patch": (64, 64, 16),
    "volumes": 16,
    "heldout": 8,
    "epochs": 20,
    "patches": 40,
    "batch_size": 2,
    "lr": 2e-3,
    "bce": 1.0,
    "seed": 0,
    "max_minutes": None,
    "blas_threads": 1,
    "no_progress": False,
}
_HELP = {
    "out": "output folder (checkpoint, PNGs)",
    "model": "U-Net size",
    "size": "volume XxYxZ",
    "patch": "patch XxYxZ",
    "volumes": "training volumes",
    "heldout": "held-out volumes",
    "epochs": "epochs (fresh patches each)",
    "patches": "patches per epoch",
    "batch_size": "patches per step",
    "lr": "Adam's initial learning rate",
    "bce": "weight of BCE added to soft dice",
    "seed": "seed of data and weights",
    "max_minutes": "stop training after this",
    "blas_threads": "OpenBLAS threads (1 avoids thrashing on a shared machine)",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``ai4md train brain-mri`` options (`DEFAULTS`) to ``parser``."""
    for key, default in DEFAULTS.items():
        flag = "--" + key.replace("_", "-")
        if key == "no_progress":
            parser.add_argument(flag, action="store_true", help="hide the progress bar")
        elif key == "model":
            parser.add_argument(
                flag, choices=sorted(MODELS), default=default, help=_HELP[key]
            )
        else:
            kind = {
                "size": _shape_arg,
                "patch": _shape_arg,
                "max_minutes": float,
                "out": str,
            }.get(key, type(default))
            shown = "x".join(map(str, default)) if key in ("size", "patch") else default
            parser.add_argument(
                flag, type=kind, default=default, help=f"{_HELP[key]} (default {shown})"
            )


# --- data ---------------------------------------------------------------------
def make_volumes(count, shape, *, seed, first=0):
    """Generate ``count`` standardised synthetic cases (case ``i``: seed ``[seed, i]``).

    Parameters
    ----------
    count : int
    shape : tuple of 3 int
        ``(X, Y, Z)`` of each case.
    seed : int
    first : int
        Index of the first case (held-out cases follow the training ones).

    Returns
    -------
    images : list of float32 ndarray (X, Y, Z, 4)
        Channels-last (as `get_sub_volume` wants), every (channel, z) slice
        scaled to mean 0 and std 1.
    labels : list of uint8 ndarray (X, Y, Z)
        0 background, 1 edema, 2 non-enhancing, 3 enhancing.

    Examples
    --------
    >>> images, labels = make_volumes(1, (32, 32, 16), seed=0)
    >>> images[0].shape, images[0].dtype, labels[0].shape
    ((32, 32, 16, 4), dtype('float32'), (32, 32, 16))
    """
    images, labels = [], []
    for i in range(first, first + count):
        image, label = make_brats_case(shape, rng=np.random.default_rng([seed, i]))
        scaled = standardize(np.moveaxis(image, -1, 0)).astype(np.float32)
        images.append(np.ascontiguousarray(np.moveaxis(scaled, 0, -1)))
        labels.append(label)
    return images, labels


def one_hot(label) -> np.ndarray:
    """Return the (3, X, Y, Z) float32 one-hot of a BraTS label map, no background.

    ``out[c, i, j, k] = 1 if label[i, j, k] == c + 1 else 0``.

    Examples
    --------
    >>> one_hot(np.array([0, 1, 3]).reshape(3, 1, 1))[:, :, 0, 0]
    array([[0., 1., 0.],
           [0., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    classes = np.arange(1, 4)[:, None, None, None]
    return (np.asarray(label)[None] == classes).astype(np.float32)


def sample_patches(images, labels, count, patch, *, rng, tumour_fraction=0.75):
    """Cut ``count`` patches: a ``tumour_fraction`` with tumour, the rest anywhere.

    Returns
    -------
    x : float32 ndarray (count, 4, px, py, pz)
    y : float32 ndarray (count, 3, px, py, pz)

    Notes
    -----
    Tumour patches use `get_sub_volume`'s rule (background below 95 %; for a
    tumour too small to fill 5 % of a patch, the patch must hold half of its
    voxels); the others accept any corner (threshold above 1), so the model
    also learns that healthy tissue far from the tumour is background.
    """
    xs, ys = [], []
    patch_voxels = float(np.prod(patch))
    tumour_voxels = [int(np.count_nonzero(label)) for label in labels]
    while len(xs) < count:
        case = int(rng.integers(len(images)))
        image, label = images[case], labels[case]
        threshold = 1.01  # any corner
        if rng.random() < tumour_fraction and tumour_voxels[case]:
            threshold = 1 - min(0.05, 0.5 * tumour_voxels[case] / patch_voxels)
        found = get_sub_volume(
            image,
            label,
            *image.shape[:3],
            *patch,
            background_threshold=threshold,
            rng=rng,
        )
        if found is not None:
            xs.append(found[0])
            ys.append(found[1])
    return np.stack(xs), np.stack(ys)


# --- loss ---------------------------------------------------------------------
def dice_bce_loss_and_grad(logits, y, bce_weight=1.0):
    """Soft dice (batch-wide per class) + ``bce_weight`` * mean BCE, on logits.

    Parameters
    ----------
    logits : ndarray (N, K, *S)
    y : ndarray (N, K, *S), 0/1
    bce_weight : float

    Returns
    -------
    loss : float
        ``soft_dice_loss(y, sigmoid(z), axis=(0, 2, ...)) + w * mean BCE``.
    dlogits : ndarray, logits' shape and dtype

    Examples
    --------
    Eight voxels of one class, all positive, all logits 0 (p = 0.5): dice =
    2 * 4 / (8 + 8 * 0.25) = 0.8 and BCE = log 2, so the loss is 0.2 + 0.6931:

    >>> z = np.zeros((1, 1, 2, 2, 2), np.float32); y = np.ones_like(z)
    >>> loss, dz = dice_bce_loss_and_grad(z, y)
    >>> round(loss, 4), dz.shape, dz.dtype
    (0.8931, (1, 1, 2, 2, 2), dtype('float32'))
    """
    axes = (0, *range(2, logits.ndim))  # dice over batch and space, per class
    probs, cache = ops.sigmoid_forward(logits)
    loss = float(loss_fns.soft_dice_loss(y, probs, axis=axes))
    ddice = loss_fns.soft_dice_loss_grad(y, probs, axis=axes)
    dlogits = ops.sigmoid_backward(ddice, cache)
    if bce_weight:
        # mean BCE over every voxel and class: rows are voxels, columns classes
        k = logits.shape[1]
        z_rows = np.moveaxis(logits, 1, -1).reshape(-1, k)
        y_rows = np.moveaxis(y, 1, -1).reshape(-1, k)
        bce = loss_fns.weighted_bce_with_logits(y_rows, z_rows, 1.0, 1.0) / k
        dbce = loss_fns.weighted_bce_with_logits_grad(y_rows, z_rows, 1.0, 1.0) / k
        loss += bce_weight * float(bce)
        d_rows = bce_weight * dbce
        shape = (logits.shape[0], *logits.shape[2:], k)
        dlogits = dlogits + np.moveaxis(d_rows.reshape(shape), -1, 1)
    return loss, dlogits.astype(logits.dtype, copy=False)


# --- prediction and scores ----------------------------------------------------
def predict_volume(model, image, patch, *, batch_size=2):
    """Return (3, X, Y, Z) float32 probabilities of a standardised (X, Y, Z, 4) volume.

    Overlapping tiles of ``patch`` (`predict_tiled`, overlap 0.25) in evaluation
    mode; the logits are averaged where tiles overlap, then the sigmoid. A 2D
    model (``hparams["ndim"] == 2``) predicts z-slices: tiles ``(px, py, 1)``.
    """
    channels_first = np.moveaxis(np.asarray(image, np.float32), -1, 0)
    if model.hparams["ndim"] == 2:
        patch, batch_size = (*patch[:2], 1), batch_size * patch[2]

        def predict_fn(batch):
            return predict(model, batch[..., 0], batch_size=batch_size)[..., None]
    else:

        def predict_fn(batch):
            return predict(model, batch, batch_size=batch_size)

    logits = predict_tiled(predict_fn, channels_first, patch, batch_size=batch_size)
    return ops.sigmoid(logits.astype(np.float32))


def score_volumes(labels, probabilities, threshold=0.5):
    """Return per-class dice, sensitivity, specificity over whole volumes.

    Parameters
    ----------
    labels : list of uint8 ndarray (X, Y, Z)
        BraTS label maps (0 to 3).
    probabilities : list of ndarray (3, X, Y, Z)
        Predicted probabilities of the three tumour classes.
    threshold : float
        ``pred = probability >= threshold``.

    Returns
    -------
    scores : dict
        ``{"dice": [3], "sensitivity": [3], "specificity": [3], "mean_dice": float}``,
        over the voxels of all volumes pooled; dice as `dice_coefficient`
        (epsilon 1e-5), sensitivity/specificity as `class_sens_spec`.

    Examples
    --------
    >>> label = np.array([1, 2, 3, 0]).reshape(4, 1, 1)
    >>> scores = score_volumes([label], [one_hot(label)])
    >>> scores["dice"], scores["mean_dice"]
    ([1.0, 1.0, 1.0], 1.0)
    """
    truth = np.concatenate([one_hot(label) for label in labels], axis=1)
    pred = np.concatenate([p >= threshold for p in probabilities], axis=1)
    pred = pred.astype(np.float32)
    dice = [
        float(dice_coefficient(truth[c : c + 1], pred[c : c + 1])) for c in range(3)
    ]
    sens_spec = [class_sens_spec(truth, pred, c) for c in range(3)]
    return {
        "dice": dice,
        "sensitivity": [float(s) for s, _ in sens_spec],
        "specificity": [float(s) for _, s in sens_spec],
        "mean_dice": float(np.mean(dice)),
    }


def format_scores(scores) -> str:
    """Return the per-class table of `score_volumes` as text."""
    lines = [f"{'class':<15}{'dice':>8}{'sensitivity':>13}{'specificity':>13}"]
    for c, name in enumerate(CLASS_NAMES):
        lines.append(
            f"{name:<15}{scores['dice'][c]:>8.3f}{scores['sensitivity'][c]:>13.3f}"
            f"{scores['specificity'][c]:>13.3f}"
        )
    return "\n".join(lines)


# --- pictures -----------------------------------------------------------------
def save_case_png(path, image, label, probs, title="") -> None:
    """Write FLAIR | ground truth | prediction at the slice with the most tumour."""
    z = int(np.argmax((label > 0).sum(axis=(0, 1))))
    flair = image[:, :, z, 0].T  # rows: y, columns: x
    truth = one_hot(label)[:, :, :, z].transpose(0, 2, 1)
    pred = (probs[:, :, :, z] >= 0.5).transpose(0, 2, 1)
    panels = [
        ("FLAIR", label_overlay(flair)),
        ("ground truth", label_overlay(flair, truth)),
        ("prediction", label_overlay(flair, pred)),
    ]
    save_panels(
        path, panels, f"{title} z={z}  (edema red, non-enhancing green, enhancing blue)"
    )


# --- training -----------------------------------------------------------------
def build_model(config: dict) -> UNet:
    """Build the U-Net of a run's ``config`` (``model``: small|course; ``ndim``)."""
    return UNet(
        4,
        3,
        ndim=config.get("ndim", 3),
        rng=np.random.default_rng([config["seed"], 10**6]),
        **MODELS[config["model"]],
    )


def _plane_patch(config) -> tuple[int, int, int]:
    """Return the sampled patch: the 3D patch, or one z-slice of it (2D model)."""
    px, py, pz = config["patch"]
    return (px, py, pz) if config.get("ndim", 3) == 3 else (px, py, 1)


def _config(args) -> dict:
    """Return the settings that define a run (saved in the checkpoint's metadata)."""
    keys = (
        "model",
        "size",
        "patch",
        "volumes",
        "heldout",
        "epochs",
        "patches",
        "batch_size",
        "lr",
        "bce",
        "seed",
    )
    config = {k: getattr(args, k, DEFAULTS[k]) for k in keys}
    config["size"], config["patch"] = list(config["size"]), list(config["patch"])
    depth = MODELS[config["model"]]["depth"]
    for p in config["patch"]:
        if p % 2 ** (depth - 1):
            shown = "x".join(map(str, config["patch"]))
            fail(
                "train brain-mri",
                f"--patch sizes divisible by {2 ** (depth - 1)} "
                f"for the {config['model']} model",
                shown,
            )
    return config


def train_model(config, images, labels, *, progress=True, max_minutes=None):
    """Train a fresh U-Net on patches of ``images``; return model, optimizer, losses."""
    rng = np.random.default_rng([config["seed"], 1])
    model = build_model(config)
    optimizer = Adam(model, lr=config["lr"])
    # a 2D model sees pz slices for each 3D patch: the same voxels per step
    planes = 1 if config.get("ndim", 3) == 3 else config["patch"][2]
    count, batch = config["patches"] * planes, config["batch_size"] * planes
    epochs, steps = config["epochs"], -(-count // batch)
    start, losses = time.monotonic(), []

    def loss_and_grad(logits, targets):
        return dice_bce_loss_and_grad(logits, targets, config["bce"])

    # progress=True: a bar when stderr is a terminal (tqdm's disable=None)
    with make_progress(epochs * steps, disable=None if progress else True) as bar:
        for epoch in range(epochs):
            # cosine decay of the learning rate to a tenth, fresh patches each epoch
            optimizer.lr = config["lr"] * (0.55 + 0.45 * np.cos(np.pi * epoch / epochs))
            x, y = sample_patches(images, labels, count, _plane_patch(config), rng=rng)
            if planes > 1:
                x, y = x[..., 0], y[..., 0]  # (N, C, px, py): 2D slices
            bar.set_description(f"epoch {epoch + 1}/{epochs}")
            losses.append(
                train_epoch(
                    model,
                    optimizer,
                    loss_and_grad,
                    x,
                    y,
                    batch_size=batch,
                    rng=rng,
                    progress=bar,
                )
            )
            if max_minutes is not None and time.monotonic() - start > 60 * max_minutes:
                break
    return model, optimizer, losses


def _heldout_report(model, config, out: Path, *, pictures=True) -> dict:
    """Predict the held-out cases, print the table, write PNGs; return the scores."""
    images, labels = make_volumes(
        config["heldout"], config["size"], seed=config["seed"], first=config["volumes"]
    )
    probs = [
        predict_volume(model, image, config["patch"], batch_size=config["batch_size"])
        for image in images
    ]
    scores = score_volumes(labels, probs)
    for i, (image, label, prob) in enumerate(zip(images, labels, probs, strict=True)):
        if pictures:
            save_case_png(out / f"heldout_{i}.png", image, label, prob, f"held-out {i}")
    print(confusion_report(labels, probs, out / "confusion_matrix.png"))
    print(format_scores(scores))
    return scores


def run(args) -> int:
    """``ai4md train brain-mri``: generate, train, evaluate, save; return 0."""
    with limit_blas_threads(getattr(args, "blas_threads", DEFAULTS["blas_threads"])):
        return _run(args)


def _run(args) -> int:
    config = _config(args)
    out = Path(getattr(args, "out", None) or DEFAULTS["out"])
    out.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    images, labels = make_volumes(
        config["volumes"], config["size"], seed=config["seed"]
    )
    model, optimizer, losses = train_model(
        config,
        images,
        labels,
        progress=not getattr(args, "no_progress", False),
        max_minutes=getattr(args, "max_minutes", None),
    )
    train_seconds = time.monotonic() - start
    print(
        f"trained {model.num_parameters():,} parameters for {len(losses)} epochs in "
        f"{train_seconds:.0f} s; loss {losses[0]:.4f} -> {losses[-1]:.4f}"
    )
    scores = _heldout_report(model, config, out)
    save_checkpoint(
        out / "brain_mri.h5",
        model,
        optimizer,
        task="brain-mri",
        config=config,
        losses=losses,
        scores=scores,
        epochs_run=len(losses),
    )
    print(f"checkpoint and pictures in {out}")
    print(f"held-out mean dice: {scores['mean_dice']:.3f}")
    return 0


def evaluate(args) -> int:
    """Re-score a checkpoint of `run` (``ai4md evaluate --checkpoint FILE``); return 0.

    The held-out cases are regenerated from the seed and sizes stored in the
    checkpoint; the last line printed is ``held-out mean dice: X.XXX``.
    """
    out = getattr(args, "out", None)
    path = Path(getattr(args, "checkpoint", None) or Path(out or ".") / "brain_mri.h5")
    if not path.is_file():
        fail(
            "evaluate brain-mri",
            "an existing checkpoint file",
            str(path),
            "Train first: ai4md train brain-mri --out DIR.",
            kind=FileNotFoundError,
        )
    config = _read_config(path)
    with limit_blas_threads(getattr(args, "blas_threads", DEFAULTS["blas_threads"])):
        return _evaluate(path, config, Path(out or path.parent))


def _evaluate(path, config, out) -> int:
    model = build_model(config)
    load_checkpoint(path, model)
    out.mkdir(parents=True, exist_ok=True)
    scores = _heldout_report(model, config, out, pictures=False)
    print(f"held-out mean dice: {scores['mean_dice']:.3f}")
    return 0


def _read_config(path) -> dict:
    """Read the ``config`` metadata of a checkpoint written by `run`."""
    import json

    import h5py

    with h5py.File(path, "r") as f:
        return json.loads(f["metadata"].attrs["config"])
