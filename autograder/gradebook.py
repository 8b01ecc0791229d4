"""A class's grades at a glance: gradebook.csv, summary.txt and histogram.png.

Every function takes ``results``, a dict from student name to that student's
results.json (Gradescope's format), and the selected exercises (their ids
name the columns, their points are the maxima). Files are written atomically,
so a reader never sees half a gradebook.

Public names: `write_gradebook`, `summary_text`, `write_histogram`,
`write_reports`, `failure_message`.
"""

from __future__ import annotations

import csv
import io
import os
import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.gradefiles import exercise_scores, tests_by_exercise, write_text

if TYPE_CHECKING:
    from autograder.spec import Exercise

__all__ = [
    "failure_message",
    "summary_text",
    "write_gradebook",
    "write_histogram",
    "write_reports",
]

_MESSAGE_WIDTH = 110


def _total(data: dict) -> float:
    return float(data.get("score", 0) or 0)


def write_gradebook(
    path: str | os.PathLike[str], results: dict, exercises: Sequence[Exercise]
) -> None:
    """Write ``student,total,<exercise id>...``, one row per student, sorted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "total", *(e.id for e in exercises)])
    for student in sorted(results):
        scores = exercise_scores(results[student], exercises)
        writer.writerow(
            [student, f"{_total(results[student]):g}"]
            + [f"{float(scores.get(e.id, 0)):g}" for e in exercises]
        )
    write_text(path, buffer.getvalue())


def failure_message(output: str) -> str:
    r"""Return the gist of a failed test's output: its status and what went wrong.

    The case line ("hidden case 3 of 12 (...)") differs between students and
    is dropped; the line after it says what went wrong.

    Examples
    --------
    >>> failure_message("wrong values: public case 1: f(1)\nexpected 2, got 3")
    'wrong values: expected 2, got 3'
    >>> failure_message("exception: hidden case 2\nraised an exception:\nKeyError: 3")
    'exception: raised an exception: KeyError: 3'
    """
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        return ""
    status, _, rest = lines[0].partition(": ")
    if rest.startswith(("public case", "hidden case")) and len(lines) > 1:
        rest, lines = lines[1], lines[1:]
    if rest.endswith(":") and len(lines) > 1:  # "raised an exception:" + its line
        rest = f"{rest} {lines[1]}"
    message = f"{status}: {rest}" if rest else status
    if len(message) > _MESSAGE_WIDTH:
        message = message[: _MESSAGE_WIDTH - 3] + "..."
    return message


def _first_failure(tests) -> str | None:
    """Return the gist of an exercise's first failed test (None if all passed)."""
    for test in tests:
        if test.get("status") != "passed":
            return failure_message(str(test.get("output", "")))
    return None if tests else "not graded"


def _exercise_line(exercise, results: dict) -> list[str]:
    """Return the summary's lines for one exercise."""
    students = [results[name] for name in sorted(results)]
    scores = [exercise_scores(d, [exercise])[exercise.id] for d in students]
    gists = [
        _first_failure(tests_by_exercise(d, [exercise])[exercise.id]) for d in students
    ]
    passed = sum(gist is None for gist in gists)
    line = (
        f"{exercise.id:<52} {exercise.points:>4g} "
        f"{statistics.mean(scores or [0]):>6.2f} "
        f"{statistics.median(scores or [0]):>6g} {passed:>4}/{len(students)}"
    )
    failures = Counter(gist for gist in gists if gist is not None)
    if not failures:
        return [line]
    message, count = min(failures.items(), key=lambda item: (-item[1], item[0]))
    return [line, f"    most common failure ({count}x): {message}"]


def summary_text(
    results: dict, exercises: Sequence[Exercise], settings: dict | None = None
) -> str:
    """Return the class summary: totals, then mean/median/failures per exercise."""
    maximum = sum(e.points for e in exercises)
    totals = [_total(d) for d in results.values()] or [0.0]
    failed = sorted(
        name
        for name, data in results.items()
        if (data.get("extra_data") or {}).get("grading_failed")
    )
    lines = [
        f"{len(results)} students, {len(exercises)} exercises, {maximum:g} points",
        f"total: mean {statistics.mean(totals):.2f}, median "
        f"{statistics.median(totals):g}, min {min(totals):g}, max {max(totals):g}",
    ]
    if settings:
        lines.append(f"grade arguments: {' '.join(settings['grade_args']) or '-'}")
    if failed:
        lines.append(
            f"not graded (timed out, grader crashed or submission refused): "
            f"{len(failed)}: {', '.join(failed)}"
        )
    header = f"{'exercise':<52} {'max':>4} {'mean':>6} {'median':>6} {'passed':>9}"
    lines += ["", header, "-" * len(header)]
    for exercise in exercises:
        lines += _exercise_line(exercise, results)
    return "\n".join(lines) + "\n"


def write_histogram(
    path: str | os.PathLike[str], results: dict, maximum: float
) -> None:
    """Save a histogram of the students' total scores as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    totals = [_total(d) for d in results.values()]
    step = max(1.0, float(np.ceil(maximum / 40)))
    edges = np.arange(0.0, maximum + step + 1e-9, step) - step / 2
    fig, ax = plt.subplots(figsize=(7, 4))
    try:
        ax.hist(totals, bins=edges, color="#4c72b0", edgecolor="white")
        ax.set_xlabel(f"total score (out of {maximum:g})")
        ax.set_ylabel("students")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"{len(totals)} students")
        ax.set_xlim(-step, maximum + step)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    write_text(path, buffer.getvalue(), mode="wb")


def write_reports(
    out: str | os.PathLike[str],
    results: dict,
    exercises: Sequence[Exercise],
    settings: dict | None = None,
) -> None:
    """Write gradebook.csv, summary.txt and histogram.png into ``out``."""
    out = Path(out)
    write_gradebook(out / "gradebook.csv", results, exercises)
    write_text(out / "summary.txt", summary_text(results, exercises, settings))
    write_histogram(out / "histogram.png", results, sum(e.points for e in exercises))
