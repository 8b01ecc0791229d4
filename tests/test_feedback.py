"""What a learner reads: inputs of a failing case, print() output, selectors, table.

A failing case shows its inputs (in full when small, else a summary and a line
of Python that rebuilds them exactly), what the learner's code printed, no
``--seed`` hint at the default seed; a tuple's items are named; a relative
error to 0 is not printed as nan; a lesson that fails to import is reported
once; the table never cuts its message column to nothing; an ambiguous or
misspelt selector says what it could mean.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograder import case, report
from autograder.compare import compare
from autograder.engine import DEFAULT_SEED, Grader
from autograder.registry import EXERCISES, select
from autograder.spec import Case, Exercise

ROOT = Path(__file__).resolve().parent.parent

LEARNER = textwrap.dedent("""
    import numpy as np

    def prints_and_is_wrong(a, b):
        print("debug: a has", a.size, "values")
        return a - b

    def interval(a, b):
        return float(a.min()), float(a.max()) + 1.0
""")


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    root = tmp_path_factory.mktemp("target")
    (root / "week0").mkdir()
    (root / "week0" / "m.py").write_text(LEARNER)
    (root / "week0" / "broken.py").write_text("import numpy as np\ndef f(:\n")
    return root


def _row(name, module="week0/m.py", **options):
    return Exercise(
        module=module,
        name=name,
        points=1,
        oracle=options.pop("oracle", lambda a, b: a + b),
        public=lambda: [Case((np.arange(3.0), np.ones(3)))],
        hidden=lambda rng: [Case((rng.normal(size=40), rng.normal(size=40)))],
        **options,
    )


def test_a_wrong_answer_shows_what_the_code_printed(target):
    with Grader(target, timeout=5.0) as grader:
        result = grader.grade(_row("prints_and_is_wrong"))
    assert result.status == "wrong-value"
    message = result.message
    assert "Your code printed:\n  debug: a has 3 values" in message
    # after the mismatch, and only this case's output
    assert message.index("wrong value") < message.index("Your code printed")
    hidden = result.groups[1].message  # each group shows its own case's output
    assert "debug: a has 40 values" in hidden and "3 values" not in hidden


def test_tuple_items_are_named_in_a_mismatch(target):
    row = _row(
        "interval",
        oracle=lambda a, b: (float(a.min()), float(a.max())),
        names=("low", "high"),
    )
    with Grader(target, timeout=5.0) as grader:
        result = grader.grade(row)
    assert "wrong value at [1] (high): expected 2, got 3" in result.message
    mismatch = compare((0.1, 0.9), (0.1, 0.8), names=("low", "high"))
    assert "[1] (high)" in mismatch.message


def test_a_relative_error_to_zero_is_not_nan():
    for expected, got in ((np.float64(0.0), 0.5), (np.zeros(4), np.full(4, 0.5))):
        message = compare(expected, got).message
        assert "nan" not in message.lower() and "inf" not in message, message
        assert "abs error 0.5" in message


def test_a_module_that_fails_to_import_is_reported_once(target):
    rows = [_row("f", module="week0/broken.py"), _row("g", module="week0/broken.py")]
    with Grader(target, timeout=5.0) as grader:
        results = [grader.grade(r) for r in rows]
    assert all(r.status == "import-error" for r in results)
    assert "<frozen" not in results[0].message
    assert "week0/broken.py could not be imported" in results[0].message
    table = report.format_table(results, width=120)
    assert table.count("SyntaxError") == 1
    assert table.count("see week0/broken.py below") == 2


# ------------------------------------------------------------------ hidden cases


@pytest.fixture(scope="module")
def npv_edge(tmp_path_factory):
    """get_npv from solutions/ edited to give 0 instead of NaN (an edge case)."""
    root = tmp_path_factory.mktemp("npv")
    (root / "week2").mkdir()
    text = (ROOT / "solutions" / "week2" / "diagnostic_metrics.py").read_text()
    old = "    return tn / (tn + fn)"
    assert text.count(old) == 1
    (root / "week2" / "diagnostic_metrics.py").write_text(
        text.replace(old, "    return tn / (tn + fn) if tn + fn > 0 else 0.0")
    )
    (exercise,) = select(["get_npv"])
    return root, exercise


def test_a_hidden_case_shows_a_summary_and_a_snippet_that_rebuilds_it(npv_edge):
    root, exercise = npv_edge
    with Grader(root, timeout=10.0) as grader:
        result = grader.grade(exercise)
        planned = grader._cases(exercise)
    message = result.message
    assert "hidden case 9 of 12 (an edge case)" in message
    assert re.search(
        r"argument 1: int64 array of shape \(\d+,\), min 0, max 1", message
    )
    snippet = re.search(r"rebuild them in Python: (.*)", message).group(1)
    assert snippet == (
        'from autograder import case; args, kwargs = case("get_npv", "hidden", 9, '
        f"seed={DEFAULT_SEED})"
    )
    scope: dict = {}
    exec(snippet, scope)  # the line a learner would paste
    graded = next(p.case for p in planned if p.kind == "hidden" and p.index == 9)
    assert len(scope["args"]) == len(graded.args) and scope["kwargs"] == graded.kwargs
    for rebuilt, used in zip(scope["args"], graded.args, strict=True):
        assert np.array_equal(np.asarray(rebuilt), np.asarray(used))
    # the default seed needs no --seed hint
    assert "--seed" not in message and "grading seed" not in message


def test_case_rebuilds_public_and_hidden_cases_with_any_seed():
    (exercise,) = select(["get_ppv"])
    args, kwargs = case("get_ppv", "public", 2)
    assert np.array_equal(args[0], exercise.public()[1].args[0]) and args[2] == 0.7
    grader = Grader("unused", seed=7)  # no worker is started by _cases
    for item in grader._cases(exercise):
        if item.kind == "hidden":
            rebuilt, _ = case(exercise.id, "hidden", item.index, seed=7)
            assert all(
                np.array_equal(np.asarray(a), np.asarray(b))
                for a, b in zip(rebuilt, item.case.args, strict=True)
            )
    with pytest.raises(ValueError, match="hidden cases: index 1 to"):
        case("get_ppv", "hidden", 99)
    with pytest.raises(ValueError, match="week1.standardization"):
        case("standardization", "public", 1)


def test_a_public_case_built_from_random_arrays_shows_a_summary():
    exercise = next(e for e in EXERCISES if e.name == "relu_forward")
    from autograder.feedback import input_details

    details = input_details(exercise, exercise.public()[0], "public", 1)
    assert "argument 1: float64 array of shape (2, 3, 4, 4), min" in details
    assert 'case("relu_forward", "public", 1)' in details


# ------------------------------------------------------------------ table, selectors


def test_a_narrow_table_keeps_the_message(npv_edge):
    root, exercise = npv_edge
    from autograder.engine import Result

    result = Result(
        exercise, 0.8, "wrong-value", "hidden case 9 of 12: x\nexpected nan"
    )
    for width in (40, 60, 200):
        table = report.format_table([result], width=width)
        assert "expected nan" in table.split("Details:")[0], (width, table)


def test_an_ambiguous_selector_lists_the_dotted_ids(capsys):
    from autograder.cli import main

    assert main(["grade", "standardization"]) == 2
    err = capsys.readouterr().err
    assert "ambiguous" in err
    assert "week1.standardization" in err and "week3.standardization" in err


def test_a_misspelt_selector_gets_did_you_mean(capsys):
    from autograder.cli import main

    assert main(["grade", "get_ppvv"]) == 2
    err = capsys.readouterr().err
    assert "no exercise matches 'get_ppvv'" in err and "did you mean get_ppv" in err
