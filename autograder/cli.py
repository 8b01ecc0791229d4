"""The ``ai4md`` command line.

ai4md grade [SELECTOR ...] [--target exercises|solutions|DIR] [--json FILE]
            [--timeout S] [--memory GiB] [--disk MiB] [--seed N] [--hidden-visibility V]
ai4md list
ai4md build-exercises [--check]
ai4md evaluate --synthetic [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path
from typing import TextIO

__all__ = ["main"]

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _target_dir(target: str) -> Path:
    if target in ("exercises", "solutions"):
        return PACKAGE_ROOT / target
    path = Path(target).expanduser().resolve()
    if not path.is_dir():
        raise SystemExit(
            f"ai4md grade: --target {target!r} is not a folder "
            "(give exercises, solutions or a folder laid out like exercises/)"
        )
    return path


class _Progress:
    """``[k/n] exercise id`` on one terminal line, rewritten in place.

    Only for a terminal (``stream.isatty()``): piped output, logs and
    results.json never see it.
    """

    def __init__(self, stream) -> None:
        self.stream, self.width, self.line = stream, 0, ""

    @classmethod
    def on(cls, stream: TextIO) -> _Progress | None:
        """Return a progress line on ``stream`` if it is a terminal, else None."""
        isatty = getattr(stream, "isatty", None)
        return cls(stream) if isatty is not None and isatty() else None

    def __call__(self, k: int, n: int, exercise) -> None:
        self.line = f"grading {k}/{n}: {exercise.id}"
        self._write(self.line)

    def compiling(self, kernel: str, started: bool) -> None:
        """Say on the line that a Numba kernel compiles (``started``) or is done.

        Registered with `reference.ops._fast.jit.on_compile`: grading runs
        small layers on NumPy code, so this shows only if something does
        compile in the grader (the first run with a new ``NUMBA_CACHE_DIR``).
        """
        note = f" (compiling Numba kernel {kernel}, first run only...)"
        self._write(self.line + note if started else self.line)

    def _write(self, text: str) -> None:
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = max(self.width, len(text))

    def clear(self) -> None:
        """Erase the progress line."""
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it."""
    try:
        return f"{path.relative_to(Path.cwd())}/"
    except ValueError:
        return f"{path}/"


def _grade(args: argparse.Namespace) -> int:
    from autograder import registry, report, runner
    from autograder.engine import Result
    from autograder.protocol import Status

    try:
        exercises = registry.select(args.selectors)
    except ValueError as exc:
        print(f"ai4md grade: {exc}", file=sys.stderr)
        return 2
    target = _target_dir(args.target)
    from autograder import tamper

    guard = tamper.Guard(target)  # the grader's own files, checked after grading
    results = [
        Result(e, 0, Status.GRADER_ERROR, "grading did not run") for e in exercises
    ]
    start = time.monotonic()
    crash, interrupted = "", False
    progress = _Progress.on(sys.stderr)
    if progress is not None:  # a Numba compile here says so (costs no Numba import)
        from reference.ops._fast.jit import on_compile

        on_compile(progress.compiling)
    try:
        results = runner.grade(
            exercises,
            target,
            timeout=args.timeout,
            memory_bytes=int(args.memory * 2**30),
            seed=args.seed,
            progress=progress,
            disk_bytes=int(args.disk * 2**20),
            guard=guard,
        )
        interrupted = any(r.message == runner.INTERRUPTED for r in results)
    except KeyboardInterrupt:
        interrupted = True
    except Exception:  # still write what we have, then report
        crash = "the grader failed:\n" + traceback.format_exc(limit=5)
        for r in results:
            r.message = crash
    finally:
        if interrupted:
            crash = "grading was interrupted"
        if progress is not None:
            progress.clear()
        if args.json:
            data = report.gradescope_json(
                results,
                crash,
                hidden_visibility=args.hidden_visibility,
                execution_time=time.monotonic() - start,
            )
            report.write_json(args.json, tamper.mark(data, guard))
    print(
        f"Grading {target} ({len(exercises)} exercise{'s' * (len(exercises) != 1)}, "
        f"{time.monotonic() - start:.1f} s)\n"
    )
    print(report.format_table(results, target=_shown(target)))
    if crash:
        print(f"\n{crash}", file=sys.stderr)
    if guard.tampered:
        return 3  # the grader's own files changed: an untrustworthy run
    if interrupted:
        return 1
    if any(r.status == Status.GRADER_ERROR for r in results):
        return 4  # the grader crashed or could not grade: a bug or a broken install
    return 0 if results and all(r.passed for r in results) and not crash else 1


def _list(args: argparse.Namespace) -> int:
    from autograder.registry import EXERCISES

    week = None
    for e in EXERCISES:
        if e.week != week:
            week = e.week
            total = sum(x.points for x in EXERCISES if x.week == week)
            print(f"{week} ({total:g} points)")
        print(f"  {e.lesson + '.' + e.name:<55} {e.points:>3g} pt")
    print(
        f"total: {len(EXERCISES)} exercises, "
        f"{sum(e.points for e in EXERCISES):g} points"
    )
    return 0


def _build(args: argparse.Namespace) -> int:
    from autograder.stubgen import build

    stale = build(PACKAGE_ROOT, check=args.check)
    if args.check:
        if stale:
            print(
                "exercises/ is stale; run `ai4md build-exercises`. Differs:\n  "
                + "\n  ".join(stale)
            )
            return 1
        print("exercises/ is up to date")
        return 0
    print(f"wrote {len(stale)} file(s)" + "".join(f"\n  {s}" for s in stale))
    return 0


def _train(args: argparse.Namespace) -> int:
    from reference.runtime import keep_freed_memory
    from reference.tasks import task_module

    keep_freed_memory()  # a training process: reuse freed memory (reference.runtime)
    return task_module(args.task).run(args)


def _evaluate(args: argparse.Namespace) -> int:
    if args.checkpoint:
        from reference.tasks import evaluate_checkpoint

        return evaluate_checkpoint(args)
    from reference.data.synthetic import synthetic_predictions
    from reference.viz import save_evaluation_figures

    y_true, y_score, names = synthetic_predictions(seed=args.seed)
    out = Path(args.out or "figures")
    for path in save_evaluation_figures(y_true, y_score, out, names=names):
        print(path)
    return 0


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """Build the argument parser for ``ai4md``.

    Parts of the parser import what they describe: the options of the
    ``train`` tasks come from their modules (the training code, seconds), the
    defaults of ``grade`` from the grader. When ``argv`` (default: the command
    line) starts with one of `_COMMANDS`, only that command's part is built
    in full, so ``ai4md list`` starts in a fraction of a second; otherwise
    (``--help``, a typo, ``grade-class``) everything but the tasks' options.
    """
    command = _command(sys.argv[1:] if argv is None else argv)
    if command in (None, "grade"):
        from autograder.confine import DEFAULT_DISK_BYTES
        from autograder.engine import DEFAULT_SEED, DEFAULT_TIMEOUT
        from autograder.report import VISIBILITIES
    else:  # another of our commands: `grade` cannot be reached, skip its imports
        DEFAULT_DISK_BYTES, DEFAULT_SEED, DEFAULT_TIMEOUT, VISIBILITIES = 0, 0, 0.0, ()

    parser = argparse.ArgumentParser(prog="ai4md", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade exercises (default: all, in exercises/)")
    g.add_argument(
        "selectors",
        nargs="*",
        metavar="SELECTOR",
        help="a week (week2), a lesson, an exercise name or a dotted id",
    )
    g.add_argument(
        "--target",
        default="exercises",
        help="exercises (default), solutions, or a folder laid out like exercises/",
    )
    g.add_argument(
        "--json", metavar="FILE", help="also write Gradescope's results.json here"
    )
    g.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds allowed per call (default {DEFAULT_TIMEOUT:g})",
    )
    g.add_argument(
        "--memory",
        type=float,
        default=2.0,
        help="memory limit per worker in GiB (default 2)",
    )
    g.add_argument(
        "--disk",
        type=float,
        default=DEFAULT_DISK_BYTES / 2**20,
        metavar="MiB",
        help="largest file a call may write, in MiB "
        f"(default {DEFAULT_DISK_BYTES / 2**20:g})",
    )
    g.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"seed of the hidden cases (default {DEFAULT_SEED})",
    )
    g.add_argument(
        "--hidden-visibility",
        choices=VISIBILITIES,
        default="visible",
        help="results.json: Gradescope visibility of the hidden and edge cases' "
        "tests (default visible)",
    )
    g.set_defaults(func=_grade)

    sub.add_parser("list", help="list weeks, exercises and points").set_defaults(
        func=_list
    )

    b = sub.add_parser("build-exercises", help="write exercises/ from solutions/")
    b.add_argument("--check", action="store_true", help="only report stale files")
    b.set_defaults(func=_build)

    t = sub.add_parser("train", help="train a reference model end to end")
    tasks = t.add_subparsers(dest="task", required=True, metavar="TASK")
    from reference.tasks import TASKS, task_module

    for name in TASKS:
        if command != "train":
            tasks.add_parser(name)  # only the name: this is not a train command
            continue
        task = task_module(name)
        summary = (task.__doc__ or name).strip().splitlines()[0]
        task.add_arguments(tasks.add_parser(name, help=summary, description=summary))
    t.set_defaults(func=_train)

    e = sub.add_parser(
        "evaluate",
        help="re-evaluate a checkpoint, or draw ROC/PR/calibration figures",
    )
    e.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="an HDF5 checkpoint written by `ai4md train`",
    )
    e.add_argument(
        "--synthetic",
        action="store_true",
        help="figures for a seeded synthetic prediction set "
        "(the default without --checkpoint)",
    )
    e.add_argument(
        "--out",
        default=None,
        help="output folder (default ./figures, or the checkpoint's folder)",
    )
    e.add_argument("--seed", type=int, default=0)
    e.set_defaults(func=_evaluate)

    if command is None:  # grade-class, gradescope, show (or help, or a typo)
        from autograder.classroom import add_commands
        from autograder.show import add_command as add_show

        add_commands(sub)
        add_show(sub)
    return parser


# The commands `build_parser` defines itself (`autograder.classroom` adds others).
_COMMANDS = ("grade", "list", "build-exercises", "train", "evaluate")


def _command(argv: list[str]) -> str | None:
    """Return the command ``argv`` starts with if it is one of `_COMMANDS`, else None.

    Examples
    --------
    >>> _command(["list"]), _command(["--help"]), _command(["grade-class", "x"])
    ('list', None, None)
    """
    first = argv[0] if argv else ""
    return first if first in _COMMANDS else None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ai4md`` console script."""
    args = build_parser(argv).parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 1


if __name__ == "__main__":
    sys.exit(main())
