"""DenseNet and U-Net: torchvision keys, parameter counts, shapes, gradchecks, overfitting."""

import os
import subprocess
import sys

import numpy as np
import pytest

from reference.nn import DenseBlock, DenseLayer, DenseNet, Transition, UNet, densenet121
from reference.optim import Adam
from reference.testing import check_module_gradients

F64 = np.float64


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def gradcheck(module, x, seed=0, samples=3, h=1e-5, tol=1e-5):
    """Sampled float64 central differences for dx and every parameter gradient.

    Deep nets with batch norm have tiny gradients for early parameters (a later
    batch norm undoes most scalings), so h and tol are larger than for one layer.
    """
    check_module_gradients(
        module, x, seed=seed, samples=samples, x_samples=12, h=h, tol=tol
    )


def tiny_densenet(**kwargs):
    config = dict(
        block_config=(2, 2),
        growth_rate=4,
        num_init_features=8,
        bn_size=2,
        num_classes=3,
        in_channels=1,
        rng=0,
        dtype=F64,
    )
    return DenseNet(**{**config, **kwargs})


# --- DenseNet: torchvision's names and sizes -------------------------------------------
def torchvision_densenet_keys(block_config):
    """The state-dict keys of torchvision's DenseNet (without num_batches_tracked)."""

    def norm(prefix):
        return [
            f"{prefix}.{k}" for k in ("weight", "bias", "running_mean", "running_var")
        ]

    keys = ["features.conv0.weight", *norm("features.norm0")]
    for b, layers in enumerate(block_config, start=1):
        for n in range(1, layers + 1):
            p = f"features.denseblock{b}.denselayer{n}"
            keys += [
                *norm(f"{p}.norm1"),
                f"{p}.conv1.weight",
                *norm(f"{p}.norm2"),
                f"{p}.conv2.weight",
            ]
        if b < len(block_config):
            keys += [
                *norm(f"features.transition{b}.norm"),
                f"features.transition{b}.conv.weight",
            ]
    return keys + [*norm("features.norm5"), "classifier.weight", "classifier.bias"]


def test_densenet121_keys_shapes_and_count_match_torchvision():
    net = densenet121(num_classes=1000, in_channels=3, rng=0)
    state = net.state_dict()
    assert list(state) == torchvision_densenet_keys((6, 12, 24, 16))
    assert len(state) == 1 + 4 + (58 * 10) + 3 * 5 + 4 + 2
    shapes = {
        "features.conv0.weight": (64, 3, 7, 7),
        "features.denseblock1.denselayer1.norm1.running_mean": (64,),
        "features.denseblock1.denselayer1.conv1.weight": (128, 64, 1, 1),
        "features.denseblock1.denselayer6.conv2.weight": (32, 128, 3, 3),
        "features.transition1.conv.weight": (128, 256, 1, 1),
        "features.denseblock3.denselayer24.norm1.weight": (256 + 23 * 32,),
        "features.transition3.conv.weight": (512, 1024, 1, 1),
        "features.norm5.running_var": (1024,),
        "classifier.weight": (1000, 1024),
        "classifier.bias": (1000,),
    }
    for key, shape in shapes.items():
        assert state[key].shape == shape, key
    assert net.num_parameters() == 7_978_856
    assert net.hparams["num_init_features"] == 64
    grey = densenet121(in_channels=1, rng=0)
    assert grey.num_parameters() == 7_978_856 - 64 * 2 * 49 - 986 * 1024 - 986
    assert grey.state_dict()["features.conv0.weight"].dtype == np.float32


def test_small_densenet_keys_and_shapes():
    net = tiny_densenet()
    assert list(net.state_dict()) == torchvision_densenet_keys((2, 2))
    out = net(rand(2, 1, 16, 20))
    assert out.shape == (2, 3) and out.dtype == F64
    assert net.features.norm5.params["weight"].shape == (
        16,
    )  # (8 + 2 * 4) // 2 + 2 * 4


def test_densenet_rejects_bad_input_and_config():
    net = tiny_densenet()
    with pytest.raises(
        ValueError,
        match=r"DenseNet.forward: expected x with height and width "
        r">= 8 \(the network halves them 3 times\), got shape \(1, 1, 6, 16\)",
    ):
        net(rand(1, 1, 6, 16))
    with pytest.raises(
        ValueError, match=r"DenseNet.forward: expected x with 1 channels"
    ):
        net(rand(1, 3, 16, 16))
    with pytest.raises(
        ValueError, match="DenseNet: expected growth_rate as a positive int"
    ):
        DenseNet(growth_rate=0)
    with pytest.raises(
        ValueError, match="DenseNet: expected block_config as a non-empty"
    ):
        DenseNet(block_config=())


@pytest.mark.parametrize(
    "block, shape",
    [
        (
            lambda: DenseLayer(5, growth_rate=3, bn_size=2, rng=0, dtype=F64),
            (3, 5, 4, 4),
        ),
        (
            lambda: DenseBlock(3, 4, growth_rate=2, bn_size=2, rng=0, dtype=F64),
            (2, 4, 3, 4),
        ),
        (lambda: Transition(6, 3, rng=0, dtype=F64), (2, 6, 4, 6)),
    ],
    ids=["dense-layer", "dense-block", "transition"],
)
def test_densenet_block_gradients(block, shape):
    gradcheck(block(), rand(*shape, seed=1))


def test_dense_block_output_keeps_input_channels_first():
    block = DenseBlock(2, 3, growth_rate=2, bn_size=2, rng=0, dtype=F64)
    x = rand(2, 3, 4, 4)
    out = block(x)
    assert out.shape == (2, 7, 4, 4)
    np.testing.assert_array_equal(out[:, :3], x)  # concat keeps the input unchanged


def test_dense_block_backward_leaves_dout_alone_and_checks_its_shape():
    block = DenseBlock(2, 3, growth_rate=2, bn_size=2, rng=0, dtype=F64)
    out = block(rand(2, 3, 4, 4))
    dout = rand(*out.shape, seed=3)
    before = dout.copy()
    dx = block.backward(dout)
    np.testing.assert_array_equal(dout, before)
    assert dx.shape == (2, 3, 4, 4) and dx.flags.c_contiguous
    block(rand(2, 3, 4, 4))
    with pytest.raises(
        ValueError, match=r"DenseBlock.backward: expected dout of shape"
    ):
        block.backward(dout[:, :5])


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_small_densenet_gradients(mode):
    net = tiny_densenet()
    net(rand(4, 1, 16, 16, seed=5))  # move the running statistics off 0 and 1
    getattr(net, mode)()
    gradcheck(net, rand(2, 1, 16, 16, seed=2), samples=2)


# --- U-Net -------------------------------------------------------------------------------
def keras_unet_param_count(in_ch, classes, base, depth, ndim):
    """Parameters of the course's Keras unet_model_3d (independent count)."""
    k = 3**ndim
    total, channels, skips = 0, in_ch, []
    for d in range(depth):
        first, second = base * 2**d, base * 2 ** (d + 1)
        total += channels * first * k + first + first * second * k + second
        channels = second
        skips.append(second)
    for d in reversed(range(depth - 1)):
        total += (channels + skips[d]) * skips[d] * k + skips[d]
        total += skips[d] * skips[d] * k + skips[d]
        channels = skips[d]
    return total + channels * classes + classes


def test_unet_course_model_has_16_3_million_parameters():
    net = UNet(in_channels=4, num_classes=3, base_filters=32, depth=4, ndim=3, rng=0)
    assert net.num_parameters() == 16_318_307 == keras_unet_param_count(4, 3, 32, 4, 3)
    state = net.state_dict()
    assert state["encoders.0.conv1.weight"].shape == (32, 4, 3, 3, 3)
    assert state["encoders.3.conv2.weight"].shape == (512, 256, 3, 3, 3)
    assert state["decoders.2.conv1.weight"].shape == (256, 768, 3, 3, 3)
    assert state["decoders.0.conv2.weight"].shape == (64, 64, 3, 3, 3)
    assert state["head.weight"].shape == (3, 64, 1, 1, 1)
    assert UNet(4, 3, 32, 4, ndim=2).num_parameters() == keras_unet_param_count(
        4, 3, 32, 4, 2
    )


@pytest.mark.parametrize("ndim, size", [(2, (8, 12)), (3, (4, 8, 4))])
def test_unet_output_shape(ndim, size):
    net = UNet(in_channels=2, num_classes=3, base_filters=2, depth=3, ndim=ndim, rng=0)
    out = net(rand(2, 2, *size).astype(np.float32))
    assert out.shape == (2, 3, *size) and out.dtype == np.float32


def test_unet_size_error_names_axis_and_valid_sizes():
    net = UNet(in_channels=1, num_classes=1, base_filters=2, depth=3, ndim=2, rng=0)
    with pytest.raises(
        ValueError,
        match=r"UNet.forward: expected x spatial size on axis 3 "
        r"\(shape \(1, 1, 12, 10\)\) divisible by 4, got 10. Try 8 or 12.",
    ):
        net(np.zeros((1, 1, 12, 10), np.float32))
    with pytest.raises(ValueError, match=r"UNet.forward: expected x with 4 dims"):
        net(np.zeros((1, 1, 12, 12, 4), np.float32))
    with pytest.raises(
        ValueError, match="UNet: expected depth as a positive int, got 0"
    ):
        UNet(depth=0)


@pytest.mark.parametrize(
    "config, shape",
    [
        (
            dict(in_channels=2, num_classes=2, base_filters=4, depth=3, ndim=2),
            (2, 2, 8, 4),
        ),
        (
            dict(
                in_channels=1,
                num_classes=2,
                base_filters=4,
                depth=2,
                ndim=2,
                batch_norm=True,
            ),
            (2, 1, 4, 6),
        ),
        (
            dict(in_channels=2, num_classes=1, base_filters=2, depth=2, ndim=3),
            (1, 2, 4, 2, 4),
        ),
        (
            dict(in_channels=1, num_classes=3, base_filters=2, depth=1, ndim=2),
            (1, 1, 3, 3),
        ),
    ],
    ids=["2d-depth3", "2d-batchnorm", "3d-tiny", "depth1"],
)
def test_unet_gradients(config, shape):
    gradcheck(UNet(**config, rng=0, dtype=F64), rand(*shape, seed=4))


def test_unet_batch_norm_names():
    net = UNet(1, 1, 2, depth=2, ndim=2, batch_norm=True, rng=0)
    names = list(net.state_dict())
    assert names[:6] == [
        "encoders.0.conv1.weight",
        "encoders.0.norm1.weight",
        "encoders.0.norm1.bias",
        "encoders.0.norm1.running_mean",
        "encoders.0.norm1.running_var",
        "encoders.0.conv2.weight",
    ]
    assert "encoders.0.conv1.bias" not in names and names[-2:] == [
        "head.weight",
        "head.bias",
    ]


def test_state_dict_round_trip_gives_identical_outputs():
    a, b = tiny_densenet(rng=1), tiny_densenet(rng=2)
    x = rand(2, 1, 16, 16)
    a(x)  # training step moves the running statistics
    a.eval()
    b.eval()
    assert not np.allclose(a(x), b(x))
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(a(x), b(x))


# --- training sanity: a small model overfits a tiny batch --------------------------------
def bce_with_logits(logits, targets):
    """Mean binary cross-entropy on logits and its gradient."""
    loss = np.mean(np.logaddexp(0, logits) - targets * logits)
    probs = 0.5 * (1 + np.tanh(0.5 * logits))  # sigmoid without overflow
    return loss, (probs - targets) / logits.size


@pytest.mark.parametrize(
    "make, x_shape, y_shape",
    [
        (lambda: UNet(1, 1, 4, depth=2, ndim=2, rng=0), (2, 1, 8, 8), (2, 1, 8, 8)),
        (lambda: tiny_densenet(dtype=np.float32), (4, 1, 16, 16), (4, 3)),
    ],
    ids=["unet", "densenet"],
)
def test_small_model_overfits_tiny_batch(make, x_shape, y_shape):
    rng = np.random.default_rng(0)
    model = make()
    x = rng.standard_normal(x_shape).astype(np.float32)
    y = (rng.random(y_shape) < 0.5).astype(np.float32)
    optimizer = Adam(model, lr=0.02)
    losses = []
    for _ in range(120):
        loss, dlogits = bce_with_logits(model.forward(x), y)
        model.backward(dlogits)
        optimizer.step()
        losses.append(loss)
    assert losses[-1] < losses[0] / 10, losses[::10]


# --- optional oracle: PyTorch in another interpreter -------------------------------------
TORCH_SIDE = """
import sys
from collections import OrderedDict
import numpy as np, torch
from torch import nn
import torch.nn.functional as F
torch.set_default_dtype(torch.float64)
d = dict(np.load(sys.argv[1]))

class DenseLayer(nn.Module):  # torchvision's _DenseLayer
    def __init__(self, c, g, bn):
        super().__init__()
        self.norm1, self.relu1 = nn.BatchNorm2d(c), nn.ReLU()
        self.conv1 = nn.Conv2d(c, bn * g, 1, bias=False)
        self.norm2, self.relu2 = nn.BatchNorm2d(bn * g), nn.ReLU()
        self.conv2 = nn.Conv2d(bn * g, g, 3, padding=1, bias=False)
    def forward(self, x):
        x = self.conv1(self.relu1(self.norm1(x)))
        return self.conv2(self.relu2(self.norm2(x)))

class DenseBlock(nn.ModuleDict):
    def __init__(self, n, c, g, bn):
        super().__init__()
        for i in range(n):
            self.add_module(f"denselayer{i + 1}", DenseLayer(c + i * g, g, bn))
    def forward(self, x):
        for layer in self.values():
            x = torch.cat([x, layer(x)], 1)
        return x

class Transition(nn.Sequential):
    def __init__(self, c, o):
        super().__init__(OrderedDict(norm=nn.BatchNorm2d(c), relu=nn.ReLU(),
                         conv=nn.Conv2d(c, o, 1, bias=False), pool=nn.AvgPool2d(2)))

def densenet(blocks, g, c, bn, classes, in_ch):
    feats = nn.Sequential(OrderedDict(conv0=nn.Conv2d(in_ch, c, 7, 2, 3, bias=False),
        norm0=nn.BatchNorm2d(c), relu0=nn.ReLU(), pool0=nn.MaxPool2d(3, 2, 1)))
    for i, n in enumerate(blocks, 1):
        feats.add_module(f"denseblock{i}", DenseBlock(n, c, g, bn))
        c += n * g
        if i < len(blocks):
            feats.add_module(f"transition{i}", Transition(c, c // 2))
            c //= 2
    feats.add_module("norm5", nn.BatchNorm2d(c))
    net = nn.Module()
    net.features, net.classifier = feats, nn.Linear(c, classes)
    net.forward = lambda x: net.classifier(F.adaptive_avg_pool2d(
        F.relu(net.features(x)), 1).flatten(1))
    return net

def run(net, prefix):
    start = prefix + "init/"
    state = {k[len(start):]: torch.tensor(v) for k, v in d.items() if k.startswith(start)}
    keys = net.load_state_dict(state, strict=False)  # ours has no num_batches_tracked
    assert not keys.unexpected_keys, keys
    assert all(k.endswith("num_batches_tracked") for k in keys.missing_keys), keys
    x = torch.tensor(d[prefix + "x"], requires_grad=True)
    out = net(x)
    out.backward(torch.tensor(d[prefix + "dout"]))
    got = {"out": out.detach(), "dx": x.grad}
    got.update({"grad/" + k: p.grad for k, p in net.named_parameters()})
    got.update({"state/" + k: v for k, v in net.state_dict().items()})
    return {prefix + k: v.numpy() for k, v in got.items()}

class UNet(nn.Module):  # the course's plan, same names as reference.nn.UNet
    def __init__(self, in_ch, classes, base, depth):
        super().__init__()
        def double(a, b, c):
            return nn.Sequential(OrderedDict(conv1=nn.Conv3d(a, b, 3, padding=1),
                relu1=nn.ReLU(), conv2=nn.Conv3d(b, c, 3, padding=1), relu2=nn.ReLU()))
        w = [base * 2 ** (k + 1) for k in range(depth)]
        self.encoders = nn.ModuleList(double(w[k - 1] if k else in_ch, w[k] // 2, w[k])
                                      for k in range(depth))
        self.decoders = nn.ModuleList(double(w[k + 1] + w[k], w[k], w[k])
                                      for k in range(depth - 1))
        self.head = nn.Conv3d(w[0], classes, 1)
    def forward(self, x):
        e = [self.encoders[0](x)]
        for enc in self.encoders[1:]:
            e.append(enc(F.max_pool3d(e[-1], 2)))
        u = e[-1]
        for k in reversed(range(len(self.decoders))):
            up = F.interpolate(u, scale_factor=2, mode="nearest")
            u = self.decoders[k](torch.cat([up, e[k]], 1))
        return self.head(u)

result = run(densenet((2, 3), 4, 8, 2, 3, 1), "dn/")
result.update(run(UNet(2, 3, 4, 3), "un/"))
np.savez(sys.argv[2], **result)
"""


def torch_python():
    """This interpreter if it has PyTorch, else $AI4MD_TORCH_PYTHON if set, else None."""
    try:
        import torch  # noqa: F401

        return sys.executable
    except ImportError:
        path = os.environ.get("AI4MD_TORCH_PYTHON", "")
        return path if path and os.path.exists(path) else None


@pytest.mark.oracle
def test_densenet_and_unet_match_pytorch(tmp_path):
    python = torch_python()
    if python is None:
        pytest.skip(
            "PyTorch is not importable (set AI4MD_TORCH_PYTHON to a python with it)"
        )
    rng = np.random.default_rng(0)
    models = {
        "dn/": (tiny_densenet(block_config=(2, 3)), (2, 1, 37, 29), (2, 3)),
        "un/": (
            UNet(2, 3, 4, depth=3, ndim=3, rng=0, dtype=F64),
            (1, 2, 8, 4, 8),
            (1, 3, 8, 4, 8),
        ),
    }
    ours, inputs = {}, {}
    for prefix, (model, x_shape, out_shape) in models.items():
        x, dout = rng.standard_normal(x_shape), rng.standard_normal(out_shape)
        inputs.update({prefix + "x": x, prefix + "dout": dout})
        inputs.update({prefix + "init/" + k: v for k, v in model.state_dict().items()})
        ours.update(
            {prefix + "out": model.forward(x), prefix + "dx": model.backward(dout)}
        )
        ours.update({prefix + "grad/" + k: v for k, v in model.named_grads().items()})
        ours.update({prefix + "state/" + k: v for k, v in model.state_dict().items()})
    np.savez(tmp_path / "in.npz", **inputs)
    (tmp_path / "torch_side.py").write_text(TORCH_SIDE)
    subprocess.run(
        [
            python,
            str(tmp_path / "torch_side.py"),
            str(tmp_path / "in.npz"),
            str(tmp_path / "out.npz"),
        ],
        check=True,
        capture_output=True,
    )
    theirs = dict(np.load(tmp_path / "out.npz"))
    assert set(ours) == {k for k in theirs if not k.endswith("num_batches_tracked")}
    for key, value in ours.items():
        np.testing.assert_allclose(
            value, theirs[key], rtol=1e-10, atol=1e-12, err_msg=key
        )


def test_full_size_models_run_forward_and_backward_in_float32():
    net = densenet121(num_classes=14, in_channels=1, rng=0)
    x = rand(2, 1, 64, 64).astype(np.float32)
    logits = net(x)
    assert logits.shape == (2, 14) and logits.dtype == np.float32
    dx = net.backward(np.ones_like(logits))
    assert dx.shape == x.shape and dx.dtype == np.float32 and np.isfinite(dx).all()
    unet = UNet(rng=0)  # the course's 3D model
    x = rand(1, 4, 16, 16, 8).astype(np.float32)
    out = unet(x)
    assert out.shape == (1, 3, 16, 16, 8) and out.dtype == np.float32
    dx = unet.backward(np.ones_like(out))
    assert dx.shape == x.shape and np.isfinite(dx).all()
    assert set(unet.named_grads()) == set(unet.named_parameters())


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_sequential_fuses_batchnorm_relu_with_identical_results(mode):
    from reference.nn import BatchNorm, ReLU, Sequential

    x, dout = rand(2, 3, 4, 4, seed=6), rand(2, 3, 4, 4, seed=7)
    fused = Sequential({"norm": BatchNorm(3, dtype=F64), "relu": ReLU()})
    alone_norm, alone_relu = BatchNorm(3, dtype=F64), ReLU()
    for net in (fused.norm, alone_norm):  # the same non-trivial state for both
        net.params["weight"][:] = [1.5, -0.5, 2.0]
        net.buffers["running_mean"][:] = [0.1, -0.2, 0.3]
        getattr(net, mode)()
    out = fused(x)
    np.testing.assert_array_equal(out, alone_relu.forward(alone_norm.forward(x)))
    dx = fused.backward(dout)
    np.testing.assert_allclose(
        dx, alone_norm.backward(alone_relu.backward(dout)), rtol=1e-12, atol=1e-12
    )
    for key in ("weight", "bias"):
        np.testing.assert_allclose(
            fused.norm.grads[key], alone_norm.grads[key], rtol=1e-12, atol=1e-12
        )
    assert fused.relu.cache is None  # the ReLU module itself never ran


def test_sequential_does_not_fuse_subclasses_that_change_the_layers():
    from reference.nn import BatchNorm, ReLU, Sequential

    class Doubled(BatchNorm):
        def forward(self, x):
            return 2 * super().forward(x)

    class Shifted(ReLU):
        _forward = staticmethod(lambda x: (x + 1.0, None))

    x = rand(2, 3, 4, seed=8)
    out = Sequential(Doubled(3, dtype=F64), ReLU())(x)
    want = ReLU()(Doubled(3, dtype=F64)(x))
    np.testing.assert_array_equal(out, want)
    assert not Shifted().is_relu and ReLU().is_relu and BatchNorm(3).fuses_relu
