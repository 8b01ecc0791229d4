"""Grade one exercise: run its cases in a worker child, compare with the oracle.

`Grader.grade(exercise)` always returns a `Result` and never raises for
anything the learner's code does: the learner's function runs in a child of the
fork server (`autograder.sandbox`), which answers the requests of
`autograder.protocol`; the oracle runs here, and the first failing case decides
the `Status` and the message. Scores are all-or-nothing per exercise and the
maximum always comes from the registry (fail-closed).
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autograder.compare import compare, describe, inputs_changed
from autograder.protocol import (
    WRONG_ANSWERS,
    Call,
    Gradcheck,
    GradcheckEntry,
    ProtocolError,
    Reply,
    ReplyStatus,
    Request,
    Roundtrip,
    Status,
)
from autograder.sandbox import Child, ChildFailure, ForkServer
from autograder.spec import Case, Exercise

__all__ = [
    "DEFAULT_MEMORY_BYTES",
    "DEFAULT_SEED",
    "DEFAULT_TIMEOUT",
    "Grader",
    "Result",
    "describe_case",
]

DEFAULT_SEED = 2026
DEFAULT_TIMEOUT = 10.0
DEFAULT_MEMORY_BYTES = 2 << 30
GRADCHECK_RTOL, GRADCHECK_ATOL = 1e-4, 1e-6


@dataclass
class Result:
    """The outcome of grading one exercise."""

    exercise: Exercise
    score: float
    status: Status  # a plain string is converted
    message: str = ""
    seconds: float = 0.0

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @property
    def passed(self) -> bool:
        """Whether the exercise earned its points."""
        return self.status == Status.PASSED


@dataclass(frozen=True)
class _Problem:
    status: Status
    message: str


def _brief(value: Any, limit: int = 12) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= limit:
            return np.array2string(value, separator=", ", precision=4).replace("\n", "")
        return f"<{value.dtype} array of shape {value.shape}>"
    if isinstance(value, (list, tuple)) and len(value) > limit:
        return f"<{type(value).__name__} of length {len(value)}>"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{k!r}: {_brief(v, limit)}" for k, v in value.items())
            + "}"
        )
    text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."


def describe_case(exercise: Exercise, case: Case) -> str:
    """One line saying what the function was called with."""
    if case.label:
        return case.label
    parts = [_brief(a) for a in case.args]
    parts += [f"{k}={_brief(v)}" for k, v in case.kwargs.items()]
    call = f"{exercise.name}({', '.join(parts)})"
    for args, kwargs in case.then:
        inner = [_brief(a) for a in args] + [
            f"{k}={_brief(v)}" for k, v in kwargs.items()
        ]
        call += f"({', '.join(inner)})"
    return call


def _reply_problem(reply: Reply, memory_bytes: int) -> _Problem | None:
    """Turn a worker's failure reply into the exercise's status and message."""
    status = reply.status
    if status is ReplyStatus.OK:
        return None
    if status.outcome is None:
        return _Problem(
            Status.CRASHED, f"the worker replied {status.value!r} to a request"
        )
    return _Problem(status.outcome, status.describe(reply.message, memory_bytes))


class Grader:
    """Grades exercises found under ``target`` (a folder laid out like ``exercises/``).

    Parameters
    ----------
    target : path
        Root folder holding ``week*/lesson.py`` files.
    timeout : float
        Wall-clock seconds allowed per call (and for importing a module).
    memory_bytes : int
        Extra address space a worker child may map beyond what it starts with.
    seed : int
        Grading seed; each exercise's hidden cases come from
        ``default_rng([seed, crc32(exercise id)])``.
    """

    def __init__(
        self,
        target: str | os.PathLike[str],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        memory_bytes: int = DEFAULT_MEMORY_BYTES,
        seed: int = DEFAULT_SEED,
    ) -> None:
        self.target = Path(target)
        self.timeout, self.memory_bytes, self.seed = timeout, memory_bytes, seed
        self._server: ForkServer | None = None
        self._import_failures: dict[Path, _Problem] = {}

    def close(self) -> None:
        """Stop the worker processes."""
        if self._server is not None:
            self._server.close()
            self._server = None

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def grade(self, exercise: Exercise) -> Result:
        """Grade one exercise; never raises for anything the learner's code does."""
        start = time.monotonic()
        try:
            problem = self._grade(exercise)
        except Exception as exc:  # noqa: BLE001 - a grader bug must not stop grading
            problem = _Problem(
                Status.GRADER_ERROR, f"the grader itself failed: {exc!r}"
            )
        seconds = time.monotonic() - start
        if problem is None:
            return Result(exercise, exercise.points, Status.PASSED, "", seconds)
        message = problem.message
        if exercise.hint and problem.status in WRONG_ANSWERS:
            message += f"\nHint: {exercise.hint}"
        return Result(exercise, 0, problem.status, message, seconds)

    def lesson_path(self, exercise: Exercise) -> Path:
        """Locate the learner's file: ``weekN/lesson.py`` or flat ``lesson.py``."""
        nested = (self.target / exercise.module).resolve()
        flat = (self.target / Path(exercise.module).name).resolve()
        return flat if not nested.is_file() and flat.is_file() else nested

    def rerun_note(self, exercise: Exercise) -> str:
        """How to re-run an exercise's hidden cases exactly."""
        seed = self.seed
        return f"grading seed {seed}; re-run: ai4md grade {exercise.name} --seed {seed}"

    def _cases(self, exercise: Exercise) -> Iterator[tuple[str, Case]]:
        for i, case in enumerate(exercise.public()):
            yield f"public case {i + 1}: {describe_case(exercise, case)}", case
        rng = np.random.default_rng([self.seed, zlib.crc32(exercise.id.encode())])
        hidden = exercise.hidden(rng)
        for i, case in enumerate(hidden):
            shapes = ", ".join(describe(a) for a in case.args)
            yield (
                (
                    f"hidden case {i + 1} of {len(hidden)} (arguments: {shapes}; "
                    f"{self.rerun_note(exercise)})"
                ),
                case,
            )

    def _server_ready(self) -> ForkServer:
        if self._server is None:
            self._server = ForkServer(self.memory_bytes)
        return self._server

    def _grade(self, exercise: Exercise) -> _Problem | None:
        path = self.lesson_path(exercise)
        if not path.is_file():
            return _Problem(Status.MISSING, f"file not found: {path}")
        if path in self._import_failures:
            return self._import_failures[path]
        module_name = "ai4md_submission." + exercise.id.rsplit(".", 1)[0]
        try:
            child = self._server_ready().spawn(str(path), module_name, self.timeout)
        except ChildFailure as failure:
            problem = self._import_problem(path, failure)
            self._import_failures[path] = problem
            return problem
        try:
            for label, case in self._cases(exercise):
                for kind in exercise.kinds():
                    problem = self._run(child, exercise, kind, case)
                    if problem is not None:
                        return _Problem(problem.status, f"{label}\n{problem.message}")
            if not self._server.ping():
                return _Problem(
                    Status.CRASHED,
                    "killed the grader's worker process (the parent "
                    "of the process that runs your code)",
                )
            return None
        finally:
            child.kill()

    def _import_problem(self, path: Path, failure: ChildFailure) -> _Problem:
        if failure.status is Status.TIMEOUT:
            message = (
                f"importing {path.name} did not finish within "
                f"{self.timeout:g} s (code at module level that never ends?)"
            )
        elif failure.status is Status.IMPORT_ERROR:
            message = (
                f"{path.name} {ReplyStatus.IMPORT_ERROR.describe(failure.message)}"
            )
        else:
            message = f"importing {path.name} {failure.message}"
        return _Problem(Status.IMPORT_ERROR, message)

    def _request(
        self, child: Child, request: Request
    ) -> tuple[Reply | None, _Problem | None]:
        try:
            reply = child.request(request, self.timeout)
        except ChildFailure as failure:
            printed = child.output_text().strip()
            tail = f"\nIt printed:\n{printed[-800:]}" if printed else ""
            return None, _Problem(failure.status, f"{failure.message}{tail}")
        return reply, _reply_problem(reply, self.memory_bytes)

    def _run(
        self, child: Child, exercise: Exercise, kind: str, case: Case
    ) -> _Problem | None:
        if kind == "call":
            return self._run_call(child, exercise, case)
        if kind == "roundtrip":
            return self._run_roundtrip(child, exercise, case)
        if kind == "gradcheck":
            return self._run_gradcheck(child, exercise, case)
        raise ValueError(f"unknown grading kind {kind!r} for {exercise.id}")

    def _check_value(
        self,
        exercise: Exercise,
        case: Case,
        expected: Any,
        reply: Reply,
        original_inputs: list,
    ) -> _Problem | None:
        changed = _changed_argument(original_inputs, reply.inputs)
        if changed is not None:
            return _Problem(
                Status.MUTATED_INPUT,
                f"modified its input in place ({changed}); "
                "work on a copy (for example x.copy()) instead",
            )
        value = reply.value
        if exercise.verify is not None:
            message = exercise.verify(case, value)
            return _Problem(Status.WRONG_VALUE, message) if message else None
        mismatch = compare(expected, value, exercise.compare)
        return _Problem(mismatch.status, mismatch.message) if mismatch else None

    def _run_call(
        self, child: Child, exercise: Exercise, case: Case
    ) -> _Problem | None:
        expected = None
        if exercise.verify is None:
            expected = exercise.oracle(*case.args, **case.kwargs)
            for args, kwargs in case.then:
                expected = expected(*args, **kwargs)
            if exercise.pick is not None:
                expected = expected[exercise.pick]
        request = Call(
            exercise.name,
            list(case.args),
            dict(case.kwargs),
            tuple(case.then),
            exercise.pick,
        )
        reply, problem = self._request(child, request)
        if problem is not None:
            return problem
        if reply.not_callable:
            return _Problem(
                Status.WRONG_TYPE,
                "wrong type: expected a function to be returned, "
                f"got {describe(reply.value)}",
            )
        return self._check_value(
            exercise, case, expected, reply, [list(case.args), dict(case.kwargs)]
        )

    def _run_roundtrip(
        self, child: Child, exercise: Exercise, case: Case
    ) -> _Problem | None:
        forward, backward = exercise.oracle
        out, cache = forward(*case.args, **case.kwargs)
        expected = {"out": out, "grads": backward(case.dout, cache)}
        request = Roundtrip(
            exercise.forward_name,
            exercise.name,
            list(case.args),
            dict(case.kwargs),
            case.dout,
        )
        reply, problem = self._request(child, request)
        if problem is not None:
            return problem
        return self._check_value(
            exercise,
            case,
            expected,
            reply,
            [list(case.args), dict(case.kwargs), case.dout],
        )

    def _run_gradcheck(
        self, child: Child, exercise: Exercise, case: Case
    ) -> _Problem | None:
        request = Gradcheck(
            exercise.forward_name,
            exercise.name,
            list(case.args),
            dict(case.kwargs),
            case.dout,
            tuple(case.wrt),
        )
        reply, problem = self._request(child, request)
        if problem is not None:
            return problem
        float_args = [
            np.array(a, dtype=np.float64) if i in case.wrt else a
            for i, a in enumerate(case.args)
        ]
        original = [float_args, dict(case.kwargs), np.asarray(case.dout, np.float64)]
        changed = _changed_argument(original, reply.inputs)
        if changed is not None:
            return _Problem(
                Status.MUTATED_INPUT,
                f"{exercise.forward_name} or {exercise.name} modified its input in "
                f"place ({changed}); work on a copy (for example x.copy()) instead",
            )
        if not isinstance(reply.value, list):
            return _Problem(Status.CRASHED, "the gradient check sent a malformed reply")
        try:
            entries = [GradcheckEntry.from_message(m) for m in reply.value]
        except ProtocolError as exc:
            return _Problem(Status.CRASHED, str(exc))
        for entry in entries:
            problem = _gradcheck_problem(exercise, case, entry)
            if problem is not None:
                return problem
        return None


def _changed_argument(original: list, after: Any) -> str | None:
    """Name the argument modified in place: 'argument 2', 'argument th' or 'dout'."""
    if not isinstance(after, list) or len(after) != len(original):
        return "the arguments"
    args, kwargs = original[0], original[1]
    for i, value in enumerate(args):
        if inputs_changed(value, after[0][i] if i < len(after[0]) else None):
            return f"argument {i + 1}"
    for key, value in kwargs.items():
        if inputs_changed(
            value, after[1].get(key) if isinstance(after[1], dict) else None
        ):
            return f"argument {key}"
    if len(original) > 2 and inputs_changed(original[2], after[2]):
        return "dout"
    return None


def _gradcheck_problem(
    exercise: Exercise, case: Case, entry: GradcheckEntry
) -> _Problem | None:
    index, analytic = entry.index, entry.analytic
    x = np.asarray(case.args[index])
    what = f"the gradient for argument {index + 1} (shape {x.shape})"
    if not isinstance(analytic, np.ndarray) or analytic.shape != x.shape:
        return _Problem(
            Status.WRONG_SHAPE,
            f"{what}: expected an array of shape {x.shape}, got {describe(analytic)}",
        )
    coords, numeric = entry.coords, entry.numeric
    picked = analytic.reshape(-1)[coords].astype(np.float64)
    close = np.isclose(picked, numeric, rtol=GRADCHECK_RTOL, atol=GRADCHECK_ATOL)
    if close.all():
        return None
    k = int(np.argmin(close))
    where = tuple(int(i) for i in np.unravel_index(int(coords[k]), x.shape))
    return _Problem(
        Status.WRONG_VALUE,
        (
            f"gradient check: {what} at index {where} is {picked[k]:.6g} from "
            f"{exercise.name}, but a numerical derivative of your own "
            f"{exercise.forward_name} gives {numeric[k]:.6g}. "
            "If the forward passes its "
            "check, the backward is wrong; otherwise fix the forward first."
        ),
    )
