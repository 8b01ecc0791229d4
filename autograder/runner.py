"""Grade a selection of exercises in one session: one `Grader`, one fork server.

`grade(exercises, target)` walks the selected registry rows (see
`autograder.registry.select`) in order and grades each with `Grader.grade`.
It is fail-closed: every selected exercise starts as a ``grader-error`` worth
zero and only its own grading replaces that, so an exercise that was never
graded (a grader bug, Ctrl-C) still appears in the report with its full
maximum score; a failure while grading one exercise never stops the others.
Afterwards the grader's own files are checked against a snapshot taken
before (`autograder.tamper`): learner code that changed them makes the run
untrustworthy (and with ``AI4MD_TAMPER_GUARD=restore`` they are put back).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from autograder import tamper
from autograder.confine import DEFAULT_DISK_BYTES
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
    progress: Callable[[int, int, Exercise], None] | None = None,
    disk_bytes: int = DEFAULT_DISK_BYTES,
    guard: tamper.Guard | None = None,
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
    progress : callable (k, n, exercise), optional
        Called before grading the k-th of n exercises (k from 1), for a
        progress line on a terminal.
    disk_bytes : int
        The largest file a call may write (`Grader`).
    guard : autograder.tamper.Guard, optional
        Snapshot of the grader's own files, checked after grading (see
        `autograder.tamper`); pass one to read ``guard.changes`` afterwards.
        By default one is made here.

    Returns
    -------
    results : list of Result
        In the order of ``exercises``. After Ctrl-C the exercises not yet
        graded are ``grader-error`` results saying so.
    """
    results = [Result(e, 0, Status.GRADER_ERROR, NOT_GRADED) for e in exercises]
    guard = tamper.Guard(target) if guard is None else guard
    try:
        _grade_all(
            results,
            exercises,
            target,
            progress,
            timeout=timeout,
            memory_bytes=memory_bytes,
            seed=seed,
            disk_bytes=disk_bytes,
        )
    finally:
        guard.check()  # did learner code change the grader's files? (loud)
    return results


def _grade_all(results, exercises, target, progress, **settings) -> None:
    """Grade every exercise in one `Grader` session, filling in ``results``."""
    with Grader(target, **settings) as grader:
        for i, exercise in enumerate(exercises):
            try:
                if progress is not None:
                    progress(i + 1, len(exercises), exercise)
                results[i] = grader.grade(exercise)
            except KeyboardInterrupt:
                for result in results[i:]:
                    result.message = INTERRUPTED
                break
            except Exception as exc:  # grade the other exercises
                results[i].message = f"the grader itself failed: {exc!r}"
