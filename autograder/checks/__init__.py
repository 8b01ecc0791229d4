"""The checks: one pytest module per lesson, each parametrised over the registry.

These modules are collected by `autograder.runner` (not by the project's own
``pytest``, which runs ``tests/`` only). A check module only names its lesson;
what is graded and how lives in `autograder.registry`.
"""

import pytest

from autograder.registry import for_lesson


def parametrize_lesson(module: str):
    """Parametrise a check over the registered exercises of lesson file ``module``."""
    return pytest.mark.parametrize("exercise", for_lesson(module), ids=lambda e: e.name)
