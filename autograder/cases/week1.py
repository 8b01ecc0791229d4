"""Cases and oracle adapters for week 1's from-scratch kernels.

Lessons ``week1/convolution.py``, ``week1/pooling.py``, ``week1/batchnorm.py``
and ``week1/activations.py``. The oracles are small adapters with the
learner's signatures around `reference.ops` (never `solutions`); a forward
oracle returns ``(out, cache)`` like the learner's, and the registry grades only
``out`` (``pick=0``). A backward oracle is a ``(forward, backward)`` pair.

Cases are tiny and deterministic (batch 2, 3 channels, 4x4 or 5x5): stride 1
and 2, padding 0 and 1, non-square kernels, a batch of one, odd sizes, float32
and float64. Hidden cases are drawn from the grader's ``rng``. Cases meant for
the gradient check keep away from kinks (ReLU inputs away from 0, max-pool
windows without ties); the cases WITH ties or zeros set ``wrt=()`` so only the
round trip (against the reference's convention) checks them.
"""

from __future__ import annotations

import numpy as np

from autograder.cases import edge
from autograder.spec import Case

__all__ = [
    "batchnorm_backward_oracle",
    "batchnorm_forward_oracle",
    "batchnorm_hidden",
    "batchnorm_public",
    "conv_backward_oracle",
    "conv_forward_oracle",
    "conv_hidden",
    "conv_public",
    "max_pool_backward_oracle",
    "max_pool_forward_oracle",
    "max_pool_hidden",
    "max_pool_public",
    "relu_backward_oracle",
    "relu_forward_oracle",
    "relu_hidden",
    "relu_public",
    "sigmoid_hidden",
    "sigmoid_oracle",
    "sigmoid_public",
]

_FIXED_SEED = 20260101  # public cases are the same on every run


def _ops():
    """Import `reference.ops` on first use (the conv module may land later)."""
    from reference import ops

    return ops


def _pair(value) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        return int(value[0]), int(value[1])
    return int(value), int(value)


def _out_size(size: int, kernel: int, stride: int, pad: int) -> int:
    return 1 + (size + 2 * pad - kernel) // stride


def _shape(a) -> str:
    return f"{tuple(a.shape)} {a.dtype}"


def _gap_normal(rng, shape, dtype, gap: float = 0.05) -> np.ndarray:
    """Draw normal values pushed at least ``gap`` away from 0 (no ReLU kink)."""
    z = rng.standard_normal(shape)
    return (np.sign(z + (z == 0)) * (gap + np.abs(z))).astype(dtype)


# ---------------------------------------------------------------------------
# oracles (reference only)
# ---------------------------------------------------------------------------


def conv_forward_oracle(x, w, b, stride=1, padding=0):
    """`reference.ops.conv_forward` with the exercise's signature."""
    return _ops().conv_forward(x, w, b, stride=stride, padding=padding)


def _conv_backward(dout, cache):
    return _ops().conv_backward(dout, cache)


conv_backward_oracle = (conv_forward_oracle, _conv_backward)


def max_pool_forward_oracle(x, kernel, stride=None, padding=0):
    """`reference.ops.max_pool_forward` with the exercise's signature."""
    return _ops().max_pool_forward(x, kernel, stride=stride, padding=padding)


def _max_pool_backward(dout, cache):
    return _ops().max_pool_backward(dout, cache)


max_pool_backward_oracle = (max_pool_forward_oracle, _max_pool_backward)


def batchnorm_forward_oracle(
    x, gamma, beta, eps=1e-5, running_mean=None, running_var=None, training=True
):
    """`reference.ops.batchnorm_forward` with the exercise's signature."""
    return _ops().batchnorm_forward(
        x,
        gamma,
        beta,
        eps=eps,
        running_mean=running_mean,
        running_var=running_var,
        training=training,
    )


def _batchnorm_backward(dout, cache):
    return _ops().batchnorm_backward(dout, cache)


batchnorm_backward_oracle = (batchnorm_forward_oracle, _batchnorm_backward)


def relu_forward_oracle(x):
    """`reference.ops.relu_forward`."""
    return _ops().relu_forward(x)


def _relu_backward(dout, cache):
    return _ops().relu_backward(dout, cache)


relu_backward_oracle = (relu_forward_oracle, _relu_backward)


def sigmoid_oracle(x):
    """`reference.ops.sigmoid`."""
    return _ops().sigmoid(x)


# ---------------------------------------------------------------------------
# convolution
# ---------------------------------------------------------------------------


def _conv_case(
    rng, x_shape, w_shape, stride=1, padding=0, dtype=np.float64, note: str = ""
) -> Case:
    x = rng.standard_normal(x_shape).astype(dtype)
    w = (0.5 * rng.standard_normal(w_shape)).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    out_shape = (
        x_shape[0],
        w_shape[0],
        _out_size(x_shape[2], w_shape[2], sh, ph),
        _out_size(x_shape[3], w_shape[3], sw, pw),
    )
    dout = rng.standard_normal(out_shape).astype(dtype)
    label = (
        f"x {_shape(x)}, w {tuple(w.shape)}, b {tuple(b.shape)}, "
        f"stride={stride!r}, padding={padding!r} -> out {out_shape}"
    )
    return Case(
        args=(x, w, b),
        kwargs={"stride": stride, "padding": padding},
        dout=dout,
        wrt=(0, 1, 2),
        label=label + (f" ({note})" if note else ""),
    )


def conv_public() -> list[Case]:
    """Stride 1 and 2, padding 0 and 1, a non-square kernel, a batch of one."""
    rng = np.random.default_rng(_FIXED_SEED)
    return [
        _conv_case(rng, (2, 3, 5, 5), (4, 3, 3, 3), note="stride 1, no padding"),
        _conv_case(rng, (2, 3, 5, 5), (4, 3, 3, 3), padding=1, note="'same' padding"),
        _conv_case(
            rng,
            (2, 3, 5, 5),
            (2, 3, 3, 3),
            stride=2,
            padding=1,
            dtype=np.float32,
            note="stride 2, float32",
        ),
        _conv_case(
            rng,
            (2, 3, 4, 5),
            (2, 3, 2, 3),
            stride=2,
            note="non-square kernel and image, odd width",
        ),
        _conv_case(rng, (1, 3, 4, 4), (3, 3, 1, 1), note="batch of one, 1x1 kernel"),
    ]


def conv_hidden(rng) -> list[Case]:
    """Random small shapes and hyperparameters, plus edge cases."""
    cases = []
    for _ in range(5):
        n, c_in, c_out = (int(v) for v in rng.integers(1, 4, size=3))
        h, w = (int(v) for v in rng.integers(3, 8, size=2))
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        stride, padding = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        dtype = (np.float32, np.float64)[int(rng.integers(2))]
        cases.append(
            _conv_case(
                rng, (n, c_in, h, w), (c_out, c_in, kh, kw), stride, padding, dtype
            )
        )
    cases += [
        *edge(_conv_case(rng, (2, 2, 4, 4), (2, 2, 4, 4), note="kernel as large as x")),
        _conv_case(
            rng,
            (2, 3, 5, 5),
            (2, 3, 3, 3),
            stride=3,
            padding=2,
            dtype=np.float32,
            note="stride 3, padding 2",
        ),
        _conv_case(
            rng,
            (2, 2, 5, 6),
            (3, 2, 3, 2),
            stride=(1, 2),
            padding=(1, 0),
            note="stride and padding as (rows, columns) pairs",
        ),
        _conv_case(
            rng,
            (1, 1, 7, 7),
            (1, 1, 3, 3),
            stride=2,
            padding=1,
            dtype=np.float32,
            note="one channel",
        ),
    ]
    return cases


# ---------------------------------------------------------------------------
# max pooling
# ---------------------------------------------------------------------------


def _pool_case(
    x, kernel, stride=None, padding=0, ties: bool = False, note: str = "", rng=None
) -> Case:
    (kh, kw), (ph, pw) = _pair(kernel), _pair(padding)
    sh, sw = (kh, kw) if stride is None else _pair(stride)
    out_shape = (
        *x.shape[:2],
        _out_size(x.shape[2], kh, sh, ph),
        _out_size(x.shape[3], kw, sw, pw),
    )
    dout = rng.standard_normal(out_shape).astype(x.dtype)
    kwargs = {"kernel": kernel, "stride": stride, "padding": padding}
    label = (
        f"x {_shape(x)}, kernel={kernel!r}, stride={stride!r}, "
        f"padding={padding!r} -> out {out_shape}"
    )
    if ties:
        note = "ties: " + note if note else "ties in the windows"
    return Case(
        args=(x,),
        kwargs=kwargs,
        dout=dout,
        wrt=() if ties else (0,),
        label=label + (f" ({note})" if note else ""),
    )


def _distinct(rng, shape, dtype) -> np.ndarray:
    """Values with no ties anywhere: a shuffled grid spaced 0.1 apart."""
    values = 0.1 * rng.permutation(int(np.prod(shape))) - 0.05 * np.prod(shape)
    return values.reshape(shape).astype(dtype)


def _tied(rng, shape, dtype) -> np.ndarray:
    """Small integers: most windows hold their maximum more than once."""
    return rng.integers(0, 3, size=shape).astype(dtype)


def max_pool_public() -> list[Case]:
    """2x2/stride 2, DenseNet's stem (3x3, stride 2, padding 1), non-square, ties."""
    rng = np.random.default_rng(_FIXED_SEED + 1)
    return [
        _pool_case(
            _distinct(rng, (2, 3, 4, 4), np.float64),
            2,
            rng=rng,
            note="stride defaults to the kernel",
        ),
        _pool_case(
            _distinct(rng, (2, 3, 5, 5), np.float32),
            3,
            2,
            1,
            rng=rng,
            note="DenseNet's stem pool, float32",
        ),
        _pool_case(
            _distinct(rng, (1, 3, 4, 5), np.float64),
            (2, 3),
            1,
            rng=rng,
            note="non-square kernel, overlapping windows, batch of one",
        ),
        _pool_case(
            _tied(rng, (2, 3, 4, 4), np.float64),
            2,
            ties=True,
            rng=rng,
            note="only the first maximum of a window gets the gradient",
        ),
    ]


def max_pool_hidden(rng) -> list[Case]:
    """Random small shapes and hyperparameters, plus ties and padding edge cases."""
    cases = []
    for _ in range(4):
        n, c = (int(v) for v in rng.integers(1, 4, size=2))
        h, w = (int(v) for v in rng.integers(3, 8, size=2))
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        padding = (int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1)))
        stride = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        dtype = (np.float32, np.float64)[int(rng.integers(2))]
        cases.append(
            _pool_case(
                _distinct(rng, (n, c, h, w), dtype), (kh, kw), stride, padding, rng=rng
            )
        )
    negative = _distinct(rng, (2, 2, 5, 5), np.float64)
    negative -= negative.max() + 1  # still no ties
    cases += [
        _pool_case(
            _distinct(rng, (2, 2, 7, 7), np.float32),
            3,
            2,
            1,
            rng=rng,
            note="DenseNet's stem pool, odd size",
        ),
        *edge(
            _pool_case(
                negative,
                3,
                2,
                1,
                rng=rng,
                note="all inputs negative: padding must not win",
            ),
            _pool_case(
                _tied(rng, (2, 3, 5, 5), np.float32),
                3,
                1,
                1,
                ties=True,
                rng=rng,
                note="overlapping windows",
            ),
            _pool_case(
                np.zeros((1, 2, 4, 4)),
                3,
                2,
                1,
                ties=True,
                rng=rng,
                note="a constant input",
            ),
        ),
    ]
    return cases


# ---------------------------------------------------------------------------
# batch norm
# ---------------------------------------------------------------------------


def _bn_case(
    rng,
    shape,
    dtype=np.float64,
    training=True,
    eps=1e-5,
    loc=0.0,
    scale=1.0,
    note: str = "",
) -> Case:
    c = shape[1]
    x = (loc + scale * rng.standard_normal(shape)).astype(dtype)
    gamma = (1 + 0.5 * rng.standard_normal(c)).astype(dtype)
    beta = rng.standard_normal(c).astype(dtype)
    dout = rng.standard_normal(shape).astype(dtype)
    kwargs = {"eps": eps, "training": training}
    if not training:
        kwargs["running_mean"] = (loc + 0.3 * rng.standard_normal(c)).astype(dtype)
        kwargs["running_var"] = (scale**2 * rng.uniform(0.5, 2.0, c)).astype(dtype)
    mode = "training" if training else "evaluation, running statistics given"
    label = f"x {_shape(x)}, gamma and beta ({c},), eps={eps:g}, {mode}"
    return Case(
        args=(x, gamma, beta),
        kwargs=kwargs,
        dout=dout,
        wrt=(0, 1, 2),
        label=label + (f" ({note})" if note else ""),
    )


def batchnorm_public() -> list[Case]:
    """Training and evaluation mode, float32 and float64, a batch of one."""
    rng = np.random.default_rng(_FIXED_SEED + 2)
    return [
        _bn_case(rng, (2, 3, 4, 4)),
        _bn_case(
            rng,
            (2, 3, 5, 5),
            np.float32,
            loc=3.0,
            scale=2.0,
            note="float32, channels not centred",
        ),
        _bn_case(rng, (2, 3, 4, 4), training=False),
        _bn_case(rng, (1, 3, 4, 4), note="batch of one: statistics over H and W only"),
    ]


def batchnorm_hidden(rng) -> list[Case]:
    """Random shapes, both modes, both dtypes, other eps values."""
    cases = []
    for _ in range(4):
        n, c = int(rng.integers(1, 4)), int(rng.integers(1, 5))
        h, w = (int(v) for v in rng.integers(2, 6, size=2))
        dtype = (np.float32, np.float64)[int(rng.integers(2))]
        training, loc, scale = bool(rng.integers(2)), rng.normal(), rng.uniform(0.5, 2)
        cases.append(
            _bn_case(
                rng,
                (n, c, h, w),
                dtype,
                training=training,
                loc=float(loc),
                scale=float(scale),
            )
        )
    cases += [
        *edge(
            _bn_case(rng, (4, 3, 1, 1), note="1x1 maps: statistics over the batch only")
        ),
        _bn_case(
            rng,
            (2, 2, 3, 3),
            np.float32,
            training=False,
            eps=1e-3,
            note="float32, eps=1e-3",
        ),
        _bn_case(rng, (2, 2, 3, 3), eps=0.1, scale=0.2, note="eps comparable to var"),
    ]
    return cases


# ---------------------------------------------------------------------------
# activations
# ---------------------------------------------------------------------------


def _relu_case(x, rng, kink: bool, note: str = "") -> Case:
    dout = rng.standard_normal(x.shape).astype(x.dtype)
    label = f"x {_shape(x)}" + (f" ({note})" if note else "")
    return Case(args=(x,), dout=dout, wrt=() if kink else (0,), label=label)


def relu_public() -> list[Case]:
    """Mixed signs in both dtypes; a case with exact zeros (gradient 0 there)."""
    rng = np.random.default_rng(_FIXED_SEED + 3)
    with_zeros = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0], [0.0, 1.0, -1.0, 3.0, 0.0]])
    return [
        _relu_case(_gap_normal(rng, (2, 3, 4, 4), np.float64), rng, kink=False),
        _relu_case(
            _gap_normal(rng, (2, 3, 5, 5), np.float32), rng, kink=False, note="float32"
        ),
        _relu_case(with_zeros, rng, kink=True, note="exact zeros: the gradient is 0"),
    ]


def relu_hidden(rng) -> list[Case]:
    """Random shapes and dtypes, all-negative and all-positive inputs, zeros."""
    cases = []
    for _ in range(3):
        ndim = int(rng.integers(1, 5))
        shape = tuple(int(v) for v in rng.integers(1, 5, size=ndim))
        dtype = (np.float32, np.float64)[int(rng.integers(2))]
        cases.append(_relu_case(_gap_normal(rng, shape, dtype), rng, kink=False))
    cases += edge(
        _relu_case(
            -np.abs(_gap_normal(rng, (2, 3, 4, 4), np.float32)),
            rng,
            kink=False,
            note="all negative",
        ),
        _relu_case(
            np.abs(_gap_normal(rng, (2, 3, 4, 4), np.float64)),
            rng,
            kink=False,
            note="all positive",
        ),
        _relu_case(
            np.round(rng.standard_normal((2, 3, 4, 4))).astype(np.float32),
            rng,
            kink=True,
            note="many exact zeros",
        ),
    )
    return cases


def _sigmoid_case(x, note: str = "") -> Case:
    return Case(args=(x,), label=f"x {_shape(x)}" + (f" ({note})" if note else ""))


def sigmoid_public() -> list[Case]:
    """Moderate values in both dtypes and the saturated tails."""
    rng = np.random.default_rng(_FIXED_SEED + 4)
    tails = np.array([-1000.0, -100.0, -20.0, 0.0, 20.0, 100.0, 1000.0])
    return [
        _sigmoid_case(rng.normal(0, 3, (2, 3, 4, 4))),
        _sigmoid_case(rng.normal(0, 3, (4, 5)).astype(np.float32), "float32"),
        _sigmoid_case(tails, "large |x| must not give NaN: exp(1000) overflows"),
    ]


def sigmoid_hidden(rng) -> list[Case]:
    """Random logits, huge magnitudes (|x| up to 1e3) in float32 and float64."""
    huge = np.array(
        [-1e3, -710.0, -89.0, -88.0, -1e-3, 0.0, 1e-3, 88.0, 89.0, 710.0, 1e3]
    )
    return [
        _sigmoid_case(rng.normal(0, 5, (3, 7))),
        _sigmoid_case(rng.normal(0, 5, (2, 3, 4, 4)).astype(np.float32), "float32"),
        _sigmoid_case(rng.uniform(-1e3, 1e3, 50), "|x| up to 1000"),
        _sigmoid_case(rng.uniform(-1e3, 1e3, 50).astype(np.float32), "|x| up to 1000"),
        *edge(
            _sigmoid_case(huge, "around the overflow points of exp"),
            _sigmoid_case(huge.astype(np.float32), "around the overflow points of exp"),
            _sigmoid_case(np.zeros(5, np.float32), "sigmoid(0) = 0.5"),
        ),
    ]
