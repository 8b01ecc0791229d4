"""Chest X-ray files: label CSVs, PNG folders and HDF5, in the real data sets' layouts.

Public names: `write_png`, `read_png`, `write_label_csv`, `read_label_csv`,
`write_data_entry_csv`, `read_data_entry_csv`, `labels_from_table`,
`write_png_folder`, `read_png_folder`, `write_hdf5`, `read_hdf5`,
`save_chest_xrays`, `load_chest_xrays`.

Two CSV layouts are supported, so the same code reads the synthetic data and
the real NIH ChestX-ray14 download:

- the course's layout: columns ``Image``, one 0/1 column per finding,
  ``PatientId`` (`write_label_csv` / `read_label_csv`);
- NIH's ``Data_Entry_2017.csv``: ``Image Index``, ``Finding Labels`` (findings
  joined by ``|``, or ``No Finding``), ``Follow-up #``, ``Patient ID``,
  ``Patient Age``, ``Patient Gender``, ``View Position``, ...
  (`write_data_entry_csv` / `read_data_entry_csv`).

Tables are returned as dicts of NumPy columns (``table["PatientId"]``), which is
what `reference.data.splits.check_for_leakage` expects; no pandas needed.
PNGs are 8-bit grayscale like the NIH images. HDF5 (h5py) holds a whole data
set in one file for fast training.
"""

from __future__ import annotations

import csv
import re
import struct
import zlib
from pathlib import Path

import h5py
import numpy as np
from matplotlib import image as mpimg
from scipy import ndimage

from reference._validation import fail
from reference.data.chestxray import ChestXrays
from reference.data.nih_stats import FINDINGS

__all__ = [
    "labels_from_table",
    "load_chest_xrays",
    "read_data_entry_csv",
    "read_hdf5",
    "read_label_csv",
    "read_png",
    "read_png_folder",
    "save_chest_xrays",
    "write_data_entry_csv",
    "write_hdf5",
    "write_label_csv",
    "write_png",
    "write_png_folder",
]

_NO_FINDING = "No Finding"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC of type + data."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def write_png(path, image) -> None:
    """Write a 2-D image as an 8-bit grayscale PNG.

    Parameters
    ----------
    path : str or Path
    image : array-like of shape (H, W) or (1, H, W)
        Floats in [0, 1] (clipped, then rounded to 0..255) or uint8.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "x.png")
    >>> write_png(path, np.array([[0.0, 1.0]]))
    >>> read_png(path)
    array([[0., 1.]], dtype=float32)
    """
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 2:
        fail("write_png", "image of shape (H, W) or (1, H, W)", f"shape {arr.shape}")
    if arr.dtype != np.uint8:
        arr = np.round(np.clip(arr.astype(np.float64), 0, 1) * 255).astype(np.uint8)
    height, width = arr.shape
    # every row starts with filter type 0 (none)
    raw = np.concatenate([np.zeros((height, 1), np.uint8), arr], axis=1).tobytes()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit gray
    png = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 6))
        + _png_chunk(b"IEND", b"")
    )
    Path(path).write_bytes(png)


def read_png(path) -> np.ndarray:
    """Read a PNG as a 2-D float32 image in [0, 1] (colour is averaged to gray).

    Any PNG matplotlib reads works: 8- or 16-bit, gray, RGB or RGBA (some NIH
    images are stored as RGBA).
    """
    arr = np.asarray(mpimg.imread(str(path), format="png"), dtype=np.float32)
    if arr.ndim == 3:
        arr = arr[..., :3].mean(axis=-1)  # drop alpha, average the colours
    return arr


def write_label_csv(path, image_names, labels, patient_ids, findings=FINDINGS) -> None:
    """Write the course's CSV: ``Image``, one 0/1 column per finding, ``PatientId``.

    Parameters
    ----------
    path : str or Path
    image_names : array-like of shape (N,), str
    labels : array-like of shape (N, K), 0/1
    patient_ids : array-like of shape (N,)
    findings : sequence of K str, default the 14 NIH findings
    """
    labels = np.asarray(labels)
    _check_rows(image_names, labels, patient_ids, findings, "write_label_csv")
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Image", *findings, "PatientId"])
        for name, row, patient in zip(image_names, labels, patient_ids, strict=True):
            writer.writerow([name, *(int(v) for v in row), patient])


def _check_rows(image_names, labels, patient_ids, findings, func: str) -> None:
    """Check that names, label rows and patient ids line up."""
    if labels.ndim != 2 or labels.shape[1] != len(findings):
        fail(func, f"labels of shape (N, {len(findings)})", f"shape {labels.shape}")
    if not len(image_names) == len(labels) == len(patient_ids):
        fail(
            func,
            "image_names, labels and patient_ids of the same length",
            f"{len(image_names)}, {len(labels)} and {len(patient_ids)}",
        )


def _parse_column(values: list[str]) -> np.ndarray:
    """Turn CSV strings into int64, else float64, else str arrays."""
    for kind in (np.int64, np.float64):
        try:
            return np.array([kind(v) for v in values], dtype=kind)
        except ValueError:
            continue
    return np.array(values, dtype=str)


def read_label_csv(path) -> dict:
    """Read any CSV into a dict of columns (ints, floats or strings, per column).

    For the course's layout the keys are ``"Image"``, the finding names and
    ``"PatientId"``; `labels_from_table` stacks the findings into (N, K).
    """
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            fail("read_label_csv", "a CSV with a header row", f"an empty file {path}")
        rows = [row for row in reader if row]
    columns = {}
    for j, name in enumerate(header):
        if name:
            values = [row[j] if j < len(row) else "" for row in rows]
            columns[name] = _parse_column(values)
    return columns


def labels_from_table(table, findings=FINDINGS) -> np.ndarray:
    """Stack the finding columns of a table into an (N, K) int64 label array."""
    missing = [name for name in findings if name not in table]
    if missing:
        fail(
            "labels_from_table",
            f"columns for every finding, such as {findings[0]!r}",
            f"missing {missing}",
        )
    return np.stack(
        [np.asarray(table[name]).astype(np.int64) for name in findings], axis=1
    )


_ENTRY_HEADER = [
    "Image Index",
    "Finding Labels",
    "Follow-up #",
    "Patient ID",
    "Patient Age",
    "Patient Gender",
    "View Position",
    "OriginalImage[Width",
    "Height]",
    "OriginalImagePixelSpacing[x",
    "y]",
]


def write_data_entry_csv(path, data: ChestXrays) -> None:
    """Write NIH's ``Data_Entry_2017.csv`` layout for a (synthetic) data set.

    ``Finding Labels`` joins the present findings with ``|`` (``No Finding``
    when there is none); follow-up numbers come from the image names.
    """
    n_images, size = len(data), data.images.shape[-1]
    views, ages, sexes = (
        ["PA"] * n_images if data.view_positions is None else data.view_positions,
        [0] * n_images if data.ages is None else data.ages,
        ["M"] * n_images if data.sexes is None else data.sexes,
    )
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(_ENTRY_HEADER)
        for n in range(n_images):
            present = [
                f for f, flag in zip(data.findings, data.labels[n], strict=True) if flag
            ]
            follow_up = int(str(data.image_names[n]).split("_")[-1].split(".")[0])
            writer.writerow(
                [
                    data.image_names[n],
                    "|".join(present) or _NO_FINDING,
                    follow_up,
                    int(data.patient_ids[n]),
                    int(ages[n]),
                    sexes[n],
                    views[n],
                    size,
                    size,
                    0.143,
                    0.143,
                ]
            )


def read_data_entry_csv(path, findings=FINDINGS) -> dict:
    """Read NIH's ``Data_Entry_2017.csv`` into the course's table layout.

    Returns
    -------
    table : dict of columns
        ``"Image"``, one 0/1 int64 column per finding, ``"PatientId"``, and
        when present ``"FollowUp"``, ``"PatientAge"``, ``"PatientSex"``,
        ``"ViewPosition"``.

    Raises
    ------
    ValueError
        If a required column is missing or a finding name is unknown.
    """
    func = "read_data_entry_csv"
    raw = read_label_csv(path)
    for column in ("Image Index", "Finding Labels", "Patient ID"):
        if column not in raw:
            fail(
                func,
                f"a column {column!r} (NIH Data_Entry layout)",
                f"columns {list(raw)}",
            )
    table = {"Image": raw["Image Index"].astype(str)}
    index = {name: k for k, name in enumerate(findings)}
    labels = np.zeros((len(table["Image"]), len(findings)), dtype=np.int64)
    for n, text in enumerate(raw["Finding Labels"].astype(str)):
        for name in text.split("|"):
            name = name.strip()
            if name and name != _NO_FINDING:
                if name not in index:
                    fail(func, f"finding names among {list(findings)}", repr(name))
                labels[n, index[name]] = 1
    for k, name in enumerate(findings):
        table[name] = labels[:, k]
    table["PatientId"] = raw["Patient ID"]
    extras = {
        "Follow-up #": "FollowUp",
        "Patient Age": "PatientAge",
        "Patient Gender": "PatientSex",
        "View Position": "ViewPosition",
    }
    for source, target in extras.items():
        if source in raw:
            table[target] = raw[source]
    if "PatientAge" in table and table["PatientAge"].dtype.kind == "U":  # "058Y"
        table["PatientAge"] = np.array(
            [int(re.sub(r"\D", "", a) or 0) for a in table["PatientAge"]]
        )
    return table


def write_png_folder(folder, images, image_names) -> None:
    """Write images (N, 1, H, W) as ``folder/<image_names[n]>`` PNGs (8-bit gray)."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1] != 1 or len(images) != len(image_names):
        fail(
            "write_png_folder",
            "images (N, 1, H, W) and N image names",
            f"shape {images.shape} and {len(image_names)} names",
        )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for image, name in zip(images, image_names, strict=True):
        write_png(folder / str(name), image[0])


def _resize(image: np.ndarray, size: int) -> np.ndarray:
    """Resize a square-ish 2-D image to (size, size): smooth, then bilinear."""
    scale = np.array([size / image.shape[0], size / image.shape[1]])
    sigma = np.maximum((1 / scale - 1) / 2, 0)  # anti-aliasing when shrinking
    smooth = ndimage.gaussian_filter(image, sigma) if np.any(sigma > 0) else image
    out = ndimage.zoom(smooth, scale, order=1, grid_mode=True, mode="nearest")
    return out[:size, :size].astype(np.float32)


def read_png_folder(folder, image_names, image_size: int | None = None) -> np.ndarray:
    """Read ``folder/<name>`` PNGs into a float32 array (N, 1, S, S) in [0, 1].

    Parameters
    ----------
    folder : str or Path
    image_names : sequence of str
    image_size : int, optional
        Resize every image to (image_size, image_size) (needed for the real
        1024 x 1024 NIH images, or mixed sizes).
    """
    folder = Path(folder)
    images = []
    for name in image_names:
        path = folder / str(name)
        if not path.is_file():
            fail("read_png_folder", f"an image file {path}", "no such file")
        image = read_png(path)
        images.append(image if image_size is None else _resize(image, image_size))
    shapes = {im.shape for im in images}
    if len(shapes) > 1:
        fail(
            "read_png_folder",
            "images of one size",
            f"sizes {sorted(shapes)[:3]}",
            "Pass image_size=... to resize them.",
        )
    return np.stack(images)[:, None].astype(np.float32)


def write_hdf5(path, data: ChestXrays) -> None:
    """Write a whole data set into one HDF5 file (h5py), chunked by batches of images.

    Datasets: ``images`` (N, 1, H, W) float32, ``labels`` (N, K) uint8,
    ``patient_ids`` (N,) int64, ``image_names`` (N,) bytes, and when known
    ``view_positions``, ``ages``, ``sexes``; attribute ``findings``.
    """
    with h5py.File(path, "w") as f:
        chunk = (min(64, len(data)), *data.images.shape[1:])
        f.create_dataset("images", data=data.images.astype(np.float32), chunks=chunk)
        f.create_dataset("labels", data=data.labels.astype(np.uint8))
        f.create_dataset("patient_ids", data=data.patient_ids.astype(np.int64))
        f.create_dataset("image_names", data=data.image_names.astype("S"))
        for key in ("view_positions", "sexes"):
            if getattr(data, key) is not None:
                f.create_dataset(key, data=getattr(data, key).astype("S"))
        if data.ages is not None:
            f.create_dataset("ages", data=data.ages.astype(np.int64))
        f.attrs["findings"] = np.array(data.findings, dtype="S")


def read_hdf5(path, indices=None) -> ChestXrays:
    """Read a data set written by `write_hdf5` (all rows, or only ``indices``)."""
    with h5py.File(path, "r") as f:
        n_images = f["labels"].shape[0]
        rows = np.arange(n_images) if indices is None else np.asarray(indices)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        # h5py reads sorted, unique indices; put them back in the asked order
        unique, inverse = np.unique(rows, return_inverse=True)

        def load(key, decode=False):
            if key not in f:
                return None
            values = f[key][unique][inverse]
            return values.astype(str) if decode else values

        findings = tuple(s.decode() for s in f.attrs["findings"])
        return ChestXrays(
            load("images"),
            load("labels").astype(np.int64),
            load("patient_ids"),
            load("image_names", True),
            findings,
            load("view_positions", True),
            load("ages"),
            load("sexes", True),
        )


def save_chest_xrays(folder, data: ChestXrays, *, hdf5: bool = True) -> Path:
    """Save a data set in the real layouts under ``folder`` and return ``folder``.

    Writes ``labels.csv`` (course layout), ``Data_Entry_2017.csv`` (NIH
    layout), ``images/*.png``, and ``chest_xrays.h5`` unless ``hdf5=False``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_label_csv(
        folder / "labels.csv",
        data.image_names,
        data.labels,
        data.patient_ids,
        data.findings,
    )
    write_data_entry_csv(folder / "Data_Entry_2017.csv", data)
    write_png_folder(folder / "images", data.images, data.image_names)
    if hdf5:
        write_hdf5(folder / "chest_xrays.h5", data)
    return folder


def load_chest_xrays(
    csv_path, image_folder, image_size: int | None = None, findings=FINDINGS
) -> ChestXrays:
    """Load labels from a CSV (either layout) and the PNGs it names.

    Parameters
    ----------
    csv_path : str or Path
        ``labels.csv`` (course layout) or ``Data_Entry_2017.csv`` (NIH layout,
        recognised by its ``Image Index`` column).
    image_folder : str or Path
        Folder holding the PNG files named in the CSV.
    image_size : int, optional
        Resize the images (for example 64 for the real 1024 x 1024 images).
    findings : sequence of str, default the 14 NIH findings
    """
    table = read_label_csv(csv_path)
    if "Image Index" in table:
        table = read_data_entry_csv(csv_path, findings)
    labels = labels_from_table(table, findings)
    names = np.asarray(table["Image"]).astype(str)
    images = read_png_folder(image_folder, names, image_size)
    views, ages, sexes = (
        table.get(key) for key in ("ViewPosition", "PatientAge", "PatientSex")
    )
    return ChestXrays(
        images,
        labels,
        np.asarray(table["PatientId"]),
        names,
        tuple(findings),
        None if views is None else views.astype(str),
        ages,
        None if sexes is None else sexes.astype(str),
    )
