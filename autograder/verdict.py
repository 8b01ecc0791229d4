"""What one worker reply says about one case: a `Problem`, or None if it passed.

This module owns the checks `autograder.engine` applies once the worker child
has answered a request of `autograder.protocol`:

- `reply_problem`: a failure reply (an exception, a timeout, a forbidden use,
  ...) becomes the exercise's `Status` and the learner's message;
- `value_problem`: an argument modified in place, then the value against the
  oracle's (`autograder.compare`) or the exercise's own ``verify``, naming
  the usual mistake a wrong value matches (`autograder.mistakes`);
- `gradcheck_problem`: the gradient check, the backward's gradients against a
  numerical derivative of the learner's own forward, within `GRADCHECK_RTOL`
  and `GRADCHECK_ATOL`.

The case line, the inputs and the printed output around the message are added
by the engine (`autograder.feedback`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder import feedback
from autograder.compare import compare, describe, inputs_changed
from autograder.mistakes import MATCHED_STATUSES, mistake_sentence
from autograder.protocol import (
    GradcheckEntry,
    ProtocolError,
    Reply,
    ReplyStatus,
    Status,
)
from autograder.spec import Case, Exercise

__all__ = [
    "GRADCHECK_ATOL",
    "GRADCHECK_RTOL",
    "Problem",
    "gradcheck_problem",
    "reply_problem",
    "value_problem",
]

GRADCHECK_RTOL, GRADCHECK_ATOL = 1e-4, 1e-6


@dataclass(frozen=True)
class Problem:
    """Why a case (or a whole case group) failed: its status and message."""

    status: Status
    message: str
    on_hidden: bool = False  # the failing case is a hidden case
    ran: bool = True  # False: the group was not run


def reply_problem(reply: Reply, memory_bytes: int) -> Problem | None:
    """Turn a worker's failure reply into the exercise's status and message."""
    status = reply.status
    if status is ReplyStatus.OK:
        return None
    if status.outcome is None:
        return Problem(
            Status.CRASHED, f"the worker replied {status.value!r} to a request"
        )
    message = status.describe(reply.message, memory_bytes)
    return Problem(status.outcome, feedback.without_frozen(message))


def value_problem(
    exercise: Exercise,
    case: Case,
    expected: Any,
    reply: Reply,
    original_inputs: list,
) -> Problem | None:
    """Check a call's or round trip's reply: inputs unchanged, then the value.

    ``original_inputs`` is ``[args, kwargs]`` (and ``dout`` for a round trip)
    as sent; ``expected`` is the oracle's answer (unused when the exercise
    has a ``verify``).
    """
    changed = _changed_argument(original_inputs, reply.inputs)
    if changed is not None:
        return Problem(
            Status.MUTATED_INPUT,
            f"modified its input in place ({changed}); "
            "work on a copy (for example x.copy()) instead",
        )
    value = reply.value
    if exercise.verify is not None:
        message = exercise.verify(case, value)
        return Problem(Status.WRONG_VALUE, message) if message else None
    mismatch = compare(expected, value, exercise.compare, names=exercise.names)
    if mismatch is None:
        return None
    message = mismatch.message
    if mismatch.status in MATCHED_STATUSES and len(original_inputs) == 2:  # a call
        sentence = mistake_sentence(exercise, case, expected, value)
        message += f"\n{sentence}" if sentence else ""
    return Problem(mismatch.status, message)


def gradcheck_problem(exercise: Exercise, case: Case, reply: Reply) -> Problem | None:
    """Check a gradient check's reply: inputs unchanged, then every gradient."""
    float_args = [
        np.array(a, dtype=np.float64) if i in case.wrt else a
        for i, a in enumerate(case.args)
    ]
    original = [float_args, dict(case.kwargs), np.asarray(case.dout, np.float64)]
    changed = _changed_argument(original, reply.inputs)
    if changed is not None:
        return Problem(
            Status.MUTATED_INPUT,
            f"{exercise.forward_name} or {exercise.name} modified its input in "
            f"place ({changed}); work on a copy (for example x.copy()) instead",
        )
    if not isinstance(reply.value, list):
        return Problem(Status.CRASHED, "the gradient check sent a malformed reply")
    try:
        entries = [GradcheckEntry.from_message(m) for m in reply.value]
    except ProtocolError as exc:
        return Problem(Status.CRASHED, str(exc))
    for entry in entries:
        problem = _entry_problem(exercise, case, entry)
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


def _entry_problem(
    exercise: Exercise, case: Case, entry: GradcheckEntry
) -> Problem | None:
    index, analytic = entry.index, entry.analytic
    x = np.asarray(case.args[index])
    what = f"the gradient for argument {index + 1} (shape {x.shape})"
    if not isinstance(analytic, np.ndarray) or analytic.shape != x.shape:
        return Problem(
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
    return Problem(
        Status.WRONG_VALUE,
        (
            f"gradient check: {what} at index {where} is {picked[k]:.6g} from "
            f"{exercise.name}, but a numerical derivative of your own "
            f"{exercise.forward_name} gives {numeric[k]:.6g}. "
            "If the forward passes its "
            "check, the backward is wrong; otherwise fix the forward first."
        ),
    )
