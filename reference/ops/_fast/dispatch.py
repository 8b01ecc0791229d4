"""Backend selection for the fast convolution paths, and the cost model behind it.

Public names: `select_kernels` (which kernels run a layer), `run_forward` /
`run_backward` (run them), the rules `small_layer`, `compiled_pays`,
`prefer_shifted`, `prefer_winograd`, `choose_split`, and `JIT_DTYPES`,
`COPY_FLOPS`, `SMALL_MACS`, `SMALL_ELEMENTS`.

`reference.ops.conv_forward` / `conv_backward` come here for the backends
``"auto"``, ``"numba"``, ``"winograd"`` and ``"shifted"`` (``"naive"`` and
``"im2col"`` are the readable versions in `reference.ops.conv`). Per layer:

1. ``"winograd"`` / ``"shifted"``: that method, or an error where it cannot run.
2. ``"auto"`` with Numba, or ``"numba"``: the shifted-product method for 2D
   stride-1 layers with at least four times as many input as output channels
   (`prefer_shifted`), else Winograd F(2, 3) for 2D/3D stride-1 3x3(x3) layers
   that are not too thin (`prefer_winograd`), else the slab-wise GEMM driver
   with the compiled gathers and the split picked by `choose_split`.
3. ``"auto"`` without Numba (``NUMBA_DISABLE_JIT=1``), or a dtype the compiled
   kernels do not take (float16): the slab-wise GEMM driver with the NumPy
   twins of its gathers, so memory stays bounded.

Before all that, ``"auto"`` sends a small layer (fewer than `SMALL_MACS`
multiply-adds, `small_layer`) to the readable classic im2col of
`reference.ops.conv` (its column matrix is then under a megabyte), which
measured faster there than the compiled kernels; where a caller asks this
module for kernels anyway (`select_kernels`: transposed convolutions), a small
layer gets the NumPy twins. Small layers (the grader's cases, unit tests)
therefore never compile or load a Numba kernel: compiling costs tens of
seconds on a fresh cache, loading about a second.

The rules encode measurements on the benchmark layers (a 2-core AVX-512
machine; ``benchmarks/RESULTS.md`` has the figures and the commands): each
method is used where it measured faster than the others.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from reference._validation import conv_output_size, fail
from reference.ops._fast import gemm, kernels_im2col, shifted, winograd
from reference.ops._fast.jit import JIT_ENABLED

__all__ = [
    "COPY_FLOPS",
    "JIT_DTYPES",
    "SMALL_ELEMENTS",
    "SMALL_MACS",
    "choose_split",
    "compiled_pays",
    "conv_macs",
    "prefer_shifted",
    "prefer_winograd",
    "run_backward",
    "run_forward",
    "select_kernels",
    "small_layer",
    "special_kernels",
    "width_efficiency",
]

# the dtypes the compiled kernels take; others run the NumPy twins
JIT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# one gathered/scattered element costs about as much as 60 GEMM flops (measured on
# the benchmark layers, see benchmarks/RESULTS.md; not guessed)
COPY_FLOPS = 60
# Below these sizes "auto" runs NumPy code (`compiled_pays`): a convolution of
# fewer multiply-adds (`conv_macs`), a batch norm, pooling or upsampling of fewer
# input elements. Measured forward + backward (benchmarks/RESULTS.md, "Grading
# start-up"): below SMALL_MACS the classic im2col took 0.4-0.9x the compiled
# kernels' time; below SMALL_ELEMENTS NumPy's batch norm was faster and the
# compiled pooling saved at most about 0.1 ms a call. Compiling costs 20-60 s on
# a fresh cache, loading about a second. The grader's largest case is a 7776
# multiply-add convolution (`python benchmarks/grading.py --thresholds`).
SMALL_MACS = 1 << 17
SMALL_ELEMENTS = 1 << 14


def select_kernels(
    backend: str,
    func: str,
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dtype: np.dtype,
    *,
    gemm_only: bool = False,
) -> tuple:
    """Return (kernels, split) for a backend; only GEMM kernels if ``gemm_only``.

    ``backend`` is one of "auto", "numba", "winograd", "shifted" (the caller
    checked the name). With Winograd or shifted-product kernels (a
    `WinogradKernels` or a `ShiftedKernels`) the split is None; otherwise the
    kernels are a `kernels_im2col.Kernels` set and the split marks the shifted
    kernel axes of the GEMM driver. The compiled kernels exist for float32
    and float64; other float dtypes run the NumPy twins.
    """
    jit = (backend == "numba" or JIT_ENABLED) and np.dtype(dtype) in JIT_DTYPES
    if backend == "auto" and jit:
        jit = compiled_pays(conv_macs(x_shape, w_shape, stride, padding), SMALL_MACS)
    if backend in ("winograd", "shifted"):
        return special_kernels(backend, func, w_shape, stride, jit), None
    if not gemm_only and jit and prefer_shifted(x_shape, w_shape, stride):
        return shifted.NUMBA_KERNELS, None
    if not gemm_only and jit and prefer_winograd(x_shape, w_shape, stride):
        return winograd.NUMBA_KERNELS, None
    kernels = kernels_im2col.NUMBA_KERNELS if jit else kernels_im2col.NUMPY_KERNELS
    return kernels, choose_split(x_shape, w_shape, stride, padding)


def run_forward(
    x: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    backend: str,
    func: str,
) -> np.ndarray:
    """Convolve x (N, C_in, *S) with w (C_out, C_in, *k) on the chosen path; no bias."""
    kernels, split = select_kernels(
        backend, func, x.shape, w.shape, stride, padding, x.dtype
    )
    if isinstance(kernels, winograd.WinogradKernels):
        return winograd.winograd_forward(x, w, padding, kernels)
    if isinstance(kernels, shifted.ShiftedKernels):
        return shifted.shifted_forward(x, w, padding, kernels)
    return gemm.gemm_forward(x, w, stride, padding, split, kernels)


def run_backward(
    dout: np.ndarray,
    x: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    backend: str,
    func: str,
) -> tuple:
    """Return (dx, dw) of `run_forward` for upstream dout (N, C_out, *S_out)."""
    kernels, split = select_kernels(
        backend, func, x.shape, w.shape, stride, padding, x.dtype
    )
    if isinstance(kernels, winograd.WinogradKernels):
        return winograd.winograd_backward(dout, x, w, padding, kernels)
    if isinstance(kernels, shifted.ShiftedKernels):
        return shifted.shifted_backward(dout, x, w, padding, kernels)
    return gemm.gemm_backward(dout, x, w, stride, padding, split, kernels)


def small_layer(
    backend: str,
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
) -> bool:
    """Return True where ``"auto"`` runs a convolution with the classic im2col.

    That is a layer of fewer than `SMALL_MACS` multiply-adds (`conv_macs`),
    whatever the dtype or the JIT; other backends are never small.

    Examples
    --------
    >>> small_layer("auto", (2, 4, 8, 8), (4, 4, 3, 3), (1, 1), (1, 1))
    True
    >>> small_layer("numba", (2, 4, 8, 8), (4, 4, 3, 3), (1, 1), (1, 1))
    False
    """
    if backend != "auto":
        return False
    return not compiled_pays(conv_macs(x_shape, w_shape, stride, padding), SMALL_MACS)


def conv_macs(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
) -> int:
    """Return the multiply-adds of a convolution: output elements x C_in x kernel.

    Examples
    --------
    >>> conv_macs((2, 4, 8, 8), (4, 4, 3, 3), (1, 1), (1, 1))
    18432
    """
    s_out = conv_output_size(x_shape[2:], w_shape[2:], stride, padding)
    outputs = x_shape[0] * w_shape[0] * math.prod(s_out)
    return outputs * w_shape[1] * math.prod(w_shape[2:])


def compiled_pays(work: int, small: int) -> bool:
    """Return True when ``work`` is large enough for the compiled kernels.

    ``small`` is `SMALL_MACS` (convolutions, ``work`` from `conv_macs`) or
    `SMALL_ELEMENTS` (batch norm, pooling, upsampling: input elements).
    Below it the NumPy twins run: same results up to float rounding, no
    compile. Applies to ``"auto"`` only; ``backend="numba"`` and the kernel
    sets themselves always run the compiled code.

    Examples
    --------
    >>> compiled_pays(7776, SMALL_MACS), compiled_pays(10**8, SMALL_MACS)
    (False, True)
    """
    return work >= small


def special_kernels(
    backend: str,
    func: str,
    w_shape: tuple[int, ...],
    stride: tuple[int, ...],
    jit: bool,
) -> winograd.WinogradKernels | shifted.ShiftedKernels:
    """Kernels of backend "winograd" or "shifted"; fail where it cannot run."""
    module, applies, needs = {
        "winograd": (
            winograd,
            winograd.winograd_applies,
            "a kernel of 3 on every axis",
        ),
        "shifted": (shifted, shifted.shifted_applies, "1 or 2 spatial dims"),
    }[backend]
    if not applies(w_shape, stride):
        fail(
            func,
            f"a stride-1 convolution with {needs} for backend {backend!r}",
            f"kernel {tuple(w_shape[2:])}, stride {stride}",
            'Use backend="auto".',
        )
    return module.NUMBA_KERNELS if jit else module.NUMPY_KERNELS


def prefer_shifted(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], stride: tuple[int, ...]
) -> bool:
    """Return True where the shifted-product method measured fastest.

    2D, stride 1, a kernel larger than 1x1, and at least four times as many
    input as output channels (DenseNet's 3x3 layers: 128 -> 32).

    Examples
    --------
    >>> prefer_shifted((8, 128, 56, 56), (32, 128, 3, 3), (1, 1))
    True
    """
    c_out, c_in = w_shape[:2]
    return (
        len(stride) == 2
        and shifted.shifted_applies(w_shape, stride)
        and math.prod(w_shape[2:]) > 1
        and c_in >= 4 * c_out
    )


def prefer_winograd(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], stride: tuple[int, ...]
) -> bool:
    """Return True where Winograd measured faster than the split im2col.

    2D or 3D, stride 1, kernel 3 on every axis, and at least 4 positions
    along the last spatial axis (thin volumes such as 20x20x2 lose).

    Examples
    --------
    >>> prefer_winograd((1, 256, 20, 20, 2), (256, 256, 3, 3, 3), (1, 1, 1))
    False
    """
    return (
        len(stride) in (2, 3)
        and winograd.winograd_applies(w_shape, stride)
        and x_shape[-1] >= 4
    )


def choose_split(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
) -> tuple[bool, ...]:
    """Pick the shifted (H) kernel axes of the GEMM driver by the lowest modelled cost.

    The model counts GEMM flops, discounted when a matrix side is narrow
    (`width_efficiency`), plus the elements copied by the gathers and scatters
    around the GEMMs (each worth `COPY_FLOPS` flops). See
    `reference.ops._fast.gemm` for what a split is.

    Examples
    --------
    Many input channels, few output channels: shift every axis, gather nothing.

    >>> choose_split((8, 128, 56, 56), (32, 128, 3, 3), (1, 1), (1, 1))
    (True, True)
    """
    ndim, (c_out, c_in), kernel = len(stride), w_shape[:2], w_shape[2:]
    s_out = conv_output_size(x_shape[2:], kernel, stride, padding)
    best, best_cost = (False,) * ndim, math.inf
    for split in itertools.product((False, True), repeat=ndim):
        if any(h and s > 1 for h, s in zip(split, stride, strict=False)):
            continue
        n_h = math.prod(k for h, k in zip(split, kernel, strict=False) if h)
        n_g = math.prod(kernel) // n_h
        positions = math.prod(
            o + k - 1 if h else o for h, o, k in zip(split, s_out, kernel, strict=False)
        )
        rows, inner = n_h * c_out, n_g * c_in
        efficiency = width_efficiency(rows) * width_efficiency(inner)
        gemm_flops = 6 * rows * inner / efficiency
        direct = n_g == 1 and all(s == 1 for s in stride)
        copies = (0 if direct else 4 * inner) + (n_h > 1) * 4 * rows
        cost = positions * (gemm_flops + COPY_FLOPS * copies)
        if cost < best_cost:
            best, best_cost = split, cost
    return best


def width_efficiency(width: int) -> float:
    """Fraction of peak a BLAS GEMM reaches when one matrix side is ``width`` wide.

    A model, w / (w + 16): a 32-wide product runs at about 2/3 of the peak.
    """
    return width / (width + 16)
