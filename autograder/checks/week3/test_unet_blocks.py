"""Checks for week3/unet_blocks.py (cases and oracles: autograder.cases.models)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week3/unet_blocks.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
