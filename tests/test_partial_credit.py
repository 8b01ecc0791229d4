"""Partial credit: an exercise's points split over its case groups.

A function that is right except for an edge case keeps the public and hidden
shares; an all-or-nothing row gives 0; a timeout stops the remaining groups
without running them; the maxima always come from the registry; and
results.json carries Gradescope's fields (one test per case group).
"""

from __future__ import annotations

import io
import json
import textwrap
import time

import numpy as np
import pytest

from autograder import report, scoring
from autograder.cases import edge
from autograder.engine import Grader, GroupResult, Result
from autograder.registry import EXERCISES
from autograder.spec import Case, Exercise


def _row(name: str, points: int = 2, **options) -> Exercise:
    """A row with 1 public, 2 hidden and 1 edge case; the edge case has a 0."""
    return Exercise(
        module="week0/m.py",
        name=name,
        points=points,
        oracle=lambda a: a * 2.0,
        public=lambda: [Case((np.arange(1.0, 4.0),))],
        hidden=lambda rng: [
            Case((rng.normal(size=5),)),
            Case((rng.normal(size=7),)),
            *edge(Case((np.zeros(3),))),
        ],
        **options,
    )


LEARNER = textwrap.dedent("""
    import time
    import numpy as np

    def right(a):
        return a * 2.0

    def wrong_on_zeros(a):
        return np.ones_like(a) if not a.any() else a * 2.0

    def wrong_on_hidden(a):
        return a * 2.0 if a.size == 3 and a.any() else a + 1.0

    def hangs_on_public(a):
        while True:
            time.sleep(0.1)
""")


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    root = tmp_path_factory.mktemp("target")
    (root / "week0").mkdir()
    (root / "week0" / "m.py").write_text(LEARNER)
    return root


# ------------------------------------------------------------------ the split


def test_the_default_split_is_renormalised_over_the_groups_present():
    row = _row("right", points=3)
    assert scoring.split_points(row, ["public", "hidden", "edge"]) == {
        "public": 1.2,
        "hidden": 1.2,
        "edge": 0.6,
    }
    assert scoring.split_points(row, ["public", "hidden"]) == {
        "public": 1.5,
        "hidden": 1.5,
    }
    assert scoring.split_points(row, ["public"]) == {"public": 3}


def test_a_split_adds_up_to_the_points_with_two_decimals():
    row = _row("right", points=1, split={"public": 1, "hidden": 1, "edge": 1})
    parts = scoring.split_points(row, ["public", "hidden", "edge"])
    assert parts == {"public": 0.33, "hidden": 0.33, "edge": 0.34}
    for exercise in EXERCISES:  # every registry row, whatever its groups
        for groups in (["public", "hidden", "edge"], ["public", "hidden"]):
            parts = scoring.split_points(exercise, groups)
            assert round(sum(parts.values()), 2) == exercise.points
            assert all(round(p, 2) == p for p in parts.values())


def test_all_or_nothing_rows_have_one_group():
    row = _row("right", all_or_nothing=True)
    assert scoring.group_order(row, ["public", "hidden", "edge"]) == [scoring.ALL]
    assert any(e.all_or_nothing for e in EXERCISES)


# ------------------------------------------------------------------ grading


def test_right_except_an_edge_case_earns_the_other_shares(target):
    with Grader(target, timeout=5.0) as grader:
        result = grader.grade(_row("wrong_on_zeros", points=2))
    assert (result.status, result.score) == ("wrong-value", 1.6), result.message
    assert [(g.group, g.score, g.max_score, g.status) for g in result.groups] == [
        ("public", 0.8, 0.8, "passed"),
        ("hidden", 0.8, 0.8, "passed"),
        ("edge", 0, 0.4, "wrong-value"),
    ]
    assert not result.passed
    assert "hidden case 3 of 3 (an edge case)" in result.message


def test_every_group_is_graded_even_after_a_failing_one(target):
    with Grader(target, timeout=5.0) as grader:
        result = grader.grade(_row("wrong_on_hidden", points=2))
    assert result.score == 0.8  # public only: hidden and edge fail
    assert [g.status for g in result.groups] == ["passed", "wrong-value", "wrong-value"]
    assert "hidden case 1 of 3" in result.message
    assert "edge cases also failed" in result.message


def test_an_all_or_nothing_row_gives_zero(target):
    with Grader(target, timeout=5.0) as grader:
        result = grader.grade(_row("wrong_on_zeros", all_or_nothing=True))
    assert (result.status, result.score) == ("wrong-value", 0)
    assert [g.group for g in result.groups] == [scoring.ALL]


def test_a_timeout_ends_the_exercise_without_running_the_other_groups(target):
    timeout = 3.0
    with Grader(target, timeout=timeout) as grader:
        assert grader.grade(_row("right")).passed  # the worker is up
        start = time.monotonic()
        result = grader.grade(_row("hangs_on_public"))
        seconds = time.monotonic() - start
    assert seconds < 2 * timeout  # one timeout, not one per group
    assert (result.status, result.score) == ("timeout", 0)
    assert [g.ran for g in result.groups] == [True, False, False]
    assert "not run" in result.groups[1].message


def test_a_solution_edited_to_fail_an_edge_case_keeps_most_points(grade_edited):
    # NPV silently 0 instead of NaN when nobody is predicted negative
    edits = [
        (
            "diagnostic_metrics",
            "    return tn / (tn + fn)",
            "    return tn / (tn + fn) if tn + fn > 0 else 0.0",
        )
    ]
    results = grade_edited("week2", edits, ["week2.diagnostic_metrics"])
    npv = results["get_npv"]
    assert (npv.status, npv.score) == ("wrong-value", 0.8), npv.message
    assert [g.passed for g in npv.groups] == [True, True, False]
    assert all(r.passed for name, r in results.items() if name != "get_npv")


# ------------------------------------------------------------------ results.json


def _result(exercise, groups, status="wrong-value", message="hidden case 1 of 2: x"):
    score = round(sum(g.score for g in groups), 2)
    return Result(exercise, score, status, message, 1.5, groups)


def test_results_json_has_gradescopes_fields_and_one_test_per_group():
    exercise = next(e for e in EXERCISES if e.name == "get_npv")
    groups = [
        GroupResult("public", 0.4, 0.4, "passed"),
        GroupResult("hidden", 0.4, 0.4, "passed"),
        GroupResult("edge", 0, 0.2, "wrong-value", "hidden case 9 of 12: x", True),
    ]
    data = report.gradescope_json(
        [_result(exercise, groups)],
        hidden_visibility="after_due_date",
        execution_time=12.4,
    )
    assert data["score"] == 0.8 and data["execution_time"] == 12
    assert data["visibility"] == "visible" and data["stdout_visibility"] == "hidden"
    assert "0.8/1 points" in data["output"]
    tests = data["tests"]
    assert [t["name"] for t in tests] == [
        f"{exercise.id}: public cases",
        f"{exercise.id}: hidden cases",
        f"{exercise.id}: edge cases",
    ]
    assert [t["number"] for t in tests] == ["1.1", "1.2", "1.3"]
    assert [t["visibility"] for t in tests] == [
        "visible",
        "after_due_date",
        "after_due_date",
    ]
    assert [t["status"] for t in tests] == ["passed", "passed", "failed"]
    assert all(t["tags"] == ["week2", "diagnostic_metrics"] for t in tests)
    assert sum(t["max_score"] for t in tests) == pytest.approx(exercise.points)
    json.dumps(data)  # plain data only


def test_a_never_graded_exercise_keeps_its_maxima_from_the_registry():
    exercise = next(e for e in EXERCISES if e.name == "roc_curve")
    never = Result(exercise, 0, "grader-error", "grading did not run")
    tests = report.gradescope_json([never])["tests"]
    assert sum(t["max_score"] for t in tests) == pytest.approx(exercise.points)
    assert all(t["score"] == 0 and t["status"] == "failed" for t in tests)
    assert all("grading did not run" in t["output"] for t in tests)


def test_an_all_or_nothing_test_is_hidden_only_when_it_failed_on_a_hidden_case():
    exercise = next(e for e in EXERCISES if e.all_or_nothing)
    on_hidden = GroupResult(scoring.ALL, 0, exercise.points, "wrong-value", "x", True)
    on_public = GroupResult(scoring.ALL, 0, exercise.points, "wrong-value", "x", False)
    for group, visibility in ((on_hidden, "hidden"), (on_public, "visible")):
        data = report.gradescope_json(
            [_result(exercise, [group])], hidden_visibility="hidden"
        )
        (test,) = data["tests"]
        assert test["name"] == exercise.id and test["visibility"] == visibility


def test_an_unknown_visibility_is_refused():
    with pytest.raises(ValueError, match="after_published"):
        report.gradescope_json([], hidden_visibility="later")
    from autograder.cli import build_parser

    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["grade", "--hidden-visibility", "later"])
    assert stop.value.code == 2


# ------------------------------------------------------------------ progress line


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_progress_line_is_for_a_terminal_only():
    from autograder.cli import _Progress

    assert _Progress.on(io.StringIO()) is None  # piped: nothing
    stream = _Terminal()
    progress = _Progress.on(stream)
    progress(1, 2, EXERCISES[0])
    progress(2, 2, EXERCISES[1])
    progress.clear()
    text = stream.getvalue()
    assert f"grading 1/2: {EXERCISES[0].id}" in text
    assert f"grading 2/2: {EXERCISES[1].id}" in text
    assert text.endswith("\r") and "\n" not in text


def test_the_progress_line_stays_out_of_results_json(monkeypatch, tmp_path, capsys):
    import autograder.runner as runner
    from autograder.cli import main

    class Passing:
        def __init__(self, target, **options):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def grade(self, exercise):
            return Result(exercise, exercise.points, "passed")

    terminal = _Terminal()
    monkeypatch.setattr(runner, "Grader", Passing)
    monkeypatch.setattr("sys.stderr", terminal)
    out = tmp_path / "results.json"
    assert main(["grade", "week2", "--target", "solutions", "--json", str(out)]) == 0
    week2 = [e for e in EXERCISES if e.week == "week2"]
    assert f"grading {len(week2)}/{len(week2)}" in terminal.getvalue()
    assert "grading 1/" not in out.read_text()
    assert "grading 1/" not in capsys.readouterr().out
