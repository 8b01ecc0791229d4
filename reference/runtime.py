"""Process-wide performance settings, all opt-in: nothing here runs on import.

Public names: `keep_freed_memory`, `limit_blas_threads`, `blas_thread_count`.

BLAS threads: on a shared 2-core machine, OpenBLAS threads that spin while
another process holds the cores made a training step up to 5 times slower
than one thread did, so the training tasks run with `limit_blas_threads`.

Training allocates and frees large arrays at every layer (activations,
gradients, padded and channels-last copies). glibc's allocator serves arrays
over 128 KiB-32 MiB with fresh ``mmap`` pages and returns them to the kernel
when they are freed, so the next allocation faults every 4 KiB page in again,
zeroed. On the 2-core VM this course is measured on that costs 0.5-2 us per
page (about 0.1-0.9 s per GiB): 7% of a DenseNet-121 step and, before the
Winograd kernels, 18% of a 3D U-Net step (20.2 -> 16.6 s). `keep_freed_memory`
makes glibc keep freed memory in the process heap and reuse it instead.

The cost: memory freed by the process is not handed back to the system until
the process ends (the peak stays resident), which is what a training process
wants and a long-lived notebook may not.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import sys

from threadpoolctl import ThreadpoolController

__all__ = ["blas_thread_count", "keep_freed_memory", "limit_blas_threads"]

_M_TRIM_THRESHOLD = -1  # mallopt parameter numbers from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 1 << 30  # only allocations of 1 GiB or more get their own mapping
_TRIM_THRESHOLD = (1 << 31) - 1  # never give the heap's free top back


def keep_freed_memory() -> bool:
    """Make glibc reuse freed heap memory for large arrays; return True if it applied.

    Sets ``mallopt(M_MMAP_THRESHOLD, 1 GiB)`` and ``mallopt(M_TRIM_THRESHOLD,
    2 GiB - 1)`` for this process, the same as starting it with the
    environment variables ``MALLOC_MMAP_THRESHOLD_`` and
    ``MALLOC_TRIM_THRESHOLD_``. Returns False (and changes nothing) where the
    C library is not glibc, e.g. on macOS or Windows.

    Examples
    --------
    >>> keep_freed_memory() in (True, False)
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # pragma: no cover - musl and the like
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(
        mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
        and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
    )


@functools.cache
def _blas_controller():
    """Return the threadpoolctl controller of the loaded BLAS libraries (made once)."""
    return ThreadpoolController().select(user_api="blas")


def limit_blas_threads(n):
    """Return a context that holds NumPy's BLAS to ``n`` threads (0: no limit).

    The library's own threaded kernels (convolution, batch norm, pooling)
    read the same budget (`blas_thread_count`), so ``limit_blas_threads(1)``
    runs everything on one core.

    Examples
    --------
    >>> with limit_blas_threads(1):
    ...     blas_thread_count()
    1
    """
    return _blas_controller().limit(limits=n) if n else contextlib.nullcontext()


def blas_thread_count() -> int:
    """Return the number of threads BLAS is currently allowed (1 if unknown)."""
    counts = [lib.num_threads for lib in _blas_controller().lib_controllers]
    return max(1, min(counts, default=1))
