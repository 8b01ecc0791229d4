"""What the grader and its worker processes say to each other, in one place.

Statuses
    `Status`: how grading one exercise ended (the ``status`` of a `Result`),
    each with the short label the score table shows. `ReplyStatus`: what a
    worker child answers to one request; each failure names the `Status` it
    is graded as and the message the learner reads.
Requests (grader -> worker)
    `Spawn`, `Ping` and `Sweep` go to the fork server, `Call`, `Roundtrip` and
    `Gradcheck` to a child that has imported a learner module (see
    `autograder.procedures`). They are frozen dataclasses, and every field is
    sent: `encode_request` pickles the object itself, which is safe in this
    direction only (the grader is trusted; the worker unpickles).
Replies and events (worker -> grader)
    `Reply` (from a child), `GradcheckEntry` (inside a gradient-check reply)
    and `Event` (from the fork server, kinds in `EventKind`) travel as plain
    data through `autograder.wire`: `to_message` builds that data and
    `from_message` checks it, raising `ProtocolError` for anything else, so
    nothing a worker sends is unpickled or trusted.

Frames are written and read by `autograder.wire` (`write_frame`, `read_frame`
with an optional deadline).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any

import numpy as np

from autograder import wire

__all__ = [
    "CHILD_LOST_EXIT",
    "WRONG_ANSWERS",
    "Call",
    "Event",
    "EventKind",
    "Gradcheck",
    "GradcheckEntry",
    "Ping",
    "ProtocolError",
    "Reply",
    "ReplyStatus",
    "Request",
    "Roundtrip",
    "Spawn",
    "Sweep",
    "Status",
    "decode_request",
    "encode_request",
    "send",
]


class ProtocolError(wire.WireError):
    """A message decoded as plain data but is not one the protocol allows."""


class Status(str, Enum):
    """How grading one exercise ended; ``label`` is the score table's text.

    Members compare equal to their values (``Status.NAN == "nan"``).
    """

    label: str

    def __new__(cls, value: str, label: str) -> Status:
        """Build a member from its ``(value, label)`` definition."""
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __str__(self) -> str:
        return self.value

    PASSED = "passed", "passed"
    NOT_IMPLEMENTED = "not-implemented", "not implemented"
    EXCEPTION = "exception", "exception"
    TIMEOUT = "timeout", "timeout"
    CRASHED = "crashed", "worker crashed"
    EXITED = "exited", "worker exited"
    MEMORY = "memory", "memory limit"
    DISK_LIMIT = "disk-limit", "disk limit"
    ESCAPED = "escaped", "left a process"
    INTERRUPT = "interrupt", "interrupted"
    WRONG_TYPE = "wrong-type", "wrong type"
    WRONG_SHAPE = "wrong-shape", "wrong shape"
    WRONG_DTYPE = "wrong-dtype", "wrong dtype"
    NAN = "nan", "NaN/Inf"
    WRONG_VALUE = "wrong-value", "wrong values"
    MUTATED_INPUT = "mutated-input", "input modified"
    MISSING = "missing", "missing"
    IMPORT_ERROR = "import-error", "import failed"
    GRADER_ERROR = "grader-error", "grader error"
    FORBIDDEN = "forbidden", "forbidden import"


# The exit code of a worker child whose own loop ended without answering: its
# channel to the grader broke (learner code closed its file descriptors).
CHILD_LOST_EXIT = 70

# A wrong answer (rather than a crash or a limit): the exercise's hint is shown.
WRONG_ANSWERS = frozenset(
    {
        Status.WRONG_VALUE,
        Status.WRONG_SHAPE,
        Status.WRONG_TYPE,
        Status.WRONG_DTYPE,
        Status.NAN,
        Status.EXCEPTION,
    }
)


class ReplyStatus(str, Enum):
    """What a worker child answers: ``ok``, ``ready``, or a failure.

    A failure's ``outcome`` is the `Status` it is graded as, and ``message`` the
    text the learner reads (`describe` fills in the worker's detail).
    """

    outcome: Status | None
    message: str

    def __new__(cls, value: str, outcome: Status | None, message: str) -> ReplyStatus:
        """Build a member from its ``(value, outcome, message)`` definition."""
        member = str.__new__(cls, value)
        member._value_ = value
        member.outcome, member.message = outcome, message
        return member

    def __str__(self) -> str:
        return self.value

    OK = "ok", None, ""
    READY = "ready", None, ""  # the learner module was imported
    IMPORT_ERROR = (
        "import-error",
        Status.IMPORT_ERROR,
        "could not be imported:\n{detail}",
    )
    NOT_IMPLEMENTED = (
        "not-implemented",
        Status.NOT_IMPLEMENTED,
        "not implemented yet (raises NotImplementedError): {detail}",
    )
    MEMORY = (
        "memory",
        Status.MEMORY,
        "ran out of memory (limit {limit_gib:.1f} GiB):\n{detail}",
    )
    DISK_LIMIT = (  # detail: the limit, then the traceback (autograder.confine)
        "disk-limit",
        Status.DISK_LIMIT,
        "tried to write a file larger than the grader's limit of {detail}",
    )
    ESCAPED = "escaped", Status.ESCAPED, "left {detail}"  # autograder.confine
    EXCEPTION = "exception", Status.EXCEPTION, "raised an exception:\n{detail}"
    EXIT = "exit", Status.EXITED, "tried to exit the grader: {detail}"
    INTERRUPT = "interrupt", Status.INTERRUPT, "raised KeyboardInterrupt: {detail}"
    MISSING = "missing", Status.MISSING, "missing function: {detail}"
    BAD_RESULT = (
        "bad-result",
        Status.WRONG_TYPE,
        "returned a value that cannot be sent back to the grader ({detail})",
    )
    FORBIDDEN = "forbidden", Status.FORBIDDEN, "{detail}"  # autograder.forbidden

    def describe(self, detail: str, memory_bytes: int = 0) -> str:
        """Return the learner's message for this failure and the worker's ``detail``."""
        return self.message.format(
            detail=detail, limit_gib=memory_bytes / 2**30
        ).rstrip()


# ------------------------------------------------------ requests (grader -> worker)


@dataclass(frozen=True)
class Spawn:
    """Ask the fork server for a child that imports the learner file ``path``.

    ``forbidden``: the dotted names the exercise may not use (`autograder.forbidden`).
    """

    path: str
    module_name: str
    token: int
    memory_bytes: int
    forbidden: tuple = ()
    # confinement (`autograder.confine`): largest file, private folder, user, processes
    disk_bytes: int = 0
    tmpdir: str = ""
    uid: int = -1
    gid: int = -1
    nproc: int = 0
    numba_dir: str = ""  # Numba's cache for an unprivileged child


@dataclass(frozen=True)
class Ping:
    """Ask the fork server to answer with a ``pong`` event carrying ``token``."""

    token: int


@dataclass(frozen=True)
class Call:
    """``func(*args, **kwargs)``, then each ``(args, kwargs)`` of ``then`` in turn.

    ``pick`` keeps only that item of the returned tuple (``None``: the value).
    """

    func: str
    args: list
    kwargs: dict
    then: tuple = ()
    pick: int | None = None


@dataclass(frozen=True)
class Roundtrip:
    """``out, cache = forward(*args, **kwargs)``, then ``backward(dout, cache)``."""

    forward: str
    backward: str
    args: list
    kwargs: dict
    dout: Any


@dataclass(frozen=True)
class Gradcheck:
    """Numerical versus analytic gradient of ``sum(forward(...)[0] * dout)``.

    Differentiates with respect to the positional arguments ``wrt``, at up to
    ``max_coords`` coordinates each (drawn with ``seed``), with step ``h``.
    """

    forward: str
    backward: str
    args: list
    kwargs: dict
    dout: Any
    wrt: tuple
    seed: int = 0
    h: float = 1e-6
    max_coords: int = 20


@dataclass(frozen=True)
class Sweep:
    """Ask the fork server to kill every process below it but its children.

    Sent after each exercise: what learner code left running. The server
    answers with a ``swept`` event carrying ``token`` and the ``count``.
    """

    token: int


Request = Spawn | Ping | Sweep | Call | Roundtrip | Gradcheck
_REQUESTS = (Spawn, Ping, Sweep, Call, Roundtrip, Gradcheck)


def encode_request(request: Request) -> bytes:
    """Serialise a request (pickle: only the trusted grader sends requests)."""
    if not isinstance(request, _REQUESTS):
        raise TypeError(f"not a request: {type(request).__name__}")
    return pickle.dumps(request)


def decode_request(payload: bytes) -> Request:
    """Rebuild a request sent by `encode_request` (worker side only)."""
    request = pickle.loads(payload)
    if not isinstance(request, _REQUESTS):
        raise ProtocolError(f"not a request: {type(request).__name__}")
    return request


# ------------------------------------------ replies and events (worker -> grader)


def _fields(message: Any, cls: type, what: str) -> dict:
    """Check that ``message`` is a dict with exactly ``cls``'s field names."""
    names = {f.name for f in fields(cls)}
    if not isinstance(message, dict) or set(message) != names:
        got = sorted(message) if isinstance(message, dict) else type(message).__name__
        raise ProtocolError(
            f"the worker sent a malformed {what} "
            f"(expected the fields {sorted(names)}, got {got})"
        )
    return message


@dataclass(frozen=True)
class Reply:
    """A child's answer to one request.

    Parameters
    ----------
    status : ReplyStatus
        ``ok``, ``ready`` or the failure.
    value
        The learner's result (``ok``): plain data, `autograder.wire.Unsupported`
        markers standing for anything else.
    inputs
        The arguments after the call, to detect in-place modification.
    message : str
        A failure's detail (the learner's traceback, or what went wrong).
    not_callable : bool
        ``call`` with ``then``: the learner returned something not callable.
    """

    status: ReplyStatus
    value: Any = None
    inputs: Any = None
    message: str = ""
    not_callable: bool = False

    def to_message(self) -> dict:
        """Return the plain data sent for this reply."""
        return {
            "status": self.status.value,
            "value": self.value,
            "inputs": self.inputs,
            "message": self.message,
            "not_callable": self.not_callable,
        }

    @classmethod
    def from_message(cls, message: Any) -> Reply:
        """Check and rebuild a reply; raise `ProtocolError` if it is malformed."""
        message = _fields(message, cls, "reply")
        try:
            status = ReplyStatus(message["status"])
        except (ValueError, TypeError):
            raise ProtocolError(
                f"the worker replied with an unknown status {message['status']!r}"
            ) from None
        return cls(
            status,
            message["value"],
            message["inputs"],
            str(message["message"]),
            message["not_callable"] is True,
        )


@dataclass(frozen=True)
class GradcheckEntry:
    """One differentiated argument of a gradient-check reply.

    Parameters
    ----------
    index : int
        Position of the argument in ``args``.
    coords : ndarray of shape (M,), int64
        Flat indices of the sampled coordinates.
    numeric : ndarray of shape (M,), float64
        Central-difference derivatives at ``coords``.
    analytic
        The learner's whole gradient for that argument, as returned.
    """

    index: int
    coords: np.ndarray
    numeric: np.ndarray
    analytic: Any

    def to_message(self) -> dict:
        """Return the plain data sent for this entry."""
        return {
            "index": self.index,
            "coords": self.coords,
            "numeric": self.numeric,
            "analytic": self.analytic,
        }

    @classmethod
    def from_message(cls, message: Any) -> GradcheckEntry:
        """Check and rebuild an entry; raise `ProtocolError` if it is malformed."""
        message = _fields(message, cls, "gradient check reply")
        index, coords, numeric = (message[k] for k in ("index", "coords", "numeric"))
        if (
            type(index) is not int
            or not isinstance(coords, np.ndarray)
            or coords.dtype.kind not in "iu"
            or not isinstance(numeric, np.ndarray)
            or numeric.shape != coords.shape
        ):
            raise ProtocolError("the gradient check sent a malformed reply")
        return cls(index, coords, numeric, message["analytic"])


class EventKind(str, Enum):
    """What the fork server reports on its control socket."""

    def __str__(self) -> str:
        return self.value

    READY = "ready"  # started, libraries imported
    SPAWNED = "spawned"  # forked a child for a `Spawn` (``pid``, ``token``)
    PONG = "pong"  # answered a `Ping` (``token``)
    SWEPT = "swept"  # answered a `Sweep` (``token``, ``count`` killed)
    EXITED = "exited"  # a child ended (``pid``, and ``signal`` or ``code``)


@dataclass(frozen=True)
class Event:
    """One fork-server event; unused fields keep their defaults (and are sent)."""

    kind: EventKind
    pid: int = 0
    token: int = -1
    signal: int | None = None
    code: int | None = None
    count: int = 0

    def to_message(self) -> dict:
        """Return the plain data sent for this event."""
        return {
            "kind": self.kind.value,
            "pid": self.pid,
            "token": self.token,
            "signal": self.signal,
            "code": self.code,
            "count": self.count,
        }

    @classmethod
    def from_message(cls, message: Any) -> Event:
        """Check and rebuild an event; raise `ProtocolError` if it is malformed."""
        message = _fields(message, cls, "event")
        try:
            kind = EventKind(message["kind"])
        except (ValueError, TypeError):
            raise ProtocolError(f"unknown event {message['kind']!r}") from None
        numbers = [message[k] for k in ("pid", "token", "signal", "code", "count")]
        if any(n is not None and type(n) is not int for n in numbers):
            raise ProtocolError(f"malformed {kind.value} event")
        return cls(kind, *numbers)

    @property
    def exit_status(self) -> tuple[str, int]:
        """``("signal", number)`` or ``("code", exit code)`` of an ``exited`` event."""
        if self.signal is not None:
            return "signal", self.signal
        return "code", self.code if self.code is not None else 0


def send(fd: int, message: Reply | Event) -> None:
    """Write one reply or event to ``fd`` as a plain-data frame."""
    wire.write_frame(fd, wire.encode(message.to_message()))
