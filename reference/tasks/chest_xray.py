"""``ai4md train chest-xray`` and its evaluation: a DenseNet on synthetic chest X-rays.

Public names: `add_arguments`, `run`, `evaluate`, `config_from_args`,
`build_model`, `prepare_data`, `make_loss`, `train_model`, `cosine_schedule`,
`blas_threads`, `DEFAULTS`, `SMALL_DENSENET`, `MIN_POSITIVES`. The scoring,
tables and Grad-CAM figures are in `reference.tasks._chest_xray_report`.

Pipeline (`run`):

1. generate the seeded synthetic data set (`reference.data.make_chest_xrays`);
2. split it by patient into train / validation / test (no patient in two
   splits, rare findings stratified: `split_by_patient`);
3. standardise every image with the training mean and std;
4. train a DenseNet (a small one by default, `densenet121` on request) with the
   class-weighted BCE on logits (weights from the training frequencies) and
   Adam, under a progress bar;
5. evaluate on the test patients: per finding the AUC with a bootstrap 95%
   interval, and sensitivity, specificity, PPV, NPV at the threshold that
   maximises Youden's J on the validation patients; write ``metrics.csv``,
   ``metrics.txt``, ``roc.png`` (and PR, calibration), Grad-CAM overlays and
   the HDF5 checkpoint ``chest_xray.h5`` (model, optimizer, config, metrics).

The last line printed is ``test mean AUC: X.XXX``: the mean test AUC over the
findings with at least `MIN_POSITIVES` positive test images. `evaluate` rebuilds
the same data from the seed stored in the checkpoint and prints the same line.

``--compare-loss`` trains two models instead, from the same initial weights on
the same minibatches: one with the weighted loss, one with plain (unweighted)
BCE, for `COMPARE_EPOCHS` epochs each unless ``--epochs`` says otherwise (two
trainings in the time of one). It prints their test AUC and their sensitivity
at the threshold 0.5 side by side per finding, with the means over the rare
and the common findings, and writes ``compare_loss.csv`` and
``compare_loss.txt`` (see `reference.tasks._chest_xray_compare`).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from reference._validation import fail
from reference.runtime import limit_blas_threads as blas_threads

# the heavy imports (Numba kernels, h5py, matplotlib) happen inside the
# functions, so that building the `ai4md` command line stays fast

__all__ = [
    "COMPARE_EPOCHS",
    "DEFAULTS",
    "MIN_POSITIVES",
    "SMALL_DENSENET",
    "add_arguments",
    "blas_threads",
    "build_model",
    "config_from_args",
    "cosine_schedule",
    "evaluate",
    "make_loss",
    "prepare_data",
    "run",
    "train_model",
]

TASK = "chest-xray"
CHECKPOINT_NAME = "chest_xray.h5"
MIN_POSITIVES = 10  # default: findings with fewer positive test images not averaged
SPLIT_FRACTIONS = (0.7, 0.15, 0.15)  # train, validation, test (share of images)

# a DenseNet-BC small enough to train on two CPU cores in minutes
SMALL_DENSENET = dict(
    block_config=(2, 2, 2), growth_rate=12, num_init_features=16, bn_size=4
)

DEFAULTS = dict(
    size=64,
    n_images=5000,
    epochs=12,
    batch_size=32,
    lr=3e-3,
    model="small",
    seed=0,
    bootstraps=1000,
    min_positives=MIN_POSITIVES,
    threads=1,
    out="runs/chest-xray",
    compare_loss=False,
)
COMPARE_EPOCHS = 6  # epochs of each of the two trainings of --compare-loss


def add_arguments(parser) -> None:
    """Add the options of ``ai4md train chest-xray`` to an argparse parser."""
    d = DEFAULTS
    parser.add_argument(
        "--size",
        type=int,
        default=d["size"],
        help=f"image side in pixels (default {d['size']})",
    )
    parser.add_argument(
        "--n-images",
        type=int,
        default=d["n_images"],
        help=f"images to generate (default {d['n_images']})",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help=f"passes over the training images (default {d['epochs']}; "
        f"{COMPARE_EPOCHS} per model with --compare-loss)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=d["batch_size"],
        help=f"images per step (default {d['batch_size']})",
    )
    parser.add_argument(
        "--lr",
        type=float,
        default=d["lr"],
        help=f"Adam's learning rate (default {d['lr']:g})",
    )
    parser.add_argument(
        "--model",
        choices=("small", "densenet121"),
        default=d["model"],
        help="network (default small)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=d["seed"],
        help="seeds the data, the split and the weights (default 0)",
    )
    parser.add_argument(
        "--bootstraps",
        type=int,
        default=d["bootstraps"],
        help="bootstrap rounds of the AUC intervals (default 1000)",
    )
    parser.add_argument(
        "--min-positives",
        type=int,
        default=d["min_positives"],
        help="positive test images a finding needs to enter the "
        f"mean AUC (default {d['min_positives']})",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=d["threads"],
        help="BLAS threads (default 1: on a busy machine more "
        "threads wait for each other; 0 keeps the library's)",
    )
    parser.add_argument(
        "--out", default=d["out"], help=f"output folder (default {d['out']})"
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="hide the progress bar"
    )
    parser.add_argument(
        "--compare-loss",
        action="store_true",
        help="train with the weighted and with the unweighted BCE "
        "(same data, weights and batches) and print both",
    )


def config_from_args(args) -> dict:
    """Return the run's configuration (JSON-ready) from parsed arguments.

    Missing attributes (and ``epochs=None``) take their `DEFAULTS`; with
    ``compare_loss`` the default epochs are `COMPARE_EPOCHS`.

    Examples
    --------
    >>> import argparse
    >>> config_from_args(argparse.Namespace(epochs=1))["epochs"]
    1
    >>> config_from_args(argparse.Namespace(compare_loss=True))["epochs"]
    6
    """
    config = {key: getattr(args, key, default) for key, default in DEFAULTS.items()}
    if getattr(args, "epochs", None) is None:
        config["epochs"] = (
            COMPARE_EPOCHS if config["compare_loss"] else DEFAULTS["epochs"]
        )
    return config


def build_model(config):
    """Return the configured DenseNet: 1 input channel, 14 logits, float32."""
    from reference.data import FINDINGS
    from reference.nn import DenseNet, densenet121

    if config["model"] == "densenet121":
        return densenet121(len(FINDINGS), in_channels=1, rng=config["seed"])
    return DenseNet(
        **SMALL_DENSENET, num_classes=len(FINDINGS), in_channels=1, rng=config["seed"]
    )


def prepare_data(config) -> dict:
    """Generate, split by patient and standardise the data set of ``config``.

    Returns
    -------
    data : dict
        ``"train"``, ``"val"``, ``"test"``: ``(x, y)`` with x (n, 1, S, S)
        float32 standardised with the training statistics and y (n, 14) int64;
        ``"patients"``: the patient ids of each split; ``"findings"``: names;
        ``"mean"``, ``"std"``: the training statistics.
    """
    from reference.data import (
        apply_standardization,
        fit_standardization,
        make_chest_xrays,
        split_by_patient,
    )

    xrays = make_chest_xrays(
        config["n_images"], image_size=config["size"], seed=config["seed"]
    )
    splits = split_by_patient(
        xrays.patient_ids, xrays.labels, SPLIT_FRACTIONS, seed=config["seed"]
    )
    # training statistics only: the test images must not leak into preprocessing
    stats = fit_standardization(xrays.images[splits[0]])
    images = apply_standardization(xrays.images, stats.mean, stats.std)
    data = {
        name: (images[idx].astype(np.float32), xrays.labels[idx])
        for name, idx in zip(("train", "val", "test"), splits, strict=True)
    }
    data["patients"] = {
        name: xrays.patient_ids[idx]
        for name, idx in zip(("train", "val", "test"), splits, strict=True)
    }
    data.update(findings=list(xrays.findings), mean=stats.mean, std=stats.std)
    return data


def cosine_schedule(optimizer, lr, epochs):
    """Return ``on_epoch_end(epoch, loss)`` setting a cosine-decayed learning rate.

    After epoch e (from 1) of E the rate is ``lr * (1 + cos(pi * e / E)) / 2``,
    so it falls smoothly from ``lr`` towards 0 by the last epoch.
    """

    def on_epoch_end(epoch, loss):
        optimizer.lr = lr * 0.5 * (1 + np.cos(np.pi * epoch / epochs))

    return on_epoch_end


def make_loss(train_labels, weighted=True):
    """Return ``loss_and_grad(logits, y) -> (loss, dlogits)``: weighted BCE on logits.

    The weights come from the training frequencies (``pos_weights = freq_neg``,
    ``neg_weights = freq_pos``), so positives and negatives of every finding
    weigh the same in total. ``weighted=False`` gives plain BCE with every
    weight 0.5 (the two weights of a finding sum to 1 either way).
    """
    from reference.data import class_weights
    from reference.losses import (
        weighted_bce_with_logits,
        weighted_bce_with_logits_grad,
    )

    pos, neg = (w.astype(np.float32) for w in class_weights(train_labels))
    if not weighted:
        pos, neg = np.full_like(pos, 0.5), np.full_like(neg, 0.5)

    def loss_and_grad(logits, targets):
        targets = targets.astype(logits.dtype)
        loss = weighted_bce_with_logits(targets, logits, pos, neg)
        return loss, weighted_bce_with_logits_grad(targets, logits, pos, neg)

    return loss_and_grad


def train_model(config, data, *, weighted=True, show_progress=None):
    """Train a fresh model on ``data["train"]``; return (model, optimizer, losses).

    Adam with the cosine schedule, minibatches drawn from
    ``default_rng(config["seed"])``: the same config gives the same initial
    weights and the same batches, whichever loss (``weighted``, `make_loss`).
    """
    from reference.optim import Adam
    from reference.train import fit

    model = build_model(config)
    optimizer = Adam(model, lr=config["lr"])
    losses = fit(
        model,
        optimizer,
        make_loss(data["train"][1], weighted=weighted),
        *data["train"],
        epochs=config["epochs"],
        batch_size=config["batch_size"],
        rng=np.random.default_rng(config["seed"]),
        show_progress=show_progress,
        on_epoch_end=cosine_schedule(optimizer, config["lr"], config["epochs"]),
    )
    return model, optimizer, losses


def _report(model, data, config, out: Path) -> dict:
    """Evaluate, print the table, write tables and figures; return the result."""
    from reference.tasks._chest_xray_report import (
        evaluate_model,
        format_table,
        save_gradcams,
        write_tables,
    )
    from reference.viz import save_evaluation_figures

    out.mkdir(parents=True, exist_ok=True)
    result = evaluate_model(model, data, config)
    write_tables(result["rows"], result["averaged"], out)
    print(format_table(result["rows"], result["averaged"]))
    # figures: only findings with both classes among the test images
    y_test = data["test"][1]
    both = np.flatnonzero((y_test.min(axis=0) == 0) & (y_test.max(axis=0) == 1))
    figures = save_evaluation_figures(
        y_test[:, both],
        result["prob"][:, both],
        out,
        names=[data["findings"][k] for k in both],
    )
    figures += save_gradcams(model, data, result, out)
    print("wrote " + ", ".join(str(p) for p in figures))
    return result


def _summary(result) -> dict:
    """Return the JSON-ready metrics stored in the checkpoint."""
    from reference.tasks._chest_xray_report import COLUMNS

    return dict(
        mean_auc=result["mean_auc"],
        averaged=result["averaged"],
        rows=[{k: r[k] for k in COLUMNS} for r in result["rows"]],
    )


def run(args) -> int:
    """Train and evaluate the chest X-ray model (``ai4md train chest-xray``).

    Parameters
    ----------
    args : argparse.Namespace
        Options of `add_arguments` (missing ones take `DEFAULTS`).

    Returns
    -------
    exit_code : int
        0 on success. The last line printed is ``test mean AUC: X.XXX``.
    """
    with blas_threads(getattr(args, "threads", DEFAULTS["threads"])):
        return _run(args)


def _run(args) -> int:
    """Do `run`'s work (under the BLAS thread limit)."""
    from reference.checkpoint import save_checkpoint

    config = config_from_args(args)
    out = Path(config["out"])
    start = time.perf_counter()
    data = prepare_data(config)
    print(
        f"data: {len(data['train'][0])} train / {len(data['val'][0])} val / "
        f"{len(data['test'][0])} test images ({config['size']}x{config['size']}), "
        f"patient-disjoint, {time.perf_counter() - start:.1f} s"
    )
    show = False if getattr(args, "no_progress", False) else None
    if config["compare_loss"]:
        return _compare(config, data, out, show)

    model, optimizer, losses = train_model(config, data, show_progress=show)
    print(
        f"trained {model.num_parameters()} parameters, {config['epochs']} epochs, "
        f"final loss {losses[-1]:.4f}, {time.perf_counter() - start:.1f} s"
    )

    # evaluate on the test patients, then save everything
    result = _report(model, data, config, out)
    path = out / CHECKPOINT_NAME
    save_checkpoint(
        path,
        model,
        optimizer,
        task=TASK,
        config=config,
        losses=losses,
        metrics=_summary(result),
        standardization=dict(mean=data["mean"], std=data["std"]),
    )
    print(f"checkpoint: {path}")
    print(f"test mean AUC: {result['mean_auc']:.3f}")
    return 0


def _compare(config, data, out: Path, show) -> int:
    """Do `run`'s work for ``--compare-loss``: train both losses, print, write."""
    from reference.tasks._chest_xray_compare import (
        compare_losses,
        format_comparison,
        write_comparison,
    )

    rows = compare_losses(config, data, show_progress=show)
    text = format_comparison(rows, config["min_positives"])
    print(text)
    write_comparison(rows, text, out)
    print(f"comparison: {out / 'compare_loss.csv'}")
    return 0


def _read_config(path: Path) -> dict:
    """Read the ``config`` stored in a chest X-ray checkpoint (defaults filled in)."""
    from reference.tasks import checkpoint_task

    if not path.is_file():
        fail(
            "evaluate",
            "--checkpoint naming an existing file",
            f"{str(path)!r}",
            "Train first: ai4md train chest-xray --out DIR.",
        )
    if checkpoint_task(path) != TASK:
        fail(
            "evaluate",
            f"a {TASK} checkpoint",
            f"a {checkpoint_task(path)} checkpoint in {str(path)!r}",
        )
    import h5py

    with h5py.File(path, "r") as f:
        return {**DEFAULTS, **json.loads(f["metadata"].attrs["config"])}


def evaluate(args) -> int:
    """Re-evaluate a checkpoint written by `run` (``ai4md evaluate --checkpoint``).

    The data set is rebuilt from the seed and sizes stored in the checkpoint;
    outputs go to ``args.out`` if given, else next to the checkpoint. The last
    line printed is ``test mean AUC: X.XXX``.
    """
    from reference.checkpoint import load_checkpoint

    path = Path(args.checkpoint)
    config = _read_config(path)
    model = build_model(config)
    load_checkpoint(path, model)
    out = Path(getattr(args, "out", None) or path.parent)
    with blas_threads(getattr(args, "threads", DEFAULTS["threads"])):
        data = prepare_data(config)
        result = _report(model, data, config, out)
    print(f"test mean AUC: {result['mean_auc']:.3f}")
    return 0
