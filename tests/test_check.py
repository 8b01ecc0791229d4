"""`autograder.check`: grading one exercise from Python, by name or as a function.

The functions graded here are defined in this module, so `inspect.getsource`
finds them as it finds a notebook cell's; they run only in the grader's worker.
"""

from __future__ import annotations

import dataclasses
import inspect
import os

import numpy as np
import pytest

from autograder import check, registry
from autograder.notebook import CheckResult, _target_dir

THIS_FILE = os.path.abspath(__file__)


# -- functions to check (learner-style code; they run in the worker) ---------------


def get_sensitivity(y, pred, th=0.5):
    y, pred = np.asarray(y), np.asarray(pred)
    tp = np.sum((y == 1) & (pred >= th))
    fn = np.sum((y == 1) & (pred < th))
    return tp / (tp + fn)


def wrong_sensitivity(y, pred, th=0.5):
    y, pred = np.asarray(y), np.asarray(pred)
    return np.sum((y == 1) & (pred >= th)) / len(y)  # out of everyone: wrong


def get_specificity(y, pred, th=0.5):
    return 1 / 0  # the line the message must point at


def exits(y, pred, th=0.5):
    import os  # the lesson file does not import os

    os._exit(3)  # would end the test process if it ran here


def _count(y, pred, th, truth, decision):
    y, pred = np.asarray(y), np.asarray(pred)
    return np.sum((y == truth) & ((pred >= th) == decision))


def get_ppv(y, pred, th=0.5):
    tp, fp = _count(y, pred, th, 1, True), _count(y, pred, th, 0, True)
    return tp / (tp + fp)


# -- by name ------------------------------------------------------------------------


def test_check_by_name_grades_the_file_and_prints_the_table(capsys):
    result = check("get_sensitivity", target="solutions")
    assert isinstance(result, CheckResult)
    assert (result.score, result.max_score, result.passed) == (1, 1, True)
    assert [r.exercise.name for r in result.results] == ["get_sensitivity"]
    assert bool(result)
    assert repr(result) == "CheckResult(score=1, max_score=1, passed=True)"
    assert "1/1" in result._repr_html_()
    out = capsys.readouterr().out
    assert "week2.diagnostic_metrics.get_sensitivity" in out
    assert "total: 1/1" in out


def test_check_by_name_on_the_stubs_scores_zero_quietly(capsys):
    result = check("get_sensitivity", target="exercises", quiet=True)
    assert (result.score, result.max_score, result.passed) == (0, 1, False)
    assert result.results[0].status == "not-implemented"
    assert capsys.readouterr().out == ""


# -- a function object ----------------------------------------------------------------


def test_check_a_correct_function_over_the_stub_passes():
    result = check(get_sensitivity, target="exercises", quiet=True)
    assert (result.score, result.max_score, result.passed) == (1, 1, True)


def test_check_a_wrong_function_fails_with_the_first_mismatch(capsys):
    result = check(wrong_sensitivity, exercise="get_sensitivity", target="exercises")
    assert (result.score, result.passed) == (0, False)
    assert result.results[0].status == "wrong-value"
    out = capsys.readouterr().out
    assert "total: 0/1" in out and "Details:" in out and "public case 1" in out


def test_an_exception_points_at_the_functions_own_file_and_line():
    result = check(get_specificity, target="exercises", quiet=True)
    message = result.results[0].message
    assert result.results[0].status == "exception"
    assert "ZeroDivisionError" in message
    line = inspect.getsourcelines(get_specificity)[1] + 1
    assert f'File "{THIS_FILE}", line {line}' in message
    assert "ai4md-check-" not in message  # no temporary path leaks out


def test_a_function_that_exits_runs_in_the_worker_not_here():
    result = check(exits, exercise="get_npv", target="exercises", quiet=True)
    assert result.results[0].status in ("exited", "crashed")
    assert not result.passed  # ...and this process is still here to say so


def test_helpers_are_sent_along():
    result = check(get_ppv, helpers=[_count], target="exercises", quiet=True)
    assert result.passed, result.results[0].message


# -- errors ---------------------------------------------------------------------------


def test_an_ambiguous_name_lists_the_dotted_ids(monkeypatch):
    row = registry.select(["get_sensitivity"])[0]
    twin = dataclasses.replace(row, module="week3/diagnostic_metrics.py")
    monkeypatch.setattr(registry, "EXERCISES", (*registry.EXERCISES, twin))
    with pytest.raises(ValueError, match="several exercises") as info:
        check(get_sensitivity)
    assert row.id in str(info.value) and twin.id in str(info.value)
    assert "exercise=" in str(info.value)


def test_a_function_that_is_no_exercise_is_refused():
    def not_an_exercise():
        return 1

    with pytest.raises(ValueError, match="no exercise is named 'not_an_exercise'"):
        check(not_an_exercise)
    with pytest.raises(ValueError, match="lambda"):
        check(lambda y, pred: 0)
    with pytest.raises(TypeError, match="exercise name"):
        check(np.mean)


def test_a_function_without_source_says_so():
    namespace: dict = {}
    exec("def get_sensitivity(y, pred, th=0.5):\n    return 0\n", namespace)
    with pytest.raises(OSError, match="plain python prompt"):
        check(namespace["get_sensitivity"])


def test_the_target_comes_from_the_keyword_the_environment_or_the_default(
    monkeypatch, tmp_path
):
    monkeypatch.delenv("AI4MD_TARGET", raising=False)
    assert _target_dir(None).name == "exercises"
    assert _target_dir("solutions").name == "solutions"
    monkeypatch.setenv("AI4MD_TARGET", str(tmp_path))
    assert _target_dir(None) == tmp_path.resolve()
    with pytest.raises(ValueError, match="not a folder"):
        _target_dir(tmp_path / "missing")
