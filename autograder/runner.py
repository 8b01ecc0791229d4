"""Grade a selection of exercises in one session: one `Grader`, one fork server.

`grade(exercises, target)` walks the selected registry rows (see
`autograder.registry.select`) in order and grades each with `Grader.grade`.
It is fail-closed: every selected exercise starts as a ``grader-error`` worth
zero and only its own grading replaces that, so an exercise that was never
graded (a grader bug, Ctrl-C) still appears in the report with its full
maximum score; a failure while grading one exercise never stops the others.
"""

from __future__ import annotations

import os

from autograder.engine import (
    DEFAULT_MEMORY_BYTES,
    DEFAULT_SEED,
    DEFAULT_TIMEOUT,
    Grader,
    Result,
)
from autograder.protocol import Status
from autograder.spec import Exercise

__all__ = ["grade"]

NOT_GRADED = "this exercise was not graded"
INTERRUPTED = "grading was interrupted before this exercise was graded"


def grade(
    exercises: list[Exercise],
    target: str | os.PathLike[str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    seed: int = DEFAULT_SEED,
) -> list[Result]:
    """Grade ``exercises`` under ``target``; one `Result` per exercise, in order.

    Parameters
    ----------
    exercises : list of Exercise
        The registry rows to grade.
    target : path
        A folder laid out like ``exercises/`` (``weekN/lesson.py``, or flat).
    timeout, memory_bytes, seed
        Passed to `Grader`.

    Returns
    -------
    results : list of Result
        In the order of ``exercises``. After Ctrl-C the exercises not yet
        graded are ``grader-error`` results saying so.
    """
    results = [Result(e, 0, Status.GRADER_ERROR, NOT_GRADED) for e in exercises]
    with Grader(
        target, timeout=timeout, memory_bytes=memory_bytes, seed=seed
    ) as grader:
        for i, exercise in enumerate(exercises):
            try:
                results[i] = grader.grade(exercise)
            except KeyboardInterrupt:
                for result in results[i:]:
                    result.message = INTERRUPTED
                break
            except Exception as exc:  # noqa: BLE001 - grade the other exercises
                results[i].message = f"the grader itself failed: {exc!r}"
    return results
