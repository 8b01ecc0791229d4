"""Diagnostic metrics at a threshold: the four counts and the rates built from them.

A model outputs a score ``pred[i]`` in [0, 1] for each patient ``i``; choosing a
threshold ``th`` turns scores into decisions: ``pred[i] >= th`` means "predicted
positive" (disease present). Comparing decisions with the ground truth ``y[i]``
(1 = disease, 0 = healthy) sorts every patient into one of four cells:

=================  ===================  ===================
                   predicted positive   predicted negative
=================  ===================  ===================
disease (y = 1)    true positive (TP)   false negative (FN)
healthy (y = 0)    false positive (FP)  true negative (TN)
=================  ===================  ===================

Every metric of this lesson is a ratio of these counts:

- accuracy    = (TP + TN) / (TP + TN + FP + FN)   how often the model is right
- prevalence  = mean of y                         how common the disease is
- sensitivity = TP / (TP + FN)    P(predicted positive | disease)
- specificity = TN / (TN + FP)    P(predicted negative | healthy)
- PPV         = TP / (TP + FP)    P(disease | predicted positive)
- NPV         = TN / (TN + FN)    P(healthy | predicted negative)

Sensitivity and specificity describe the model; PPV and NPV also depend on how
common the disease is, which is what a patient actually wants to know.

A ratio whose denominator is 0 (say sensitivity when no patient has the disease)
is undefined: with NumPy integer counts, plain division ``0 / 0`` gives ``nan``
(and a RuntimeWarning), which is what these functions return.

Inputs: ``y`` and ``pred`` are 1-D arrays of the same length ``N`` (lists and
table columns work too: they are converted with ``np.asarray`` first). ``y`` holds
0/1 (ints, floats 0./1. or bools).
"""

import numpy as np

__all__ = [
    "false_negatives",
    "false_positives",
    "get_accuracy",
    "get_npv",
    "get_ppv",
    "get_prevalence",
    "get_sensitivity",
    "get_specificity",
    "true_negatives",
    "true_positives",
]


def true_positives(y, pred, th=0.5):
    """Count the true positives: patients with the disease that are predicted positive.

    Parameters
    ----------
    y : array of shape (N,)
        Ground truth, 1 = disease, 0 = healthy (ints, floats or bools).
    pred : array of shape (N,)
        Scores (probabilities) from the model.
    th : float, optional
        Threshold; ``pred >= th`` counts as a positive prediction (default 0.5).

    Returns
    -------
    TP : NumPy integer
        ``TP = sum over i of [y[i] == 1 and pred[i] >= th]``.

    Examples
    --------
    With y = [1, 0, 0, 1, 1] and pred = [0.8, 0.8, 0.4, 0.6, 0.3] at th = 0.5 the
    decisions are [1, 1, 0, 1, 0]; patients 0 and 3 are diseased and predicted
    positive, so TP = 2.

    >>> true_positives(np.array([1, 0, 0, 1, 1]), np.array([0.8, 0.8, 0.4, 0.6, 0.3]))
    np.int64(2)
    """
    y, pred = np.asarray(y), np.asarray(pred)
    ### START CODE HERE ###
    # Hint: a score equal to th counts as positive. Count the patients who are diseased
    # Hint: AND predicted positive: combine two boolean arrays with & and sum them.
    raise NotImplementedError(
        "week2.diagnostic_metrics.true_positives: not implemented yet"
    )
    ### END CODE HERE ###


def true_negatives(y, pred, th=0.5):
    """Count the true negatives: healthy patients that are predicted negative.

    Parameters
    ----------
    y : array of shape (N,)
        Ground truth, 1 = disease, 0 = healthy (ints, floats or bools).
    pred : array of shape (N,)
        Scores (probabilities) from the model.
    th : float, optional
        Threshold; ``pred >= th`` counts as a positive prediction (default 0.5).

    Returns
    -------
    TN : NumPy integer
        ``TN = sum over i of [y[i] == 0 and pred[i] < th]``.

    Examples
    --------
    With y = [1, 0, 0, 1, 1] and pred = [0.8, 0.8, 0.4, 0.6, 0.3] at th = 0.5 the
    decisions are [1, 1, 0, 1, 0]; only patient 2 is healthy and predicted
    negative, so TN = 1.

    >>> true_negatives(np.array([1, 0, 0, 1, 1]), np.array([0.8, 0.8, 0.4, 0.6, 0.3]))
    np.int64(1)
    """
    y, pred = np.asarray(y), np.asarray(pred)
    ### START CODE HERE ###
    # Hint: healthy patients predicted negative: negative means the opposite of the
    # Hint: positive rule (~ flips a boolean array).
    raise NotImplementedError(
        "week2.diagnostic_metrics.true_negatives: not implemented yet"
    )
    ### END CODE HERE ###


def false_positives(y, pred, th=0.5):
    """Count the false positives: healthy patients that are predicted positive.

    Parameters
    ----------
    y : array of shape (N,)
        Ground truth, 1 = disease, 0 = healthy (ints, floats or bools).
    pred : array of shape (N,)
        Scores (probabilities) from the model.
    th : float, optional
        Threshold; ``pred >= th`` counts as a positive prediction (default 0.5).

    Returns
    -------
    FP : NumPy integer
        ``FP = sum over i of [y[i] == 0 and pred[i] >= th]``.

    Examples
    --------
    With y = [1, 0, 0, 1, 1] and pred = [0.8, 0.8, 0.4, 0.6, 0.3] at th = 0.5 the
    decisions are [1, 1, 0, 1, 0]; patient 1 is healthy but predicted positive,
    so FP = 1.

    >>> false_positives(np.array([1, 0, 0, 1, 1]), np.array([0.8, 0.8, 0.4, 0.6, 0.3]))
    np.int64(1)
    """
    y, pred = np.asarray(y), np.asarray(pred)
    ### START CODE HERE ###
    # Hint: like true_positives, but for the healthy patients (y == 0).
    raise NotImplementedError(
        "week2.diagnostic_metrics.false_positives: not implemented yet"
    )
    ### END CODE HERE ###


def false_negatives(y, pred, th=0.5):
    """Count the false negatives: patients with the disease that are predicted negative.

    Parameters
    ----------
    y : array of shape (N,)
        Ground truth, 1 = disease, 0 = healthy (ints, floats or bools).
    pred : array of shape (N,)
        Scores (probabilities) from the model.
    th : float, optional
        Threshold; ``pred >= th`` counts as a positive prediction (default 0.5).

    Returns
    -------
    FN : NumPy integer
        ``FN = sum over i of [y[i] == 1 and pred[i] < th]``.

    Examples
    --------
    With y = [1, 0, 0, 1, 1] and pred = [0.8, 0.8, 0.4, 0.6, 0.3] at th = 0.5 the
    decisions are [1, 1, 0, 1, 0]; patient 4 is diseased but scores 0.3 < 0.5,
    so FN = 1.

    >>> false_negatives(np.array([1, 0, 0, 1, 1]), np.array([0.8, 0.8, 0.4, 0.6, 0.3]))
    np.int64(1)
    """
    y, pred = np.asarray(y), np.asarray(pred)
    ### START CODE HERE ###
    # Hint: diseased patients (y == 1) whose prediction is negative (pred < th).
    raise NotImplementedError(
        "week2.diagnostic_metrics.false_negatives: not implemented yet"
    )
    ### END CODE HERE ###


def get_accuracy(y, pred, th=0.5):
    """Compute the accuracy: the fraction of patients the model gets right.

    Parameters
    ----------
    y : array of shape (N,)
        Ground truth, 1 = disease, 0 = healthy (ints, floats or bools).
    pred : array of shape (N,)
        Scores (probabilities) from the model.
    th : float, optional
        Threshold; ``pred >= th`` counts as a positive prediction (default 0.5).

    Returns
    -------
    accuracy : NumPy float
        ``(TP + TN) / (TP + TN + FP + FN)``.

    Examples
    --------
    With y = [1, 0, 0, 1, 1] and pred = [0.8, 0.8, 0.4, 0.6, 0.3] at th = 0.5:
    TP = 2, TN = 1, FP = 1, FN = 1, so accuracy = (2 + 1) / 5 = 0.6.

    >>> get_accuracy(np.array([1, 0, 0, 1, 1]), np.array([0.8, 0.8, 0.4, 0.6, 0.3]))
    np.float64(0.6)
    """
    y, pred = np.asarray(y), np.asarray(pred)
    ### START CODE HERE ###
    # Hint: reuse your four counting functions (pass th on!), then divide.
    raise NotImplementedError(
        "week2.diagnostic_metrics.get_accuracy: not implemented yet"
    )
    ### END CODE HERE ###


def get_prevalence(y):
    """Compute the prevalence: the fraction of patients that have the disease.

    Parameters
    ----------
    y : array of shape (N,)
        Ground truth, 1 = disease, 0 = healthy (ints, floats or bools).

    Returns
    -------
    prevalence : NumPy float
        ``sum over i of y[i] / N``.

    Examples
    --------
    y = [1, 0, 0, 1, 1] has 3 diseased patients out of 5: prevalence = 0.6.

    >>> get_prevalence(np.array([1, 0, 0, 1, 1]))
    np.float64(0.6)
    """
    y = np.asarray(y)
    ### START CODE HERE ###
    # Hint: the mean of 0/1 labels is the fraction of ones (np.mean).
    raise NotImplementedError(
        "week2.diagnostic_metrics.get_prevalence: not implemented yet"
    )
    ### END CODE HERE ###


def get_sensitivity(y, pred, th=0.5):
    """Compute the sensitivity (true positive rate, recall): TP / (TP + FN).

    The probability that the model flags a patient who has the disease.

    Parameters
    ----------
    y : array of shape (N,)
        Ground truth, 1 = disease, 0 = healthy (ints, floats or bools).
    pred : array of shape (N,)
        Scores (probabilities) from the model.
    th : float, optional
        Threshold; ``pred >= th`` counts as a positive prediction (default 0.5).

    Returns
    -------
    sensitivity : NumPy float
        ``TP / (TP + FN)``; NaN when no patient has the disease (0 / 0).

    Examples
    --------
    With y = [1, 0, 0, 1, 1] and pred = [0.8, 0.8, 0.4, 0.6, 0.3] at th = 0.5:
    TP = 2 and FN = 1, so sensitivity = 2 / 3 = 0.667.

    >>> float(get_sensitivity(np.array([1, 0, 0, 1, 1]),
    ...                       np.array([0.8, 0.8, 0.4, 0.6, 0.3])))
    0.6666666666666666
    """
    y, pred = np.asarray(y), np.asarray(pred)
    ### START CODE HERE ###
    # Hint: the denominator is every diseased patient, found or missed (TP + FN).
    # Hint: keep the counts NumPy integers: then 0 / 0 gives nan instead of an error.
    raise NotImplementedError(
        "week2.diagnostic_metrics.get_sensitivity: not implemented yet"
    )
    ### END CODE HERE ###


def get_specificity(y, pred, th=0.5):
    """Compute the specificity (true negative rate): TN / (TN + FP).

    The probability that the model clears a patient who is healthy.

    Parameters
    ----------
    y : array of shape (N,)
        Ground truth, 1 = disease, 0 = healthy (ints, floats or bools).
    pred : array of shape (N,)
        Scores (probabilities) from the model.
    th : float, optional
        Threshold; ``pred >= th`` counts as a positive prediction (default 0.5).

    Returns
    -------
    specificity : NumPy float
        ``TN / (TN + FP)``; NaN when every patient has the disease (0 / 0).

    Examples
    --------
    With y = [1, 0, 0, 1, 1] and pred = [0.8, 0.8, 0.4, 0.6, 0.3] at th = 0.5:
    TN = 1 and FP = 1, so specificity = 1 / 2 = 0.5.

    >>> get_specificity(np.array([1, 0, 0, 1, 1]), np.array([0.8, 0.8, 0.4, 0.6, 0.3]))
    np.float64(0.5)
    """
    y, pred = np.asarray(y), np.asarray(pred)
    ### START CODE HERE ###
    # Hint: the denominator is every healthy patient (TN + FP).
    raise NotImplementedError(
        "week2.diagnostic_metrics.get_specificity: not implemented yet"
    )
    ### END CODE HERE ###


def get_ppv(y, pred, th=0.5):
    """Compute the positive predictive value (precision): TP / (TP + FP).

    The probability that a patient flagged by the model has the disease.

    Parameters
    ----------
    y : array of shape (N,)
        Ground truth, 1 = disease, 0 = healthy (ints, floats or bools).
    pred : array of shape (N,)
        Scores (probabilities) from the model.
    th : float, optional
        Threshold; ``pred >= th`` counts as a positive prediction (default 0.5).

    Returns
    -------
    ppv : NumPy float
        ``TP / (TP + FP)``; NaN when no patient is predicted positive (0 / 0).

    Examples
    --------
    With y = [1, 0, 0, 1, 1] and pred = [0.8, 0.8, 0.4, 0.6, 0.3] at th = 0.5:
    TP = 2 and FP = 1, so PPV = 2 / 3 = 0.667.

    >>> float(get_ppv(np.array([1, 0, 0, 1, 1]), np.array([0.8, 0.8, 0.4, 0.6, 0.3])))
    0.6666666666666666
    """
    y, pred = np.asarray(y), np.asarray(pred)
    ### START CODE HERE ###
    # Hint: the denominator is every positive prediction, right or wrong (TP + FP).
    raise NotImplementedError("week2.diagnostic_metrics.get_ppv: not implemented yet")
    ### END CODE HERE ###


def get_npv(y, pred, th=0.5):
    """Compute the negative predictive value: TN / (TN + FN).

    The probability that a patient cleared by the model is healthy.

    Parameters
    ----------
    y : array of shape (N,)
        Ground truth, 1 = disease, 0 = healthy (ints, floats or bools).
    pred : array of shape (N,)
        Scores (probabilities) from the model.
    th : float, optional
        Threshold; ``pred >= th`` counts as a positive prediction (default 0.5).

    Returns
    -------
    npv : NumPy float
        ``TN / (TN + FN)``; NaN when no patient is predicted negative (0 / 0).

    Examples
    --------
    With y = [1, 0, 0, 1, 1] and pred = [0.8, 0.8, 0.4, 0.6, 0.3] at th = 0.5:
    TN = 1 and FN = 1, so NPV = 1 / 2 = 0.5.

    >>> get_npv(np.array([1, 0, 0, 1, 1]), np.array([0.8, 0.8, 0.4, 0.6, 0.3]))
    np.float64(0.5)
    """
    y, pred = np.asarray(y), np.asarray(pred)
    ### START CODE HERE ###
    # Hint: the denominator is every negative prediction, right or wrong (TN + FN).
    raise NotImplementedError("week2.diagnostic_metrics.get_npv: not implemented yet")
    ### END CODE HERE ###
