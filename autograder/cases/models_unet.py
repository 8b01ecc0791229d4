"""Cases and oracle adapters for the U-Net building blocks.

Lesson ``week3/unet_blocks.py``: nearest upsampling's backward and one decoder
level with its skip connection. The oracles are adapters with the learner's
signatures around `reference.ops.upsample_backward` and the reference
*modules* `reference.nn.Upsample`, `Conv` and `ReLU` (joined with
`reference.ops.concat_forward`) loaded with the case's parameters; never
`solutions`. The decoder's backward oracle is a ``(forward, backward)`` pair.

Edge cases: scale 1 (``dx = dout``), equal and unequal channel counts on the
two sides of the join (a swapped concatenation still has the right shapes when
they are equal), a 1x1 coarse map.

The DenseNet blocks and Grad-CAM are in `autograder.cases.models`, which
re-exports every name here. This module also defines the helpers both share
(`FIXED_SEED`, `shape_text`, `random_dtype`), because `autograder.cases.models`
imports it and not the other way round.
"""

from __future__ import annotations

import numpy as np

from autograder.cases import edge
from autograder.spec import Case

__all__ = [
    "FIXED_SEED",
    "decoder_backward_oracle",
    "decoder_forward_oracle",
    "decoder_hidden",
    "decoder_public",
    "random_dtype",
    "shape_text",
    "upsample_backward_oracle",
    "upsample_hidden",
    "upsample_public",
]

FIXED_SEED = 20260404  # public cases are the same on every run (plus an offset)


def shape_text(a) -> str:
    """Describe an array as ``"(shape) dtype"`` for case labels."""
    return f"{tuple(np.shape(a))} {np.asarray(a).dtype}"


def random_dtype(rng):
    """Draw float32 or float64 (one integer draw from ``rng``)."""
    return (np.float32, np.float64)[int(rng.integers(2))]


# ---------------------------------------------------------------------------
# oracles (reference only)
# ---------------------------------------------------------------------------


def upsample_backward_oracle(dout, scale=2):
    """`reference.ops.upsample_backward` with the cache of a matching forward."""
    from reference import ops

    dout = np.asarray(dout)
    spatial = dout.shape[2:]
    factors = (
        tuple(int(s) for s in scale)
        if isinstance(scale, (tuple, list))
        else (int(scale),) * len(spatial)
    )
    x_shape = dout.shape[:2] + tuple(
        n // f for n, f in zip(spatial, factors, strict=True)
    )
    _, cache = ops.upsample_forward(np.zeros(x_shape, dout.dtype), factors)
    return ops.upsample_backward(dout, cache)


def decoder_forward_oracle(x, skip, w1, b1, w2, b2):
    """`reference.nn` Upsample, concat_forward, then Conv-ReLU-Conv-ReLU."""
    from reference import ops
    from reference.nn import Conv, ReLU, Sequential, Upsample

    dtype = x.dtype
    convs = Sequential(
        {
            "conv1": Conv(w1.shape[1], w1.shape[0], 3, padding=1, dtype=dtype),
            "relu1": ReLU(),
            "conv2": Conv(w2.shape[1], w2.shape[0], 3, padding=1, dtype=dtype),
            "relu2": ReLU(),
        }
    )
    convs.load_state_dict(
        {"conv1.weight": w1, "conv1.bias": b1, "conv2.weight": w2, "conv2.bias": b2}
    )
    upsample = Upsample(2)
    joined, concat_cache = ops.concat_forward(upsample.forward(x), skip)
    return convs.forward(joined), (upsample, concat_cache, convs)


def _decoder_backward(dout, cache):
    from reference import ops

    upsample, concat_cache, convs = cache
    dup, dskip = ops.concat_backward(convs.backward(dout), concat_cache)
    grads = convs.named_grads()
    return (
        upsample.backward(dup),
        dskip,
        grads["conv1.weight"],
        grads["conv1.bias"],
        grads["conv2.weight"],
        grads["conv2.bias"],
    )


decoder_backward_oracle = (decoder_forward_oracle, _decoder_backward)


# ---------------------------------------------------------------------------
# U-Net: nearest upsampling's backward, one decoder level
# ---------------------------------------------------------------------------


def _upsample_case(rng, x_shape, scale, dtype=np.float64, note="") -> Case:
    spatial = x_shape[2:]
    factors = (
        tuple(scale) if isinstance(scale, (tuple, list)) else (scale,) * len(spatial)
    )
    dout_shape = (*x_shape[:2], *(s * f for s, f in zip(spatial, factors, strict=True)))
    dout = rng.standard_normal(dout_shape).astype(dtype)
    label = f"dout {shape_text(dout)}, scale={scale!r} -> dx {tuple(x_shape)}"
    return Case(
        args=(dout,),
        kwargs={"scale": scale},
        label=label + (f" ({note})" if note else ""),
    )


def upsample_public() -> list[Case]:
    """Scale 2 and 3, float32, a per-axis scale."""
    rng = np.random.default_rng(FIXED_SEED + 4)
    return [
        _upsample_case(rng, (2, 3, 2, 2), 2),
        _upsample_case(rng, (2, 2, 2, 3), 3, np.float32, note="scale 3, float32"),
        _upsample_case(rng, (1, 2, 3, 2), (2, 3), note="one scale per axis"),
    ]


def upsample_hidden(rng) -> list[Case]:
    """Random 2D cases, 1D and 3D arrays, scale 1, a list scale."""
    cases = []
    for _ in range(3):
        x_shape = tuple(int(v) for v in rng.integers(1, 4, size=4))
        cases.append(
            _upsample_case(rng, x_shape, int(rng.integers(1, 4)), random_dtype(rng))
        )
    cases += [
        _upsample_case(rng, (2, 3, 4), 2, note="1D signals"),
        _upsample_case(rng, (1, 2, 2, 3, 2), 2, np.float32, note="3D volumes"),
        *edge(_upsample_case(rng, (2, 2, 3, 3), 1, note="scale 1: dx = dout")),
        _upsample_case(rng, (2, 1, 2, 2), [3, 2], note="scale as a list"),
    ]
    return cases


def _decoder_case(
    rng, n, c_x, c_s, c_mid, c_out, hw, dtype=np.float64, note=""
) -> Case:
    h, w = hw
    x = rng.standard_normal((n, c_x, h, w)).astype(dtype)
    skip = rng.standard_normal((n, c_s, 2 * h, 2 * w)).astype(dtype)
    fan1, fan2 = 9 * (c_x + c_s), 9 * c_mid
    w1 = rng.standard_normal((c_mid, c_x + c_s, 3, 3)) * np.sqrt(2 / fan1)
    w1 = w1.astype(dtype)
    b1 = (0.1 + 0.1 * rng.standard_normal(c_mid)).astype(dtype)
    w2 = (rng.standard_normal((c_out, c_mid, 3, 3)) * np.sqrt(2 / fan2)).astype(dtype)
    b2 = (0.1 + 0.1 * rng.standard_normal(c_out)).astype(dtype)
    out_shape = (n, c_out, 2 * h, 2 * w)
    dout = rng.standard_normal(out_shape).astype(dtype)
    label = (
        f"x {shape_text(x)}, skip {tuple(skip.shape)}, w1 {tuple(w1.shape)}, "
        f"w2 {tuple(w2.shape)} -> out {out_shape}"
    )
    return Case(
        args=(x, skip, w1, b1, w2, b2),
        dout=dout,
        wrt=tuple(range(6)),
        label=label + (f" ({note})" if note else ""),
    )


def decoder_public() -> list[Case]:
    """Unequal and equal channel counts on the two sides, float32, a batch of one."""
    rng = np.random.default_rng(FIXED_SEED + 5)
    return [
        _decoder_case(rng, 2, 4, 2, 3, 2, (2, 2)),
        _decoder_case(
            rng,
            2,
            2,
            2,
            2,
            2,
            (2, 2),
            np.float32,
            note="float32, as many upsampled maps as skip maps",
        ),
        _decoder_case(rng, 1, 3, 2, 2, 3, (3, 2), note="batch of one, non-square"),
    ]


def decoder_hidden(rng) -> list[Case]:
    """Random small levels in both dtypes."""
    cases = []
    for _ in range(3):
        n = int(rng.integers(1, 3))
        c_x, c_s, c_mid, c_out = (int(v) for v in rng.integers(1, 5, size=4))
        hw = tuple(int(v) for v in rng.integers(1, 4, size=2))
        cases.append(
            _decoder_case(rng, n, c_x, c_s, c_mid, c_out, hw, random_dtype(rng))
        )
    cases += [
        _decoder_case(rng, 2, 3, 3, 2, 2, (3, 3), note="equal sides, 6x6 output"),
        *edge(
            _decoder_case(
                rng,
                2,
                1,
                4,
                2,
                1,
                (1, 1),
                np.float32,
                note="a 1x1 coarse map, one output channel",
            )
        ),
    ]
    return cases
