"""Convolution speed: ours (reference.ops.conv) vs PyTorch CPU, float32, same run.

Run by hand (never in CI):

    python benchmarks/conv.py [--repeats 5] [--shapes a,b,c,d,e40,e80] [--backend auto]
    python benchmarks/conv.py --shapes u192,u32,u384,u256,a --gemm-only

``--shapes`` takes any names of SHAPES (the default is the first six);
``--backend`` any backend of conv_forward; ``--gemm-only`` keeps "auto"/"numba"
from choosing Winograd or shifted products, so that they run the slab-wise GEMM
driver (the baseline those two methods were measured against).

PyTorch is never a project dependency. Its times are included when torch is
importable here, or else when ``--torch-python PATH`` (default: the environment
variable AI4MD_TORCH_PYTHON; no default path) names an interpreter that has
torch; that interpreter times PyTorch in a child process, after all of ours:

    AI4MD_TORCH_PYTHON=/path/to/torch-venv/bin/python python benchmarks/conv.py

Prints, per layer shape: forward ms, forward+backward ms (best of --repeats), GFLOP/s
of forward+backward (3x the forward's 2*N*C_out*C_in*K*prod(S_out) flops of the direct
method, so for the layers that ``auto`` runs with Winograd F(2, 3), which does fewer
multiply-adds, this is an effective rate) and that as a % of a float32 matmul measured
in the same run; then PyTorch's times (2 threads) and the
ratio ours/PyTorch. The OpenBLAS environment is left as the machine sets it. The machine
is shared: check `uptime` and re-run when the load is low.
"""

import argparse
import json
import math
import os
import subprocess
import time

import numpy as np

# name: (N, C_in, C_out, spatial, kernel, stride, padding)
SHAPES = {
    # the default set: DenseNet-121 (a-c) and 3D U-Net (d-e80) layers
    "a": (8, 128, 32, (56, 56), 3, 1, 1),
    "b": (8, 256, 128, (56, 56), 1, 1, 0),
    "c": (8, 3, 64, (224, 224), 7, 2, 3),
    "d": (1, 4, 32, (160, 160, 16), 3, 1, 1),
    "e40": (1, 64, 64, (40, 40, 4), 3, 1, 1),
    "e80": (1, 32, 32, (80, 80, 8), 3, 1, 1),
    # the rest of DenseNet's 3x3 layers, and the widest 3D U-Net layers
    "a28": (8, 128, 32, (28, 28), 3, 1, 1),
    "a14": (8, 128, 32, (14, 14), 3, 1, 1),
    "a7": (8, 128, 32, (7, 7), 3, 1, 1),
    "u192": (1, 192, 64, (160, 160, 16), 3, 1, 1),
    "u32": (1, 32, 64, (160, 160, 16), 3, 1, 1),
    "u384": (1, 384, 128, (80, 80, 8), 3, 1, 1),
    "u256": (1, 256, 256, (20, 20, 2), 3, 1, 1),
}
DEFAULT_SHAPES = "a,b,c,d,e40,e80"


def best_ms(func, repeats):
    """Best wall time of ``repeats`` calls after one warm-up, in ms."""
    func()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return 1e3 * min(times)


def matmul_peak(repeats):
    """GFLOP/s of a 2048^3 float32 matmul (NumPy's BLAS, as configured)."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((2048, 2048), dtype=np.float32) for _ in range(2))
    return 2 * 2048**3 / best_ms(lambda: a @ b, repeats) / 1e6


def ours(shape, repeats, backend):
    """(forward ms, forward+backward ms) of reference.ops.conv."""
    from reference.ops.conv import conv_backward, conv_forward

    n, c_in, c_out, spatial, k, stride, padding = shape
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c_in) + spatial, dtype=np.float32)
    w = rng.standard_normal((c_out, c_in) + (k,) * len(spatial), dtype=np.float32)
    w *= 1 / math.sqrt(c_in * k ** len(spatial))
    out, _ = conv_forward(x, w, None, stride, padding, backend=backend)
    dout = rng.standard_normal(out.shape, dtype=np.float32)

    def both():
        conv_backward(
            dout,
            conv_forward(x, w, None, stride, padding, backend=backend)[1],
            backend=backend,
        )

    fwd = best_ms(
        lambda: conv_forward(x, w, None, stride, padding, backend=backend), repeats
    )
    return fwd, best_ms(both, repeats)


def pytorch(shape, repeats):
    """(forward ms, forward+backward ms) of torch.nn.functional.convNd, or None."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)
    n, c_in, c_out, spatial, k, stride, padding = shape
    conv = getattr(torch.nn.functional, f"conv{len(spatial)}d")
    x = torch.randn(n, c_in, *spatial, requires_grad=True)
    w = torch.randn(c_out, c_in, *(k,) * len(spatial), requires_grad=True)
    dout = torch.randn_like(conv(x, w, stride=stride, padding=padding))

    def forward():
        with torch.no_grad():
            conv(x, w, stride=stride, padding=padding)

    def both():
        x.grad = w.grad = None
        conv(x, w, stride=stride, padding=padding).backward(dout)

    return best_ms(forward, repeats), best_ms(both, repeats)


def pytorch_elsewhere(python, names, repeats):
    """{name: pytorch(...)} timed by the interpreter ``python`` in a child process."""
    cmd = [python, os.path.abspath(__file__), "--torch-only"]
    cmd += ["--shapes", ",".join(names), "--repeats", str(repeats)]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        print(f"PyTorch via {python} failed: {done.stderr.strip()[-300:]}")
        return dict.fromkeys(names)
    return json.loads(done.stdout.strip().splitlines()[-1])


def torch_importable():
    """Whether this interpreter can import torch."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def flops(shape):
    """Forward flops: 2 * N * C_out * C_in * prod(kernel) * prod(S_out)."""
    n, c_in, c_out, spatial, k, stride, padding = shape
    s_out = [1 + (s + 2 * padding - k) // stride for s in spatial]
    return 2 * n * c_out * c_in * k ** len(spatial) * math.prod(s_out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--shapes", default=DEFAULT_SHAPES)
    parser.add_argument("--backend", default="auto")
    parser.add_argument(
        "--torch-python",
        default=os.environ.get("AI4MD_TORCH_PYTHON"),
        help="an interpreter with torch (default: $AI4MD_TORCH_PYTHON)",
    )
    parser.add_argument(
        "--gemm-only",
        action="store_true",
        help="auto/numba never pick Winograd or shifted products",
    )
    parser.add_argument("--torch-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.gemm_only:  # a benchmark-only switch: the selection rules say no
        from reference.ops._fast import dispatch

        dispatch.prefer_shifted = dispatch.prefer_winograd = lambda *shapes: False
    names = args.shapes.split(",")
    if args.torch_only:  # the child of pytorch_elsewhere
        print(json.dumps({name: pytorch(SHAPES[name], args.repeats) for name in names}))
        return

    peak = matmul_peak(args.repeats)
    blas_env = {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")}
    print(
        f"float32 matmul peak {peak:.0f} GFLOP/s (2048^3; env {blas_env or 'default'}),"
        f" load {os.getloadavg()[0]:.2f}, backend {args.backend}"
        + (" (GEMM driver only)" if args.gemm_only else "")
    )
    print(
        f"{'shape':>5} {'fwd ms':>8} {'f+b ms':>8} {'GFLOP/s':>8} {'%peak':>6} "
        f"{'torch fwd':>9} {'torch f+b':>9} {'ratio fwd':>9} {'ratio f+b':>9}"
    )
    # all of ours first, then all of PyTorch's: each library's idle threads keep
    # spinning for a while after a call and would slow the other one down
    our_times = {name: ours(SHAPES[name], args.repeats, args.backend) for name in names}
    time.sleep(1.0)
    if torch_importable() or not args.torch_python:
        torch_times = {name: pytorch(SHAPES[name], args.repeats) for name in names}
    else:
        torch_times = pytorch_elsewhere(args.torch_python, names, args.repeats)
    for name in names:
        fwd, both = our_times[name]
        rate = 3 * flops(SHAPES[name]) / both / 1e6
        line = f"{name:>5} {fwd:8.1f} {both:8.1f} {rate:8.0f} {100 * rate / peak:5.0f}%"
        if torch_times[name]:
            t_fwd, t_both = torch_times[name]
            ratios = f"{fwd / t_fwd:9.2f} {both / t_both:9.2f}"
            line += f" {t_fwd:9.1f} {t_both:9.1f} {ratios}"
        print(line, flush=True)
    print(f"load {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
