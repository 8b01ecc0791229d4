"""Check exercises from inside Python or Jupyter: ``check("get_sensitivity")``.

`check` grades like ``ai4md grade`` and prints the same table and details:

- ``check("get_sensitivity")`` (or a lesson, a week, a dotted id) grades the
  lesson file on disk, under ``target``;
- ``check(get_sensitivity)`` grades a function object, such as one defined in
  a notebook cell. Its source (``inspect.getsource``) is appended to a
  temporary copy of its lesson file, so it replaces the file's definition
  while the file's imports and other functions stay available; that copy is
  graded in the grader's worker processes. The function never runs in the
  calling process.

A function checked this way can use what its lesson file defines, not what
other notebook cells define: pass such functions as ``helpers=[...]`` and
their sources are appended too (a backward exercise also needs its forward,
``check(relu_backward, helpers=[relu_forward])``, unless the forward in the
file is already right).

The target is ``exercises`` (the package's own copy, the default),
``solutions`` or a folder laid out like ``exercises/``; the ``AI4MD_TARGET``
environment variable changes the default.
"""

from __future__ import annotations

import html
import inspect
import os
import re
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported on first use, so `import autograder` stays cheap
    from autograder.engine import Result
    from autograder.spec import Exercise

__all__ = ["CheckResult", "check"]

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
TARGET_ENV = "AI4MD_TARGET"


@dataclass(frozen=True)
class CheckResult:
    """What `check` found: the points earned, the maximum and every exercise's result.

    Attributes
    ----------
    score : float
        Points earned.
    max_score : float
        Points available (always from the exercise table).
    passed : bool
        Whether every checked exercise earned its points.
    results : tuple of Result
        One per exercise, in course order (``exercise``, ``score``,
        ``status``, ``message``).
    """

    score: float
    max_score: float
    passed: bool
    results: tuple = ()

    def __bool__(self) -> bool:
        return self.passed

    def _summary(self) -> str:
        names = ", ".join(r.exercise.name for r in self.results[:3])
        if len(self.results) > 3:
            names += f", ... ({len(self.results)} exercises)"
        verdict = "all passed" if self.passed else "not yet"
        return f"{names}: {self.score:g}/{self.max_score:g} points, {verdict}"

    def __repr__(self) -> str:
        return (
            f"CheckResult(score={self.score:g}, max_score={self.max_score:g}, "
            f"passed={self.passed})"
        )

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        mark = "&#10004;" if self.passed else "&#10008;"
        return (
            f'<span style="color:{colour};font-weight:bold">{mark} '
            f"{html.escape(self._summary())}</span>"
        )


def check(
    what: str | Callable,
    *,
    target: str | os.PathLike[str] | None = None,
    exercise: str | None = None,
    helpers: Sequence[Callable] = (),
    timeout: float | None = None,
    memory: float = 2.0,
    seed: int | None = None,
    quiet: bool = False,
) -> CheckResult:
    """Grade an exercise (by name, or a function object) and print the table.

    Parameters
    ----------
    what : str or function
        A selector as ``ai4md grade`` takes it (an exercise name such as
        ``"get_sensitivity"``, a lesson, a week or a dotted id): grades the
        file on disk. Or a function: grades that function's source in place
        of the lesson file's definition of the exercise it is named after.
    target : path, optional
        ``"exercises"`` (the package's copy), ``"solutions"`` or a folder laid
        out like ``exercises/``. Default: ``$AI4MD_TARGET`` or ``"exercises"``.
    exercise : str, optional
        Which exercise a function is, when its name is not an exercise's name
        or is the name of several (a dotted id such as
        ``"week3.standardization.standardize"``).
    helpers : sequence of functions, optional
        Other functions (from other notebook cells) that ``what`` calls; their
        sources are appended to the lesson too.
    timeout : float, optional
        Seconds allowed per call (default: the grader's, 10).
    memory : float, default 2.0
        Memory limit of the worker, in GiB.
    seed : int, optional
        Seed of the hidden cases (default: the grader's fixed seed).
    quiet : bool, default False
        Do not print the table.

    Returns
    -------
    CheckResult
        ``score``, ``max_score``, ``passed`` and the per-exercise ``results``.

    Raises
    ------
    ValueError
        If nothing (or, for a function, more than one exercise) matches, or
        the target is not a folder.
    TypeError
        If ``what`` is neither a string nor a Python function.
    OSError
        If a function's source cannot be found (a function typed into a
        plain ``python`` prompt has none; define it in a file or notebook).

    Examples
    --------
    >>> from autograder import check
    >>> check("get_sensitivity", target="solutions", quiet=True)
    CheckResult(score=1, max_score=1, passed=True)
    """
    from autograder import engine, registry, report, runner

    root = _target_dir(target)
    timeout = engine.DEFAULT_TIMEOUT if timeout is None else timeout
    seed = engine.DEFAULT_SEED if seed is None else seed
    start = time.monotonic()
    if isinstance(what, str):
        if helpers or exercise is not None:
            raise ValueError("helpers= and exercise= go with a function, not a name")
        exercises = registry.select([what])
        results = runner.grade(
            exercises,
            root,
            timeout=timeout,
            memory_bytes=int(memory * 2**30),
            seed=seed,
        )
        results = [_rerun_hint(r, seed, repr(r.exercise.name)) for r in results]
    elif inspect.isfunction(what):
        if what.__name__ == "<lambda>":
            raise ValueError("check() needs a function defined with def, not a lambda")
        chosen = _exercise_of(what, exercise)
        results = _grade_function(
            what, chosen, list(helpers), root, timeout, memory, seed
        )
    else:
        raise TypeError(
            "check() takes an exercise name (such as 'get_sensitivity') or a "
            f"Python function, not {type(what).__name__}"
        )
    score = sum(r.score for r in results)
    max_score = sum(r.exercise.points for r in results)
    outcome = CheckResult(
        score=score,
        max_score=max_score,
        passed=bool(results) and all(r.passed for r in results),
        results=tuple(results),
    )
    if not quiet:
        seconds = time.monotonic() - start
        count = f"{len(results)} exercise{'s' * (len(results) != 1)}"
        print(f"Checking {_show(what)} in {root} ({count}, {seconds:.1f} s)\n")
        print(report.format_table(results))
    return outcome


def _show(what: str | Callable) -> str:
    return what if isinstance(what, str) else f"function {what.__name__}"


def _target_dir(target: str | os.PathLike[str] | None) -> Path:
    """Resolve ``target`` (or ``$AI4MD_TARGET``, or ``exercises``) to a folder."""
    if target is None:
        target = os.environ.get(TARGET_ENV) or "exercises"
    if str(target) in ("exercises", "solutions"):
        return PACKAGE_ROOT / str(target)
    path = Path(target).expanduser().resolve()
    if not path.is_dir():
        raise ValueError(
            f"target {str(target)!r} is not a folder (give 'exercises', "
            "'solutions' or a folder laid out like exercises/)"
        )
    return path


def _exercise_of(func: Callable, exercise: str | None) -> Exercise:
    """Return the one exercise ``func`` is: ``exercise`` if given, else its name."""
    from autograder import registry

    key = exercise if exercise is not None else func.__name__
    if exercise is None:
        matches = [e for e in registry.EXERCISES if e.name == key]
    else:
        matches = registry.select([key])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ValueError(
            f"no exercise is named {key!r}; name the function after its exercise "
            "or say which it is, for example "
            "check(my_function, exercise='get_sensitivity') (see `ai4md list`)"
        )
    ids = ", ".join(e.id for e in matches)
    raise ValueError(
        f"{key!r} matches several exercises ({ids}); say which with "
        f"exercise=, for example check({func.__name__}, "
        f"exercise={matches[0].id!r})"
    )


def _defined_in(func: Callable, path: Path) -> bool:
    """Whether ``func`` was defined in the file ``path``."""
    try:
        source = inspect.getsourcefile(func)
    except TypeError:
        return False
    return source is not None and Path(source).resolve() == path.resolve()


def _source(func: Callable) -> str:
    """Return the dedented source of ``func`` (OSError with advice if none)."""
    if func.__name__ == "<lambda>":
        raise ValueError("check() needs a function defined with def, not a lambda")
    try:
        return textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError) as exc:
        raise OSError(
            f"cannot find the source of {func.__name__}: a function typed into a "
            "plain python prompt keeps none. Define it in a notebook cell or a "
            "file, or check the lesson file by name: "
            f"check({func.__name__.strip('<>')!r})"
        ) from exc


@dataclass(frozen=True)
class _Chunk:
    """Where an appended function's lines sit in the copy and where they came from."""

    first: int  # first line in the copy (1-based)
    count: int
    filename: str
    origin: int  # first line in its own file or cell


def _grade_function(
    func: Callable,
    exercise: Exercise,
    helpers: list[Callable],
    root: Path,
    timeout: float,
    memory: float,
    seed: int,
) -> list[Result]:
    """Grade ``func`` as ``exercise`` in a lesson copy with its source appended."""
    from autograder import engine, runner

    for helper in helpers:
        if not inspect.isfunction(helper):
            raise TypeError(f"helpers must be Python functions, got {helper!r}")
    functions = [*helpers, func]  # func last: it has the final word
    lesson = engine.Grader(root).lesson_path(exercise)
    if func.__name__ == exercise.name and all(
        _defined_in(f, lesson) for f in functions
    ):  # imported from the very file: grade the file (its source may be newer)
        results = runner.grade(
            [exercise],
            root,
            timeout=timeout,
            memory_bytes=int(memory * 2**30),
            seed=seed,
        )
        return [_rerun_hint(r, seed, func.__name__) for r in results]
    sources = [_source(f) for f in functions]
    if not lesson.is_file():  # the learner's folder lacks it: the package's stub
        lesson = PACKAGE_ROOT / "exercises" / exercise.module
    base = lesson.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="ai4md-check-") as tmp:
        tmp = Path(tmp).resolve()
        copy = tmp / exercise.module
        copy.parent.mkdir(parents=True)
        text, chunks = _appended(base, functions, sources)
        if func.__name__ != exercise.name:
            text += f"\n{exercise.name} = {func.__name__}\n"
        copy.write_text(text, encoding="utf-8")
        results = runner.grade(
            [exercise],
            tmp,
            timeout=timeout,
            memory_bytes=int(memory * 2**30),
            seed=seed,
        )
    return [
        _rerun_hint(
            replace(r, message=_locate(r.message, str(copy), str(lesson), chunks)),
            seed,
            func.__name__,
        )
        for r in results
    ]


def _appended(
    base: str, functions: Iterable[Callable], sources: Iterable[str]
) -> tuple[str, list[_Chunk]]:
    """Append each source to ``base``; return the text and where each one went."""
    text = base if base.endswith("\n") else base + "\n"
    chunks = []
    for func, source in zip(functions, sources, strict=True):
        text += "\n\n# checked by autograder.notebook.check\n"
        first = text.count("\n") + 1
        text += source if source.endswith("\n") else source + "\n"
        code = func.__code__
        origin = code.co_firstlineno - _decorator_lines(source)
        chunks.append(_Chunk(first, source.count("\n"), code.co_filename, origin))
    return text, chunks


def _decorator_lines(source: str) -> int:
    """Lines before ``def`` (decorators): ``co_firstlineno`` counts from the def."""
    for i, line in enumerate(source.splitlines()):
        if line.lstrip().startswith(("def ", "async def ")):
            return i
    return 0


def _locate(message: str, copy: str, lesson: str, chunks: list[_Chunk]) -> str:
    """Point traceback lines in the temporary copy back at the cell or the lesson."""

    def where(match: re.Match) -> str:
        line = int(match.group(1))
        for chunk in chunks:
            if chunk.first <= line < chunk.first + chunk.count:
                return (
                    f'File "{chunk.filename}", line {chunk.origin + line - chunk.first}'
                )
        return f'File "{lesson}", line {line}'

    message = re.sub(rf'File "{re.escape(copy)}", line (\d+)', where, message)
    return message.replace(copy, lesson)


def _rerun_hint(result: Result, seed: int, argument: str) -> Result:
    """Say how to re-run a hidden case with `check` rather than the command line."""
    name = result.exercise.name
    old = f"ai4md grade {name} --seed {seed}"
    if old not in result.message:
        return result
    return replace(
        result, message=result.message.replace(old, f"check({argument}, seed={seed})")
    )
