"""The synthetic BraTS generator, NIfTI (nibabel) and HDF5 patch I/O.

The readers are also tested on real MRI files shipped with nibabel's own test data
(``example4d.nii.gz``: a 4D int16 scan stored LAS; ``anatomical.nii``: a
big-endian int16 anatomical scan, also LAS), so they are checked against headers
we did not write.
"""

import json
import time
from pathlib import Path

import h5py
import nibabel as nib
import numpy as np
import pytest
from scipy import ndimage

from reference.data.brats import (
    LABELS,
    MODALITIES,
    make_brats_case,
    write_synthetic_brats,
)
from reference.data.nifti import (
    list_decathlon_cases,
    load_brats_folder,
    load_decathlon_case,
    load_label_nifti,
    load_nifti,
    load_patches_h5,
    save_nifti,
    save_patches_h5,
    write_decathlon_case,
)
from reference.data.subvolume import standardize

NIBABEL_DATA = Path(nib.__file__).parent / "tests" / "data"
SMALL = (48, 48, 32)
FLAIR, T1, T1GD, T2 = range(4)


@pytest.fixture(scope="module")
def case():
    return make_brats_case(SMALL, seed=0)


# ------------------------------------------------------------------- generator


def test_shapes_dtypes_and_layout(case):
    image, label = case
    assert image.shape == (*SMALL, 4) and image.dtype == np.float32
    assert label.shape == SMALL and label.dtype == np.uint8
    assert set(np.unique(label)) == {0, 1, 2, 3}
    assert MODALITIES == ("FLAIR", "T1w", "t1gd", "T2w")
    assert LABELS == {
        0: "background",
        1: "edema",
        2: "non-enhancing tumor",
        3: "enhancing tumour",
    }


def test_seeded_and_reproducible():
    a = make_brats_case((24, 24, 16), seed=5)
    b = make_brats_case((24, 24, 16), rng=np.random.default_rng(5))
    c = make_brats_case((24, 24, 16), seed=6)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


def test_skull_stripped_brain_with_tumour_inside(case):
    image, label = case
    brain = image[..., 0] > 0
    # every channel is 0 outside the same brain mask; the tumour lies inside it
    assert all(np.array_equal(image[..., m] > 0, brain) for m in range(4))
    assert np.all(brain[label > 0])
    assert 0.08 < brain.mean() < 0.3
    # one brain, no holes to the outside
    assert ndimage.label(brain)[1] == 1


def test_regions_are_nested(case):
    _, label = case
    # the tumour core (2 and 3) sits inside the edema: it barely touches healthy
    # tissue, and it is a single blob
    core = label >= 2
    grown_core = ndimage.binary_dilation(core) & (label == 0)
    assert grown_core.sum() < 0.05 * core.sum()
    assert ndimage.label(core)[1] == 1


def test_enhancing_rim_is_thin_and_open():
    # at 2.5 mm voxels: the rim (3) lies on the core's surface, 1 to 3 voxels
    # deep; where it is open, non-enhancing tumour (2) meets the edema (1)
    for seed in (0, 3):
        _, label = make_brats_case((96, 96, 62), seed=seed)
        core, rim = label >= 2, label == 3
        depth = ndimage.distance_transform_edt(core)  # voxels to the outside
        assert np.mean(depth[rim] <= 3) > 0.95
        assert rim.sum() < 0.6 * core.sum()
        meets_edema = ndimage.binary_dilation(label == 2) & (label == 1)
        assert meets_edema.sum() > 0


def _mean(image, mask, channel):
    return float(image[..., channel][mask].mean())


def test_contrast_per_modality_follows_brats(case):
    image, label = case
    healthy = (image[..., 0] > 0) & (label == 0)
    edema, core, rim = label == 1, label == 2, label == 3
    # edema is bright on FLAIR and T2
    assert _mean(image, edema, FLAIR) > 1.3 * _mean(image, healthy, FLAIR)
    assert _mean(image, edema, T2) > 1.1 * _mean(image, healthy, T2)
    # the enhancing rim is bright on T1-Gd; the core is dark there
    assert _mean(image, rim, T1GD) > _mean(image, healthy, T1GD)
    assert _mean(image, rim, T1GD) > 1.5 * _mean(image, core, T1GD)
    # on plain T1 the rim does not light up (no contrast agent): it is T1-Gd only
    assert _mean(image, rim, T1) < _mean(image, healthy, T1)
    assert _mean(image, core, T1) < 0.8 * _mean(image, healthy, T1)
    # look-alikes: some healthy voxels (veins, choroid plexus) enhance like the rim
    rim_level = np.median(image[..., T1GD][rim])
    assert np.sum(healthy & (image[..., T1GD] > rim_level)) > 0


def test_rim_enhancement_is_patchy_but_always_above_the_core():
    # the rim's T1-Gd contrast varies along the rim (strong here, faint there),
    # yet never drops to the non-enhancing tumour's level; other sequences are flat
    from reference.data import brats

    x, y, z = np.mgrid[-20:21, -20:21, -20:21]
    core = x**2 + y**2 + z**2 <= 18**2
    rim = core & (x**2 + y**2 + z**2 > 15**2)
    contrast = brats._tumour_contrast(
        core, rim, np.full(3, 18.0), np.random.default_rng(1)
    )
    t1gd_rim = contrast[T1GD][rim]
    assert np.percentile(t1gd_rim, 95) > 1.3 * np.percentile(t1gd_rim, 5)
    assert t1gd_rim.min() > contrast[T1GD][core & ~rim].max()
    for channel in (FLAIR, T1, T2):
        assert np.ptp(contrast[channel][rim]) == 0


def test_sizes_follow_a_typical_brats_case():
    # typical case: 98.75 % background; edema the largest class and the
    # enhancing rim, thin, the smallest
    counts = np.array(
        [
            np.bincount(make_brats_case((64, 64, 42), seed=s)[1].ravel(), minlength=4)
            for s in range(6)
        ]
    )
    background = np.median(counts[:, 0] / counts.sum(axis=1))
    shares = np.median(counts[:, 1:] / counts[:, 1:].sum(axis=1, keepdims=True), axis=0)
    assert 0.975 < background < 0.995
    np.testing.assert_allclose(shares, [0.55, 0.33, 0.1], atol=0.1)
    assert shares[0] > shares[1] > shares[2]
    # sizes vary between patients (log-normal): the largest tumour is much
    # bigger than the smallest, even on this coarse grid
    tumour = counts[:, 1:].sum(axis=1)
    assert tumour.max() > 1.8 * tumour.min()


def test_healthy_option_and_validation():
    image, label = make_brats_case((20, 20, 16), seed=1, tumour=False)
    assert not label.any() and image.max() > 0
    with pytest.raises(
        ValueError,
        match=r"make_brats_case: expected shape of 3 sizes "
        r"\(X, Y, Z\), each at least 16, got \(8, 8, 8\)",
    ):
        make_brats_case((8, 8, 8))


@pytest.mark.slow
def test_full_size_is_fast_and_realistic():
    start = time.perf_counter()
    image, label = make_brats_case(seed=3)
    seconds = time.perf_counter() - start
    assert image.shape == (240, 240, 155, 4)
    assert seconds < 10, f"{seconds:.1f} s"
    counts = np.bincount(label.ravel(), minlength=4)
    assert 0.97 < counts[0] / label.size < 0.995
    assert all(5_000 < c < 200_000 for c in counts[1:])


# --------------------------------------------------------------------- NIfTI


@pytest.mark.parametrize("dtype", [np.float32, np.int16, np.uint8])
@pytest.mark.parametrize("suffix", [".nii", ".nii.gz"])
def test_nifti_round_trip(tmp_path, dtype, suffix):
    data = np.arange(2 * 3 * 4).reshape(2, 3, 4).astype(dtype)
    path = save_nifti(tmp_path / f"a{suffix}", data)
    loaded, affine = load_nifti(path)
    assert loaded.dtype == np.float32 and np.array_equal(loaded, data)
    np.testing.assert_array_equal(affine, np.eye(4))
    assert nib.load(path).get_data_dtype() == dtype
    assert load_nifti(path, dtype=np.float64)[0].dtype == np.float64


def test_nifti_scaled_integers_are_returned_scaled(tmp_path):
    stored = np.arange(24, dtype=np.int16).reshape(2, 3, 4)
    image = nib.Nifti1Image(stored, np.eye(4))
    image.header.set_slope_inter(0.5, 10.0)
    nib.save(image, tmp_path / "scaled.nii.gz")
    data, _ = load_nifti(tmp_path / "scaled.nii.gz")
    np.testing.assert_allclose(data, stored * 0.5 + 10.0)


def test_nifti_is_reoriented_to_ras(tmp_path):
    data = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    # stored L-P-S (x runs to the left, y to the back): canonical flips x and y
    lps = np.diag([-2.0, -2.0, 3.0, 1.0])
    save_nifti(tmp_path / "lps.nii.gz", data, lps)
    canonical, affine = load_nifti(tmp_path / "lps.nii.gz")
    np.testing.assert_array_equal(canonical, data[::-1, ::-1, :])
    assert nib.aff2axcodes(affine) == ("R", "A", "S")
    # the same voxel lands on the same point in millimetres either way
    np.testing.assert_allclose(affine @ [0, 0, 1, 1], lps @ [1, 2, 1, 1])
    raw, raw_affine = load_nifti(tmp_path / "lps.nii.gz", canonical=False)
    np.testing.assert_array_equal(raw, data)
    np.testing.assert_array_equal(raw_affine, lps)
    # axes stored in another order (S, R, A) come back transposed
    sra = np.array([[0.0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1]])
    save_nifti(tmp_path / "sra.nii.gz", data, sra)
    np.testing.assert_array_equal(
        load_nifti(tmp_path / "sra.nii.gz")[0], data.transpose(1, 2, 0)
    )


def test_real_4d_scan_from_nibabel_test_data():
    path = NIBABEL_DATA / "example4d.nii.gz"
    stored = nib.load(path)
    assert nib.aff2axcodes(stored.affine) == ("L", "A", "S")
    assert stored.get_data_dtype() == np.int16
    data, affine = load_nifti(path)
    assert data.shape == (128, 96, 24, 2) and data.dtype == np.float32
    assert nib.aff2axcodes(affine) == ("R", "A", "S")
    np.testing.assert_array_equal(
        data, np.asarray(stored.dataobj)[::-1].astype(np.float32)
    )
    np.testing.assert_allclose(
        affine @ [0, 5, 7, 1], stored.affine @ [127, 5, 7, 1], atol=1e-4
    )

    # standardise it as a 2-channel image: each (channel, z) slice mean 0, std 1
    out = standardize(np.moveaxis(data, 3, 0))  # (2, 128, 96, 24)
    assert out.dtype == np.float64 and np.all(np.isfinite(out))
    np.testing.assert_allclose(out.mean(axis=(1, 2)), 0, atol=1e-9)
    std = out.std(axis=(1, 2))
    assert np.all(np.isclose(std, 1) | np.isclose(std, 0))


def test_real_big_endian_anatomical_scan():
    path = NIBABEL_DATA / "anatomical.nii"
    stored = nib.load(path)
    assert stored.get_data_dtype().byteorder == ">"
    data, affine = load_nifti(path)
    assert data.shape == (33, 41, 25) and nib.aff2axcodes(affine) == ("R", "A", "S")
    np.testing.assert_array_equal(data, np.asarray(stored.dataobj)[::-1])
    out = standardize(data[None])
    assert np.all(np.isfinite(out))


def test_label_reader(tmp_path):
    labels = np.array([0, 1, 2, 3, 1, 0, 2, 3]).reshape(2, 2, 2)
    save_nifti(tmp_path / "l.nii.gz", labels.astype(np.float32))
    loaded, _ = load_label_nifti(tmp_path / "l.nii.gz")
    assert loaded.dtype == np.uint8 and np.array_equal(loaded, labels)
    save_nifti(tmp_path / "l4.nii.gz", labels[..., None].astype(np.uint8))
    assert np.array_equal(load_label_nifti(tmp_path / "l4.nii.gz")[0], labels)
    save_nifti(tmp_path / "bad.nii.gz", labels + 0.5)
    with pytest.raises(
        ValueError,
        match=r"load_label_nifti: expected whole-number labels "
        r"in \[0, 255\] in bad.nii.gz, got values in "
        r"\[0.5, 3.5\] with fractions",
    ):
        load_label_nifti(tmp_path / "bad.nii.gz")
    with pytest.raises(
        FileNotFoundError, match="load_label_nifti: expected an existing"
    ):
        load_label_nifti(tmp_path / "missing.nii.gz")


def test_decathlon_layout_round_trip(tmp_path):
    names = write_synthetic_brats(tmp_path, 2, (24, 24, 16), seed=4)
    assert names == ["BRATS_001", "BRATS_002"]
    assert sorted(p.name for p in (tmp_path / "imagesTr").iterdir()) == [
        "BRATS_001.nii.gz",
        "BRATS_002.nii.gz",
    ]
    index = json.loads((tmp_path / "dataset.json").read_text())
    assert index["modality"] == {"0": "FLAIR", "1": "T1w", "2": "t1gd", "3": "T2w"}
    assert index["labels"]["3"] == "enhancing tumour" and index["numTraining"] == 2
    # the same seed gives the same cases, read back exactly
    rng = np.random.default_rng(4)
    expected = [make_brats_case((24, 24, 16), rng=rng) for _ in range(2)]
    for name, (image, label) in zip(names, expected, strict=True):
        loaded_image, loaded_label = load_decathlon_case(tmp_path, name)
        np.testing.assert_array_equal(loaded_image, image)
        np.testing.assert_array_equal(loaded_label, label)
    # without dataset.json the folder is listed; macOS "._" files are skipped
    (tmp_path / "dataset.json").unlink()
    (tmp_path / "imagesTr" / "._BRATS_001.nii.gz").write_bytes(b"resource fork")
    assert list_decathlon_cases(tmp_path) == names


def test_decathlon_mismatched_grids_are_refused(tmp_path):
    write_decathlon_case(tmp_path, "case", np.ones((3, 3, 2, 4)), np.zeros((3, 3, 2)))
    save_nifti(tmp_path / "labelsTr" / "case.nii.gz", np.zeros((3, 3, 3), np.uint8))
    with pytest.raises(
        ValueError,
        match=r"load_decathlon_case: expected image and label "
        r"of case on the same grid, got image "
        r"\(3, 3, 2, 4\) and label \(3, 3, 3\)",
    ):
        load_decathlon_case(tmp_path, "case")
    with pytest.raises(
        ValueError,
        match=r"write_decathlon_case: expected label of shape "
        r"\(3, 3, 2\)",
    ):
        write_decathlon_case(tmp_path, "x", np.ones((3, 3, 2, 4)), np.zeros((3, 3)))


def test_brats_challenge_folder_is_renumbered(tmp_path):
    rng = np.random.default_rng(0)
    for suffix in ("flair", "t1", "t1ce", "t2"):
        save_nifti(
            tmp_path / f"BraTS20_001_{suffix}.nii.gz",
            rng.integers(0, 500, (4, 4, 3)).astype(np.int16),
        )
    seg = np.array([0, 1, 2, 4] * 12).reshape(4, 4, 3).astype(np.uint8)
    save_nifti(tmp_path / "BraTS20_001_seg.nii.gz", seg)
    image, label = load_brats_folder(tmp_path)
    assert image.shape == (4, 4, 3, 4)
    flair = load_nifti(tmp_path / "BraTS20_001_flair.nii.gz")[0]
    np.testing.assert_array_equal(image[..., 0], flair)
    # BraTS 1 (necrotic core) -> 2, 2 (edema) -> 1, 4 (enhancing) -> 3
    np.testing.assert_array_equal(
        label, np.select([seg == 1, seg == 2, seg == 4], [2, 1, 3], 0)
    )
    save_nifti(tmp_path / "BraTS20_001_seg.nii.gz", seg.clip(0, 3))
    with pytest.raises(
        ValueError, match=r"expected BraTS labels in \{0, 1, 2, 4\}, got also \[3\]"
    ):
        load_brats_folder(tmp_path)
    (tmp_path / "BraTS20_001_t2.nii.gz").unlink()
    with pytest.raises(FileNotFoundError, match=r"none for \['t2'\]"):
        load_brats_folder(tmp_path)


# ---------------------------------------------------------------------- HDF5


def test_patch_file_round_trip_and_append(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4, 8, 8, 4)).astype(np.float32)
    y = (rng.random((3, 3, 8, 8, 4)) < 0.2).astype(np.float32)
    path = tmp_path / "patches.h5"
    assert save_patches_h5(path, x, y, attrs={"seed": 7}) == 3
    assert save_patches_h5(path, x[:1], y[:1], append=True) == 4
    all_x, all_y = load_patches_h5(path)
    np.testing.assert_array_equal(all_x, np.concatenate([x, x[:1]]))
    np.testing.assert_array_equal(all_y, np.concatenate([y, y[:1]]).astype(np.uint8))
    assert all_y.dtype == np.uint8
    picked_x, _ = load_patches_h5(path, [2, 0, 2])
    np.testing.assert_array_equal(picked_x, x[[2, 0, 2]])
    with h5py.File(path) as f:
        assert f.attrs["seed"] == 7 and f["x"].chunks == (1, 4, 8, 8, 4)
    with pytest.raises(
        ValueError,
        match=r"save_patches_h5: expected x patches of shape "
        r"\(4, 8, 8, 4\) \(the file's\), got \(4, 8, 8, 2\)",
    ):
        save_patches_h5(path, x[..., :2], y[..., :2], append=True)
    with pytest.raises(
        ValueError, match="save_patches_h5: expected x and y with the same N"
    ):
        save_patches_h5(path, x, y[:2])
