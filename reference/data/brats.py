"""A seeded synthetic BraTS-like brain MRI generator (no download, no real patient).

Public names: `MODALITIES`, `LABELS`, `make_brats_case`, `write_synthetic_brats`.

What a case looks like, following the Medical Segmentation Decathlon's BraTS task
(Task01_BrainTumour) that the course uses:

- ``image`` of shape ``(X, Y, Z, 4)``, float32, channels-last as on disk, in the
  channel order FLAIR, T1, T1-Gd (T1 with gadolinium contrast), T2; 1 mm
  isotropic voxels, full size ``(240, 240, 155)``. Like BraTS, the brain is
  skull-stripped: everything outside it is exactly 0.
- ``label`` of shape ``(X, Y, Z)``, uint8: 0 background, 1 edema,
  2 non-enhancing tumour (and necrosis), 3 enhancing tumour.

The head is a deformed ellipsoid with a folded cortex (grey matter, sulci filled
with cerebrospinal fluid), white matter, deep grey nuclei, lateral ventricles and
the fissure between the hemispheres. The tumour is nested like a glioblastoma: a
dark necrotic/non-enhancing core inside an enhancing rim, inside a larger, finger-like
edema that prefers white matter. Contrast per modality follows the clinic:

=============  =======  =======  =======  =======
tissue         FLAIR    T1       T1-Gd    T2
=============  =======  =======  =======  =======
CSF            dark     dark     dark     bright
grey matter    medium   medium   medium   medium
white matter   medium-  bright   bright   dark
edema          bright   dark-    dark-    bright
enhancing rim  bright-  medium-  bright   medium+
core/necrosis  medium   dark     dark     bright
=============  =======  =======  =======  =======

Sizes at full resolution follow a typical BraTS case (about 98.75 % background,
tumour classes of roughly 53,000 / 27,000 / 31,500 voxels), scaled with the brain
for smaller shapes. Every random choice comes from one ``numpy.random.Generator``,
so a seed gives the same case on every machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from reference._validation import fail

__all__ = ["LABELS", "MODALITIES", "make_brats_case", "write_synthetic_brats"]

MODALITIES = ("FLAIR", "T1w", "t1gd", "T2w")  # the Decathlon's names, in channel order
LABELS = {0: "background", 1: "edema", 2: "non-enhancing tumor", 3: "enhancing tumour"}

# tissue codes of the internal tissue map, and their mean intensity per modality
_CSF, _GM, _WM, _DEEP, _EDEMA, _ENHANCING, _CORE = range(1, 8)
_CONTRAST = np.array(
    [
        # FLAIR  T1    T1-Gd  T2
        [0.00, 0.00, 0.00, 0.00],  # 0 outside the brain (skull-stripped)
        [0.12, 0.22, 0.24, 1.00],  # 1 cerebrospinal fluid
        [0.58, 0.55, 0.57, 0.62],  # 2 grey matter
        [0.45, 0.80, 0.80, 0.42],  # 3 white matter
        [0.52, 0.63, 0.64, 0.55],  # 4 deep grey nuclei
        [0.95, 0.42, 0.45, 0.88],  # 5 edema
        [0.80, 0.50, 1.10, 0.70],  # 6 enhancing tumour rim
        [0.62, 0.25, 0.28, 0.95],  # 7 necrotic / non-enhancing core
    ],
    dtype=np.float32,
)
_SCALE = np.array([420.0, 600.0, 700.0, 900.0], dtype=np.float32)  # arbitrary MR units
# typical BraTS whole-tumour radius (mm) for a brain of mean semi-axis 73 mm, and the
# radius ratios that give edema : core : enhancing volumes of about 53 : 27 : 31.5
_WT_RADIUS, _BRAIN_RADIUS, _WT_TO_TC, _TC_TO_CORE = 29.9, 73.4, 1.24, 1.3


def _generator(seed, rng) -> np.random.Generator:
    if rng is not None:
        return rng
    return np.random.default_rng(seed)


def _smooth_basis(n: int, spacing: float) -> np.ndarray:
    """Gaussian bumps every ``spacing`` voxels, sampled at ``arange(n)``: (n, bumps)."""
    count = int(np.ceil(n / spacing)) + 4
    centres = (np.arange(count) - 2) * spacing
    positions = np.arange(n, dtype=np.float32)
    return np.exp(-0.5 * ((positions[:, None] - centres[None]) / spacing) ** 2).astype(
        np.float32
    )


def _smooth_noise(rng, shape, spacing) -> np.ndarray:
    """Make a smooth random field of unit std, features ``spacing`` voxels apart.

    A grid of Gaussian weights is interpolated with one Gaussian basis per
    axis (three small matrix products instead of a 3D filter), so a
    240 x 240 x 155 field costs a fraction of a second.
    """
    bases = [_smooth_basis(n, spacing) for n in shape]
    weights = rng.standard_normal([b.shape[1] for b in bases], dtype=np.float32)
    field = np.tensordot(weights, bases[2], axes=(2, 1))  # (gx, gy, Z)
    field = np.tensordot(bases[1], field, axes=(1, 1))  # (Y, gx, Z)
    field = np.tensordot(bases[0], field, axes=(1, 1))  # (X, Y, Z)
    return field / np.float32(
        np.pi**0.75
    )  # per axis the squared weights sum to sqrt(pi)


def _ellipsoid(coords, centre, semi) -> np.ndarray:
    """Squared normalised radius sum of ((u - centre) / semi)^2 over the 3 axes."""
    return sum(((u - c) / s) ** 2 for u, c, s in zip(coords, centre, semi, strict=True))


def _brain_tissue(shape, rng):
    """Return the tissue map (uint8 codes), the brain's semi-axes and its centre."""
    size = np.array(shape, dtype=np.float32)
    centre = size * np.array([0.5, 0.5, 0.47]) + rng.normal(0, 0.01, 3) * size
    semi = size * np.array([0.29, 0.36, 0.42]) * rng.uniform(0.95, 1.05, 3)
    ux, uy, uz = (
        (np.arange(n, dtype=np.float32) - c) / s
        for n, c, s in zip(shape, centre, semi, strict=True)
    )
    ux, uy, uz = ux[:, None, None], uy[None, :, None], uz[None, None, :]

    # outline: a deformed ellipsoid, flatter underneath and wider at the back
    feature = float(semi.mean())  # features scale with the brain, not with voxels
    radius = np.sqrt(ux**2 + uy**2 + uz**2 * (1 + 0.35 * (uz < -0.5)))
    radius = radius * (1 + 0.04 * _smooth_noise(rng, shape, 0.45 * feature)) + 0.05 * uy
    brain = radius < 1

    # cortex: grey band with folds; sulci are the zero crossings of a smooth field
    folds = _smooth_noise(rng, shape, 0.13 * feature)
    sulci = np.abs(_smooth_noise(rng, shape, 0.1 * feature))
    tissue = np.where(brain, np.uint8(_WM), np.uint8(0))
    grey = (radius > 0.88 + 0.04 * folds) | ((sulci < 0.3) & (radius > 0.66))
    tissue[brain & grey] = _GM
    csf = (radius > 0.965) | ((sulci < 0.12) & (radius > 0.7))

    # the fissure between the hemispheres (upper half), lined with grey matter
    tissue[brain & (np.abs(ux) < 0.07) & (uz > -0.15) & (radius > 0.45)] = _GM
    csf |= (np.abs(ux) < 0.022) & (uz > -0.15) & (radius > 0.5)

    # deep grey nuclei, then the lateral ventricles (curved forward and down)
    for side in (-1, 1):
        tissue[
            _ellipsoid((ux, uy, uz), (0.14 * side, 0.02, -0.05), (0.13, 0.17, 0.13)) < 1
        ] = _DEEP
        tissue[
            _ellipsoid((ux, uy, uz), (0.30 * side, -0.12, 0.02), (0.08, 0.2, 0.15)) < 1
        ] = _DEEP
        csf |= (
            _ellipsoid(
                (ux, uy, uz + 0.4 * uy**2),
                (0.11 * side, 0.0, 0.14),
                (0.08 + 0.06 * np.abs(uy), 0.45, 0.13),
            )
            < 1
        )
    tissue[brain & csf] = _CSF
    return tissue, semi, centre


def _tumour(tissue, semi, centre, rng):
    """Paint a nested tumour into ``tissue`` (in place) and return its label map."""
    shape = tissue.shape
    scale = float(np.prod(semi)) ** (1 / 3) / _BRAIN_RADIUS
    r_wt = _WT_RADIUS * scale * float(np.exp(rng.normal(0, 0.12)))
    r_tc = r_wt / _WT_TO_TC * float(np.exp(rng.normal(0, 0.04)))
    r_core = r_tc / _TC_TO_CORE * float(np.exp(rng.normal(0, 0.04)))

    # a centre well inside one hemisphere, and a box around the tumour
    while True:
        u = rng.uniform(-0.55, 0.55, 3) * np.array([1.0, 1.0, 0.8]) + [0, 0, 0.1]
        if np.sum(u**2) < 0.35 and abs(u[0]) > 0.2:
            break
    c = centre + u * semi
    lo = np.maximum(np.floor(c - 1.7 * r_wt), 0).astype(int)
    hi = np.minimum(np.ceil(c + 1.7 * r_wt) + 1, shape).astype(int)
    box = tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))
    local = tissue[box]

    # distances from the centre, stretched per axis and made irregular by noise
    stretch = rng.uniform(0.85, 1.15, 3)
    grids = [
        (np.arange(a, b, dtype=np.float32) - ci) / st
        for a, b, ci, st in zip(lo, hi, c, stretch, strict=True)
    ]
    d = np.sqrt(
        grids[0][:, None, None] ** 2
        + grids[1][None, :, None] ** 2
        + grids[2][None, None, :] ** 2
    )
    box_shape = local.shape
    lumpy = _smooth_noise(rng, box_shape, 0.45 * r_tc)
    fine = _smooth_noise(rng, box_shape, 0.25 * r_tc)
    fingers = _smooth_noise(rng, box_shape, 0.3 * r_wt)
    inside = local > 0
    core_tumour = inside & (d < r_tc * (1 + 0.12 * lumpy))
    necrosis = core_tumour & (d < r_core * (1 + 0.12 * lumpy + 0.06 * fine))
    wm_bonus = np.where(local == _WM, np.float32(0.08), np.float32(0.0))
    edema = inside & (d < r_wt * (0.92 + 0.15 * fingers + wm_bonus)) & ~core_tumour

    # paint the tissue codes and the labels (nested: core in rim in edema)
    label = np.zeros(shape, dtype=np.uint8)
    local_label = label[box]
    local_label[edema], local_label[core_tumour], local_label[necrosis] = 1, 3, 2
    local[edema], local[core_tumour], local[necrosis] = _EDEMA, _ENHANCING, _CORE
    return label


def make_brats_case(shape=(240, 240, 155), *, seed=None, rng=None, tumour=True):
    """Generate one synthetic multi-modal brain MRI with its tumour label map.

    Parameters
    ----------
    shape : tuple of 3 int, default (240, 240, 155)
        ``(X, Y, Z)`` in voxels of 1 mm (the BraTS grid); smaller shapes give a
        proportionally smaller brain and tumour (each at least 16 voxels).
    seed : int, optional
        Seed of a fresh ``numpy.random.default_rng`` (ignored if ``rng`` is given).
    rng : numpy.random.Generator, optional
        Source of every random choice.
    tumour : bool, default True
        False gives a healthy brain and an all-background label.

    Returns
    -------
    image : float32 ndarray of shape (X, Y, Z, 4)
        Channels-last, in the order of `MODALITIES` (FLAIR, T1, T1-Gd, T2);
        0 outside the brain, positive arbitrary MR units inside.
    label : uint8 ndarray of shape (X, Y, Z)
        0 background, 1 edema, 2 non-enhancing tumour, 3 enhancing tumour.

    Notes
    -----
    ``image[..., m] = gain_m * bias_m * CONTRAST[tissue, m] * (1 + 0.04 texture)
    + noise`` inside the brain, where ``bias_m`` is a smooth field within
    +-10 % (a scanner's coil inhomogeneity), ``gain_m`` a per-case factor
    within +-20 % (MR intensities have no absolute scale: hence `standardize`)
    and the noise is Gaussian with 3 % of the white-matter level.

    Examples
    --------
    >>> image, label = make_brats_case((48, 48, 32), seed=0)
    >>> image.shape, image.dtype, label.dtype, sorted(np.unique(label).tolist())
    ((48, 48, 32, 4), dtype('float32'), dtype('uint8'), [0, 1, 2, 3])
    """
    func = "make_brats_case"
    shape = tuple(int(n) for n in shape)
    if len(shape) != 3 or min(shape) < 16:
        fail(func, "shape of 3 sizes (X, Y, Z), each at least 16", repr(shape))
    rng = _generator(seed, rng)

    # anatomy, then the tumour painted over it
    tissue, semi, centre = _brain_tissue(shape, rng)
    label = _tumour(tissue, semi, centre, rng) if tumour else np.zeros(shape, np.uint8)

    # intensities: contrast table, texture, bias field, gain, noise; 0 outside
    brain = tissue > 0
    texture = 1 + 0.04 * _smooth_noise(rng, shape, 3.0)
    image = np.empty((*shape, 4), dtype=np.float32)
    for m in range(4):
        bias = 1 + 0.1 * np.tanh(_smooth_noise(rng, shape, 0.6 * float(semi.mean())))
        gain = _SCALE[m] * np.float32(rng.uniform(0.8, 1.2))
        channel = np.take(_CONTRAST[:, m], tissue) * texture * bias * gain
        channel += rng.standard_normal(shape, dtype=np.float32) * (0.03 * gain)
        image[..., m] = np.where(brain, np.maximum(channel, 0), np.float32(0))
    return image, label


def write_synthetic_brats(
    root, n_cases=4, shape=(240, 240, 155), *, seed=0, tumour=True
) -> list[str]:
    """Write synthetic cases in the Decathlon layout (``imagesTr``, ``labelsTr``, json).

    Parameters
    ----------
    root : str or Path
        Folder to create (``root/imagesTr/BRATS_001.nii.gz`` ...).
    n_cases : int
        Number of cases, generated from ``default_rng(seed)`` in turn.
    shape : tuple of 3 int
        Size of each case.
    seed : int
        Seed of the whole data set.
    tumour : bool
        Whether the cases have a tumour.

    Returns
    -------
    names : list of str
        The case names, such as ``"BRATS_001"``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_synthetic_brats(folder, 2, (24, 24, 16))
    ['BRATS_001', 'BRATS_002']
    """
    from reference.data.nifti import write_dataset_json, write_decathlon_case

    rng = np.random.default_rng(seed)
    names = []
    for i in range(n_cases):
        image, label = make_brats_case(shape, rng=rng, tumour=tumour)
        names.append(f"BRATS_{i + 1:03d}")
        write_decathlon_case(root, names[-1], image, label)
    write_dataset_json(
        root,
        names,
        modalities=MODALITIES,
        labels=LABELS,
        description=json.dumps(
            {"generator": "ai4md synthetic BraTS", "seed": seed, "shape": list(shape)}
        ),
    )
    Path(root).mkdir(parents=True, exist_ok=True)
    return names
