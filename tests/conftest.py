"""Shared test helpers: grading edited copies of the solutions."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A grading run checks that the grader's own files did not change, and puts them
# back if they did (autograder.tamper); here that would undo a developer's edits
# made while the tests run. tests/test_grader_sandbox.py checks it on copies.
os.environ.setdefault("AI4MD_TAMPER_GUARD", "off")


@pytest.fixture
def grade_edited(tmp_path):
    """Return grade(week, edits, selectors) -> {exercise name: Result}.

    Copies ``solutions/<week>`` into a temporary folder, applies each
    ``(lesson, old, new)`` text edit (``old`` must occur exactly once) and grades
    the selected exercises there with the real engine.
    """
    from autograder.engine import Grader
    from autograder.registry import select

    def grade(week: str, edits, selectors) -> dict:
        folder = tmp_path / week
        shutil.copytree(
            ROOT / "solutions" / week,
            folder,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        for lesson, old, new in edits:
            path = folder / f"{lesson}.py"
            text = path.read_text()
            assert text.count(old) == 1, (
                f"{lesson}: edit target not found once: {old!r}"
            )
            path.write_text(text.replace(old, new))
        with Grader(tmp_path) as grader:
            return {e.name: grader.grade(e) for e in select(selectors)}

    return grade


@pytest.fixture
def run_without_jit():
    """Return run(code) -> stdout: ``code`` run by Python with NUMBA_DISABLE_JIT=1.

    The kernels then run as plain Python in a fresh interpreter (the flag is
    read at import). A non-zero exit fails the test with the child's stderr.
    """

    def run(code: str) -> str:
        env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


@pytest.fixture
def thread_runs(monkeypatch):
    """Return the list of runs of every `run_threads` call the test makes.

    Calls that go through `reference.ops._fast.threads.run_split` are recorded
    (each as its list of (start, stop) runs), and the thread budget is two,
    whatever this machine's BLAS allows.
    """
    from reference.ops._fast import threads as _threads

    seen = []
    run_threads = _threads.run_threads
    monkeypatch.setattr(
        _threads,
        "run_threads",
        lambda work, runs: seen.append(runs) or run_threads(work, runs),
    )
    monkeypatch.setattr(_threads, "blas_thread_count", lambda: 2)
    return seen
