"""Thin layers: each wraps one kernel pair from `reference.ops` and owns its arrays.

The math lives in ``reference.ops``; a layer stores parameters, buffers and the
cache, validates its input once, and names its arrays as PyTorch does
(``weight``, ``bias``, ``running_mean``, ``running_var``) so state dicts map
one-to-one. Layers with parameters take ``rng`` (a ``np.random.Generator``,
a seed, or None for fresh entropy) and ``dtype`` (float32 by default); their
input must have the layer's dtype (cast with ``model.astype`` or ``x.astype``).

Public names: `Conv`, `ConvTranspose`, `BatchNorm`, `ReLU`, `MaxPool`,
`AvgPool`, `GlobalAvgPool`, `Upsample`, `Linear`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from reference import ops
from reference._validation import check_layer_input, fail, spatial_tuple
from reference.nn.module import Module

__all__ = [
    "AvgPool",
    "BatchNorm",
    "Conv",
    "ConvTranspose",
    "GlobalAvgPool",
    "Linear",
    "MaxPool",
    "ReLU",
    "Upsample",
]


def _he_uniform(rng, shape, fan_in: int, dtype) -> np.ndarray:
    """Kaiming/He uniform init for ReLU nets: U(-b, b) with b = sqrt(6 / fan_in)."""
    bound = math.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


class Conv(Module):
    """N-d convolution (N, C_in, *S) -> (N, C_out, *S_out); wraps `ops.conv_forward`.

    Parameters
    ----------
    in_channels, out_channels : int
        C_in and C_out.
    kernel : int or tuple of int
        Kernel size, one entry per spatial dim.
    stride, padding : int or tuple of int, optional
        Default 1 and 0. ``S_out = 1 + (S + 2 * padding - kernel) // stride``.
        Ints only (kernel too), as in the kernels: ``2.0`` raises ``TypeError``.
    bias : bool, optional
        Learn a bias (default True; DenseNet's convs use False).
    ndim : int, optional
        Spatial dims: 1, 2 (default) or 3.
    rng : np.random.Generator, int or None
        Source of the initial weights.
    dtype : float dtype, optional
        float32 by default.

    Attributes
    ----------
    params : {"weight": (C_out, C_in, *kernel), "bias": (C_out,)}
        Weight ~ U(-b, b), b = sqrt(6 / (C_in * prod(kernel))) (He uniform);
        bias starts at 0.

    Examples
    --------
    >>> import numpy as np
    >>> conv = Conv(1, 2, 3, padding=1, rng=0)
    >>> conv(np.ones((1, 1, 5, 5), np.float32)).shape
    (1, 2, 5, 5)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: int | tuple[int, ...],
        *,
        stride: int | tuple[int, ...] = 1,
        padding: int | tuple[int, ...] = 0,
        bias: bool = True,
        ndim: int = 2,
        rng: np.random.Generator | int | None = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            kernel=kernel,
            stride=stride,
            padding=padding,
            bias=bias,
            ndim=ndim,
        )
        func = type(self).__name__
        ksize = spatial_tuple(kernel, ndim, "kernel", func, 1)
        self._stride = spatial_tuple(stride, ndim, "stride", func, 1)
        self._padding = spatial_tuple(padding, ndim, "padding", func, 0)
        rng = np.random.default_rng(rng)
        self.params["weight"] = self._init_weight(
            rng, in_channels, out_channels, ksize, dtype
        )
        if bias:
            self.params["bias"] = np.zeros(out_channels, dtype)

    def _init_weight(self, rng, c_in, c_out, ksize, dtype):
        return _he_uniform(rng, (c_out, c_in, *ksize), c_in * math.prod(ksize), dtype)

    def _kernels(self):
        return ops.conv_forward, ops.conv_backward

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Convolve ``x`` of shape (N, C_in, *S)."""
        weight = self.params["weight"]
        check_layer_input(
            x,
            f"{type(self).__name__}.forward",
            channels=self.hparams["in_channels"],
            spatial_dims=self.hparams["ndim"],
            dtype=weight.dtype,
        )
        out, self.cache = self._kernels()[0](
            x,
            weight,
            self.params.get("bias"),
            stride=self._stride,
            padding=self._padding,
        )
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Return dx; assign grads["weight"] (and grads["bias"])."""
        dx, dw, db = self._kernels()[1](dout, self.pop_cache())
        self.grads["weight"] = dw
        if db is not None:
            self.grads["bias"] = db
        return dx


class ConvTranspose(Conv):
    """N-d transposed convolution; weight (C_in, C_out, *kernel) as in PyTorch.

    ``S_out = (S - 1) * stride - 2 * padding + kernel``. Parameters as for
    `Conv`; the init uses fan_in = C_in * prod(kernel).

    Examples
    --------
    >>> import numpy as np
    >>> up = ConvTranspose(2, 1, 2, stride=2, rng=0)
    >>> up(np.ones((1, 2, 3, 3), np.float32)).shape
    (1, 1, 6, 6)
    """

    def _init_weight(self, rng, c_in, c_out, ksize, dtype):
        return _he_uniform(rng, (c_in, c_out, *ksize), c_in * math.prod(ksize), dtype)

    def _kernels(self):
        return ops.conv_transpose_forward, ops.conv_transpose_backward


class BatchNorm(Module):
    """Per-channel batch norm for (N, C, *S); wraps `ops.batchnorm_forward`.

    In training mode the batch statistics normalise and the running statistics
    are updated (``new = (1 - momentum) * old + momentum * batch``, unbiased
    variance); in eval mode the running statistics normalise.

    Parameters
    ----------
    channels : int
        C.
    momentum : float, optional
        Running-statistics momentum, PyTorch's convention (default 0.1).
    eps : float, optional
        Added to the variance (default 1e-5).
    dtype : float dtype, optional
        float32 by default.

    Attributes
    ----------
    params : {"weight": (C,), "bias": (C,)}
        gamma (ones) and beta (zeros).
    buffers : {"running_mean": (C,), "running_var": (C,)}
        Zeros and ones at the start.

    Examples
    --------
    >>> import numpy as np
    >>> bn = BatchNorm(1, dtype=np.float64)
    >>> bn(np.array([[[1.0]], [[3.0]]])).ravel().round(3)
    array([-1.,  1.])
    >>> bn.buffers["running_mean"]
    array([0.2])
    """

    def __init__(
        self,
        channels: int,
        *,
        momentum: float = 0.1,
        eps: float = 1e-5,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        super().__init__(channels=channels, momentum=momentum, eps=eps)
        self.params = {
            "weight": np.ones(channels, dtype),
            "bias": np.zeros(channels, dtype),
        }
        self.buffers = ops.batchnorm_init_state(channels, dtype=dtype)

    @property
    def fuses_relu(self) -> bool:
        """True: `Sequential` may run a ReLU right after this layer in its pass.

        False for subclasses that replace `forward` (they may not take ``relu``).
        """
        return type(self).forward is BatchNorm.forward

    def forward(self, x: np.ndarray, *, relu: bool = False) -> np.ndarray:
        """Normalise each channel of ``x`` (N, C, *S); then max(., 0) with ``relu``."""
        check_layer_input(
            x,
            f"{type(self).__name__}.forward",
            channels=self.hparams["channels"],
            dtype=self.params["weight"].dtype,
        )
        out, self.cache = ops.batchnorm_forward(
            x,
            self.params["weight"],
            self.params["bias"],
            eps=self.hparams["eps"],
            running_mean=self.buffers["running_mean"],
            running_var=self.buffers["running_var"],
            training=self.training,
            relu=relu,
        )
        if self.training:  # update in place so outside references stay valid
            new_mean, new_var = ops.batchnorm_update_running(
                self.buffers["running_mean"],
                self.buffers["running_var"],
                self.cache,
                momentum=self.hparams["momentum"],
            )
            self.buffers["running_mean"][...] = new_mean
            self.buffers["running_var"][...] = new_var
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Return dx; assign grads["weight"] (dgamma) and grads["bias"] (dbeta)."""
        dx, self.grads["weight"], self.grads["bias"] = ops.batchnorm_backward(
            dout, self.pop_cache()
        )
        return dx


class Linear(Module):
    """Affine layer (N, F_in) -> (N, F_out); weight (F_out, F_in) as in PyTorch.

    Weight ~ U(-b, b) with b = 1 / sqrt(F_in) (PyTorch's default bound); bias
    starts at 0 (as torchvision's DenseNet classifier).

    Examples
    --------
    >>> import numpy as np
    >>> lin = Linear(3, 2, rng=0)
    >>> lin(np.ones((4, 3), np.float32)).shape
    (4, 2)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        bias: bool = True,
        rng: np.random.Generator | int | None = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        super().__init__(in_features=in_features, out_features=out_features, bias=bias)
        bound = 1.0 / math.sqrt(in_features)
        rng = np.random.default_rng(rng)
        weight = rng.uniform(-bound, bound, size=(out_features, in_features))
        self.params["weight"] = weight.astype(dtype)
        if bias:
            self.params["bias"] = np.zeros(out_features, dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Return ``x @ weight.T + bias``."""
        check_layer_input(
            x,
            f"{type(self).__name__}.forward",
            spatial_dims=0,
            dtype=self.params["weight"].dtype,
        )
        if x.shape[1] != self.hparams["in_features"]:
            fail(
                "Linear.forward",
                f"x with {self.hparams['in_features']} features (axis 1)",
                f"shape {x.shape}",
            )
        out, self.cache = ops.linear_forward(
            x, self.params["weight"], self.params.get("bias")
        )
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Return dx; assign grads["weight"] (and grads["bias"])."""
        dx, self.grads["weight"], db = ops.linear_backward(dout, self.pop_cache())
        if db is not None:
            self.grads["bias"] = db
        return dx


class _Stateless(Module):
    """A layer with no parameters: one kernel pair applied with fixed keywords."""

    _forward = _backward = None  # set by subclasses (staticmethod kernels)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Apply the kernel to ``x`` (N, C, *S)."""
        check_layer_input(x, f"{type(self).__name__}.forward")
        out, self.cache = type(self)._forward(x, **self.hparams)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Return dx."""
        return type(self)._backward(dout, self.pop_cache())


class ReLU(_Stateless):
    """Elementwise ``max(x, 0)``; gradient 0 where x <= 0.

    Examples
    --------
    >>> import numpy as np
    >>> ReLU()(np.array([-1.0, 0.5]))
    array([0. , 0.5])
    """

    _forward, _backward = (
        staticmethod(ops.relu_forward),
        staticmethod(ops.relu_backward),
    )

    @property
    def is_relu(self) -> bool:
        """True: a BatchNorm right before it may apply it (see `Sequential`).

        False for subclasses that change what the layer computes.
        """
        cls = type(self)
        return cls.forward is ReLU.forward and cls._forward is ops.relu_forward


class MaxPool(_Stateless):
    """Max pooling over windows of ``kernel`` (stride defaults to kernel), N-d.

    Examples
    --------
    >>> import numpy as np
    >>> MaxPool(2)(np.arange(16.0).reshape(1, 1, 4, 4))[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """

    _forward = staticmethod(ops.max_pool_forward)
    _backward = staticmethod(ops.max_pool_backward)

    def __init__(
        self,
        kernel: int | tuple[int, ...],
        stride: int | tuple[int, ...] | None = None,
        padding: int | tuple[int, ...] = 0,
    ) -> None:
        super().__init__(kernel=kernel, stride=stride, padding=padding)


class AvgPool(_Stateless):
    """Average pooling over windows of ``kernel`` (stride defaults to kernel), N-d.

    Examples
    --------
    >>> import numpy as np
    >>> AvgPool(2)(np.arange(16.0).reshape(1, 1, 4, 4))[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """

    _forward = staticmethod(ops.avg_pool_forward)
    _backward = staticmethod(ops.avg_pool_backward)

    def __init__(
        self,
        kernel: int | tuple[int, ...],
        stride: int | tuple[int, ...] | None = None,
    ) -> None:
        super().__init__(kernel=kernel, stride=stride)


class GlobalAvgPool(_Stateless):
    """Average every spatial position: (N, C, *S) -> (N, C).

    Examples
    --------
    >>> import numpy as np
    >>> GlobalAvgPool()(np.arange(8.0).reshape(1, 2, 2, 2))
    array([[1.5, 5.5]])
    """

    _forward = staticmethod(ops.global_avg_pool_forward)
    _backward = staticmethod(ops.global_avg_pool_backward)


class Upsample(_Stateless):
    """Nearest-neighbour upsampling by an integer ``scale`` along every spatial dim.

    Examples
    --------
    >>> import numpy as np
    >>> Upsample(2)(np.array([[[1.0, 2.0]]]))
    array([[[1., 1., 2., 2.]]])
    """

    _forward = staticmethod(ops.upsample_forward)
    _backward = staticmethod(ops.upsample_backward)

    def __init__(self, scale: int | tuple[int, ...] = 2) -> None:
        super().__init__(scale=scale)
