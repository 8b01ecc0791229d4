"""Synthetic chest X-rays: NIH statistics, determinism, separability, and file formats."""

import numpy as np
import pytest

from reference.data import nih_stats
from reference.data._xray_render import render_chest_xray, sample_anatomy
from reference.data.chestxray import (
    FINDINGS,
    LABEL_PRECISION,
    LABEL_RECALL,
    ChestXrays,
    latent_correlation,
    make_chest_xrays,
    sample_images_per_patient,
    sample_labels,
    sample_severity,
    text_mined_labels,
)
from reference.data.xray_io import (
    labels_from_table,
    load_chest_xrays,
    read_data_entry_csv,
    read_hdf5,
    read_label_csv,
    read_png,
    read_png_folder,
    save_chest_xrays,
    write_hdf5,
    write_png,
)

PREVALENCE = np.array([nih_stats.PREVALENCE[f] for f in FINDINGS])


@pytest.fixture(scope="module")
def small():
    return make_chest_xrays(40, image_size=32, seed=7)


# ------------------------------------------------------------------ the constants


def test_nih_constants_are_consistent():
    counts = np.array(nih_stats.COOCCURRENCE)
    assert counts.shape == (14, 14) and np.array_equal(counts, counts.T)
    assert np.array_equal(np.diag(counts), [nih_stats.POSITIVES[f] for f in FINDINGS])
    assert sum(nih_stats.LABELS_PER_IMAGE.values()) == nih_stats.N_IMAGES
    assert nih_stats.LABELS_PER_IMAGE[0] / nih_stats.N_IMAGES == pytest.approx(
        nih_stats.NO_FINDING_FRACTION, abs=1e-4
    )
    for f in FINDINGS:
        assert nih_stats.POSITIVES[f] / nih_stats.N_IMAGES == pytest.approx(
            nih_stats.PREVALENCE[f], abs=1e-5
        )
    assert sum(nih_stats.VIEW_POSITION.values()) == nih_stats.N_IMAGES


# ------------------------------------------------------------------ labels and patients


def test_labels_follow_the_nih_prevalence_and_cooccurrence():
    rng = np.random.default_rng(0)
    y = sample_labels(np.arange(100_000), rng)
    np.testing.assert_allclose(y.mean(axis=0), PREVALENCE, rtol=0.15, atol=6e-4)
    assert (y.sum(axis=1) == 0).mean() == pytest.approx(
        nih_stats.NO_FINDING_FRACTION, abs=0.02
    )
    both = (y.T @ y) / len(y)
    target = np.array(nih_stats.COOCCURRENCE) / nih_stats.N_IMAGES
    common = target > 0.005  # pairs frequent enough to estimate from 100k images
    np.testing.assert_allclose(both[common], target[common], rtol=0.15)
    corr = latent_correlation()
    assert np.all(np.linalg.eigvalsh(corr) > 0) and np.allclose(np.diag(corr), 1)


def test_follow_up_images_share_findings_more_than_strangers():
    rng = np.random.default_rng(1)
    index = np.repeat(np.arange(20_000), 2)  # two images per patient
    y = sample_labels(index, rng, prevalence=0.2)
    same = np.mean(y[0::2] == y[1::2])
    strangers = np.mean(y[0::2] == np.roll(y[1::2], 1, axis=0))
    assert same > strangers + 0.1
    independent = sample_labels(index, rng, prevalence=0.2, patient_correlation=0.0)
    assert np.mean(independent[0::2] == independent[1::2]) == pytest.approx(
        strangers, abs=0.02
    )


def test_images_per_patient_have_the_long_tail():
    rng = np.random.default_rng(2)
    index = sample_images_per_patient(300_000, rng, max_images_per_patient=184)
    counts = np.bincount(index)
    assert np.median(counts) == 1 and np.percentile(counts, 90) == pytest.approx(
        8, abs=1
    )
    assert counts.mean() == pytest.approx(nih_stats.IMAGES_PER_PATIENT["mean"], rel=0.1)
    assert np.mean(counts == 1) == pytest.approx(0.5682, abs=0.01)
    assert np.all(np.diff(index) >= 0) and counts.max() <= 184


def test_prevalence_override():
    y = sample_labels(
        np.arange(20_000), np.random.default_rng(3), prevalence={"Hernia": 0.3}
    )
    assert y[:, FINDINGS.index("Hernia")].mean() == pytest.approx(0.3, abs=0.02)
    with pytest.raises(ValueError, match="prevalence keys among"):
        sample_labels(np.arange(3), np.random.default_rng(0), prevalence={"Flu": 0.1})


def test_text_mined_labels_have_the_nih_error_rates():
    # NIH: labels "> 90 % accurate"; text mining precision and recall about 0.9
    assert LABEL_PRECISION == LABEL_RECALL == 0.9
    rng = np.random.default_rng(4)
    truth = sample_labels(np.arange(200_000), rng)
    labels = text_mined_labels(truth, rng)
    true_positive = (labels * truth).sum(axis=0)
    common = PREVALENCE > 0.01  # enough positives for a tight estimate
    precision = true_positive / labels.sum(axis=0)
    recall = true_positive / truth.sum(axis=0)
    np.testing.assert_allclose(precision[common], 0.9, atol=0.02)
    np.testing.assert_allclose(recall[common], 0.9, atol=0.02)
    # precision = recall: the labelled prevalence stays NIH's; rare stays rare
    np.testing.assert_allclose(labels.mean(axis=0), PREVALENCE, rtol=0.15, atol=6e-4)
    assert labels[:, FINDINGS.index("Hernia")].mean() < 0.004
    # perfect text mining changes nothing; bad rates are refused
    np.testing.assert_array_equal(
        text_mined_labels(truth[:50], rng, None, 1, 1), truth[:50]
    )
    with pytest.raises(ValueError, match="text_mined_labels: expected precision"):
        text_mined_labels(truth[:5], rng, precision=0)


def test_severity_is_mostly_mild_and_fades_the_signature():
    rng = np.random.default_rng(5)
    labels = (rng.random((20_000, 14)) < 0.3).astype(int)
    severity = sample_severity(labels, rng)
    assert np.all(severity[labels == 0] == 0)
    present = severity[labels == 1]
    assert present.min() >= 0.45 and present.max() <= 1
    assert np.median(present) == pytest.approx(0.67, abs=0.03)
    # the same patient and noise: a mild effusion differs less from the
    # healthy image than a textbook one
    anatomy = sample_anatomy(np.random.default_rng(0))
    effusion = np.array([name == "Effusion" for name in FINDINGS])

    def draw(labels, severity):
        return render_chest_xray(
            labels, anatomy, np.random.default_rng(1), 64, severity=severity
        )

    healthy = draw(0 * effusion, None)
    mild = draw(effusion, 0.3 * effusion)
    textbook = draw(effusion, 1.0 * effusion)
    assert 0 < np.abs(mild - healthy).sum() < 0.6 * np.abs(textbook - healthy).sum()


# ------------------------------------------------------------------ the generator


def test_generator_layout_and_determinism(small):
    assert small.images.shape == (40, 1, 32, 32) and small.images.dtype == np.float32
    assert small.images.min() >= 0 and small.images.max() <= 1
    assert small.labels.shape == (40, 14) and small.labels.dtype == np.int64
    assert small.image_names[0] == "00000001_000.png"
    for name, patient in zip(small.image_names, small.patient_ids, strict=True):
        assert int(name[:8]) == patient
    again = make_chest_xrays(40, image_size=32, seed=7)
    np.testing.assert_array_equal(again.images, small.images)
    np.testing.assert_array_equal(again.labels, small.labels)
    other = make_chest_xrays(40, image_size=32, seed=8)
    assert not np.array_equal(other.images, small.images)
    table = small.table()
    assert list(table)[0] == "Image" and list(table)[-1] == "PatientId"
    assert len(small.subset(np.arange(5))) == 5
    # the labels are the true findings seen through the text-miner's errors
    np.testing.assert_array_equal(again.true_labels, small.true_labels)
    np.testing.assert_array_equal(
        small.subset([3, 1]).true_labels, small.true_labels[[3, 1]]
    )
    clean = make_chest_xrays(
        40, image_size=32, seed=7, label_precision=1, label_recall=1
    )
    np.testing.assert_array_equal(clean.labels, clean.true_labels)


def test_large_images_render():
    data = make_chest_xrays(2, image_size=320, seed=0)
    assert data.images.shape == (2, 1, 320, 320)
    # lungs are darker than the mediastinum (midline) in the chest's middle rows
    rows = data.images[:, 0, 120:200]
    assert rows[:, :, 80:110].mean() < rows[:, :, 150:170].mean()


def test_findings_are_visually_separable():
    """A linear model on 16 x 16 pixels detects the larger signatures.

    Scored against the findings drawn (``true_labels``): what is tested here is
    that the signatures are visible, not the text-miner's errors.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    data = make_chest_xrays(
        400,
        image_size=32,
        seed=11,
        prevalence=0.3,
        patient_correlation=0.0,
        max_images_per_patient=1,
    )
    x = data.images[:, 0].reshape(-1, 16, 2, 16, 2).mean(axis=(2, 4)).reshape(400, -1)
    x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)
    train, test = slice(0, 280), slice(280, None)
    auc = {}
    for name in ("Cardiomegaly", "Edema", "Effusion", "Emphysema", "Hernia"):
        k = FINDINGS.index(name)
        y = data.true_labels[:, k]
        model = LogisticRegression(C=0.1, max_iter=200).fit(x[train], y[train])
        auc[name] = roc_auc_score(y[test], model.decision_function(x[test]))
    # mild emphysema (a little hyperinflation) is the hardest for a linear model
    assert min(auc.values()) > 0.65 and np.mean(list(auc.values())) > 0.8, auc


@pytest.mark.parametrize(
    "kwargs, text",
    [
        ({"n_images": 0}, "n_images a positive integer"),
        ({"n_images": 2, "image_size": 8}, "image_size an integer in [16, 512]"),
    ],
)
def test_generator_errors(kwargs, text):
    with pytest.raises(ValueError, match=None) as info:
        make_chest_xrays(**kwargs)
    assert text in str(info.value)


# ------------------------------------------------------------------ files


def test_png_roundtrip_is_8_bit(tmp_path):
    image = np.linspace(0, 1, 64).reshape(8, 8)
    write_png(tmp_path / "a.png", image)
    back = read_png(tmp_path / "a.png")
    assert back.dtype == np.float32 and back.shape == (8, 8)
    assert np.abs(back - image).max() <= 0.5 / 255 + 1e-6
    from matplotlib import image as mpimg

    mpimg.imsave(tmp_path / "rgba.png", image, cmap="gray", vmin=0, vmax=1)
    np.testing.assert_allclose(read_png(tmp_path / "rgba.png"), back, atol=1.5 / 255)


def test_dataset_roundtrips_through_csv_png_and_hdf5(tmp_path, small):
    save_chest_xrays(tmp_path, small)
    for csv_name in ("labels.csv", "Data_Entry_2017.csv"):
        back = load_chest_xrays(tmp_path / csv_name, tmp_path / "images")
        np.testing.assert_array_equal(back.labels, small.labels)
        np.testing.assert_array_equal(back.patient_ids, small.patient_ids)
        np.testing.assert_array_equal(back.image_names, small.image_names)
        assert np.abs(back.images - small.images).max() <= 0.5 / 255 + 1e-6
    h5 = read_hdf5(tmp_path / "chest_xrays.h5")
    np.testing.assert_array_equal(h5.images, small.images)
    np.testing.assert_array_equal(h5.sexes, small.sexes)
    picked = read_hdf5(tmp_path / "chest_xrays.h5", [7, 2, 2, 30])
    np.testing.assert_array_equal(picked.image_names, small.image_names[[7, 2, 2, 30]])
    resized = load_chest_xrays(tmp_path / "labels.csv", tmp_path / "images", 16)
    assert resized.images.shape == (40, 1, 16, 16)


def test_reads_the_real_nih_layout(tmp_path):
    text = (
        "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,"
        "View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]\n"
        "00000001_000.png,Cardiomegaly,0,1,58,M,PA,2682,2749,0.143,0.143\n"
        "00000001_001.png,Cardiomegaly|Emphysema,1,1,58,M,PA,2894,2729,0.143,0.143\n"
        "00000002_000.png,No Finding,0,2,81,M,PA,2500,2048,0.171,0.171\n"
    )
    path = tmp_path / "Data_Entry_2017.csv"
    path.write_text(text)
    table = read_data_entry_csv(path)
    labels = labels_from_table(table)
    assert labels.sum(axis=1).tolist() == [1, 2, 0]
    assert labels[1, FINDINGS.index("Emphysema")] == 1
    assert table["PatientId"].tolist() == [1, 1, 2]
    assert table["PatientAge"].tolist() == [58, 58, 81]
    path.write_text(text.replace("Emphysema", "Flu"))
    with pytest.raises(ValueError, match="'Flu'"):
        read_data_entry_csv(path)


def test_course_csv_reads_as_columns(tmp_path, small):
    save_chest_xrays(tmp_path, small, hdf5=False)
    table = read_label_csv(tmp_path / "labels.csv")
    assert table["PatientId"].dtype == np.int64 and table["Image"].dtype.kind == "U"
    assert not (tmp_path / "chest_xrays.h5").exists()
    with pytest.raises(ValueError, match="no such file"):
        read_png_folder(tmp_path / "images", ["missing.png"])


def test_hdf5_without_metadata(tmp_path):
    bare = ChestXrays(
        np.zeros((2, 1, 4, 4), np.float32),
        np.zeros((2, 14), np.int64),
        np.array([1, 2]),
        np.array(["a.png", "b.png"]),
    )
    write_hdf5(tmp_path / "x.h5", bare)
    back = read_hdf5(tmp_path / "x.h5")
    assert back.view_positions is None and back.image_names.tolist() == [
        "a.png",
        "b.png",
    ]
