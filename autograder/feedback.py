"""What a learner reads about one failing case: its call, its inputs, its output.

`describe_case` is the one-line call (small values in full, large arrays as
``<float64 array of shape (120,)>``); `input_details` adds, for the inputs too
large to print, a summary (shape, dtype, min/max, the first values) and a
line of Python that rebuilds the case exactly (`autograder.rebuild.case`);
`printed_block` shows what the learner's own ``print()`` wrote (capped);
`without_frozen` drops importlib's ``<frozen ...>`` frames from a traceback.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from autograder.spec import Case, Exercise

__all__ = [
    "PRINTED_CHARS",
    "describe_case",
    "input_details",
    "is_small",
    "printed_block",
    "rebuild_snippet",
    "summary",
    "without_frozen",
]

SMALL = 12  # arrays and sequences up to this many items are printed in full
PRINTED_CHARS, PRINTED_LINES = 800, 20  # the learner's print() output shown


def is_small(value: Any, limit: int = SMALL) -> bool:
    """Return whether ``value`` prints in full on one line of feedback."""
    if isinstance(value, np.ndarray):
        return value.size <= limit
    if isinstance(value, (list, tuple)):
        return len(value) <= limit and all(is_small(v, limit) for v in value)
    if isinstance(value, dict):
        return len(value) <= 6 and all(is_small(v, limit) for v in value.values())
    return len(repr(value)) < 80


def brief(value: Any, limit: int = SMALL) -> str:
    """Return a value on one line: in full when small, else a placeholder."""
    if isinstance(value, np.ndarray):
        if value.size <= limit:
            return np.array2string(value, separator=", ", precision=4).replace("\n", "")
        return f"<{value.dtype} array of shape {value.shape}>"
    if isinstance(value, (list, tuple)) and not is_small(value, limit):
        return f"<{type(value).__name__} of length {len(value)}>"
    if isinstance(value, dict):
        if not is_small(value, limit):
            return f"<dict of {len(value)} items>"
        return (
            "{" + ", ".join(f"{k!r}: {brief(v, limit)}" for k, v in value.items()) + "}"
        )
    text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."


def describe_case(exercise: Exercise, case: Case) -> str:
    """Return one line saying what the function was called with."""
    if case.label:
        return case.label
    parts = [brief(a) for a in case.args]
    parts += [f"{k}={brief(v)}" for k, v in case.kwargs.items()]
    call = f"{exercise.name}({', '.join(parts)})"
    for args, kwargs in case.then:
        inner = [brief(a) for a in args] + [
            f"{k}={brief(v)}" for k, v in kwargs.items()
        ]
        call += f"({', '.join(inner)})"
    return call


def _number(x: Any) -> str:
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{float(x):.4g}"


def _first(values: Any, count: int = 6) -> str:
    shown = ", ".join(
        _number(v) if isinstance(v, (int, float, np.number, np.bool_)) else repr(v)
        for v in list(values[:count])
    )
    return f"[{shown}{', ...' if len(values) > count else ''}]"


def summary(value: Any) -> str:
    """Summarise a large input in one line: type, shape, dtype, range, first values.

    Examples
    --------
    >>> summary(np.arange(20.0))
    'float64 array of shape (20,), min 0, max 19, first values [0, 1, 2, 3, 4, 5, ...]'
    """
    if isinstance(value, np.ndarray):
        head = f"{value.dtype} array of shape {value.shape}"
        flat = value.reshape(-1)
        if flat.size == 0:
            return f"{head} (empty)"
        stats = ""
        if flat.dtype.kind == "b":
            stats = f", {int(flat.sum())} True of {flat.size}"
        elif flat.dtype.kind in "iuf":
            finite = flat[np.isfinite(flat)] if flat.dtype.kind == "f" else flat
            if finite.size:
                stats = f", min {_number(finite.min())}, max {_number(finite.max())}"
            if finite.size < flat.size:
                stats += f", {flat.size - finite.size} NaN or infinite"
        return f"{head}{stats}, first values {_first(flat)}"
    if isinstance(value, (list, tuple)):
        if all(is_small(v) for v in value[:6]):
            first = "[" + ", ".join(brief(v) for v in value[:6])
            first += ", ...]" if len(value) > 6 else "]"
        else:
            first = "[" + ", ".join(brief(v) for v in value[:2]) + ", ...]"
        return f"{type(value).__name__} of {len(value)} items, first values {first}"
    if isinstance(value, dict):
        keys = ", ".join(repr(k) for k in list(value)[:6])
        more = ", ..." if len(value) > 6 else ""
        return f"dict of {len(value)} items, keys {keys}{more}"
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _registered_name(exercise: Exercise) -> str | None:
    """Return the name `autograder.rebuild.case` finds ``exercise`` by, or None."""
    from autograder.registry import EXERCISES

    if exercise not in EXERCISES:
        return None
    same = [e for e in EXERCISES if e.name == exercise.name]
    return exercise.name if len(same) == 1 else exercise.id


def rebuild_snippet(
    exercise: Exercise, kind: str, index: int, seed: int | None = None
) -> str | None:
    """Return a line of Python giving the case's ``(args, kwargs)``, or None."""
    name = _registered_name(exercise)
    if name is None:
        return None
    seed_arg = f", seed={seed}" if seed is not None else ""
    return (
        f'from autograder import case; args, kwargs = case("{name}", "{kind}", '
        f"{index}{seed_arg})"
    )


def input_details(
    exercise: Exercise, case: Case, kind: str, index: int, seed: int | None = None
) -> str:
    """Return lines describing the inputs the one-line call could not show.

    A labelled case shows every input (its label names none); otherwise only
    the inputs too large to print are summarised. When anything is
    summarised, a snippet rebuilding the exact inputs follows.
    """
    named = [(f"argument {i}", a) for i, a in enumerate(case.args, 1)]
    named += [(f"argument {k}", v) for k, v in case.kwargs.items()]
    lines, summarised = [], False
    for name, value in named:
        if is_small(value):
            shown = brief(value)
            if case.label and shown not in case.label:  # the label names no values
                lines.append(f"  {name}: {shown}")
        else:
            lines.append(f"  {name}: {summary(value)}")
            summarised = True
    if not summarised:
        return "\n".join(["inputs:", *lines]) if lines else ""
    snippet = rebuild_snippet(exercise, kind, index, seed)
    if snippet:
        lines.append(f"  rebuild them in Python: {snippet}")
    return "\n".join(["inputs:", *lines])


def printed_block(text: str) -> str:
    """Return the learner's print() output, capped, under a heading ("" if none)."""
    text = text.strip("\n")
    if not text.strip():
        return ""
    lines = text.splitlines()
    shown = "\n".join(lines[:PRINTED_LINES])[:PRINTED_CHARS]
    cut = len(shown) < len("\n".join(lines))
    block = textwrap.indent(shown, "  ")
    more = "\n  ... (more output not shown)" if cut else ""
    return f"Your code printed:\n{block}{more}"


def without_frozen(text: str) -> str:
    """Drop importlib's ``File "<frozen ...>"`` frames from a traceback."""
    return "\n".join(
        line
        for line in text.splitlines()
        if not line.lstrip().startswith('File "<frozen ')
    )
