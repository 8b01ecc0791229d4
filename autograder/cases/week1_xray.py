"""Cases, oracles and property checks for week 1's leakage and class imbalance lessons.

Lessons ``week1/data_leakage.py`` and ``week1/class_imbalance.py``. Oracles are
adapters with the learner's signatures around `reference.data` (imported
lazily, never `solutions`).

The other chest X-ray lessons of week 1 are in two sibling modules whose names
are re-exported here (so ``week1_xray.shift_image_oracle`` still works):
`autograder.cases.week1_losses` (``week1/weighted_loss.py``) and
`autograder.cases.week1_images` (``week1/augmentation.py``,
``week1/consensus.py``, ``week1/standardization.py``).

Answers that are not unique (a random patient split, resampled indices) are
graded by ``verify`` property checks instead of an oracle. Their determinism is
checked by a pair of cases that share the same argument tuple: `_same_as_before`
remembers the first answer and compares the second with it.

The frequencies of a small hand-written label matrix (`FREQS_LABELS`) are a
public case.
"""

from __future__ import annotations

import numpy as np

from autograder.cases import edge
from autograder.cases.week1_images import (
    adjust_contrast_oracle,
    apply_standardization_oracle,
    contrast_hidden,
    contrast_public,
    fit_standardization_oracle,
    majority_vote_oracle,
    shift_hidden,
    shift_image_oracle,
    shift_public,
    standardize_apply_hidden,
    standardize_apply_public,
    standardize_fit_hidden,
    standardize_fit_public,
    vote_hidden,
    vote_public,
)
from autograder.cases.week1_losses import (
    CLASSIC_NEG,
    CLASSIC_POS,
    CLASSIC_Y,
    bce_hidden,
    bce_oracle,
    bce_public,
    weighted_grad_hidden,
    weighted_grad_oracle,
    weighted_grad_public,
    weighted_loss_hidden,
    weighted_loss_oracle,
    weighted_loss_public,
)
from autograder.spec import Case

__all__ = [
    "CLASSIC_NEG",
    "CLASSIC_POS",
    "CLASSIC_Y",
    "adjust_contrast_oracle",
    "apply_standardization_oracle",
    "balance_hidden",
    "balance_public",
    "balance_verify",
    "bce_hidden",
    "bce_oracle",
    "bce_public",
    "contrast_hidden",
    "contrast_public",
    "fit_standardization_oracle",
    "freqs_hidden",
    "freqs_oracle",
    "freqs_public",
    "leakage_hidden",
    "leakage_oracle",
    "leakage_public",
    "majority_vote_oracle",
    "shift_hidden",
    "shift_image_oracle",
    "shift_public",
    "split_hidden",
    "split_public",
    "split_verify",
    "standardize_apply_hidden",
    "standardize_apply_public",
    "standardize_fit_hidden",
    "standardize_fit_public",
    "vote_hidden",
    "vote_public",
    "weighted_grad_hidden",
    "weighted_grad_oracle",
    "weighted_grad_public",
    "weighted_loss_hidden",
    "weighted_loss_oracle",
    "weighted_loss_public",
]

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


# ------------------------------------------------------------- determinism checks

_FIRST_ANSWERS: dict[int, tuple] = {}  # id(case.args) -> (args, first answer)


def _same_as_before(case: Case, answer: list) -> str | None:
    """Remember the first answer for these argument objects; compare later ones."""
    key = id(case.args)
    if key not in _FIRST_ANSWERS or _FIRST_ANSWERS[key][0] is not case.args:
        _FIRST_ANSWERS[key] = (case.args, answer)  # holding args keeps the id unique
        return None
    first = _FIRST_ANSWERS[key][1]
    if len(first) != len(answer) or any(
        not np.array_equal(a, b) for a, b in zip(first, answer, strict=True)
    ):
        return (
            "not deterministic: called twice with the same arguments and seed, "
            "it gave different answers. Draw all randomness from "
            "np.random.default_rng(seed)."
        )
    return None


def _twice(case: Case, label: str) -> list[Case]:
    """Return the case and a repeat sharing its argument tuple (for determinism)."""
    return [case, Case(args=case.args, kwargs=case.kwargs, label=label)]


def _as_index_array(value, what: str):
    """Return (int array, None) or (None, message) for an answer meant to be indices."""
    try:
        arr = np.asarray(value)
    except Exception:  # ragged or odd answers
        return None, (
            f"{what}: expected an array of row indices, got {type(value).__name__}"
        )
    if arr.size == 0:
        return arr.astype(np.int64).reshape(-1), None
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        return None, (
            f"{what}: expected a 1-D array of integer row indices, got "
            f"shape {arr.shape} and dtype {arr.dtype}"
        )
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
        Case(
            args=(_table([0, 1, 2]), _table([2, 3, 4]), "PatientId"),
            label="dict of arrays, PatientId [0, 1, 2] vs [2, 3, 4] (2 in both)",
        ),
        Case(
            args=(_table([0, 1, 2]), _table([3, 4, 5]), "PatientId"),
            label="dict of arrays, PatientId [0, 1, 2] vs [3, 4, 5]",
        ),
        Case(
            args=(
                _table([5, 5, 7], structured=True),
                _table([1, 7], structured=True),
                "PatientId",
            ),
            label="structured arrays, PatientId [5, 5, 7] vs [1, 7]",
        ),
    ]


def leakage_hidden(rng: np.random.Generator) -> list[Case]:
    """Random ids, string ids, lists as columns, one-row tables."""
    overlap = rng.integers(0, 40, size=30), rng.integers(35, 80, size=25)
    disjoint = rng.integers(0, 50, size=40), rng.integers(50, 90, size=20)
    shared = int(rng.integers(100, 200))
    return [
        Case(args=(_table(overlap[0]), _table(overlap[1]), "PatientId")),
        Case(args=(_table(disjoint[0]), _table(disjoint[1]), "PatientId")),
        Case(
            args=(
                _table(disjoint[0], structured=True),
                _table(disjoint[1], structured=True),
                "PatientId",
            )
        ),
        Case(
            args=(
                _table(np.r_[disjoint[0], shared], structured=True),
                _table(np.r_[shared, disjoint[1]], structured=True),
                "PatientId",
            )
        ),
        Case(
            args=(
                _table(np.array(["p01", "p02", "p02"])),
                _table(np.array(["p03"])),
                "PatientId",
            )
        ),
        Case(
            args=(
                _table(np.array(["p01", "p02"]), "patient"),
                _table(np.array(["p02", "p09"]), "patient"),
                "patient",
            )
        ),
        Case(
            args=(
                _table([4, 4, 4], as_list=True),
                _table([4], as_list=True),
                "PatientId",
            )
        ),
        *edge(Case(args=(_table([1]), _table([2]), "PatientId"))),  # one row each
    ]


def _split_data(rng, n_patients, n_findings, n_splits, rare=2):
    """Patients with 1-8 images; the first ``rare`` findings on few distinct ones."""
    counts = np.minimum(rng.geometric(0.45, size=n_patients), 8)
    ids = np.repeat(rng.permutation(np.arange(1000, 1000 + n_patients)), counts)
    labels = (
        rng.random((ids.size, n_findings)) < rng.uniform(0.1, 0.35, n_findings)
    ).astype(int)
    owners = rng.permutation(np.unique(ids))
    for k in range(rare):  # few patients each, who carry no other finding
        chosen = owners[
            k * (n_splits + 2) : k * (n_splits + 2) + n_splits + int(k == 0)
        ]
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
    first = Case(
        args=(ids, labels, (0.6, 0.2, 0.2), 0),
        label="14 rows of 10 patients; finding 0 on patients 1, 3, 6 only; "
        "fractions (0.6, 0.2, 0.2), seed 0",
    )
    return [*_twice(first, "the same arguments again (same seed: same split)")]


def split_hidden(rng: np.random.Generator) -> list[Case]:
    """Random patients with rare findings on few patients, and a repeat."""
    cases = []
    for n_patients, n_findings, fractions in [
        (40, 3, (0.7, 0.15, 0.15)),
        (60, 5, (0.8, 0.2)),
        (120, 6, (0.6, 0.2, 0.2)),
        (25, 4, (0.5, 0.25, 0.25)),
    ]:
        ids, labels = _split_data(rng, n_patients, n_findings, len(fractions))
        cases.append(Case(args=(ids, labels, fractions, int(rng.integers(1000)))))
    ids, labels = _split_data(rng, 80, 4, 3)
    cases += _twice(
        Case(args=(ids, labels, (0.7, 0.15, 0.15), 7)),
        "a repeat of the previous case (same seed: same split)",
    )
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
        return (
            f"every row must be in exactly one split: got {rows.size} indices for "
            f"{n_rows} rows (missing or repeated rows, or indices out of range)"
        )
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
            return (
                f"split {s} has {part.size} of {n_rows} rows, far from its share "
                f"{fractions[s]}"
            )
    for k in range(labels.shape[1]):
        n_patients = len(set(ids[labels[:, k] == 1].tolist()))
        missing = [s for s, part in enumerate(parts) if labels[part, k].sum() == 0]
        if n_patients >= len(parts) and missing:
            return (
                f"finding {k} is on {n_patients} patients but split {missing[0]} "
                "has none: give a finding's patients first to the splits that "
                "lack it"
            )
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
    return [
        Case(
            args=(FREQS_LABELS,),
            label="labels [[1, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1], [1, 0, 1]]",
        ),
        Case(args=(np.array([[0, 1], [0, 0], [0, 1], [1, 1], [0, 1], [0, 0]]),)),
    ]


def freqs_hidden(rng: np.random.Generator) -> list[Case]:
    """Random labels: int, bool, float32/64, an empty column, one row."""
    random = (rng.random((20, 14)) < rng.uniform(0.01, 0.3, 14)).astype(np.int64)
    random[:, 7] = 0  # a finding with no positive
    return [
        Case(args=(random,)),
        Case(args=(random[:9, :4].astype(bool),)),
        Case(args=(random[:6, :5].astype(np.float64),)),
        Case(args=(random[:11, :3].astype(np.float32),)),
        *edge(
            Case(args=(np.ones((3, 2), dtype=np.int64),)),  # every label 1
            Case(args=(random[:1],)),
        ),  # one row
        Case(args=((rng.random((50, 7)) < 0.5).astype(np.int64),)),
    ]


def balance_public() -> list[Case]:
    """Return the same labels over- and under-sampled."""
    y = np.array([1, 0, 0, 0, 0, 1, 0])
    return [
        Case(args=(y, method, 0), label=f'y = {y.tolist()}, "{method}", seed 0')
        for method in ("over", "under")
    ]


def balance_hidden(rng: np.random.Generator) -> list[Case]:
    """Rare and common positives, equal classes, and repeats."""
    y_rare = (rng.random(60) < 0.15).astype(np.int64)
    y_rare[:2] = (1, 0)
    y_common = 1 - y_rare  # the positives are the majority
    cases = [
        Case(args=(y_rare, "over", int(rng.integers(100)))),
        Case(args=(y_rare, "under", int(rng.integers(100)))),
        Case(args=(y_common, "over", 5)),
        Case(args=(y_common, "under", 6)),
        Case(args=(np.array([0, 1, 0, 1]), "over", 1)),
        Case(args=(np.array([0, 1, 1, 1, 1, 1, 1, 1]), "under", 2)),
    ]
    cases += _twice(
        Case(args=(y_rare, "over", 11)),
        "a repeat of the previous case (same seed: same rows)",
    )
    cases += _twice(
        Case(args=(y_rare, "under", 12)),
        "a repeat of the previous case (same seed: same rows)",
    )
    return cases


def balance_verify(case: Case, value) -> str | None:
    """Property check of resampled indices (they are random, so not unique)."""
    y, method, _ = case.args
    arr, message = _as_index_array(value, "indices")
    if message:
        return message
    if arr.size and (arr.min() < 0 or arr.max() >= y.size):
        return (
            f"indices must be rows of y (0 .. {y.size - 1}), got "
            f"{arr.min()} .. {arr.max()}"
        )
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
        return f'method "{method}": expected {expected} indices, got {arr.size}'
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
