"""Read and write brain MRI: NIfTI volumes (nibabel) and HDF5 patch files (h5py).

Public names: `save_nifti`, `load_nifti`, `load_label_nifti`,
`write_decathlon_case`, `write_dataset_json`, `list_decathlon_cases`,
`load_decathlon_case`, `load_brats_folder`, `save_patches_h5`, `load_patches_h5`.

Layouts read and written:

- Medical Segmentation Decathlon, task 01 (the course's BraTS data)::

      root/dataset.json
      root/imagesTr/BRATS_001.nii.gz    image (X, Y, Z, 4): FLAIR, T1, T1-Gd, T2
      root/labelsTr/BRATS_001.nii.gz    label (X, Y, Z): 0 bg, 1 edema,
                                        2 non-enhancing tumour, 3 enhancing

- BraTS challenge folders (2018-2021): one file per modality,
  ``<case>_flair.nii.gz``, ``_t1``, ``_t1ce``, ``_t2`` and ``_seg`` with labels
  1 necrotic/non-enhancing core, 2 edema, 4 enhancing; `load_brats_folder`
  renumbers them to the Decathlon's 2, 1, 3.

Orientation: a NIfTI file stores voxels in whatever order the scanner wrote
them, with an affine mapping voxel indices to millimetres in the patient's
space. The readers reorient to the closest canonical orientation, RAS+ (axis 0
runs to the patient's Right, axis 1 Anterior, axis 2 Superior) with
``nibabel.as_closest_canonical``; this only flips and permutes axes (no
resampling), so an image and its label stay voxel-aligned. Intensities are
returned *scaled*: NIfTI may store integers plus ``scl_slope``/``scl_inter``,
and ``value = stored * slope + inter`` is what nibabel's ``get_fdata`` returns.
"""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import nibabel as nib
import numpy as np

from reference._validation import check_ndim, fail

__all__ = [
    "list_decathlon_cases",
    "load_brats_folder",
    "load_decathlon_case",
    "load_label_nifti",
    "load_nifti",
    "load_patches_h5",
    "save_nifti",
    "save_patches_h5",
    "write_dataset_json",
    "write_decathlon_case",
]

_BRATS_TO_DECATHLON = {0: 0, 1: 2, 2: 1, 4: 3}  # BraTS challenge labels -> Decathlon's
_BRATS_SUFFIXES = ("flair", "t1", "t1ce", "t2")  # in the Decathlon's channel order


def save_nifti(path, data, affine=None, *, dtype=None) -> Path:
    """Write an array as a NIfTI-1 file (``.nii`` or compressed ``.nii.gz``).

    Parameters
    ----------
    path : str or Path
        Destination; parent folders are created.
    data : ndarray of shape (X, Y, Z) or (X, Y, Z, C)
    affine : ndarray of shape (4, 4), optional
        Voxel index -> millimetres. Default: identity (1 mm isotropic, RAS+).
    dtype : numpy dtype, optional
        On-disk type (default: the array's own).

    Returns
    -------
    path : Path

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save_nifti(os.path.join(folder, "a.nii.gz"), np.zeros((2, 3, 4)))
    ...     load_nifti(path)[0].shape
    (2, 3, 4)
    """
    data = np.asarray(data)
    check_ndim(data, (3, 4), "data", "save_nifti", "(X, Y, Z) or (X, Y, Z, C)")
    image = nib.Nifti1Image(data, np.eye(4) if affine is None else np.asarray(affine))
    image.header.set_xyzt_units("mm", "sec")
    if dtype is not None:
        image.set_data_dtype(dtype)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(image, path)
    return path


def _open(path, canonical: bool, func: str):
    path = Path(path)
    if not path.is_file():
        fail(func, "an existing NIfTI file", str(path), kind=FileNotFoundError)
    image = nib.load(path)
    return nib.as_closest_canonical(image) if canonical else image


def load_nifti(path, *, canonical=True, dtype=np.float32):
    """Read a NIfTI image as scaled floating-point voxels and its affine.

    Parameters
    ----------
    path : str or Path
    canonical : bool, default True
        Reorient to the closest RAS+ orientation (``nibabel.as_closest_canonical``).
    dtype : {numpy.float32, numpy.float64}
        Returned dtype.

    Returns
    -------
    data : ndarray of shape (X, Y, Z) or (X, Y, Z, C)
        ``stored * scl_slope + scl_inter`` (no scaling when the header has none),
        whatever the stored type (int16, uint8, float32, big-endian ...).
    affine : float64 ndarray of shape (4, 4)
        The affine after any reorientation.

    Examples
    --------
    See `save_nifti`.
    """
    image = _open(path, canonical, "load_nifti")
    return image.get_fdata(dtype=dtype, caching="unchanged"), image.affine


def load_label_nifti(path, *, canonical=True):
    """Read a NIfTI label map as uint8 class indices and its affine.

    Parameters
    ----------
    path : str or Path
    canonical : bool, default True
        Reorient as `load_nifti` does (use the same setting for image and label).

    Returns
    -------
    label : uint8 ndarray of shape (X, Y, Z)
    affine : float64 ndarray of shape (4, 4)

    Raises
    ------
    ValueError
        If a value is not a whole number in [0, 255] (say, an interpolated
        label map or an intensity image passed by mistake).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save_nifti(os.path.join(folder, "l.nii.gz"), np.ones((2, 2, 2)))
    ...     load_label_nifti(path)[0].dtype
    dtype('uint8')
    """
    func = "load_label_nifti"
    image = _open(path, canonical, func)
    values = np.asanyarray(image.dataobj)  # scaled if the header has a slope
    if values.ndim == 4 and values.shape[3] == 1:
        values = values[..., 0]
    check_ndim(values, 3, "label", func, "(X, Y, Z)")
    if values.size and (
        not np.all(values == np.round(values)) or values.min() < 0 or values.max() > 255
    ):
        fail(
            func,
            f"whole-number labels in [0, 255] in {Path(path).name}",
            f"values in [{values.min():g}, {values.max():g}]"
            + ("" if np.all(values == np.round(values)) else " with fractions"),
            "Is this an intensity image rather than a label map?",
        )
    return values.astype(np.uint8), image.affine


def write_decathlon_case(root, name, image, label, affine=None) -> tuple[Path, Path]:
    """Write one case as ``imagesTr/<name>.nii.gz`` and ``labelsTr/<name>.nii.gz``.

    Parameters
    ----------
    root : str or Path
    name : str
        Case name without extension, such as ``"BRATS_001"``.
    image : ndarray of shape (X, Y, Z, C)
        Channels-last, stored as float32.
    label : ndarray of shape (X, Y, Z)
        Class indices, stored as uint8.
    affine : ndarray of shape (4, 4), optional
        Default identity (1 mm isotropic, RAS+).

    Returns
    -------
    image_path, label_path : Path

    Examples
    --------
    See `load_decathlon_case`.
    """
    func = "write_decathlon_case"
    image, label = np.asarray(image), np.asarray(label)
    check_ndim(image, 4, "image", func, "(X, Y, Z, C)")
    if label.shape != image.shape[:3]:
        fail(
            func,
            f"label of shape {image.shape[:3]} (the image's grid)",
            f"shape {label.shape}",
        )
    root = Path(root)
    return (
        save_nifti(
            root / "imagesTr" / f"{name}.nii.gz", image, affine, dtype=np.float32
        ),
        save_nifti(root / "labelsTr" / f"{name}.nii.gz", label, affine, dtype=np.uint8),
    )


def write_dataset_json(root, names, *, modalities, labels, description="") -> Path:
    """Write the Decathlon's ``dataset.json`` listing the training cases.

    Parameters
    ----------
    root : str or Path
    names : sequence of str
        Case names (files ``imagesTr/<name>.nii.gz``).
    modalities : sequence of str
        Channel names in order.
    labels : dict of int -> str
        Class names.
    description : str
        Free text.

    Returns
    -------
    path : Path
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    content = {
        "name": "BRATS",
        "description": description,
        "tensorImageSize": "4D",
        "modality": {str(i): m for i, m in enumerate(modalities)},
        "labels": {str(k): v for k, v in labels.items()},
        "numTraining": len(names),
        "numTest": 0,
        "training": [
            {"image": f"./imagesTr/{n}.nii.gz", "label": f"./labelsTr/{n}.nii.gz"}
            for n in names
        ],
        "test": [],
    }
    path = root / "dataset.json"
    path.write_text(json.dumps(content, indent=2))
    return path


def list_decathlon_cases(root) -> list[str]:
    """List the training cases of a Decathlon folder, sorted by name.

    Uses ``dataset.json`` when present, else every ``imagesTr/*.nii.gz``.
    macOS resource files (``._BRATS_001.nii.gz``, shipped in the Decathlon's
    archive) are skipped.

    Parameters
    ----------
    root : str or Path

    Returns
    -------
    names : list of str
    """
    root = Path(root)
    index = root / "dataset.json"
    if index.is_file():
        entries = json.loads(index.read_text()).get("training", [])
        files = [Path(e["image"]).name for e in entries]
    else:
        files = [p.name for p in (root / "imagesTr").glob("*.nii.gz")]
    return sorted(f.removesuffix(".nii.gz") for f in files if not f.startswith("._"))


def _check_grid(
    func: str, image_affine, label_affine, image_shape, label_shape, name: str
) -> None:
    if tuple(image_shape[:3]) != tuple(label_shape):
        fail(
            func,
            f"image and label of {name} on the same grid",
            f"image {tuple(image_shape)} and label {tuple(label_shape)}",
        )
    if not np.allclose(image_affine, label_affine, atol=1e-3):
        fail(
            func,
            f"image and label of {name} with the same affine",
            "different affines",
            "Resample one onto the other first.",
        )


def load_decathlon_case(root, name, *, canonical=True):
    """Read one Decathlon case: the 4-channel image and its label map.

    Parameters
    ----------
    root : str or Path
        Folder holding ``imagesTr`` and ``labelsTr``.
    name : str
        Case name, such as ``"BRATS_001"``.
    canonical : bool, default True
        Reorient both to RAS+ (see the module notes).

    Returns
    -------
    image : float32 ndarray of shape (X, Y, Z, C)
    label : uint8 ndarray of shape (X, Y, Z)

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as root:
    ...     _ = write_decathlon_case(root, "case", np.ones((3, 3, 2, 4)),
    ...                              np.zeros((3, 3, 2)))
    ...     image, label = load_decathlon_case(root, "case")
    ...     image.shape, label.dtype
    ((3, 3, 2, 4), dtype('uint8'))
    """
    func = "load_decathlon_case"
    root = Path(root)
    image, image_affine = load_nifti(
        root / "imagesTr" / f"{name}.nii.gz", canonical=canonical
    )
    label, label_affine = load_label_nifti(
        root / "labelsTr" / f"{name}.nii.gz", canonical=canonical
    )
    if image.ndim == 3:
        image = image[..., None]
    _check_grid(func, image_affine, label_affine, image.shape, label.shape, name)
    return image, label


def load_brats_folder(folder, *, canonical=True):
    """Read a BraTS challenge case folder into the Decathlon's conventions.

    Parameters
    ----------
    folder : str or Path
        Holds ``<case>_flair.nii.gz``, ``<case>_t1.nii.gz``,
        ``<case>_t1ce.nii.gz``, ``<case>_t2.nii.gz`` and optionally
        ``<case>_seg.nii.gz`` (``.nii`` works too).
    canonical : bool, default True

    Returns
    -------
    image : float32 ndarray of shape (X, Y, Z, 4)
        Channels FLAIR, T1, T1-Gd, T2 (the Decathlon's order).
    label : uint8 ndarray of shape (X, Y, Z) or None
        Renumbered 1 -> 2 (non-enhancing core), 2 -> 1 (edema), 4 -> 3
        (enhancing); None without a ``_seg`` file.
    """
    func = "load_brats_folder"
    folder = Path(folder)

    def find(suffix):
        found = sorted(
            p for p in folder.glob(f"*_{suffix}.nii*") if not p.name.startswith("._")
        )
        return found[0] if found else None

    missing = [s for s in _BRATS_SUFFIXES if find(s) is None]
    if missing:
        fail(
            func,
            "files *_flair, *_t1, *_t1ce, *_t2 (.nii or .nii.gz)",
            f"none for {missing} in {folder}",
            kind=FileNotFoundError,
        )
    channels = [load_nifti(find(s), canonical=canonical) for s in _BRATS_SUFFIXES]
    image = np.stack([c[0] for c in channels], axis=-1)
    if find("seg") is None:
        return image, None
    raw, affine = load_label_nifti(find("seg"), canonical=canonical)
    _check_grid(func, channels[0][1], affine, image.shape, raw.shape, folder.name)
    unknown = sorted(set(np.unique(raw).tolist()) - set(_BRATS_TO_DECATHLON))
    if unknown:
        fail(func, "BraTS labels in {0, 1, 2, 4}", f"also {unknown}")
    lookup = np.zeros(256, dtype=np.uint8)
    for old, new in _BRATS_TO_DECATHLON.items():
        lookup[old] = new
    return image, lookup[raw]


def save_patches_h5(path, x, y, *, append=False, attrs=None) -> int:
    """Store training patches in one HDF5 file (datasets ``"x"`` and ``"y"``).

    Parameters
    ----------
    path : str or Path
    x : ndarray of shape (N, C, px, py, pz)
        Image patches (stored float32, one chunk per patch).
    y : ndarray of shape (N, K, px, py, pz)
        One-hot label patches without the background (stored uint8, gzip).
    append : bool
        Add to an existing file instead of replacing it.
    attrs : dict, optional
        Metadata stored on the file (seed, patch size, source ...).

    Returns
    -------
    count : int
        Number of patches in the file afterwards.

    Examples
    --------
    >>> import tempfile, os
    >>> x, y = np.zeros((2, 4, 8, 8, 4)), np.zeros((2, 3, 8, 8, 4))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "p.h5")
    ...     save_patches_h5(path, x, y), save_patches_h5(path, x, y, append=True)
    (2, 4)
    """
    func = "save_patches_h5"
    x, y = np.asarray(x), np.asarray(y)
    check_ndim(x, 5, "x", func, "(N, C, px, py, pz)")
    check_ndim(y, 5, "y", func, "(N, K, px, py, pz)")
    if len(x) != len(y) or x.shape[2:] != y.shape[2:]:
        fail(func, "x and y with the same N and patch size", f"{x.shape} and {y.shape}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    datasets = (("x", x, np.float32, None), ("y", y, np.uint8, "gzip"))
    with h5py.File(path, "a" if append and path.exists() else "w") as f:
        # check both against the file before writing either
        for key, data, _, _ in datasets:
            if key in f and f[key].shape[1:] != data.shape[1:]:
                fail(
                    func,
                    f"{key} patches of shape {f[key].shape[1:]} (the file's)",
                    f"{data.shape[1:]}",
                )
        for key, data, dtype, compression in datasets:
            if key not in f:
                f.create_dataset(
                    key,
                    shape=(0, *data.shape[1:]),
                    dtype=dtype,
                    maxshape=(None, *data.shape[1:]),
                    chunks=(1, *data.shape[1:]),
                    compression=compression,
                )
            stored = f[key]
            stored.resize(len(stored) + len(data), axis=0)
            stored[len(stored) - len(data) :] = data.astype(dtype)
        f.attrs.update(attrs or {})
        return len(f["x"])


def load_patches_h5(path, indices=None):
    """Read patches written by `save_patches_h5`.

    Parameters
    ----------
    path : str or Path
    indices : sequence of int, optional
        Which patches, in the order wanted (all when omitted).

    Returns
    -------
    x : float32 ndarray of shape (n, C, px, py, pz)
    y : uint8 ndarray of shape (n, K, px, py, pz)
    """
    with h5py.File(path, "r") as f:
        if indices is None:
            return f["x"][()], f["y"][()]
        wanted = np.asarray(indices, dtype=np.intp)
        order = np.unique(wanted)  # h5py reads increasing, distinct indices
        where = np.searchsorted(order, wanted)
        return f["x"][order][where], f["y"][order][where]
