"""The ``ai4md`` command line.

ai4md grade [SELECTOR ...] [--target exercises|solutions|DIR] [--json FILE]
            [--timeout S] [--memory GiB] [--seed N]
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
    results = [
        Result(e, 0, Status.GRADER_ERROR, "grading did not run") for e in exercises
    ]
    start = time.monotonic()
    crash = ""
    try:
        results = runner.grade(
            exercises,
            target,
            timeout=args.timeout,
            memory_bytes=int(args.memory * 2**30),
            seed=args.seed,
        )
        if any(r.message == runner.INTERRUPTED for r in results):
            crash = "grading was interrupted"
    except KeyboardInterrupt:
        crash = "grading was interrupted"
    except Exception:  # noqa: BLE001 - still write what we have, then report
        crash = "the grader failed:\n" + traceback.format_exc(limit=5)
        for r in results:
            r.message = crash
    finally:
        if args.json:
            report.write_json(args.json, report.gradescope_json(results, crash))
    print(
        f"Grading {target} ({len(exercises)} exercises, "
        f"{time.monotonic() - start:.1f} s)\n"
    )
    print(report.format_table(results))
    if crash:
        print(f"\n{crash}", file=sys.stderr)
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


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser for ``ai4md``."""
    from autograder.engine import DEFAULT_SEED, DEFAULT_TIMEOUT

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
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"seed of the hidden cases (default {DEFAULT_SEED})",
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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ai4md`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 1


if __name__ == "__main__":
    sys.exit(main())
