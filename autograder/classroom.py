"""Grade a whole class: ``ai4md grade-class``.

Every student is graded exactly as ``ai4md grade --target`` would, in a
subprocess of its own (so students are isolated from each other), with a
wall-clock cap after which the subprocess's whole process group is killed.
Whatever happens to one student (a crash, a hang, a hostile zip) ends as a
results.json with every exercise at zero and the reason; the batch goes on.

Output folder::

    OUT/students/<student>/results.json   Gradescope-style, as `ai4md grade --json`
    OUT/students/<student>/manifest.json  settings fingerprint (for resuming)
    OUT/students/<student>/grade.log      what the grader printed
    OUT/gradebook.csv                     student, total, one column per exercise
    OUT/summary.txt, OUT/histogram.png    per-exercise statistics, total scores

A student whose manifest matches the current settings, submission and grader
is skipped (``--force`` regrades). Public names: `grade_class`, `ClassRun`,
`add_commands` (registers ``grade-class`` and ``gradescope`` on ``ai4md``),
`add_grading_options` and `settings_from` (the options shared with
``gradescope``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder import gradefiles as gf
from autograder.batch import PACKAGE_ROOT, Processes, Settings, grade_unpacked
from autograder.submissions import (
    Submission,
    UnsafeSubmission,
    discover,
    submission_hash,
    unpack,
)

__all__ = [
    "ClassRun",
    "add_commands",
    "add_grading_options",
    "grade_class",
    "settings_from",
]


CHANGED_SUBMISSION = (
    "it changed on disk while the class was being graded (code from another "
    "submission may have rewritten it): check it, then regrade this student"
)


def _grade_student(
    submission: Submission, folder: Path, settings, digest: str = "", **kwargs
):
    """Unpack and grade one student; return ``(results, reason)``.

    `grade_unpacked` grades a private copy, so the learner's code never
    writes into ``folder``; ``grade.log`` is kept there. When ``digest``
    (`submission_hash` taken before the class's grading began) is given and
    the submission no longer matches it, the student is not graded: every
    exercise scores 0 with `CHANGED_SUBMISSION`.
    """

    def unpack_into(copy: Path) -> None:
        unpack(submission, copy)
        if digest and submission_hash(submission) != digest:
            raise UnsafeSubmission(CHANGED_SUBMISSION)

    def keep_log(log: Path) -> None:
        shutil.copyfile(log, folder / "grade.log")

    return grade_unpacked(unpack_into, settings, keep_log, **kwargs)


@dataclass
class _Student:
    submission: Submission
    folder: Path
    fingerprint: str
    digest: str  # the submission's hash when grading began


def _plan(submissions, out: Path, settings: Settings, force: bool):
    """Split the class into students to grade and students already graded."""
    grader = gf.grader_hash(PACKAGE_ROOT)
    described = settings.describe()
    todo, done = [], []
    for submission in submissions:
        folder = out / "students" / submission.name
        digest = submission_hash(submission)
        fingerprint = gf.fingerprint(described, digest, grader)
        student = _Student(submission, folder, fingerprint, digest)
        fresh = not force and gf.is_current(folder, fingerprint)
        (done if fresh else todo).append(student)
    return todo, done


def _run_one(student: _Student, settings, processes, single_thread) -> dict | None:
    """Grade one student and record it; None if the batch is being stopped."""
    start = time.monotonic()
    student.folder.mkdir(parents=True, exist_ok=True)
    data, reason = _grade_student(
        student.submission,
        student.folder,
        settings,
        student.digest,
        single_thread=single_thread,
        processes=processes,
    )
    if processes.stopping.is_set():
        return None  # interrupted: leave no manifest, so the next run grades it
    gf.record(student.folder, data, student.fingerprint, reason, start)
    return data


@dataclass
class ClassRun:
    """What `grade_class` did.

    Attributes
    ----------
    results : dict of str to dict
        Each student's results.json (graded now or earlier).
    graded, skipped : list of str
        Students graded in this run, and students already graded.
    interrupted : bool
        Whether the run was stopped (Ctrl-C) before every student was graded.
    restored : list of str
        Students whose results.json changed on disk before the run ended
        (another submission's code?) and was written again.
    """

    results: dict
    graded: list
    skipped: list
    interrupted: bool = False
    restored: list = field(default_factory=list)


def _progress(total: int, initial: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit="student",
        desc="grading",
        file=sys.stderr,
        disable=not enabled,
        dynamic_ncols=True,
    )


def _collect(futures, run: ClassRun, out: Path, exercises, bar) -> None:
    """Record each student as it finishes; rewrite the gradebook every time."""
    from autograder.gradebook import write_gradebook

    for future in as_completed(futures):
        student = futures[future]
        name = student.submission.name
        try:
            data = future.result()
        except Exception as exc:  # one student never stops the batch
            data = gf.fail_closed(exercises, f"the batch runner failed: {exc!r}")
        if data is not None:
            run.results[name] = data
            run.graded.append(name)
            write_gradebook(out / "gradebook.csv", run.results, exercises)
        bar.set_postfix_str(name, refresh=False)
        bar.update(1)


def grade_class(
    submissions: str | os.PathLike[str],
    out: str | os.PathLike[str],
    settings: Settings,
    *,
    jobs: int | None = None,
    force: bool = False,
    progress: bool = True,
) -> ClassRun:
    """Grade every submission in a folder; write results, gradebook and summary.

    Parameters
    ----------
    submissions : path-like
        A folder of student folders and/or ``<student>.zip`` files.
    out : path-like
        Output folder (see the module docstring for its layout).
    settings : Settings
        What to grade and the caps.
    jobs : int, optional
        Students graded in parallel; default the number of usable cores.
    force : bool
        Regrade students already graded with the same settings.
    progress : bool
        Show a progress bar on stderr.

    Raises
    ------
    ValueError
        For an unknown selector, a bad setting, or a submissions folder that
        is not a folder or names a student twice.
    """
    from autograder.gradebook import write_reports

    out, exercises = Path(out).resolve(), settings.exercises()
    jobs = jobs or _usable_cores()
    if jobs < 1:
        raise ValueError(f"jobs: expected a positive number of students, got {jobs}")
    todo, done = _plan(discover(submissions, exclude=[out]), out, settings, force)
    earlier = {s.submission.name: gf.read_results(s.folder) for s in done}
    run = ClassRun({k: v for k, v in earlier.items() if v}, [], sorted(earlier))
    processes = Processes()
    bar = _progress(len(todo) + len(done), len(done), progress)
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = {
            pool.submit(_run_one, s, settings, processes, jobs > 1): s for s in todo
        }
        _collect(futures, run, out, exercises, bar)
    except KeyboardInterrupt:
        processes.stop_all()
        run.interrupted = True
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
        _restore_results(run, out)
        write_reports(out, run.results, exercises, settings.describe())
    return run


def _restore_results(run: ClassRun, out: Path) -> None:
    """Put back every results.json that changed on disk during the run.

    A later student's code, running as the same user, can rewrite an earlier
    student's file; the grades kept in memory (graded now, or read before
    grading began) are the true ones.
    """
    for name, data in run.results.items():
        folder = out / "students" / name
        if gf.read_results(folder) != json.loads(json.dumps(data)):
            gf.write_json(folder / "results.json", data)
            run.restored.append(name)
            print(
                f"ai4md grade-class: {folder / 'results.json'} changed after "
                "its student was graded (by another submission's code?); put back",
                file=sys.stderr,
            )


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def add_grading_options(
    parser: argparse.ArgumentParser, cap: str = "60 + 2 x timeout x exercises"
) -> None:
    """Add ``ai4md grade``'s options (and the per-student cap) to ``parser``."""
    parser.add_argument(
        "selectors",
        nargs="*",
        metavar="SELECTOR",
        help="a week (week2), a lesson, an exercise name or a dotted id "
        "(default: every exercise)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="S",
        help="seconds allowed per call (as in ai4md grade)",
    )
    parser.add_argument(
        "--memory",
        type=_positive_float,
        metavar="GiB",
        help="memory limit per worker (as in ai4md grade)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed of the hidden cases (as in ai4md grade)",
    )
    parser.add_argument(
        "--student-timeout",
        type=_positive_float,
        metavar="S",
        help="wall-clock seconds for one student's whole grading, after which "
        f"every exercise scores 0 (default: {cap})",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """Build `Settings` from parsed options (see `add_grading_options`)."""
    return Settings(
        tuple(args.selectors),
        args.timeout,
        args.memory,
        args.seed,
        args.student_timeout,
        getattr(args, "hidden_visibility", None),
    )


def _grade_class_command(args) -> int:
    try:
        settings = settings_from(args)
        settings.exercises()
        run = grade_class(
            args.submissions,
            args.out,
            settings,
            jobs=args.jobs,
            force=args.force,
            progress=not args.quiet,
        )
    except ValueError as exc:
        print(f"ai4md grade-class: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    print((out / "summary.txt").read_text(encoding="utf-8"))
    print(
        f"graded {len(run.graded)}, already graded {len(run.skipped)} "
        f"(--force regrades); wrote {out / 'gradebook.csv'}"
    )
    if run.interrupted:
        print(
            "interrupted: run the same command again to grade the others",
            file=sys.stderr,
        )
        return 130
    return 0


def add_commands(sub: Any) -> None:
    """Register ``grade-class`` and ``gradescope`` on ``ai4md``'s subparsers."""
    p = sub.add_parser(
        "grade-class",
        help="grade every student folder or zip in a folder, in parallel",
        description="Grade every student folder or <student>.zip in SUBMISSIONS_DIR "
        "as `ai4md grade --target` would; write OUT/students/<student>/results.json, "
        "OUT/gradebook.csv, OUT/summary.txt and OUT/histogram.png.",
    )
    p.add_argument("submissions", metavar="SUBMISSIONS_DIR")
    add_grading_options(p)
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="students graded in parallel (default: the number of cores)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="regrade students already graded with the same settings",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_grade_class_command)

    from autograder.gradescope import add_command

    add_command(sub)
