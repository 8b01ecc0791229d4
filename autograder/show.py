"""``ai4md show LESSON``: draw a lesson's figure from the learner's own functions.

ai4md show                                  list the lessons that draw
ai4md show roc_auc [--target exercises|solutions|DIR] [--out DIR] [--seed N]

The command imports the lesson file (``exercises/week2/roc_auc.py`` by
default) in a separate process with a time limit, builds seeded synthetic
inputs with `reference.data`, calls the learner's functions on them and saves
the figure(s) as PNG into ``--out`` (default ``./figures``), printing each
path. The learner's code may hang or crash: the parent process only waits,
kills the child's whole process group after ``--timeout`` seconds and says
what happened. Exit codes: 0 figures written; 1 the lesson is not written yet
("write roc_curve in exercises/week2/roc_auc.py first"), failed, crashed or
timed out; 2 an unknown or ambiguous lesson.

The recipes themselves (what is computed and drawn) are in
`autograder.show_recipes`; this module holds the table of lessons, the command
line, the child process and its error messages.
"""

from __future__ import annotations

import argparse
import difflib
import os
import signal
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["RECIPES", "Recipe", "add_command", "find_recipe", "main"]

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TIMEOUT = 300.0  # seconds; the Grad-CAM recipe trains a tiny DenseNet
_CWD = "AI4MD_SHOW_CWD"  # the user's working folder, for the paths the child prints
NOT_WRITTEN = 1  # exit codes (see the module docstring)
UNKNOWN = 2


@dataclass(frozen=True)
class Recipe:
    """One lesson that draws: where it lives, what it shows, which functions."""

    week: str
    lesson: str
    summary: str  # one line for the listing
    functions: tuple[str, ...]  # the learner's functions it calls

    @property
    def id(self) -> str:
        """The dotted id, ``week2.roc_auc``."""
        return f"{self.week}.{self.lesson}"

    @property
    def module(self) -> str:
        """The lesson file relative to the target (``week2/roc_auc.py``)."""
        return f"{self.week}/{self.lesson}.py"


RECIPES = (
    Recipe(
        "week1",
        "data_exploration",
        "images per finding, images per patient, pixel histograms before/after "
        "standardisation",
        ("label_counts", "images_per_patient", "pixel_histogram"),
    ),
    Recipe(
        "week1",
        "densenet_blocks",
        "Grad-CAM heat maps of a tiny DenseNet trained on synthetic X-rays "
        "(Cardiomegaly)",
        ("gradcam_map",),
    ),
    Recipe(
        "week2",
        "roc_auc",
        "ROC curves of six synthetic findings with their AUCs",
        ("roc_curve", "auc_trapezoid", "auc_mann_whitney"),
    ),
    Recipe(
        "week2",
        "precision_recall",
        "precision-recall curves, prevalence baselines and F1 at threshold 0.5",
        ("precision_recall_curve", "f1_score"),
    ),
    Recipe(
        "week2",
        "calibration",
        "reliability diagrams before and after Platt scaling, Brier scores",
        ("calibration_curve", "brier_score", "platt_fit"),
    ),
    Recipe(
        "week3",
        "sub_volumes",
        "a sampled MRI sub-volume: where it lies, its slices with the tumour labels",
        ("get_sub_volume",),
    ),
    Recipe(
        "week3",
        "standardization",
        "one slice of each MRI modality before and after standardisation",
        ("standardize",),
    ),
    Recipe(
        "week3",
        "dice",
        "a shifted tumour prediction over the truth, Dice per class against the shift",
        ("single_class_dice_coefficient", "dice_coefficient"),
    ),
)


def find_recipe(name: str) -> Recipe:
    """Return the recipe of ``name``: a lesson, ``week.lesson`` or ``week/lesson.py``.

    Raises
    ------
    LookupError
        With a message naming the choices (and a close match) when ``name``
        is unknown or several weeks share it.

    Examples
    --------
    >>> find_recipe("roc_auc").id, find_recipe("week3/dice.py").id
    ('week2.roc_auc', 'week3.dice')
    """
    key = name.strip().removesuffix(".py").replace("/", ".").replace("-", "_")
    found = [r for r in RECIPES if key in (r.id, r.lesson)]
    if len(found) == 1:
        return found[0]
    if found:
        raise LookupError(
            f"{name!r} is ambiguous; choose one of: " + ", ".join(r.id for r in found)
        )
    close = difflib.get_close_matches(
        key, [r.lesson for r in RECIPES] + [r.id for r in RECIPES], n=1
    )
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise LookupError(f"no figure for lesson {name!r}.{hint}")


def listing() -> str:
    """Return the lessons that draw, one per line, with the command to run."""
    width = max(len(r.lesson) for r in RECIPES)
    lines = ["Lessons with a figure (ai4md show LESSON --out figures/):"]
    lines += [f"  {r.week}  {r.lesson:<{width}}  {r.summary}" for r in RECIPES]
    return "\n".join(lines)


# ----------------------------------------------------------------------- parent


def add_command(sub: Any) -> None:
    """Register ``show`` on ``ai4md``'s subparsers."""
    p = sub.add_parser(
        "show",
        help="draw a lesson's figure (PNG) from your own functions",
        description="Draw a lesson's figure from the functions in your lesson file, "
        "on seeded synthetic data, and save it as PNG. Without LESSON, list the "
        "lessons that draw.",
    )
    p.add_argument(
        "lesson",
        nargs="?",
        metavar="LESSON",
        help="a lesson (roc_auc) or week.lesson (week3.standardization)",
    )
    p.add_argument(
        "--target",
        default="exercises",
        help="exercises (default), solutions, or a folder laid out like exercises/",
    )
    p.add_argument(
        "--out", default="figures", help="folder for the PNG files (default ./figures)"
    )
    p.add_argument(
        "--seed", type=int, default=0, help="seed of the synthetic data (default 0)"
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds allowed (default {DEFAULT_TIMEOUT:g}; the first "
        "Grad-CAM run also compiles Numba kernels)",
    )
    p.set_defaults(func=run_command)


def _shown(path: Path) -> str:
    """``path`` relative to the user's working folder when it is inside it."""
    try:
        return str(path.relative_to(os.environ.get(_CWD) or Path.cwd()))
    except ValueError:
        return str(path)


def lesson_file(target: Path, recipe: Recipe) -> Path:
    """Return the learner's file: ``weekN/lesson.py`` or a flat ``lesson.py``."""
    nested = (target / recipe.module).resolve()
    flat = (target / f"{recipe.lesson}.py").resolve()
    return flat if not nested.is_file() and flat.is_file() else nested


def run_command(args: argparse.Namespace) -> int:
    """``ai4md show``: check the lesson, then draw in a child process."""
    if args.lesson is None:
        print(listing())
        return 0
    try:
        recipe = find_recipe(args.lesson)
    except LookupError as exc:
        print(f"ai4md show: {exc}\n\n{listing()}", file=sys.stderr)
        return UNKNOWN
    if args.target in ("exercises", "solutions"):
        target = PACKAGE_ROOT / args.target
    else:
        target = Path(args.target).expanduser().resolve()
    path = lesson_file(target, recipe)
    if not path.is_file():
        print(f"ai4md show: no lesson file {_shown(path)}", file=sys.stderr)
        return NOT_WRITTEN
    command = [
        sys.executable,
        "-m",
        "autograder.show",
        "--child",
        recipe.id,
        str(path),
        _shown(path),
        str(Path(args.out).resolve()),
        str(args.seed),
    ]
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    env[_CWD] = str(Path.cwd())  # the child runs in PACKAGE_ROOT; paths shown from here
    return _run_child(command, env, args.timeout, recipe, _shown(path))


def _run_child(command, env, timeout: float, recipe: Recipe, shown: str) -> int:
    """Run the child in a process group of its own; kill the group on timeout."""
    child = subprocess.Popen(
        command,
        cwd=PACKAGE_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        code = child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        print(
            f"ai4md show: {recipe.id} did not finish within {timeout:g} s and was "
            f"stopped. Does {shown} loop forever (at import or in one of "
            f"{', '.join(recipe.functions)})? Give more time with --timeout.",
            file=sys.stderr,
        )
        return NOT_WRITTEN
    except KeyboardInterrupt:
        _kill_group(child)
        return 130
    if code < 0:  # killed by a signal: a crash in native code, out of memory, ...
        name = signal.Signals(-code).name if -code in signal.valid_signals() else code
        print(
            f"ai4md show: drawing {recipe.id} crashed (signal {name}) while running "
            f"{shown}.",
            file=sys.stderr,
        )
        return NOT_WRITTEN
    return 0 if code == 0 else NOT_WRITTEN if code == NOT_WRITTEN else code


def _kill_group(child: subprocess.Popen) -> None:
    """Kill the child and everything it started, even outside its group."""
    from autograder import reaper

    reaper.kill_tree(child.pid)
    child.wait()


# ------------------------------------------------------------------------ child


class LessonError(Exception):
    """A problem with the learner's lesson, already phrased for them."""


class Lesson:
    """The learner's lesson module; ``lesson.roc_curve`` is their function."""

    def __init__(self, module, path: str, shown: str) -> None:
        self._module, self.path, self.shown = module, path, shown

    def __getattr__(self, name: str):
        func = getattr(self._module, name, None)
        if not callable(func):
            raise LessonError(
                f"{self.shown} has no function {name}; it is part of "
                "the lesson (compare with the original exercise file)"
            )
        return func


def _own_frames(exc: BaseException, path: str) -> list[traceback.FrameSummary]:
    return [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]


def _explain(exc: BaseException, path: str, shown: str, stage: str) -> str:
    """One message for a failure, with the learner's own traceback lines."""
    own = _own_frames(exc, path)
    if isinstance(exc, NotImplementedError) and own:
        return f"write {own[-1].name} in {shown} first (it is not implemented yet)"
    head = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if own:
        where = f"your {own[-1].name}" if stage == "call" else shown
        lines = "".join(traceback.format_list(own[-6:])).rstrip()
        return f"{where} raised {head}\n{lines}"
    last = traceback.extract_tb(exc.__traceback__)[-1:]
    at = f" ({Path(last[0].filename).name}, line {last[0].lineno})" if last else ""
    return (
        f"could not draw the figure from what the functions in {shown} "
        f"returned: {head}{at}"
    )


def child_main(argv: list[str]) -> int:
    """Import the lesson, run its recipe and print the PNG paths (the child)."""
    recipe_id, path, shown, out, seed = argv
    recipe = find_recipe(recipe_id)
    from autograder import show_recipes
    from autograder.worker import import_learner

    out_dir = Path(out)
    try:
        module = import_learner(path, "ai4md_show." + recipe.lesson)
    except BaseException as exc:  # any failure of the learner's file
        print(f"ai4md show: {_explain(exc, path, shown, 'import')}", file=sys.stderr)
        return NOT_WRITTEN
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        draw = getattr(show_recipes, recipe.lesson)
        paths = draw(Lesson(module, path, shown), int(seed), out_dir)
    except LessonError as exc:
        print(f"ai4md show: {exc}", file=sys.stderr)
        return NOT_WRITTEN
    except BaseException as exc:  # SystemExit from learner code too
        print(f"ai4md show: {_explain(exc, path, shown, 'call')}", file=sys.stderr)
        return NOT_WRITTEN
    for p in paths:
        print(_shown(Path(p)))
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.show --child ...`` (the child), or the command line."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1:])
    from autograder.cli import main as cli_main

    return cli_main(["show", *argv])


if __name__ == "__main__":
    sys.exit(main())
