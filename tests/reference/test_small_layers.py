"""The small-problem rule of ``"auto"``: NumPy code below a size, compiled kernels above.

Small layers (the grader's cases, unit tests) gain nothing from Numba, whose
first compile takes tens of seconds: ``"auto"`` runs them on NumPy code
(`reference.ops._fast.dispatch.compiled_pays`); ``backend="numba"`` and the
kernel sets always run the compiled code. No timings here.
"""

import sys

import numpy as np
import pytest

from reference.ops import (
    batchnorm_backward,
    batchnorm_forward,
    conv_backward,
    conv_forward,
    max_pool_backward,
    max_pool_forward,
    upsample_backward,
    upsample_forward,
)
from reference.ops._fast import dispatch, jit, kernels_im2col, kernels_pool, shifted
from reference.ops._fast import winograd as wino

TINY = ((2, 4, 6, 6), (3, 4, 3, 3), (1, 1), (1, 1))  # 7776 multiply-adds
BIG = ((8, 128, 56, 56), (32, 128, 3, 3), (1, 1), (1, 1))  # DenseNet's 3x3 layer


def test_conv_macs_and_the_rule():
    assert dispatch.conv_macs(*TINY) == 2 * 3 * 36 * 4 * 9
    assert dispatch.small_layer("auto", *TINY)
    assert not dispatch.small_layer("auto", *BIG)
    for backend in ("numba", "winograd", "shifted", "im2col"):
        assert not dispatch.small_layer(backend, *TINY)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_auto_selects_numpy_kernels_for_tiny_layers_and_compiled_for_big(dtype):
    kernels, _ = dispatch.select_kernels("auto", "conv_forward", *TINY, dtype)
    assert kernels is kernels_im2col.NUMPY_KERNELS
    kernels, _ = dispatch.select_kernels("numba", "conv_forward", *TINY, dtype)
    assert kernels in (
        kernels_im2col.NUMBA_KERNELS,
        shifted.NUMBA_KERNELS,
        wino.NUMBA_KERNELS,
    )
    if jit.JIT_ENABLED:
        kernels, _ = dispatch.select_kernels("auto", "conv_forward", *BIG, dtype)
        assert kernels is shifted.NUMBA_KERNELS


def test_auto_runs_a_tiny_convolution_with_the_classic_im2col(monkeypatch):
    def refuse(*args):
        raise AssertionError("the fast paths ran a tiny layer")

    monkeypatch.setattr(dispatch, "run_forward", refuse)
    monkeypatch.setattr(dispatch, "run_backward", refuse)
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(TINY[0]), rng.standard_normal(TINY[1])
    out, cache = conv_forward(x, w, padding=1)
    dx, dw, _ = conv_backward(np.ones_like(out), cache)
    want, want_cache = conv_forward(x, w, padding=1, backend="naive")
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-12)
    want_grads = conv_backward(np.ones_like(out), want_cache, backend="naive")[:2]
    for got, expected in zip((dx, dw), want_grads, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def _recording(monkeypatch, module, names):
    """Wrap kernels so that their calls are recorded by name."""
    calls = []
    for name in names:
        original = getattr(module, name)

        def wrapped(*args, _original=original, _name=name):
            calls.append(_name)
            return _original(*args)

        monkeypatch.setattr(module, name, wrapped)
    return calls


@pytest.mark.numba
@pytest.mark.skipif(not jit.JIT_ENABLED, reason="the NumPy twins run everywhere")
@pytest.mark.parametrize(
    ("shape", "compiled"), [((2, 3, 6, 6), False), ((2, 4, 64, 64), True)]
)
def test_pooling_and_upsampling_switch_at_small_elements(shape, compiled, monkeypatch):
    names = [
        "max_pool_forward_3d",
        "max_pool_backward_3d",
        "upsample_forward_3d",
        "upsample_backward_3d",
    ]
    calls = _recording(monkeypatch, kernels_pool, names + [n + "_numpy" for n in names])
    x = np.random.default_rng(1).standard_normal(shape)
    out, cache = max_pool_forward(x, 2)
    max_pool_backward(np.ones_like(out), cache)
    up, up_cache = upsample_forward(x, 2)
    upsample_backward(np.ones_like(up), up_cache)
    assert np.prod(shape) < dispatch.SMALL_ELEMENTS or compiled
    assert sorted(set(calls)) == sorted(n if compiled else n + "_numpy" for n in names)


@pytest.mark.numba
@pytest.mark.skipif(not jit.JIT_ENABLED, reason="the NumPy passes run everywhere")
@pytest.mark.parametrize(
    ("shape", "compiled"), [((2, 3, 6, 6), False), ((2, 4, 64, 64), True)]
)
def test_batchnorm_switches_at_small_elements(shape, compiled, monkeypatch):
    from reference.ops import norm

    calls = _recording(
        monkeypatch,
        norm,
        ["_normalise", "_normalise_compiled", "_backward", "_backward_compiled"],
    )
    x = np.random.default_rng(2).standard_normal(shape)
    out, cache = batchnorm_forward(x, np.ones(shape[1]), np.zeros(shape[1]))
    batchnorm_backward(np.ones_like(out), cache)
    suffix = "_compiled" if compiled else ""
    assert calls == ["_normalise" + suffix, "_backward" + suffix]


def test_importing_the_ops_and_running_small_layers_never_imports_numba():
    import subprocess
    import textwrap

    code = textwrap.dedent("""
        import sys
        import numpy as np
        from reference import ops
        from reference.ops._fast import jit
        x = np.ones((2, 3, 6, 6))
        out, cache = ops.conv_forward(x, np.ones((4, 3, 3, 3)), padding=1)
        ops.conv_backward(out, cache)
        out, cache = ops.batchnorm_forward(out, np.ones(4), np.zeros(4))
        ops.batchnorm_backward(out, cache)
        out, cache = ops.max_pool_forward(out, 2)
        ops.upsample_forward(out, 2)
        assert "numba" not in sys.modules
        if jit.JIT_ENABLED:  # the first call of a compiled kernel imports Numba
            from reference.ops._fast import kernels_pool
            kernels_pool.upsample_forward_3d(
                np.ones((1, 1, 1, 2)), 1, 1, 2, np.empty((1, 1, 1, 4)))
            assert "numba" in sys.modules
            assert not isinstance(kernels_pool.upsample_forward_3d, jit.LazyKernel)
        print("ok")
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
