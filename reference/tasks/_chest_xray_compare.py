"""Weighted versus unweighted BCE on one data set (``train chest-xray --compare-loss``).

Private helper of `reference.tasks.chest_xray`. Two DenseNets start from the
same weights and see the same minibatches in the same order; they differ only
in the loss:

- weighted: the course's class-weighted BCE, ``pos_weights = freq_neg`` and
  ``neg_weights = freq_pos`` from the training labels (`make_loss`);
- unweighted: plain BCE, every example weighing ``0.5`` (so each finding's two
  weights sum to 1 in both losses and Adam sees gradients of the same scale).

Both are scored on the same test patients: AUC per finding (ranking: does the
loss change what the network learns?) and sensitivity at the fixed threshold
0.5 (calibration: does it change which images get flagged?). Rare findings are
those with an NIH prevalence below `RARE_PREVALENCE`.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np

__all__ = ["RARE_PREVALENCE", "compare_losses", "format_comparison", "write_comparison"]

RARE_PREVALENCE = 0.03  # NIH prevalence below 3 %: Cardiomegaly ... Pneumonia, Hernia
THRESHOLD = 0.5  # the same threshold for both models
_FIELDS = (
    "finding",
    "n_pos",
    "auc_weighted",
    "auc_unweighted",
    "sens_weighted",
    "sens_unweighted",
    "rare",
)


def _scores(model, data, config) -> tuple[np.ndarray, np.ndarray]:
    """Per-finding test AUC and sensitivity at `THRESHOLD` (NaN when undefined)."""
    from reference.metrics import roc_auc_score
    from reference.ops import sigmoid
    from reference.train import predict

    x_test, y_test = data["test"]
    prob = sigmoid(predict(model, x_test, batch_size=max(config["batch_size"], 64)))
    auc, sens = np.full(y_test.shape[1], np.nan), np.full(y_test.shape[1], np.nan)
    for k in range(y_test.shape[1]):
        positives = y_test[:, k] == 1
        if 0 < positives.sum() < len(y_test):
            auc[k] = roc_auc_score(y_test[:, k], prob[:, k])
            sens[k] = np.mean(prob[positives, k] >= THRESHOLD)
    return auc, sens


def compare_losses(config, data, *, show_progress=None) -> list[dict]:
    """Train with the weighted and the unweighted loss; return one row per finding.

    Parameters
    ----------
    config : dict
        The run's configuration (`reference.tasks.chest_xray.config_from_args`);
        ``epochs`` is the number of epochs of each of the two trainings.
    data : dict
        `reference.tasks.chest_xray.prepare_data`'s output.
    show_progress : None or bool
        Passed to `reference.train.fit`.

    Returns
    -------
    rows : list of dict
        Keys ``finding``, ``n_pos`` (positive test images), ``auc_weighted``,
        ``auc_unweighted``, ``sens_weighted``, ``sens_unweighted`` (at 0.5) and
        ``rare`` (NIH prevalence below `RARE_PREVALENCE`).
    """
    from reference.data.nih_stats import PREVALENCE
    from reference.tasks.chest_xray import train_model

    results = {}
    for weighted in (True, False):
        start = time.perf_counter()
        model, _, losses = train_model(
            config, data, weighted=weighted, show_progress=show_progress
        )
        results[weighted] = _scores(model, data, config)
        name = "weighted" if weighted else "unweighted"
        print(
            f"{name} BCE: {config['epochs']} epochs, final loss {losses[-1]:.4f}, "
            f"{time.perf_counter() - start:.1f} s"
        )
    y_test = data["test"][1]
    return [
        dict(
            finding=name,
            n_pos=int(y_test[:, k].sum()),
            auc_weighted=float(results[True][0][k]),
            auc_unweighted=float(results[False][0][k]),
            sens_weighted=float(results[True][1][k]),
            sens_unweighted=float(results[False][1][k]),
            rare=PREVALENCE[name] < RARE_PREVALENCE,
        )
        for k, name in enumerate(data["findings"])
    ]


def _mean(rows, key, keep) -> float:
    """Mean of ``key`` over the rows that ``keep`` accepts (NaN if none)."""
    values = [r[key] for r in rows if keep(r) and np.isfinite(r[key])]
    return float(np.mean(values)) if values else float("nan")


def format_comparison(rows, min_positives: int) -> str:
    """Return the side-by-side table and the rare/common means as text.

    Findings with fewer than ``min_positives`` positive test images are marked
    ``*`` and left out of the means (their AUC is too uncertain).
    """
    head = (
        f"{'finding':<20}{'pos':>5}  {'AUC weighted':>12}{'unweighted':>11}"
        f"{'diff':>8}  {'sens@0.5 w':>10}{'unw':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        mark = ("r" if r["rare"] else "") + ("" if r["n_pos"] >= min_positives else "*")
        lines.append(
            f"{r['finding'] + ' ' + mark:<20}{r['n_pos']:>5}  "
            f"{r['auc_weighted']:>12.3f}{r['auc_unweighted']:>11.3f}"
            f"{r['auc_weighted'] - r['auc_unweighted']:>+8.3f}  "
            f"{r['sens_weighted']:>10.3f}{r['sens_unweighted']:>7.3f}"
        )
    lines.append(
        f"r: rare (NIH prevalence < {RARE_PREVALENCE:.0%}); * fewer than "
        f"{min_positives} positive test images: not in the means"
    )
    for label, rare in (("rare", True), ("common", False)):

        def keep(r, rare=rare):
            return r["rare"] == rare and r["n_pos"] >= min_positives

        auc_w, auc_u, sens_w, sens_u = (_mean(rows, key, keep) for key in _FIELDS[2:6])
        lines.append(
            f"{label} findings: mean AUC weighted {auc_w:.3f}, unweighted "
            f"{auc_u:.3f}; mean sensitivity at {THRESHOLD} weighted {sens_w:.3f}, "
            f"unweighted {sens_u:.3f}"
        )
    return "\n".join(lines)


def write_comparison(rows, text: str, out: Path) -> None:
    """Write compare_loss.csv (full precision) and compare_loss.txt (the table)."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "compare_loss.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    (out / "compare_loss.txt").write_text(text + "\n")
