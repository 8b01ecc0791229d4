"""Present grading results: the terminal table and Gradescope's results.json.

A status is shown by its label (`autograder.protocol.Status.label`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from autograder.engine import Result
from autograder.protocol import Status

__all__ = [
    "VISIBILITIES",
    "check_visibility",
    "format_table",
    "gradescope_json",
    "write_json",
]


def _label(result: Result) -> str:
    return Status(result.status).label


VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
_NOT_IMPLEMENTED = "not implemented yet"
_TABLE_FALLBACK_WIDTH = 100  # when the output is not a terminal


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _first_line(text: str) -> str:
    """Return the line saying what went wrong (after the one naming the case)."""
    lines = [line.strip() for line in _lines(text)]
    # the first line names the case; the second says what went wrong
    if len(lines) > 1 and lines[0].startswith(("public", "hidden")):
        lines = lines[1:]
    if len(lines) > 1 and lines[0].endswith(":"):  # "raised an exception:" + its line
        return f"{lines[0]} {lines[1]}"
    return lines[0] if lines else ""


def _lesson_failure(result: Result) -> bool:
    """Whether the whole lesson file failed (import error, file not found)."""
    return result.status is Status.IMPORT_ERROR or (
        result.status is Status.MISSING and result.message.startswith("file not found")
    )


def _not_implemented(result: Result) -> bool:
    return result.status is Status.NOT_IMPLEMENTED and not result.score


def _failing_group(result: Result):
    """Return the first failing group if its failure is its own (not the file's)."""
    failing = [g for g in result.groups if not g.passed]
    if len(result.groups) < 2 or not failing:
        return None
    if len({g.message for g in failing}) == 1 and len(failing) == len(result.groups):
        return None  # one failure for every group: the file's, not a group's
    return failing[0]


def _table_message(result: Result) -> str:
    if result.passed:
        return ""
    if _not_implemented(result):
        return _NOT_IMPLEMENTED
    if _lesson_failure(result):
        return f"see {result.exercise.module} below"
    message = _first_line(result.message)
    group = _failing_group(result)
    return f"{group.title}: {message}" if group is not None else message


def _points(score: float, maximum: float) -> str:
    return f"{round(score, 2):g}/{maximum:g}"


def format_table(
    results: list[Result], width: int | None = None, target: str | None = None
) -> str:
    """Return the score table, then the details of every failure.

    The message column is never cut: a message that does not fit the
    terminal's ``width`` (or 100 columns when the output is not a terminal)
    goes on its own line under its row, wrapped. The details say once per
    lesson that a file could not be imported or found, and in one line how
    many exercises are not implemented yet; ``target`` (the graded folder)
    says where to write them.
    """
    width = width or _terminal_width()
    name_w = max([len(r.exercise.id) for r in results] + [8])
    fixed = name_w + 2 + 7 + 2 + 16 + 2
    rule = "-" * min(width, fixed + 40)
    rows = [f"{'exercise':<{name_w}}  {'points':>7}  {'status':<16}  message", rule]
    for r in results:
        message = _table_message(r)
        row = f"{r.exercise.id:<{name_w}}  {_points(r.score, r.exercise.points):>7}  "
        row += f"{_label(r):<16}"
        if len(message) <= width - fixed:
            rows.append(f"{row}  {message}".rstrip())
        else:  # a narrow terminal: the message goes on its own lines
            rows.append(row.rstrip())
            rows += textwrap.wrap(
                message,
                max(width - 4, 40),
                initial_indent="    ",
                subsequent_indent="    ",
            )
    total = round(sum(r.score for r in results), 2)
    maximum = sum(r.exercise.points for r in results)
    rows += [rule, f"total: {total:g}/{maximum:g}"]
    details = _details(results, target)
    if details:
        rows += ["\nDetails:", *details]
    return "\n".join(rows)


def _terminal_width() -> int:
    return shutil.get_terminal_size((_TABLE_FALLBACK_WIDTH, 20)).columns


def _group_summary(result: Result) -> str:
    if len(result.groups) < 2:
        return ""
    parts = [
        f"{g.title} {'passed' if g.passed else 'not run' if not g.ran else 'failed'}"
        for g in result.groups
    ]
    return f"; {_points(result.score, result.exercise.points)}: " + ", ".join(parts)


def _details(results: list[Result], target: str | None) -> list[str]:
    rows: list[str] = []
    lessons: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        if _lesson_failure(r):
            lessons.setdefault((r.exercise.module, r.message), []).append(r)
    shown: set[tuple[str, str]] = set()
    for r in results:
        if r.passed or _not_implemented(r):
            continue
        key = (r.exercise.module, r.message)
        if key in lessons:
            if key not in shown:
                shown.add(key)
                names = ", ".join(x.exercise.name for x in lessons[key])
                rows.append(f"\n{r.exercise.module} ({_label(r)}; scored 0: {names})")
                rows += ["  " + line for line in r.message.splitlines()]
            continue
        rows.append(f"\n{r.exercise.id} ({_label(r)}{_group_summary(r)})")
        rows += ["  " + line for line in r.message.splitlines()]
    todo = [r for r in results if _not_implemented(r)]
    if todo:
        lesson_files = sorted({r.exercise.module for r in todo})
        where = target or "your exercises folder"
        files = lesson_files[0] if len(lesson_files) == 1 else "the lesson files"
        count = f"{len(todo)} exercise{'s' * (len(todo) != 1)}"
        them = "it" if len(todo) == 1 else "them"
        rows.append(
            f"\n{count} not implemented yet: write {them} in {files} under {where} "
            "(between ### START CODE HERE ### and ### END CODE HERE ###)."
        )
    return rows


# ------------------------------------------------------------------ results.json


def check_visibility(value: str) -> str:
    """Return ``value`` if Gradescope knows that visibility; else raise ValueError."""
    if value not in VISIBILITIES:
        raise ValueError(
            f"visibility must be one of {', '.join(VISIBILITIES)}, not {value!r}"
        )
    return value


def _output(label: str, passed: bool, message: str) -> str:
    return "passed" if passed else f"{label}: {message}"


def _planned_groups(exercise) -> list:
    """Return the groups of an exercise that was never graded ([] if unknown)."""
    from autograder import scoring
    from autograder.engine import DEFAULT_SEED, GroupResult
    from autograder.rebuild import case_rng

    try:
        present = ["public"] * bool(exercise.public())
        present += [
            c.group for c in exercise.hidden(case_rng(exercise.id, DEFAULT_SEED))
        ]
        order = scoring.group_order(exercise, present)
        points = scoring.split_points(exercise, order)
    except Exception:  # fall back to one test for the exercise
        return []
    return [GroupResult(g, 0, points[g], Status.GRADER_ERROR) for g in order]


def _tests(number: int, r: Result, hidden_visibility: str) -> list[dict[str, Any]]:
    """Return the results.json tests of one exercise: one per case group, or one."""
    e = r.exercise
    common = {"tags": [e.week, e.lesson]}
    groups = r.groups or ([] if r.passed else _planned_groups(e))
    if len(groups) < 2:
        on_hidden = bool(groups) and not r.passed and groups[0].on_hidden
        return [
            {
                "name": e.id,
                "number": str(number),
                "score": round(r.score, 2),
                "max_score": e.points,
                "status": "passed" if r.passed else "failed",
                "output": _output(_label(r), r.passed, r.message),
                "visibility": hidden_visibility if on_hidden else "visible",
                **common,
                "extra_data": {
                    "exercise": e.id,
                    "group": groups[0].group if groups else "all",
                },
            }
        ]
    tests = []
    for k, g in enumerate(groups, 1):
        message = g.message if r.groups else r.message
        tests.append(
            {
                "name": f"{e.id}: {g.title}",
                "number": f"{number}.{k}",
                "score": round(g.score, 2),
                "max_score": g.max_score,
                "status": "passed" if g.passed else "failed",
                "output": _output(
                    Status(g.status if r.groups else r.status).label, g.passed, message
                ),
                "visibility": "visible" if g.group == "public" else hidden_visibility,
                **common,
                "extra_data": {"exercise": e.id, "group": g.group},
            }
        )
    return tests


def gradescope_json(
    results: list[Result],
    extra_output: str = "",
    *,
    hidden_visibility: str = "visible",
    execution_time: float | None = None,
) -> dict[str, Any]:
    """Build Gradescope's results.json: score, execution_time, output, tests[].

    Each exercise gives one test per case group (``<id>: public cases``,
    ``hidden cases``, ``edge cases``) whose scores add up to the exercise's,
    or one test (``<id>``) when it is graded all or nothing. Maxima come from
    the registry, also for an exercise that was never graded. A test of
    hidden or edge cases gets ``hidden_visibility`` (one of `VISIBILITIES`);
    an all-or-nothing test gets it only when it failed on a hidden case;
    every other test is visible. Tests carry ``number`` ("3.2": exercise 3,
    group 2), ``tags`` (week and lesson) and ``extra_data`` (exercise id,
    group). The grader's printout (``stdout``) is hidden unless hidden cases
    are visible.
    """
    check_visibility(hidden_visibility)
    tests = [
        t for n, r in enumerate(results, 1) for t in _tests(n, r, hidden_visibility)
    ]
    total = round(sum(r.score for r in results), 2)
    maximum = sum(r.exercise.points for r in results)
    passed = sum(r.passed for r in results)
    partly = sum(0 < r.score < r.exercise.points for r in results)
    summary = (
        f"{total:g}/{maximum:g} points: {passed} of {len(results)} exercises "
        f"passed, {partly} earned part of their points"
    )
    seconds = (
        sum(r.seconds for r in results) if execution_time is None else execution_time
    )
    return {
        "score": total,
        "execution_time": max(0, round(seconds)),
        "output": f"{summary}\n{extra_output}".strip(),
        "visibility": "visible",
        "stdout_visibility": "visible" if hidden_visibility == "visible" else "hidden",
        "extra_data": {"max_score": maximum},
        "tests": tests,
    }


def write_json(path: str | os.PathLike[str], data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file, then a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
