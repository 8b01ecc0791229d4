"""Drawing of synthetic chest X-rays: a patient's anatomy plus each finding's signature.

Private helper of `reference.data.chestxray` (the public generator). Everything
is drawn on normalised coordinates ``u`` (0 at the image's left, 1 at its right)
and ``v`` (0 at the top, 1 at the bottom), so one drawing serves every image
size. The image follows the radiographic convention: air is dark, bone and soft
tissue bright; the patient faces the viewer (PA view), so the patient's left
(heart, stomach bubble) is on the image's right.

Finding signatures (what a radiologist would look for):

==================  ==========================================================
Atelectasis         plate-like band opacity, raised hemidiaphragm on that side
Cardiomegaly        heart shadow wider than half the chest
Consolidation       dense, homogeneous, sharply bounded lobar opacity
Edema               bilateral perihilar haze with horizontal septal lines
Effusion            basal opacity with a meniscus, blunted costophrenic angle
Emphysema           large, dark lungs, flat low diaphragm, few vessels, thin heart
Fibrosis            fine reticular (net-like) texture at the bases, smaller lungs
Hernia              retrocardiac round shadow with an air-fluid level
Infiltration        several faint, ill-defined patchy opacities
Mass                large (> 3 cm) bright lobulated spot
Nodule              small bright round spot
Pleural_Thickening  bright band along the lateral chest wall and apex
Pneumonia           patchy, mottled opacity (Infiltration and Consolidation alike)
Pneumothorax        black rim without lung markings at the apex, a pleural line
==================  ==========================================================

Positions follow the NIH expert boxes (`reference.data.nih_stats.BBOX`).

Each finding has a severity in (0, 1] per image (drawn by
`reference.data.chestxray`): 1 is the textbook picture above, smaller values
fade it (fainter opacities, a heart just over the limit, a thin apical
pneumothorax, a blunted angle instead of a fluid level), because most findings
in a hospital's archive are mild. What else makes reading them hard is drawn
on purpose too: normal hearts vary in size, so a mildly enlarged heart overlaps
them; lesions may sit behind the heart or the diaphragm's dome, where they add
to bright soft tissue instead of dark lung; nipple and breast shadows mimic
nodules and basal opacities; and the exposure, blur and quantum noise vary
between images, more so for the AP (bedside) view.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import ndimage

from reference.data.nih_stats import BBOX, FINDINGS

__all__ = ["Anatomy", "render_chest_xray", "sample_anatomy"]

_EDGE = 0.008  # width of soft edges, in image fractions


class Anatomy(NamedTuple):
    """One patient's body, shared by all of the patient's images (normalised units)."""

    cx: float  # body midline
    body_hw: float  # half-width of the chest
    lung_top: float  # apex height
    base: tuple  # diaphragm height under the (image-left, image-right) lung
    lung_hw: float  # half-width of one lung
    gap: float  # half-width of the mediastinum between the lungs
    heart: tuple  # (x, y, semi-axis a, semi-axis b) of the heart shadow
    rib_phase: float
    rib_spacing: float
    tissue: float  # soft-tissue brightness
    air: float  # lung brightness
    sites: dict  # finding -> (x, y, size, side) where its signature is drawn
    nipple: float  # brightness of the nipple shadows (0: none visible)
    breast: float  # extra basal density of breast tissue (0: none)


class _Grid(NamedTuple):
    u: np.ndarray  # (S, S) x coordinate of each pixel
    v: np.ndarray  # (S, S) y coordinate
    size: int


def _soft(distance, width=_EDGE):
    """Smooth step: 0 outside (distance < 0), 1 inside, over about ``width``."""
    return 0.5 * (1 + np.tanh(distance / width))


def _gauss(g: _Grid, x, y, sx, sy):
    """Gaussian bump of height 1 at (x, y) with widths (sx, sy)."""
    return np.exp(-0.5 * (((g.u - x) / sx) ** 2 + ((g.v - y) / sy) ** 2))


def _ellipse(g: _Grid, x, y, a, b, width=_EDGE):
    """Soft mask of the ellipse centred at (x, y) with semi-axes (a, b)."""
    r = np.sqrt(((g.u - x) / a) ** 2 + ((g.v - y) / b) ** 2)
    return _soft((1 - r) * min(a, b), width)


def _noise(rng, size: int, scale: float) -> np.ndarray:
    """Smooth random field of unit std whose blobs are about ``scale`` wide."""
    field = ndimage.gaussian_filter(
        rng.standard_normal((size, size)), max(scale * size, 0.5), mode="wrap"
    )
    return field / (field.std() + 1e-12)


def _lung_centre(anat: Anatomy, side: int):
    """(x, y) of the middle of the lung on ``side`` (-1 image left, +1 image right)."""
    x = anat.cx + side * (anat.gap + anat.lung_hw)
    return x, 0.5 * (anat.lung_top + anat.base[side > 0])


def _lung(g: _Grid, anat: Anatomy, side: int, shrink: float = 0.0):
    """Return (mask, depth) of one lung; depth grows from 0 at the edge inwards.

    A superellipse that widens towards the base, cut by the dome of the
    diaphragm, which peaks medially and falls to the costophrenic angle.
    ``shrink`` pulls every edge inwards by that fraction (collapsed lung).
    """
    x0, _ = _lung_centre(anat, side)
    half_height = 0.5 * (anat.base[side > 0] + 0.06 - anat.lung_top) * (1 - shrink)
    y0 = anat.lung_top + half_height
    t = np.clip((g.v - anat.lung_top) / (2 * half_height), 0, 1)
    a = anat.lung_hw * (0.62 + 0.45 * np.sqrt(t)) * (1 - shrink)
    x_shift = 0.25 * side * anat.lung_hw * (1 - t)  # apex sits towards the midline
    nx = (g.u - x0 + x_shift) / a
    ny = (g.v - y0) / half_height
    depth = 1 - np.cbrt(np.abs(nx) ** 3 + np.abs(ny) ** 3)  # a rounded box
    dome_x = (g.u - x0 + 0.2 * side * a) / a  # the dome peaks a little medially
    dome = anat.base[side > 0] - 0.08 * np.exp(-(dome_x**2))
    depth = np.minimum(depth * anat.lung_hw, dome - 0.01 - g.v)
    return _soft(depth), depth


def sample_anatomy(rng: np.random.Generator) -> Anatomy:
    """Draw one patient's body and where each finding would appear."""
    cx = 0.5 + rng.normal(0, 0.01)
    lung_top = 0.14 + rng.normal(0, 0.015)
    base_left = 0.73 + rng.normal(0, 0.02)  # patient's right: liver pushes it up
    # normal hearts vary: a mildly enlarged one overlaps the large normal ones
    heart = (
        cx + 0.045 + rng.normal(0, 0.008),
        0.62 + rng.normal(0, 0.015),
        0.145 * rng.uniform(0.86, 1.14),
        0.125 * rng.uniform(0.9, 1.1),
    )
    anat = Anatomy(
        cx=cx,
        body_hw=rng.uniform(0.4, 0.45),
        lung_top=lung_top,
        base=(base_left, base_left + 0.025 + rng.normal(0, 0.01)),
        lung_hw=rng.uniform(0.15, 0.17),
        gap=rng.uniform(0.045, 0.055),
        heart=heart,
        rib_phase=rng.uniform(0, 1),
        rib_spacing=rng.uniform(0.068, 0.078),
        tissue=rng.uniform(0.5, 0.6),
        air=rng.uniform(0.13, 0.2),
        sites={},
        nipple=rng.uniform(0.08, 0.2) * (rng.random() < 0.2),
        breast=rng.uniform(0.04, 0.1) * (rng.random() < 0.4),
    )
    sites = {name: _sample_site(rng, anat, name) for name in FINDINGS}
    return anat._replace(sites=sites)


def _sample_site(rng, anat: Anatomy, name: str):
    """Return (x, y, size, side) for a finding, near its real box position."""
    side = int(rng.choice((-1, 1)))
    box = BBOX.get(name)
    size = rng.uniform(0.8, 1.2)
    if box is None:
        x, y = _lung_centre(anat, side)
        return x, y + rng.normal(0.05, 0.05), size, side
    for _ in range(30):  # rejection: keep centres that fall inside a lung
        x = rng.normal(box["center_x_mean"], box["center_x_sd"])
        y = rng.normal(box["center_y_mean"], box["center_y_sd"])
        side = -1 if x < anat.cx else 1
        x0, _ = _lung_centre(anat, side)
        # behind the heart and the diaphragm's dome are allowed: lung is there
        # too, and lesions hidden by them are the ones readers miss
        inner = abs(x - x0) < 0.85 * anat.lung_hw
        if inner and anat.lung_top + 0.05 < y < anat.base[side > 0] + 0.01:
            return x, y, size, side
    x, y = _lung_centre(anat, side)
    return x, y, size, side


def _adapt_anatomy(anat: Anatomy, present: dict, view: str) -> Anatomy:
    """Apply the findings that change the anatomy itself (heart, lungs, diaphragm).

    ``present`` maps each finding on the image to its severity in (0, 1].
    """
    x, y, a, b = anat.heart
    base = list(anat.base)
    lung_hw, air = anat.lung_hw, anat.air
    if view == "AP":  # the heart is farther from the detector: magnified
        a, b = a * 1.08, b * 1.04
    if "Cardiomegaly" in present:
        s = present["Cardiomegaly"]
        a, b, x = a * (1 + 0.4 * s), b * (1 + 0.15 * s), x + 0.02 * s
    if "Emphysema" in present:
        s = present["Emphysema"]
        base = [v + 0.04 * s for v in base]
        lung_hw, air, a = lung_hw * (1 + 0.03 * s), air - 0.03 * s, a * (1 - 0.08 * s)
    if "Fibrosis" in present:
        s = present["Fibrosis"]
        base = [v - 0.03 * s for v in base]
        lung_hw *= 1 - 0.06 * s
    if "Atelectasis" in present:
        side = anat.sites["Atelectasis"][3]
        base[side > 0] -= 0.04 * present["Atelectasis"]
    return anat._replace(
        heart=(x, y, a, b), base=tuple(base), lung_hw=lung_hw, air=max(air, 0.05)
    )


def _body(g: _Grid, anat: Anatomy):
    """Soft-tissue silhouette: neck, shoulders, chest wall."""
    neck = 0.11 + (anat.body_hw - 0.11) * _soft(g.v - 0.11, 0.03)
    half_width = neck * (1 + 0.08 * np.exp(-(((g.v - 0.2) / 0.1) ** 2)))
    body = _soft(half_width - np.abs(g.u - anat.cx), 0.01)
    thickness = 1 - 0.35 * ((g.u - anat.cx) / anat.body_hw) ** 2  # thicker centrally
    return body, anat.tissue * np.clip(thickness, 0.3, 1)


def _ribs(g: _Grid, anat: Anatomy):
    """Posterior ribs as curved bright bands, plus the clavicles."""
    d = np.abs(g.u - anat.cx)
    # ten evenly spaced arcs: the distance to the nearest arc, in one periodic pass
    first = anat.lung_top - 0.03 + anat.rib_phase * 0.3 * anat.rib_spacing
    along = (g.v - first + 0.12 * d - 1.3 * d**2) / anat.rib_spacing
    nearest = (along - np.round(along)) * anat.rib_spacing
    in_cage = (along > -0.5) & (along < 9.5)
    ribs = np.exp(-((nearest / 0.01) ** 2)) * in_cage * _soft(d - anat.gap + 0.02)
    ribs *= _soft(max(anat.base) + 0.02 - g.v, 0.03)  # faint over the abdomen
    for side in (-1, 1):  # clavicles: from the sternum up and out
        t = np.clip((g.u - anat.cx) * side / 0.3, 0, 1)
        centre = anat.lung_top + 0.02 - 0.05 * t
        ribs += 1.4 * np.exp(-(((g.v - centre) / 0.013) ** 2)) * (t > 0.1) * (t < 0.98)
    return ribs


def _draw_anatomy(g, anat: Anatomy, rng, present: dict):
    """Return the normal chest image, the visible parts of the lungs, the heart."""
    body, tissue = _body(g, anat)
    image = 0.03 + body * (tissue - 0.03)
    x, y, a, b = anat.heart
    heart = np.maximum(
        _ellipse(g, x, y, a, b),  # heart and the mediastinum above it
        _ellipse(g, anat.cx - 0.005, y - 0.16, 0.055, 0.2),
    )

    # lungs: dark air with vessels that fan out from the hila
    vessels = np.exp(-((_noise(rng, g.size, 0.012) / 0.35) ** 2))  # thin wavy lines
    markings = 1 - 0.5 * present.get("Emphysema", 0.0)
    lungs = []
    for side in (-1, 1):
        mask, _ = _lung(g, anat, side)
        hx, hy = anat.cx + side * (anat.gap + 0.03), 0.47
        hilum = np.exp(-np.hypot(g.u - hx, g.v - hy) / 0.1)
        height = anat.base[side > 0] - anat.lung_top
        depth_down = np.clip((g.v - anat.lung_top) / height, 0, 1)  # more tissue below
        lung_value = (
            anat.air
            + 0.06 * depth_down
            + markings * (0.1 * hilum + 0.06 * vessels * (0.3 + hilum))
        )
        image = image * (1 - mask) + mask * lung_value
        lungs.append(mask * (1 - heart))

    # bones over everything, fainter over soft tissue
    lung_any = np.maximum(*lungs)
    image += 0.04 * _ribs(g, anat) * (0.4 + 0.6 * lung_any) * body
    spine = _soft(0.03 - np.abs(g.u - anat.cx), 0.01) * body
    trachea = _soft(0.012 - np.abs(g.u - anat.cx), 0.006) * (g.v < 0.36) * (g.v > 0.03)

    # heart, aortic knob and the stomach bubble under the left hemidiaphragm
    below = _soft(g.v - y, 0.05)  # the heart's lower half merges into the diaphragm
    heart_value = anat.tissue + 0.1 - 0.06 * below
    image = image * (1 - heart) + heart * heart_value
    image += 0.1 * spine - 0.1 * trachea
    image += 0.08 * _ellipse(g, anat.cx + 0.05, 0.31, 0.035, 0.03)
    bubble = _ellipse(g, anat.cx + 0.15, anat.base[1] + 0.05, 0.045, 0.028)
    image -= 0.18 * bubble * body

    return _add_look_alikes(image, g, anat, body), lungs, heart


def _add_look_alikes(image, g, anat: Anatomy, body):
    """Add nipple shadows (false nodules) and breast tissue (a basal haze)."""
    for side in (-1, 1):
        nx, _ = _lung_centre(anat, side)
        image += (
            anat.nipple
            * _ellipse(
                g, nx + 0.02 * side, anat.base[side > 0] - 0.07, 0.012, 0.012, 0.006
            )
            * body
        )
        image += (
            anat.breast
            * _soft(g.v - anat.base[side > 0] + 0.12, 0.04)
            * _soft(
                0.7 * anat.lung_hw - np.abs(g.u - nx - 0.3 * side * anat.lung_hw), 0.05
            )
        )
    return image


def _blob(g, x, y, radius, rng, lobulation=0.0):
    """Soft disk at (x, y); ``lobulation`` makes its outline bumpy."""
    angle = np.arctan2(g.v - y, g.u - x)
    bumps = 1 + lobulation * np.sin(3 * angle + rng.uniform(0, 6.3))
    r = np.hypot(g.u - x, g.v - y) / (radius * bumps)
    return _soft((1 - r) * radius, max(0.3 * radius, 0.004))


class _Scene(NamedTuple):
    """What a finding's drawing needs: the grid, the anatomy, the lungs, the rng."""

    g: _Grid
    anat: Anatomy
    lungs: list  # visible (image-left, image-right) lung masks
    rng: np.random.Generator


# Each drawing returns (additive brightness, dense-fill mask or 0) at (x, y).


def _nodule(sc, x, y, size, side):
    return 0.5 * _blob(sc.g, x, y, max(0.026 * size, 1.2 / sc.g.size), sc.rng), 0


def _mass(sc, x, y, size, side):
    return 0.35 * _blob(sc.g, x, y, 0.06 * size, sc.rng, lobulation=0.12), 0


def _consolidation(sc, x, y, size, side):
    lobe = _ellipse(sc.g, x, y, 0.075 * size, 0.1 * size, 0.015)
    return 0, 0.85 * lobe * sc.lungs[side > 0]


def _pneumonia(sc, x, y, size, side):
    # an airspace opacity like Infiltration's or Consolidation's: the label is a
    # clinical diagnosis, the film alone barely tells them apart
    patch = _ellipse(sc.g, x, y, 0.08 * size, 0.1 * size, 0.03)
    mottled = np.clip(0.6 + 0.5 * _noise(sc.rng, sc.g.size, 0.02), 0, 1)
    return 0.18 * patch * mottled * sc.lungs[side > 0], 0


def _infiltration(sc, x, y, size, side):
    add = 0
    for _ in range(3):  # a few faint, ill-defined patches around the site
        bx, by = x + sc.rng.normal(0, 0.05), y + sc.rng.normal(0, 0.06)
        add = add + 0.24 * _gauss(sc.g, bx, by, 0.035, 0.045)
    return add * np.maximum(*sc.lungs), 0


def _atelectasis(sc, x, y, size, side):
    g, tilt = sc.g, sc.rng.uniform(-0.3, 0.3)
    distance = (g.v - y) - tilt * (g.u - x)  # from a tilted line through the site
    band = np.exp(-((distance / 0.022) ** 2)) * np.exp(-(((g.u - x) / 0.08) ** 2))
    # a collapsed lobe is dense behind the heart too (the retrocardiac "sail")
    lung, _ = _lung(g, sc.anat, side)
    return 0.5 * band * lung, 0


def _edema(sc, x, y, size, side):
    g, anat = sc.g, sc.anat
    add = 0
    for s in (-1, 1):  # bilateral perihilar "bat wing" haze
        hx = anat.cx + s * (anat.gap + 0.05)
        add = add + 0.17 * _gauss(g, hx, 0.5, 0.11, 0.16) * sc.lungs[s > 0]
    lines = np.cos(2 * np.pi * g.v / 0.025) > 0.85  # septal (Kerley B) lines
    periphery = _gauss(g, anat.cx, 0.66, 0.6, 0.06) * (np.abs(g.u - anat.cx) > 0.2)
    return add + 0.12 * lines * periphery * np.maximum(*sc.lungs), 0


def _fibrosis(sc, x, y, size, side):
    net = np.exp(-((_noise(sc.rng, sc.g.size, 0.01) / 0.25) ** 2))  # a mesh of lines
    lower = _soft(sc.g.v - 0.45, 0.05)
    return 0.16 * net * lower * np.maximum(*sc.lungs), 0


def _pleural_thickening(sc, x, y, size, side):
    g, anat = sc.g, sc.anat
    _, depth = _lung(g, anat, side)
    x0, _ = _lung_centre(anat, side)
    lateral = _soft(side * (g.u - x0) - 0.03, 0.02) * _soft(0.62 - g.v, 0.03)
    width = 0.02 * size
    rim = np.exp(-(((depth - width) / width) ** 2))  # a band just inside the edge
    return 0.5 * rim * np.maximum(lateral, _soft(0.24 - g.v, 0.02)), 0


def _hernia(sc, x, y, size, side):
    g, anat = sc.g, sc.anat
    hx, hy = anat.cx + 0.01, anat.heart[1] + 0.06
    sac = _ellipse(g, hx, hy, 0.05 * size, 0.04 * size)  # air above, fluid below
    return -0.25 * sac * _soft(hy - g.v, 0.004), 0.9 * sac * _soft(g.v - hy, 0.004)


_SIGNATURES = {
    "Atelectasis": _atelectasis,
    "Consolidation": _consolidation,
    "Edema": _edema,
    "Fibrosis": _fibrosis,
    "Hernia": _hernia,
    "Infiltration": _infiltration,
    "Mass": _mass,
    "Nodule": _nodule,
    "Pleural_Thickening": _pleural_thickening,
    "Pneumonia": _pneumonia,
}  # Cardiomegaly, Emphysema: _adapt_anatomy; Effusion, Pneumothorax: their own


def _opacities(g, anat: Anatomy, present: dict, lungs, rng):
    """Return (additive brightness, dense-fill mask) for the findings in ``present``.

    Each signature is drawn at its textbook strength, then scaled by the
    finding's severity (a mild finding is a faint one).
    """
    scene = _Scene(g, anat, lungs, rng)
    add, fill = np.zeros_like(g.u), np.zeros_like(g.u)
    for name in sorted(present.keys() & set(_SIGNATURES)):
        x, y, size, side = anat.sites[name]
        x, y = x + rng.normal(0, 0.005), y + rng.normal(0, 0.005)  # breathing, pose
        more, dense = _SIGNATURES[name](scene, x, y, size, side)
        severity = present[name]
        add, fill = add + severity * more, np.maximum(fill, severity * dense)
    return add, fill


def _effusion(g, anat: Anatomy, heart, severity: float):
    """Basal fluid with a meniscus that climbs laterally, on one or both sides.

    A mild effusion only blunts the costophrenic angle; a severe one rises.
    """
    _, _, size, side = anat.sites["Effusion"]
    sides = (-1, 1) if size * severity > 0.9 else (side,)  # large: bilateral
    fluid = np.zeros_like(g.u)
    for s in sides:
        x0, _ = _lung_centre(anat, s)
        level = anat.base[s > 0] - (0.02 + 0.1 * severity) * size
        lateral = np.clip(s * (g.u - x0) / anat.lung_hw + 0.6, 0, 1.6)
        meniscus = level - 0.06 * lateral**2
        _, depth = _lung(g, anat, s)
        pleural_space = _soft(depth + 0.015, 0.008)  # the lung and its pleural rim
        fluid = np.maximum(fluid, _soft(g.v - meniscus, 0.012) * pleural_space)
    return fluid * (1 - heart) * (0.6 + 0.4 * severity)


def _pneumothorax(g, anat: Anatomy, lungs, severity: float):
    """Air around a collapsed lung: (dark mask, pleural line); mild ones are thin."""
    side, size = anat.sites["Pneumothorax"][3], anat.sites["Pneumothorax"][2]
    full = lungs[side > 0]
    collapsed, depth = _lung(g, anat, side, shrink=(0.08 + 0.14 * severity) * size)
    upper = _soft(0.55 - g.v, 0.06)
    air = np.clip(full - collapsed, 0, 1) * upper
    line = np.exp(-((depth / 0.004) ** 2)) * upper * full
    return air, line


def _grid(size: int, rng) -> _Grid:
    """Pixel-centre coordinates with a small random patient position (shift, tilt)."""
    axis = ((np.arange(size) + 0.5) / size).astype(np.float32)
    v, u = np.meshgrid(axis, axis, indexing="ij")
    angle = np.deg2rad(rng.normal(0, 2.5))
    du, dv = rng.normal(0, 0.02, size=2)
    uc, vc = u - 0.5 - du, v - 0.5 - dv
    return _Grid(
        0.5 + np.cos(angle) * uc + np.sin(angle) * vc,
        0.5 - np.sin(angle) * uc + np.cos(angle) * vc,
        size,
    )


def render_chest_xray(
    labels,
    anatomy: Anatomy,
    rng: np.random.Generator,
    image_size: int = 64,
    view: str = "PA",
    severity=None,
) -> np.ndarray:
    """Draw one image of a patient with the given findings: (S, S) float32 in [0, 1].

    ``labels`` (14,) says which findings are present; ``severity`` (14,) in
    (0, 1] how pronounced each one is (default 1: the textbook picture).
    """
    severity = np.ones(len(FINDINGS)) if severity is None else severity
    present = {
        name: float(s)
        for name, flag, s in zip(FINDINGS, labels, severity, strict=True)
        if flag
    }
    g = _grid(image_size, rng)
    anat = _adapt_anatomy(anatomy, present, view)
    image, lungs, heart = _draw_anatomy(g, anat, rng, present)

    # findings: darken (pneumothorax), brighten, then fill dense regions
    if "Pneumothorax" in present:
        air, line = _pneumothorax(g, anat, lungs, present["Pneumothorax"])
        image = image * (1 - air) + air * 0.03 + 0.15 * present["Pneumothorax"] * line
    add, fill = _opacities(g, anat, present, lungs, rng)
    if "Effusion" in present:
        fill = np.maximum(fill, _effusion(g, anat, heart, present["Effusion"]))
    image = image + add
    image = image * (1 - fill) + fill * (0.9 * anat.tissue)
    return _acquire(image, rng, view)


def _acquire(image, rng, view: str) -> np.ndarray:
    """Blur, exposure, gamma and quantum noise; the bedside AP view is the worst."""
    size = image.shape[0]
    image = ndimage.gaussian_filter(image, 0.004 * size * rng.uniform(0.8, 1.6))
    if view == "AP":  # scatter without a grid: less contrast
        image = image.mean() + rng.uniform(0.75, 0.95) * (image - image.mean())
    gain, offset = rng.uniform(0.85, 1.15), rng.uniform(-0.05, 0.05)
    image = np.clip(gain * image + offset, 0, 1) ** rng.uniform(0.8, 1.25)
    noise = rng.uniform(0.008, 0.022) * (1.3 if view == "AP" else 1.0)
    image = image + rng.normal(0, noise, image.shape)
    return np.clip(image, 0, 1).astype(np.float32)
