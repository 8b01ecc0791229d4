"""Checks for week1/class_imbalance.py (cases: autograder.cases.week1_xray)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week1/class_imbalance.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
