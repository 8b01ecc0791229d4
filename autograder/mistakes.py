"""Recognise the usual mistakes: named variants of an exercise's oracle.

An exercise's ``mistakes`` (`autograder.spec.Exercise`) are `Mistake` rows:
a one-phrase ``description`` ("using `pred > th` instead of `pred >= th`")
and a ``variant``, a callable with the oracle's signature that makes that
mistake. Variants are trusted grader code built from `reference` and NumPy
(never from `solutions`); they live in ``autograder.cases.mistakes_week1`` to
``mistakes_week3``, one small function each, in a table the registry merges.

When a ``call`` case fails with a value (a wrong value, shape, type or a
NaN), `mistake_sentence` runs every variant on a fresh copy of the case's
inputs here, in the grader process, skips a variant that gives the correct
answer on this case (so a correct result is never blamed on a mistake), and
if the learner's value matches a variant within the exercise's tolerances
returns one sentence: "Your result matches <description>." An input
modified in place has its own status and is not a mistake variant.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from autograder.compare import compare
from autograder.protocol import Status

if TYPE_CHECKING:
    from autograder.spec import Case, Exercise

__all__ = ["MATCHED_STATUSES", "Mistake", "mistake_sentence", "variant_value"]

# A value came back and differs from the oracle's (a dtype error is reported as such).
MATCHED_STATUSES = frozenset(
    {Status.WRONG_VALUE, Status.WRONG_SHAPE, Status.WRONG_TYPE, Status.NAN}
)


@dataclass(frozen=True)
class Mistake:
    """One usual mistake: what it is, and the oracle as it would be with it.

    ``description`` follows "your result matches", as in "using `pred > th`
    instead of `pred >= th`"; ``variant`` has the oracle's signature.
    """

    description: str
    variant: Callable[..., Any]


def variant_value(exercise: Exercise, mistake: Mistake, case: Case) -> Any:
    """Return what ``mistake`` gives on ``case`` (fresh copies of its inputs).

    Applied like the oracle of a ``call``: the ``then`` calls in turn, then
    item ``pick``. NumPy warnings (0 / 0, log 0) are silenced.
    """
    args, kwargs = copy.deepcopy((case.args, case.kwargs))
    then = copy.deepcopy(case.then)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        value = mistake.variant(*args, **kwargs)
        for more_args, more_kwargs in then:
            value = value(*more_args, **more_kwargs)
    if exercise.pick is not None:
        value = value[exercise.pick]
    return value


def mistake_sentence(exercise: Exercise, case: Case, expected: Any, value: Any) -> str:
    """Return "Your result matches <description>." or "" if no mistake matches.

    ``expected`` is the oracle's answer on ``case`` and ``value`` the
    learner's. A variant that fails, or that equals ``expected`` on this case,
    is skipped. Values are compared with the exercise's tolerances; the dtype
    is not compared again (a dtype error is reported before any value).
    """
    if not exercise.mistakes or "call" not in exercise.kinds():
        return ""
    loose = replace(exercise.compare, dtype="ignore")
    for mistake in exercise.mistakes:
        try:
            wrong = variant_value(exercise, mistake, case)
            if compare(expected, wrong, exercise.compare) is None:
                continue  # the mistake makes no difference on this case
            if compare(wrong, value, loose) is None:
                return f"Your result matches {mistake.description}."
        except Exception:  # a variant must never break grading
            continue
    return ""
