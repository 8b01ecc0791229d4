"""U-Net for 2D images and 3D volumes (Ronneberger et al. 2015; Cicek et al. 2016).

Public names: `UNet`.

The channel plan is the course's Keras ``unet_model_3d``: encoder level ``d``
runs two 3x3(x3) convs (padding 1, each followed by ReLU) making
``base_filters * 2**d`` then ``base_filters * 2**(d + 1)`` maps; levels are
joined by 2x max pooling; each decoder level upsamples (nearest), concatenates
the matching encoder output and runs two convs with that encoder output's
channel count; a final 1x1(x1) conv gives ``num_classes`` logits per voxel.
With the course's settings (in 4, classes 3, base 32, depth 4, 3D) the model
has 16,318,307 parameters.

State-dict names: ``encoders.{d}.conv1.weight``, ``encoders.{d}.conv2.bias``,
``decoders.{d}.conv1.weight``, ... (``norm1``/``norm2`` with batch norm),
``head.weight``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from reference import ops
from reference._validation import check_divisible, check_layer_input, fail
from reference.nn.layers import BatchNorm, Conv, MaxPool, ReLU, Upsample
from reference.nn.module import Module, Sequential

__all__ = ["UNet"]


def _double_conv(c_in, c_mid, c_out, ndim, batch_norm, rng, dtype) -> Sequential:
    """Conv-[BN]-ReLU-Conv-[BN]-ReLU with 3x3(x3) kernels and padding 1."""
    layers = {}
    for i, (a, b) in enumerate(((c_in, c_mid), (c_mid, c_out)), start=1):
        # with batch norm the conv bias is redundant (beta plays its part)
        layers[f"conv{i}"] = Conv(
            a, b, 3, padding=1, bias=not batch_norm, ndim=ndim, rng=rng, dtype=dtype
        )
        if batch_norm:
            layers[f"norm{i}"] = BatchNorm(b, dtype=dtype)
        layers[f"relu{i}"] = ReLU()
    return Sequential(layers)


class UNet(Module):
    """U-Net: (N, in_channels, *S) -> (N, num_classes, *S) logits, S 2D or 3D.

    Parameters
    ----------
    in_channels : int
        Input channels (4 MRI sequences in the course).
    num_classes : int
        Output channels (logits; apply a sigmoid per class).
    base_filters : int
        Maps of the first conv; level ``d`` makes base * 2**d and base * 2**(d+1).
    depth : int
        Number of levels (``depth - 1`` poolings); each spatial size must be
        divisible by ``2**(depth - 1)``.
    ndim : int
        2 for images, 3 for volumes (1 also works).
    batch_norm : bool
        Put a BatchNorm after every 3x3 conv (then the convs have no bias).
    rng : np.random.Generator, int or None
        Initial weights.
    dtype : float dtype
        float32 by default.

    Notes
    -----
    With ``K = depth - 1``: ``e0 = enc0(x)``, ``e_d = enc_d(pool(e_{d-1}))``;
    ``u_K = e_K``, ``u_d = dec_d(concat(up(u_{d+1}), e_d))``;
    ``logits = head(u0)``. Backward mirrors it: ``du0`` ... ``du_K`` through the
    decoder (each concat splits its gradient into the upsampled part and the
    skip part ``dskip_d``), then ``de_K`` ... ``de0`` through the encoder, where
    ``de_d`` adds the pooled path's gradient and ``dskip_d`` (a fork).

    Examples
    --------
    >>> import numpy as np
    >>> net = UNet(in_channels=1, num_classes=2, base_filters=2, depth=2, ndim=2, rng=0)
    >>> net(np.ones((1, 1, 8, 8), np.float32)).shape
    (1, 2, 8, 8)
    >>> UNet().num_parameters()  # the course's 3D model
    16318307
    """

    def __init__(
        self,
        in_channels: int = 4,
        num_classes: int = 3,
        base_filters: int = 32,
        depth: int = 4,
        ndim: int = 3,
        batch_norm: bool = False,
        *,
        rng: np.random.Generator | int | None = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        super().__init__(
            in_channels=in_channels,
            num_classes=num_classes,
            base_filters=base_filters,
            depth=depth,
            ndim=ndim,
            batch_norm=batch_norm,
        )
        self._check_config()
        rng = np.random.default_rng(rng)
        widths = [base_filters * 2 ** (d + 1) for d in range(depth)]  # e_d's channels
        # encoder level d: conv to base * 2**d, then to base * 2**(d + 1)
        self.encoders = [
            _double_conv(
                widths[d - 1] if d else in_channels,
                widths[d] // 2,
                widths[d],
                ndim,
                batch_norm,
                rng,
                dtype,
            )
            for d in range(depth)
        ]
        self.pools = [MaxPool(2) for _ in range(depth - 1)]
        self.upsamples = [Upsample(2) for _ in range(depth - 1)]
        # decoder level d: concat(up(u_{d+1}) with widths[d + 1], e_d with widths[d])
        self.decoders = [
            _double_conv(
                widths[d + 1] + widths[d],
                widths[d],
                widths[d],
                ndim,
                batch_norm,
                rng,
                dtype,
            )
            for d in range(depth - 1)
        ]
        self.head = Conv(widths[0], num_classes, 1, ndim=ndim, rng=rng, dtype=dtype)

    def _check_config(self):
        for name in ("in_channels", "num_classes", "base_filters", "depth"):
            value = self.hparams[name]
            if not (isinstance(value, (int, np.integer)) and value >= 1):
                fail("UNet", f"{name} as a positive int", repr(value))
        if self.hparams["ndim"] not in (1, 2, 3):
            fail("UNet", "ndim 1, 2 or 3", repr(self.hparams["ndim"]))

    def _check_input(self, x):
        check_layer_input(
            x,
            f"{type(self).__name__}.forward",
            channels=self.hparams["in_channels"],
            spatial_dims=self.hparams["ndim"],
            dtype=self.head.params["weight"].dtype,
        )
        factor = 2 ** (self.hparams["depth"] - 1)
        for axis in range(2, x.ndim):
            check_divisible(
                x.shape[axis],
                factor,
                f"x spatial size on axis {axis} (shape {x.shape})",
                "UNet.forward",
            )

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Return logits (N, num_classes, *S) for ``x`` (N, in_channels, *S)."""
        self._check_input(x)
        depth = self.hparams["depth"]
        # encoder: e0 = enc0(x); e_d = enc_d(pool(e_{d-1}))
        e = [self.encoders[0].forward(x)]
        for d in range(1, depth):
            # fork: e_{d-1} feeds this pool and, later, the decoder's skip
            e.append(self.encoders[d].forward(self.pools[d - 1].forward(e[d - 1])))
        # decoder: u_K = e_K; u_d = dec_d(concat(up(u_{d+1}), e_d))
        u, concat_caches = e[depth - 1], [None] * (depth - 1)
        for d in reversed(range(depth - 1)):
            joined, concat_caches[d] = ops.concat_forward(
                self.upsamples[d].forward(u), e[d]
            )
            u = self.decoders[d].forward(joined)
        self.cache = concat_caches
        return self.head.forward(u)

    def backward(self, dlogits: np.ndarray) -> np.ndarray:
        """Return dx (N, in_channels, *S); assign every layer's grads."""
        concat_caches = self.pop_cache()
        depth = self.hparams["depth"]
        # decoder in reverse: du0 -> du_K, keeping each skip's gradient
        du, dskip = self.head.backward(dlogits), [None] * (depth - 1)
        for d in range(depth - 1):
            djoined = self.decoders[d].backward(du)
            # concat: split dout by channel into the upsampled path and the skip e_d
            dup, dskip[d] = ops.concat_backward(djoined, concat_caches[d])
            du = self.upsamples[d].backward(dup)
        # encoder in reverse: de_K = du_K, then de_{d-1} = pool path + skip path
        de = du
        for d in reversed(range(1, depth)):
            dpooled = self.encoders[d].backward(de)
            # fork: e_{d-1} fed the pool and the skip; add both gradients
            de = self.pools[d - 1].backward(dpooled) + dskip[d - 1]
        return self.encoders[0].backward(de)
