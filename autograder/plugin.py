"""The pytest plugin that turns check modules into graded results.

`GradingPlugin` provides the ``grader`` fixture used by every check module,
keeps only the selected exercises, and records one `Result` per exercise.
A check fails (in pytest's sense) exactly when its exercise scores zero.
"""

from __future__ import annotations

import pytest

from autograder.engine import Grader, Result
from autograder.spec import Exercise

__all__ = ["GradingPlugin"]


class GradingPlugin:
    """Collects results while pytest runs the check modules."""

    def __init__(self, grader: Grader, selected: list[Exercise]):
        self._grader = grader
        self.selected = {e.id for e in selected}
        self.results: dict[str, Result] = {}

    @pytest.fixture(scope="session")
    def grader(self):
        """Provide the object check modules call: ``grader.check(exercise)``."""
        return self

    def check(self, exercise: Exercise) -> Result:
        """Grade ``exercise``, record the result, fail the test if it scored zero."""
        result = self._grader.grade(exercise)
        self.results[exercise.id] = result
        if not result.passed:
            pytest.fail(f"{result.status}: {result.message}", pytrace=False)
        return result

    def pytest_collection_modifyitems(self, session, config, items):
        """Keep only the checks of selected exercises."""
        keep, drop = [], []
        for item in items:
            callspec = getattr(item, "callspec", None)
            exercise = callspec.params.get("exercise") if callspec else None
            (
                keep if exercise is not None and exercise.id in self.selected else drop
            ).append(item)
        items[:] = keep
        if drop:
            config.hook.pytest_deselected(items=drop)
