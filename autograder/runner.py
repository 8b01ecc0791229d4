"""Run the checks for a set of exercises through pytest and collect the results.

`grade(exercises, target)` is fail-closed: every selected exercise starts as a
``grader-error`` worth zero, and only a result recorded by a check replaces it,
so an exercise that never ran (a broken check module, an interrupted run)
still appears in the report with its full maximum score.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from autograder.engine import (
    DEFAULT_MEMORY_BYTES,
    DEFAULT_SEED,
    DEFAULT_TIMEOUT,
    Grader,
    Result,
)
from autograder.spec import Exercise

__all__ = ["CHECKS_DIR", "grade"]

CHECKS_DIR = Path(__file__).resolve().parent / "checks"


def _check_module(exercise: Exercise) -> Path:
    return CHECKS_DIR / exercise.week / f"test_{exercise.lesson}.py"


def grade(
    exercises: list[Exercise],
    target,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    seed: int = DEFAULT_SEED,
    log: io.StringIO | None = None,
) -> list[Result]:
    """Grade ``exercises`` under ``target``; one `Result` per exercise, in order."""
    import pytest  # the checks are pytest tests

    from autograder.plugin import GradingPlugin

    results = {
        e.id: Result(e, 0, "grader-error", "this exercise's check did not run")
        for e in exercises
    }
    modules = sorted({str(_check_module(e)) for e in exercises})
    with Grader(
        target, timeout=timeout, memory_bytes=memory_bytes, seed=seed
    ) as grader:
        plugin = GradingPlugin(grader, exercises)
        args = [
            "-c",
            str(CHECKS_DIR / "pytest.ini"),
            "--rootdir",
            str(CHECKS_DIR),
            "--import-mode=importlib",
            "-q",
            "-p",
            "no:randomly",
            *modules,
        ]
        buffer = log if log is not None else io.StringIO()
        try:
            with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
                pytest.main(args, plugins=[plugin])
        finally:
            results.update(plugin.results)
    for exercise in exercises:
        result = results[exercise.id]
        if result.status == "grader-error" and not result.message.strip():
            result.message = "this exercise's check did not run"
    return [results[e.id] for e in exercises]
