"""Patient splits, leakage checks, resampling, class weights, consensus, standardisation
and 2D augmentation (reference.data.splits/sampling/preprocess/augment2d)."""

import numpy as np
import pytest

from reference.data.augment2d import (
    adjust_contrast,
    horizontal_flip,
    random_augment,
    rotate_zoom,
    shift_image,
)
from reference.data.chestxray import sample_images_per_patient, sample_labels
from reference.data.preprocess import (
    apply_standardization,
    class_weights,
    compute_class_freqs,
    fit_standardization,
    majority_vote,
    standardize_per_image,
)
from reference.data.sampling import (
    balance_by_resampling,
    oversample_indices,
    undersample_indices,
)
from reference.data.splits import (
    check_for_leakage,
    patient_overlap,
    remove_overlapping_patients,
    split_by_patient,
)


def structured(ids):
    table = np.zeros(len(ids), dtype=[("Image", "U12"), ("PatientId", np.int64)])
    table["PatientId"] = ids
    return table


# ------------------------------------------------------------------ leakage


@pytest.mark.parametrize(
    "make",
    [
        lambda ids: {"PatientId": np.array(ids)},
        lambda ids: {"PatientId": list(ids)},
        structured,
    ],
    ids=["dict-of-arrays", "dict-of-lists", "structured"],
)
def test_check_for_leakage_on_table_kinds(make):
    assert check_for_leakage(make([1, 2, 3]), make([3, 4]), "PatientId") is True
    assert check_for_leakage(make([1, 2, 3]), make([4, 5]), "PatientId") is False
    assert patient_overlap(make([5, 1, 2, 3]), make([3, 5, 9]), "PatientId") == [3, 5]


def test_check_for_leakage_with_pandas():
    pd = pytest.importorskip("pandas")
    train = pd.DataFrame({"PatientId": [1, 2], "Image": ["a", "b"]})
    assert check_for_leakage(train, pd.DataFrame({"PatientId": [2]}), "PatientId")
    kept = remove_overlapping_patients(
        train, pd.DataFrame({"PatientId": [2]}), "PatientId"
    )
    assert kept["Image"].tolist() == ["a"]


def test_remove_overlapping_patients_keeps_the_table_kind():
    train = {"PatientId": np.array([1, 1, 2, 3]), "Image": np.array(list("abcd"))}
    kept = remove_overlapping_patients(train, {"PatientId": [1, 9]}, "PatientId")
    assert kept["Image"].tolist() == ["c", "d"]
    kept = remove_overlapping_patients(
        structured([1, 1, 2, 3]), structured([3]), "PatientId"
    )
    assert kept["PatientId"].tolist() == [1, 1, 2]
    assert not check_for_leakage(kept, structured([3]), "PatientId")


def test_leakage_errors_name_the_missing_column():
    with pytest.raises(
        KeyError,
        match="check_for_leakage: expected df1 with a column "
        "'PatientId', got columns \\['id'\\]",
    ):
        check_for_leakage({"id": [1]}, {"PatientId": [1]}, "PatientId")
    with pytest.raises(
        ValueError,
        match="expected df2 with a column 'PatientId', got columns \\['id'\\]",
    ):
        check_for_leakage(
            structured([1]), np.zeros(1, dtype=[("id", int)]), "PatientId"
        )


# ------------------------------------------------------------------ split_by_patient


@pytest.fixture(scope="module")
def realistic():
    """2000 images of NIH-like patients (long tail) with NIH-like findings."""
    rng = np.random.default_rng(5)
    index = sample_images_per_patient(2000, rng)
    return index + 100, sample_labels(index, rng)


def test_split_by_patient_properties(realistic):
    ids, labels = realistic
    parts = split_by_patient(ids, labels, (0.7, 0.15, 0.15), seed=0)
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(ids.size))
    owners = [set(ids[p].tolist()) for p in parts]
    assert not (owners[0] & owners[1] or owners[0] & owners[2] or owners[1] & owners[2])
    sizes = np.array([p.size for p in parts]) / ids.size
    np.testing.assert_allclose(sizes, [0.7, 0.15, 0.15], atol=0.03)
    for k in range(labels.shape[1]):
        n_patients = len(set(ids[labels[:, k] == 1].tolist()))
        if n_patients >= 3:  # rare findings still reach every split
            assert all(labels[p, k].sum() > 0 for p in parts), k
    # stratified: each split's prevalence of the common findings is close to the total
    common = labels.mean(axis=0) > 0.05
    for p in parts:
        np.testing.assert_allclose(
            labels[p][:, common].mean(axis=0), labels[:, common].mean(axis=0), atol=0.04
        )


def test_split_by_patient_is_seeded(realistic):
    ids, labels = realistic
    first = split_by_patient(ids, labels, seed=3)
    again = split_by_patient(ids, labels, seed=3)
    other = split_by_patient(ids, labels, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_split_without_labels_and_with_string_ids():
    ids = np.array(["a", "b", "b", "c", "d", "d", "d", "e"])
    train, test = split_by_patient(ids, fractions=(0.5, 0.5), seed=1)
    assert set(ids[train]).isdisjoint(ids[test]) and train.size + test.size == 8
    assert train.dtype == np.int64


@pytest.mark.parametrize(
    "kwargs, text",
    [
        ({"fractions": (0.5, 0.6)}, "positive numbers that add up to 1"),
        ({"fractions": (1.2, -0.2)}, "positive numbers that add up to 1"),
        ({"labels": np.zeros((3, 2))}, "labels with one row per patient id"),
        ({"labels": np.full((4, 1), 2)}, "binary labels 0/1"),
    ],
)
def test_split_errors(kwargs, text):
    with pytest.raises(ValueError, match=None) as info:
        split_by_patient(np.array([1, 1, 2, 3]), **kwargs)
    assert "split_by_patient" in str(info.value) and text in str(info.value)


# ------------------------------------------------------------------ resampling


def test_oversampling_repeats_only_minority_rows():
    y = np.array([0, 1, 0, 0, 0, 1, 0, 0])
    idx = oversample_indices(y, seed=0)
    assert idx.size == 12 and y[idx].sum() == 6
    counts = np.bincount(idx, minlength=8)
    assert np.all(counts[y == 0] == 1) and np.all(counts[y == 1] >= 1)
    np.testing.assert_array_equal(idx, oversample_indices(y, seed=0))
    assert np.all(np.diff(idx) >= 0)


def test_undersampling_keeps_every_minority_row_once():
    y = np.array([1, 1, 0, 1, 1, 1, 0, 1])  # here the negatives are the minority
    idx = undersample_indices(y, seed=1)
    assert idx.size == 4 and y[idx].sum() == 2 and len(set(idx.tolist())) == 4
    assert set(np.flatnonzero(y == 0)) <= set(idx.tolist())
    np.testing.assert_array_equal(balance_by_resampling(y, "under", 1), idx)


@pytest.mark.parametrize(
    "call, text",
    [
        (lambda: oversample_indices([1, 1, 1]), "y with both classes present"),
        (lambda: undersample_indices([[1, 0]]), "expected y with 1 dims"),
        (lambda: balance_by_resampling([1, 0], "sideways"), 'method "over" or "under"'),
    ],
)
def test_resampling_errors(call, text):
    with pytest.raises(ValueError, match=None) as info:
        call()
    assert text in str(info.value)


# ------------------------------------------------------------------ frequencies, weights


def test_class_freqs_and_weights_by_hand():
    labels = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1], [1, 0, 1]])
    pos, neg = compute_class_freqs(labels)
    np.testing.assert_allclose(pos, [0.8, 0.4, 0.8])
    np.testing.assert_allclose(neg, [0.2, 0.6, 0.2])
    w_pos, w_neg = class_weights(labels)
    np.testing.assert_allclose(w_pos * pos, w_neg * neg)  # equal contributions
    assert compute_class_freqs(labels.astype(np.float32))[0].dtype == np.float32
    with pytest.raises(
        ValueError, match="compute_class_freqs: expected labels with binary labels 0/1"
    ):
        compute_class_freqs([[0, 2]])


# ------------------------------------------------------------------ consensus


def test_majority_vote_with_ties_and_missing_votes():
    votes = np.array([[1, 1, 0], [1, 0, np.nan], [0, 0, 1], [1, -1, -1]])
    np.testing.assert_array_equal(majority_vote(votes), [1, 1, 0, 1])
    np.testing.assert_array_equal(majority_vote(votes, tie="negative"), [1, 0, 0, 1])
    three_d = np.stack([votes[:, :, None].repeat(2, axis=2)])[0]
    assert majority_vote(three_d).shape == (4, 2)
    with pytest.raises(ValueError, match="at least one vote per image"):
        majority_vote([[np.nan, -1]])
    with pytest.raises(ValueError, match='tie "positive" or "negative"'):
        majority_vote([[1]], tie="coin")


# ------------------------------------------------------------------ standardisation


def test_standardization_fit_on_train_apply_anywhere():
    rng = np.random.default_rng(0)
    train = rng.normal([1.0, -2.0], [2.0, 0.5], (50, 6, 6, 2)).transpose(0, 3, 1, 2)
    mean, std = fit_standardization(train)
    np.testing.assert_allclose(mean, train.transpose(1, 0, 2, 3).reshape(2, -1).mean(1))
    out = apply_standardization(train, mean, std)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), 1)
    test = train[:3] + 5.0  # a shifted test batch keeps its shift: no re-centring
    np.testing.assert_allclose(
        apply_standardization(test, mean, std), out[:3] + 5.0 / std[None, :, None, None]
    )
    constant = apply_standardization(np.ones((1, 1, 2, 2), np.float32), [1.0], [0.0])
    assert constant.dtype == np.float32 and np.all(constant == 0)
    per_image = standardize_per_image(train[:2])
    np.testing.assert_allclose(per_image.mean(axis=(2, 3)), 0, atol=1e-12)


def test_standardization_errors():
    with pytest.raises(ValueError, match="Add a channel axis"):
        fit_standardization(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="expected mean of shape \\(2,\\)"):
        apply_standardization(np.zeros((1, 2, 3, 3)), [0.0, 0.0, 0.0], [1.0, 1.0])


# ------------------------------------------------------------------ augmentation


def test_shift_image_by_hand():
    image = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(
        shift_image(image, 1, -1), [[0, 0, 0, 0], [1, 2, 3, 0], [5, 6, 7, 0]]
    )
    np.testing.assert_array_equal(shift_image(image, -5, 0), np.zeros((3, 4)))
    np.testing.assert_array_equal(shift_image(image, 0, 0), image)
    with pytest.raises(ValueError, match="whole numbers of pixels"):
        shift_image(image, 0.5, 0)


def test_contrast_and_flip():
    image = np.array([[[0.0, 1.0], [2.0, 3.0]], [[4.0, 4.0], [4.0, 6.0]]])
    out = adjust_contrast(image, 2.0)
    np.testing.assert_allclose(out.mean(axis=(1, 2)), image.mean(axis=(1, 2)))
    np.testing.assert_allclose(out.std(axis=(1, 2)), 2 * image.std(axis=(1, 2)))
    np.testing.assert_array_equal(horizontal_flip(image)[0], [[1, 0], [3, 2]])


def test_rotate_zoom_matches_exact_cases():
    image = np.random.default_rng(0).random((7, 7))
    np.testing.assert_allclose(rotate_zoom(image, 90.0), np.rot90(image), atol=1e-12)
    np.testing.assert_allclose(rotate_zoom(image, 0.0, shift=(1, 0))[1:], image[:-1])
    np.testing.assert_allclose(rotate_zoom(image), image)
    with pytest.raises(ValueError, match="zoom > 0"):
        rotate_zoom(image, zoom=0)


def test_random_augment_is_seeded_small_and_flip_is_opt_in():
    rng = np.random.default_rng(0)
    images = rng.random((6, 1, 16, 16)).astype(np.float32)
    first = random_augment(images, np.random.default_rng(1))
    again = random_augment(images, np.random.default_rng(1))
    assert first.dtype == np.float32 and first.shape == images.shape
    np.testing.assert_array_equal(first, again)
    identity = dict(
        max_rotation=0.0, max_shift=0.0, zoom_range=(1, 1), contrast_range=(1, 1)
    )
    np.testing.assert_allclose(
        random_augment(images, rng, **identity), images, atol=1e-6
    )
    flipped = random_augment(images, np.random.default_rng(2), flip=True, **identity)
    mirrored = [
        np.allclose(f, im[..., ::-1], atol=1e-6)
        for f, im in zip(flipped, images, strict=True)
    ]
    assert 0 < sum(mirrored) < 6
    with pytest.raises(TypeError, match="rng a numpy.random.Generator"):
        random_augment(images, 0)
