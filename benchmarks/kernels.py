"""Milliseconds per call of the non-conv kernels at DenseNet-121 / 3D U-Net sizes.

Run by hand, never by CI::

    python benchmarks/kernels.py            # float32, best of 5
    python benchmarks/kernels.py --quick    # quarter-size inputs

Every row times our forward and backward (NumPy/Numba, one thread) and, when
PyTorch is importable, torch's forward (no_grad) and forward+backward in the
same process. The first call of each op is a warm-up (Numba compiles or
loads its cache there) and is not timed. Note that this machine sets
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, which slow NumPy's matrix product.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from reference import ops

try:  # optional oracle for speed only
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - depends on the environment
    torch = None


def best_ms(fn, repeat):
    fn()  # warm-up (compilation, caches)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return 1e3 * best


def cases(scale):
    """(name, input shapes, our forward, torch forward), shrunk by ``scale``."""

    def shape(n, c, *spatial):
        return (n, c, *(max(2, s // scale) for s in spatial))

    ones, zeros = np.ones(128, np.float32), np.zeros(128, np.float32)
    state = ops.batchnorm_init_state(128)
    if torch is not None:
        t_ones, t_zeros = torch.ones(128), torch.zeros(128)

    def bn_train(x):
        return ops.batchnorm_forward(x, ones, zeros)

    def bn_eval(x):
        return ops.batchnorm_forward(x, ones, zeros, training=False, **state)

    return [
        (
            "max_pool 3x3/2 pad 1 (DenseNet stem)",
            [shape(8, 64, 112, 112)],
            lambda x: ops.max_pool_forward(x, 3, 2, 1),
            lambda x: F.max_pool2d(x, 3, 2, 1),
        ),
        (
            "max_pool 2x2x2 (3D U-Net)",
            [shape(1, 32, 160, 160, 16)],
            lambda x: ops.max_pool_forward(x, 2),
            lambda x: F.max_pool3d(x, 2),
        ),
        (
            "avg_pool 2x2 (DenseNet transition)",
            [shape(8, 128, 56, 56)],
            lambda x: ops.avg_pool_forward(x, 2),
            lambda x: F.avg_pool2d(x, 2),
        ),
        (
            "global_avg_pool (DenseNet head)",
            [shape(8, 1024, 7, 7)],
            ops.global_avg_pool_forward,
            lambda x: x.mean(dim=(2, 3)),
        ),
        (
            "batchnorm train (N, 128, 56, 56)",
            [shape(8, 128, 56, 56)],
            bn_train,
            lambda x: F.batch_norm(x, None, None, t_ones, t_zeros, True),
        ),
        (
            "batchnorm eval (N, 128, 56, 56)",
            [shape(8, 128, 56, 56)],
            bn_eval,
            lambda x: F.batch_norm(x, t_zeros, t_ones, t_ones, t_zeros, False),
        ),
        (
            "relu (N, 128, 56, 56)",
            [shape(8, 128, 56, 56)],
            ops.relu_forward,
            lambda x: F.relu(x),
        ),
        (
            "sigmoid (1, 3, 160, 160, 16)",
            [shape(1, 3, 160, 160, 16)],
            ops.sigmoid_forward,
            lambda x: torch.sigmoid(x),
        ),
        (
            "concat 224 + 32 ch (dense layer)",
            [shape(8, 224, 56, 56), shape(8, 32, 56, 56)],
            ops.concat_forward,
            lambda a, b: torch.cat([a, b], dim=1),
        ),
        (
            "add (N, 128, 56, 56)",
            [shape(8, 128, 56, 56)] * 2,
            ops.add_forward,
            lambda a, b: a + b,
        ),
        (
            "upsample x2 (1, 64, 80, 80, 8)",
            [shape(1, 64, 80, 80, 8)],
            lambda x: ops.upsample_forward(x, 2),
            lambda x: F.interpolate(x, scale_factor=2, mode="nearest"),
        ),
        (
            "linear 1024 -> 14 (classifier)",
            [(8, 1024), (14, 1024)],
            ops.linear_forward,
            lambda x, w: F.linear(x, w),
        ),
    ]


def time_ours(forward, inputs, repeat):
    out, cache = forward(*inputs)
    backward = getattr(ops, forward.__name__.replace("forward", "backward"), None)
    if backward is None:  # a lambda: find the backward from the cache type
        backward = BACKWARD[type(cache)]
    dout = np.ones_like(out)
    return (
        best_ms(lambda: forward(*inputs), repeat),
        best_ms(lambda: backward(dout, cache), repeat),
    )


def time_torch(forward, inputs, repeat):
    tensors = [torch.from_numpy(a.copy()).requires_grad_() for a in inputs]
    with torch.no_grad():
        fwd = best_ms(lambda: forward(*tensors), repeat)
    dout = torch.ones_like(forward(*tensors))

    def forward_backward():
        for t in tensors:
            t.grad = None
        forward(*tensors).backward(dout)

    return fwd, best_ms(forward_backward, repeat)


BACKWARD = {
    ops.PoolCache: lambda dout, cache: (
        ops.max_pool_backward if cache.mode == "max" else ops.avg_pool_backward
    )(dout, cache),
    ops.BatchNormCache: ops.batchnorm_backward,
    ops.UpsampleCache: ops.upsample_backward,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="quarter-size inputs")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    if torch is None:
        torch_info = "not importable"
    else:
        torch_info = f"{torch.__version__} ({torch.get_num_threads()} threads)"
    blas = os.environ.get("OPENBLAS_CORETYPE", "-")
    print(
        f"float32, best of {args.repeat}; OPENBLAS_CORETYPE={blas}; torch {torch_info}"
    )
    header = ("op", "fwd ms", "bwd ms", "torch fwd", "torch f+b")
    print("{:40s} {:>8s} {:>8s} {:>10s} {:>10s}".format(*header))
    for name, shapes, ours, theirs in cases(4 if args.quick else 1):
        inputs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        fwd, bwd = time_ours(ours, inputs, args.repeat)
        row = f"{name:40s} {fwd:8.2f} {bwd:8.2f}"
        if torch is not None:
            row += " {:10.2f} {:10.2f}".format(*time_torch(theirs, inputs, args.repeat))
        print(row, flush=True)


if __name__ == "__main__":
    main()
