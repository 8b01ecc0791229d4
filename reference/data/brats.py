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
with cerebrospinal fluid), white matter, deep grey nuclei, lateral ventricles, the
fissure between the hemispheres, and veins in the sulci and choroid plexus in the
ventricles (both take up contrast). The tumour is nested like a glioblastoma: a
core of necrosis and solid non-enhancing tumour, an enhancing rim around it,
inside a larger, finger-like edema that prefers white matter. Contrast per
modality follows the clinic:

=============  =======  =======  =======  =======
tissue         FLAIR    T1       T1-Gd    T2
=============  =======  =======  =======  =======
CSF            dark     dark     dark     bright
grey matter    medium   medium   medium   medium
white matter   medium-  bright   bright   dark
veins, plexus  medium-  medium-  bright   dark
edema          bright   dark-    dark-    bright
solid core     bright-  dark-    dark-    bright-
necrosis       medium   dark     dark     bright
enhancing rim  bright-  medium-  bright   medium+
=============  =======  =======  =======  =======

Why the task is hard, on purpose (each is a difficulty of the real BraTS data):

- **Irregular shapes and sizes.** Gliomas grow along white-matter tracts and
  around obstacles, so the core is a union of one to three lumpy lobes and the
  edema sends fingers into white matter; sizes vary several-fold between
  patients (log-normal), so small tumours (few voxels, low dice) occur.
- **A thin, incomplete enhancing rim.** Enhancement marks where the
  blood-brain barrier is broken: in a glioblastoma a rim a few millimetres thick
  around necrosis, often open where the solid tumour does not enhance. Thin
  structures lose the most dice to a one-voxel boundary error, which is why
  enhancing tumour is the hardest BraTS class.
- **Classes that look alike.** Solid non-enhancing tumour is bright on FLAIR
  and T2 almost like edema (separating them is the classic BraTS confusion);
  cortical veins and choroid plexus enhance on T1-Gd like the tumour rim; the
  edema's FLAIR signal fades towards its edge, so its border is a matter of
  degree. How strongly a tumour enhances and how bright its edema is also vary
  per patient (contrast dose, timing, tumour biology), and enhancement is
  patchy along the rim: strong in places, barely visible in others.
- **Bias field.** Receive-coil sensitivity makes intensity drift smoothly across
  the head (tens of per cent at 3 T, more with surface coils); it multiplies every
  tissue, so a fixed intensity threshold cannot segment a scan.
- **Noise and partial volume.** Magnitude MR images carry Rician noise (the
  modulus of complex Gaussian noise), with a signal-to-noise ratio that varies
  between scanners; a voxel on a boundary averages the tissues it straddles,
  and FLAIR and T2 are often acquired as thick 2D slices and resampled to the
  1 mm grid, so they are blurrier along z.

Sizes at full resolution are centred on a typical BraTS case (about 98.75 %
background, a whole tumour of some 110,000 voxels) and vary log-normally between
cases; they scale with the brain for smaller shapes.
Every random choice comes from one ``numpy.random.Generator``, so a seed gives
the same case on every machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import ndimage

from reference._validation import fail

__all__ = ["LABELS", "MODALITIES", "make_brats_case", "write_synthetic_brats"]

MODALITIES = ("FLAIR", "T1w", "t1gd", "T2w")  # the Decathlon's names, in channel order
LABELS = {0: "background", 1: "edema", 2: "non-enhancing tumor", 3: "enhancing tumour"}

# tissue codes of the healthy tissue map, and their mean intensity per modality
_CSF, _GM, _WM, _DEEP, _VESSEL = range(1, 6)
_CONTRAST = np.array(
    [
        # FLAIR  T1    T1-Gd  T2
        [0.00, 0.00, 0.00, 0.00],  # 0 outside the brain (skull-stripped)
        [0.12, 0.22, 0.24, 1.00],  # 1 cerebrospinal fluid
        [0.58, 0.55, 0.57, 0.62],  # 2 grey matter
        [0.45, 0.80, 0.80, 0.42],  # 3 white matter
        [0.52, 0.63, 0.64, 0.55],  # 4 deep grey nuclei
        [0.42, 0.50, 1.00, 0.28],  # 5 veins and choroid plexus (enhance; T2 void)
    ],
    dtype=np.float32,
)
# tumour tissues, painted over the healthy map with a weight
_EDEMA, _SOLID, _NECROSIS, _RIM = range(4)
_TUMOUR_CONTRAST = np.array(
    [
        [0.88, 0.52, 0.54, 0.85],  # edema
        [0.78, 0.42, 0.47, 0.76],  # solid non-enhancing tumour
        [0.55, 0.25, 0.27, 0.98],  # necrosis
        [0.78, 0.52, 1.08, 0.68],  # enhancing rim
    ],
    dtype=np.float32,
)
_SCALE = np.array([420.0, 600.0, 700.0, 900.0], dtype=np.float32)  # arbitrary MR units
_FULL_SHAPE = np.array([240.0, 240.0, 155.0])  # the BraTS grid, 1 mm voxels
# point-spread blur (mm, standard deviation per axis): 3D T1 sequences are close to
# isotropic; FLAIR and T2 are often thick 2D slices resampled to 1 mm
_BLUR_MM = np.array(
    [[0.6, 0.6, 1.6], [0.6, 0.6, 0.8], [0.6, 0.6, 0.8], [0.6, 0.6, 1.6]]
)
_BRAIN_RADIUS = 73.4  # mm, the full-size brain's mean semi-axis
# tumour core radius (mm): median of a log-normal, its log-sd, and the bounds
_CORE_RADIUS, _CORE_SPREAD, _CORE_BOUNDS = 22.0, 0.25, (12.0, 30.0)


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

    ``spacing`` is one number or one per axis. A grid of Gaussian weights is
    interpolated with one Gaussian basis per axis (three small matrix products
    instead of a 3D filter), so a 240 x 240 x 155 field costs a fraction of a
    second.
    """
    spacings = np.broadcast_to(np.asarray(spacing, dtype=np.float64), (3,))
    bases = [
        _smooth_basis(n, max(float(s), 0.5))
        for n, s in zip(shape, spacings, strict=True)
    ]
    weights = rng.standard_normal([b.shape[1] for b in bases], dtype=np.float32)
    field = np.tensordot(weights, bases[2], axes=(2, 1))  # (gx, gy, Z)
    field = np.tensordot(bases[1], field, axes=(1, 1))  # (Y, gx, Z)
    field = np.tensordot(bases[0], field, axes=(1, 1))  # (X, Y, Z)
    # per axis the squared weights sum to sqrt(pi), whatever the spacing
    return field / np.float32(np.pi**0.75)


def _ellipsoid(coords, centre, semi) -> np.ndarray:
    """Squared normalised radius sum of ((u - centre) / semi)^2 over the 3 axes."""
    return sum(((u - c) / s) ** 2 for u, c, s in zip(coords, centre, semi, strict=True))


def _brain_tissue(shape, rng):
    """Return the tissue map (uint8 codes), the brain's semi-axes and its centre.

    The head is drawn in a box of 1.2 semi-axes around its centre (the
    outline's bumps stay inside it); the rest of the volume is 0.
    """
    size = np.array(shape, dtype=np.float32)
    centre = size * np.array([0.5, 0.5, 0.47]) + rng.normal(0, 0.01, 3) * size
    semi = size * np.array([0.29, 0.36, 0.42]) * rng.uniform(0.95, 1.05, 3)
    box = tuple(
        slice(max(int(c - 1.2 * s), 0), min(int(c + 1.2 * s) + 2, n))
        for n, c, s in zip(shape, centre, semi, strict=True)
    )
    ux, uy, uz = (
        (np.arange(b.start, b.stop, dtype=np.float32) - c) / s
        for b, c, s in zip(box, centre, semi, strict=True)
    )
    tissue = np.zeros(shape, dtype=np.uint8)
    tissue[box] = _draw_brain(
        ux[:, None, None], uy[None, :, None], uz[None, None, :], float(semi.mean()), rng
    )
    return tissue, semi, centre


def _draw_brain(ux, uy, uz, feature, rng):
    """Return the tissue codes on the grid of normalised coordinates (ux, uy, uz).

    ``feature`` is the brain's mean semi-axis in voxels: folds, sulci and
    bumps scale with the brain, not with the voxels.
    """
    shape = (ux.size, uy.size, uz.size)
    # outline: a deformed ellipsoid, flatter underneath and wider at the back
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
    plexus = np.zeros(shape, dtype=bool)
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
        plexus |= (
            _ellipsoid((ux, uy, uz), (0.12 * side, 0.1, 0.12), (0.035, 0.12, 0.04)) < 1
        )
    tissue[brain & csf] = _CSF
    # enhancing look-alikes: veins along the sulci, choroid plexus in the ventricles
    veins = (sulci < 0.035) & (radius > 0.72) & (radius < 0.96)
    tissue[brain & (veins | plexus)] = _VESSEL
    return tissue


def _tumour_box(tissue, semi, centre, extent, rng):
    """Pick a tumour centre inside one hemisphere; return it and a box around it."""
    while True:
        u = rng.uniform(-0.55, 0.55, 3) * np.array([1.0, 1.0, 0.8]) + [0, 0, 0.1]
        if np.sum(u**2) < 0.35 and abs(u[0]) > 0.2:
            break
    c = centre + u * semi
    lo = np.maximum(np.floor(c - extent), 0).astype(int)
    hi = np.minimum(np.ceil(c + extent) + 1, tissue.shape).astype(int)
    return c, tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))


def _lobes(box, c, voxel_mm, r_core, rng):
    """Return g: min over 1-3 jittered ellipsoids of the normalised radius, lumpy.

    ``g < 1`` is the tumour core; ``g`` grows outwards (about 2 at twice the
    core's radius), so thresholds above 1 give shells around it (the edema).
    """
    grids = [
        (np.arange(s.start, s.stop, dtype=np.float32) - ci) * v
        for s, ci, v in zip(box, c, voxel_mm, strict=True)
    ]  # mm from centre
    grids = [grids[0][:, None, None], grids[1][None, :, None], grids[2][None, None, :]]
    g = None
    for lobe in range(int(rng.integers(1, 4))):
        offset = np.zeros(3) if lobe == 0 else rng.normal(0, 0.3, 3) * r_core
        offset *= min(1.0, 0.5 * r_core / (np.linalg.norm(offset) + 1e-9))
        semi = r_core * rng.uniform(0.75, 1.1, 3) * (1.0 if lobe == 0 else 0.75)
        radius = np.sqrt(_ellipsoid(grids, offset, semi))
        g = radius if g is None else np.minimum(g, radius)
    box_shape = g.shape
    scale = r_core / voxel_mm  # the core's radius in voxels, per axis
    lumpy = _smooth_noise(rng, box_shape, 0.4 * scale)
    fine = _smooth_noise(rng, box_shape, 0.18 * scale)
    return g * (1 + 0.14 * lumpy + 0.05 * fine)


def _largest_blob(mask):
    """Keep the largest connected part of ``mask`` (the lumpy core's islands go)."""
    parts, count = ndimage.label(mask)
    if count <= 1:
        return mask
    return parts == 1 + int(np.argmax(np.bincount(parts.ravel())[1:]))


def _enhancing_rim(core, voxel_mm, r_core, rng):
    """Return the rim: core voxels within a few mm of its surface, with gaps."""
    depth = ndimage.distance_transform_edt(core, sampling=voxel_mm)  # mm to the outside
    spacing = 0.5 * r_core / voxel_mm
    thickness = rng.uniform(1.5, 3.5) * np.clip(
        1 + 0.35 * _smooth_noise(rng, core.shape, spacing), 0.5, None
    )
    thickness = np.maximum(thickness, voxel_mm.min() * 1.01)  # at least one voxel
    # the rim is open where a smooth field is low (1 % to 40 % of its surface)
    gaps = _smooth_noise(rng, core.shape, spacing) < rng.uniform(-2.3, -0.25)
    return core & (depth <= thickness) & ~gaps


def _tumour(tissue, semi, centre, rng):
    """Draw a nested tumour; return its label map and the tumour paint.

    Returns
    -------
    label : uint8 (X, Y, Z)
    paint : tuple (box, weight, contrast)
        In the box, ``image = (1 - weight) * healthy + weight * contrast``
        per modality; ``contrast`` is (4, *box) float32.
    """
    voxel_mm = _FULL_SHAPE / np.array(tissue.shape)
    brain_scale = float(np.prod(semi * voxel_mm)) ** (1 / 3) / _BRAIN_RADIUS
    r_core = brain_scale * float(
        np.clip(_CORE_RADIUS * np.exp(rng.normal(0, _CORE_SPREAD)), *_CORE_BOUNDS)
    )
    ratio = 1.12 + 0.15 * float(np.exp(rng.normal(0, 0.5)))  # edema reach / core

    extent = (1.6 * ratio + 0.5) * r_core / voxel_mm  # voxels, per axis
    c, box = _tumour_box(tissue, semi, centre, extent, rng)
    local = tissue[box]
    g = _lobes(box, c, voxel_mm, r_core, rng)
    inside = local > 0
    core = _largest_blob(inside & (g < 1))
    rim = _enhancing_rim(core, voxel_mm, r_core, rng)

    # edema: a shell reaching further into white matter, in fingers; its signal
    # fades over the outer part, so its border is soft
    fingers = _smooth_noise(rng, g.shape, 0.3 * ratio * r_core / voxel_mm)
    reach = ratio * (1 + 0.1 * fingers + 0.06 * (local == _WM))
    reach = np.maximum(reach, 1 + max(0.08, 1.5 * voxel_mm.max() / r_core))
    edema = inside & (g < reach) & ~core
    fade = 1 / (1 + np.exp((g - reach) / (0.04 * reach)))

    contrast = _tumour_contrast(core, rim, r_core / voxel_mm, rng)
    weight = np.where(core, np.float32(1), fade * rng.uniform(0.85, 1.0)) * inside

    label = np.zeros(tissue.shape, dtype=np.uint8)
    local_label = label[box]
    local_label[edema], local_label[core], local_label[rim] = 1, 2, 3
    return label, (box, weight.astype(np.float32), contrast.astype(np.float32))


def _tumour_contrast(core, rim, radius, rng):
    """Return the (4, *box) tumour contrast: edema, core (solid/necrosis), rim.

    ``radius`` is the core's radius in voxels per axis (the scale of the
    smooth fields). Every tumour tissue varies per patient (+-6 %), the rim's
    enhancement per patient (``uptake``) and along the rim (``patchy``).
    """
    table = _TUMOUR_CONTRAST * np.exp(rng.normal(0, 0.06, (4, 4))).astype(np.float32)
    uptake = rng.uniform(0.65, 1.0)  # how strongly this tumour enhances
    table[_RIM, 2] = table[_SOLID, 2] + uptake * (table[_RIM, 2] - table[_SOLID, 2])
    solid = np.clip(
        0.5
        + 0.6 * _smooth_noise(rng, core.shape, 0.3 * radius)
        + rng.uniform(-0.4, 0.4),
        0,
        1,
    )  # solid share of the core
    contrast = np.where(
        core,
        solid * table[_SOLID, :, None, None, None]
        + (1 - solid) * table[_NECROSIS, :, None, None, None],
        table[_EDEMA, :, None, None, None],
    )
    contrast = np.where(rim, table[_RIM, :, None, None, None], contrast)
    # enhancement is patchy along the rim: here strong, there barely above the
    # non-enhancing tumour
    patchy = np.clip(1 + 0.4 * _smooth_noise(rng, core.shape, 0.25 * radius), 0.3, 1.3)
    t1gd = table[_SOLID, 2] + patchy * (table[_RIM, 2] - table[_SOLID, 2])
    contrast[2] = np.where(rim, t1gd, contrast[2])
    return contrast


def _brain_box(brain, margin: int):
    """Return the bounding box of ``brain`` grown by ``margin`` voxels (slices)."""
    box = []
    for axis in range(3):
        other = tuple(a for a in range(3) if a != axis)
        hit = np.flatnonzero(brain.any(axis=other))
        box.append(
            slice(max(hit[0] - margin, 0), min(hit[-1] + margin + 1, brain.shape[axis]))
        )
    return tuple(box)


def _paint(channel, crop, paint, m) -> None:
    """Blend the tumour paint of modality ``m`` into the crop ``channel``, in place."""
    box, weight, contrast = paint
    inner, outer = [], []  # the overlap, in the paint box's and the crop's indices
    for b, c in zip(box, crop, strict=True):
        lo, hi = max(b.start, c.start), min(b.stop, c.stop)
        inner.append(slice(lo - b.start, hi - b.start))
        outer.append(slice(lo - c.start, hi - c.start))
    inner, outer = tuple(inner), tuple(outer)
    channel[outer] += weight[inner] * (contrast[m][inner] - channel[outer])


def _acquire(tissue, paint, semi, rng):
    """Turn the tissue map (and tumour paint) into four MR channels (X, Y, Z, 4).

    The work is done in the brain's bounding box (plus a margin wider than
    the blur): outside it the image is 0 anyway.
    """
    voxel_mm = _FULL_SHAPE / np.array(tissue.shape)
    margin = int(np.ceil(4 * _BLUR_MM.max() / voxel_mm.min()))  # the blur's reach
    crop = _brain_box(tissue > 0, margin)
    index = tissue[crop].astype(np.intp)
    brain, shape = index > 0, index.shape
    texture = 1 + 0.04 * _smooth_noise(rng, shape, 3.0)
    shared_bias = _smooth_noise(rng, shape, 0.6 * float(semi.mean()))
    snr_noise = rng.uniform(0.03, 0.06)  # noise std / white-matter signal, per scanner
    image = np.zeros((*tissue.shape, 4), dtype=np.float32)
    for m in range(4):
        channel = _CONTRAST[:, m].copy()[index]
        if paint is not None:
            _paint(channel, crop, paint, m)
        channel *= texture
        # partial volume: the point-spread function mixes neighbouring tissues
        sigma = np.maximum(_BLUR_MM[m] / voxel_mm, 0.45)
        channel = ndimage.gaussian_filter(channel, sigma, mode="constant")
        # coil sensitivity (shared by the sequences, plus a little of their own)
        own_bias = _smooth_noise(rng, shape, 0.5 * float(semi.mean()))
        channel *= np.exp(0.15 * shared_bias + 0.05 * own_bias)
        # Rician noise: the modulus of the signal plus complex Gaussian noise
        sd = np.float32(snr_noise * 0.8)
        channel += sd * rng.standard_normal(shape, dtype=np.float32)
        imaginary = sd * rng.standard_normal(shape, dtype=np.float32)
        channel = np.sqrt(channel**2 + imaginary**2)
        channel *= _SCALE[m] * np.float32(rng.uniform(0.8, 1.2))  # no absolute scale
        image[(*crop, m)] = np.where(brain, channel, np.float32(0))
    return image


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
    Inside the brain, ``image[..., m] = gain_m * | blur_m(c_m * texture) *
    bias_m + n_1 + i n_2 |`` where ``c_m`` is the tissue contrast (the tumour's
    painted over the healthy tissue with a weight that fades at the edema's
    edge), ``blur_m`` a Gaussian point-spread function (wider along z for
    FLAIR and T2), ``bias_m = exp(0.15 s + 0.05 s_m)`` a smooth coil field
    (``s`` shared by the sequences, ``s_m`` their own), ``n_1, n_2`` Gaussian
    noise (Rician magnitude noise) and ``gain_m`` a per-case factor within
    +-20 % (MR intensities have no absolute scale: hence `standardize`).
    See the module docstring for why each of these is there.

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

    # anatomy, then the tumour painted over it, then the scanner
    tissue, semi, centre = _brain_tissue(shape, rng)
    label, paint = np.zeros(shape, np.uint8), None
    if tumour:
        label, paint = _tumour(tissue, semi, centre, rng)
    return _acquire(tissue, paint, semi, rng), label


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
