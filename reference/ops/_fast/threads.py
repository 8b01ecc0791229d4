"""Run independent pieces of work in parallel threads, each with one BLAS thread.

Used by the convolution, batch-norm and pooling drivers. Numba kernels
compiled with ``nogil=True`` and NumPy's BLAS calls release the GIL, so Python
threads run them on separate cores.

The extra threads are *helpers* kept alive between calls: starting a thread
per call is not free, and a DenseNet-121 training step makes several hundred
such calls (``benchmarks/RESULTS.md``, "Threads"). A helper waits on a queue
(no CPU use) and runs one piece at a time; every call waits for its pieces,
so no work is ever in flight when a call returns. After a ``fork`` (the
grader forks workers) the child forgets the parent's helpers, which do not
exist there, and starts its own when it needs them. Numba's own
``parallel=True`` layer is not used: its OpenMP runtime kills processes forked
after it ran.

If the helpers are busy (another thread of the program is using them) or a
helper thread cannot start, the pieces run in fresh threads or in the caller.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable

from reference.runtime import blas_thread_count, limit_blas_threads

__all__ = ["run_split", "run_threads", "share", "thread_count"]


class _Helper:
    """A daemon thread that runs the jobs put on its queue, one at a time."""

    def __init__(self):
        self.jobs = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()  # RuntimeError if no thread can start

    def _serve(self):
        while True:
            job, done = self.jobs.get()
            job()
            # drop the job before waiting for the next: its closure holds the
            # caller's arrays (a 3D U-Net's peak memory grows otherwise)
            job = None
            done.set()

    def submit(self, job: Callable[[], object]) -> threading.Event:
        """Queue job(); return the event set when it has run."""
        done = threading.Event()
        self.jobs.put((job, done))
        return done


_helpers: list[_Helper] = []
_helpers_lock = threading.Lock()  # held by the call that uses the helpers


def _forget_helpers():
    """In a forked child: drop the parent's helpers (their threads are gone)."""
    global _helpers_lock
    _helpers.clear()
    _helpers_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_helpers)


def _start(job, helper):
    """Run job on ``helper`` (or a fresh thread); return a wait(), or None if none."""
    if helper is not None:
        return helper.submit(job).wait
    thread = threading.Thread(target=job)
    try:
        thread.start()
    except RuntimeError:  # no new thread: the caller runs it below
        return None
    return thread.join


def _borrow(count) -> list:
    """Return ``count`` helpers (None where there is none to use)."""
    while len(_helpers) < count:
        try:
            _helpers.append(_Helper())
        except RuntimeError:
            break
    return _helpers[:count] + [None] * (count - len(_helpers))


def thread_count(
    items: int, flops: float, min_flops: float, workers: int | None = None
) -> int:
    """Threads for ``items`` independent pieces of ``flops`` product flops in all.

    ``workers`` if given, else as many as BLAS may use (the caller's thread
    budget) when there are at least ``min_flops``, else one; never more than
    ``items``.
    """
    if workers is None:
        workers = blas_thread_count() if flops >= min_flops else 1
    return max(1, min(workers, items))


def run_split(work: Callable, items: int, workers: int) -> list:
    """Return [work(start, stop)] over [0, items) cut into ``workers`` even runs.

    The runs go to `run_threads`, so BLAS keeps to one thread even when
    there is a single run: a two-thread BLAS product leaves an OpenBLAS
    worker spinning for a while after it returns, which then competes with
    the next layer's own threads for the two cores (``benchmarks/RESULTS.md``,
    "Threads").

    Examples
    --------
    >>> run_split(lambda a, b: (a, b), 10, 3)
    [(0, 3), (3, 6), (6, 10)]
    """
    workers = max(1, min(workers, items))
    bounds = [items * k // workers for k in range(workers + 1)]
    return run_threads(work, list(zip(bounds[:-1], bounds[1:], strict=True)))


def share(
    work: Callable,
    items: int,
    cost: float,
    min_cost: float,
    workers: int | None = None,
) -> list:
    """Return `run_split` of work over ``items`` with `thread_count`'s workers.

    ``cost`` measures the whole job (flops, cells) against ``min_cost``, the
    least worth a second thread; ``workers`` overrides the count.

    Examples
    --------
    >>> share(lambda a, b: b - a, 10, cost=1, min_cost=100)  # too little work
    [10]
    """
    return run_split(work, items, thread_count(items, cost, min_cost, workers))


def run_threads(work: Callable, runs: list[tuple[int, int]]) -> list:
    """Return [work(start, stop) for each run], the runs in parallel threads.

    The calling thread takes the first run; the others go to the helpers
    (or fresh threads if the helpers are busy), and a run no thread can take
    runs in the calling thread afterwards. BLAS is held to one thread
    meanwhile, so each thread's products run on its own core (the
    per-thread products are too small for BLAS to split well; see
    ``benchmarks/RESULTS.md``, "Threads"). The first exception of any run is
    raised here, after every run has ended.
    """
    results, errors = [None] * len(runs), []

    def target(i):
        try:
            results[i] = work(*runs[i])
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)

    lock = _helpers_lock
    own = lock.acquire(blocking=False)
    try:
        with limit_blas_threads(1):
            helpers = _borrow(len(runs) - 1) if own else [None] * (len(runs) - 1)
            waits = [
                _start(lambda i=i: target(i), helper)
                for i, helper in enumerate(helpers, start=1)
            ]
            target(0)
            for i, wait in enumerate(waits, start=1):
                if wait is None:
                    target(i)
                else:
                    wait()
    finally:
        if own:
            lock.release()
    if errors:
        raise errors[0]
    return results
