"""Checks for week3/dice.py (cases and oracles: autograder.cases.week3)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week3/dice.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
