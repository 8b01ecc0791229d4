"""Stateless forward/backward kernels: the arithmetic every layer is built from.

Arrays are channels-first, ``x`` of shape (N, C, *S) with S = (L,), (H, W) or
(D, H, W); one code path serves 1, 2 and 3 spatial dims. Every forward returns
``(out, cache)`` with a small NamedTuple cache the matching backward consumes;
nothing mutates its inputs and the floating dtype is preserved.

Kernels::

    conv.py            conv_forward / conv_backward, and the readable algorithms:
                       conv_*_naive (loops), conv_*_im2col (one matrix product)
    conv_transpose.py  conv_transpose_forward / conv_transpose_backward
    pooling.py         max_pool_*, avg_pool_*, global_avg_pool_*
    norm.py            batchnorm_forward / _backward / _update_running / _init_state
    activations.py     relu_*, sigmoid, sigmoid_*, softmax
    combine.py         concat_* (channels), add_* (the two graph-branching primitives)
    resample.py        upsample_* (nearest neighbour, integer scale)
    linear.py          linear_forward / linear_backward (w is (F_out, F_in))
    padding.py         pad_spatial / crop_spatial (zero padding, its inverse)

What makes them fast (backend dispatch, the slab-wise GEMM driver, Winograd,
shifted products, threads, the Numba kernels) lives in the private package
``_fast``; each Numba kernel has a pure-NumPy twin and everything also runs
with ``NUMBA_DISABLE_JIT=1``. Measurements: ``benchmarks/RESULTS.md``.
"""

from reference.ops.activations import (
    ReluCache,
    SigmoidCache,
    relu_backward,
    relu_forward,
    sigmoid,
    sigmoid_backward,
    sigmoid_forward,
    softmax,
)
from reference.ops.combine import (
    AddCache,
    ConcatCache,
    add_backward,
    add_forward,
    concat_backward,
    concat_forward,
)
from reference.ops.conv import (
    ConvCache,
    conv_backward,
    conv_backward_im2col,
    conv_backward_naive,
    conv_forward,
    conv_forward_im2col,
    conv_forward_naive,
)
from reference.ops.conv_transpose import (
    ConvTransposeCache,
    conv_transpose_backward,
    conv_transpose_forward,
)
from reference.ops.linear import LinearCache, linear_backward, linear_forward
from reference.ops.norm import (
    BatchNormCache,
    batchnorm_backward,
    batchnorm_forward,
    batchnorm_init_state,
    batchnorm_update_running,
)
from reference.ops.pooling import (
    GlobalPoolCache,
    PoolCache,
    avg_pool_backward,
    avg_pool_forward,
    global_avg_pool_backward,
    global_avg_pool_forward,
    max_pool_backward,
    max_pool_forward,
)
from reference.ops.resample import UpsampleCache, upsample_backward, upsample_forward

__all__ = [
    "AddCache",
    "BatchNormCache",
    "ConcatCache",
    "ConvCache",
    "ConvTransposeCache",
    "GlobalPoolCache",
    "LinearCache",
    "PoolCache",
    "ReluCache",
    "SigmoidCache",
    "UpsampleCache",
    "add_backward",
    "add_forward",
    "avg_pool_backward",
    "avg_pool_forward",
    "batchnorm_backward",
    "batchnorm_forward",
    "batchnorm_init_state",
    "batchnorm_update_running",
    "concat_backward",
    "concat_forward",
    "conv_backward",
    "conv_backward_im2col",
    "conv_backward_naive",
    "conv_forward",
    "conv_forward_im2col",
    "conv_forward_naive",
    "conv_transpose_backward",
    "conv_transpose_forward",
    "global_avg_pool_backward",
    "global_avg_pool_forward",
    "linear_backward",
    "linear_forward",
    "max_pool_backward",
    "max_pool_forward",
    "relu_backward",
    "relu_forward",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax",
    "upsample_backward",
    "upsample_forward",
]
