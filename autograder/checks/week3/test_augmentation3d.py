"""Checks for week3/augmentation3d.py (cases: autograder.cases.week3_volumes)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week3/augmentation3d.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
