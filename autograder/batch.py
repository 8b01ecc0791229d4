"""Grade one folder as ``ai4md grade --target`` would, in a capped subprocess.

`grade_folder` runs ``python -m autograder grade`` in a new session (its own
process group), in a working folder that is not the learner's (the working
folder comes first on ``sys.path``), with a wall-clock cap after which the
whole group is killed. It always returns a complete results.json: when the
grader does not deliver one, every selected exercise scores zero with the
reason (fail-closed; maximum scores from the exercise table).

`Settings` holds what is graded and the caps; `Processes` tracks the running
graders so that an interrupt can stop them all. Used by ``ai4md grade-class``
(`autograder.classroom`) and by Gradescope's ``run_autograder``
(`autograder.gradescope`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import gradefiles as gf
from autograder import reaper
from autograder.registry import select

__all__ = ["PACKAGE_ROOT", "Settings", "Processes", "grade_folder"]

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
ASSUMED_CALL_TIMEOUT = 10.0  # `ai4md grade`'s per-call default, for the student cap
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Settings:
    """How to grade: what ``ai4md grade`` is given, plus the per-student cap.

    Parameters
    ----------
    selectors : tuple of str
        Passed to ``ai4md grade`` (empty: every exercise).
    timeout, memory, seed : float, float, int or None
        ``--timeout``, ``--memory`` and ``--seed`` of ``ai4md grade``; None
        keeps the grader's default.
    student_timeout : float or None
        Wall-clock seconds for one student's whole grading; None means
        60 s plus twice the per-call timeout per exercise.
    hidden_visibility : str or None
        ``--hidden-visibility`` of ``ai4md grade`` (Gradescope's visibility of
        the hidden cases' tests); None keeps the grader's default.
    """

    selectors: tuple[str, ...] = ()
    timeout: float | None = None
    memory: float | None = None
    seed: int | None = None
    student_timeout: float | None = None
    hidden_visibility: str | None = None

    def __post_init__(self):
        for name in ("timeout", "memory", "student_timeout"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name}: expected a positive number, got {value!r}")

    def exercises(self) -> list:
        """Return the selected exercises (ValueError for an unknown selector)."""
        return select(list(self.selectors))

    def cap(self) -> float:
        """Return the wall-clock seconds one student's grading may take."""
        if self.student_timeout is not None:
            return self.student_timeout
        per_call = self.timeout or ASSUMED_CALL_TIMEOUT
        return 60.0 + 2.0 * per_call * len(self.exercises())

    def grade_args(self) -> list[str]:
        """Return the ``ai4md grade`` arguments besides ``--target`` and ``--json``."""
        args = list(self.selectors)
        for flag, value in (
            ("--timeout", self.timeout),
            ("--memory", self.memory),
            ("--seed", self.seed),
            ("--hidden-visibility", self.hidden_visibility),
        ):
            if value is not None:
                args += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
        return args

    def describe(self) -> dict:
        """Return the settings as JSON-ready data (the manifest's record)."""
        return {
            "exercises": [e.id for e in self.exercises()],
            "grade_args": self.grade_args(),
            "student_timeout": self.cap(),
        }


def _environment(single_thread: bool) -> dict:
    """Return the grader subprocess's environment (this source tree first)."""
    env = dict(os.environ)
    if (PACKAGE_ROOT / "pyproject.toml").is_file():  # a source tree, not site-packages
        path = env.get("PYTHONPATH", "")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_ROOT), path) if p)
    env.setdefault("MPLBACKEND", "Agg")
    # an unattended batch puts back what a student changed, so the next one is graded
    # against the real grader (autograder.tamper; the default only reports)
    env.setdefault("AI4MD_TAMPER_GUARD", "restore")
    if single_thread:  # several graders share the cores: one BLAS thread each
        for name in _THREAD_VARS:
            env.setdefault(name, "1")
    return env


def _signal(pid: int, signum: int, group: bool = False) -> None:
    try:
        (os.killpg if group else os.kill)(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass  # gone already


def _run_capped(
    command, *, cap, cwd, env, log_path, processes: Processes | None = None
):
    """Run ``command`` in a new session for at most ``cap`` seconds.

    Returns ``(returncode, reason)``; ``reason`` is empty unless the command
    was stopped (too slow, or the batch was interrupted).
    """
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole
        )
        if processes is not None:
            processes.add(proc)
        reason = ""
        try:
            proc.wait(timeout=cap)
        except subprocess.TimeoutExpired:
            reaper.kill_tree(proc.pid)
            proc.wait()
            reason = (
                f"grading did not finish within {cap:g} s and was stopped "
                "(code that never ends, or much too slow?)"
            )
        finally:
            # leftovers in the group, such as a process the learner's code forked
            _signal(proc.pid, signal.SIGKILL, group=True)
            if processes is not None:
                processes.discard(proc)
    if processes is not None and processes.stopping.is_set():
        reason = "grading was interrupted"
    return proc.returncode, reason


class Processes:
    """The running grader subprocesses, so that an interrupt can stop them all."""

    def __init__(self):
        self._lock, self._running = threading.Lock(), set()
        self.stopping = threading.Event()

    def add(self, proc: subprocess.Popen) -> None:
        """Track a started grader (killed at once if the batch is stopping)."""
        with self._lock:
            self._running.add(proc)
        if self.stopping.is_set():
            reaper.kill_tree(proc.pid)

    def discard(self, proc: subprocess.Popen) -> None:
        """Stop tracking a finished grader."""
        with self._lock:
            self._running.discard(proc)

    def stop_all(self) -> None:
        """Kill every running grader and refuse new ones."""
        self.stopping.set()
        with self._lock:
            for proc in list(self._running):
                reaper.kill_tree(proc.pid)


def grade_folder(
    target: str | os.PathLike[str],
    settings: Settings,
    workdir: str | os.PathLike[str],
    *,
    single_thread: bool = False,
    processes: Processes | None = None,
) -> tuple[dict, str]:
    """Grade one folder in a subprocess; return ``(results, failure reason)``.

    Parameters
    ----------
    target : path-like
        A folder laid out like ``exercises/`` (or flat lesson files).
    settings : Settings
        What to grade and the caps.
    workdir : path-like
        The subprocess's working folder; ``grade.log`` and a temporary
        results.json are written there.
    single_thread : bool
        Ask NumPy's BLAS for one thread (when graders run in parallel).
    processes : Processes, optional
        Where the running subprocess is registered (to stop a batch).

    Returns
    -------
    results : dict
        Gradescope's results.json, always with every selected exercise and
        maximum scores from the exercise table (fail-closed).
    reason : str
        Empty if the grader finished; else why every exercise scored zero.
    """
    workdir = Path(workdir).resolve()
    json_path, log_path = workdir / ".results.json", workdir / "grade.log"
    json_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "autograder", "grade", *settings.grade_args()]
    command += ["--target", str(Path(target).resolve()), "--json", str(json_path)]
    returncode, reason = _run_capped(
        command,
        cap=settings.cap(),
        cwd=workdir,  # never the student's folder: it would come first on sys.path
        env=_environment(single_thread),
        log_path=log_path,
        processes=processes,
    )
    exercises = settings.exercises()
    if not reason:
        data, reason = gf.load(json_path, returncode, log_path)
        if data is not None:
            json_path.unlink(missing_ok=True)
            data = gf.relative_paths(data, Path(target).resolve())
            return gf.complete(data, exercises), ""
    return gf.fail_closed(exercises, reason), reason


def grade_unpacked(
    unpack_into: Callable[[Path], None],
    settings: Settings,
    keep_log: Callable[[Path], None],
    **options: Any,
) -> tuple[dict, str]:
    """Unpack a submission into a new private folder and grade it there.

    ``unpack_into(folder)`` fills the folder, or raises `UnsafeSubmission`
    (every exercise then scores 0 with "the submission was refused: ...");
    the grader runs from a second folder, so the learner's code never writes
    where the results go. ``keep_log(path)`` gets the grader's ``grade.log``
    before both folders are removed. ``options`` go to `grade_folder`.
    Returns ``(results, failure reason)`` as `grade_folder` does.
    """
    from autograder.submissions import UnsafeSubmission, lesson_root

    exercises = settings.exercises()
    with tempfile.TemporaryDirectory(
        prefix="ai4md-", ignore_cleanup_errors=True
    ) as tmp:
        work, copy = Path(tmp, "work"), Path(tmp, "submission")
        work.mkdir()
        try:
            unpack_into(copy)
        except UnsafeSubmission as exc:
            reason = f"the submission was refused: {exc}"
            return gf.fail_closed(exercises, reason), reason
        target = lesson_root(copy, {e.module for e in exercises})
        outcome = grade_folder(target, settings, work, **options)
        if (work / "grade.log").is_file():
            keep_log(work / "grade.log")
        return outcome
