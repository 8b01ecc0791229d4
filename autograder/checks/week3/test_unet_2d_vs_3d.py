"""Checks for week3/unet_2d_vs_3d.py (cases: autograder.cases.week3_unet2d3d)."""

from autograder.checks import parametrize_lesson


@parametrize_lesson("week3/unet_2d_vs_3d.py")
def test_exercise(exercise, grader):
    grader.check(exercise)
