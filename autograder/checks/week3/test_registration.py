"""Checks for week3/registration.py (cases: autograder.cases.week3_volumes)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week3/registration.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
