"""exercises/ mirrors solutions/: same files, names, signatures and docstrings.

The five mirror invariants between exercises/ and solutions/; the fifth (grading gives full marks
on solutions/ and zero on exercises/) lives in test_grading_cli.py.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from autograder.registry import EXERCISES, lessons
from autograder.stubgen import build

ROOT = Path(__file__).resolve().parent.parent


def _lesson_files(tree: str) -> list[str]:
    base = ROOT / tree
    return sorted(
        str(p.relative_to(base))
        for p in base.rglob("*.py")
        if "__pycache__" not in p.parts
    )


def _module(tree: str, lesson: str):
    return importlib.import_module(
        f"{tree}.{lesson.removesuffix('.py').replace('/', '.')}"
    )


def test_same_file_set():
    assert _lesson_files("solutions") == _lesson_files("exercises")


def test_generator_reproduces_exercises():
    assert build(ROOT, check=True) == []


@pytest.mark.parametrize("lesson", lessons())
def test_same_public_names(lesson):
    solution, exercise = _module("solutions", lesson), _module("exercises", lesson)
    assert solution.__all__ == exercise.__all__
    graded = [e.name for e in EXERCISES if e.module == lesson]
    assert set(graded) <= set(solution.__all__), "every graded function is public"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_same_signature_and_docstring(exercise):
    solution = getattr(_module("solutions", exercise.module), exercise.name)
    stub = getattr(_module("exercises", exercise.module), exercise.name)
    assert inspect.signature(solution) == inspect.signature(stub)
    assert solution.__doc__ == stub.__doc__
    assert len(inspect.getdoc(solution)) > 200, (
        "docstring says what, shapes, formula, example"
    )


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_exercise_raises_not_implemented(exercise):
    stub = _module("exercises", exercise.module)
    case = exercise.public()[0]
    with pytest.raises(NotImplementedError, match=exercise.module.split("/")[0]):
        if exercise.kinds()[0] == "call":
            value = getattr(stub, exercise.name)(*case.args, **case.kwargs)
            for args, kwargs in case.then:
                value = value(*args, **kwargs)
        else:  # a backward: its body raises before it looks at the cache
            getattr(stub, exercise.name)(case.dout, None)


def test_every_solution_lesson_is_registered_and_every_registered_lesson_exists():
    registered = set(lessons())
    for lesson in _lesson_files("solutions"):
        if lesson.endswith("__init__.py"):
            continue
        assert lesson in registered, (
            f"{lesson} has no exercises in autograder/registry.py"
        )
    for lesson in registered:
        assert (ROOT / "solutions" / lesson).is_file(), (
            f"autograder/registry.py grades {lesson}, which solutions/ lacks"
        )


def test_registry_ids_are_unique_and_points_positive():
    ids = [e.id for e in EXERCISES]
    assert len(ids) == len(set(ids))
    assert all(e.points > 0 for e in EXERCISES)
