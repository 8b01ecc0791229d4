"""Checks for week2/roc_auc.py (cases and oracles: autograder.cases.week2)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week2/roc_auc.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
