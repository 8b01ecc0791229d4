"""Speed and peak memory of the course models (run by hand, never by CI).

    python benchmarks/models.py             # both, each in a fresh process
    python benchmarks/models.py unet        # 3D U-Net 1x4x160x160x16, depth 4, base 32
    python benchmarks/models.py densenet    # DenseNet-121 Adam step, N=8, 3x224x224
    python benchmarks/models.py --repeats 3 # best of 3 timed runs after a warm-up
    python benchmarks/models.py --glibc-default  # ours without keep_freed_memory

Peak memory is the process's maximum resident set size (resource.getrusage), so each
benchmark runs in its own subprocess. When PyTorch is importable (here, or with the
interpreter named by the environment variable AI4MD_TORCH_PYTHON; there is no
default path) the same models are timed with it in the same run:

    AI4MD_TORCH_PYTHON=/path/to/torch-venv/bin/python python benchmarks/models.py

Figures recorded so far, with the commands: benchmarks/RESULTS.md.

Ours runs as `ai4md train` does, after `reference.runtime.keep_freed_memory()`
(glibc reuses freed memory instead of faulting fresh pages in at every layer);
``--glibc-default`` measures without it.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

UNET_SHAPE = (1, 4, 160, 160, 16)
DENSENET_SHAPE = (8, 3, 224, 224)
TORCH_PYTHON = os.environ.get("AI4MD_TORCH_PYTHON")  # an interpreter with torch
KEEP_FREED_MEMORY = True  # ours only; --glibc-default turns it off


def peak_gb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB -> GiB


def best_time(fn, repeats):
    fn()  # warm-up (Numba compilation, allocator)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


# --- ours ---
def ours_unet(repeats):
    import numpy as np

    from reference.runtime import keep_freed_memory

    if KEEP_FREED_MEMORY:
        keep_freed_memory()  # as `ai4md train` does

    from reference.nn import UNet

    model = UNet(in_channels=4, num_classes=3, base_filters=32, depth=4, ndim=3, rng=0)
    x = np.random.default_rng(0).standard_normal(UNET_SHAPE).astype(np.float32)
    fwd = best_time(lambda: model.forward(x), repeats)
    peak_fwd = peak_gb()

    def step():
        out = model.forward(x)
        model.backward(np.ones_like(out) / out.size)

    both = best_time(step, repeats)
    return {
        "forward_s": fwd,
        "forward_backward_s": both,
        "peak_forward_gb": peak_fwd,
        "peak_gb": peak_gb(),
        "params": model.num_parameters(),
    }


def ours_densenet(repeats):
    import numpy as np

    from reference.runtime import keep_freed_memory

    if KEEP_FREED_MEMORY:
        keep_freed_memory()  # as `ai4md train` does

    from reference.nn import densenet121
    from reference.optim import Adam

    rng = np.random.default_rng(0)
    model = densenet121(num_classes=14, in_channels=3, rng=0)
    optimizer = Adam(model, lr=1e-4)
    x = rng.standard_normal(DENSENET_SHAPE).astype(np.float32)
    y = (rng.random((DENSENET_SHAPE[0], 14)) < 0.2).astype(np.float32)

    def step():
        logits = model.forward(x)
        probs = 0.5 * (1 + np.tanh(0.5 * logits))
        model.backward((probs - y) / y.size)  # mean BCE gradient
        optimizer.step()

    return {
        "step_s": best_time(step, repeats),
        "peak_gb": peak_gb(),
        "params": model.num_parameters(),
    }


# --- PyTorch (optional) ---
def torch_unet(repeats):
    import torch
    from torch import nn

    def double(c_in, c_mid, c_out):
        return nn.Sequential(
            nn.Conv3d(c_in, c_mid, 3, padding=1),
            nn.ReLU(),
            nn.Conv3d(c_mid, c_out, 3, padding=1),
            nn.ReLU(),
        )

    class TorchUNet(nn.Module):
        def __init__(self, base=32, depth=4):
            super().__init__()
            widths = [base * 2 ** (d + 1) for d in range(depth)]
            self.enc = nn.ModuleList(
                double(widths[d - 1] if d else 4, widths[d] // 2, widths[d])
                for d in range(depth)
            )
            self.dec = nn.ModuleList(
                double(widths[d + 1] + widths[d], widths[d], widths[d])
                for d in range(depth - 1)
            )
            self.head = nn.Conv3d(widths[0], 3, 1)

        def forward(self, x):
            e = [self.enc[0](x)]
            for d in range(1, len(self.enc)):
                e.append(self.enc[d](nn.functional.max_pool3d(e[-1], 2)))
            u = e[-1]
            for d in reversed(range(len(self.dec))):
                up = nn.functional.interpolate(u, scale_factor=2, mode="nearest")
                u = self.dec[d](torch.cat([up, e[d]], dim=1))
            return self.head(u)

    model = TorchUNet()
    x = torch.randn(*UNET_SHAPE)
    with torch.no_grad():
        fwd = best_time(lambda: model(x), repeats)
    peak_fwd = peak_gb()

    def step():
        model.zero_grad()
        model(x).mean().backward()

    both = best_time(step, repeats)
    return {
        "forward_s": fwd,
        "forward_backward_s": both,
        "peak_forward_gb": peak_fwd,
        "peak_gb": peak_gb(),
        "params": sum(p.numel() for p in model.parameters()),
    }


def torch_densenet121(num_classes):
    """torchvision's densenet121, or the same network built here if it is missing."""
    try:
        import torchvision

        return torchvision.models.densenet121(num_classes=num_classes)
    except ImportError:
        pass
    import torch
    from torch import nn

    def bn_relu_conv(c_in, c_out, k):
        return [
            nn.BatchNorm2d(c_in),
            nn.ReLU(),
            nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False),
        ]

    class Dense(nn.Module):
        def __init__(self, c_in):
            super().__init__()
            self.f = nn.Sequential(
                *bn_relu_conv(c_in, 128, 1), *bn_relu_conv(128, 32, 3)
            )

        def forward(self, x):
            return torch.cat([x, self.f(x)], 1)

    layers, c = (
        [
            nn.Conv2d(3, 64, 7, 2, 3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(3, 2, 1),
        ],
        64,
    )
    for i, n in enumerate((6, 12, 24, 16)):
        for _ in range(n):
            layers.append(Dense(c))
            c += 32
        if i < 3:
            layers += [*bn_relu_conv(c, c // 2, 1), nn.AvgPool2d(2)]
            c //= 2
    layers += [
        nn.BatchNorm2d(c),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(c, num_classes),
    ]
    return nn.Sequential(*layers)


def torch_densenet(repeats):
    import torch

    model = torch_densenet121(14)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.randn(*DENSENET_SHAPE)
    y = (torch.rand(DENSENET_SHAPE[0], 14) < 0.2).float()
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    return {
        "step_s": best_time(step, repeats),
        "peak_gb": peak_gb(),
        "params": sum(p.numel() for p in model.parameters()),
    }


BENCHMARKS = {
    ("ours", "unet"): ours_unet,
    ("ours", "densenet"): ours_densenet,
    ("torch", "unet"): torch_unet,
    ("torch", "densenet"): torch_densenet,
}


def run_child(python, impl, which, repeats, glibc_default=False):
    """Run one benchmark in a fresh interpreter; return its JSON result or an error."""
    cmd = [python, __file__, which, "--child", impl, "--repeats", str(repeats)]
    cmd += ["--glibc-default"] if glibc_default else []
    env = {
        **os.environ,
        "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    }
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def torch_python():
    """An interpreter that can import torch (this one, or TORCH_PYTHON), or None."""
    try:
        import torch  # noqa: F401

        return sys.executable
    except ImportError:
        return TORCH_PYTHON if TORCH_PYTHON and os.path.exists(TORCH_PYTHON) else None


def report(which, ours, theirs):
    print(f"\n== {which} ==")
    for name, result in (("ai4md", ours), ("pytorch", theirs)):
        if result is None:
            print(f"  {name:8s} (PyTorch not importable: skipped)")
            continue
        shown = ", ".join(
            f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
            for k, v in result.items()
        )
        print(f"  {name:8s} {shown}")
    if theirs and "error" not in theirs and "error" not in ours:
        for key in ours:
            if key.endswith("_s"):
                print(f"  ratio {key}: {ours[key] / theirs[key]:.2f}x PyTorch")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "which", nargs="?", default="all", choices=["all", "unet", "densenet"]
    )
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument(
        "--glibc-default",
        action="store_true",
        help="time ours without reference.runtime.keep_freed_memory",
    )
    parser.add_argument("--child", choices=["ours", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        global KEEP_FREED_MEMORY
        KEEP_FREED_MEMORY = not args.glibc_default
        print(json.dumps(BENCHMARKS[(args.child, args.which)](args.repeats)))
        return
    env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print(f"{env}, {os.cpu_count()} CPUs")
    tpy = torch_python()
    for which in ["unet", "densenet"] if args.which == "all" else [args.which]:
        ours = run_child(
            sys.executable, "ours", which, args.repeats, args.glibc_default
        )
        theirs = run_child(tpy, "torch", which, args.repeats) if tpy else None
        report(which, ours, theirs)


if __name__ == "__main__":
    main()
