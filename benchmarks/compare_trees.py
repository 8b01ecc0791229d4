"""Convolution speed of two source trees, measured side by side (run by hand).

    git archive HEAD reference | tar -x -C /tmp/before
    python benchmarks/compare_trees.py /tmp/before . [--shapes a,b,...] [--repeats 15]

Each tree runs in its own long-lived worker process (``PYTHONPATH=<tree>``), which
builds every layer of ``--shapes`` (the names of SHAPES in benchmarks/conv.py) and
warms it up; then the driver asks the two workers in turn, alternating which goes
first, to time one forward + backward (``auto`` backend, float32). Both trees thus
see the same machine load, which on a shared machine moves wall times far more than
any code change. Printed per layer, in ms: the best and the median wall time, and
the best CPU time of the process (all its threads; less sensitive to other jobs).
"""

import argparse
import math
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def worker(names):
    """Build and warm up the layers, then time one per line read from stdin."""
    import numpy as np

    sys.path.insert(0, HERE)
    from conv import SHAPES

    from reference.ops.conv import conv_backward, conv_forward

    layers = {}
    for name in names:
        n, c_in, c_out, spatial, k, stride, padding = SHAPES[name]
        rng = np.random.default_rng(0)
        x = rng.standard_normal((n, c_in) + spatial, dtype=np.float32)
        w = rng.standard_normal((c_out, c_in) + (k,) * len(spatial), dtype=np.float32)
        w *= 1 / math.sqrt(c_in * k ** len(spatial))
        out, cache = conv_forward(x, w, None, stride, padding)
        dout = rng.standard_normal(out.shape, dtype=np.float32)
        conv_backward(dout, cache)  # warm-up: Numba compiles or loads its cache
        layers[name] = (x, w, stride, padding, dout)
    print("ready", flush=True)
    for line in sys.stdin:
        x, w, stride, padding, dout = layers[line.strip()]
        wall, cpu = time.perf_counter(), time.process_time()
        conv_backward(dout, conv_forward(x, w, None, stride, padding)[1])
        print(time.perf_counter() - wall, time.process_time() - cpu, flush=True)


def start(tree, names):
    """Start a worker importing ``reference`` from ``tree``; wait until it is ready."""
    env = {**os.environ, "PYTHONPATH": os.path.abspath(tree)}
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", ",".join(names)]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    if proc.stdout.readline().strip() != "ready":
        sys.exit(f"the worker for {tree} failed to start")
    return proc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", help="BEFORE AFTER (source roots)")
    parser.add_argument("--shapes", default="a,a7,b,c,d,e40,e80,u256")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker.split(","))
        return
    names = args.shapes.split(",")
    procs = [start(tree, names) for tree in args.trees]
    times = {(i, name): [] for i in range(len(procs)) for name in names}
    for r in range(args.repeats):
        for name in names:
            for i in range(len(procs))[:: 1 if r % 2 == 0 else -1]:
                procs[i].stdin.write(name + "\n")
                procs[i].stdin.flush()
                times[i, name].append(
                    tuple(map(float, procs[i].stdout.readline().split()))
                )
    print(f"load {os.getloadavg()[0]:.2f}; {args.repeats} alternations; ms per f+b")
    header = ("shape", "tree", "best wall", "median wall", "best cpu")
    print("{:6s} {:7s} {:>10s} {:>12s} {:>9s}".format(*header))
    labels = (
        ["before", "after"] if len(procs) == 2 else list(map(str, range(len(procs))))
    )
    for name in names:
        for i, label in enumerate(labels):
            wall = [1e3 * t[0] for t in times[i, name]]
            cpu = min(1e3 * t[1] for t in times[i, name])
            median = statistics.median(wall)
            print(f"{name:6s} {label:7s} {min(wall):10.2f} {median:12.2f} {cpu:9.2f}")
    for proc in procs:
        proc.stdin.close()
        proc.wait()


if __name__ == "__main__":
    main()
