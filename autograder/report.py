"""Present grading results: the terminal table and Gradescope's results.json.

A status is shown by its label (`autograder.protocol.Status.label`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from autograder.engine import Result
from autograder.protocol import Status

__all__ = ["format_table", "gradescope_json", "write_json"]


def _label(result: Result) -> str:
    return Status(result.status).label


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    # the first line names the case; the second says what went wrong
    return (
        lines[1]
        if len(lines) > 1 and lines[0].startswith(("public", "hidden"))
        else lines[0]
        if lines
        else ""
    )


def format_table(results: list[Result], width: int | None = None) -> str:
    """Return the score table, then the full message of every failure."""
    width = width or shutil.get_terminal_size((100, 20)).columns
    name_w = max([len(r.exercise.id) for r in results] + [8])
    rows = [
        f"{'exercise':<{name_w}}  {'points':>7}  {'status':<16}  message",
        "-" * min(width, name_w + 40),
    ]
    for r in results:
        points = f"{r.score:g}/{r.exercise.points:g}"
        message = _first_line(r.message)
        room = max(width - name_w - 31, 20)
        message = message if len(message) <= room else message[: room - 3] + "..."
        rows.append(
            f"{r.exercise.id:<{name_w}}  {points:>7}  {_label(r):<16}  {message}"
        )
    total = sum(r.score for r in results)
    maximum = sum(r.exercise.points for r in results)
    rows += ["-" * min(width, name_w + 40), f"total: {total:g}/{maximum:g}"]
    failures = [r for r in results if not r.passed]
    if failures:
        rows.append("\nDetails:")
        for r in failures:
            rows.append(f"\n{r.exercise.id} ({_label(r)})")
            rows += ["  " + line for line in r.message.splitlines()]
    return "\n".join(rows)


def gradescope_json(results: list[Result], extra_output: str = "") -> dict[str, Any]:
    """Build Gradescope's results.json structure (score, tests[], output)."""
    tests = [
        {
            "name": r.exercise.id,
            "score": r.score,
            "max_score": r.exercise.points,
            "status": "passed" if r.passed else "failed",
            "output": "passed" if r.passed else f"{_label(r)}: {r.message}",
            "visibility": "visible",
        }
        for r in results
    ]
    total = sum(r.score for r in results)
    maximum = sum(r.exercise.points for r in results)
    summary = f"{total:g}/{maximum:g} points"
    return {
        "score": total,
        "output": f"{summary}\n{extra_output}".strip(),
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
