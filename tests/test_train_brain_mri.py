"""Tests for reference/tasks/brain_mri.py (``ai4md train brain-mri``), tiny settings."""

import argparse
import re
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from reference.nn import UNet
from reference.tasks import brain_mri as bm
from reference.tasks import evaluate_checkpoint
from reference.tasks._brain_mri_confusion import confusion_report, predicted_label_map

NIBABEL_DATA = Path(nib.__file__).parent / "tests" / "data"
TINY = [
    "--size",
    "32x32x16",
    "--patch",
    "16x16x8",
    "--volumes",
    "2",
    "--heldout",
    "1",
    "--epochs",
    "2",
    "--patches",
    "4",
    "--no-progress",
]


def _args(*extra):
    parser = argparse.ArgumentParser()
    bm.add_arguments(parser)
    return parser.parse_args([*TINY, *extra])


def test_run_writes_outputs_and_evaluate_reproduces_dice(tmp_path, capsys):
    assert bm.run(_args("--out", str(tmp_path))) == 0
    trained = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"held-out mean dice: [01]\.\d{3}", trained[-1])
    assert (tmp_path / "brain_mri.h5").is_file()
    assert (tmp_path / "heldout_0.png").stat().st_size > 1000
    assert (tmp_path / "confusion_matrix.png").stat().st_size > 1000
    matrix_rows = [line.split()[0] for line in trained[-10:-6]]
    assert matrix_rows == ["background", "edema", "non-enhancing", "enhancing"]
    # the table: header and one row per tumour class
    assert [line.split()[0] for line in trained[-6:-2]] == [
        "class",
        "edema",
        "non-enhancing",
        "enhancing",
    ]

    # reloading the checkpoint scores the same held-out cases identically
    # (through the task dispatcher, which reads the task from the checkpoint)
    args = argparse.Namespace(
        checkpoint=str(tmp_path / "brain_mri.h5"), out=str(tmp_path / "eval")
    )
    assert evaluate_checkpoint(args) == 0
    evaluated = capsys.readouterr().out.strip().splitlines()
    assert evaluated[-1] == trained[-1]
    assert evaluated[-5:-1] == trained[-6:-2]


def test_evaluate_missing_checkpoint(tmp_path):
    with pytest.raises(
        FileNotFoundError, match="evaluate brain-mri: .*existing checkpoint"
    ):
        bm.evaluate(argparse.Namespace(checkpoint=None, out=str(tmp_path)))


def test_bad_patch_and_shape_arguments(tmp_path):
    with pytest.raises(ValueError, match="divisible by 4 for the small model"):
        bm.run(_args("--out", str(tmp_path), "--patch", "16x16x6"))
    parser = argparse.ArgumentParser()
    bm.add_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--size", "32x32"])
    with pytest.raises(argparse.ArgumentTypeError, match="three sizes like 64x64x16"):
        bm._shape_arg("4xfoo")


def test_loss_gradient_matches_central_differences():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 3, 3, 2, 2))
    y = (rng.random(logits.shape) < 0.4).astype(np.float64)
    loss, dlogits = bm.dice_bce_loss_and_grad(logits, y, bce_weight=0.7)
    assert dlogits.dtype == np.float64
    numeric = np.zeros_like(logits)
    h = 1e-6
    for index in np.ndindex(logits.shape):
        up, down = logits.copy(), logits.copy()
        up[index] += h
        down[index] -= h
        numeric[index] = (
            bm.dice_bce_loss_and_grad(up, y, 0.7)[0]
            - bm.dice_bce_loss_and_grad(down, y, 0.7)[0]
        ) / (2 * h)
    np.testing.assert_allclose(dlogits, numeric, rtol=1e-5, atol=1e-8)
    # the value: batch-wide soft dice per class plus 0.7 times the mean BCE
    p = 1 / (1 + np.exp(-logits))
    dice = (2 * (y * p).sum(axis=(0, 2, 3, 4)) + 1e-5) / (
        (y**2).sum(axis=(0, 2, 3, 4)) + (p**2).sum(axis=(0, 2, 3, 4)) + 1e-5
    )
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()
    assert loss == pytest.approx(1 - dice.mean() + 0.7 * bce, rel=1e-10)
    # float32 stays float32
    assert (
        bm.dice_bce_loss_and_grad(logits.astype(np.float32), y)[1].dtype == np.float32
    )


def test_score_volumes_against_hand_counts():
    label = np.zeros((4, 1, 1), np.uint8)
    label[:, 0, 0] = [1, 1, 2, 0]
    probs = np.zeros((3, 4, 1, 1), np.float32)
    probs[0, :2, 0, 0] = [0.9, 0.2]  # edema: 1 of 2 found, no false positive
    probs[1, 2:, 0, 0] = [0.6, 0.7]  # non-enhancing: found, 1 false positive
    with pytest.warns(UserWarning, match="sensitivity of class 2 with no positive"):
        scores = bm.score_volumes([label], [probs])
    eps = 1e-5
    assert scores["dice"][0] == pytest.approx((2 + eps) / (3 + eps))
    assert scores["dice"][1] == pytest.approx((2 + eps) / (3 + eps))
    assert scores["dice"][2] == pytest.approx(1.0)  # empty in both
    assert scores["sensitivity"][:2] == [0.5, 1.0]
    assert scores["specificity"][:2] == [1.0, 2 / 3]
    assert np.isnan(scores["sensitivity"][2])  # no enhancing voxel at all
    assert scores["mean_dice"] == pytest.approx(np.mean(scores["dice"]))


def test_sample_patches_and_volumes():
    images, labels = bm.make_volumes(1, (32, 32, 16), seed=3)
    again, _ = bm.make_volumes(1, (32, 32, 16), seed=3)
    np.testing.assert_array_equal(images[0], again[0])
    x, y = bm.sample_patches(
        images,
        labels,
        5,
        (16, 16, 8),
        rng=np.random.default_rng(0),
        tumour_fraction=1.0,
    )
    assert x.shape == (5, 4, 16, 16, 8) and y.shape == (5, 3, 16, 16, 8)
    assert x.dtype == y.dtype == np.float32
    # every tumour patch holds at least 5 % tumour voxels
    assert (y.sum(axis=1).mean(axis=(1, 2, 3)) > 0.05).all()


def test_label_overlay_colours():
    masks = np.zeros((3, 1, 4))
    masks[0, 0, 0] = masks[1, 0, 1] = masks[2, 0, 2] = 1
    rgb = bm.label_overlay(np.array([[0.0, 0.0, 0.0, 2.0]]), masks, alpha=1.0)
    np.testing.assert_array_equal(rgb[0], [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]])


def test_real_volume_demo_on_nibabel_test_data(tmp_path):
    path = NIBABEL_DATA / "anatomical.nii"
    scaled, probs = bm.real_volume_demo(path, tmp_path / "real.png")
    assert (tmp_path / "real.png").stat().st_size > 1000
    # standardised independently: nibabel's canonical data, per z-slice
    data = nib.as_closest_canonical(nib.load(path)).get_fdata()
    mean = data.mean(axis=(0, 1))
    std = data.std(axis=(0, 1))
    expected = (data - mean) / np.where(std > 0, std, 1)
    np.testing.assert_allclose(scaled, expected, rtol=1e-4, atol=1e-4)
    assert scaled.dtype == np.float32 and probs.shape == (1, *data.shape)
    assert 0 <= probs.min() and probs.max() <= 1
    # a 4-channel model gets the volume on every channel; 4D files use volume 0
    model = UNet(4, 3, base_filters=2, depth=3, ndim=3, rng=0)
    _, probs4 = bm.real_volume_demo(
        NIBABEL_DATA / "example4d.nii.gz", tmp_path / "real4d.png", model
    )
    assert probs4.shape == (3, 128, 96, 24)


def test_compare_2d_3d_tiny():
    results = bm.compare_2d_3d(
        size=(32, 32, 16), patch=(16, 16, 8), volumes=1, epochs=1, patches=2
    )
    assert set(results) == {"2d", "3d"}
    for scores in results.values():
        assert 0 <= scores["mean_dice"] <= 1 and scores["seconds"] > 0


def test_predicted_label_map_takes_the_most_probable_class_above_threshold():
    p = np.zeros((3, 5, 1, 1))
    p[:, :, 0, 0] = [
        [0.9, 0.2, 0.3, 0.5, 0.6],
        [0.1, 0.7, 0.4, 0.5, 0.6],
        [0.0, 0.1, 0.2, 0.1, 0.7],
    ]
    # voxel 3: a tie goes to the first class; voxel 4: enhancing wins at 0.7
    assert predicted_label_map(p).ravel().tolist() == [1, 2, 0, 1, 3]
    assert predicted_label_map(p, threshold=0.75).ravel().tolist() == [1, 0, 0, 0, 0]
    with pytest.raises(ValueError, match=r"\(3, \.\.\.\)"):
        predicted_label_map(np.zeros((4, 2, 2)))


def test_confusion_report_matches_scikit_learn_and_writes_the_png(tmp_path):
    sk_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    labels = [rng.integers(0, 4, (6, 5, 4)).astype(np.uint8) for _ in range(2)]
    probs = [rng.random((3, 6, 5, 4)) for _ in range(2)]
    text = confusion_report(labels, probs, tmp_path / "cm.png")
    truth = np.concatenate([label.ravel() for label in labels])
    pred = np.concatenate([predicted_label_map(p).ravel() for p in probs])
    expected = sk_metrics.confusion_matrix(
        truth, pred, labels=[0, 1, 2, 3], normalize="true"
    )
    rows = [line.split()[1:] for line in text.splitlines()[2:]]
    assert np.allclose(np.array(rows, float), expected, atol=5e-4)
    assert (tmp_path / "cm.png").stat().st_size > 1000
