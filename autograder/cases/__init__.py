"""Case builders and oracle adapters for the registry, one module per week or topic.

Each module builds the public cases (small, fixed, shown in feedback) and the
hidden cases (seeded random and edge cases, made at grading time) of its
lessons, and adapts `reference` functions into oracles with the learner
function's signature. `autograder.registry` names them in its rows.

A hidden builder tags its edge cases (ties, empty inputs, one class, all
zeros, ...) with `edge`: they are scored as their own group
(`autograder.scoring`), so a function that is right except for an edge case
keeps most of its points.
"""

from __future__ import annotations

from dataclasses import replace

from autograder.spec import Case

__all__ = ["edge"]


def edge(*cases: Case) -> list[Case]:
    """Return ``cases`` tagged as edge cases (same arguments, same objects).

    Examples
    --------
    >>> [c.group for c in edge(Case(args=(0,)), Case(args=(1,)))]
    ['edge', 'edge']
    """
    return [replace(case, group="edge") for case in cases]
