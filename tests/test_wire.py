"""The plain-data codec between worker and grader: round trips and refusals."""

import json
import struct

import numpy as np
import pytest

from autograder.wire import Unsupported, WireError, decode, encode


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -7,
        2**60,
        1.5,
        float("nan"),
        float("inf"),
        -float("inf"),
        complex(1, -2),
        "text",
        [],
        (),
        {},
        [1, (2.0, "x"), {"k": [None]}],
        np.float32(1.25),
        np.int64(-3),
        np.bool_(True),
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.array([[True, False]]),
        np.array(["a", "bc"]),
        np.zeros((0, 3)),
        np.array([(1, 2.5)], dtype=[("patient", "i8"), ("score", "f4")]),
        np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    ],
)
def test_round_trip_keeps_value_type_and_dtype(value):
    back = decode(encode(value))
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape
        assert back.tobytes() == np.ascontiguousarray(value).tobytes()
    elif isinstance(value, float) and np.isnan(value):
        assert np.isnan(back)
    else:
        assert back == value


def test_non_plain_values_become_unsupported_markers():
    class Sneaky:
        def __reduce__(self):
            raise AssertionError("never pickled")

    back = decode(encode({"a": Sneaky(), "b": np.array([object()]), "c": {1: 2}}))
    assert back["a"] == Unsupported("Sneaky", back["a"].text)
    assert back["b"].type_name == "ndarray of dtype object"
    assert back["c"].type_name == "dict"


def test_subclasses_of_plain_types_are_not_trusted():
    class Weird(float):
        def __eq__(self, other):
            return True

    assert isinstance(decode(encode(Weird(1.0))), Unsupported)
    assert type(decode(encode(np.ma.masked_array([1.0, 2.0])))) is np.ndarray


def _frame(header) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack(">I", len(raw)) + raw


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\x00\x00\x00\x05{",
        _frame({"__nope__": 1}),
        _frame([1, 2]),
        _frame(
            {"__ndarray__": {"dtype": "|O", "shape": [1], "offset": 0, "nbytes": 8}}
        ),
        _frame(
            {"__ndarray__": {"dtype": "<f8", "shape": [4], "offset": 0, "nbytes": 32}}
        ),
    ],
)
def test_malformed_or_dangerous_payloads_are_refused(payload):
    with pytest.raises(WireError):
        decode(payload)
