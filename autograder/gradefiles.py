"""The files a batch grading run reads and writes, always atomically.

- results.json (Gradescope's format, as ``ai4md grade --json`` writes it,
  with one test per exercise or one per case group): `load` reads and checks
  one, `complete` makes sure every selected exercise is in it with its
  maximum score from the exercise table, `fail_closed` builds one where every
  exercise scored zero for a stated reason, `tests_by_exercise` and
  `exercise_scores` read it per exercise.
- manifest.json (next to a student's results.json): the fingerprint of the
  settings, the submission and the grader it was graded with (`fingerprint`,
  `grader_hash`), read by `is_current` and written by `record`.

Public names: `write_json`, `write_text`, `load`, `complete`, `fail_closed`,
`tests_by_exercise`, `exercise_scores`, `relative_paths`, `fingerprint`,
`grader_hash`, `is_current`, `record`, `read_results`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograder.spec import Exercise

__all__ = [
    "complete",
    "exercise_scores",
    "fail_closed",
    "fingerprint",
    "grader_hash",
    "is_current",
    "load",
    "read_results",
    "record",
    "relative_paths",
    "tests_by_exercise",
    "write_json",
    "write_text",
]

FORMAT = 1  # bump to regrade every student graded by an older ai4md
_NOT_GRADING = (
    "classroom.py",
    "gradebook.py",
    "gradescope.py",
    "gradescope_scripts.py",
)
_LOG_TAIL = 1500


def write_text(
    path: str | os.PathLike[str], text: str | bytes, mode: str = "w"
) -> None:
    """Write ``text`` (or bytes, with ``mode="wb"``) atomically: temp file, rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as indented JSON, atomically."""
    write_text(path, json.dumps(data, indent=2) + "\n")


def _tail(log_path) -> str:
    try:
        text = Path(log_path).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return text if len(text) <= _LOG_TAIL else "..." + text[-_LOG_TAIL:]


def load(
    json_path: str | os.PathLike[str], returncode: int, log_path: str | os.PathLike[str]
) -> tuple[dict | None, str]:
    """Read the results.json ``ai4md grade`` wrote; return ``(data, reason)``.

    ``data`` is None (and ``reason`` says why, with the end of the grader's
    log) when the file is missing or is not a results.json.
    """
    try:
        data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if isinstance(data, dict) and isinstance(data.get("tests"), list):
        return data, ""
    tail = _tail(log_path)
    return None, (
        f"the grader exited with status {returncode} without writing results"
        + (f"; it printed:\n{tail}" if tail else "")
    )


def _test(exercise, score, status: str, output: str) -> dict:
    return {
        "name": exercise.id,
        "score": score,
        "max_score": exercise.points,
        "status": status,
        "output": output,
        "visibility": "visible",
    }


def fail_closed(exercises: Sequence[Exercise], reason: str) -> dict:
    """Return a results.json where every exercise scored 0 because of ``reason``."""
    maximum = sum(e.points for e in exercises)
    return {
        "score": 0,
        "output": f"0/{maximum:g} points\n{reason}".strip(),
        "extra_data": {"max_score": maximum, "grading_failed": True},
        "tests": [_test(e, 0, "failed", f"not graded: {reason}") for e in exercises],
    }


def _clamp(value, maximum) -> float:
    """Return ``value`` within ``[0, maximum]`` (0 if it is no number); ints stay."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0
    value = min(max(value, 0.0), float(maximum)) if value == value else 0.0
    return int(value) if value.is_integer() else value


def relative_paths(data: dict, folder: str | os.PathLike[str]) -> dict:
    """Return ``data`` with ``folder/`` dropped from every message.

    The learner's files sit in a temporary copy; a message names them as the
    learner knows them (``week2/diagnostic_metrics.py``).
    """
    prefix = str(folder).rstrip("/") + "/"

    def strip(text):
        return text.replace(prefix, "") if isinstance(text, str) else text

    tests = [{**t, "output": strip(t.get("output"))} for t in data["tests"]]
    return {**data, "output": strip(data.get("output")), "tests": tests}


def _exercise_of(test: dict, ids) -> str | None:
    """Return the exercise id a test belongs to (None for a stray test)."""
    extra = test.get("extra_data")
    if isinstance(extra, dict) and extra.get("exercise") in ids:
        return extra["exercise"]
    name = str(test.get("name", "")).split(": ", 1)[0]  # "<id>: hidden cases"
    return name if name in ids else None


def tests_by_exercise(data: dict, exercises: Sequence[Exercise]) -> dict:
    """Return exercise id -> its tests in ``data`` (one, or one per case group)."""
    ids = {e.id for e in exercises}
    grouped: dict = {e.id: [] for e in exercises}
    for test in data.get("tests", []):
        if isinstance(test, dict) and (key := _exercise_of(test, ids)) is not None:
            grouped[key].append(test)
    return grouped


def _exercise_total(tests, points) -> float:
    return min(sum(_clamp(t.get("score"), points) for t in tests), points)


def exercise_scores(data: dict, exercises: Sequence[Exercise]) -> dict:
    """Return exercise id -> score (its tests' sum, at most its points)."""
    grouped = tests_by_exercise(data, exercises)
    return {e.id: _exercise_total(grouped[e.id], e.points) for e in exercises}


def _clamped(test: dict, points) -> dict:
    """Return a test with max_score within ``[0, points]``, score within that."""
    maximum = _clamp(test.get("max_score", points), points)
    return {**test, "score": _clamp(test.get("score"), maximum), "max_score": maximum}


def complete(data: dict, exercises: Sequence[Exercise]) -> dict:
    """Return ``data`` with exactly the selected exercises' tests, total re-added.

    An exercise's tests are the one named by its id or one per case group
    (``"<id>: hidden cases"``); an exercise without any scores 0 ("not
    graded"); stray tests are dropped; each score is clamped to ``[0, its
    max_score]`` and each exercise's sum to its points from the exercise
    table, which also gives the maximum.
    """
    grouped = tests_by_exercise(data, exercises)
    tests, total = [], 0.0
    for exercise in exercises:
        mine = grouped[exercise.id] or [
            _test(exercise, 0, "failed", "not graded by the grader")
        ]
        mine = [_clamped(t, exercise.points) for t in mine]
        tests += mine
        total += _exercise_total(mine, exercise.points)
    extra = data.get("extra_data") if isinstance(data.get("extra_data"), dict) else {}
    maximum = sum(e.points for e in exercises)
    return {
        **data,
        "score": _clamp(round(total, 2), maximum),
        "extra_data": {**extra, "max_score": maximum},
        "tests": tests,
    }


def fingerprint(settings: dict, submission: str, grader: str) -> str:
    """Return the SHA-256 of everything a grade depends on."""
    blob = json.dumps(
        {
            "format": FORMAT,
            "settings": settings,
            "submission": submission,
            "grader": grader,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def grader_hash(package_root: str | os.PathLike[str]) -> str:
    """Return the SHA-256 of the grader's and the oracles' source files.

    The batch's own reporting (gradebook, Gradescope packaging, the batch
    command) does not change a grade and is left out.
    """
    digest = hashlib.sha256()
    root = Path(package_root)
    for tree in ("autograder", "reference"):
        for path in sorted((root / tree).rglob("*")):
            if path.name in _NOT_GRADING and path.parent.name == "autograder":
                continue
            if path.suffix in (".py", ".json", ".ini") and path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_results(folder: str | os.PathLike[str]) -> dict | None:
    """Return a student's results.json, or None if it is missing or unreadable."""
    try:
        data = json.loads(Path(folder, "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (
        data if isinstance(data, dict) and isinstance(data.get("tests"), list) else None
    )


def is_current(folder: str | os.PathLike[str], expected: str) -> bool:
    """Whether a student's results were made with the fingerprint ``expected``."""
    try:
        manifest = json.loads(Path(folder, "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    fresh = isinstance(manifest, dict) and manifest.get("fingerprint") == expected
    return fresh and read_results(folder) is not None


def record(
    folder: str | os.PathLike[str], data: dict, expected: str, reason: str, start: float
) -> None:
    """Write a student's results.json, then the manifest that vouches for it."""
    write_json(Path(folder, "results.json"), data)
    write_json(
        Path(folder, "manifest.json"),
        {
            "fingerprint": expected,
            "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seconds": round(time.monotonic() - start, 2),
            "grading_failed": bool(reason),
            "reason": reason,
        },
    )
