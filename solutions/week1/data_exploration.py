"""Data exploration: look at the labels, the patients and the pixels before training.

Three questions to ask of a chest X-ray data set before any model sees it:

- how many images carry each finding (`label_counts`)? In NIH ChestX-ray14 a
  few findings are on thousands of images and Hernia on a couple of hundred:
  the rare ones need a weighted loss and enough positives in every split;
- how many images does each patient have (`images_per_patient`)? Most
  patients have one image, a few have dozens of follow-ups: split by patient,
  or the same person ends up in training and test (data leakage);
- what do the pixel values look like (`pixel_histogram`)? Raw intensities sit
  in [0, 1] with a lumpy distribution; after standardisation with the training
  statistics they have mean 0 and standard deviation 1.

`plot_exploration` (given, not graded) draws the three answers in one figure.
"""

import numpy as np

__all__ = ["images_per_patient", "label_counts", "pixel_histogram"]


def label_counts(labels, names):
    """Count the images that carry each finding.

    Parameters
    ----------
    labels : ndarray of shape (N, K), 0/1
        One row per image, one column per finding.
    names : sequence of str, length K
        The finding of each column.

    Returns
    -------
    counts : dict of str to int
        ``counts[names[k]]`` = number of images with finding k, a Python int,
        in the order of ``names``.

    Notes
    -----
    counts[names[k]] = sum over n of labels[n, k]

    Examples
    --------
    >>> label_counts(np.array([[1, 0], [1, 1], [0, 0]]), ["Effusion", "Hernia"])
    {'Effusion': 2, 'Hernia': 1}
    """
    labels = np.asarray(labels)
    ### BEGIN SOLUTION
    # Hint: sum each column (axis=0), then pair each name with its sum; convert
    # Hint: each count with int(...) so that the dict holds plain Python ints.
    totals = np.sum(labels, axis=0)
    return {name: int(total) for name, total in zip(names, totals, strict=True)}
    ### END SOLUTION


def images_per_patient(patient_ids):
    """Count the images of each patient.

    Parameters
    ----------
    patient_ids : array-like of shape (N,)
        The patient of each image (integers or strings), in any order.

    Returns
    -------
    unique_ids : ndarray of shape (P,)
        Each patient once, sorted increasingly (as ``np.unique`` sorts).
    counts : ndarray of int, shape (P,)
        ``counts[p]`` = number of images of patient ``unique_ids[p]``.

    Notes
    -----
    counts[p] = number of n with patient_ids[n] == unique_ids[p]; the counts
    sum to N. A histogram of ``counts`` shows how many patients have 1, 2, ...
    images.

    Examples
    --------
    >>> images_per_patient(np.array([7, 3, 7, 7, 5]))
    (array([3, 5, 7]), array([1, 1, 3]))
    """
    patient_ids = np.asarray(patient_ids)
    ### BEGIN SOLUTION
    # Hint: np.unique sorts the distinct ids, and one of its options also counts them.
    unique_ids, counts = np.unique(patient_ids, return_counts=True)
    return unique_ids, counts
    ### END SOLUTION


def pixel_histogram(images, bins=20, range=None):  # np.histogram's name
    """Histogram the pixel values of all images together.

    Parameters
    ----------
    images : ndarray of any shape, such as (N, 1, H, W)
        Every entry is one pixel value.
    bins : int, default 20
        Number of equal-width bins.
    range : (float, float), optional
        Lower and upper edge; default ``(images.min(), images.max())``.
        Values outside the range are not counted.

    Returns
    -------
    counts : ndarray of int, shape (bins,)
        Pixels per bin.
    edges : ndarray of shape (bins + 1,)
        Bin edges, of the images' float dtype (``np.histogram``'s semantics).

    Notes
    -----
    Bin b holds the values v with edges[b] <= v < edges[b + 1], except the
    last bin, which also holds v == edges[-1]. The counts sum to the number of
    pixels inside the range.

    Examples
    --------
    >>> counts, edges = pixel_histogram(np.array([[0.0, 0.2], [0.6, 1.0]]), bins=2)
    >>> counts, edges
    (array([2, 2]), array([0. , 0.5, 1. ]))
    """
    images = np.asarray(images)
    ### BEGIN SOLUTION
    # Hint: np.histogram already follows the Notes' bin rule: flatten the images first
    # Hint: and pass bins and range on unchanged (range may be None).
    counts, edges = np.histogram(np.ravel(images), bins=bins, range=range)
    return counts, edges
    ### END SOLUTION


def plot_exploration(labels, names, patient_ids, images, standardized, out_png):
    """Draw label counts, images per patient and pixel histograms; save a PNG.

    Given code (not graded). ``standardized`` are the same ``images`` after
    `reference.data.preprocess.apply_standardization` with statistics fitted
    on the training images (`fit_standardization`). Uses `matplotlib.figure.
    Figure` directly (no pyplot state), so it is safe to call anywhere.

    Parameters
    ----------
    labels : ndarray of shape (N, K), 0/1
    names : sequence of str, length K
    patient_ids : ndarray of shape (N,)
    images, standardized : ndarray of shape (N, 1, H, W)
    out_png : str or path-like
        Where to write the figure.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    counts = label_counts(labels, names)
    _, per_patient = images_per_patient(patient_ids)
    figure = Figure(figsize=(12, 8), layout="constrained")
    top, bottom = figure.subfigures(2, 1)
    bars, patients = top.subplots(1, 2)
    # how many images carry each finding, most common first
    order = sorted(counts, key=counts.get, reverse=True)
    bars.barh(order[::-1], [counts[name] for name in order[::-1]])
    bars.set(title="Images per finding", xlabel="images")
    # how many patients have 1, 2, ... images
    patients.hist(per_patient, bins=np.arange(1, per_patient.max() + 2) - 0.5)
    patients.set(title="Images per patient", xlabel="images", ylabel="patients")
    # pixel values before and after standardisation
    for axes, pixels, title in zip(
        bottom.subplots(1, 2),
        (images, standardized),
        ("Raw pixels", "Standardised pixels"),
        strict=True,
    ):
        hist, edges = pixel_histogram(pixels, bins=50)
        axes.stairs(hist, edges, fill=True)
        axes.set(
            title=f"{title}: mean {np.mean(pixels):.2f}, std {np.std(pixels):.2f}",
            xlabel="value",
            ylabel="pixels",
        )
    figure.savefig(out_png, dpi=80)
    return figure
