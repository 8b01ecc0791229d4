"""Process-wide settings (reference/runtime.py): applied in child processes only."""

import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent(
    """
    import sys
    import numpy as np
    from reference.runtime import keep_freed_memory

    def in_heap(address):
        for line in open("/proc/self/maps"):
            if line.rstrip().endswith("[heap]"):
                lo, hi = (int(v, 16) for v in line.split()[0].split("-"))
                if lo <= address < hi:
                    return True
        return False

    applied = keep_freed_memory() if sys.argv[1] == "on" else None
    a = np.ones(1 << 24, np.float32)  # 64 MiB
    print(applied, in_heap(a.ctypes.data))
    """
)


def probe(mode):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    )
    return result.stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_keep_freed_memory_puts_large_arrays_in_the_heap():
    # by default glibc maps a 64 MiB array on its own (and unmaps it when
    # freed); after keep_freed_memory it comes from the heap, which is reused
    assert probe("off") == ["None", "False"]
    assert probe("on") == ["True", "True"]


def test_limit_blas_threads_sets_and_restores_the_count():
    from reference.runtime import blas_thread_count, limit_blas_threads

    before = blas_thread_count()
    with limit_blas_threads(1):
        assert blas_thread_count() == 1
    assert blas_thread_count() == before
    with limit_blas_threads(0):  # 0: no limit, nothing changes
        assert blas_thread_count() == before
