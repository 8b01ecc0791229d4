"""Feedback that names the usual mistakes (`autograder.mistakes`).

A third or more of the exercises carry named mistake variants of their oracle;
each variant must be detectable (it differs from the correct answer on some
case), is never named where it equals the correct answer, and a wrong answer
that equals a variant gets the sentence "Your result matches ...".
"""

from __future__ import annotations

import warnings

import pytest

from autograder.compare import compare
from autograder.engine import DEFAULT_SEED
from autograder.mistakes import Mistake, mistake_sentence, variant_value
from autograder.rebuild import case_rng
from autograder.registry import EXERCISES

WITH_MISTAKES = [e for e in EXERCISES if e.mistakes]


def _cases(exercise):
    return exercise.public() + exercise.hidden(case_rng(exercise.id, DEFAULT_SEED))


def _expected(exercise, case):
    value = exercise.oracle(*case.args, **case.kwargs)
    for args, kwargs in case.then:
        value = value(*args, **kwargs)
    return value if exercise.pick is None else value[exercise.pick]


def test_at_least_a_third_of_the_exercises_in_every_week_name_mistakes():
    assert 3 * len(WITH_MISTAKES) >= len(EXERCISES)
    assert {e.week for e in WITH_MISTAKES} == {"week1", "week2", "week3"}
    for exercise in WITH_MISTAKES:  # value-compared calls only
        assert exercise.kinds() == ("call",) and exercise.verify is None, exercise.id
        assert all(isinstance(m, Mistake) for m in exercise.mistakes)
        descriptions = [m.description for m in exercise.mistakes]
        assert len(set(descriptions)) == len(descriptions), exercise.id


@pytest.mark.parametrize("exercise", WITH_MISTAKES, ids=lambda e: e.id)
def test_every_mistake_is_detectable_and_never_named_on_a_correct_answer(exercise):
    differs = dict.fromkeys(m.description for m in exercise.mistakes)
    for case in _cases(exercise):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = _expected(exercise, case)
        # the correct answer is never blamed on a mistake
        assert mistake_sentence(exercise, case, expected, expected) == ""
        for mistake in exercise.mistakes:
            wrong = variant_value(exercise, mistake, case)
            sentence = mistake_sentence(exercise, case, expected, wrong)
            if compare(expected, wrong, exercise.compare) is None:
                continue  # equal on this case: this variant is skipped
            differs[mistake.description] = True
            # the value of a mistake is named (the first matching one if two agree)
            named = sentence.removeprefix("Your result matches ").removesuffix(".")
            assert named in differs, (exercise.id, sentence)
            first = next(m for m in exercise.mistakes if m.description == named)
            assert compare(expected, variant_value(exercise, first, case)) is not None
    undetectable = [d for d, seen in differs.items() if not seen]
    assert not undetectable, f"{exercise.id}: equal to the oracle on every case"


def test_a_variant_equal_to_the_oracle_is_skipped():
    exercise = next(e for e in EXERCISES if e.name == "true_positives")
    case = exercise.public()[0]  # no score equals th: `>` and `>=` agree
    expected = _expected(exercise, case)
    always = Mistake("always the right answer", exercise.oracle)
    from dataclasses import replace

    with_always = replace(exercise, mistakes=(always,))
    assert mistake_sentence(with_always, case, expected, expected) == ""
    assert (
        compare(expected, variant_value(exercise, exercise.mistakes[0], case)) is None
    )


# Planted mistakes: (week, lesson edit, selector, exercise, expected phrase).
PLANTED = [
    (
        "week2",
        (
            "diagnostic_metrics",
            "    thresholded = pred >= th\n    return np.sum((y == 1) & thresholded)",
            "    thresholded = pred > th\n    return np.sum((y == 1) & thresholded)",
        ),
        "true_positives",
        "matches using `pred > th` instead of `pred >= th`",
    ),
    (
        "week2",
        (
            "roc_auc",
            "    return np.mean(wins + 0.5 * ties)",
            "    return np.mean(wins + 0.0 * ties)",
        ),
        "auc_mann_whitney",
        "matches counting a tie as 0 instead of 1/2",
    ),
    (
        "week1",
        (
            "weighted_loss",
            "    return np.sum(np.mean(per_entry, axis=0))",
            "    return np.sum(per_entry)",
        ),
        "binary_cross_entropy",
        "matches the sum over the images instead of the mean",
    ),
    (
        "week1",
        (
            "standardization",
            "np.std(train_images, axis=axes)",
            "np.std(train_images, axis=axes, ddof=1)",
        ),
        "fit_standardization",
        "matches the sample std (ddof=1)",
    ),
    (
        "week3",
        (
            "dice",
            "+ epsilon\n    return dice_numerator / dice_denominator",
            "\n    return dice_numerator / dice_denominator",
        ),
        "single_class_dice_coefficient",
        "matches no epsilon in the denominator",
    ),
    (
        "week3",
        (
            "tiled_prediction",
            "    if starts[-1] != size - patch:\n        starts.append(size - patch)\n",
            "",
        ),
        "tile_starts",
        "matches no final tile at size - patch",
    ),
    (
        "week3",
        (
            "standardization",
            "centered / np.std(centered)",
            "centered / np.std(centered, ddof=1)",
        ),
        "standardize",
        "matches the sample std (ddof=1)",
    ),
    (
        "week3",
        (
            "unet_2d_vs_3d",
            "np.moveaxis(slices, 0, -1)",
            "slices.reshape(*slices.shape[1:], slices.shape[0])",
        ),
        "slices_to_volume",
        "matches reshape instead of moving the axis",
    ),
]


@pytest.mark.parametrize(
    ("week", "edit", "name", "phrase"), PLANTED, ids=[p[2] for p in PLANTED]
)
def test_a_planted_mistake_is_named(grade_edited, week, edit, name, phrase):
    exercise = next(e for e in EXERCISES if e.name == name and e.week == week)
    result = grade_edited(week, [edit], [exercise.id])[name]
    assert not result.passed, result.message
    assert f"Your result {phrase}" in result.message, result.message
    # one sentence, after what differs and before the hint
    assert result.message.count("Your result matches") == 1
    assert result.message.index("Your result") < result.message.index("\nHint:")


def test_correct_solutions_get_no_mistake_sentence(grade_edited):
    selectors = ["week2.diagnostic_metrics", "week3.dice", "week1.weighted_loss"]
    for week, selector in zip(("week2", "week3", "week1"), selectors, strict=True):
        results = grade_edited(week, [], [selector])
        assert all(r.passed for r in results.values())
        assert not any("Your result matches" in r.message for r in results.values())
