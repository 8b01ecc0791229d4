"""Gradescope's autograder package: ``ai4md gradescope build`` and ``run``.

``build`` writes the zip Gradescope asks for: ``setup.sh`` (installs Python and
this project with the versions pinned in ``constraints.txt``, then compiles
the Numba kernels once into the image), ``run_autograder`` (grades
``/autograder/submission`` into ``/autograder/results/results.json``), a
fail-closed ``fallback_results.json`` and the project's source (``reference/``,
``autograder/``, the ``exercises/`` stubs, ``pyproject.toml``, ``README.md``;
never ``solutions/`` or ``tests/``).

``run`` is what ``run_autograder`` calls: it grades the submission exactly as
``ai4md grade --target ... --hidden-visibility V`` would (in a subprocess, with
a wall-clock cap under Gradescope's own), so the hidden and edge cases' tests
get the instructor's visibility ``V``; `finish` then sets ``execution_time``
to the whole run's and makes sure ``visibility`` and ``stdout_visibility``
are there, also in a fail-closed results.json. ``AUTOGRADER_ROOT`` (default
``/autograder``) moves the whole layout, for tests.

Public names: `VISIBILITIES`, `DEFAULT_VISIBILITY`, `build`, `run`, `finish`,
`pinned_requirements`, `add_command`, `main`.
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import json
import os
import shlex
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from autograder import gradefiles as gf
from autograder.batch import PACKAGE_ROOT, Settings, grade_unpacked
from autograder.classroom import add_grading_options, settings_from
from autograder.gradescope_scripts import RUN_AUTOGRADER, SETUP_SH
from autograder.submissions import (
    copy_tree,
    extract_zip,
)

__all__ = [
    "VISIBILITIES",
    "add_command",
    "DEFAULT_VISIBILITY",
    "build",
    "finish",
    "main",
    "pinned_requirements",
    "run",
]

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
DEFAULT_VISIBILITY = "after_published"  # hidden cases: seen once grades are out
GRADESCOPE_TIMEOUT = 540.0  # under Gradescope's default 10-minute limit
SOURCE_TREES = ("reference", "autograder", "exercises")
SOURCE_FILES = ("pyproject.toml", "README.md")
_NEVER = ("solutions", "tests")
_SKIPPED_SUFFIXES = (".pyc", ".nbi", ".nbc")
_EXTRA_REQUIREMENTS: tuple = ()  # packages the grader needs beyond ai4md's own


def check_visibility(value: str) -> str:
    """Return ``value`` if Gradescope knows that visibility; else raise ValueError."""
    if value not in VISIBILITIES:
        raise ValueError(
            f"hidden visibility: expected one of {', '.join(VISIBILITIES)}, "
            f"got {value!r}"
        )
    return value


# ----------------------------------------------------------------------- building


def _requirements(dist: str, extras=()) -> list:
    from packaging.requirements import Requirement

    found = []
    for text in metadata.requires(dist) or []:
        requirement = Requirement(text)
        marker = requirement.marker
        env_ok = any(
            marker is None or marker.evaluate({"extra": extra})
            for extra in ("", *extras)
        )
        if env_ok:
            found.append(requirement.name)
    return found


def pinned_requirements(
    dist: str = "ai4md", extra: Iterable[str] = _EXTRA_REQUIREMENTS
) -> list[str]:
    """Return ``name==version`` for every package ``dist`` needs, as installed here.

    The closure of the runtime requirements (and ``extra``) is followed through
    the installed packages' metadata; packages that are not installed are left
    out (pip then picks a version).
    """
    pins, todo = {}, [*_requirements(dist), *extra]
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-")
        if key in pins:
            continue
        try:
            pins[key] = f"{name}=={metadata.version(name)}"
        except metadata.PackageNotFoundError:
            continue
        todo += _requirements(name)
    return sorted(pins.values(), key=str.lower)


def _source_files(root: Path):
    """Yield ``(name in the zip, path)`` for the project's source files."""
    for name in SOURCE_FILES:
        if (root / name).is_file():
            yield name, root / name
    for tree in SOURCE_TREES:
        for path in sorted((root / tree).rglob("*")):
            relative = path.relative_to(root)
            hidden = any(
                p.startswith(".") or p == "__pycache__" for p in relative.parts
            )
            if path.is_file() and not hidden and path.suffix not in _SKIPPED_SUFFIXES:
                yield relative.as_posix(), path


def _script(template: str, **values) -> str:
    text = template
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def _version() -> str:
    try:
        return metadata.version("ai4md")
    except metadata.PackageNotFoundError:
        return "unknown"


def _capped(settings: Settings) -> Settings:
    """Return ``settings`` with a per-submission cap under Gradescope's limit."""
    if settings.student_timeout is not None:
        return settings
    return replace(settings, student_timeout=min(settings.cap(), GRADESCOPE_TIMEOUT))


def _with_visibility(settings: Settings) -> Settings:
    """Return ``settings`` with a valid hidden visibility (the default if None)."""
    visibility = settings.hidden_visibility or DEFAULT_VISIBILITY
    return replace(settings, hidden_visibility=check_visibility(visibility))


def _run_arguments(settings: Settings) -> str:
    cap = _capped(settings).student_timeout
    return shlex.join(["--student-timeout", f"{cap:g}", *settings.grade_args()])


def _words(words) -> str:
    """Return shell words, each after a space (empty for none)."""
    return "".join(f" {shlex.quote(w)}" for w in words)


def _scripts(settings: Settings) -> dict:
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    header = f"ai4md {_version()}, Python {python}"
    return {
        "setup.sh": _script(
            SETUP_SH,
            HEADER=header,
            PYTHON=python,
            EXTRA=_words(_EXTRA_REQUIREMENTS),
            SELECTORS=_words(replace(settings, hidden_visibility=None).grade_args()),
        ),
        "run_autograder": _script(
            RUN_AUTOGRADER,
            HEADER=header,
            ARGS=_run_arguments(settings),
        ),
        "constraints.txt": f"# {header}: the versions ai4md was tested with\n"
        + "\n".join(pinned_requirements())
        + "\n",
        "fallback_results.json": json.dumps(
            gf.fail_closed(
                settings.exercises(),
                "the autograder could not run; please tell your instructor",
            ),
            indent=2,
        )
        + "\n",
    }


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable=False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, data)


def build(
    out: str | os.PathLike[str],
    settings: Settings,
    root: str | os.PathLike[str] = PACKAGE_ROOT,
) -> list[str]:
    """Write Gradescope's autograder zip to ``out``; return the names it holds.

    Parameters
    ----------
    out : path-like
        The zip to write (atomically).
    settings : Settings
        What ``run_autograder`` grades, its caps and the visibility of the
        hidden cases' tests (one of `VISIBILITIES`; default
        `DEFAULT_VISIBILITY`).
    root : path-like
        The project's source tree.

    Raises
    ------
    ValueError
        For an unknown selector or visibility.
    """
    settings = _with_visibility(settings)
    settings.exercises()
    root, out = Path(root), Path(out)
    names = []
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out.parent, suffix=".tmp", delete=False) as f:
        tmp = Path(f.name)
    try:
        with zipfile.ZipFile(tmp, "w") as archive:
            for name, text in _scripts(settings).items():
                executable = name in ("setup.sh", "run_autograder")
                _add(archive, name, text.encode(), executable)
                names.append(name)
            for name, path in _source_files(root):
                assert name.split("/")[0] not in _NEVER, name
                _add(archive, name, path.read_bytes())
                names.append(name)
        tmp.chmod(0o644)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return names


# ------------------------------------------------------------------------ running


def finish(data: dict, seconds: float) -> dict:
    """Return results.json with Gradescope's timing and visibility fields.

    ``execution_time`` becomes the whole run's (whole seconds); the top level
    is visible unless the grader said otherwise, and the grader's printout
    (``stdout_visibility``) is for instructors unless it said otherwise. Each
    test keeps the visibility the grader gave it.
    """
    tests = [{"visibility": "visible", **t} for t in data.get("tests", [])]
    return {
        "visibility": "visible",
        "stdout_visibility": "hidden",
        **data,
        "execution_time": max(0, round(seconds)),
        "tests": tests,
    }


def _unpack(submission: Path, copy: Path) -> None:
    """Copy the submission; unzip any zip in it (into a folder named after it)."""
    copy_tree(submission, copy)
    for archive in sorted(copy.glob("*.zip")):
        extract_zip(archive, copy / archive.stem)


def run(root: str | os.PathLike[str], settings: Settings) -> dict:
    """Grade ``root/submission`` into ``root/results/results.json``; return it."""
    start = time.monotonic()
    root = Path(root)
    results_path = root / "results" / "results.json"
    settings = _capped(_with_visibility(settings))
    data, _ = grade_unpacked(
        lambda copy: _unpack(root / "submission", copy),
        settings,
        lambda log: print(log.read_text(encoding="utf-8", errors="replace")),
    )
    data = finish(data, time.monotonic() - start)
    gf.write_json(results_path, data)
    return data


# ------------------------------------------------------------------- command line


def _build_command(args) -> int:
    try:
        names = build(args.out, settings_from(args))
    except ValueError as exc:
        print(f"ai4md gradescope build: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {args.out} ({len(names)} files); upload it as the autograder "
        "of a Gradescope programming assignment"
    )
    return 0


def _run_command(args) -> int:
    try:
        data = run(args.root, settings_from(args))
    except ValueError as exc:
        print(f"ai4md gradescope run: {exc}", file=sys.stderr)
        return 2
    print(f"score {data['score']:g}/{data['extra_data']['max_score']:g}")
    return 0


def _visibility(text: str) -> str:
    try:
        return check_visibility(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def add_command(sub: Any) -> None:
    """Register ``gradescope build`` and ``gradescope run`` on ``sub``."""
    g = sub.add_parser("gradescope", help="Gradescope's autograder package")
    actions = g.add_subparsers(dest="action", required=True, metavar="ACTION")
    b = actions.add_parser(
        "build",
        help="write the autograder zip to upload",
        description="Write Gradescope's autograder zip: setup.sh, run_autograder "
        "and this project's source (no solutions, no tests).",
    )
    r = actions.add_parser("run", help="grade ROOT/submission (run_autograder's job)")
    for p in (b, r):
        add_grading_options(
            p, cap=f"60 + 2 x timeout x exercises, at most {GRADESCOPE_TIMEOUT:g}"
        )
        p.add_argument(
            "--hidden-visibility",
            type=_visibility,
            default=DEFAULT_VISIBILITY,
            metavar="VISIBILITY",
            help="Gradescope visibility of the hidden and edge cases' tests: "
            f"{', '.join(VISIBILITIES)} (default {DEFAULT_VISIBILITY})",
        )
    b.add_argument(
        "--out",
        default="autograder.zip",
        metavar="FILE",
        help="the zip to write (default autograder.zip)",
    )
    b.set_defaults(func=_build_command)
    r.add_argument("--root", default="/autograder", help="Gradescope's root folder")
    r.set_defaults(func=_run_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m autograder.gradescope build|run ...``."""
    parser = argparse.ArgumentParser(prog="python -m autograder")
    add_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["gradescope", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
