"""Checks for week1/data_leakage.py (cases and oracles: autograder.cases.week1_xray)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week1/data_leakage.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
