"""Cases, oracles and property checks for week 1's chest X-ray data and loss lessons.

Lessons ``week1/data_leakage.py``, ``week1/class_imbalance.py``,
``week1/weighted_loss.py``, ``week1/augmentation.py``, ``week1/consensus.py``
and ``week1/standardization.py``. Oracles are adapters with the learner's
signatures around `reference.data` and `reference.losses` (imported lazily,
never `solutions`).

Answers that are not unique (a random patient split, resampled indices) are
graded by ``verify`` property checks instead of an oracle. Their determinism is
checked by a pair of cases that share the same argument tuple: `_same_as_before`
remembers the first answer and compares the second with it.

The course's classic cases are public: the weighted loss with
``y_true = [[1, 1, 1], [1, 1, 0], [0, 1, 0], [1, 0, 1]]``, weights
``[0.25, 0.25, 0.5]`` / ``[0.75, 0.75, 0.5]``, predictions all 0.7 or all 0.3 and
``epsilon = 1`` (which exposes an epsilon outside the logarithm), and the
frequencies of a small hand-written label matrix.
"""

from __future__ import annotations

import numpy as np

from autograder.cases import edge
from autograder.spec import Case

__all__ = [
    "adjust_contrast_oracle", "apply_standardization_oracle", "balance_hidden",
    "balance_public", "balance_verify", "bce_hidden", "bce_oracle", "bce_public",
    "contrast_hidden", "contrast_public", "fit_standardization_oracle",
    "freqs_hidden", "freqs_oracle", "freqs_public", "leakage_hidden", "leakage_oracle",
    "leakage_public",
    "majority_vote_oracle", "shift_hidden", "shift_image_oracle", "shift_public",
    "split_hidden", "split_public", "split_verify", "standardize_apply_hidden",
    "standardize_apply_public", "standardize_fit_hidden", "standardize_fit_public",
    "vote_hidden", "vote_public", "weighted_grad_hidden", "weighted_grad_oracle",
    "weighted_grad_public", "weighted_loss_hidden", "weighted_loss_oracle",
    "weighted_loss_public",
]

CLASSIC_Y = np.array([[1, 1, 1], [1, 1, 0], [0, 1, 0], [1, 0, 1]])
CLASSIC_POS = np.array([0.25, 0.25, 0.5])
CLASSIC_NEG = np.array([0.75, 0.75, 0.5])
FREQS_LABELS = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1], [1, 0, 1]])


# ------------------------------------------------------------------------- oracles

def leakage_oracle(df1, df2, patient_col):
    """Oracle: `reference.data.splits.check_for_leakage`."""
    from reference.data.splits import check_for_leakage
    return check_for_leakage(df1, df2, patient_col)


def freqs_oracle(labels):
    """Oracle: `reference.data.preprocess.compute_class_freqs`."""
    from reference.data.preprocess import compute_class_freqs
    return compute_class_freqs(labels)


def bce_oracle(y_true, y_pred, epsilon=1e-7):
    """Oracle: `reference.losses.bce`."""
    from reference.losses import bce
    return bce(y_true, y_pred, epsilon)


def weighted_loss_oracle(pos_weights, neg_weights, epsilon=1e-7):
    """Oracle: a closure around `reference.losses.weighted_bce`."""
    from reference.losses import weighted_bce

    def weighted_loss(y_true, y_pred):
        return weighted_bce(y_true, y_pred, pos_weights, neg_weights, epsilon)
    return weighted_loss


def weighted_grad_oracle(y_true, y_pred, pos_weights, neg_weights, epsilon=1e-7):
    """Oracle: `reference.losses.weighted_bce_grad`."""
    from reference.losses import weighted_bce_grad
    return weighted_bce_grad(y_true, y_pred, pos_weights, neg_weights, epsilon)


def shift_image_oracle(image, dy, dx):
    """Oracle: `reference.data.augment2d.shift_image` (zero fill)."""
    from reference.data.augment2d import shift_image
    return shift_image(image, dy, dx)


def adjust_contrast_oracle(image, factor):
    """Oracle: `reference.data.augment2d.adjust_contrast`."""
    from reference.data.augment2d import adjust_contrast
    return adjust_contrast(image, factor)


def majority_vote_oracle(annotations):
    """Oracle: `reference.data.preprocess.majority_vote`, ties positive."""
    from reference.data.preprocess import majority_vote
    return majority_vote(annotations, tie="positive")


def fit_standardization_oracle(train_images):
    """Oracle: `reference.data.preprocess.fit_standardization`."""
    from reference.data.preprocess import fit_standardization
    return tuple(fit_standardization(train_images))


def apply_standardization_oracle(images, mean, std):
    """Oracle: `reference.data.preprocess.apply_standardization`."""
    from reference.data.preprocess import apply_standardization
    return apply_standardization(images, mean, std)


# ------------------------------------------------------------- determinism checks

_FIRST_ANSWERS: dict[int, tuple] = {}  # id(case.args) -> (args, first answer)


def _same_as_before(case: Case, answer: list) -> str | None:
    """Remember the first answer for these argument objects; compare later ones."""
    key = id(case.args)
    if key not in _FIRST_ANSWERS or _FIRST_ANSWERS[key][0] is not case.args:
        _FIRST_ANSWERS[key] = (case.args, answer)  # holding args keeps the id unique
        return None
    first = _FIRST_ANSWERS[key][1]
    if len(first) != len(answer) or any(not np.array_equal(a, b)
                                        for a, b in zip(first, answer, strict=True)):
        return ("not deterministic: called twice with the same arguments and seed, "
                "it gave different answers. Draw all randomness from "
                "np.random.default_rng(seed).")
    return None


def _twice(case: Case, label: str) -> list[Case]:
    """Return the case and a repeat sharing its argument tuple (for determinism)."""
    return [case, Case(args=case.args, kwargs=case.kwargs, label=label)]


def _as_index_array(value, what: str):
    """Return (int array, None) or (None, message) for an answer meant to be indices."""
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - ragged or odd answers
        return None, (f"{what}: expected an array of row indices, got "
                      f"{type(value).__name__}")
    if arr.size == 0:
        return arr.astype(np.int64).reshape(-1), None
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        return None, (f"{what}: expected a 1-D array of integer row indices, got "
                      f"shape {arr.shape} and dtype {arr.dtype}")
    return arr, None


# ------------------------------------------------------------------ data leakage

def _table(ids, column="PatientId", structured=False, as_list=False):
    ids = np.asarray(ids)
    names = np.array([f"{i:08d}.png" for i in range(ids.size)])
    if structured:
        table = np.zeros(ids.size, dtype=[("Image", "U16"), (column, ids.dtype)])
        table["Image"], table[column] = names, ids
        return table
    return {"Image": names, column: ids.tolist() if as_list else ids}


def leakage_public() -> list[Case]:
    """Overlapping and disjoint patients, as dicts and structured arrays."""
    return [
        Case(args=(_table([0, 1, 2]), _table([2, 3, 4]), "PatientId"),
             label="dict of arrays, PatientId [0, 1, 2] vs [2, 3, 4] (2 in both)"),
        Case(args=(_table([0, 1, 2]), _table([3, 4, 5]), "PatientId"),
             label="dict of arrays, PatientId [0, 1, 2] vs [3, 4, 5]"),
        Case(args=(_table([5, 5, 7], structured=True), _table([1, 7], structured=True),
                   "PatientId"),
             label="structured arrays, PatientId [5, 5, 7] vs [1, 7]"),
    ]


def leakage_hidden(rng: np.random.Generator) -> list[Case]:
    """Random ids, string ids, lists as columns, one-row tables."""
    overlap = rng.integers(0, 40, size=30), rng.integers(35, 80, size=25)
    disjoint = rng.integers(0, 50, size=40), rng.integers(50, 90, size=20)
    shared = int(rng.integers(100, 200))
    return [
        Case(args=(_table(overlap[0]), _table(overlap[1]), "PatientId")),
        Case(args=(_table(disjoint[0]), _table(disjoint[1]), "PatientId")),
        Case(args=(_table(disjoint[0], structured=True),
                   _table(disjoint[1], structured=True), "PatientId")),
        Case(args=(_table(np.r_[disjoint[0], shared], structured=True),
                   _table(np.r_[shared, disjoint[1]], structured=True), "PatientId")),
        Case(args=(_table(np.array(["p01", "p02", "p02"])), _table(np.array(["p03"])),
                   "PatientId")),
        Case(args=(_table(np.array(["p01", "p02"]), "patient"),
                   _table(np.array(["p02", "p09"]), "patient"), "patient")),
        Case(args=(_table([4, 4, 4], as_list=True), _table([4], as_list=True),
                   "PatientId")),
        *edge(Case(args=(_table([1]), _table([2]), "PatientId"))),  # one row each
    ]


def _split_data(rng, n_patients, n_findings, n_splits, rare=2):
    """Patients with 1-8 images; the first ``rare`` findings on few distinct ones."""
    counts = np.minimum(rng.geometric(0.45, size=n_patients), 8)
    ids = np.repeat(rng.permutation(np.arange(1000, 1000 + n_patients)), counts)
    labels = (rng.random((ids.size, n_findings)) < rng.uniform(0.1, 0.35,
                                                               n_findings)).astype(int)
    owners = rng.permutation(np.unique(ids))
    for k in range(rare):  # few patients each, who carry no other finding
        chosen = owners[k * (n_splits + 2): k * (n_splits + 2) + n_splits + int(k == 0)]
        rows = np.isin(ids, chosen)
        labels[rows] = 0
        labels[:, k] = 0
        labels[rows, k] = (rng.random(rows.sum()) < 0.7).astype(int)
        first_rows = [np.flatnonzero(ids == p)[0] for p in chosen]
        labels[first_rows, k] = 1
    return ids, labels


def split_public() -> list[Case]:
    """Return a small split with a finding on three patients, plus its repeat."""
    ids = np.array([1, 1, 2, 3, 3, 4, 5, 6, 6, 6, 7, 8, 9, 10])
    labels = np.zeros((ids.size, 2), dtype=int)
    labels[[0, 3, 7], 0] = 1  # a rare finding on patients 1, 3 and 6
    labels[[2, 5, 8, 10, 11, 12], 1] = 1
    first = Case(args=(ids, labels, (0.6, 0.2, 0.2), 0),
                 label="14 rows of 10 patients; finding 0 on patients 1, 3, 6 only; "
                       "fractions (0.6, 0.2, 0.2), seed 0")
    return [*_twice(first, "the same arguments again (same seed: same split)")]


def split_hidden(rng: np.random.Generator) -> list[Case]:
    """Random patients with rare findings on few patients, and a repeat."""
    cases = []
    for n_patients, n_findings, fractions in [(40, 3, (0.7, 0.15, 0.15)),
                                              (60, 5, (0.8, 0.2)),
                                              (120, 6, (0.6, 0.2, 0.2)),
                                              (25, 4, (0.5, 0.25, 0.25))]:
        ids, labels = _split_data(rng, n_patients, n_findings, len(fractions))
        cases.append(Case(args=(ids, labels, fractions, int(rng.integers(1000)))))
    ids, labels = _split_data(rng, 80, 4, 3)
    cases += _twice(Case(args=(ids, labels, (0.7, 0.15, 0.15), 7)),
                    "a repeat of the previous case (same seed: same split)")
    single = np.arange(30)  # one image per patient, a finding on one patient only
    one_off = np.zeros((30, 2), dtype=int)
    one_off[4, 0], one_off[::3, 1] = 1, 1
    cases.append(Case(args=(single, one_off, (0.7, 0.3), 3)))
    return cases


def _split_problem(case: Case, value) -> str | None:
    ids, labels, fractions, _ = case.args
    n_splits, n_rows = len(fractions), len(ids)
    if not isinstance(value, (tuple, list)) or len(value) != n_splits:
        return f"expected a tuple of {n_splits} index arrays (one per fraction)"
    parts = []
    for s, part in enumerate(value):
        arr, message = _as_index_array(part, f"split {s}")
        if message:
            return message
        parts.append(arr)
    rows = np.sort(np.concatenate(parts))
    if rows.size != n_rows or not np.array_equal(rows, np.arange(n_rows)):
        return (f"every row must be in exactly one split: got {rows.size} indices for "
                f"{n_rows} rows (missing or repeated rows, or indices out of range)")
    owners = [set(ids[p].tolist()) for p in parts]
    for a in range(n_splits):
        for b in range(a + 1, n_splits):
            if owners[a] & owners[b]:
                shared = sorted(owners[a] & owners[b])[:3]
                return f"patient leakage: patients {shared} are in splits {a} and {b}"
    return _split_balance_problem(case, parts)


def _split_balance_problem(case: Case, parts) -> str | None:
    ids, labels, fractions, _ = case.args
    n_rows = len(ids)
    biggest = np.bincount(np.unique(ids, return_inverse=True)[1]).max()
    for s, part in enumerate(parts):
        if abs(part.size - fractions[s] * n_rows) > 0.1 * n_rows + biggest:
            return (f"split {s} has {part.size} of {n_rows} rows, far from its share "
                    f"{fractions[s]}")
    for k in range(labels.shape[1]):
        n_patients = len(set(ids[labels[:, k] == 1].tolist()))
        missing = [s for s, part in enumerate(parts) if labels[part, k].sum() == 0]
        if n_patients >= len(parts) and missing:
            return (f"finding {k} is on {n_patients} patients but split {missing[0]} "
                    "has none: give a finding's patients first to the splits that "
                    "lack it")
    return None


def split_verify(case: Case, value) -> str | None:
    """Property check of a patient split: partition, no leakage, sizes, coverage."""
    problem = _split_problem(case, value)
    if problem:
        return problem
    return _same_as_before(case, [np.sort(np.asarray(p)) for p in value])


# ---------------------------------------------------------------- class imbalance

def freqs_public() -> list[Case]:
    """Return small hand-written label matrices (N != K)."""
    return [Case(args=(FREQS_LABELS,), label="labels [[1, 0, 0], [0, 1, 1], [1, 0, 1], "
                 "[1, 1, 1], [1, 0, 1]]"),
            Case(args=(np.array([[0, 1], [0, 0], [0, 1], [1, 1], [0, 1], [0, 0]]),))]


def freqs_hidden(rng: np.random.Generator) -> list[Case]:
    """Random labels: int, bool, float32/64, an empty column, one row."""
    random = (rng.random((20, 14)) < rng.uniform(0.01, 0.3, 14)).astype(np.int64)
    random[:, 7] = 0  # a finding with no positive
    return [
        Case(args=(random,)),
        Case(args=(random[:9, :4].astype(bool),)),
        Case(args=(random[:6, :5].astype(np.float64),)),
        Case(args=(random[:11, :3].astype(np.float32),)),
        *edge(Case(args=(np.ones((3, 2), dtype=np.int64),)),   # every label 1
              Case(args=(random[:1],))),                       # one row
        Case(args=((rng.random((50, 7)) < 0.5).astype(np.int64),)),
    ]


def balance_public() -> list[Case]:
    """Return the same labels over- and under-sampled."""
    y = np.array([1, 0, 0, 0, 0, 1, 0])
    return [Case(args=(y, method, 0), label=f'y = {y.tolist()}, "{method}", seed 0')
            for method in ("over", "under")]


def balance_hidden(rng: np.random.Generator) -> list[Case]:
    """Rare and common positives, equal classes, and repeats."""
    y_rare = (rng.random(60) < 0.15).astype(np.int64)
    y_rare[:2] = (1, 0)
    y_common = 1 - y_rare  # the positives are the majority
    cases = [Case(args=(y_rare, "over", int(rng.integers(100)))),
             Case(args=(y_rare, "under", int(rng.integers(100)))),
             Case(args=(y_common, "over", 5)),
             Case(args=(y_common, "under", 6)),
             Case(args=(np.array([0, 1, 0, 1]), "over", 1)),
             Case(args=(np.array([0, 1, 1, 1, 1, 1, 1, 1]), "under", 2))]
    cases += _twice(Case(args=(y_rare, "over", 11)), "a repeat of the previous case "
                    "(same seed: same rows)")
    cases += _twice(Case(args=(y_rare, "under", 12)), "a repeat of the previous case "
                    "(same seed: same rows)")
    return cases


def balance_verify(case: Case, value) -> str | None:
    """Property check of resampled indices (they are random, so not unique)."""
    y, method, _ = case.args
    arr, message = _as_index_array(value, "indices")
    if message:
        return message
    if arr.size and (arr.min() < 0 or arr.max() >= y.size):
        return (f"indices must be rows of y (0 .. {y.size - 1}), got "
                f"{arr.min()} .. {arr.max()}")
    positives, negatives = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    minority, majority = positives, negatives
    if len(positives) > len(negatives):
        minority, majority = negatives, positives
    counts = np.bincount(arr, minlength=y.size)
    if method == "over":
        expected, once, all_kept = 2 * majority.size, majority, minority
    else:
        expected, once, all_kept = 2 * minority.size, minority, np.array([], int)
    if arr.size != expected:
        return (f'method "{method}": expected {expected} indices, got {arr.size}')
    if np.any(counts[once] != 1):
        which = "majority" if method == "over" else "minority"
        return f'method "{method}": every {which} row must appear exactly once'
    if np.any(counts[all_kept] < 1):
        return 'method "over": every minority row must appear at least once'
    if method == "under" and np.any(counts[majority] > 1):
        return 'method "under": majority rows must be drawn without replacement'
    if y[arr].sum() * 2 != arr.size:
        return f"not balanced: {int(y[arr].sum())} positives among {arr.size} rows"
    return _same_as_before(case, [np.sort(arr)])


# ----------------------------------------------------------------- weighted loss

def bce_public() -> list[Case]:
    """Small hand-checkable values and the course's epsilon = 1 case."""
    return [Case(args=(np.array([[1, 0], [0, 1], [1, 1]]),
                       np.array([[0.9, 0.2], [0.4, 0.6], [0.7, 0.99]]))),
            Case(args=(CLASSIC_Y, np.full((4, 3), 0.7), 1),
                 label="the course's y_true, y_pred all 0.7, epsilon = 1")]


def bce_hidden(rng: np.random.Generator) -> list[Case]:
    """Random values, 1-D input, predictions at 0 and 1, float32."""
    y = (rng.random((8, 5)) < 0.3).astype(np.int64)
    p = rng.uniform(0.01, 0.99, (8, 5))
    extreme = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    return [Case(args=(y, p)), Case(args=(y, p, 0.1)),
            Case(args=(y[:, 0], p[:, 0])),
            *edge(Case(args=(np.array([[1, 0], [0, 1], [1, 1]]), extreme)),  # log(eps)
                  Case(args=(y[:1], p[:1], 1e-3))),                # one row
            Case(args=(y.astype(np.float32), p.astype(np.float32)))]


def weighted_loss_public() -> list[Case]:
    """Return the course's classic cases (all 0.7, all 0.3, epsilon = 1)."""
    label = ("get_weighted_loss([0.25, 0.25, 0.5], [0.75, 0.75, 0.5], epsilon=1)"
             "(y_true = [[1, 1, 1], [1, 1, 0], [0, 1, 0], [1, 0, 1]], y_pred all {})")
    return [Case(args=(CLASSIC_POS, CLASSIC_NEG, 1),
                 then=(((CLASSIC_Y, np.full((4, 3), p)), {}),), label=label.format(p))
            for p in (0.7, 0.3)]


def weighted_loss_hidden(rng: np.random.Generator) -> list[Case]:
    """Random weights and predictions, edge predictions, one row."""
    y = (rng.random((10, 4)) < rng.uniform(0.1, 0.5, 4)).astype(np.int64)
    freq_pos = np.clip(y.mean(axis=0), 0.1, 0.9)
    pos, neg = 1 - freq_pos, freq_pos
    p = rng.uniform(0.02, 0.98, (10, 4))
    extreme = np.array([[0.0, 1.0, 0.5, 0.3]] * 2)
    return [
        Case(args=(pos, neg), then=(((y, p), {}),)),
        Case(args=(pos, neg, 0.5), then=(((y, p), {}),)),
        Case(args=(pos, neg), kwargs={"epsilon": 1e-4}, then=(((y, p), {}),)),
        *edge(Case(args=(pos, neg, 1e-7), then=(((y[:2], extreme), {}),))),  # 0 and 1
        Case(args=(pos[:1], neg[:1], 0.01), then=(((y[:, :1], p[:, :1]), {}),)),
        *edge(Case(args=(pos, neg, 1), then=(((y[:1], p[:1]), {}),))),  # one row
        Case(args=(np.ones(4), np.ones(4)), then=(((y, p), {}),)),
    ]


def weighted_grad_public() -> list[Case]:
    """Return the course's classic inputs and a one-finding case."""
    return [Case(args=(CLASSIC_Y, np.full((4, 3), 0.7), CLASSIC_POS, CLASSIC_NEG, 1),
                 label="the course's y_true, y_pred all 0.7, its weights, epsilon = 1"),
            Case(args=(np.array([[1], [0]]), np.array([[0.5], [0.5]]), np.array([1.0]),
                       np.array([1.0]), 0.0))]


def weighted_grad_hidden(rng: np.random.Generator) -> list[Case]:
    """Random labels, predictions and weights, various epsilons."""
    y = (rng.random((6, 5)) < 0.4).astype(np.int64)
    p = rng.uniform(0.05, 0.95, (6, 5))
    pos, neg = rng.uniform(0.1, 0.9, 5), rng.uniform(0.1, 0.9, 5)
    return [Case(args=(y, p, pos, neg)), Case(args=(y, p, pos, neg, 0.2)),
            *edge(Case(args=(y[:1], p[:1], pos, neg, 1e-3))),       # one row
            Case(args=(y[:, :2], p[:, :2], pos[:2], neg[:2]), kwargs={"epsilon": 0.5}),
            Case(args=(y, p, np.ones(5), np.ones(5), 1e-7))]


# ------------------------------------------------------------------ augmentation

def shift_public() -> list[Case]:
    """Return a 3 x 4 ramp shifted down, left, and up-right."""
    image = np.arange(12.0).reshape(3, 4)
    return [Case(args=(image, 1, 0)), Case(args=(image, 0, -2)),
            Case(args=(image, -1, 3))]


def shift_hidden(rng: np.random.Generator) -> list[Case]:
    """Random shifts, no shift, shifts past the border, batches, float32."""
    image = rng.random((6, 7))
    batch = rng.random((2, 1, 5, 5))
    return [Case(args=(image, int(rng.integers(1, 4)), int(rng.integers(-4, -1)))),
            *edge(Case(args=(image, 0, 0)), Case(args=(image, -5, 2)),  # no shift,
                  Case(args=(image, 6, 0)), Case(args=(image, 2, -9))),  # past a border
            Case(args=(batch, 1, 2)), Case(args=(batch[0].astype(np.float32), -2, -1))]


def contrast_public() -> list[Case]:
    """Two tiny images."""
    return [Case(args=(np.array([[0.0, 1.0]]), 2.0)),
            Case(args=(np.array([[0.2, 0.4], [0.6, 0.8]]), 0.5))]


def contrast_hidden(rng: np.random.Generator) -> list[Case]:
    """Single images and batches whose images have different means."""
    batch = rng.random((3, 1, 4, 5)) + np.arange(3.0)[:, None, None, None]
    return [Case(args=(rng.random((5, 6)), 1.3)), Case(args=(batch, 1.5)),
            Case(args=(batch, 1.0)), *edge(Case(args=(batch[0], 0.0))),  # flat
            Case(args=(batch.astype(np.float32), 0.8)),
            Case(args=(rng.random((2, 3, 3, 3)), -1.0))]


# --------------------------------------------------------------------- consensus

def vote_public() -> list[Case]:
    """Three annotators, and two annotators with a tie."""
    return [Case(args=(np.array([[1, 1, 0], [0, 0, 1]]),)),
            Case(args=(np.array([[1, 1], [0, 0], [1, 0]]),), label="two annotators: "
                 "[[1, 1], [0, 0], [1, 0]] (the last image is a tie)")]


def vote_hidden(rng: np.random.Generator) -> list[Case]:
    """Odd and even numbers of annotators, several findings, bools."""
    return [Case(args=(rng.integers(0, 2, (9, 3)),)),
            *edge(Case(args=(rng.integers(0, 2, (12, 4)),))),  # even: ties
            Case(args=(rng.integers(0, 2, (6, 5, 3)),)),
            *edge(Case(args=(rng.integers(0, 2, (5, 2, 4)),))),  # two: ties
            *edge(Case(args=(rng.integers(0, 2, (4, 1)),))),  # one annotator
            Case(args=(rng.integers(0, 2, (7, 6)).astype(bool),))]


# --------------------------------------------------------------- standardization

def standardize_fit_public() -> list[Case]:
    """Tiny hand-checkable batches."""
    return [Case(args=(np.array([[[[0.0, 2.0]]], [[[4.0, 6.0]]]]),)),
            Case(args=(np.arange(16.0).reshape(2, 2, 2, 2),))]


def standardize_fit_hidden(rng: np.random.Generator) -> list[Case]:
    """Channels with different means and scales, float32."""
    images = rng.normal(size=(5, 3, 4, 6)) * [[[[1.0]], [[2.0]], [[0.5]]]] \
        + np.array([0.0, 1.0, -2.0])[None, :, None, None]
    return [Case(args=(images,)), Case(args=(images[:1],)),
            Case(args=(images[:, :1].astype(np.float32),)),
            Case(args=(rng.random((8, 1, 7, 7)),))]


def standardize_apply_public() -> list[Case]:
    """Tiny hand-checkable batches."""
    return [Case(args=(np.array([[[[1.0, 5.0]]]]), np.array([3.0]), np.array([2.0]))),
            Case(args=(np.arange(8.0).reshape(1, 2, 2, 2), np.array([1.0, 2.0]),
                       np.array([0.5, 4.0])))]


def standardize_apply_hidden(rng: np.random.Generator) -> list[Case]:
    """Random statistics, a constant channel (std 0), float32."""
    test = rng.normal(size=(4, 3, 5, 5)) + 0.5
    mean, std = rng.normal(size=3), rng.uniform(0.5, 2.0, 3)
    return [Case(args=(test, mean, std)), Case(args=(test[:1], mean, std)),
            *edge(Case(args=(test, mean, np.array([std[0], 0.0, std[2]])))),  # std 0
            Case(args=(test[:, :1].astype(np.float32), mean[:1], std[:1]))]
