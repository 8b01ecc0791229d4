"""Run independent pieces of work in parallel threads, each with one BLAS thread.

Private helpers of the convolution drivers (`reference.ops.im2col`,
`reference.ops.shifted`, `reference.ops.winograd`). Numba kernels compiled with
``nogil=True`` and NumPy's BLAS calls release the GIL, so Python threads run
them on separate cores. Threads are started per call and joined before it
returns: nothing keeps running across a ``fork`` (the grader forks workers),
unlike a thread pool kept alive, or Numba's own ``parallel=True`` threading
layer.
"""

from __future__ import annotations

import threading

from reference.runtime import blas_thread_count, limit_blas_threads

__all__: list[str] = []


def thread_count(items, flops, min_flops, workers=None) -> int:
    """Threads for ``items`` independent pieces of ``flops`` product flops in all.

    ``workers`` if given, else as many as BLAS may use (the caller's thread
    budget) when there are at least ``min_flops``, else one; never more than
    ``items``.
    """
    if workers is None:
        workers = blas_thread_count() if flops >= min_flops else 1
    return max(1, min(workers, items))


def run_split(work, items, workers) -> list:
    """Return [work(start, stop)] over [0, items) cut into ``workers`` even runs.

    The runs go to `run_threads`, so BLAS keeps to one thread even when
    there is a single run: a two-thread BLAS product leaves an OpenBLAS
    worker spinning for a while after it returns, which then competes with
    the next layer's own threads for the two cores (a 56x56 Winograd
    backward took 38 instead of 24 ms right after one, measured).

    Examples
    --------
    >>> run_split(lambda a, b: (a, b), 10, 3)
    [(0, 3), (3, 6), (6, 10)]
    """
    workers = max(1, min(workers, items))
    bounds = [items * k // workers for k in range(workers + 1)]
    return run_threads(work, list(zip(bounds[:-1], bounds[1:], strict=True)))


def run_threads(work, runs) -> list:
    """Return [work(start, stop) for each run], the runs in parallel threads.

    The calling thread takes the first run; a run whose thread cannot start
    (a capped address space, say) runs in the calling thread afterwards. BLAS
    is held to one thread meanwhile, so each thread's products run on its own
    core (the per-component products are too small for BLAS to split well:
    two threads each with single-threaded BLAS ran them 1.3-1.8x faster than
    one thread with two-threaded BLAS, measured). The Numba kernels release
    the GIL. The threads end before this returns, so nothing is left running
    across a fork; the first exception of any run is raised here.
    """
    results, errors = [None] * len(runs), []

    def target(i):
        try:
            results[i] = work(*runs[i])
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)

    with limit_blas_threads(1):
        threads = [threading.Thread(target=target, args=(i,)) for i in range(len(runs))]
        started = [False] * len(runs)
        for i in range(1, len(runs)):
            try:
                threads[i].start()
                started[i] = True
            except RuntimeError:  # no new thread: run it here below
                pass
        target(0)
        for i in range(1, len(runs)):
            if started[i]:
                threads[i].join()
            else:
                target(i)
    if errors:
        raise errors[0]
    return results
