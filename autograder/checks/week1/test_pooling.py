"""Checks for week1/pooling.py (cases and oracles: autograder.cases.week1)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week1/pooling.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
