"""The confusion matrix, and predictive values from prevalence (Bayes' rule).

The four counts of the previous lesson fit in one 2 x 2 table, laid out as
scikit-learn does for labels [0, 1] (rows: truth, columns: decision)::

    [[TN, FP],     row 0: healthy patients  (y_true = 0)
     [FN, TP]]     row 1: diseased patients (y_true = 1)

Sensitivity and specificity are properties of the test; the positive predictive
value also depends on how common the disease is in the population the test is used
on. Bayes' rule turns one into the other::

    PPV = sens * prev / (sens * prev + (1 - spec) * (1 - prev))

which is why a very specific test can still be wrong about most of the patients it
flags when the disease is rare.
"""

import numpy as np

__all__ = ["confusion_matrix", "ppv_from_prevalence"]


def confusion_matrix(y_true, y_pred):
    """Count the 2 x 2 confusion matrix [[TN, FP], [FN, TP]] of hard decisions.

    Parameters
    ----------
    y_true : array of shape (N,)
        Ground truth 0/1 (ints, floats 0./1. or bools; lists work too).
    y_pred : array of shape (N,)
        Hard decisions 0/1 (ints, floats 0./1. or bools), not scores.

    Returns
    -------
    cm : integer ndarray of shape (2, 2)
        ``cm[t, p]`` = number of patients with truth ``t`` and decision ``p``,
        that is ``[[TN, FP], [FN, TP]]``.

    Examples
    --------
    y_true = [1, 0, 0, 1, 1] and y_pred = [1, 1, 0, 1, 0]: one healthy patient is
    cleared (TN = 1), one is flagged (FP = 1), one diseased patient is missed
    (FN = 1) and two are found (TP = 2)::

        [[1, 1],
         [1, 2]]

    >>> confusion_matrix([1, 0, 0, 1, 1], [1, 1, 0, 1, 0])
    array([[1, 1],
           [1, 2]])
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    ### START CODE HERE ###
    # Hint: turn labels and decisions into integer 0/1 first (they may be bools or
    # Hint: floats); cell (t, p) counts the patients with truth t and decision p, in an
    # Hint: integer table.
    raise NotImplementedError(
        "week2.confusion_matrix.confusion_matrix: not implemented yet"
    )
    ### END CODE HERE ###


def ppv_from_prevalence(sensitivity, specificity, prevalence):
    """Compute the PPV from sensitivity, specificity and prevalence (Bayes' rule).

    Parameters
    ----------
    sensitivity, specificity, prevalence : float
        Each in [0, 1].

    Returns
    -------
    ppv : float
        P(disease | positive test)
        ``= sens * prev / (sens * prev + (1 - spec) * (1 - prev))``: true
        positives over all positives, both per patient screened.

    Examples
    --------
    A test with sensitivity 0.9 and specificity 0.9 used where 1 patient in 10
    has the disease: per 100 patients, 9 true positives and 9 false positives, so
    PPV = 0.09 / (0.09 + 0.09) = 0.5.

    >>> round(ppv_from_prevalence(0.9, 0.9, 0.1), 6)
    0.5
    """
    ### START CODE HERE ###
    # Hint: Bayes' rule: of all positive tests, the share that are true positives. Per
    # Hint: patient screened, a true positive has probability sensitivity times
    # Hint: prevalence; a false positive needs a healthy patient AND a wrong test.
    raise NotImplementedError(
        "week2.confusion_matrix.ppv_from_prevalence: not implemented yet"
    )
    ### END CODE HERE ###
