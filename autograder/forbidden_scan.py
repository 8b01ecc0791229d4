"""The integrity rule's vocabulary and its static check of a lesson file.

This module owns what both checks of `autograder.forbidden` share, and the
first of them:

Vocabulary
    `ALWAYS` (forbidden to every exercise) and `for_exercise`, which adds an
    exercise's own forbidden set; `under`, the one rule for "this dotted name
    is (or lies under) that forbidden name"; the exceptions `ForbiddenUse` and
    `ForbiddenImport`; and the messages the learner reads
    (`static_message`, `call_message`, `read_message`).
Static check
    `uses` lists the dotted names a source refers to (imports,
    ``importlib.import_module`` and ``__import__`` with a literal name,
    ``sys.modules["..."]``, attribute chains such as ``np.convolve``); `scan`
    returns the first of them that is forbidden, directly or, once `resolve`
    finds it loaded, as a re-export of a forbidden object under another name.

The run-time guards, which call `scan` before the learner's file is imported,
live in `autograder.forbidden_guard`.
"""

from __future__ import annotations

import ast
import os
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

__all__ = [
    "ALWAYS",
    "ForbiddenImport",
    "ForbiddenUse",
    "Use",
    "call_message",
    "for_exercise",
    "read_message",
    "resolve",
    "scan",
    "static_message",
    "under",
    "uses",
]

# Forbidden to every exercise: the solutions, and the grader's oracles and case
# builders (the engine calls them from its own code, which a guard lets through).
ALWAYS = ("solutions", "autograder.cases")


def for_exercise(exercise: Any) -> tuple[str, ...]:
    """Return the dotted names ``exercise`` may not use: `ALWAYS` and its own."""
    return tuple(dict.fromkeys((*ALWAYS, *getattr(exercise, "forbidden", ()))))


class ForbiddenUse(Exception):
    """Raised by a guard: the learner's code called something it may not use."""


class ForbiddenImport(ImportError):
    """Raised when the learner's code imports ``solutions`` or opens its files."""


# ----------------------------------------------------------------------- names


def under(name: str, entry: str) -> bool:
    """Whether dotted ``name`` is ``entry`` or lies under it (whole components)."""
    return name == entry or name.startswith(entry + ".")


def _what(name: str) -> str:
    """How a message names ``name``: reference, solutions or another library."""
    if under(name, "solutions"):
        return f"the course's solutions (`{name}`)"
    if under(name, "reference"):
        return f"the reference implementation `{name}`"
    if under(name, "autograder"):
        return f"the grader's own `{name}`"
    return f"`{name}`"


def _tail(name: str) -> str:
    if any(under(name, top) for top in ("solutions", "reference", "autograder")):
        return "; write it yourself"
    return ", which this exercise may not use; write it yourself"


def static_message(use: Use, file_name: str) -> str:
    """Return the learner's message for a forbidden name found in the source."""
    verb = "imports" if use.kind == "import" else "uses"
    return f"line {use.line} of {file_name} {verb} {_what(use.name)}{_tail(use.name)}"


def call_message(name: str, verb: str = "called") -> str:
    """Return the learner's message for a forbidden call or import at run time."""
    return f"your code {verb} {_what(name)}{_tail(name)}"


def read_message(path: str) -> str:
    """Return the learner's message for opening a file of the solutions."""
    shown = "solutions/" + path.split(os.sep + "solutions" + os.sep)[-1]
    folder, _, file = shown.rpartition("/")
    if folder.endswith("/__pycache__"):  # name the source, not its bytecode
        folder, file = folder.removesuffix("/__pycache__"), file.split(".")[0] + ".py"
    return (
        f"your code read the course's solutions (`{folder}/{file}`); write it yourself"
    )


# -------------------------------------------------------------- static check


@dataclass(frozen=True)
class Use:
    """A dotted name the source refers to: ``kind`` is "import" or "use"."""

    name: str
    line: int
    kind: str


_IMPORTERS = {"import_module", "__import__"}


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _chain(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """``a.b.c`` (or ``getattr(a.b, "c")``) with ``a`` bound by an import."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and _string(node.args[1]) is not None
        ):
            parts.append(_string(node.args[1]))
            node = node.args[0]
        elif isinstance(node, ast.Name) and node.id in aliases:
            return ".".join([aliases[node.id], *reversed(parts)])
        else:
            return None


def uses(source: str) -> list[Use]:
    """Every dotted name ``source`` imports or reaches, in source order.

    Raises
    ------
    SyntaxError
        If ``source`` does not parse (the import then reports it).
    """
    tree = ast.parse(source)
    aliases: dict[str, str] = {}  # flow-insensitive: every scope at once
    found: list[Use] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Use(alias.name, node.lineno, "import"))
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:  # the names first: the most precise message
                if alias.name == "*":
                    continue
                full = f"{node.module}.{alias.name}"
                found.append(Use(full, node.lineno, "import"))
                aliases[alias.asname or alias.name] = full
            found.append(Use(node.module, node.lineno, "import"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else None
            )
            target = _string(node.args[0]) if node.args else None
            if called in _IMPORTERS and target:
                fromlist = node.args[3] if len(node.args) > 3 else None
                for keyword in node.keywords:
                    if keyword.arg == "fromlist":
                        fromlist = keyword.value
                if isinstance(fromlist, (ast.List, ast.Tuple)):
                    for item in fromlist.elts:
                        if _string(item):
                            found.append(
                                Use(f"{target}.{_string(item)}", node.lineno, "import")
                            )
                found.append(Use(target, node.lineno, "import"))
        if isinstance(node, (ast.Attribute, ast.Call)):
            name = _chain(node, aliases)
            if name is not None and "." in name:
                found.append(Use(name, node.lineno, "use"))
        elif isinstance(node, ast.Subscript) and _string(node.slice):
            if _chain(node.value, aliases) == "sys.modules":
                found.append(Use(_string(node.slice), node.lineno, "import"))
    return sorted(found, key=lambda u: (u.line, u.kind != "import"))


def resolve(name: str, lazy: Iterable[str] = ()) -> Any:
    """Return the loaded object ``name`` names, or None.

    A package's lazy ``__getattr__`` (which may import a submodule) is only
    used for the top-level packages in ``lazy``.
    """
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        module = sys.modules.get(".".join(parts[:cut]))
        if module is None:
            continue
        obj: Any = module
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for part in parts[cut:]:
                    if (
                        isinstance(obj, ModuleType)
                        and part not in vars(obj)
                        and parts[0] not in lazy
                    ):
                        return None
                    obj = getattr(obj, part)
        except Exception:  # an unknown name is simply not resolved
            return None
        return obj
    return None


def scan(
    source: str,
    entries: Iterable[str],
    is_forbidden: Callable[[Any], bool] = lambda obj: False,
) -> Use | None:
    """Return the first use in ``source`` of a forbidden name, or None.

    Parameters
    ----------
    source : str
        The lesson file's text.
    entries : iterable of str
        The forbidden dotted names.
    is_forbidden : callable (object) -> bool
        Whether a loaded object is forbidden (catches re-exports under other
        names); the worker passes its guard's
        (`autograder.forbidden_guard.Guard.is_forbidden`).
    """
    entries = tuple(entries)
    for use in uses(source):
        if any(under(use.name, entry) for entry in entries):
            return use
        obj = resolve(use.name, {entry.split(".")[0] for entry in entries})
        if obj is None:
            continue
        if isinstance(obj, ModuleType):
            if any(under(obj.__name__, entry) for entry in entries):
                return use
        elif is_forbidden(obj):
            return use
    return None
