"""Checks for week1/augmentation.py (cases and oracles: autograder.cases.week1_xray)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week1/augmentation.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
