"""`ai4md grade` end to end: full marks on solutions/, zero on the untouched exercises/.

These run the real command in a subprocess, as a learner or CI would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.registry import EXERCISES

ROOT = Path(__file__).resolve().parent.parent
TOTAL = sum(e.points for e in EXERCISES)


def ai4md(*args, cwd=ROOT, timeout=600):
    env = dict(os.environ)
    env.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def solutions_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("grade") / "results.json"
    return ai4md("grade", "--target", "solutions", "--json", str(out)), out


@pytest.fixture(scope="module")
def exercises_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("grade") / "results.json"
    return ai4md("grade", "--json", str(out)), out


def _by_exercise(data: dict) -> dict:
    """Exercise id -> its tests in results.json (one per case group, or one)."""
    tests: dict = {}
    for t in data["tests"]:
        tests.setdefault(t["extra_data"]["exercise"], []).append(t)
    return tests


def test_solutions_get_full_marks(solutions_run):
    run, out = solutions_run
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads(out.read_text())
    assert data["score"] == TOTAL > 0
    tests = _by_exercise(data)
    assert list(tests) == [e.id for e in EXERCISES]
    for exercise in EXERCISES:
        assert sum(t["max_score"] for t in tests[exercise.id]) == pytest.approx(
            exercise.points
        )
    assert all(
        t["status"] == "passed" and t["score"] == t["max_score"] for t in data["tests"]
    )
    assert f"total: {TOTAL:g}/{TOTAL:g}" in run.stdout
    assert {"execution_time", "output", "visibility", "stdout_visibility"} <= set(data)


def test_untouched_exercises_score_zero_as_not_implemented(exercises_run):
    run, out = exercises_run
    assert run.returncode == 1
    data = json.loads(out.read_text())
    assert data["score"] == 0
    tests = _by_exercise(data)
    assert list(tests) == [e.id for e in EXERCISES]
    for exercise in EXERCISES:
        mine = tests[exercise.id]
        assert all(t["name"].startswith(exercise.id) for t in mine)
        assert sum(t["max_score"] for t in mine) == pytest.approx(exercise.points)
        for test in mine:
            assert (test["score"], test["status"]) == (0, "failed")
            assert test["output"].startswith("not implemented"), test["output"]
    assert "Traceback" not in run.stderr
    assert f"total: 0/{TOTAL:g}" in run.stdout


def test_untouched_exercises_print_one_line_each(exercises_run):
    run, _ = exercises_run
    lines = run.stdout.splitlines()
    assert len(lines) <= len(EXERCISES) + 15, run.stdout
    table = [line for line in lines if line.endswith("not implemented yet")]
    assert len(table) == len(EXERCISES)
    assert "Traceback" not in run.stdout and "NotImplementedError" not in run.stdout
    assert f"{len(EXERCISES)} exercises not implemented yet" in run.stdout


def test_selectors_pick_a_week_a_lesson_or_one_exercise():
    first = EXERCISES[0]
    run = ai4md("grade", first.name, "--target", "solutions")
    assert run.returncode == 0, run.stdout
    assert f"total: {first.points:g}/{first.points:g}" in run.stdout
    run = ai4md("grade", "week99")
    assert run.returncode == 2 and "no exercise matches 'week99'" in run.stderr
    run = ai4md("grade", "standardization")
    assert run.returncode == 2 and "ambiguous" in run.stderr
    assert (
        "week1.standardization" in run.stderr and "week3.standardization" in run.stderr
    )


def test_list_shows_weeks_exercises_and_points():
    run = ai4md("list")
    assert run.returncode == 0
    assert f"total: {len(EXERCISES)} exercises, {TOTAL:g} points" in run.stdout
    assert all(e.name in run.stdout for e in EXERCISES)


def test_json_is_written_even_when_grading_breaks(tmp_path):
    out = tmp_path / "results.json"
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, autograder.runner as r\n"
            "def broken(*a, **k): raise RuntimeError('boom')\n"
            "r.grade = broken\n"
            "from autograder.cli import main\n"
            f"sys.exit(main(['grade', '--json', {str(out)!r}]))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 4  # the grader failed, not the learner
    data = json.loads(out.read_text())
    assert data["score"] == 0 and list(_by_exercise(data)) == [e.id for e in EXERCISES]
    assert all("RuntimeError: boom" in t["output"] for t in data["tests"])
    assert sum(t["max_score"] for t in data["tests"]) == pytest.approx(TOTAL)


# ----------------------------------------------- the runner, without worker processes


class _FakeGrader:
    """Stands in for `Grader`: scripted outcomes per exercise name."""

    outcomes: dict = {}

    def __init__(self, target, **options):
        self.graded = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def grade(self, exercise):
        from autograder.engine import Result

        outcome = self.outcomes.get(exercise.name)
        if isinstance(outcome, BaseException):
            raise outcome
        return Result(exercise, exercise.points, "passed")


@pytest.fixture
def fake_grader(monkeypatch):
    import autograder.runner as runner

    monkeypatch.setattr(runner, "Grader", _FakeGrader)
    monkeypatch.setattr(_FakeGrader, "outcomes", {})
    return _FakeGrader


def test_runner_grades_the_selection_in_order_and_fails_closed(fake_grader):
    from autograder import runner

    chosen = list(EXERCISES[:4])
    fake_grader.outcomes = {chosen[1].name: RuntimeError("grader bug")}
    results = runner.grade(chosen, ROOT / "solutions")
    assert [r.exercise for r in results] == chosen
    assert [r.status for r in results] == ["passed", "grader-error", "passed", "passed"]
    assert results[1].score == 0 and "RuntimeError('grader bug')" in results[1].message


def test_runner_reports_an_interrupt_on_every_exercise_not_graded(fake_grader):
    from autograder import runner

    chosen = list(EXERCISES[:4])
    fake_grader.outcomes = {chosen[2].name: KeyboardInterrupt()}
    results = runner.grade(chosen, ROOT / "solutions")
    assert [r.status for r in results] == [
        "passed",
        "passed",
        "grader-error",
        "grader-error",
    ]
    assert all(r.score == 0 and r.message == runner.INTERRUPTED for r in results[2:])


def test_grade_command_says_it_was_interrupted(fake_grader, tmp_path, capsys):
    from autograder.cli import main

    week2 = [e for e in EXERCISES if e.week == "week2"]
    fake_grader.outcomes = {week2[1].name: KeyboardInterrupt()}
    out = tmp_path / "results.json"
    code = main(["grade", "week2", "--target", "solutions", "--json", str(out)])
    assert code == 1
    assert "grading was interrupted" in capsys.readouterr().err
    data = json.loads(out.read_text())
    assert [t["status"] for t in data["tests"][:2]] == ["passed", "failed"]
    assert "grading was interrupted" in data["output"]


def test_grade_command_exits_4_when_the_grader_fails_an_exercise(fake_grader, capsys):
    from autograder.cli import main

    week2 = [e for e in EXERCISES if e.week == "week2"]
    fake_grader.outcomes = {week2[1].name: RuntimeError("grader bug")}
    assert main(["grade", "week2", "--target", "solutions"]) == 4
    assert (
        "the grader itself failed: RuntimeError('grader bug')"
        in capsys.readouterr().out
    )
    fake_grader.outcomes = {}
    assert main(["grade", "week2", "--target", "solutions"]) == 0


def test_ctrl_c_before_the_first_exercise_exits_1_not_4(monkeypatch, capsys):
    import autograder.runner as runner
    from autograder.cli import main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # say, while the fork server starts

    monkeypatch.setattr(runner, "grade", interrupted)
    assert main(["grade", "week2", "--target", "solutions"]) == 1
    assert "grading was interrupted" in capsys.readouterr().err
