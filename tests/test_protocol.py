"""autograder.protocol: statuses and their messages, requests, replies, frames.

The grader and its workers share one vocabulary; these tests pin it: every
status a worker can send is graded with a message and a table label, every
request survives the trip to the worker, replies and events are checked on
arrival, and the one frame reader honours its deadline and reports end of file.
"""

from __future__ import annotations

import os
import socket
import struct
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from autograder import wire
from autograder.engine import Grader
from autograder.protocol import (
    WRONG_ANSWERS,
    Call,
    Event,
    EventKind,
    Gradcheck,
    GradcheckEntry,
    Ping,
    ProtocolError,
    Reply,
    ReplyStatus,
    Roundtrip,
    Spawn,
    Status,
    decode_request,
    encode_request,
)
from autograder.spec import Case, Exercise
from autograder.verdict import reply_problem

FAILURES = [s for s in ReplyStatus if s not in (ReplyStatus.OK, ReplyStatus.READY)]


# ------------------------------------------------------------------------ statuses


def test_every_status_has_a_table_label():
    labels = [status.label for status in Status]
    assert all(labels) and len(set(labels)) == len(labels)
    assert Status.NAN == "nan" and f"{Status.WRONG_VALUE}" == "wrong-value"
    assert Status("wrong-shape") is Status.WRONG_SHAPE
    assert WRONG_ANSWERS <= set(Status)


@pytest.mark.parametrize("status", FAILURES, ids=str)
def test_every_failure_a_worker_can_send_has_a_message_and_a_label(status):
    assert isinstance(status.outcome, Status) and status.outcome.label
    assert status.message
    text = status.describe("DETAIL", memory_bytes=1 << 30)
    assert "DETAIL" in text and "{" not in text


@pytest.mark.parametrize("status", list(ReplyStatus), ids=str)
def test_the_grader_knows_every_status_a_worker_can_send(status):
    reply = Reply.from_message(
        wire.decode(wire.encode(Reply(status, message="DETAIL").to_message()))
    )
    assert reply.status is status
    problem = reply_problem(reply, 1 << 30)
    if status is ReplyStatus.OK:
        assert problem is None
    elif status is ReplyStatus.READY:  # only ever the answer to a Spawn
        assert problem.status is Status.CRASHED
    else:
        assert problem.status is status.outcome
        assert "unknown status" not in problem.message and "DETAIL" in problem.message


def test_messages_read_as_before():
    assert ReplyStatus.MEMORY.describe("MemoryError", 2 << 30) == (
        "ran out of memory (limit 2.0 GiB):\nMemoryError"
    )
    assert ReplyStatus.NOT_IMPLEMENTED.describe("NotImplementedError: x") == (
        "not implemented yet (raises NotImplementedError): NotImplementedError: x"
    )
    assert ReplyStatus.EXIT.outcome is Status.EXITED
    assert ReplyStatus.BAD_RESULT.outcome is Status.WRONG_TYPE


# ------------------------------------------------------------------------ requests

REQUESTS = [
    Spawn("/tmp/week0/m.py", "ai4md_submission.week0.m", 3, 1 << 30),
    Ping(7),
    Call("f", [1, 2.5], {"axis": 0}, (((3,), {}),), 0),
    Call("g", [[1, 2]], {}),
    Roundtrip("conv_forward", "conv_backward", [1.0, "x"], {"stride": 2}, 4.0),
    Gradcheck("f_forward", "f_backward", [1.0, 2.0], {}, 1.0, (0,)),
    Gradcheck("f_forward", "f_backward", [1.0], {"k": 1}, 1.0, (0,), 5, 1e-4, 3),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: type(r).__name__)
def test_requests_round_trip_with_every_field(request_):
    back = decode_request(encode_request(request_))
    assert type(back) is type(request_) and back == request_


def test_request_arrays_arrive_as_fresh_equal_copies():
    x = np.arange(6.0).reshape(2, 3)
    back = decode_request(encode_request(Call("f", [x], {"w": x})))
    np.testing.assert_array_equal(back.args[0], x)
    assert back.args[0] is not x and back.kwargs["w"].dtype == x.dtype


def test_gradcheck_sends_its_numerical_settings():
    request = decode_request(encode_request(REQUESTS[5]))
    assert (request.seed, request.h, request.max_coords) == (0, 1e-6, 20)


def test_only_requests_are_sent_and_accepted():
    with pytest.raises(TypeError):
        encode_request({"proc": "call"})
    import pickle

    with pytest.raises(ProtocolError):
        decode_request(pickle.dumps({"proc": "call", "func": "f"}))


# ------------------------------------------------------------ replies and events


def _through_wire(message):
    return wire.decode(wire.encode(message))


def test_replies_events_and_gradcheck_entries_round_trip():
    reply = Reply(ReplyStatus.OK, np.arange(3.0), [[1], {}], "", True)
    back = Reply.from_message(_through_wire(reply.to_message()))
    assert back.status is ReplyStatus.OK and back.not_callable is True
    np.testing.assert_array_equal(back.value, reply.value)

    for event in (
        Event(EventKind.READY, pid=12),
        Event(EventKind.SPAWNED, pid=13, token=4),
        Event(EventKind.PONG, token=5),
        Event(EventKind.EXITED, pid=13, signal=9),
        Event(EventKind.EXITED, pid=14, code=3),
    ):
        assert Event.from_message(_through_wire(event.to_message())) == event
    assert Event(EventKind.EXITED, pid=1, signal=11).exit_status == ("signal", 11)
    assert Event(EventKind.EXITED, pid=1, code=3).exit_status == ("code", 3)

    entry = GradcheckEntry(1, np.array([0, 4], np.int64), np.ones(2), np.zeros(5))
    back = GradcheckEntry.from_message(_through_wire(entry.to_message()))
    assert back.index == 1
    np.testing.assert_array_equal(back.coords, entry.coords)


@pytest.mark.parametrize(
    "message, words",
    [
        ("ok", "malformed reply"),
        ({"status": "ok"}, "malformed reply"),
        (
            {**Reply(ReplyStatus.OK).to_message(), "extra": 1},
            "malformed reply",
        ),
        (
            {**Reply(ReplyStatus.OK).to_message(), "status": "bad-news"},
            "unknown status 'bad-news'",
        ),
    ],
)
def test_malformed_replies_are_refused_with_a_reason(message, words):
    with pytest.raises(ProtocolError, match=words):
        Reply.from_message(message)


def test_malformed_events_and_entries_are_refused():
    with pytest.raises(ProtocolError, match="unknown event"):
        Event.from_message({**Event(EventKind.PONG).to_message(), "kind": "boom"})
    with pytest.raises(ProtocolError):
        Event.from_message({**Event(EventKind.PONG).to_message(), "pid": "1"})
    entry = GradcheckEntry(0, np.array([0]), np.ones(1), None).to_message()
    with pytest.raises(ProtocolError):
        GradcheckEntry.from_message({**entry, "coords": [0]})


# -------------------------------------------------------------------------- frames


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair()
    yield ours, theirs
    for s in (ours, theirs):
        s.close()


def test_read_frame_returns_what_write_frame_wrote(pair):
    ours, theirs = pair
    wire.write_frame(theirs.fileno(), b"hello")
    wire.write_frame(theirs.fileno(), b"")
    assert wire.read_frame(ours.fileno()) == b"hello"
    assert wire.read_frame(ours.fileno(), time.monotonic() + 5) == b""


def test_read_frame_honours_its_deadline(pair):
    ours, theirs = pair
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        wire.read_frame(ours.fileno(), start + 0.2)
    assert 0.15 < time.monotonic() - start < 2.0

    theirs.sendall(struct.pack(">Q", 10) + b"abc")  # a frame that never completes
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        wire.read_frame(ours.fileno(), start + 0.2)
    assert time.monotonic() - start < 2.0


def test_read_frame_waits_for_a_slow_writer_within_the_deadline(pair):
    ours, theirs = pair
    payload = b"x" * 100_000

    def write_slowly():
        frame = struct.pack(">Q", len(payload)) + payload
        for i in range(0, len(frame), 30_000):
            theirs.sendall(frame[i : i + 30_000])
            time.sleep(0.02)

    thread = threading.Thread(target=write_slowly)
    thread.start()
    assert wire.read_frame(ours.fileno(), time.monotonic() + 10) == payload
    thread.join()


@pytest.mark.parametrize("sent", [b"", struct.pack(">Q", 10) + b"abc", b"\x00\x00"])
@pytest.mark.parametrize("deadline", [None, 5.0])
def test_read_frame_reports_end_of_file(pair, sent, deadline):
    ours, theirs = pair
    theirs.sendall(sent)
    theirs.close()
    with pytest.raises(wire.Closed):
        wire.read_frame(
            ours.fileno(), None if deadline is None else time.monotonic() + deadline
        )


def test_read_frame_refuses_an_oversized_frame(pair):
    ours, theirs = pair
    theirs.sendall(struct.pack(">Q", wire.MAX_FRAME_BYTES + 1))
    with pytest.raises(wire.WireError, match="too large"):
        wire.read_frame(ours.fileno(), time.monotonic() + 5)


def test_read_frame_works_on_a_pipe():
    read_fd, write_fd = os.pipe()
    try:
        wire.write_frame(write_fd, b"pipe")
        assert wire.read_frame(read_fd, time.monotonic() + 5) == b"pipe"
    finally:
        os.close(read_fd)
        os.close(write_fd)


# ------------------------------------------- a value the worker cannot send back

UNSENDABLE = textwrap.dedent("""
    import numpy as np

    class NoDtype(np.ndarray):
        @property
        def dtype(self):
            raise RuntimeError("no dtype for you")

    def good(a, b):
        return a + b

    def no_dtype(a, b):
        return (a + b).view(NoDtype)

    def huge_int(a, b):
        return 10 ** 5000
""")


def _exercise(name: str) -> Exercise:
    return Exercise(
        module="week0/unsendable.py",
        name=name,
        points=2,
        oracle=lambda a, b: a + b,
        public=lambda: [Case((np.arange(3.0), np.ones(3)))],
        hidden=lambda rng: [],
        hint="return an array",
    )


def test_a_value_that_cannot_be_sent_back_is_a_wrong_type(tmp_path):
    (tmp_path / "week0").mkdir()
    (tmp_path / "week0" / "unsendable.py").write_text(UNSENDABLE)
    names = ["no_dtype", "good", "huge_int", "good"]
    with Grader(tmp_path, timeout=10.0) as grader:
        results = [grader.grade(_exercise(name)) for name in names]
    no_dtype, good, huge_int, good_again = results
    unsendable = [no_dtype]
    if hasattr(sys, "get_int_max_str_digits"):  # Python >= 3.11 and late 3.10s
        assert "ValueError: Exceeds the limit" in huge_int.message
        unsendable.append(huge_int)
    for result in unsendable:
        assert (result.status, result.score) == ("wrong-type", 0), result.message
        assert "returned a value that cannot be sent back to the grader" in (
            result.message
        )
        assert "unknown status" not in result.message
        assert result.message.endswith("Hint: return an array")
    assert "RuntimeError: no dtype for you" in no_dtype.message
    assert good.passed and good_again.passed
