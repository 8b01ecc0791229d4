"""Checks for week3/sens_spec.py (cases and oracles: autograder.cases.week3)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week3/sens_spec.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
