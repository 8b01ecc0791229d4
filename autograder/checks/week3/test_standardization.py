"""Checks for week3/standardization.py (cases and oracles: autograder.cases.week3)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week3/standardization.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
