"""How an exercise's points are split over its case groups.

Every case belongs to one group: ``public`` (the fixed cases shown in
feedback), ``hidden`` (the seeded random cases) or ``edge`` (the hidden
builder's edge cases: ties, empty inputs, one class, zeros, ...; tagged with
`autograder.cases.edge`). Each group is graded on its own, in that order, and
stops at its first failing case; the exercise's points are split over the
groups it has by `DEFAULT_SPLIT` (or the registry row's ``split``),
renormalised, so a function that is right except for an edge case earns most
of its points. A row with ``all_or_nothing=True`` has one group, ``all``: every
case, full points or none.

The maximum of every group comes from the registry row (fail-closed): the
parts are rounded to 2 decimals and always add up to the row's ``points``.
"""

from __future__ import annotations

from collections.abc import Iterable

from autograder.spec import Exercise

__all__ = [
    "ALL",
    "DEFAULT_SPLIT",
    "GROUPS",
    "group_order",
    "group_title",
    "split_points",
]

GROUPS = ("public", "hidden", "edge")
ALL = "all"  # the one group of an all-or-nothing exercise
DEFAULT_SPLIT = {"public": 0.4, "hidden": 0.4, "edge": 0.2}
_TITLES = {
    "public": "public cases",
    "hidden": "hidden cases",
    "edge": "edge cases",
    ALL: "all cases",
}


def group_title(group: str) -> str:
    """Return how reports name a group, such as ``"edge cases"``."""
    return _TITLES.get(group, f"{group} cases")


def group_order(exercise: Exercise, present: Iterable[str]) -> list[str]:
    """Return the groups an exercise is graded in, in grading order.

    ``present`` are the groups its cases fall in; an all-or-nothing row has
    the single group `ALL`.
    """
    present = set(present)
    if exercise.all_or_nothing or not present:
        return [ALL]
    unknown = present - set(GROUPS)
    if unknown:
        raise ValueError(
            f"{exercise.id}: unknown case group(s) {sorted(unknown)}; "
            f"use {', '.join(GROUPS)}"
        )
    return [g for g in GROUPS if g in present]


def split_points(exercise: Exercise, groups: Iterable[str]) -> dict[str, float]:
    """Return each group's maximum score; they add up to ``exercise.points``.

    Weights come from the row's ``split`` (else `DEFAULT_SPLIT`), renormalised
    over ``groups``; each part is rounded to 2 decimals and the last one takes
    the rounding remainder.

    Examples
    --------
    >>> from autograder.spec import Exercise
    >>> row = Exercise("week0/m.py", "f", 3, None, list, list)
    >>> split_points(row, ["public", "hidden", "edge"])
    {'public': 1.2, 'hidden': 1.2, 'edge': 0.6}
    >>> split_points(row, ["public", "hidden"])
    {'public': 1.5, 'hidden': 1.5}
    """
    groups = list(groups)
    points = exercise.points
    if not groups:
        return {}
    if len(groups) == 1:
        return {groups[0]: points}
    weights = {**DEFAULT_SPLIT, **(exercise.split or {})}
    missing = [g for g in groups if g not in weights]
    if missing:
        raise ValueError(f"{exercise.id}: no weight for the case group(s) {missing}")
    total = sum(float(weights[g]) for g in groups)
    if total <= 0 or any(float(weights[g]) < 0 for g in groups):
        raise ValueError(f"{exercise.id}: the split's weights must be >= 0, not all 0")
    parts = {g: round(points * float(weights[g]) / total, 2) for g in groups[:-1]}
    parts[groups[-1]] = round(points - sum(parts.values()), 2)
    return parts
