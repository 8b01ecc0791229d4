"""Ground truth by consensus: the majority vote of several annotators.

Labels of medical images are opinions. Two radiologists reading the same chest
X-ray disagree surprisingly often, so test sets are labelled by several experts
and their votes are combined. The simplest rule is the majority: a finding is
present when more annotators say yes than no.

With an even number of annotators the votes can tie. A rule must be stated; here
a tie counts as **positive**, because a finding that half of the experts see
deserves a second look (missing a finding usually costs more than a false
alarm). The reference library's ``majority_vote`` also offers ``tie="negative"``.
"""

import numpy as np

__all__ = ["majority_vote"]


def majority_vote(annotations):
    """Combine annotators' 0/1 votes into one label per image (ties -> 1).

    Parameters
    ----------
    annotations : ndarray of shape (N, A) or (N, A, K), 0/1
        Votes of A annotators (axis 1) on N images (and K findings).

    Returns
    -------
    labels : ndarray of shape (N,) or (N, K), int
        1 where the 1-votes are at least as many as the 0-votes, else 0.

    Notes
    -----
    labels[n] = 1 if (number of 1 votes) >= (number of 0 votes) else 0,
    counting down axis 1 (the annotators).

    Examples
    --------
    Three annotators: 2 of 3 say yes on image 0, 1 of 3 on image 1. Two
    annotators who disagree (image 2 of the second call) tie, and a tie is 1:

    >>> majority_vote(np.array([[1, 1, 0], [0, 0, 1]]))
    array([1, 0])
    >>> majority_vote(np.array([[1, 1], [0, 0], [1, 0]]))
    array([1, 0, 1])
    """
    annotations = np.asarray(annotations)
    ### START CODE HERE ###
    # Hint: count the 1 votes and the 0 votes down axis 1 (the annotators); a tie counts
    # Hint: as 1, and the answer holds ints, not bools.
    raise NotImplementedError("week1.consensus.majority_vote: not implemented yet")
    ### END CODE HERE ###
