"""Data for the course: synthetic sets, file formats, splits, sampling, preprocessing.

Modules::

    synthetic     seeded synthetic prediction set (``ai4md evaluate --synthetic``)
    nih_stats     facts about NIH ChestX-ray14 (prevalence, co-occurrence, boxes)
    chestxray     seeded synthetic chest X-rays with the 14 NIH findings
    xray_io       CSV (ours and NIH Data_Entry), PNG folders, HDF5 for chest X-rays
    splits        leakage checks and patient-level stratified splits
    sampling      over- and under-sampling
    augment2d     label-preserving 2D augmentation
    preprocess    class frequencies and weights, consensus votes, standardisation
    brats         seeded synthetic BraTS-like MRI volumes (FLAIR, T1, T1-Gd, T2)
    nifti         Decathlon / BraTS NIfTI layouts via nibabel, HDF5 patch files
    subvolume     the course's sub-volumes and standardisation, 3D augmentation,
                  tiled whole-volume prediction
    registration  rigid transforms, resampling, phase correlation, rigid fitting

Every public name below is importable from ``reference.data`` directly
(``from reference.data import get_sub_volume``). The submodule is imported on
first use, so ``import reference.data`` stays cheap (no SciPy, h5py, nibabel or
matplotlib until you need them).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "synthetic": ["synthetic_predictions"],
    "preprocess": [
        "compute_class_freqs",
        "class_weights",
        "majority_vote",
        "fit_standardization",
        "apply_standardization",
        "standardize_per_image",
    ],
    "splits": [
        "check_for_leakage",
        "patient_overlap",
        "remove_overlapping_patients",
        "split_by_patient",
    ],
    "sampling": ["oversample_indices", "undersample_indices", "balance_by_resampling"],
    "augment2d": [
        "shift_image",
        "adjust_contrast",
        "horizontal_flip",
        "rotate_zoom",
        "random_augment",
    ],
    "chestxray": [
        "ChestXrays",
        "make_chest_xrays",
        "sample_labels",
        "sample_images_per_patient",
        "FINDINGS",
    ],
    "xray_io": [
        "read_label_csv",
        "write_label_csv",
        "read_data_entry_csv",
        "write_data_entry_csv",
        "labels_from_table",
        "read_png",
        "write_png",
        "read_png_folder",
        "write_png_folder",
        "read_hdf5",
        "write_hdf5",
        "save_chest_xrays",
        "load_chest_xrays",
    ],
    "brats": ["MODALITIES", "LABELS", "make_brats_case", "write_synthetic_brats"],
    "nifti": [
        "save_nifti",
        "load_nifti",
        "load_label_nifti",
        "write_decathlon_case",
        "write_dataset_json",
        "list_decathlon_cases",
        "load_decathlon_case",
        "load_brats_folder",
        "save_patches_h5",
        "load_patches_h5",
    ],
    "subvolume": [
        "get_sub_volume",
        "standardize",
        "apply_augmentation",
        "augment3d",
        "tile_starts",
        "stitch_tiles",
        "predict_tiled",
    ],
    "registration": [
        "rotation_matrix",
        "rigid_matrix",
        "resample",
        "phase_correlation",
        "estimate_rigid",
        "RigidFit",
    ],
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    """Import the submodule that defines ``name`` on first use (PEP 562)."""
    if name not in _HOME:
        raise AttributeError(f"module 'reference.data' has no attribute {name!r}")
    module = importlib.import_module(f"reference.data.{_HOME[name]}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
