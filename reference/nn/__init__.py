"""Module classes that own parameters, gradients and caches; DenseNet and U-Net.

Layers wrap the pure kernels of `reference.ops`; models wire layers by hand
(forward and backward read as mirror images). The contract (`Module`):
``forward(x)``, ``backward(dout) -> dx`` (gradients assigned, not accumulated),
``params``/``grads``/``buffers``/``hparams`` dicts, ``train()``/``eval()``,
``named_parameters()``/``named_grads()`` (same dotted names),
``state_dict()``/``load_state_dict()``, ``astype(dtype)``, and freezing with
``requires_grad_(False)`` plus ``trainable_parameters()``.

Public names: `Module`, `Sequential`, `Conv`, `ConvTranspose`, `BatchNorm`,
`ReLU`, `MaxPool`, `AvgPool`, `GlobalAvgPool`, `Upsample`, `Linear`,
`DenseLayer`, `DenseBlock`, `Transition`, `DenseNet`, `densenet121`, `UNet`.
"""

from reference.nn.densenet import (
    DenseBlock,
    DenseLayer,
    DenseNet,
    Transition,
    densenet121,
)
from reference.nn.layers import (
    AvgPool,
    BatchNorm,
    Conv,
    ConvTranspose,
    GlobalAvgPool,
    Linear,
    MaxPool,
    ReLU,
    Upsample,
)
from reference.nn.module import Module, Sequential
from reference.nn.unet import UNet

__all__ = [
    "AvgPool",
    "BatchNorm",
    "Conv",
    "ConvTranspose",
    "DenseBlock",
    "DenseLayer",
    "DenseNet",
    "GlobalAvgPool",
    "Linear",
    "MaxPool",
    "Module",
    "ReLU",
    "Sequential",
    "Transition",
    "UNet",
    "Upsample",
    "densenet121",
]
