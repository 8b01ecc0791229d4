"""Scoring and pictures for `reference.tasks.chest_xray` (private helper).

Per-finding test metrics (AUC with a bootstrap interval; sensitivity,
specificity, PPV, NPV at the validation Youden threshold), the text and CSV
tables, and Grad-CAM figures.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from reference.metrics import (
    bootstrap_ci,
    npv,
    optimal_threshold,
    ppv,
    roc_auc_score,
    sensitivity,
    specificity,
)
from reference.ops import sigmoid
from reference.train import predict

__all__ = ["COLUMNS", "evaluate_model", "format_table", "save_gradcams", "write_tables"]


def _finding_row(name, y_true, prob, threshold, config) -> dict:
    """One row of the table: AUC with its interval and the thresholded rates."""
    n_pos = int(y_true.sum())
    row = dict(
        finding=name,
        n_pos=n_pos,
        n_neg=int(y_true.size - n_pos),
        threshold=float(threshold),
    )
    if 0 < n_pos < y_true.size:
        ci = bootstrap_ci(
            roc_auc_score, y_true, prob, config["bootstraps"], seed=config["seed"]
        )
        row.update(
            auc=float(ci.estimate), auc_low=float(ci.low), auc_high=float(ci.high)
        )
    else:
        row.update(auc=np.nan, auc_low=np.nan, auc_high=np.nan)
    pred = (prob >= threshold).astype(np.int64)
    for key, metric in (
        ("sensitivity", sensitivity),
        ("specificity", specificity),
        ("ppv", ppv),
        ("npv", npv),
    ):
        row[key] = float(metric(y_true, pred, zero_division=np.nan))
    return row


def _thresholds(y_val, prob_val) -> np.ndarray:
    """Youden-optimal threshold per finding on validation data (0.5 if undefined)."""
    out = np.full(y_val.shape[1], 0.5)
    for k in range(y_val.shape[1]):
        if 0 < y_val[:, k].sum() < len(y_val):
            out[k] = min(float(optimal_threshold(y_val[:, k], prob_val[:, k])), 1.0)
    return out


def evaluate_model(model, data, config) -> dict:
    """Score the test split; return the table rows, probabilities and the mean AUC.

    Returns
    -------
    result : dict
        ``"rows"`` (one dict per finding), ``"prob"`` (n_test, 14) test
        probabilities, ``"mean_auc"`` (over findings with at least
        ``config["min_positives"]`` positive test images) and ``"averaged"``
        (their names).
    """
    batch = max(config["batch_size"], 64)
    prob_val = sigmoid(predict(model, data["val"][0], batch_size=batch))
    prob = sigmoid(predict(model, data["test"][0], batch_size=batch))
    thresholds = _thresholds(data["val"][1], prob_val)
    y_test = data["test"][1]
    rows = [
        _finding_row(name, y_test[:, k], prob[:, k], thresholds[k], config)
        for k, name in enumerate(data["findings"])
    ]
    averaged = [
        r["finding"]
        for r in rows
        if r["n_pos"] >= config["min_positives"] and r["n_neg"] > 0
    ]
    aucs = [r["auc"] for r in rows if r["finding"] in averaged]
    mean_auc = float(np.mean(aucs)) if aucs else float("nan")
    return dict(rows=rows, prob=prob, mean_auc=mean_auc, averaged=averaged)


COLUMNS = (
    "finding",
    "n_pos",
    "n_neg",
    "auc",
    "auc_low",
    "auc_high",
    "threshold",
    "sensitivity",
    "specificity",
    "ppv",
    "npv",
)


def format_table(rows, averaged) -> str:
    """Return the per-finding table as aligned text (``*``: not in the mean)."""
    head = (
        f"{'finding':<19}{'pos':>5}{'neg':>6}  {'AUC [95% CI]':<21}"
        f"{'thresh':>7}{'sens':>7}{'spec':>7}{'PPV':>7}{'NPV':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        mark = "" if r["finding"] in averaged else "*"
        auc = f"{r['auc']:.3f} [{r['auc_low']:.3f}, {r['auc_high']:.3f}]"
        lines.append(
            f"{r['finding'] + mark:<19}{r['n_pos']:>5}{r['n_neg']:>6}  "
            f"{auc:<21}{r['threshold']:>7.3f}{r['sensitivity']:>7.3f}"
            f"{r['specificity']:>7.3f}{r['ppv']:>7.3f}{r['npv']:>7.3f}"
        )
    lines.append("* too few positive test images: not in the mean AUC")
    return "\n".join(lines)


def write_tables(rows, averaged, out: Path) -> None:
    """Write metrics.csv (full precision) and metrics.txt (the printed table)."""
    with open(out / "metrics.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({k: r[k] for k in COLUMNS} for r in rows)
    (out / "metrics.txt").write_text(format_table(rows, averaged) + "\n")


def _save_gradcam_figure(path, image, cam, title) -> None:
    """Write the image and its Grad-CAM overlay side by side."""
    import matplotlib.pyplot as plt

    from reference.viz_overlay import overlay_heatmap

    fig, axes = plt.subplots(1, 2, figsize=(6, 3.2))
    axes[0].imshow(image, cmap="gray")
    axes[0].set_title("test image")
    axes[1].imshow(overlay_heatmap(image, cam))
    axes[1].set_title("Grad-CAM")
    for ax in axes:
        ax.set_axis_off()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def save_gradcams(model, data, result, out: Path, top: int = 3) -> list[Path]:
    """Write Grad-CAM overlays for the ``top`` findings by test AUC.

    For each finding, the positive test image with the highest predicted
    probability is explained; the file is ``gradcam_<finding>.png``.
    """
    from reference.gradcam import gradcam

    x_test, y_test = data["test"]
    ranked = sorted(
        (r for r in result["rows"] if r["finding"] in result["averaged"]),
        key=lambda r: -r["auc"],
    )[:top]
    was_training = model.training
    model.eval()
    paths = []
    for row in ranked:
        k = data["findings"].index(row["finding"])
        # the most confident true positive of finding k
        candidates = np.flatnonzero(y_test[:, k] == 1)
        n = candidates[np.argmax(result["prob"][candidates, k])]
        cam = gradcam(model, x_test[n : n + 1], k)[0]
        path = out / f"gradcam_{row['finding']}.png"
        _save_gradcam_figure(
            path,
            x_test[n, 0],
            cam,
            f"{row['finding']} (p = {result['prob'][n, k]:.2f})",
        )
        paths.append(path)
    model.train(was_training)
    return paths
