"""Compare a learner's value with the reference's, and say what differs.

`compare(expected, got, spec)` returns ``None`` when they agree and otherwise a
`Mismatch` whose ``status`` (a `Status`) is one of ``wrong-type``,
``wrong-shape``, ``wrong-dtype``, ``nan`` (NaN or infinity where the reference
has none) and ``wrong-value``, and whose ``message`` names the first
difference: where (the path into tuples and the array index), the expected and
the received value, and for arrays the maximum absolute and relative error.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.protocol import Status
from autograder.wire import Unsupported

__all__ = ["Compare", "Mismatch", "compare", "describe", "inputs_changed"]


@dataclass(frozen=True)
class Compare:
    """How strictly to compare.

    Parameters
    ----------
    rtol, atol : float
        ``|got - expected| <= atol + rtol * |expected|`` element-wise.
    dtype : {"kind", "exact", "ignore"}
        ``"kind"`` requires the same kind (float, integer, bool); ``"exact"``
        the same dtype (float32 is not float64); ``"ignore"`` skips the check.
    """

    rtol: float = 1e-6
    atol: float = 1e-9
    dtype: str = "kind"


@dataclass(frozen=True)
class Mismatch:
    """The first difference between the expected and the received value."""

    status: Status
    message: str


def describe(value: Any) -> str:
    """Name a value's type and shape the way feedback messages do."""
    if isinstance(value, Unsupported):
        return f"an object of type {value.type_name}"
    if isinstance(value, np.ndarray):
        return f"ndarray of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, np.generic):
        return f"NumPy {value.dtype} scalar"
    if isinstance(value, (tuple, list)):
        return f"{type(value).__name__} of length {len(value)}"
    return type(value).__name__


def _is_number(x: Any) -> bool:
    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, np.ndarray):
        return x.ndim == 0 and x.dtype.kind in "iuf"
    return isinstance(x, (numbers.Real, np.integer, np.floating))


def _show(x: Any) -> str:
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.8g}"
    return repr(x.item() if isinstance(x, np.generic) else x)


def _where(path: str) -> str:
    return f" at {path}" if path else ""


def _compare_arrays(
    expected: np.ndarray, got: np.ndarray, spec: Compare, path: str
) -> Mismatch | None:
    if got.shape != expected.shape:
        return Mismatch(
            Status.WRONG_SHAPE,
            f"wrong shape{_where(path)}: expected {expected.shape}, got {got.shape}",
        )
    if spec.dtype == "exact" and got.dtype != expected.dtype:
        return Mismatch(
            Status.WRONG_DTYPE,
            f"wrong dtype{_where(path)}: expected {expected.dtype}, got {got.dtype}",
        )
    e_kind, g_kind = expected.dtype.kind, got.dtype.kind
    numeric = "biuf"
    if (
        spec.dtype == "kind"
        and e_kind != g_kind
        and not (e_kind in "iu" and g_kind in "iu")
    ):
        return Mismatch(
            Status.WRONG_DTYPE,
            f"wrong dtype{_where(path)}: expected a "
            f"{expected.dtype} array, got {got.dtype}",
        )
    if e_kind not in numeric or g_kind not in numeric:
        if np.array_equal(expected, got):
            return None
        index = tuple(int(i) for i in np.argwhere(expected != got)[0])
        return Mismatch(
            Status.WRONG_VALUE,
            f"wrong value{_where(path)} at index {index}: "
            f"expected {expected[index]!r}, got {got[index]!r}",
        )
    e = expected.astype(np.float64)
    g = got.astype(np.float64)
    bad_nan = ~np.isfinite(g) & np.isfinite(e)
    if bad_nan.any():
        index = tuple(int(i) for i in np.argwhere(bad_nan)[0])
        return Mismatch(
            Status.NAN,
            f"NaN or infinity{_where(path)} at index {index} "
            f"where the reference has {_show(e[index])} "
            f"({int(bad_nan.sum())} such entries)",
        )
    close = np.isclose(g, e, rtol=spec.rtol, atol=spec.atol, equal_nan=True)
    close |= e == g  # equal infinities
    if close.all():
        return None
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    at = f" at index {index}" if expected.ndim else ""
    return Mismatch(
        Status.WRONG_VALUE,
        f"wrong value{_where(path)}{at}: expected "
        f"{_show(e[index])}, got {_show(g[index])}{_errors(e, g, close, spec)}",
    )


def _errors(e: np.ndarray, g: np.ndarray, close: np.ndarray, spec: Compare) -> str:
    """Say how many entries differ and by how much, leaving out what is undefined.

    The absolute error is taken over the entries that are finite in both; the
    relative error only over those whose expected value is not ~0 (a relative
    error to 0 is undefined, so it is not printed as nan or inf).
    """
    finite = np.isfinite(e) & np.isfinite(g) & ~close
    abs_err = np.abs(g - e)[finite]
    scale = np.abs(e[finite])
    rel_err = abs_err[scale > spec.atol] / scale[scale > spec.atol]
    if not e.ndim:  # one number: its errors, the relative one only if defined
        parts = [f"abs error {abs_err.max():.3g}"] if abs_err.size else []
        parts += [f"rel error {rel_err.max():.3g}"] if rel_err.size else []
        return f" ({', '.join(parts)})" if parts else ""
    parts = [f"{int((~close).sum())} of {close.size} entries differ"]
    if abs_err.size:
        parts.append(f"max abs error {abs_err.max():.3g}")
        if rel_err.size:
            parts.append(f"max rel error {rel_err.max():.3g}")
        else:
            parts.append("no rel error: the expected values there are 0")
    return f" ({'; '.join(parts)})"


def compare(
    expected: Any,
    got: Any,
    spec: Compare = Compare(),
    path: str = "",
    names: tuple = (),
) -> Mismatch | None:
    """Return ``None`` if ``got`` matches ``expected``, else the first `Mismatch`.

    ``names`` name the items of the first tuple met (directly, or inside a
    dict such as a round trip's ``{"out", "grads"}``): a mismatch there says
    ``at [1] (tpr)`` rather than ``at [1]``.
    """
    if isinstance(got, Unsupported):
        return Mismatch(
            Status.WRONG_TYPE,
            f"wrong type{_where(path)}: expected "
            f"{describe(expected)}, got {describe(got)}",
        )
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return Mismatch(
                Status.WRONG_TYPE,
                f"wrong type{_where(path)}: expected a "
                f"{describe(expected)}, got {describe(got)}",
            )
        if len(got) != len(expected):
            return Mismatch(
                Status.WRONG_SHAPE,
                f"wrong length{_where(path)}: expected "
                f"{len(expected)} items, got {len(got)}",
            )
        named = len(names) == len(expected)
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            where = f"{path}[{i}] ({names[i]})" if named else f"{path}[{i}]"
            if found := compare(e, g, spec, where):
                return found
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            keys = sorted(got) if isinstance(got, dict) else describe(got)
            return Mismatch(
                Status.WRONG_TYPE,
                f"wrong type{_where(path)}: expected a dict "
                f"with keys {sorted(expected)}, got {keys}",
            )
        for key in expected:
            where = f"{path}[{key!r}]"
            if found := compare(expected[key], got[key], spec, where, names):
                return found
        return None
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(got, (bool, np.bool_)):
            return Mismatch(
                Status.WRONG_TYPE,
                f"wrong type{_where(path)}: expected a bool, got {describe(got)}",
            )
        if bool(got) != bool(expected):
            return Mismatch(
                Status.WRONG_VALUE,
                f"wrong value{_where(path)}: expected "
                f"{bool(expected)}, got {bool(got)}",
            )
        return None
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        if not isinstance(got, np.ndarray):
            return Mismatch(
                Status.WRONG_TYPE,
                f"wrong type{_where(path)}: expected "
                f"{describe(expected)}, got {describe(got)}",
            )
        return _compare_arrays(expected, got, spec, path)
    if _is_number(expected):
        if not _is_number(got):
            return Mismatch(
                Status.WRONG_TYPE,
                f"wrong type{_where(path)}: expected a number, got {describe(got)}",
            )
        loose = Compare(spec.rtol, spec.atol, "ignore")
        return _compare_arrays(np.asarray(expected), np.asarray(got), loose, path)
    if expected is None or isinstance(expected, str):
        if type(got) is not type(expected) or got != expected:
            return Mismatch(
                Status.WRONG_VALUE,
                f"wrong value{_where(path)}: expected {expected!r}, got {got!r}"[:300],
            )
        return None
    raise TypeError(
        f"compare: no rule for expected values of type {type(expected).__name__}"
    )


def inputs_changed(before: Any, after: Any, path: str = "") -> str | None:
    """Name the first argument the learner's code modified in place, if any."""
    if isinstance(before, np.ndarray):
        if (
            not isinstance(after, np.ndarray)
            or after.shape != before.shape
            or after.dtype != before.dtype
            or before.tobytes() != after.tobytes()
        ):
            return path or "an argument"
        return None
    if isinstance(before, (list, tuple)):
        if not isinstance(after, (list, tuple)) or len(after) != len(before):
            return path or "an argument"
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            if found := inputs_changed(b, a, f"{path}[{i}]"):
                return found
        return None
    if isinstance(before, dict):
        if not isinstance(after, dict) or set(after) != set(before):
            return path or "an argument"
        for key in before:
            if found := inputs_changed(before[key], after[key], f"{path}[{key!r}]"):
                return found
        return None
    return None
