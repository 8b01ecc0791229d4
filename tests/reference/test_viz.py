"""Evaluation figures (reference.viz) and the synthetic prediction set behind them."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from reference import metrics as M
from reference.data.synthetic import FINDINGS, synthetic_predictions
from reference.viz import (
    draw_confusion_matrix,
    plot_calibration,
    plot_confusion_matrix,
    plot_precision_recall,
    plot_roc,
    save_confusion_matrix,
    save_evaluation_figures,
)

Y_TRUE = [0, 0, 1, 1]
Y_SCORE = [0.1, 0.4, 0.35, 0.8]  # AUC 3/4 (3 of 4 pairs ordered), AP 5/6


def legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


@pytest.fixture(scope="module")
def synthetic():
    return synthetic_predictions(seed=0)


def test_single_curves_have_metric_in_legend():
    assert legend_texts(plot_roc(Y_TRUE, Y_SCORE, label="model")) == [
        "model (AUC = 0.750)",
        "chance",
    ]
    assert legend_texts(plot_precision_recall(Y_TRUE, Y_SCORE))[0] == "AP = 0.833"
    # Brier = (0.01 + 0.16 + 0.4225 + 0.04) / 4 = 0.158125
    assert legend_texts(plot_calibration(Y_TRUE, Y_SCORE))[0] == "Brier = 0.158"


def test_plot_draws_on_given_axes_and_plots_the_curve():
    ax = Figure().add_subplot()
    assert plot_roc(Y_TRUE, Y_SCORE, ax=ax) is ax
    fpr, tpr, _ = M.roc_curve(Y_TRUE, Y_SCORE)
    line = ax.get_lines()[0]
    np.testing.assert_array_equal(line.get_xdata(), fpr)
    np.testing.assert_array_equal(line.get_ydata(), tpr)


def test_one_curve_per_finding(synthetic):
    y_true, y_score, names = synthetic
    aucs = M.roc_auc_score(y_true, y_score, average=None)
    texts = legend_texts(plot_roc(y_true, y_score, label=names))
    assert texts[:-1] == [
        f"{n} (AUC = {a:.3f})" for n, a in zip(names, aucs, strict=True)
    ]
    texts = legend_texts(plot_precision_recall(y_true, y_score, label=names))
    assert len(texts) == len(names) and all("AP = " in t for t in texts)
    ax = plot_calibration(y_true, y_score, label=names)
    assert len(legend_texts(ax)) == len(names) + 1
    # default labels for (N, K) input without names
    assert legend_texts(plot_roc(y_true[:, :2], y_score[:, :2]))[:2] == [
        f"finding 0 (AUC = {aucs[0]:.3f})",
        f"finding 1 (AUC = {aucs[1]:.3f})",
    ]


def test_save_evaluation_figures(tmp_path, synthetic):
    y_true, y_score, names = synthetic
    out = tmp_path / "new" / "figures"  # created on the way
    paths = save_evaluation_figures(y_true, y_score, out, names=names)
    assert [p.name for p in paths] == [
        "roc.png",
        "precision_recall.png",
        "calibration.png",
    ]
    for path in paths:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(data) > 20_000  # six curves and a legend, not a blank canvas


def test_viz_errors():
    with pytest.raises(
        ValueError,
        match=r"plot_roc: expected one label per "
        r"finding \(2\), got 3.",
    ):
        plot_roc([[0, 1], [1, 0]], [[0.1, 0.2], [0.3, 0.4]], label=["a", "b", "c"])
    with pytest.raises(
        ValueError,
        match=r"plot_calibration: expected y_true and "
        r"y_score of one shape",
    ):
        plot_calibration([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(
        ValueError, match="calibration_curve: expected y_prob with probabilities in"
    ):
        plot_calibration([0, 1], [-3.0, 2.0])


# ---------------------------------------------------------------- confusion matrix

SEG_TRUE = np.array([0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 3])
SEG_PRED = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 0, 3, 1])
BRATS = ["background", "edema", "non-enhancing", "enhancing"]


def test_plot_confusion_matrix_shows_the_normalised_matrix():
    ax = Figure().add_subplot()
    assert plot_confusion_matrix(SEG_TRUE, SEG_PRED, class_names=BRATS, ax=ax) is ax
    cm = M.confusion_matrix(SEG_TRUE, SEG_PRED, normalize="true")
    np.testing.assert_allclose(ax.images[0].get_array(), cm)
    # one text per cell, row by row: row 0 is 4/5 and 1/5 (see test_metrics_cases)
    texts = [t.get_text() for t in ax.texts]
    assert texts == [f"{v:.2f}" for v in cm.ravel()]
    assert texts[:4] == ["0.80", "0.20", "0.00", "0.00"]
    assert [t.get_text() for t in ax.get_yticklabels()] == BRATS
    assert [t.get_text() for t in ax.get_xticklabels()] == BRATS
    assert ax.get_xlabel() == "Predicted class" and ax.get_ylabel() == "True class"
    assert "each true class" in ax.get_title()


def test_plot_confusion_matrix_counts_and_default_names():
    # a (2, 6) label map is flattened; counts are drawn as integers
    ax = plot_confusion_matrix(
        SEG_TRUE.reshape(2, 6), SEG_PRED.reshape(2, 6), normalize=None
    )
    assert [t.get_text() for t in ax.texts][:4] == ["4", "1", "0", "0"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2", "3"]
    assert ax.get_title() == "Confusion matrix"
    # 0/1 input keeps both classes, even when one is absent
    ax = plot_confusion_matrix([0, 0, 0], [0, 1, 0])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1"]
    ax = plot_confusion_matrix(SEG_TRUE, SEG_PRED, labels=[3, 0])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["3", "0"]
    with pytest.raises(
        ValueError,
        match=r"plot_confusion_matrix: expected one class "
        r"name per class \(4\), got 2.",
    ):
        plot_confusion_matrix(SEG_TRUE, SEG_PRED, class_names=["a", "b"])


def test_draw_confusion_matrix_draws_a_matrix_counted_elsewhere():
    cm = M.confusion_matrix(SEG_TRUE, SEG_PRED, normalize="true")
    drawn = draw_confusion_matrix(cm, BRATS)
    plotted = plot_confusion_matrix(SEG_TRUE, SEG_PRED, class_names=BRATS)
    np.testing.assert_allclose(drawn.images[0].get_array(), cm)
    assert [t.get_text() for t in drawn.texts] == [t.get_text() for t in plotted.texts]
    assert drawn.get_title() == plotted.get_title()
    with pytest.raises(ValueError, match=r"expected a \(2, 2\) matrix.*\(4, 4\)"):
        draw_confusion_matrix(cm, ["a", "b"])


def test_save_confusion_matrix_writes_a_png(tmp_path):
    path = save_confusion_matrix(
        SEG_TRUE, SEG_PRED, tmp_path / "figs" / "cm.png", class_names=BRATS
    )
    assert path == tmp_path / "figs" / "cm.png"
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # 16 annotated cells and a colour bar, not a blank canvas


# ---------------------------------------------------------------- synthetic data


def test_synthetic_predictions_shapes_and_determinism(synthetic):
    y_true, y_score, names = synthetic
    assert y_true.shape == y_score.shape == (2000, len(FINDINGS)) == (2000, 6)
    assert y_true.dtype == np.int64 and y_score.dtype == np.float64
    assert names == [f.name for f in FINDINGS]
    assert set(np.unique(y_true)) == {0, 1}
    assert np.all((y_score > 0) & (y_score < 1))
    again = synthetic_predictions(seed=0)
    np.testing.assert_array_equal(again[0], y_true)
    np.testing.assert_array_equal(again[1], y_score)
    other = synthetic_predictions(seed=1)
    assert not np.array_equal(other[1], y_score)
    small = synthetic_predictions(n=10, seed=0)
    assert small[0].shape == (10, 6) and np.all(small[0].sum(axis=0) >= 1)


def test_synthetic_prevalences_and_aucs_in_range():
    targets_auc = np.array([f.auc for f in FINDINGS])
    targets_prev = np.array([f.prevalence for f in FINDINGS])
    assert 0.02 <= targets_prev.min() and targets_prev.max() <= 0.18
    for seed in range(3):
        y_true, y_score, _ = synthetic_predictions(seed=seed)
        # prevalence: exactly round(p n) positives per finding
        np.testing.assert_allclose(
            M.prevalence(y_true), np.round(targets_prev * 2000) / 2000
        )
        aucs = M.roc_auc_score(y_true, y_score, average=None)
        assert np.all(np.abs(aucs - targets_auc) < 0.06), aucs
        assert aucs.max() - aucs.min() > 0.12  # the findings differ in difficulty


def test_synthetic_miscalibration_directions(synthetic):
    y_true, y_score, names = synthetic
    mean_score = dict(zip(names, y_score.mean(axis=0), strict=True))
    prev = dict(zip(names, M.prevalence(y_true), strict=True))
    assert abs(mean_score["Atelectasis"] - prev["Atelectasis"]) < 0.01  # calibrated
    assert mean_score["Effusion"] > prev["Effusion"] + 0.04  # over-predicts
    assert mean_score["Mass"] < prev["Mass"] - 0.01  # under-predicts
    brier = dict(zip(names, M.brier_score(y_true, y_score), strict=True))
    # recalibrating Effusion with Platt scaling lowers its Brier score
    k = names.index("Effusion")
    logits = np.log(y_score[:, k] / (1 - y_score[:, k]))
    a, b = M.platt_fit(y_true[:, k], logits)
    assert (
        M.brier_score(y_true[:, k], M.platt_predict(logits, a, b)) < brier["Effusion"]
    )
