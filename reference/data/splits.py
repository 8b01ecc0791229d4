"""Patient-level data splits: no patient's images in two splits (no leakage).

Public names: `check_for_leakage`, `patient_overlap`, `remove_overlapping_patients`,
`split_by_patient`.

Why patients, not images: the NIH chest X-ray set has 3.6 images per patient on
average (up to 184). Follow-up images of one patient look alike (same anatomy,
same devices, often the same findings), so a model can score well on a test
image by recognising the patient from the training set instead of the disease.
Every image of a patient must therefore go to the same split.

A *table* below is anything where ``table[column]`` gives a column: a dict of
arrays (what `reference.data.xray_io.read_label_csv` returns), a NumPy
structured array, or a pandas DataFrame.
"""

from __future__ import annotations

import numpy as np

from reference._validation import as_float_array, check_binary_labels, check_ndim, fail

__all__ = [
    "check_for_leakage",
    "patient_overlap",
    "remove_overlapping_patients",
    "split_by_patient",
]


def _column(table, column: str, name: str, func: str) -> np.ndarray:
    """Return ``table[column]`` as a 1-D array; a clear error when it is missing."""
    try:
        values = table[column]
    except (KeyError, ValueError, IndexError, TypeError):
        fail(
            func,
            f"{name} with a column {column!r}",
            _describe_columns(table),
            kind=KeyError if isinstance(table, dict) else ValueError,
        )
    arr = np.asarray(values)
    if arr.ndim != 1:
        fail(
            func, f"{name}[{column!r}] as one value per row (1-D)", f"shape {arr.shape}"
        )
    return arr


def _describe_columns(table) -> str:
    """Name the columns a table has, for error messages."""
    if isinstance(table, dict):
        return f"columns {list(table)}"
    names = getattr(getattr(table, "dtype", None), "names", None)
    if names:
        return f"columns {list(names)}"
    columns = getattr(table, "columns", None)
    if columns is not None:
        return f"columns {list(columns)}"
    return f"an object of type {type(table).__name__}"


def patient_overlap(df1, df2, patient_col: str) -> list:
    """Return the sorted patient ids that appear in both tables.

    Parameters
    ----------
    df1, df2 : tables (dict of arrays, structured array or DataFrame)
    patient_col : str
        Name of the patient-id column in both tables.

    Returns
    -------
    ids : list
        Shared patient ids as Python values, sorted.

    Examples
    --------
    >>> patient_overlap({"PatientId": [1, 2, 3]}, {"PatientId": [3, 4, 2]}, "PatientId")
    [2, 3]
    """
    func = "patient_overlap"
    first = _column(df1, patient_col, "df1", func)
    second = _column(df2, patient_col, "df2", func)
    return sorted(set(first.tolist()) & set(second.tolist()))


def check_for_leakage(df1, df2, patient_col: str) -> bool:
    """Return True if any patient has rows in both tables (data leakage).

    Parameters
    ----------
    df1, df2 : tables (dict of arrays, structured array or DataFrame)
        For example the training and the test labels.
    patient_col : str
        Name of the patient-id column in both tables.

    Returns
    -------
    leakage : bool
        A Python bool.

    Notes
    -----
    ``leakage = |set(df1[patient_col]) & set(df2[patient_col])| > 0``.

    Examples
    --------
    >>> check_for_leakage({"id": [1, 2]}, {"id": [2, 3]}, "id")
    True
    >>> check_for_leakage({"id": [1, 2]}, {"id": [3, 4]}, "id")
    False
    """
    first = _column(df1, patient_col, "df1", "check_for_leakage")
    second = _column(df2, patient_col, "df2", "check_for_leakage")
    return len(set(first.tolist()) & set(second.tolist())) > 0


def remove_overlapping_patients(table, other, patient_col: str):
    """Return ``table`` without the rows of patients that also appear in ``other``.

    Parameters
    ----------
    table : table (dict of arrays, structured array or DataFrame)
        The table to filter, for example the training labels.
    other : table
        The table whose patients must not appear, for example the test labels.
    patient_col : str

    Returns
    -------
    filtered : same kind as ``table``
        A dict of arrays for a dict; ``table[mask]`` otherwise.

    Examples
    --------
    >>> train = {"PatientId": np.array([1, 1, 2, 3]), "Image": np.array(list("abcd"))}
    >>> kept = remove_overlapping_patients(train, {"PatientId": [3]}, "PatientId")
    >>> kept["Image"].tolist()
    ['a', 'b', 'c']
    """
    func = "remove_overlapping_patients"
    ids = _column(table, patient_col, "table", func)
    banned = set(_column(other, patient_col, "other", func).tolist())
    keep = np.array([value not in banned for value in ids.tolist()], dtype=bool)
    if isinstance(table, dict):
        return {key: np.asarray(values)[keep] for key, values in table.items()}
    return table[keep]


def _check_fractions(fractions, func: str) -> np.ndarray:
    """Return fractions as a float array; each > 0 and together 1."""
    arr = np.asarray(fractions, dtype=np.float64)
    if (
        arr.ndim != 1
        or arr.size == 0
        or np.any(~np.isfinite(arr))
        or np.any(arr <= 0)
        or abs(arr.sum() - 1) > 1e-6
    ):
        fail(
            func,
            "fractions: positive numbers that add up to 1, such as (0.7, 0.15, 0.15)",
            repr(fractions),
        )
    return arr


def _patient_table(patient_ids, labels, func: str):
    """Return (inverse index of each row, images per patient, positives per patient)."""
    ids = np.asarray(patient_ids)
    check_ndim(ids, 1, "patient_ids", func, "(N,)")
    if ids.size == 0:
        fail(func, "at least one row", "0 patient ids")
    if labels is None:
        labels = np.zeros((ids.size, 0))
    arr = as_float_array(labels, "labels", func)
    check_ndim(arr, 2, "labels", func, "(N, K)", "Use labels[:, None] for one finding.")
    if arr.shape[0] != ids.size:
        fail(
            func,
            "labels with one row per patient id",
            f"{arr.shape[0]} rows for {ids.size} ids",
        )
    check_binary_labels(arr, "labels", func)
    _, inverse = np.unique(ids, return_inverse=True)
    n_patients = int(inverse.max()) + 1
    images = np.bincount(inverse, minlength=n_patients).astype(np.float64)
    positives = np.zeros((n_patients, arr.shape[1]))
    np.add.at(positives, inverse, arr)  # (P, K) positive images per patient
    return inverse, images, positives


class _Demand:
    """What each split still wants (images, positives per finding); who went where."""

    def __init__(self, shares, images, positives):
        self.images, self.positives = images, positives
        self.image_demand = shares * images.sum()  # (S,)
        self.label_demand = shares[:, None] * positives.sum(axis=0)[None, :]  # (S, K)
        self.has_label = np.zeros(self.label_demand.shape, dtype=bool)
        self.owner = np.full(images.size, -1)

    def assign(self, patient, split) -> None:
        """Put one patient in one split and lower that split's remaining demands."""
        self.owner[patient] = split
        self.image_demand[split] -= self.images[patient]
        self.label_demand[split] -= self.positives[patient]
        self.has_label[split] |= self.positives[patient] > 0

    def best_for_finding(self, k: int) -> int:
        """Split lacking finding k if any, else wanting most of it; then most images."""
        lacking = ~self.has_label[:, k]
        pool = np.flatnonzero(lacking) if lacking.any() else np.arange(lacking.size)
        keys = (-self.image_demand[pool], -self.label_demand[pool, k])  # last = primary
        return int(pool[np.lexsort(keys)[0]])


def split_by_patient(patient_ids, labels=None, fractions=(0.7, 0.15, 0.15), seed=None):
    """Split rows into disjoint patient groups, stratified so rare findings reach all.

    Parameters
    ----------
    patient_ids : array-like of shape (N,)
        The patient of each row (image).
    labels : array-like of shape (N, K), 0/1, optional
        Findings of each row; without labels the split only balances sizes.
    fractions : sequence of float, default (0.7, 0.15, 0.15)
        Wanted share of the images in each split; positive, adding up to 1.
    seed : int or None
        Seeds the random order in which patients are considered (ties).

    Returns
    -------
    splits : tuple of ndarray of int64
        Row indices of each split, sorted; together they hold every row once and
        no patient appears in two of them.

    Notes
    -----
    Iterative stratification (Sechidis et al. 2011) applied to patients:

    1. Each patient carries its images and its positive images per finding.
       Each split s "wants" ``fractions[s] * N`` images and
       ``fractions[s] * positives[k]`` positive images of finding k.
    2. Patients are shuffled with ``np.random.default_rng(seed)``.
    3. Repeatedly take the finding carried by the fewest unassigned patients;
       give each unassigned patient with that finding
       (in shuffled order) to the split that has no positive of the finding
       yet if any (so that rare findings reach every split), else to the
       split that wants the most positives of it; ties go to the split that
       wants the most images, then to the first.
    4. Patients with no finding go, one at a time, to the split that wants the
       most images.

    Examples
    --------
    >>> ids = np.array([1, 1, 2, 3, 3, 4, 5, 6])
    >>> train, test = split_by_patient(ids, fractions=(0.75, 0.25), seed=0)
    >>> sorted(set(ids[train]) & set(ids[test]))
    []
    >>> len(train) + len(test)
    8
    """
    func = "split_by_patient"
    shares = _check_fractions(fractions, func)
    inverse, images, positives = _patient_table(patient_ids, labels, func)
    n_splits = shares.size

    demand = _Demand(shares, images, positives)
    order = np.random.default_rng(seed).permutation(images.size)

    # rarest finding first: give its patients to the splits that lack or want it
    while True:
        free = order[demand.owner[order] < 0]
        remaining = np.sum(positives[free] > 0, axis=0)  # patients with each finding
        candidates = np.flatnonzero(remaining > 0)
        if candidates.size == 0:
            break
        k = candidates[np.argmin(remaining[candidates])]
        for patient in free[positives[free, k] > 0]:
            demand.assign(patient, demand.best_for_finding(k))

    # the rest only balance the number of images
    for patient in order[demand.owner[order] < 0]:
        demand.assign(patient, int(np.argmax(demand.image_demand)))

    row_owner = demand.owner[inverse]
    return tuple(
        np.flatnonzero(row_owner == s).astype(np.int64) for s in range(n_splits)
    )
