"""Checks for week1/data_exploration.py (cases: autograder.cases.week1_explore)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week1/data_exploration.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
