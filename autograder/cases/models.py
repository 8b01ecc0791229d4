"""Cases and oracle adapters for the model building blocks (DenseNet and U-Net).

Lessons ``week1/densenet_blocks.py`` (dense layer, transition, dense block,
Grad-CAM map) and ``week3/unet_blocks.py`` (nearest upsampling's backward, one
decoder level with its skip connection).

The oracles are adapters with the learner's signatures around the reference
*modules* (`reference.nn.DenseLayer`, `Transition`, `DenseBlock`, and `Conv`,
`ReLU`, `Upsample` for the decoder level) loaded with the case's parameters,
plus `reference.ops.concat_forward` for the joins and
`reference.gradcam.gradcam_map`; never `solutions`. A forward oracle returns
``(out, cache)`` like the learner's (the registry grades ``out`` with
``pick=0``); a backward oracle is a ``(forward, backward)`` pair.

Cases are tiny (batch 1-2, 2-4 channels, 2x2 to 6x6 maps) so that the
gradient check (20 coordinates per argument) stays fast. Batch-norm inputs
are random normals, so no batch-norm output sits within the finite-difference
step of a ReLU kink. Edge cases: an upstream gradient that is zero on the new
maps (``dx`` must then be exactly ``dout[:, :C]``) or on the copy of ``x``,
odd image sizes for the transition's pooling, a block with no layers, equal
and unequal channel counts on the two sides of the U-Net join (a swapped
concatenation still has the right shapes when they are equal), Grad-CAM maps
that are nowhere positive (all zeros), non-integer resize factors.
"""

from __future__ import annotations

import numpy as np

from autograder.cases import edge
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

_FIXED_SEED = 20260404  # public cases are the same on every run
_LAYER_KEYS = ("norm1.weight", "norm1.bias", "conv1.weight", "norm2.weight",
               "norm2.bias", "conv2.weight")


def _shape(a) -> str:
    return f"{tuple(np.shape(a))} {np.asarray(a).dtype}"


def _dtype(rng):
    return (np.float32, np.float64)[int(rng.integers(2))]


# ---------------------------------------------------------------------------
# oracles (reference only)
# ---------------------------------------------------------------------------


def _dense_layer_module(x, params):
    """Build a `reference.nn.DenseLayer` holding ``params`` (learner's order)."""
    from reference.nn import DenseLayer

    growth, mid = params[5].shape[0], params[2].shape[0]
    layer = DenseLayer(x.shape[1], growth, mid // growth, dtype=x.dtype)
    return layer.load_state_dict(dict(zip(_LAYER_KEYS, params, strict=True)),
                                 strict=False)


def dense_layer_forward_oracle(x, norm1_gamma, norm1_beta, conv1_w, norm2_gamma,
                               norm2_beta, conv2_w):
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
    module.load_state_dict({"norm.weight": gamma, "norm.bias": beta,
                            "conv.weight": w}, strict=False)
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
    block = DenseBlock(len(layers_params), x.shape[1], growth, mid // growth,
                       dtype=x.dtype)
    state = {f"denselayer{i + 1}.{key}": value
             for i, params in enumerate(layers_params)
             for key, value in zip(_LAYER_KEYS, params, strict=True)}
    block.load_state_dict(state, strict=False)
    return block.forward(x), block


def gradcam_oracle(activations, dactivations, size=None):
    """`reference.gradcam.gradcam_map`."""
    from reference.gradcam import gradcam_map

    return gradcam_map(activations, dactivations, size)


def upsample_backward_oracle(dout, scale=2):
    """`reference.ops.upsample_backward` with the cache of a matching forward."""
    from reference import ops

    dout = np.asarray(dout)
    spatial = dout.shape[2:]
    factors = (tuple(int(s) for s in scale) if isinstance(scale, (tuple, list))
               else (int(scale),) * len(spatial))
    x_shape = dout.shape[:2] + tuple(n // f for n, f in zip(spatial, factors,
                                                             strict=True))
    _, cache = ops.upsample_forward(np.zeros(x_shape, dout.dtype), factors)
    return ops.upsample_backward(dout, cache)


def decoder_forward_oracle(x, skip, w1, b1, w2, b2):
    """`reference.nn` Upsample, concat_forward, then Conv-ReLU-Conv-ReLU."""
    from reference import ops
    from reference.nn import Conv, ReLU, Sequential, Upsample

    dtype = x.dtype
    convs = Sequential({
        "conv1": Conv(w1.shape[1], w1.shape[0], 3, padding=1, dtype=dtype),
        "relu1": ReLU(),
        "conv2": Conv(w2.shape[1], w2.shape[0], 3, padding=1, dtype=dtype),
        "relu2": ReLU(),
    })
    convs.load_state_dict({"conv1.weight": w1, "conv1.bias": b1,
                           "conv2.weight": w2, "conv2.bias": b2})
    upsample = Upsample(2)
    joined, concat_cache = ops.concat_forward(upsample.forward(x), skip)
    return convs.forward(joined), (upsample, concat_cache, convs)


def _decoder_backward(dout, cache):
    from reference import ops

    upsample, concat_cache, convs = cache
    dup, dskip = ops.concat_backward(convs.backward(dout), concat_cache)
    grads = convs.named_grads()
    return (upsample.backward(dup), dskip, grads["conv1.weight"], grads["conv1.bias"],
            grads["conv2.weight"], grads["conv2.bias"])


decoder_backward_oracle = (decoder_forward_oracle, _decoder_backward)


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
            dtype),
    )


def _dense_layer_case(rng, n, c, growth, bn_size, hw, dtype=np.float64, loc=0.0,
                      scale=1.0, zero=None, wrt=tuple(range(7)), note="") -> Case:
    h, w = hw
    x = (loc + scale * rng.standard_normal((n, c, h, w))).astype(dtype)
    params = _layer_params(rng, c, growth, bn_size, dtype)
    dout = rng.standard_normal((n, c + growth, h, w)).astype(dtype)
    if zero == "new":
        dout[:, c:] = 0
    elif zero == "copy":
        dout[:, :c] = 0
    label = (f"x {_shape(x)}, growth_rate {growth}, bottleneck {bn_size * growth} "
             f"maps -> out {(n, c + growth, h, w)}")
    return Case(args=(x, *params), dout=dout, wrt=wrt,
                label=label + (f" ({note})" if note else ""))


def dense_layer_public() -> list[Case]:
    """Both dtypes, a batch of one, inputs not centred."""
    rng = np.random.default_rng(_FIXED_SEED)
    return [
        _dense_layer_case(rng, 2, 4, 2, 2, (4, 4)),
        _dense_layer_case(rng, 2, 3, 2, 2, (5, 5), np.float32, note="float32"),
        _dense_layer_case(rng, 1, 2, 3, 1, (4, 4), loc=2.0, scale=3.0,
                          note="batch of one, x not centred"),
        _dense_layer_case(rng, 2, 3, 2, 2, (4, 4), zero="new", wrt=(0,),
                          note="dout is 0 on the new maps: dx = dout[:, :C]"),
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
        cases.append(_dense_layer_case(rng, n, c, growth, bn_size, hw, _dtype(rng),
                                       loc=float(rng.normal()),
                                       scale=float(rng.uniform(0.5, 2))))
    cases += [
        *edge(
            _dense_layer_case(rng, 2, 4, 2, 2, (4, 4), zero="new", wrt=(0,),
                              note="dout is 0 on the new maps"),
            _dense_layer_case(rng, 2, 2, 4, 1, (4, 4), zero="copy", wrt=(0,),
                              note="dout is 0 on the copy of x"),
        ),
        _dense_layer_case(rng, 2, 2, 3, 1, (6, 6), wrt=(),
                          note="more new maps than x's"),
    ]
    return cases


def _transition_case(rng, n, c, c_out, hw, dtype=np.float64, loc=0.0, scale=1.0,
                     note="") -> Case:
    h, w = hw
    x = (loc + scale * rng.standard_normal((n, c, h, w))).astype(dtype)
    gamma = (1 + 0.3 * rng.standard_normal(c)).astype(dtype)
    beta = (0.3 * rng.standard_normal(c)).astype(dtype)
    weight = (rng.standard_normal((c_out, c, 1, 1)) * np.sqrt(2 / c)).astype(dtype)
    out_shape = (n, c_out, h // 2, w // 2)
    dout = rng.standard_normal(out_shape).astype(dtype)
    label = f"x {_shape(x)}, w {tuple(weight.shape)} -> out {out_shape}"
    return Case(args=(x, gamma, beta, weight), dout=dout, wrt=(0, 1, 2, 3),
                label=label + (f" ({note})" if note else ""))


def transition_public() -> list[Case]:
    """DenseNet's halving (C_out = C // 2), float32, an odd size."""
    rng = np.random.default_rng(_FIXED_SEED + 1)
    return [
        _transition_case(rng, 2, 4, 2, (4, 4)),
        _transition_case(rng, 2, 4, 2, (6, 6), np.float32, note="float32"),
        _transition_case(rng, 2, 3, 2, (5, 5),
                         note="odd size: the pooling drops the last row and column"),
    ]


def transition_hidden(rng) -> list[Case]:
    """Random small transitions, odd and non-square sizes, a batch of one."""
    cases = []
    for _ in range(4):
        n, c = int(rng.integers(1, 3)), int(rng.integers(2, 5))
        c_out = int(rng.integers(1, c + 1))
        hw = tuple(int(v) for v in rng.integers(2, 7, size=2))
        cases.append(_transition_case(rng, n, c, c_out, hw, _dtype(rng),
                                      loc=float(rng.normal()),
                                      scale=float(rng.uniform(0.5, 2))))
    cases += [
        _transition_case(rng, 1, 4, 2, (4, 6), np.float32,
                         note="batch of one, non-square"),
        *edge(_transition_case(rng, 2, 2, 3, (2, 2),
                               note="2x2 maps: one output pixel")),
    ]
    return cases


def _dense_block_case(rng, n, c, growth, bn_size, layers, hw, dtype=np.float64,
                      note="") -> Case:
    x = rng.standard_normal((n, c, *hw)).astype(dtype)
    params = [_layer_params(rng, c + i * growth, growth, bn_size, dtype)
              for i in range(layers)]
    out_shape = (n, c + layers * growth, *hw)
    label = (f"x {_shape(x)}, {layers} layers, growth_rate {growth}, bottleneck "
             f"{bn_size * growth} maps -> out {out_shape}")
    return Case(args=(x, params), label=label + (f" ({note})" if note else ""))


def dense_block_public() -> list[Case]:
    """Two and three layers, float32, a single layer."""
    rng = np.random.default_rng(_FIXED_SEED + 2)
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
        cases.append(_dense_block_case(rng, n, c, growth, bn_size, layers, hw,
                                       _dtype(rng)))
    cases += edge(_dense_block_case(rng, 2, 3, 2, 2, 0, (4, 4),
                                    note="no layers: the block returns x"))
    return cases


# ---------------------------------------------------------------------------
# Grad-CAM
# ---------------------------------------------------------------------------


def _gradcam_case(activations, dactivations, size, note="") -> Case:
    label = (f"activations {_shape(activations)}, dactivations of the same shape, "
             f"size={size!r}")
    return Case(args=(activations, dactivations, size),
                label=label + (f" ({note})" if note else ""))


def _gradcam_random(rng, shape, size, dtype=np.float64, note="") -> Case:
    activations = rng.standard_normal(shape).astype(dtype)
    dactivations = rng.standard_normal(shape).astype(dtype)
    return _gradcam_case(activations, dactivations, size, note)


def gradcam_public() -> list[Case]:
    """Cases: the docstring's example, 2x upsampling, float32, an all-zero map."""
    rng = np.random.default_rng(_FIXED_SEED + 3)
    a = np.zeros((1, 2, 2, 2))
    a[0, 0, 0, 0], a[0, 1, 1, 1] = 2.0, 1.0
    da = np.stack([np.ones((2, 2)), -np.ones((2, 2))])[None]
    positive = np.abs(rng.standard_normal((2, 3, 3, 3))) + 0.1
    against = np.stack([-np.abs(rng.standard_normal((3, 3, 3))),  # nowhere positive
                        np.abs(rng.standard_normal((3, 3, 3)))])
    return [
        _gradcam_case(a, da, None, "the docstring's example, no resize"),
        _gradcam_random(rng, (2, 3, 4, 4), (8, 8), note="upsample x2"),
        _gradcam_random(rng, (2, 4, 3, 3), (7, 7), np.float32,
                        note="float32, factor 7/3"),
        _gradcam_case(positive, against, (6, 6),
                      "image 1: every weight negative, the map is all zeros"),
    ]


def gradcam_hidden(rng) -> list[Case]:
    """Random maps and sizes (non-integer and non-square factors), zero maps."""
    cases = []
    for _ in range(4):
        n, c = int(rng.integers(1, 3)), int(rng.integers(1, 5))
        hw = tuple(int(v) for v in rng.integers(1, 6, size=2))
        size = tuple(int(v) for v in rng.integers(1, 12, size=2))
        cases.append(_gradcam_random(rng, (n, c, *hw), size, _dtype(rng)))
    positive = np.abs(rng.standard_normal((2, 2, 4, 4))).astype(np.float32)
    cases += [
        _gradcam_random(rng, (2, 3, 4, 5), None, np.float32, note="no resize"),
        _gradcam_random(rng, (1, 2, 4, 4), [8, 6], note="size as a list"),
        _gradcam_random(rng, (2, 3, 6, 6), (3, 4), note="shrinking"),
        *edge(
            _gradcam_case(positive, -positive, (8, 8), "every weight negative: zeros"),
            _gradcam_case(np.zeros((1, 2, 3, 3)), np.ones((1, 2, 3, 3)), (6, 6),
                          "zero activations: zeros, no division by zero"),
        ),
    ]
    return cases


# ---------------------------------------------------------------------------
# U-Net: nearest upsampling's backward, one decoder level
# ---------------------------------------------------------------------------


def _upsample_case(rng, x_shape, scale, dtype=np.float64, note="") -> Case:
    spatial = x_shape[2:]
    factors = tuple(scale) if isinstance(scale, (tuple, list)) else (scale,) * len(
        spatial)
    dout_shape = (*x_shape[:2], *(s * f for s, f in zip(spatial, factors, strict=True)))
    dout = rng.standard_normal(dout_shape).astype(dtype)
    label = f"dout {_shape(dout)}, scale={scale!r} -> dx {tuple(x_shape)}"
    return Case(args=(dout,), kwargs={"scale": scale},
                label=label + (f" ({note})" if note else ""))


def upsample_public() -> list[Case]:
    """Scale 2 and 3, float32, a per-axis scale."""
    rng = np.random.default_rng(_FIXED_SEED + 4)
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
        cases.append(_upsample_case(rng, x_shape, int(rng.integers(1, 4)), _dtype(rng)))
    cases += [
        _upsample_case(rng, (2, 3, 4), 2, note="1D signals"),
        _upsample_case(rng, (1, 2, 2, 3, 2), 2, np.float32, note="3D volumes"),
        *edge(_upsample_case(rng, (2, 2, 3, 3), 1, note="scale 1: dx = dout")),
        _upsample_case(rng, (2, 1, 2, 2), [3, 2], note="scale as a list"),
    ]
    return cases


def _decoder_case(rng, n, c_x, c_s, c_mid, c_out, hw, dtype=np.float64,
                  note="") -> Case:
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
    label = (f"x {_shape(x)}, skip {tuple(skip.shape)}, w1 {tuple(w1.shape)}, "
             f"w2 {tuple(w2.shape)} -> out {out_shape}")
    return Case(args=(x, skip, w1, b1, w2, b2), dout=dout, wrt=tuple(range(6)),
                label=label + (f" ({note})" if note else ""))


def decoder_public() -> list[Case]:
    """Unequal and equal channel counts on the two sides, float32, a batch of one."""
    rng = np.random.default_rng(_FIXED_SEED + 5)
    return [
        _decoder_case(rng, 2, 4, 2, 3, 2, (2, 2)),
        _decoder_case(rng, 2, 2, 2, 2, 2, (2, 2), np.float32,
                      note="float32, as many upsampled maps as skip maps"),
        _decoder_case(rng, 1, 3, 2, 2, 3, (3, 2), note="batch of one, non-square"),
    ]


def decoder_hidden(rng) -> list[Case]:
    """Random small levels in both dtypes."""
    cases = []
    for _ in range(3):
        n = int(rng.integers(1, 3))
        c_x, c_s, c_mid, c_out = (int(v) for v in rng.integers(1, 5, size=4))
        hw = tuple(int(v) for v in rng.integers(1, 4, size=2))
        cases.append(_decoder_case(rng, n, c_x, c_s, c_mid, c_out, hw, _dtype(rng)))
    cases += [
        _decoder_case(rng, 2, 3, 3, 2, 2, (3, 3), note="equal sides, 6x6 output"),
        *edge(_decoder_case(rng, 2, 1, 4, 2, 1, (1, 1), np.float32,
                            note="a 1x1 coarse map, one output channel")),
    ]
    return cases
