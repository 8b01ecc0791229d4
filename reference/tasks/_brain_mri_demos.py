"""A real NIfTI volume through the pipeline, and 2D versus 3D U-Nets (private helper).

Part of `reference.tasks.brain_mri`, which re-exports `real_volume_demo` and
`compare_2d_3d`; the task's own functions are imported when called.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from reference.data.subvolume import standardize
from reference.nn import UNet
from reference.runtime import limit_blas_threads
from reference.tasks._brain_mri_figures import label_overlay, save_panels

__all__ = ["compare_2d_3d", "real_volume_demo"]


# --- a real MRI volume --------------------------------------------------------
def real_volume_demo(path, out_png, model=None, patch=(32, 32, 16)):
    """Read a real NIfTI volume, standardise it, predict it by tiles, draw both.

    Parameters
    ----------
    path : str or Path
        A 3D (or 4D: the first volume is used) NIfTI file, e.g. nibabel's own
        test file ``nibabel/tests/data/anatomical.nii``.
    out_png : str or Path
        Picture to write: the middle z-slice of the standardised volume and the
        model's first output channel there.
    model : UNet, optional
        3D model; default a tiny untrained one (1 channel in, 1 out). A model
        with more input channels gets the volume repeated on every channel.
    patch : tuple of 3 int
        Tile size for `predict_tiled` (divisible by ``2 ** (depth - 1)``).

    Returns
    -------
    standardized : float32 ndarray (X, Y, Z)
    probabilities : float32 ndarray (K, X, Y, Z)
    """
    from reference.data.nifti import load_nifti
    from reference.tasks.brain_mri import DEFAULTS, predict_volume

    data, _ = load_nifti(path)
    volume = data if data.ndim == 3 else data[..., 0]  # first volume of a series
    scaled = standardize(volume[None]).astype(np.float32)[0]
    if model is None:
        model = UNet(1, 1, base_filters=4, depth=2, ndim=3, rng=0)
    channels = np.repeat(scaled[..., None], model.hparams["in_channels"], axis=-1)
    with limit_blas_threads(DEFAULTS["blas_threads"]):
        probs = predict_volume(model, channels, patch)
    z = scaled.shape[2] // 2
    # one output: its probability in grey; three (a BraTS model): coloured masks
    prediction = (
        label_overlay(probs[0, :, :, z].T)
        if len(probs) != 3
        else label_overlay(
            scaled[:, :, z].T, (probs[:, :, :, z] >= 0.5).transpose(0, 2, 1)
        )
    )
    panels = [
        ("standardised", label_overlay(scaled[:, :, z].T)),
        ("tiled prediction", prediction),
    ]
    save_panels(out_png, panels, f"{Path(path).name} z={z}")
    return scaled, probs


# --- 2D versus 3D -------------------------------------------------------------
def compare_2d_3d(
    *,
    model="small",
    size=(64, 64, 32),
    patch=(32, 32, 16),
    volumes=4,
    heldout=1,
    epochs=4,
    patches=8,
    batch_size=2,
    lr=2e-3,
    seed=0,
    progress=False,
) -> dict:
    """Train a 2D and a 3D U-Net on the same cases and voxel budget; score both.

    The 2D model trains on z-slices (``pz`` slices per 3D patch, so both see the
    same number of voxels per step) and predicts the held-out volumes slice by
    slice. Returns ``{"2d": scores, "3d": scores}`` (`score_volumes` dicts with
    ``"seconds"`` of training added).
    """
    from reference.tasks.brain_mri import (
        DEFAULTS,
        make_volumes,
        predict_volume,
        score_volumes,
        train_model,
    )

    images, labels = make_volumes(volumes, size, seed=seed)
    test_images, test_labels = make_volumes(heldout, size, seed=seed, first=volumes)
    results = {}
    for ndim in (2, 3):
        config = {
            "model": model,
            "patch": list(patch),
            "epochs": epochs,
            "bce": 1.0,
            "patches": patches,
            "batch_size": batch_size,
            "lr": lr,
            "seed": seed,
            "ndim": ndim,
        }
        start = time.monotonic()
        with limit_blas_threads(DEFAULTS["blas_threads"]):
            net, _, _ = train_model(config, images, labels, progress=progress)
            seconds = time.monotonic() - start
            probs = [predict_volume(net, image, patch) for image in test_images]
        results[f"{ndim}d"] = {**score_volumes(test_labels, probs), "seconds": seconds}
    return results
