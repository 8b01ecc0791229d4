"""Checks for week2/diagnostic_metrics.py (cases, oracles: autograder.cases.week2)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week2/diagnostic_metrics.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
