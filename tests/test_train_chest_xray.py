"""Tests for reference.train (loops) and reference.tasks.chest_xray (end to end, tiny)."""

import argparse
import csv
import re

import numpy as np
import pytest

from reference.data import FINDINGS
from reference.nn import Linear
from reference.optim import SGD
from reference.tasks import checkpoint_task, evaluate_checkpoint, task_module
from reference.tasks import chest_xray as task
from reference.tasks._chest_xray_report import format_table
from reference.train import fit, iterate_minibatches, predict, train_epoch

LAST_LINE = re.compile(r"^test mean AUC: (\d\.\d{3})$")
TINY = dict(
    epochs=1,
    n_images=120,
    size=32,
    batch_size=16,
    bootstraps=50,
    min_positives=1,
    no_progress=True,
)


def _mse(out, target):
    diff = out - target
    return float((diff**2).mean()), 2 * diff / diff.size


# --- reference.train ------------------------------------------------------------
def test_iterate_minibatches_covers_every_index_once():
    batches = list(iterate_minibatches(10, 4, rng=np.random.default_rng(0)))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    plain = list(iterate_minibatches(5, 2, rng=None, shuffle=False))
    assert [b.tolist() for b in plain] == [[0, 1], [2, 3], [4]]


def test_iterate_minibatches_same_seed_same_order():
    a = np.concatenate(list(iterate_minibatches(9, 4, rng=np.random.default_rng(3))))
    b = np.concatenate(list(iterate_minibatches(9, 4, rng=np.random.default_rng(3))))
    np.testing.assert_array_equal(a, b)


def test_iterate_minibatches_errors():
    with pytest.raises(ValueError, match="iterate_minibatches: expected batch_size"):
        list(iterate_minibatches(4, 0, rng=np.random.default_rng(0)))
    with pytest.raises(TypeError, match="iterate_minibatches: expected rng"):
        list(iterate_minibatches(4, 2, rng=0))


def test_train_epoch_mean_loss_is_the_size_weighted_batch_mean():
    # lr = 0: the model never changes, so each batch loss is known in advance
    x = np.arange(5, dtype=np.float64)[:, None]
    y = np.zeros((5, 1))
    model = Linear(1, 1, rng=0, dtype=np.float64)
    w, b = model.params["weight"][0, 0], model.params["bias"][0]
    loss = train_epoch(
        model,
        SGD(model, lr=0.0),
        _mse,
        x,
        y,
        batch_size=2,
        rng=np.random.default_rng(0),
    )
    expected = np.mean((w * x[:, 0] + b) ** 2)  # per-sample mean = weighted batch mean
    assert loss == pytest.approx(expected, rel=1e-12)


def test_train_epoch_learns_and_applies_augment():
    x = np.array([[1.0], [2.0], [3.0]])
    y = 2 * x
    model = Linear(1, 1, rng=0, dtype=np.float64)
    opt, rng, seen = SGD(model, lr=0.05), np.random.default_rng(0), []

    def augment(xb, rng):
        seen.append(len(xb))
        return xb

    losses = [
        train_epoch(model, opt, _mse, x, y, batch_size=2, rng=rng, augment=augment)
        for _ in range(300)
    ]
    assert losses[-1] < 1e-3 < losses[0]
    assert seen[:2] == [2, 1]
    assert model.params["weight"][0, 0] == pytest.approx(2.0, abs=0.05)


def test_train_epoch_rejects_mismatched_rows():
    model = Linear(1, 1, rng=0)
    with pytest.raises(ValueError, match="train_epoch: expected y with 3 rows"):
        train_epoch(
            model,
            SGD(model, lr=0.1),
            _mse,
            np.ones((3, 1)),
            np.ones((2, 1)),
            batch_size=2,
            rng=np.random.default_rng(0),
        )


def test_predict_matches_one_forward_and_restores_mode():
    model = Linear(3, 2, rng=0)
    x = np.random.default_rng(1).standard_normal((7, 3)).astype(np.float32)
    out = predict(model, x, batch_size=3)
    np.testing.assert_allclose(out, model.forward(x), rtol=1e-6)
    assert out.dtype == np.float32 and model.training
    with pytest.raises(ValueError, match="predict: expected batch_size"):
        predict(model, x, batch_size=0)


def test_fit_returns_one_loss_per_epoch_and_calls_back():
    model = Linear(1, 1, rng=0, dtype=np.float64)
    calls = []
    losses = fit(
        model,
        SGD(model, lr=0.1),
        _mse,
        np.ones((4, 1)),
        np.ones((4, 1)),
        epochs=3,
        batch_size=2,
        rng=np.random.default_rng(0),
        show_progress=False,
        on_epoch_end=lambda e, v: calls.append(e),
    )
    assert len(losses) == 3 and calls == [1, 2, 3]


# --- reference.tasks.chest_xray ------------------------------------------------------
def test_make_loss_matches_the_weighted_formula():
    y = np.array([[1, 0], [0, 0], [1, 1], [0, 0]])
    logits = np.array([[0.5, -1.0], [0.0, 2.0], [1.0, 0.0], [-2.0, 0.3]], np.float32)
    loss, dlogits = task.make_loss(y)(logits, y)
    pos, neg = 1 - y.mean(0), y.mean(0)  # weights from the training frequencies
    p = 1 / (1 + np.exp(-logits.astype(np.float64)))
    expected = -(pos * y * np.log(p) + neg * (1 - y) * np.log(1 - p)).mean(0).sum()
    assert float(loss) == pytest.approx(expected, rel=1e-5)
    np.testing.assert_allclose(
        dlogits, (neg * (1 - y) * p - pos * y * (1 - p)) / 4, rtol=1e-5
    )
    assert dlogits.dtype == np.float32


def test_make_loss_unweighted_is_plain_bce_with_half_weights():
    y = np.array([[1, 0], [0, 0], [1, 1], [0, 0]])
    logits = np.array([[0.5, -1.0], [0.0, 2.0], [1.0, 0.0], [-2.0, 0.3]], np.float32)
    loss, dlogits = task.make_loss(y, weighted=False)(logits, y)
    p = 1 / (1 + np.exp(-logits.astype(np.float64)))
    expected = -0.5 * (y * np.log(p) + (1 - y) * np.log(1 - p)).mean(0).sum()
    assert float(loss) == pytest.approx(expected, rel=1e-5)
    np.testing.assert_allclose(dlogits, 0.5 * (p - y) / 4, rtol=1e-5)


def test_compare_loss_trains_both_and_prints_them_side_by_side(tmp_path, capsys):
    args = argparse.Namespace(
        **{**TINY, "min_positives": 2}, compare_loss=True, out=str(tmp_path)
    )
    assert task.config_from_args(argparse.Namespace(compare_loss=True))["epochs"] == (
        task.COMPARE_EPOCHS
    )
    assert task.run(args) == 0
    text = capsys.readouterr().out
    assert "weighted BCE: 1 epochs" in text and "unweighted BCE: 1 epochs" in text
    assert "AUC weighted" in text and "sens@0.5" in text
    assert re.search(
        r"^rare findings: mean AUC weighted (\d\.\d{3}|nan), "
        r"unweighted (\d\.\d{3}|nan)",
        text,
        re.M,
    )
    with open(tmp_path / "compare_loss.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["finding"] for r in rows] == list(FINDINGS)
    hernia = rows[FINDINGS.index("Hernia")]
    assert hernia["rare"] == "True" and rows[FINDINGS.index("Effusion")]["rare"] == (
        "False"
    )
    assert (tmp_path / "compare_loss.txt").read_text().strip() in text


def test_prepare_data_is_patient_disjoint_and_standardised():
    data = task.prepare_data(task.config_from_args(argparse.Namespace(**TINY)))
    patients = data["patients"]
    assert not set(patients["train"]) & set(patients["test"])
    assert not set(patients["train"]) & set(patients["val"])
    assert not set(patients["val"]) & set(patients["test"])
    x_train = data["train"][0]
    assert x_train.dtype == np.float32 and x_train.shape[1:] == (1, 32, 32)
    assert abs(float(x_train.mean())) < 1e-4
    assert float(x_train.std()) == pytest.approx(1.0, rel=1e-4)


def test_tiny_run_writes_outputs_and_evaluate_round_trips(tmp_path, capsys):
    out = tmp_path / "run"
    assert task.run(argparse.Namespace(**TINY, out=str(out))) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    match = LAST_LINE.match(last)
    assert match, last
    for name in ("metrics.csv", "metrics.txt", "roc.png", task.CHECKPOINT_NAME):
        assert (out / name).stat().st_size > 0, name
    assert list(out.glob("gradcam_*.png"))
    with open(out / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["finding"] for r in rows] == list(FINDINGS)

    # the checkpoint knows its task and re-evaluates to the same number
    checkpoint = out / task.CHECKPOINT_NAME
    assert checkpoint_task(checkpoint) == "chest-xray"
    assert task_module("chest-xray") is task
    again = tmp_path / "again"
    args = argparse.Namespace(checkpoint=str(checkpoint), out=str(again))
    assert evaluate_checkpoint(args) == 0
    last_again = capsys.readouterr().out.strip().splitlines()[-1]
    assert last_again == last
    assert (again / "metrics.csv").read_text() == (out / "metrics.csv").read_text()


def test_task_module_rejects_unknown_task():
    with pytest.raises(ValueError, match="task_module: expected a task in"):
        task_module("knee-mri")


def test_cosine_schedule_halves_midway_and_ends_at_zero():
    model = Linear(1, 1, rng=0)
    opt = SGD(model, lr=0.4)
    schedule = task.cosine_schedule(opt, 0.4, 4)
    rates = []
    for epoch in (1, 2, 3, 4):
        schedule(epoch, 0.0)
        rates.append(opt.lr)
    np.testing.assert_allclose(
        rates,
        [
            0.4 * (1 + np.cos(np.pi / 4)) / 2,
            0.2,
            0.4 * (1 - np.cos(np.pi / 4)) / 2,
            0.0,
        ],
        atol=1e-12,
    )


def test_format_table_marks_findings_left_out_of_the_mean():
    row = dict(
        finding="Hernia",
        n_pos=2,
        n_neg=98,
        auc=0.5,
        auc_low=0.4,
        auc_high=0.6,
        threshold=0.5,
        sensitivity=0.5,
        specificity=0.5,
        ppv=0.1,
        npv=0.9,
    )
    text = format_table([row, {**row, "finding": "Mass"}], averaged=["Mass"])
    lines = text.splitlines()
    assert lines[2].startswith("Hernia* ") and lines[3].startswith("Mass ")
    assert "0.500 [0.400, 0.600]" in lines[3]


def test_evaluate_rejects_a_missing_checkpoint(tmp_path):
    args = argparse.Namespace(checkpoint=str(tmp_path / "nope.h5"), out=None)
    with pytest.raises(ValueError, match="evaluate: expected --checkpoint naming"):
        task.evaluate(args)
