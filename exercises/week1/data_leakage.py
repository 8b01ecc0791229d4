"""Patient leakage: check that no patient is in two splits, and split by patient.

A chest X-ray data set holds several images of many patients: in NIH
ChestX-ray14, 3.6 images per patient on average, up to 184. Follow-up images of
one patient look alike (same ribs, same heart, same pacemaker), so when a
patient has images in both the training and the test set, a model can score
well on the test image by *recognising the patient* instead of the disease.
The test score is then optimistic: this is **patient leakage** (data leakage).

The cure is to split by patient: every image of a patient goes to the same
split. This lesson has two exercises:

- `check_for_leakage` tells whether two tables share a patient;
- `split_by_patient` makes a patient-level split that also takes care of rare
  findings: with a finding on only a handful of patients (Hernia is on 0.2% of
  the images), a random patient split easily leaves a split without any
  positive, and that split's AUC for the finding is undefined.

A *table* is anything where ``table[column]`` gives a column: a dict of arrays
(what ``reference.data.xray_io.read_label_csv`` returns), a NumPy structured
array, or a pandas DataFrame if you have pandas.
"""

import numpy as np

__all__ = ["check_for_leakage", "split_by_patient"]


def check_for_leakage(df1, df2, patient_col):
    """Return True if any patient appears in both tables, False otherwise.

    Parameters
    ----------
    df1, df2 : tables (dict of arrays, structured array or DataFrame)
        For example the training and the test labels.
    patient_col : str
        Name of the patient-id column, the same in both tables.

    Returns
    -------
    leakage : bool
        A Python bool (``True``/``False``), not the set of shared patients.

    Notes
    -----
    leakage = (size of set(df1[patient_col]) & set(df2[patient_col])) > 0

    Examples
    --------
    >>> train = {"PatientId": np.array([1, 1, 2])}
    >>> test = {"PatientId": np.array([2, 3])}
    >>> check_for_leakage(train, test, "PatientId")   # patient 2 is in both
    True
    """
    ### START CODE HERE ###
    # Hint: two tables leak when at least one patient id is in both: think of two sets.
    # Hint: Return a Python bool (True/False), not the shared ids themselves.
    raise NotImplementedError(
        "week1.data_leakage.check_for_leakage: not implemented yet"
    )
    ### END CODE HERE ###


def split_by_patient(patient_ids, labels, fractions=(0.7, 0.15, 0.15), seed=0):
    """Split rows into patient-disjoint groups so that rare findings reach every group.

    Parameters
    ----------
    patient_ids : ndarray of shape (N,)
        Patient of each row (image).
    labels : ndarray of shape (N, K), 0/1
        Findings of each row.
    fractions : sequence of S floats, default (0.7, 0.15, 0.15)
        Wanted share of the images in each split (train, validation, test);
        positive, adding up to 1.
    seed : int
        Seed of ``np.random.default_rng``: the same seed must give the same split.

    Returns
    -------
    splits : tuple of S ndarrays of int
        Row indices of each split. Together they hold every row exactly once, no
        patient has rows in two splits, each split has about its share of the
        images, and every finding that is on at least S patients is present in
        every split.

    Notes
    -----
    A greedy "iterative stratification" over patients:

    1. For each patient p: ``n_images[p]`` and ``positives[p, k]``, the number
       of its images with finding k. Split s wants ``fractions[s] * N`` images
       and ``fractions[s] * total_positives[k]`` positive images of finding k;
       keep these demands up to date as patients are assigned.
    2. Shuffle the patients with ``np.random.default_rng(seed).permutation``.
    3. For each finding k from the rarest (fewest patients with it) to the
       most common: give every still unassigned patient with finding k (in
       shuffled order) to a split that has no positive of finding k yet, if
       there is one, else to the split that still wants the most positives of
       finding k. Among equal choices take the one that wants the most images.
    4. Give every remaining patient (no finding) to the split that wants the
       most images.

    Examples
    --------
    Patients 1 and 2 have a finding; patient 3 has none:

    >>> ids = np.array([1, 1, 2, 3, 3, 3])
    >>> y = np.array([[1], [1], [1], [0], [0], [0]])
    >>> a, b = split_by_patient(ids, y, fractions=(0.5, 0.5), seed=0)
    >>> ids[a].tolist(), ids[b].tolist()   # one possible answer
    ([1, 1], [2, 3, 3, 3])
    """
    patient_ids, labels = np.asarray(patient_ids), np.asarray(labels)
    fractions = np.asarray(fractions, dtype=float)
    ### START CODE HERE ###
    # Hint: follow the Notes' steps: per-patient counts first (np.unique's inverse,
    # Hint: np.bincount, np.add.at), then whole patients, rarest finding first, updating
    # Hint: the splits' wanted images and positives after every assignment.
    raise NotImplementedError(
        "week1.data_leakage.split_by_patient: not implemented yet"
    )
    ### END CODE HERE ###
