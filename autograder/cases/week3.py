"""Cases and oracle adapters for week 3's sub-volume and standardize lessons.

The Dice, soft-Dice and sensitivity/specificity lessons are in
`autograder.cases.week3_metrics`; their names are re-exported here, so
``week3.dice_oracle`` still works. The volume lessons (augmentation, tiled
prediction, registration) are in `autograder.cases.week3_volumes`.

Oracles come from `reference` only (never `solutions`), imported lazily so that
the registry never depends on them being importable.

`get_sub_volume` draws its corner with the legacy global ``np.random`` (the
course's contract), which the grader cannot seed inside the learner's worker. It
is therefore graded by `verify_sub_volume`, a property check: the returned patch
must be the image at *some* corner whose patch passes the background test, with
the matching one-hot label, channels first and the background class dropped.
Public cases include one where a single corner qualifies (a unique answer) and
one where none does (the answer is ``None``). Thresholds are chosen so that no
corner's background fraction is within 1e-6 of the threshold, so float32 and
float64 arithmetic agree.

Classic mistakes the cases catch: a stale value for a constant slice in
`standardize`, channels-last patches and an undropped background class in
`get_sub_volume`.
"""

from __future__ import annotations

import itertools

import numpy as np

from autograder.cases import edge
from autograder.cases.week3_metrics import (
    class_sens_spec_oracle,
    dice_hidden,
    dice_oracle,
    dice_public,
    sens_spec_hidden,
    sens_spec_public,
    single_dice_hidden,
    single_dice_oracle,
    single_dice_public,
    soft_dice_grad_hidden,
    soft_dice_grad_oracle,
    soft_dice_grad_public,
    soft_dice_hidden,
    soft_dice_oracle,
    soft_dice_public,
)
from autograder.spec import Case

__all__ = [
    "class_sens_spec_oracle",
    "dice_hidden",
    "dice_oracle",
    "dice_public",
    "sens_spec_hidden",
    "sens_spec_public",
    "single_dice_hidden",
    "single_dice_oracle",
    "single_dice_public",
    "soft_dice_grad_hidden",
    "soft_dice_grad_oracle",
    "soft_dice_grad_public",
    "soft_dice_hidden",
    "soft_dice_oracle",
    "soft_dice_public",
    "standardize_hidden",
    "standardize_oracle",
    "standardize_public",
    "sub_volume_hidden",
    "sub_volume_public",
    "verify_sub_volume",
]


# --------------------------------------------------------------------------- oracles


def standardize_oracle(image):
    """Return reference.data.subvolume.standardize(image)."""
    from reference.data.subvolume import standardize

    return standardize(image)


# --------------------------------------------------------------- get_sub_volume

_SUB_VOLUME_DEFAULTS = dict(
    orig_x=240,
    orig_y=240,
    orig_z=155,
    output_x=160,
    output_y=160,
    output_z=16,
    num_classes=4,
    max_tries=1000,
    background_threshold=0.95,
)


def _sub_volume_params(case: Case) -> dict:
    """Return the call's arguments by name, with the course's defaults."""
    names = ["image", "label", *_SUB_VOLUME_DEFAULTS]
    params = {
        **_SUB_VOLUME_DEFAULTS,
        **dict(zip(names, case.args, strict=False)),
        **case.kwargs,
    }
    params["image"] = np.asarray(params["image"])
    params["label"] = np.asarray(params["label"])
    return params


def _corners(p: dict):
    """Every corner and its patch's background fraction (exact, float64)."""
    ranges = [range(p[f"orig_{a}"] - p[f"output_{a}"] + 1) for a in "xyz"]
    size = [p[f"output_{a}"] for a in "xyz"]
    for corner in itertools.product(*ranges):
        window = tuple(slice(c, c + s) for c, s in zip(corner, size, strict=True))
        patch = p["label"][window]
        yield corner, window, float(np.sum(patch == 0)) / patch.size


def _sub_volume_shape_problem(value, p: dict) -> str | None:
    size = tuple(p[f"output_{a}"] for a in "xyz")
    channels, classes = p["image"].shape[3], p["num_classes"]
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not all(isinstance(v, np.ndarray) for v in value)
    ):
        return f"expected a tuple (X, y) of two ndarrays, got {type(value).__name__}"
    X, y = value
    if X.shape != (channels, *size):
        extra = (
            " (channels-last: move the channel axis first with np.moveaxis(X, 3, 0))"
            if X.shape == (*size, channels)
            else ""
        )
        return f"X has shape {X.shape}, expected {(channels, *size)}{extra}"
    if y.shape != (classes - 1, *size):
        extra = ""
        if y.shape == (classes, *size):
            extra = " (drop the background class: y[1:])"
        elif y.shape in ((*size, classes - 1), (*size, classes)):
            extra = " (channels-last: move the class axis first, then drop class 0)"
        return f"y has shape {y.shape}, expected {(classes - 1, *size)}{extra}"
    if X.dtype.kind != p["image"].dtype.kind or y.dtype.kind not in "biuf":
        return (
            f"wrong dtypes: X {X.dtype} (expected the image's, {p['image'].dtype}), "
            f"y {y.dtype} (expected float32 one-hot)"
        )
    return None


def verify_sub_volume(case: Case, value) -> str | None:
    """Property check for get_sub_volume (the corner is random, so not unique)."""
    p = _sub_volume_params(case)
    threshold = p["background_threshold"]
    corners = list(_corners(p))
    valid = [c for c in corners if c[2] < threshold]
    if not valid:
        if value is None:
            return None
        return (
            "expected None: no patch has a background fraction below "
            f"{threshold}, so every try fails and the function must give up "
            f"(print the message, return None); got {type(value).__name__}"
        )
    if value is None:
        return (
            f"returned None, but {len(valid)} of {len(corners)} corners give a patch "
            f"with background fraction < {threshold}; with max_tries="
            f"{p['max_tries']} random tries one of them should be found"
        )
    problem = _sub_volume_shape_problem(value, p)
    if problem:
        return problem
    return _match_corner(*value, p, corners)


def _match_corner(X, y, p: dict, corners) -> str | None:
    """Find a corner whose accepted patch is (X, y); else say what is wrong."""
    threshold, eye = p["background_threshold"], np.eye(p["num_classes"])
    same_image = [
        (c, w, f)
        for c, w, f in corners
        if np.array_equal(X, np.moveaxis(p["image"][w], 3, 0))
    ]
    for _, window, fraction in same_image:
        expected_y = np.moveaxis(eye[p["label"][window].astype(int)], 3, 0)[1:]
        if fraction < threshold and np.array_equal(y, expected_y):
            return None
    accepted = [c for c, _, f in same_image if f < threshold]
    if accepted:
        return (
            f"X is the image at corner {accepted[0]}, but y is not the one-hot "
            "label of that patch without class 0 (y[k - 1] = 1 where the label "
            "is k)"
        )
    if same_image:
        return (
            f"X is the image at corner {same_image[0][0]}, whose patch has a "
            f"background fraction >= {threshold}: it should have been rejected"
        )
    return (
        "X is not the image at any corner (start_x in "
        "range(orig_x - output_x + 1), likewise y and z): check the slices and "
        "the order of the axes"
    )


def _course_sub_volume():
    """Make the course's volume: image[i, j, k, 0] = i * j * k, label = k."""
    i, j, k = np.meshgrid(np.arange(4), np.arange(4), np.arange(3), indexing="ij")
    return (i * j * k).astype(np.float64)[..., None], k.astype(np.float64)


def _unique_corner_case(rng, shape, channels, size, corner, num_classes, label=""):
    """Make a volume where exactly one corner's patch is below threshold 0.2.

    The patch at ``corner`` is all tumour (background fraction 0); any other
    corner overlaps it by at most (size - 1) / size along some axis, so its
    background fraction is at least 1 / max(size) > 0.2 for sizes up to 4.
    """
    image = rng.integers(0, 100, size=(*shape, channels)).astype(np.float64)
    lab = np.zeros(shape)
    window = tuple(slice(c, c + s) for c, s in zip(corner, size, strict=True))
    lab[window] = rng.integers(1, num_classes, size=size)
    return Case(args=(image, lab, *shape, *size, num_classes, 1000, 0.2), label=label)


def sub_volume_public():
    """Make the course's example, a unique-corner case and a give-up case."""
    image, label = _course_sub_volume()
    rng = np.random.default_rng(3)
    return [
        Case(
            args=(image, label, 4, 4, 3, 2, 2, 2, 3),
            label="the course's example: image[i, j, k, 0] = i*j*k, label[i, j, k] = "
            "k, a 2x2x2 patch, num_classes=3 (every corner qualifies)",
        ),
        _unique_corner_case(
            rng,
            (6, 5, 4),
            2,
            (3, 3, 2),
            (2, 1, 1),
            4,
            label="a 6x5x4 volume, 2 channels, 3x3x2 patch, threshold "
            "0.2: only the corner (2, 1, 1) qualifies",
        ),
        Case(
            args=(image, np.zeros((4, 4, 3)), 4, 4, 3, 2, 2, 2, 3, 20, 0.95),
            label="an all-background label, max_tries=20: no patch qualifies -> None",
        ),
    ]


def _threshold_away_from_fractions(p: dict, wanted: float) -> float:
    """``wanted`` nudged so that no corner's background fraction is within 1e-6."""
    fractions = np.array([f for _, _, f in _corners(p)])
    threshold = wanted
    while np.any(np.abs(fractions - threshold) < 1e-6):
        threshold += 1e-3
    return threshold


def _random_sub_volume_case(rng, shape, channels, size, num_classes, dtype, wanted):
    from reference.data.brats import make_brats_case

    image, label = make_brats_case(shape, rng=rng)
    if num_classes < 4:
        label = np.minimum(label, num_classes - 1)
    image = image[..., :channels].astype(dtype)
    p = {
        **_SUB_VOLUME_DEFAULTS,
        "image": image,
        "label": label,
        "num_classes": num_classes,
        **{f"orig_{a}": n for a, n in zip("xyz", shape, strict=True)},
        **{f"output_{a}": s for a, s in zip("xyz", size, strict=True)},
    }
    # a threshold some corners pass (at least 2 % of them: giving up is then
    # practically impossible in 1000 tries) and others fail
    fractions = np.sort([f for _, _, f in _corners(p)])
    wanted = min(max(wanted, fractions[len(fractions) // 50] + 1e-3), 0.999)
    threshold = _threshold_away_from_fractions(p, wanted)
    return Case(args=(image, label, *shape, *size, num_classes, 1000, threshold))


def sub_volume_hidden(rng):
    """Make synthetic BraTS crops, unique-corner and give-up cases."""
    image, label = _course_sub_volume()
    return [
        _random_sub_volume_case(rng, (20, 18, 16), 4, (10, 10, 4), 4, np.float32, 0.9),
        _random_sub_volume_case(rng, (16, 16, 16), 4, (8, 8, 8), 4, np.float64, 0.95),
        _random_sub_volume_case(rng, (18, 16, 17), 2, (6, 7, 5), 3, np.float32, 0.8),
        _random_sub_volume_case(rng, (16, 20, 16), 1, (16, 4, 3), 4, np.float64, 0.97),
        _unique_corner_case(rng, (7, 6, 5), 3, (4, 3, 3), (3, 0, 2), 4),
        _unique_corner_case(rng, (5, 5, 5), 1, (2, 2, 2), (0, 3, 3), 5),
        Case(args=(image, label, 4, 4, 3, 2, 2, 2, 3)),
        Case(
            args=(
                image.astype(np.float32),
                label.astype(np.uint8),
                4,
                4,
                3,
                3,
                3,
                1,
                3,
                1000,
                0.5,
            )
        ),
        Case(args=(image, np.zeros((4, 4, 3)), 4, 4, 3, 1, 1, 1, 2, 50, 0.5)),
    ]


# ------------------------------------------------------------------- standardize


def standardize_public():
    """Make the docstring's example (with a constant slice) and a random patch."""
    slices = [[[1.0, 3.0], [5.0, 5.0]], [[7.0, 7.0], [7.0, 7.0]]]
    example = np.stack(slices, axis=-1)[None]  # (1, 2, 2, 2), slices along z
    rng = np.random.default_rng(0)
    return [
        Case(
            args=(example,),
            label="one channel, two 2x2 slices: [[1, 3], [5, 5]] and "
            "the constant [[7, 7], [7, 7]] (std 0 -> zeros)",
        ),
        Case(
            args=(rng.normal(50, 10, size=(2, 4, 4, 3)),),
            label="random (2, 4, 4, 3) patch, mean 50, std 10",
        ),
    ]


def standardize_hidden(rng):
    """Make random patches (float64, float32, ints) and constant slices."""
    with_constant = rng.normal(size=(2, 5, 4, 4))
    with_constant[0, :, :, 2] = 3.0  # after a slice with std > 0: a stale value shows
    with_constant[1, :, :, 0] = 0.0
    return [
        Case(args=(rng.normal(300, 80, size=(4, 6, 5, 3)),)),
        Case(args=(rng.normal(0, 1, size=(3, 8, 8, 4)).astype(np.float32),)),
        Case(args=(rng.integers(0, 1000, size=(2, 4, 3, 5)),)),
        *edge(
            Case(args=(with_constant,)),  # constant slices
            Case(args=(np.zeros((1, 3, 3, 2)),)),
        ),  # all zeros
        Case(args=(rng.uniform(0, 1, size=(1, 1, 7, 2)),)),
        Case(args=(rng.normal(100, 10, size=(2, 16, 16, 2)).astype(np.float32),)),
    ]
