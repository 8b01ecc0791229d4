"""Plain-data messages between the grader and its worker processes.

The worker runs untrusted learner code, so what it sends back must never be
able to run code in the grader. Messages therefore carry *plain data only*:
``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``, NumPy scalars and
arrays of numeric, bool, string or structured dtypes, and lists, tuples and
``str``-keyed dicts of those. Anything else is replaced on the sending side by
an `Unsupported` marker that names its type, which the grader reports as a
wrong type. Nothing is ever unpickled: the receiver rebuilds values from a
JSON header and raw array bytes, and rejects object dtypes.

Frame layout: 8-byte big-endian payload length, then the payload::

    4-byte header length | JSON header | array bytes, back to back

`write_frame` and `read_frame` (with an optional deadline) are the only code
that writes or reads frames, on both sides. What the messages mean is
`autograder.protocol`'s business.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Closed",
    "Unsupported",
    "WireError",
    "decode",
    "encode",
    "read_frame",
    "write_frame",
]

MAX_FRAME_BYTES = 1 << 31  # 2 GiB: a larger frame is a protocol error, not data
_PLAIN_KINDS = set("biufcUSV")  # V: structured, checked field by field
_MAX_DEPTH = 32


class WireError(Exception):
    """A frame could not be read or decoded (the peer broke the protocol)."""


class Closed(WireError):
    """The peer closed the connection before a whole frame arrived."""


@dataclass(frozen=True)
class Unsupported:
    """Stands for a value that is not plain data (its type name and a short repr)."""

    type_name: str
    text: str = ""

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


def _dtype_is_plain(dtype: np.dtype) -> bool:
    if dtype.kind == "V":
        if dtype.fields is None:
            return False
        return all(_dtype_is_plain(field[0]) for field in dtype.fields.values())
    return dtype.kind in _PLAIN_KINDS and not dtype.hasobject


def _short_repr(value: Any) -> str:
    try:
        text = object.__repr__(value)
    except Exception:  # any failure just drops the text
        text = ""
    return text[:120]


def _encode_float(x: float):
    if math.isfinite(x):
        return x
    return {"__float__": repr(x)}  # 'nan', 'inf', '-inf' survive JSON


def encode(value: Any) -> bytes:
    """Serialise ``value`` (plain data; anything else becomes `Unsupported`)."""
    buffers: list[bytes] = []
    offset = [0]

    def add_array(arr: np.ndarray) -> dict:
        arr = np.asarray(arr, order="C")  # keeps 0-d arrays 0-d
        data = arr.tobytes()
        entry = {
            "dtype": arr.dtype.descr if arr.dtype.kind == "V" else arr.dtype.str,
            "shape": list(arr.shape),
            "offset": offset[0],
            "nbytes": len(data),
        }
        buffers.append(data)
        offset[0] += len(data)
        return entry

    def walk(x, depth):
        if depth > _MAX_DEPTH:
            return {"__unsupported__": ["nesting too deep", ""]}
        kind = type(x)
        if x is None or kind is bool or kind is str:
            return x
        if kind is int:
            return x if abs(x) < 2**53 else {"__bigint__": str(x)}
        if kind is float:
            return _encode_float(x)
        if kind is complex:
            return {"__complex__": [_encode_float(x.real), _encode_float(x.imag)]}
        if isinstance(x, np.generic) and _dtype_is_plain(x.dtype):
            return {"__scalar__": add_array(np.asarray(x))}
        if isinstance(x, np.ndarray):
            if not _dtype_is_plain(x.dtype):
                return {"__unsupported__": [f"ndarray of dtype {x.dtype}", ""]}
            return {"__ndarray__": add_array(np.asarray(x).view(np.ndarray))}
        if kind is list or kind is tuple:
            tag = "__list__" if kind is list else "__tuple__"
            return {tag: [walk(item, depth + 1) for item in x]}
        if kind is dict and all(type(k) is str for k in x):
            return {"__dict__": [[k, walk(v, depth + 1)] for k, v in x.items()]}
        return {"__unsupported__": [type(x).__name__, _short_repr(x)]}

    header = json.dumps(walk(value, 0), allow_nan=False).encode()
    return struct.pack(">I", len(header)) + header + b"".join(buffers)


def decode(payload: bytes) -> Any:
    """Rebuild the value sent by `encode`; raise `WireError` on anything malformed."""
    try:
        (header_len,) = struct.unpack(">I", payload[:4])
        header = json.loads(payload[4 : 4 + header_len])
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise WireError(f"malformed header: {exc}") from None
    data = memoryview(payload)[4 + header_len :]

    def array(entry) -> np.ndarray:
        descr, shape = entry["dtype"], tuple(int(s) for s in entry["shape"])
        start, nbytes = int(entry["offset"]), int(entry["nbytes"])
        dtype = np.dtype(
            [tuple(f) for f in descr] if isinstance(descr, list) else descr
        )
        if not _dtype_is_plain(dtype):
            raise WireError(f"refused dtype {dtype}")
        if (
            start < 0
            or start + nbytes > len(data)
            or nbytes != dtype.itemsize * math.prod(shape)
        ):
            raise WireError("array bytes out of range")
        return (
            np.frombuffer(data[start : start + nbytes], dtype=dtype)
            .reshape(shape)
            .copy()
        )

    def walk(x):
        if x is None or isinstance(x, (bool, int, float, str)):
            return x
        if not isinstance(x, dict) or len(x) != 1:
            raise WireError(f"unexpected element {type(x).__name__}")
        ((tag, body),) = x.items()
        if tag == "__float__":
            return float(body)
        if tag == "__bigint__":
            return int(body)
        if tag == "__complex__":
            return complex(walk(body[0]), walk(body[1]))
        if tag == "__scalar__":
            return array(body)[()]
        if tag == "__ndarray__":
            return array(body)
        if tag == "__list__":
            return [walk(item) for item in body]
        if tag == "__tuple__":
            return tuple(walk(item) for item in body)
        if tag == "__dict__":
            return {str(k): walk(v) for k, v in body}
        if tag == "__unsupported__":
            return Unsupported(str(body[0]), str(body[1]))
        raise WireError(f"unknown tag {tag!r}")

    try:
        return walk(header)
    except WireError:
        raise
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        raise WireError(f"malformed message: {exc}") from None


def write_frame(fd: int, payload: bytes) -> None:
    """Write one length-prefixed frame to file descriptor ``fd``."""
    view = memoryview(struct.pack(">Q", len(payload)) + payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, remaining = [], n
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
        try:
            chunk = os.read(fd, min(remaining, 1 << 20))
        except OSError as exc:  # a reset or closed connection
            raise Closed(f"connection lost ({exc})") from None
        if not chunk:
            raise Closed("connection closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float | None = None) -> bytes:
    """Read one frame written by `write_frame` from file descriptor ``fd``.

    Parameters
    ----------
    fd : int
        A readable file descriptor (a pipe or a socket).
    deadline : float, optional
        A `time.monotonic` time by which the whole frame must have arrived;
        without it, block until it has.

    Raises
    ------
    TimeoutError
        If ``deadline`` passes first.
    Closed
        If the peer closed the connection before a whole frame arrived.
    WireError
        If the announced length exceeds ``MAX_FRAME_BYTES``.
    """
    (length,) = struct.unpack(">Q", _read_exactly(fd, 8, deadline))
    if length > MAX_FRAME_BYTES:
        raise WireError(f"frame of {length} bytes is too large")
    return _read_exactly(fd, length, deadline)
