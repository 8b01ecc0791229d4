"""Model building blocks (DenseNet and U-Net lessons): the solutions and typical bugs.

Part 1 pins solutions/week1/densenet_blocks.py and solutions/week3/unet_blocks.py
with hand-computed values, independent NumPy implementations (batch norm from
its formula, convolutions as sliding windows + einsum, upsampling by np.repeat)
and float64 central-difference gradients over every entry.

Part 2 grades a scratch copy of both lessons with typical learner bugs
(`autograder.engine.Grader` on a temporary target) and checks the status and
the message a learner would see.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from autograder.engine import Grader
from autograder.registry import EXERCISES
from reference.testing import numerical_gradients
from solutions.week1.densenet_blocks import (
    dense_block_forward,
    dense_layer_backward,
    dense_layer_forward,
    gradcam_map,
    transition_backward,
    transition_forward,
)
from solutions.week3.unet_blocks import (
    decoder_level_backward,
    decoder_level_forward,
    nearest_upsample_backward,
)

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = {
    e.name: e for e in EXERCISES if e.lesson in ("densenet_blocks", "unet_blocks")
}


# --------------------------------------------------------------------------------------
# independent implementations
# --------------------------------------------------------------------------------------


def bn(x, gamma, beta, eps=1e-5):
    """Training-mode batch norm from the formula (biased variance)."""
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = ((x - mean) ** 2).mean(axis=(0, 2, 3), keepdims=True)
    return (
        gamma[None, :, None, None] * (x - mean) / np.sqrt(var + eps)
        + beta[None, :, None, None]
    )


def conv(x, w, b=None, pad=0):
    """Cross-correlation as sliding windows and one einsum."""
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(xp, w.shape[2:], axis=(2, 3))
    out = np.einsum("nchwuv,fcuv->nfhw", windows, w)
    return out if b is None else out + b[None, :, None, None]


def relu(x):
    return np.maximum(x, 0)


def dense_layer_naive(x, g1, b1, w1, g2, b2, w2):
    new = conv(relu(bn(conv(relu(bn(x, g1, b1)), w1), g2, b2)), w2, pad=1)
    return np.concatenate([x, new], axis=1)


def layer_params(rng, c, growth, bn_size, dtype=np.float64):
    mid = growth * bn_size
    return tuple(
        a.astype(dtype)
        for a in (
            1 + 0.3 * rng.standard_normal(c),
            0.3 * rng.standard_normal(c),
            rng.standard_normal((mid, c, 1, 1)),
            1 + 0.3 * rng.standard_normal(mid),
            0.3 * rng.standard_normal(mid),
            0.5 * rng.standard_normal((growth, mid, 3, 3)),
        )
    )


# --------------------------------------------------------------------------------------
# dense layer, transition, dense block
# --------------------------------------------------------------------------------------


def test_dense_layer_forward_matches_the_formula_and_keeps_x_first():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 4))
    params = layer_params(rng, 3, 2, 2)
    out, _ = dense_layer_forward(x, *params)
    assert out.shape == (2, 5, 5, 4)
    np.testing.assert_array_equal(out[:, :3], x)
    np.testing.assert_allclose(
        out, dense_layer_naive(x, *params), rtol=1e-10, atol=1e-12
    )


def test_dense_layer_backward_matches_numerical_gradients():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 2, 3, 3))
    args = (x, *layer_params(rng, 2, 2, 1))
    out, cache = dense_layer_forward(*args)
    dout = rng.standard_normal(out.shape)
    grads = dense_layer_backward(dout, cache)
    assert len(grads) == 7
    numeric = numerical_gradients(dense_layer_forward, args, range(7), dout)
    for i, (analytic, expected) in enumerate(zip(grads, numeric, strict=True)):
        assert analytic.shape == args[i].shape
        np.testing.assert_allclose(
            analytic, expected, rtol=1e-5, atol=1e-7, err_msg=f"argument {i}"
        )


def test_dense_layer_backward_with_no_gradient_on_the_new_maps():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    params = layer_params(rng, 3, 2, 2, np.float32)
    out, cache = dense_layer_forward(x, *params)
    assert out.dtype == np.float32
    dout = rng.standard_normal(out.shape).astype(np.float32)
    dout[:, 3:] = 0
    dx, *dparams = dense_layer_backward(dout, cache)
    np.testing.assert_allclose(dx, dout[:, :3], atol=1e-6)  # only the copy of x
    assert dx.dtype == np.float32
    for dp in dparams:
        np.testing.assert_allclose(dp, 0, atol=1e-6)


def test_transition_forward_by_hand_odd_size_and_gradients():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 5, 5))
    gamma, beta = 1 + 0.2 * rng.standard_normal(4), 0.2 * rng.standard_normal(4)
    w = rng.standard_normal((2, 4, 1, 1))
    out, cache = transition_forward(x, gamma, beta, w)
    h = conv(relu(bn(x, gamma, beta)), w)[:, :, :4, :4]  # the pool drops row/col 4
    expected = h.reshape(2, 2, 2, 2, 2, 2).mean(axis=(3, 5))
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    dout = rng.standard_normal(out.shape)
    grads = transition_backward(dout, cache)
    numeric = numerical_gradients(
        transition_forward, (x, gamma, beta, w), range(4), dout
    )
    for analytic, expected in zip(grads, numeric, strict=True):
        np.testing.assert_allclose(analytic, expected, rtol=1e-5, atol=1e-7)


def test_dense_block_chains_the_layers_and_accepts_no_layers():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 2, 4, 4))
    params = [layer_params(rng, 2 + 3 * i, 3, 1) for i in range(3)]
    out, cache = dense_block_forward(x, params)
    assert out.shape == (2, 2 + 3 * 3, 4, 4) and len(cache) == 3
    expected = x
    for p in params:
        expected = dense_layer_naive(expected, *p)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-12)
    out, cache = dense_block_forward(x, [])
    np.testing.assert_array_equal(out, x)


# --------------------------------------------------------------------------------------
# Grad-CAM
# --------------------------------------------------------------------------------------


def test_gradcam_hand_example_and_bilinear_upsampling_by_hand():
    a = np.zeros((1, 2, 2, 2))
    a[0, 0, 0, 0], a[0, 1, 1, 1] = 2.0, 1.0
    da = np.stack([np.ones((2, 2)), -np.ones((2, 2))])[None]
    np.testing.assert_array_equal(gradcam_map(a, da)[0], [[1.0, 0.0], [0.0, 0.0]])
    # one channel, gradient 1: the map is the activations [[0, 1], [2, 3]]; 2 -> 4
    # pixels samples the input at -0.25 (clipped to 0), 0.25, 0.75 and 1.25 (-> 1)
    m = np.array([[0.0, 1.0], [2.0, 3.0]])
    cam = gradcam_map(m[None, None], np.ones((1, 1, 2, 2)), (4, 4))[0]
    line = np.array([0.0, 0.25, 0.75, 1.0])
    np.testing.assert_allclose(cam, (2 * line[:, None] + line[None, :]) / 3)


def test_gradcam_zero_maps_dtype_and_inputs_left_alone():
    rng = np.random.default_rng(5)
    a = np.abs(rng.standard_normal((2, 3, 3, 3))).astype(np.float32) + 0.1
    da = np.stack([-np.ones((3, 3, 3)), np.ones((3, 3, 3))]).astype(np.float32)
    a0, da0 = a.copy(), da.copy()
    cam = gradcam_map(a, da, (7, 5))
    assert cam.shape == (2, 7, 5) and cam.dtype == np.float32
    np.testing.assert_array_equal(cam[0], 0)  # every weight negative: no evidence
    assert cam[1].max() == pytest.approx(1.0) and cam[1].min() >= 0
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(da, da0)


def test_gradcam_matches_the_reference_on_random_maps():
    from reference.gradcam import gradcam_map as reference_gradcam

    rng = np.random.default_rng(6)
    for hw, size in [
        ((4, 4), (8, 8)),
        ((3, 5), (7, 4)),
        ((5, 5), (3, 2)),
        ((4, 4), None),
    ]:
        a, da = rng.standard_normal((2, 3, *hw)), rng.standard_normal((2, 3, *hw))
        np.testing.assert_allclose(
            gradcam_map(a, da, size), reference_gradcam(a, da, size), atol=1e-12
        )


# --------------------------------------------------------------------------------------
# U-Net: nearest upsampling's backward, one decoder level
# --------------------------------------------------------------------------------------


def upsample_naive(x, scale):
    for axis, s in enumerate(scale, start=2):
        x = np.repeat(x, s, axis=axis)
    return x


@pytest.mark.parametrize(
    "shape, scale",
    [
        ((2, 3, 2, 2), 2),
        ((1, 2, 3), 3),
        ((1, 2, 2, 3, 2), (2, 1, 3)),
        ((2, 1, 2, 2), [1, 2]),
    ],
)
def test_nearest_upsample_backward_is_the_adjoint_of_np_repeat(shape, scale):
    rng = np.random.default_rng(7)
    factors = (
        tuple(scale)
        if isinstance(scale, (tuple, list))
        else (scale,) * (len(shape) - 2)
    )
    x = rng.standard_normal(shape)
    dout = rng.standard_normal(upsample_naive(x, factors).shape)
    dx = nearest_upsample_backward(dout, scale)
    assert dx.shape == x.shape
    # <up(x), dout> = <x, up^T(dout)> for every x
    assert np.sum(upsample_naive(x, factors) * dout) == pytest.approx(np.sum(x * dx))


def test_nearest_upsample_backward_hand_example_and_dtype():
    dout = np.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(
        nearest_upsample_backward(dout), [[[[10.0, 18.0], [42.0, 50.0]]]]
    )
    assert nearest_upsample_backward(dout.astype(np.float32)).dtype == np.float32


def decoder_args(rng, c_x=3, c_s=2, dtype=np.float64):
    return tuple(
        a.astype(dtype)
        for a in (
            rng.standard_normal((2, c_x, 2, 2)),
            rng.standard_normal((2, c_s, 4, 4)),
            0.4 * rng.standard_normal((2, c_x + c_s, 3, 3)),
            0.1 + rng.random(2) * 0.1,
            0.4 * rng.standard_normal((2, 2, 3, 3)),
            0.1 + rng.random(2) * 0.1,
        )
    )


def test_decoder_level_forward_matches_the_formula_upsampled_maps_first():
    rng = np.random.default_rng(8)
    x, skip, w1, b1, w2, b2 = decoder_args(rng)
    out, _ = decoder_level_forward(x, skip, w1, b1, w2, b2)
    joined = np.concatenate([upsample_naive(x, (2, 2)), skip], axis=1)
    expected = relu(conv(relu(conv(joined, w1, b1, pad=1)), w2, b2, pad=1))
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-12)
    out32, _ = decoder_level_forward(*decoder_args(rng, dtype=np.float32))
    assert out32.dtype == np.float32


def test_decoder_level_backward_matches_numerical_gradients():
    rng = np.random.default_rng(9)
    args = decoder_args(rng, c_x=2, c_s=1)
    out, cache = decoder_level_forward(*args)
    dout = rng.standard_normal(out.shape)
    grads = decoder_level_backward(dout, cache)
    numeric = numerical_gradients(decoder_level_forward, args, range(6), dout)
    for i, (analytic, expected) in enumerate(zip(grads, numeric, strict=True)):
        assert analytic.shape == args[i].shape
        np.testing.assert_allclose(
            analytic, expected, rtol=1e-5, atol=1e-7, err_msg=f"argument {i}"
        )


# --------------------------------------------------------------------------------------
# part 2: the grader on typical learner bugs (one scratch folder, one grader)
# --------------------------------------------------------------------------------------

BUGS = {
    "densenet_blocks": [
        # the copy of x gets no gradient: the concat's split is forgotten
        ("    dx = dx_copy + dx_path\n", "    dx = dx_path\n"),
        # dividing every map by its maximum, also when that maximum is 0
        (
            "    return np.divide(cams, peak, out=np.zeros_like(cams), where=peak > 0)",
            "    return cams / peak",
        ),
    ],
    "unet_blocks": [
        # the skip joined first (w1's input channels then mean the wrong maps)
        (
            "    joined = np.concatenate([up, skip], axis=1)",
            "    joined = np.concatenate([skip, up], axis=1)",
        ),
        # each block averaged instead of summed
        (
            "    return dout.reshape(split).sum(axis=block_axes)",
            "    return dout.reshape(split).mean(axis=block_axes)",
        ),
    ],
}
WEEK = {"densenet_blocks": "week1", "unet_blocks": "week3"}
GRADED = [
    "dense_layer_forward",
    "dense_layer_backward",
    "gradcam_map",
    "nearest_upsample_backward",
    "decoder_level_forward",
]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Exercise name -> Result for the scratch copy with every bug."""
    root = tmp_path_factory.mktemp("model_bugs")
    for lesson, replacements in BUGS.items():
        source = (ROOT / "solutions" / WEEK[lesson] / f"{lesson}.py").read_text()
        for old, new in replacements:
            assert old in source, f"the solution no longer contains {old!r}"
            source = source.replace(old, new)
        (root / WEEK[lesson]).mkdir(exist_ok=True)
        (root / WEEK[lesson] / f"{lesson}.py").write_text(source)
    with Grader(root) as grader:
        return {name: grader.grade(EXERCISE[name]) for name in GRADED}


def test_the_forward_without_bugs_still_passes(graded):
    assert graded["dense_layer_forward"].passed


def test_dense_layer_backward_forgetting_the_copy_of_x_blames_the_backward(graded):
    result = graded["dense_layer_backward"]
    assert result.status == "wrong-value" and result.score == 0
    assert "public case 1" in result.message
    assert (
        "gradient check: the gradient for argument 1 (shape (2, 4, 4, 4))"
        in result.message
    )
    assert "the backward is wrong" in result.message
    assert "Hint: x FEEDS the concatenation AND the path" in result.message


def test_gradcam_dividing_an_all_zero_map_gives_nan(graded):
    result = graded["gradcam_map"]
    assert result.status == "nan"
    assert "public case 4" in result.message and "all zeros" in result.message


def test_decoder_joining_the_skip_first_is_a_wrong_value(graded):
    result = graded["decoder_level_forward"]
    assert result.status == "wrong-value"
    assert "public case 1" in result.message
    assert "upsampled maps FIRST" in result.message


def test_upsample_backward_averaging_instead_of_summing(graded):
    result = graded["nearest_upsample_backward"]
    assert result.status == "wrong-value"
    assert "public case 1" in result.message
    assert "Sum (do not average) each block" in result.message
