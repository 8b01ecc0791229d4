"""Checks for week1/weighted_loss.py (cases: autograder.cases.week1_xray)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week1/weighted_loss.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
