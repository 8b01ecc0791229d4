"""Cases and oracle adapters for the DenseNet building blocks and Grad-CAM.

Lesson ``week1/densenet_blocks.py`` (dense layer, transition, dense block,
Grad-CAM map). The U-Net blocks of ``week3/unet_blocks.py`` (nearest
upsampling's backward, one decoder level) are in `autograder.cases.models_unet`;
their names are re-exported here, so ``models.decoder_forward_oracle`` still
works.

The oracles are adapters with the learner's signatures around the reference
*modules* (`reference.nn.DenseLayer`, `Transition`, `DenseBlock`) loaded with
the case's parameters, plus `reference.ops.concat_forward` for the joins and
`reference.gradcam.gradcam_map`; never `solutions`. A forward oracle returns
``(out, cache)`` like the learner's (the registry grades ``out`` with
``pick=0``); a backward oracle is a ``(forward, backward)`` pair.

Cases are tiny (batch 1-2, 2-4 channels, 2x2 to 6x6 maps) so that the
gradient check (20 coordinates per argument) stays fast. Batch-norm inputs
are random normals, so no batch-norm output sits within the finite-difference
step of a ReLU kink. Edge cases: an upstream gradient that is zero on the new
maps (``dx`` must then be exactly ``dout[:, :C]``) or on the copy of ``x``,
odd image sizes for the transition's pooling, a block with no layers,
Grad-CAM maps that are nowhere positive (all zeros), non-integer resize
factors.
"""

from __future__ import annotations

import numpy as np

from autograder.cases import edge
from autograder.cases.models_unet import (
    FIXED_SEED,
    decoder_backward_oracle,
    decoder_forward_oracle,
    decoder_hidden,
    decoder_public,
    random_dtype,
    shape_text,
    upsample_backward_oracle,
    upsample_hidden,
    upsample_public,
)
from autograder.spec import Case

__all__ = [
    "decoder_backward_oracle",
    "decoder_forward_oracle",
    "decoder_hidden",
    "decoder_public",
    "dense_block_forward_oracle",
    "dense_block_hidden",
    "dense_block_public",
    "dense_layer_backward_oracle",
    "dense_layer_forward_oracle",
    "dense_layer_hidden",
    "dense_layer_public",
    "gradcam_hidden",
    "gradcam_oracle",
    "gradcam_public",
    "transition_backward_oracle",
    "transition_forward_oracle",
    "transition_hidden",
    "transition_public",
    "upsample_backward_oracle",
    "upsample_hidden",
    "upsample_public",
]

_LAYER_KEYS = (
    "norm1.weight",
    "norm1.bias",
    "conv1.weight",
    "norm2.weight",
    "norm2.bias",
    "conv2.weight",
)


# ---------------------------------------------------------------------------
# oracles (reference only)
# ---------------------------------------------------------------------------


def _dense_layer_module(x, params):
    """Build a `reference.nn.DenseLayer` holding ``params`` (learner's order)."""
    from reference.nn import DenseLayer

    growth, mid = params[5].shape[0], params[2].shape[0]
    layer = DenseLayer(x.shape[1], growth, mid // growth, dtype=x.dtype)
    return layer.load_state_dict(
        dict(zip(_LAYER_KEYS, params, strict=True)), strict=False
    )


def dense_layer_forward_oracle(
    x, norm1_gamma, norm1_beta, conv1_w, norm2_gamma, norm2_beta, conv2_w
):
    """`reference.nn.DenseLayer` then `reference.ops.concat_forward(x, new)`."""
    from reference import ops

    params = (norm1_gamma, norm1_beta, conv1_w, norm2_gamma, norm2_beta, conv2_w)
    layer = _dense_layer_module(x, params)
    out, concat_cache = ops.concat_forward(x, layer.forward(x))
    return out, (layer, concat_cache)


def _dense_layer_backward(dout, cache):
    from reference import ops

    layer, concat_cache = cache
    dcopy, dnew = ops.concat_backward(dout, concat_cache)
    dx = dcopy + layer.backward(dnew)
    grads = layer.named_grads()
    return (dx, *(grads[key] for key in _LAYER_KEYS))


dense_layer_backward_oracle = (dense_layer_forward_oracle, _dense_layer_backward)


def transition_forward_oracle(x, gamma, beta, w):
    """`reference.nn.Transition` holding (gamma, beta, w)."""
    from reference.nn import Transition

    module = Transition(x.shape[1], w.shape[0], dtype=x.dtype)
    module.load_state_dict(
        {"norm.weight": gamma, "norm.bias": beta, "conv.weight": w}, strict=False
    )
    return module.forward(x), module


def _transition_backward(dout, module):
    dx = module.backward(dout)
    grads = module.named_grads()
    return dx, grads["norm.weight"], grads["norm.bias"], grads["conv.weight"]


transition_backward_oracle = (transition_forward_oracle, _transition_backward)


def dense_block_forward_oracle(x, layers_params):
    """`reference.nn.DenseBlock` holding one parameter tuple per layer."""
    from reference.nn import DenseBlock

    if not layers_params:
        return x.copy(), []
    growth, mid = layers_params[0][5].shape[0], layers_params[0][2].shape[0]
    block = DenseBlock(
        len(layers_params), x.shape[1], growth, mid // growth, dtype=x.dtype
    )
    state = {
        f"denselayer{i + 1}.{key}": value
        for i, params in enumerate(layers_params)
        for key, value in zip(_LAYER_KEYS, params, strict=True)
    }
    block.load_state_dict(state, strict=False)
    return block.forward(x), block


def gradcam_oracle(activations, dactivations, size=None):
    """`reference.gradcam.gradcam_map`."""
    from reference.gradcam import gradcam_map

    return gradcam_map(activations, dactivations, size)


# ---------------------------------------------------------------------------
# dense layer, transition, dense block
# ---------------------------------------------------------------------------


def _layer_params(rng, c, growth, bn_size, dtype):
    """(norm1_gamma, norm1_beta, conv1_w, norm2_gamma, norm2_beta, conv2_w)."""
    mid = bn_size * growth
    return (
        (1 + 0.3 * rng.standard_normal(c)).astype(dtype),
        (0.3 * rng.standard_normal(c)).astype(dtype),
        (rng.standard_normal((mid, c, 1, 1)) * np.sqrt(2 / c)).astype(dtype),
        (1 + 0.3 * rng.standard_normal(mid)).astype(dtype),
        (0.3 * rng.standard_normal(mid)).astype(dtype),
        (rng.standard_normal((growth, mid, 3, 3)) * np.sqrt(2 / (9 * mid))).astype(
            dtype
        ),
    )


def _dense_layer_case(
    rng,
    n,
    c,
    growth,
    bn_size,
    hw,
    dtype=np.float64,
    loc=0.0,
    scale=1.0,
    zero=None,
    wrt=tuple(range(7)),
    note="",
) -> Case:
    h, w = hw
    x = (loc + scale * rng.standard_normal((n, c, h, w))).astype(dtype)
    params = _layer_params(rng, c, growth, bn_size, dtype)
    dout = rng.standard_normal((n, c + growth, h, w)).astype(dtype)
    if zero == "new":
        dout[:, c:] = 0
    elif zero == "copy":
        dout[:, :c] = 0
    label = (
        f"x {shape_text(x)}, growth_rate {growth}, bottleneck {bn_size * growth} "
        f"maps -> out {(n, c + growth, h, w)}"
    )
    return Case(
        args=(x, *params),
        dout=dout,
        wrt=wrt,
        label=label + (f" ({note})" if note else ""),
    )


def dense_layer_public() -> list[Case]:
    """Both dtypes, a batch of one, inputs not centred."""
    rng = np.random.default_rng(FIXED_SEED)
    return [
        _dense_layer_case(rng, 2, 4, 2, 2, (4, 4)),
        _dense_layer_case(rng, 2, 3, 2, 2, (5, 5), np.float32, note="float32"),
        _dense_layer_case(
            rng,
            1,
            2,
            3,
            1,
            (4, 4),
            loc=2.0,
            scale=3.0,
            note="batch of one, x not centred",
        ),
        _dense_layer_case(
            rng,
            2,
            3,
            2,
            2,
            (4, 4),
            zero="new",
            wrt=(0,),
            note="dout is 0 on the new maps: dx = dout[:, :C]",
        ),
    ]


def dense_layer_hidden(rng) -> list[Case]:
    """Random small layers in both dtypes, plus half-zero upstream gradients.

    Cases that check only some gradients (``wrt`` shorter than all seven) are
    float64: the gradient check turns only the ``wrt`` arguments into float64.
    """
    cases = []
    for _ in range(3):
        n, c = int(rng.integers(1, 3)), int(rng.integers(2, 5))
        growth, bn_size = int(rng.integers(1, 4)), int(rng.integers(1, 3))
        hw = tuple(int(v) for v in rng.integers(3, 7, size=2))
        cases.append(
            _dense_layer_case(
                rng,
                n,
                c,
                growth,
                bn_size,
                hw,
                random_dtype(rng),
                loc=float(rng.normal()),
                scale=float(rng.uniform(0.5, 2)),
            )
        )
    cases += [
        *edge(
            _dense_layer_case(
                rng,
                2,
                4,
                2,
                2,
                (4, 4),
                zero="new",
                wrt=(0,),
                note="dout is 0 on the new maps",
            ),
            _dense_layer_case(
                rng,
                2,
                2,
                4,
                1,
                (4, 4),
                zero="copy",
                wrt=(0,),
                note="dout is 0 on the copy of x",
            ),
        ),
        _dense_layer_case(
            rng, 2, 2, 3, 1, (6, 6), wrt=(), note="more new maps than x's"
        ),
    ]
    return cases


def _transition_case(
    rng, n, c, c_out, hw, dtype=np.float64, loc=0.0, scale=1.0, note=""
) -> Case:
    h, w = hw
    x = (loc + scale * rng.standard_normal((n, c, h, w))).astype(dtype)
    gamma = (1 + 0.3 * rng.standard_normal(c)).astype(dtype)
    beta = (0.3 * rng.standard_normal(c)).astype(dtype)
    weight = (rng.standard_normal((c_out, c, 1, 1)) * np.sqrt(2 / c)).astype(dtype)
    out_shape = (n, c_out, h // 2, w // 2)
    dout = rng.standard_normal(out_shape).astype(dtype)
    label = f"x {shape_text(x)}, w {tuple(weight.shape)} -> out {out_shape}"
    return Case(
        args=(x, gamma, beta, weight),
        dout=dout,
        wrt=(0, 1, 2, 3),
        label=label + (f" ({note})" if note else ""),
    )


def transition_public() -> list[Case]:
    """DenseNet's halving (C_out = C // 2), float32, an odd size."""
    rng = np.random.default_rng(FIXED_SEED + 1)
    return [
        _transition_case(rng, 2, 4, 2, (4, 4)),
        _transition_case(rng, 2, 4, 2, (6, 6), np.float32, note="float32"),
        _transition_case(
            rng,
            2,
            3,
            2,
            (5, 5),
            note="odd size: the pooling drops the last row and column",
        ),
    ]


def transition_hidden(rng) -> list[Case]:
    """Random small transitions, odd and non-square sizes, a batch of one."""
    cases = []
    for _ in range(4):
        n, c = int(rng.integers(1, 3)), int(rng.integers(2, 5))
        c_out = int(rng.integers(1, c + 1))
        hw = tuple(int(v) for v in rng.integers(2, 7, size=2))
        cases.append(
            _transition_case(
                rng,
                n,
                c,
                c_out,
                hw,
                random_dtype(rng),
                loc=float(rng.normal()),
                scale=float(rng.uniform(0.5, 2)),
            )
        )
    cases += [
        _transition_case(
            rng, 1, 4, 2, (4, 6), np.float32, note="batch of one, non-square"
        ),
        *edge(
            _transition_case(rng, 2, 2, 3, (2, 2), note="2x2 maps: one output pixel")
        ),
    ]
    return cases


def _dense_block_case(
    rng, n, c, growth, bn_size, layers, hw, dtype=np.float64, note=""
) -> Case:
    x = rng.standard_normal((n, c, *hw)).astype(dtype)
    params = [
        _layer_params(rng, c + i * growth, growth, bn_size, dtype)
        for i in range(layers)
    ]
    out_shape = (n, c + layers * growth, *hw)
    label = (
        f"x {shape_text(x)}, {layers} layers, growth_rate {growth}, bottleneck "
        f"{bn_size * growth} maps -> out {out_shape}"
    )
    return Case(args=(x, params), label=label + (f" ({note})" if note else ""))


def dense_block_public() -> list[Case]:
    """Two and three layers, float32, a single layer."""
    rng = np.random.default_rng(FIXED_SEED + 2)
    return [
        _dense_block_case(rng, 2, 4, 2, 2, 2, (4, 4)),
        _dense_block_case(rng, 2, 3, 2, 2, 3, (4, 4), np.float32, note="float32"),
        _dense_block_case(rng, 1, 2, 3, 1, 1, (5, 5), note="one layer, batch of one"),
    ]


def dense_block_hidden(rng) -> list[Case]:
    """Random small blocks in both dtypes, plus a block with no layers."""
    cases = []
    for _ in range(4):
        n, c = int(rng.integers(1, 3)), int(rng.integers(2, 5))
        growth, bn_size = int(rng.integers(1, 4)), int(rng.integers(1, 3))
        layers = int(rng.integers(1, 4))
        hw = tuple(int(v) for v in rng.integers(3, 6, size=2))
        cases.append(
            _dense_block_case(rng, n, c, growth, bn_size, layers, hw, random_dtype(rng))
        )
    cases += edge(
        _dense_block_case(
            rng, 2, 3, 2, 2, 0, (4, 4), note="no layers: the block returns x"
        )
    )
    return cases


# ---------------------------------------------------------------------------
# Grad-CAM
# ---------------------------------------------------------------------------


def _gradcam_case(activations, dactivations, size, note="") -> Case:
    label = (
        f"activations {shape_text(activations)}, dactivations of the same shape, "
        f"size={size!r}"
    )
    return Case(
        args=(activations, dactivations, size),
        label=label + (f" ({note})" if note else ""),
    )


def _gradcam_random(rng, shape, size, dtype=np.float64, note="") -> Case:
    activations = rng.standard_normal(shape).astype(dtype)
    dactivations = rng.standard_normal(shape).astype(dtype)
    return _gradcam_case(activations, dactivations, size, note)


def gradcam_public() -> list[Case]:
    """Cases: the docstring's example, 2x upsampling, float32, an all-zero map."""
    rng = np.random.default_rng(FIXED_SEED + 3)
    a = np.zeros((1, 2, 2, 2))
    a[0, 0, 0, 0], a[0, 1, 1, 1] = 2.0, 1.0
    da = np.stack([np.ones((2, 2)), -np.ones((2, 2))])[None]
    positive = np.abs(rng.standard_normal((2, 3, 3, 3))) + 0.1
    against = np.stack(
        [
            -np.abs(rng.standard_normal((3, 3, 3))),  # nowhere positive
            np.abs(rng.standard_normal((3, 3, 3))),
        ]
    )
    return [
        _gradcam_case(a, da, None, "the docstring's example, no resize"),
        _gradcam_random(rng, (2, 3, 4, 4), (8, 8), note="upsample x2"),
        _gradcam_random(
            rng, (2, 4, 3, 3), (7, 7), np.float32, note="float32, factor 7/3"
        ),
        _gradcam_case(
            positive,
            against,
            (6, 6),
            "image 1: every weight negative, the map is all zeros",
        ),
    ]


def gradcam_hidden(rng) -> list[Case]:
    """Random maps and sizes (non-integer and non-square factors), zero maps."""
    cases = []
    for _ in range(4):
        n, c = int(rng.integers(1, 3)), int(rng.integers(1, 5))
        hw = tuple(int(v) for v in rng.integers(1, 6, size=2))
        size = tuple(int(v) for v in rng.integers(1, 12, size=2))
        cases.append(_gradcam_random(rng, (n, c, *hw), size, random_dtype(rng)))
    positive = np.abs(rng.standard_normal((2, 2, 4, 4))).astype(np.float32)
    cases += [
        _gradcam_random(rng, (2, 3, 4, 5), None, np.float32, note="no resize"),
        _gradcam_random(rng, (1, 2, 4, 4), [8, 6], note="size as a list"),
        _gradcam_random(rng, (2, 3, 6, 6), (3, 4), note="shrinking"),
        *edge(
            _gradcam_case(positive, -positive, (8, 8), "every weight negative: zeros"),
            _gradcam_case(
                np.zeros((1, 2, 3, 3)),
                np.ones((1, 2, 3, 3)),
                (6, 6),
                "zero activations: zeros, no division by zero",
            ),
        ),
    ]
    return cases
