"""The one table of graded exercises: `EXERCISES`.

Each row names the learner's function (lesson file + name), its oracle (always
from `reference`, never from `solutions`), its points, its public and hidden
cases and how to compare. Case builders and oracle adapters live in
`autograder.cases`, one module per week.
"""

from __future__ import annotations

from autograder.spec import Exercise

__all__ = ["EXERCISES", "for_lesson", "lessons", "select"]

EXERCISES: tuple[Exercise, ...] = ()


def lessons() -> list[str]:
    """Lesson files in course order, such as ``"week2/diagnostic_metrics.py"``."""
    return list(dict.fromkeys(e.module for e in EXERCISES))


def for_lesson(module: str) -> list[Exercise]:
    """Return the exercises of one lesson file, in table order."""
    return [e for e in EXERCISES if e.module == module]


def select(selectors: list[str] | None) -> list[Exercise]:
    """Exercises matching any selector: a week, a lesson, a function name or a dotted id.

    Raises
    ------
    ValueError
        If a selector matches nothing (the message lists what exists).
    """
    if not selectors:
        return list(EXERCISES)
    chosen = []
    for selector in selectors:
        key = selector.removesuffix(".py").replace("/", ".")
        matches = [
            e
            for e in EXERCISES
            if key in (e.week, e.lesson, e.name, e.id, f"{e.week}.{e.lesson}")
        ]
        if not matches:
            weeks = sorted({e.week for e in EXERCISES})
            raise ValueError(
                f"no exercise matches {selector!r}; try a week ({', '.join(weeks)}), "
                "a lesson or an exercise name from `ai4md list`"
            )
        chosen += [e for e in matches if e not in chosen]
    return [e for e in EXERCISES if e in chosen]
