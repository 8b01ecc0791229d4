"""The worker side of grading: a fork server and the children that run learner code.

``python -m autograder.worker CONTROL_FD`` starts the *fork server*. It imports
the heavy libraries once (NumPy, SciPy, Numba, `reference`), then waits for
``spawn`` requests from the grader on the control socket. Each request carries
two file descriptors (a duplex channel and an output pipe); the server forks a
*child* that

1. starts its own session (so a learner's ``killpg`` reaches nobody else),
   closes stdin, sends stdout/stderr to the output pipe, disables core dumps
   and caps its address space;
2. imports the learner's module by file path and replies ``ready`` or
   ``import-error``;
3. answers requests (`Call`, `Roundtrip`, `Gradcheck`; see
   `autograder.procedures`) with a `Reply`, sent as plain data by
   `autograder.wire`; a value that cannot be encoded is replied as
   ``bad-result``.

Requests, replies and events are the dataclasses of `autograder.protocol`.

The server reaps its children and reports each exit status (code or signal)
to the grader. Learner code never runs in the server or in the grader; the
grader enforces time limits from outside with SIGKILL.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import select
import signal
import socket
import sys
import traceback

from autograder import wire
from autograder.protocol import (
    Event,
    EventKind,
    Ping,
    Reply,
    ReplyStatus,
    Spawn,
    decode_request,
    send,
)

_PRELOAD = (
    "numpy",
    "scipy.special",
    "scipy.signal",
    "scipy.ndimage",
    "numba",
    "reference",
    "reference.metrics",
    "reference.ops",
    "reference.nn",
    "reference.losses",
    "reference.data",
)


def _preload() -> None:
    for name in _PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional part is fine here
            pass


def _warm_up_kernels() -> None:
    """Compile (or load from Numba's cache) the kernels exercises call, once.

    Children inherit the compiled code through fork, so no exercise pays for it.
    Serial kernels only: a parallel (OpenMP) pool in this process would kill
    every forked child.
    """
    try:
        import numpy as np

        from reference import ops
    except Exception:  # noqa: BLE001 - grading must work without the kernels
        return
    for dtype in (np.float32, np.float64):
        for ndim in (2, 3):
            x = np.ones((1, 2) + (4,) * ndim, dtype)
            for kernel, padding in ((3, 1), (1, 0)):
                w = np.ones((2, 2) + (kernel,) * ndim, dtype)
                try:
                    b = np.zeros(2, dtype)
                    out, cache = ops.conv_forward(x, w, b, padding=padding)
                    ops.conv_backward(out, cache)
                    out, cache = ops.max_pool_forward(x, 2)
                    ops.max_pool_backward(out, cache)
                    out, cache = ops.upsample_forward(x, 2)
                    ops.upsample_backward(out, cache)
                except Exception:  # noqa: BLE001, S112 - warming up is best effort
                    continue
        try:  # 2D, four times as many input as output channels: the shifted kernels
            x, w = np.ones((1, 8, 4, 4), dtype), np.ones((2, 8, 3, 3), dtype)
            out, cache = ops.conv_forward(x, w, padding=1)
            ops.conv_backward(out, cache)
        except Exception:  # noqa: BLE001, S112 - warming up is best effort
            continue


def _vm_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _limit_memory(cap_bytes: int) -> None:
    """Cap the address space at what is mapped now plus ``cap_bytes``."""
    try:
        base = _vm_bytes()
    except OSError:  # no /proc (macOS): cap the total instead
        base = 0
    try:
        resource.setrlimit(resource.RLIMIT_AS, (base + cap_bytes, base + cap_bytes))
    except (ValueError, OSError):
        pass
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _learner_traceback(exc: BaseException, path: str) -> str:
    """Format ``exc`` keeping only frames outside the grader (the learner's own)."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if f.filename == path]
    lines = traceback.format_list((own or frames[-1:])[-8:])
    head = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return (head + "\n" + "".join(lines)).rstrip()


def _import_learner(path: str, module_name: str):
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _child_main(chan: socket.socket, out_fd: int, job: Spawn) -> None:
    """Run in the forked child: import the learner module, then serve requests."""
    os.setsid()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - reads give EOF
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    _limit_memory(job.memory_bytes)
    fd = os.dup(chan.fileno())  # private copy: the learner may close fds 0-2 freely
    from autograder import procedures  # imported before learner code runs

    path = job.path
    try:
        module = _import_learner(path, job.module_name)
    except BaseException as exc:  # noqa: BLE001 - report every failure, even SystemExit
        send(fd, Reply(ReplyStatus.IMPORT_ERROR, message=_learner_traceback(exc, path)))
        os._exit(0)
    send(fd, Reply(ReplyStatus.READY))
    while True:
        try:
            request = decode_request(wire.read_frame(fd))
        except wire.WireError:
            os._exit(0)
        reply = procedures.run(module, request, path, _learner_traceback)
        try:
            payload = wire.encode(reply.to_message())
        except Exception as exc:  # noqa: BLE001 - e.g. an int too long to print
            detail = f"{type(exc).__name__}: {exc}"[:300]
            payload = wire.encode(
                Reply(ReplyStatus.BAD_RESULT, message=detail).to_message()
            )
        wire.write_frame(fd, payload)


def _spawn(control: socket.socket) -> None:
    message, fds, _, _ = socket.recv_fds(control, 1 << 16, 2)
    if not message:
        raise EOFError
    job = decode_request(message)
    if isinstance(job, Ping):
        send(control.fileno(), Event(EventKind.PONG, token=job.token))
        return
    chan = socket.socket(fileno=fds[0])
    out_fd = fds[1]
    pid = os.fork()
    if pid == 0:
        try:
            control.close()
            _child_main(chan, out_fd, job)
        finally:
            os._exit(70)
    chan.close()
    os.close(out_fd)
    send(control.fileno(), Event(EventKind.SPAWNED, pid=pid, token=job.token))


def _reap(control: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if os.WIFSIGNALED(status):
            event = Event(EventKind.EXITED, pid=pid, signal=os.WTERMSIG(status))
        else:
            event = Event(
                EventKind.EXITED, pid=pid, code=os.waitstatus_to_exitcode(status)
            )
        send(control.fileno(), event)


def serve(control_fd: int) -> None:
    """Run the fork server on an inherited Unix socket until the grader hangs up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's business
    control = socket.socket(fileno=control_fd)
    _preload()
    _warm_up_kernels()
    send(control.fileno(), Event(EventKind.READY, pid=os.getpid()))
    while True:
        readable, _, _ = select.select([control], [], [], 0.05)
        _reap(control)
        if readable:
            try:
                _spawn(control)
            except (EOFError, ConnectionError, OSError):
                break
    os._exit(0)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
