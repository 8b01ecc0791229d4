"""Rebuild one graded case exactly: ``case("get_ppv", "hidden", 10)``.

A failing case whose inputs are too large to print is shown as a summary and a
one-line snippet calling `case`, which returns the same ``(args, kwargs)`` the
grader used: the public cases are fixed, and the hidden ones come from
``numpy.random.default_rng([seed, crc32(exercise id)])`` (`case_rng`, the one
place that derivation lives; `autograder.engine` uses it too).

Nothing heavy is imported until `case` is called, so ``from autograder import
case`` stays cheap.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

__all__ = ["case", "case_rng"]

KINDS = ("public", "hidden")


def case_rng(exercise_id: str, seed: int) -> np.random.Generator:
    """Return the generator an exercise's hidden cases are drawn from."""
    return np.random.default_rng([seed, zlib.crc32(exercise_id.encode())])


def case(
    name: str,
    kind: str = "hidden",
    index: int = 1,
    seed: int | None = None,
    *,
    whole: bool = False,
) -> tuple[tuple, dict] | Any:
    """Return the ``(args, kwargs)`` of one graded case, exactly as graded.

    Parameters
    ----------
    name : str
        An exercise name (``"get_ppv"``) or dotted id
        (``"week2.diagnostic_metrics.get_ppv"``).
    kind : {"public", "hidden"}
        Which list of cases; edge cases are hidden cases.
    index : int
        The case's number as feedback prints it ("hidden case 10 of 12": 10),
        counting from 1.
    seed : int, optional
        The grading seed (default: the grader's, 2026).
    whole : bool
        Return the `autograder.spec.Case` itself (with ``dout`` and ``then``
        for exercises that use them) instead of ``(args, kwargs)``.

    Raises
    ------
    ValueError
        For an unknown or ambiguous name, an unknown kind or an index out of
        range.

    Examples
    --------
    >>> args, kwargs = case("get_ppv", "public", 2)
    >>> args[2], kwargs
    (0.7, {})
    """
    from autograder.engine import DEFAULT_SEED
    from autograder.registry import select

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    exercises = select([name])
    if len(exercises) != 1:
        raise ValueError(
            f"{name!r} names {len(exercises)} exercises; give one dotted id: "
            + ", ".join(e.id for e in exercises)
        )
    exercise = exercises[0]
    seed = DEFAULT_SEED if seed is None else seed
    cases = (
        exercise.public()
        if kind == "public"
        else exercise.hidden(case_rng(exercise.id, seed))
    )
    if not 1 <= index <= len(cases):
        raise ValueError(
            f"{exercise.id} has {len(cases)} {kind} cases: index 1 to {len(cases)}, "
            f"not {index}"
        )
    chosen = cases[index - 1]
    return chosen if whole else (tuple(chosen.args), dict(chosen.kwargs))
