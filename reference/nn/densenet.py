"""DenseNet (Huang et al. 2017) with torchvision's layer order and state-dict names.

Public names: `DenseLayer`, `DenseBlock`, `Transition`, `DenseNet`, `densenet121`.

The state-dict keys are torchvision's (``features.conv0.weight``,
``features.denseblock1.denselayer1.norm1.running_mean``,
``features.transition1.conv.weight``, ``features.norm5.bias``,
``classifier.weight``), so weights exported from torchvision load one-to-one;
torchvision's extra ``num_batches_tracked`` counters are accepted and ignored
by `Module.load_state_dict`.

References
----------
.. [1] G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger, "Densely Connected
   Convolutional Networks", CVPR 2017.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from reference import ops
from reference._validation import check_layer_input, fail
from reference.nn.layers import (
    AvgPool,
    BatchNorm,
    Conv,
    GlobalAvgPool,
    Linear,
    MaxPool,
    ReLU,
)
from reference.nn.module import Module, Sequential

__all__ = ["DenseBlock", "DenseLayer", "DenseNet", "Transition", "densenet121"]


class DenseLayer(Sequential):
    """BN-ReLU-1x1 conv-BN-ReLU-3x3 conv: (N, C_in, H, W) -> (N, growth_rate, H, W).

    The 1x1 "bottleneck" conv makes ``bn_size * growth_rate`` maps; the 3x3 conv
    (padding 1) makes ``growth_rate`` new maps. `DenseBlock` concatenates them
    to the layer's input. Children: norm1, relu1, conv1, norm2, relu2, conv2.

    Examples
    --------
    >>> import numpy as np
    >>> layer = DenseLayer(8, growth_rate=4, bn_size=2, rng=0)
    >>> layer(np.ones((2, 8, 5, 5), np.float32)).shape
    (2, 4, 5, 5)
    """

    def __init__(
        self,
        in_channels: int,
        growth_rate: int,
        bn_size: int,
        *,
        rng: np.random.Generator | int | None = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        rng = np.random.default_rng(rng)
        mid = bn_size * growth_rate
        super().__init__(
            {
                "norm1": BatchNorm(in_channels, dtype=dtype),
                "relu1": ReLU(),
                "conv1": Conv(in_channels, mid, 1, bias=False, rng=rng, dtype=dtype),
                "norm2": BatchNorm(mid, dtype=dtype),
                "relu2": ReLU(),
                "conv2": Conv(
                    mid, growth_rate, 3, padding=1, bias=False, rng=rng, dtype=dtype
                ),
            }
        )
        self.hparams = dict(
            in_channels=in_channels, growth_rate=growth_rate, bn_size=bn_size
        )


class Transition(Sequential):
    """BN-ReLU-1x1 conv-2x2 average pool: (N, C_in, H, W) -> (N, C_out, H//2, W//2).

    Children: norm, relu, conv, pool.

    Examples
    --------
    >>> import numpy as np
    >>> Transition(8, 4, rng=0)(np.ones((1, 8, 6, 6), np.float32)).shape
    (1, 4, 3, 3)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        *,
        rng: np.random.Generator | int | None = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        super().__init__(
            {
                "norm": BatchNorm(in_channels, dtype=dtype),
                "relu": ReLU(),
                "conv": Conv(
                    in_channels, out_channels, 1, bias=False, rng=rng, dtype=dtype
                ),
                "pool": AvgPool(2),
            }
        )
        self.hparams = dict(in_channels=in_channels, out_channels=out_channels)


class DenseBlock(Module):
    """``num_layers`` dense layers; each sees the concatenation of all earlier maps.

    (N, C_in, H, W) -> (N, C_in + num_layers * growth_rate, H, W). Children are
    named ``denselayer1`` ... ``denselayerL`` as in torchvision.

    Notes
    -----
    Forward: ``f_0 = x``, ``f_l = concat(f_{l-1}, layer_l(f_{l-1}))`` along
    channels. Backward walks the layers in reverse: ``dout`` of ``f_l`` splits
    by channel into the part for ``f_{l-1}`` and the part for the new maps; the
    new maps' part goes back through ``layer_l`` and, because ``f_{l-1}`` fed
    both the concat and the layer, the two gradients add.

    Examples
    --------
    >>> import numpy as np
    >>> block = DenseBlock(3, 8, growth_rate=4, bn_size=2, rng=0)
    >>> block(np.ones((2, 8, 5, 5), np.float32)).shape
    (2, 20, 5, 5)
    """

    def __init__(
        self,
        num_layers: int,
        in_channels: int,
        growth_rate: int,
        bn_size: int,
        *,
        rng: np.random.Generator | int | None = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        super().__init__(
            num_layers=num_layers,
            in_channels=in_channels,
            growth_rate=growth_rate,
            bn_size=bn_size,
        )
        rng = np.random.default_rng(rng)
        for i in range(num_layers):
            layer = DenseLayer(
                in_channels + i * growth_rate,
                growth_rate,
                bn_size,
                rng=rng,
                dtype=dtype,
            )
            setattr(self, f"denselayer{i + 1}", layer)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Grow ``x`` by ``growth_rate`` channels per layer."""
        features, caches = x, []
        for layer in self.children():
            new_maps = layer.forward(features)
            # concat: the block's state grows by growth_rate channels
            features, cache = ops.concat_forward(features, new_maps)
            caches.append(cache)
        self.cache = caches
        return features

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Return dx for ``dout`` of shape (N, C_in + L * growth_rate, H, W).

        One buffer holds the gradient of every f_l: f_l's channels are a prefix
        of the block's output, so each layer adds its input gradient into
        that prefix in place, instead of copying the split parts
        (`reference.ops.concat_backward`) and allocating their sum per layer.
        """
        caches = self.pop_cache()
        out_shape = caches[-1].out_shape
        if np.shape(dout) != out_shape:
            fail(
                "DenseBlock.backward",
                f"dout of shape {out_shape}",
                f"shape {np.shape(dout)}",
            )
        dfeatures = np.array(dout, copy=True)  # our own buffer: dout stays as it is
        layers = self.children()
        for layer, cache in zip(reversed(layers), reversed(caches), strict=True):
            # concat: f_l's gradient splits by channel into f_{l-1}'s and the new maps'
            split = cache.split
            dnew = np.ascontiguousarray(dfeatures[:, split : cache.out_shape[1]])
            # fork: f_{l-1} fed the layer and the concat; add both gradients
            dfeatures[:, :split] += layer.backward(dnew)
        return np.ascontiguousarray(dfeatures[:, : caches[0].split])


def _check_config(hp: dict) -> None:
    """Check DenseNet's constructor arguments (positive ints, non-empty blocks)."""
    names = (
        "growth_rate",
        "num_init_features",
        "bn_size",
        "num_classes",
        "in_channels",
    )
    for name in names:
        if not (isinstance(hp[name], (int, np.integer)) and hp[name] >= 1):
            fail("DenseNet", f"{name} as a positive int", repr(hp[name]))
    if not hp["block_config"] or min(hp["block_config"]) < 1:
        fail(
            "DenseNet",
            "block_config as a non-empty tuple of positive ints",
            repr(hp["block_config"]),
            "DenseNet-121 uses (6, 12, 24, 16).",
        )


def _feature_layers(hp: dict, rng, dtype) -> tuple[dict, int]:
    """Build torchvision's ``features`` children in order; return them and C_out."""
    channels, growth = hp["num_init_features"], hp["growth_rate"]
    conv0 = Conv(
        hp["in_channels"],
        channels,
        7,
        stride=2,
        padding=3,
        bias=False,
        rng=rng,
        dtype=dtype,
    )
    layers = {
        "conv0": conv0,
        "norm0": BatchNorm(channels, dtype=dtype),
        "relu0": ReLU(),
        "pool0": MaxPool(3, stride=2, padding=1),
    }
    for i, num_layers in enumerate(hp["block_config"], start=1):
        layers[f"denseblock{i}"] = DenseBlock(
            num_layers, channels, growth, hp["bn_size"], rng=rng, dtype=dtype
        )
        channels += num_layers * growth
        if i < len(hp["block_config"]):  # a transition halves channels and size
            layers[f"transition{i}"] = Transition(
                channels, channels // 2, rng=rng, dtype=dtype
            )
            channels //= 2
    layers["norm5"] = BatchNorm(channels, dtype=dtype)
    return layers, channels


class DenseNet(Module):
    """DenseNet-BC for (N, in_channels, H, W) images -> (N, num_classes) logits.

    torchvision's structure: ``features`` = conv0 (7x7, stride 2, pad 3) - norm0 -
    relu0 - pool0 (3x3 max, stride 2, pad 1) - denseblock1 - transition1 - ... -
    denseblockB - norm5; then ReLU, global average pool and the ``classifier``
    (Linear). Each transition halves the channels and the spatial size.

    Parameters
    ----------
    block_config : tuple of int
        Dense layers per block (DenseNet-121: (6, 12, 24, 16)).
    growth_rate : int
        New maps per dense layer (k in the paper; 32).
    num_init_features : int
        Maps made by conv0 (64).
    bn_size : int
        Bottleneck width factor: the 1x1 conv makes bn_size * growth_rate maps.
    num_classes : int
        Logits, one per finding (14 for ChestX-ray14).
    in_channels : int
        Image channels (3 for RGB, 1 for grey X-rays).
    rng : np.random.Generator, int or None
        Initial weights.
    dtype : float dtype
        float32 by default.

    Notes
    -----
    Grad-CAM (`reference.gradcam`) uses the split ``forward = forward_head(
    features(x))``: the activations are the output of ``features`` (norm5,
    before the final ReLU) and `backward_head` returns their gradient.

    Examples
    --------
    >>> import numpy as np
    >>> net = DenseNet((2, 2), growth_rate=4, num_init_features=8, bn_size=2,
    ...                num_classes=3, in_channels=1, rng=0)
    >>> net(np.ones((2, 1, 32, 32), np.float32)).shape
    (2, 3)
    """

    def __init__(
        self,
        block_config: Sequence[int] = (6, 12, 24, 16),
        growth_rate: int = 32,
        num_init_features: int = 64,
        bn_size: int = 4,
        num_classes: int = 14,
        in_channels: int = 3,
        *,
        rng: np.random.Generator | int | None = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        super().__init__(
            block_config=tuple(block_config),
            growth_rate=growth_rate,
            num_init_features=num_init_features,
            bn_size=bn_size,
            num_classes=num_classes,
            in_channels=in_channels,
        )
        _check_config(self.hparams)
        rng = np.random.default_rng(rng)
        layers, channels = _feature_layers(self.hparams, rng, dtype)
        self.features = Sequential(layers)
        self.relu = ReLU()  # torchvision's functional relu after features
        self.pool = GlobalAvgPool()
        self.classifier = Linear(channels, num_classes, rng=rng, dtype=dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Return logits (N, num_classes) for images ``x`` (N, in_channels, H, W)."""
        min_size = 2 ** (len(self.hparams["block_config"]) + 1)
        check_layer_input(
            x,
            f"{type(self).__name__}.forward",
            channels=self.hparams["in_channels"],
            spatial_dims=2,
            dtype=self.classifier.params["weight"].dtype,
        )
        if min(x.shape[2:]) < min_size:
            fail(
                "DenseNet.forward",
                f"x with height and width >= {min_size} (the "
                f"network halves them {len(self.hparams['block_config']) + 1} times)",
                f"shape {x.shape}",
            )
        self.cache = True  # backward may run once
        return self.forward_head(self.features.forward(x))

    def forward_head(self, features: np.ndarray) -> np.ndarray:
        """Map norm5's output (N, C, h, w) to logits: ReLU, global mean, classifier."""
        return self.classifier.forward(self.pool.forward(self.relu.forward(features)))

    def backward_head(self, dlogits: np.ndarray) -> np.ndarray:
        """Return d loss / d features (norm5's output) given ``dlogits`` (N, K)."""
        return self.relu.backward(self.pool.backward(self.classifier.backward(dlogits)))

    def backward(self, dlogits: np.ndarray) -> np.ndarray:
        """Return dx (N, in_channels, H, W); assign every layer's grads."""
        self.pop_cache()
        return self.features.backward(self.backward_head(dlogits))


def densenet121(
    num_classes: int = 14,
    in_channels: int = 3,
    *,
    rng: np.random.Generator | int | None = None,
    dtype: npt.DTypeLike = np.float32,
) -> DenseNet:
    """Build DenseNet-121: blocks (6, 12, 24, 16), growth 32, 64 init maps, bn_size 4.

    With ``num_classes=1000, in_channels=3`` it has 7,978,856 parameters, as
    torchvision's ``densenet121``.

    Examples
    --------
    >>> net = densenet121(num_classes=1000, rng=0)
    >>> net.num_parameters()
    7978856
    """
    return DenseNet(
        (6, 12, 24, 16),
        growth_rate=32,
        num_init_features=64,
        bn_size=4,
        num_classes=num_classes,
        in_channels=in_channels,
        rng=rng,
        dtype=dtype,
    )
