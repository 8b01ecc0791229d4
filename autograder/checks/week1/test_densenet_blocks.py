"""Checks for week1/densenet_blocks.py (cases and oracles: autograder.cases.models)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week1/densenet_blocks.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
