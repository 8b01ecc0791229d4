"""The speed machinery behind `reference.ops`: nothing here is needed to understand it.

The readable algorithms live in `reference.ops.conv` (the formula, a naive
loop and a classic im2col + GEMM, each with its backward). This package holds
what makes the same results fast, chosen per layer by `dispatch`:

    dispatch.py           backend selection and its cost model
    gemm.py               the slab-wise im2col + GEMM driver (bounded memory)
    winograd.py           Winograd F(2, 3) for stride-1 3x3(x3) layers
    shifted.py            the shifted-product method for stride-1 1D/2D layers
    threads.py            helper threads, each running with one BLAS thread
    jit.py                the Numba shim (`JIT_ENABLED`, a lazy `njit`)
    kernels_im2col.py     Numba gather/scatter kernels of gemm.py, with NumPy twins
    kernels_winograd.py   Numba tile transforms of winograd.py
    kernels_shifted.py    Numba shifted sum and gather of shifted.py
    kernels_norm.py       Numba batch-norm passes of `reference.ops.norm`
    kernels_pool.py       Numba max-pool and upsample loops, with NumPy twins

Every Numba kernel compiles with ``cache=True`` and has a NumPy twin that the
tests compare against; everything runs with ``NUMBA_DISABLE_JIT=1``. Numba is
imported on the first call of a compiled kernel, not on import, and small
layers never reach one (`dispatch.compiled_pays`).
Measurements behind the choices made here: ``benchmarks/RESULTS.md``.
"""
