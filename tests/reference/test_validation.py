"""The shared boundary checks of reference/_validation.py, and their single home."""

import ast
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

from reference._validation import (
    check_cache,
    check_dout,
    check_layer_input,
    conv_output_size,
    spatial_tuple,
)

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- spatial_tuple


@pytest.mark.parametrize(
    ("value", "ndim", "expected"),
    [
        (2, 2, (2, 2)),
        (3, 3, (3, 3, 3)),
        (1, 1, (1,)),
        ((1, 2), 2, (1, 2)),
        ([1, 2, 3], 3, (1, 2, 3)),  # a list is accepted like a tuple
        (np.int64(2), 2, (2, 2)),
        ((np.int32(1), np.uint8(4)), 2, (1, 4)),
        (0, 2, (0, 0)),  # minimum 0 (the default) allows 0
    ],
)
def test_spatial_tuple_accepts_ints_and_tuples_of_ints(value, ndim, expected):
    result = spatial_tuple(value, ndim, "stride", "f")
    assert result == expected
    assert type(result) is tuple and all(type(v) is int for v in result)


@pytest.mark.parametrize(
    "value",
    [
        2.0,
        np.float64(2.0),
        True,
        np.bool_(True),
        "2",
        None,
        (2, 2.0),
        (2, True),
        np.array([2, 2]),
    ],
)
def test_spatial_tuple_refuses_non_ints_with_type_error(value):
    with pytest.raises(
        TypeError,
        match=r"^conv_forward: expected stride as an int or a "
        r"tuple of 2 ints, got ",
    ):
        spatial_tuple(value, 2, "stride", "conv_forward", 1)


def test_spatial_tuple_messages_name_the_argument():
    with pytest.raises(TypeError) as info:
        spatial_tuple(2.0, 2, "stride", "conv_forward", 1)
    assert str(info.value) == (
        "conv_forward: expected stride as an int or a tuple of 2 ints, got 2.0."
    )
    with pytest.raises(ValueError) as info:
        spatial_tuple((2, 2, 2), 2, "kernel", "max_pool_forward", 1)
    assert str(info.value) == (
        "max_pool_forward: expected kernel with 2 entries (one "
        "per spatial dim), got (2, 2, 2). Pass a single int or "
        "a tuple of 2 ints."
    )
    with pytest.raises(ValueError) as info:
        spatial_tuple((1, 0), 2, "stride", "Conv", 1)
    assert str(info.value) == (
        "Conv: expected stride >= 1 on every axis, got stride=(1, 0)."
    )
    with pytest.raises(
        ValueError,
        match=r"^Conv: expected padding >= 0 on every axis, "
        r"got padding=\(-1, -1, -1\)\.$",
    ):
        spatial_tuple(-1, 3, "padding", "Conv")


# ---------------------------------------------------------------- conv_output_size


@pytest.mark.parametrize(
    ("spatial", "kernel", "stride", "padding", "expected"),
    [
        ((5,), (3,), (1,), (0,), (3,)),  # 1 + (5 - 3) // 1
        ((5,), (3,), (1,), (1,), (5,)),  # "same" padding keeps the size
        ((7,), (2,), (2,), (0,), (3,)),  # 1 + 5 // 2: the last odd cell is dropped
        ((5, 6), (3, 3), (2, 1), (1, 0), (3, 4)),  # per axis: 1 + 4 // 2, 1 + 3 // 1
        ((224, 224), (7, 7), (2, 2), (3, 3), (112, 112)),  # DenseNet's conv0
        ((112, 112), (3, 3), (2, 2), (1, 1), (56, 56)),  # DenseNet's pool0
        ((8, 8, 8), (2, 2, 2), (2, 2, 2), (0, 0, 0), (4, 4, 4)),  # U-Net's 3D pool
        ((3,), (3,), (5,), (0,), (1,)),  # one window, whatever the stride
    ],
)
def test_conv_output_size_hand_worked(spatial, kernel, stride, padding, expected):
    assert conv_output_size(spatial, kernel, stride, padding) == expected


def test_conv_output_size_needs_one_entry_per_axis():
    with pytest.raises(ValueError):
        conv_output_size((5, 5), (3,), (1, 1), (0, 0))


# ---------------------------------------------------------------- check_dout


def test_check_dout_names_both_shapes():
    with pytest.raises(ValueError) as info:
        check_dout(np.zeros((2, 3)), (2, 4), "relu_backward")
    assert str(info.value) == (
        "relu_backward: expected dout of shape (2, 4) (the "
        "forward's output), got shape (2, 3)."
    )


def test_check_dout_converts_ints_and_keeps_floats():
    dout = check_dout(np.arange(6).reshape(2, 3), (2, 3), "f")
    assert dout.dtype == np.float64
    np.testing.assert_array_equal(dout, np.arange(6).reshape(2, 3))
    dout32 = np.ones((2, 3), np.float32)
    assert check_dout(dout32, [2, 3], "f") is dout32  # any sequence for the shape
    assert check_dout([[1, 2]], (1, 2), "f").dtype == np.float64
    with pytest.raises(TypeError, match="f: expected dout with a numeric dtype"):
        check_dout(np.array(["a"]), (1,), "f")


# ---------------------------------------------------------------- check_cache


class _ACache(NamedTuple):
    x: int


def test_check_cache_names_the_cache_type_and_its_forward():
    check_cache(_ACache(1), _ACache, "a_backward")  # the right type passes
    with pytest.raises(TypeError) as info:
        check_cache((1,), _ACache, "a_backward")
    assert str(info.value) == (
        "a_backward: expected the _ACache returned by a_forward, got a tuple."
    )
    with pytest.raises(
        TypeError,
        match=r"^a_update: expected the _ACache returned by "
        r"a_forward, got a NoneType\.$",
    ):
        check_cache(None, _ACache, "a_update", "a_forward")


# ---------------------------------------------------------------- check_layer_input


def test_check_layer_input():
    x = np.zeros((2, 3, 4, 4), np.float32)
    check_layer_input(x, "Conv.forward", channels=3, spatial_dims=2, dtype=np.float32)
    check_layer_input(x, "ReLU.forward")  # nothing but the kind is checked
    with pytest.raises(
        TypeError,
        match=r"^ReLU.forward: expected x as an ndarray, "
        r"got list\.$",
    ):
        check_layer_input([1.0], "ReLU.forward")
    with pytest.raises(
        ValueError,
        match=r"^Conv.forward: expected x with 3 dims "
        r"\(N, C, \*S\) for ndim=1, got shape \(2, 3, 4, 4\)\.$",
    ):
        check_layer_input(x, "Conv.forward", spatial_dims=1)
    with pytest.raises(ValueError, match=r"Add a batch axis with x\[None\]\.$"):
        check_layer_input(x[0], "Conv.forward", spatial_dims=2)
    with pytest.raises(
        ValueError,
        match=r"^Conv.forward: expected x with 4 channels "
        r"\(axis 1\), got 3 in shape \(2, 3, 4, 4\)\.$",
    ):
        check_layer_input(x, "Conv.forward", channels=4)
    with pytest.raises(
        TypeError,
        match=r"^Conv.forward: expected x with dtype float64 "
        r"\(the layer's dtype\), got dtype float32\. Use "
        r"x.astype\(np.float64\) or model.astype\(np.float32\)\.$",
    ):
        check_layer_input(x, "Conv.forward", dtype=np.float64)


# ---------------------------------------------------------------- one home


def _private_imports(path: Path) -> list[str]:
    """``from reference... import _name`` statements in one module (line: text)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{node.lineno}: from {node.module} import {alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("reference")
        for alias in node.names
        if alias.name.startswith("_")
    ]


def test_no_private_name_is_imported_across_modules():
    found = {
        str(path.relative_to(ROOT)): hits
        for path in sorted((ROOT / "reference").rglob("*.py"))
        if (hits := _private_imports(path))
    }
    assert not found, (
        "make the name public in its home module, or move a shared check to "
        f"reference/_validation.py: {found}"
    )
