"""Wall-clock seconds of `ai4md` commands, cold (empty Numba cache) and warm.

Run by hand, never by CI (issues 12 and 17: the first grade must not make a
learner wait; one warm call must be quick)::

    python benchmarks/grading.py                # every command, 3 warm repeats
    python benchmarks/grading.py --quick        # skip the whole-course grades, 1 repeat
    python benchmarks/grading.py --only list,get_sensitivity --repeat 5
    python benchmarks/grading.py --thresholds   # the small-layer rule's evidence

Each command runs as a learner would run it, as ``python -m autograder`` (what
the ``ai4md`` script runs) in the folder of the repository this file is in, so
a copy of the tree measures its own code:

* **cold**: once, with ``NUMBA_CACHE_DIR`` pointing at a new, empty folder
  (nothing compiled yet: the first run on a fresh install);
* **warm**: then ``--repeat`` times with that same folder; the median is shown.

The table gives the command, cold and warm seconds, the targets of the issues
and whether they are met, the exit code, and the load average (1 minute) seen
before and after each command: on a shared machine the figures are only as good
as the load they were taken under. Python's own byte-code caches are warm in
both columns (the repository has been imported before).

The grader's tamper guard (`autograder.tamper`) runs in ``report`` mode unless
``AI4MD_TAMPER_GUARD`` is set: it does the same work (a snapshot before, a
comparison after) but never writes files back, so a benchmark run in a tree
someone is editing does not undo their edits.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (key, arguments of ai4md, cold target s, warm target s, quick); None: no target
COMMANDS = [
    ("list", ["list"], None, 0.5, True),
    ("get_sensitivity", ["grade", "get_sensitivity"], 10.0, 2.0, True),
    ("week2", ["grade", "week2"], 10.0, None, True),
    (
        "get_sensitivity-solutions",
        ["grade", "get_sensitivity", "--target", "solutions"],
        10.0,
        2.0,
        True,
    ),
    ("solutions", ["grade", "--target", "solutions"], 45.0, 10.0, False),
    ("exercises", ["grade"], None, 10.0, False),
]


def ai4md() -> list[str]:
    """The command that starts ``ai4md`` from this tree with this interpreter."""
    return [sys.executable, "-m", "autograder"]


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def run(args: list[str], cache: str) -> tuple[float, int, float, float]:
    """Run ``ai4md ARGS`` once; return (seconds, exit code, load before, after)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    paths = [str(ROOT), env.get("PYTHONPATH")]  # this tree, not an installed copy
    env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    env.setdefault("AI4MD_TAMPER_GUARD", "report")
    before = load()
    start = time.perf_counter()
    proc = subprocess.run(
        ai4md() + args,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1, 3):  # 3: files changed meanwhile (report)
        tail = proc.stderr.decode(errors="replace")[-600:]
        print(f"ai4md {' '.join(args)} exited {proc.returncode}:\n{tail}", flush=True)
    return seconds, proc.returncode, before, load()


THRESHOLD_LAYERS = [  # (N, C_in, C_out, spatial, kernel)
    (2, 8, 8, (8, 8), 3),
    (2, 16, 8, (8, 8), 3),
    (2, 8, 8, (12, 12), 3),
    (2, 16, 16, (12, 12), 3),
    (4, 16, 16, (16, 16), 3),
    (1, 4, 4, (6, 6, 6), 3),
    (1, 8, 8, (6, 6, 6), 3),
    (2, 8, 8, (8, 8, 8), 3),
    (2, 64, 32, (8, 8), 1),
]


def thresholds(repeat: int = 15) -> None:
    """Time the NumPy paths against the compiled kernels around the thresholds.

    Forward + backward, microseconds, best of ``repeat`` after a warm-up call
    (which compiles or loads the kernels): the evidence for `SMALL_MACS` and
    `SMALL_ELEMENTS` in ``reference/ops/_fast/dispatch.py``.
    """
    import numpy as np

    from reference import ops
    from reference.ops import norm, pooling, resample
    from reference.ops._fast import dispatch

    def best(fn):
        fn()
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return 1e6 * min(times)

    rng = np.random.default_rng(0)
    print(
        f"# SMALL_MACS = {dispatch.SMALL_MACS}, SMALL_ELEMENTS = "
        f"{dispatch.SMALL_ELEMENTS}; us, best of {repeat}, load {load():.1f}"
    )
    print(f"{'conv layer':<30} {'MACs':>8} {'dtype':>8} {'im2col':>8} {'numba':>8}")
    for n, c_in, c_out, spatial, k in THRESHOLD_LAYERS:
        for dtype in (np.float32, np.float64):
            x = rng.standard_normal((n, c_in, *spatial)).astype(dtype)
            w = rng.standard_normal((c_out, c_in) + (k,) * len(spatial)).astype(dtype)
            us = {}
            for backend in ("im2col", "numba"):

                def run(backend=backend, x=x, w=w, k=k):
                    out, cache = ops.conv_forward(x, w, padding=k // 2, backend=backend)
                    ops.conv_backward(out, cache, backend=backend)

                us[backend] = best(run)
            ones = (1,) * len(spatial)
            macs = dispatch.conv_macs(x.shape, w.shape, ones, (k // 2,) * len(spatial))
            layer = f"{n}, {c_in}, {c_out}, {'x'.join(map(str, spatial))}, {k}"
            print(
                f"{layer:<30} {macs:>8.1e} {np.dtype(dtype).name:>8} "
                f"{us['im2col']:>8.0f} {us['numba']:>8.0f}"
            )
    print(
        f"{'float32 (N, C, H, W)':<30} {'elements':>8} {'op':>8} {'numpy':>8} "
        f"{'numba':>8}"
    )
    for shape in [(2, 3, 4, 4), (4, 8, 8, 8), (4, 16, 16, 16), (8, 16, 16, 16)]:
        x = rng.standard_normal(shape).astype(np.float32)
        gamma, beta = np.ones(shape[1], np.float32), np.zeros(shape[1], np.float32)

        def bn(x=x, gamma=gamma, beta=beta):
            out, cache = ops.batchnorm_forward(x, gamma, beta)
            ops.batchnorm_backward(out, cache)

        def pool(x=x):
            out, cache = ops.max_pool_forward(x, 2)
            ops.max_pool_backward(out, cache)
            out, cache = ops.upsample_forward(x, 2)
            ops.upsample_backward(out, cache)

        for name, fn, modules in (
            ("bn", bn, [norm]),
            ("pool+up", pool, [pooling, resample]),
        ):
            us = {}
            for path, small in (("numpy", x.size + 1), ("numba", 0)):
                for module in modules:
                    module.SMALL_ELEMENTS = small
                us[path] = best(fn)
            for module in modules:
                module.SMALL_ELEMENTS = dispatch.SMALL_ELEMENTS
            print(
                f"{str(shape):<30} {x.size:>8} {name:>8} {us['numpy']:>8.0f} "
                f"{us['numba']:>8.0f}"
            )


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def met(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return "yes" if value <= target else "NO"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm runs (median)")
    parser.add_argument(
        "--quick", action="store_true", help="only the quick commands, 1 warm run"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated keys: " + ",".join(c[0] for c in COMMANDS),
    )
    parser.add_argument(
        "--no-cold", action="store_true", help="warm runs only (cache warmed first)"
    )
    parser.add_argument(
        "--thresholds",
        action="store_true",
        help="time the NumPy paths against the compiled kernels instead",
    )
    args = parser.parse_args(argv)
    if args.thresholds:
        thresholds()
        return 0
    repeat = 1 if args.quick and args.repeat == 3 else args.repeat
    chosen = [c for c in COMMANDS if not args.quick or c[4]]
    if args.only:
        keys = set(args.only.split(","))
        chosen = [c for c in COMMANDS if c[0] in keys]

    print(
        f"# {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"# {' '.join(ai4md())}, warm = median of {repeat}")
    header = (
        f"{'command':<50} {'cold s':>7} {'target':>6} {'met':>4}   "
        f"{'warm s':>7} {'target':>6} {'met':>4}  exit  load"
    )
    print(header)
    print("-" * len(header))
    rows = []
    for key, cmd, cold_target, warm_target, _ in chosen:
        cache = tempfile.mkdtemp(prefix=f"ai4md-bench-{key}-")
        try:
            loads = []
            if args.no_cold:
                run(cmd, cache)  # fill the cache, not reported
                cold = None
            else:
                cold, code, before, after = run(cmd, cache)
                loads += [before, after]
            warm_runs = []
            for _ in range(repeat):
                seconds, code, before, after = run(cmd, cache)
                warm_runs.append(seconds)
                loads += [before, after]
            warm = statistics.median(warm_runs)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        name = "ai4md " + " ".join(cmd)
        print(
            f"{name:<50} {fmt(cold):>7} {fmt(cold_target):>6} "
            f"{met(cold, cold_target) if cold is not None else '':>4}   "
            f"{fmt(warm):>7} {fmt(warm_target):>6} {met(warm, warm_target):>4}  "
            f"{code:>4}  {min(loads):.1f}-{max(loads):.1f}",
            flush=True,
        )
        rows.append((key, cold, warm))
    print(f"# load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
