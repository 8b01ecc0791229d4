"""Tests for solutions/week1/transfer_learning.py (and data_exploration's figure).

Freezing through the Module API: the Adam optimizer must leave frozen
parameters untouched and update the head; a tiny run of the whole experiment
(seconds) keeps the pre-trained backbone's parameters.
"""

import numpy as np
import pytest

from reference.nn import DenseNet
from reference.optim import Adam
from reference.train import train_epoch
from solutions.week1.data_exploration import plot_exploration
from solutions.week1.transfer_learning import (
    count_parameters,
    freeze_backbone,
    freeze_backbone_names,
    transfer_learning_experiment,
)

TINY_ARCH = dict(block_config=(1, 1), growth_rate=4, num_init_features=8, bn_size=2)


def _tiny_model(seed=0):
    return DenseNet(**TINY_ARCH, num_classes=3, in_channels=1, rng=seed)


def _mse(logits, target):
    diff = logits - target
    return float((diff**2).mean()), 2 * diff / diff.size


def test_freeze_backbone_leaves_only_the_head_trainable():
    model = freeze_backbone(_tiny_model())
    names = list(model.named_parameters())
    assert list(model.trainable_parameters()) == [
        "classifier.weight",
        "classifier.bias",
    ]
    assert freeze_backbone_names(names) == list(model.trainable_parameters())
    shapes = {k: v.shape for k, v in model.named_parameters().items()}
    trainable, total = count_parameters(shapes, freeze_backbone_names(names))
    weight = model.classifier.params["weight"]
    assert trainable == weight.size + weight.shape[0]
    assert total == model.num_parameters()


def test_adam_skips_frozen_parameters_and_updates_the_head():
    rng = np.random.default_rng(0)
    model = freeze_backbone(_tiny_model())
    before = {k: v.copy() for k, v in model.named_parameters().items()}
    x = rng.standard_normal((8, 1, 16, 16)).astype(np.float32)
    y = rng.standard_normal((8, 3)).astype(np.float32)
    train_epoch(model, Adam(model, lr=1e-2), _mse, x, y, batch_size=4, rng=rng)
    after = model.named_parameters()
    changed = sorted(k for k in before if not np.array_equal(before[k], after[k]))
    assert changed == ["classifier.bias", "classifier.weight"]


def test_tiny_experiment_keeps_the_backbone_and_reports_aucs():
    result = transfer_learning_experiment(
        n_source=60,
        n_target=40,
        n_test=40,
        image_size=16,
        source_epochs=1,
        target_epochs=2,
        batch_size=16,
        seed=0,
        architecture=TINY_ARCH,
    )
    model, before = result["transfer_model"], result["before"]
    for name, param in model.named_parameters().items():
        if name.startswith("features."):
            np.testing.assert_array_equal(param, before[name], err_msg=name)
    # the new head (7 target findings) is what was trained
    assert model.classifier.params["weight"].shape[0] == 7
    assert result["trainable"] == model.classifier.params["weight"].size + 7
    assert result["total"] == model.num_parameters()
    for key in ("source_auc", "transfer_auc", "scratch_auc"):
        assert 0.0 <= result[key] <= 1.0


def test_plot_exploration_writes_a_png(tmp_path):
    from reference.data import (
        apply_standardization,
        fit_standardization,
        make_chest_xrays,
    )

    xrays = make_chest_xrays(40, image_size=16, seed=0)
    stats = fit_standardization(xrays.images)
    standardized = apply_standardization(xrays.images, stats.mean, stats.std)
    out = tmp_path / "exploration.png"
    figure = plot_exploration(
        xrays.labels, xrays.findings, xrays.patient_ids, xrays.images, standardized, out
    )
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(figure.axes) == 4
    assert np.mean(standardized) == pytest.approx(0.0, abs=1e-5)
