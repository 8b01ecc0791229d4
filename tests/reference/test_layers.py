"""Module contract and layers: params/grads/buffers, train/eval, state dicts, gradchecks."""

import numpy as np
import pytest

from reference.nn import (
    AvgPool,
    BatchNorm,
    Conv,
    ConvTranspose,
    GlobalAvgPool,
    Linear,
    MaxPool,
    Module,
    ReLU,
    Sequential,
    Upsample,
)
from reference.testing import check_module_gradients

F64 = np.float64


# --- float64 central-difference gradient check (dense for small arrays, sampled else) ---
def gradcheck(module, x, seed=0, samples=6, h=1e-6, tol=1e-6):
    """Check dx and every parameter gradient of ``module`` at ``x`` (float64)."""
    check_module_gradients(module, x, seed=seed, samples=samples, h=h, tol=tol)


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# --- Module contract ---------------------------------------------------------------
class Net(Module):
    def __init__(self):
        super().__init__(width=3)
        self.body = Sequential(Linear(4, 3, rng=1, dtype=F64), ReLU())
        self.heads = [Linear(3, 2, rng=2, dtype=F64), Linear(3, 1, rng=3, dtype=F64)]
        self.norm = BatchNorm(3, dtype=F64)


def test_named_parameters_walk_attributes_and_lists():
    net = Net()
    assert list(net.named_parameters()) == [
        "body.0.weight",
        "body.0.bias",
        "heads.0.weight",
        "heads.0.bias",
        "heads.1.weight",
        "heads.1.bias",
        "norm.weight",
        "norm.bias",
    ]
    assert list(net.named_buffers()) == ["norm.running_mean", "norm.running_var"]
    assert [type(c).__name__ for c in net.children()] == [
        "Sequential",
        "Linear",
        "Linear",
        "BatchNorm",
    ]
    assert net.named_parameters()["heads.1.weight"] is net.heads[1].params["weight"]
    assert net.num_parameters() == 4 * 3 + 3 + 3 * 2 + 2 + 3 + 1 + 3 + 3


def test_grads_same_names_and_assigned_not_accumulated():
    seq = Sequential(
        Linear(4, 3, rng=0, dtype=F64), ReLU(), Linear(3, 2, rng=1, dtype=F64)
    )
    x, dout = rand(5, 4), rand(5, 2, seed=1)
    seq.forward(x)
    seq.backward(dout)
    first = {k: v.copy() for k, v in seq.named_grads().items()}
    assert list(first) == list(seq.named_parameters())
    seq.forward(x)
    seq.backward(dout)
    for k, v in seq.named_grads().items():
        np.testing.assert_array_equal(v, first[k])  # not doubled


def test_pop_cache_errors():
    layer = Linear(2, 2, rng=0)
    with pytest.raises(
        RuntimeError, match=r"Linear.backward: no cache, forward has not run"
    ):
        layer.backward(np.ones((1, 2), np.float32))
    layer.forward(np.ones((1, 2), np.float32))
    layer.backward(np.ones((1, 2), np.float32))
    with pytest.raises(RuntimeError, match=r"already used. Run forward\(x\) again"):
        layer.backward(np.ones((1, 2), np.float32))
    seq = Sequential(ReLU())
    with pytest.raises(RuntimeError, match="Sequential.backward: no cache"):
        seq.backward(np.ones(2))


def test_train_eval_recursive_and_freeze():
    net = Net()
    assert net.eval() is net
    assert not any(m.training for _, m in net.named_modules())
    net.train()
    assert all(m.training for _, m in net.named_modules())
    net.heads[0].requires_grad_(False)
    assert "heads.0.weight" not in net.trainable_parameters()
    assert len(net.trainable_parameters()) == 6
    net.requires_grad_(False)
    assert net.trainable_parameters() == {}
    net.body.requires_grad_(True)
    assert list(net.trainable_parameters()) == ["body.0.weight", "body.0.bias"]


def test_astype_casts_params_grads_buffers():
    seq = Sequential(Conv(2, 3, 3, padding=1, rng=0), BatchNorm(3))
    assert seq[0].params["weight"].dtype == np.float32
    x = rand(2, 2, 4, 4).astype(np.float32)
    seq.forward(x)
    seq.backward(np.ones((2, 3, 4, 4), np.float32))
    seq.astype(F64)
    for arrays in (seq.named_parameters(), seq.named_grads(), seq.named_buffers()):
        assert {a.dtype for a in arrays.values()} == {np.dtype(F64)}
    assert seq.forward(x.astype(F64)).dtype == F64


def test_dtype_mismatch_is_a_clear_type_error():
    with pytest.raises(
        TypeError,
        match=r"Conv.forward: expected x with dtype float32 "
        r"\(the layer's dtype\), got dtype float64",
    ):
        Conv(1, 1, 3)(np.ones((1, 1, 4, 4)))


def test_input_shape_errors_name_layer_and_shapes():
    conv = Conv(3, 4, 3, rng=0)
    with pytest.raises(
        ValueError,
        match=r"Conv.forward: expected x with 4 dims .* got "
        r"shape \(3, 8, 8\). Add a batch axis with x\[None\]",
    ):
        conv(np.ones((3, 8, 8), np.float32))
    with pytest.raises(
        ValueError,
        match=r"Conv.forward: expected x with 3 channels \(axis "
        r"1\), got 2 in shape \(1, 2, 8, 8\)",
    ):
        conv(np.ones((1, 2, 8, 8), np.float32))
    with pytest.raises(ValueError, match=r"Linear.forward: expected x with 4 features"):
        Linear(4, 2)(np.ones((2, 3), np.float32))
    with pytest.raises(
        ValueError,
        match=r"Conv: expected kernel with 2 entries \(one "
        r"per spatial dim\), got \(3, 3, 3\)\. Pass a single int",
    ):
        Conv(1, 1, (3, 3, 3))
    with pytest.raises(
        ValueError,
        match=r"Conv: expected stride >= 1 on every axis, "
        r"got stride=\(0, 0\)",
    ):
        Conv(1, 1, 3, stride=0)
    with pytest.raises(
        TypeError,
        match=r"Conv: expected padding as an int or a tuple of "
        r"2 ints, got 'a'",
    ):
        Conv(1, 1, 3, padding="a")


def test_state_dict_copies_and_round_trip():
    a, b = Net(), Net()
    for p in b.named_parameters().values():
        p += 1.0
    state = a.state_dict()
    assert list(state) == list(a.named_parameters())[:6] + [
        "norm.weight",
        "norm.bias",
        "norm.running_mean",
        "norm.running_var",
    ]
    state["norm.weight"][0] = 123.0  # a copy: the model is untouched
    assert a.norm.params["weight"][0] == 1.0
    weight = b.heads[0].params["weight"]
    b.load_state_dict(a.state_dict())
    assert b.heads[0].params["weight"] is weight  # copied in place
    for k, v in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[k], v)


def test_load_state_dict_errors_and_torchvision_counter():
    net = Net()
    state = net.state_dict()
    state["norm.num_batches_tracked"] = np.array(7)  # torchvision's counter: ignored
    net.load_state_dict(state)
    del state["heads.1.bias"]
    state["extra.weight"] = np.zeros(1)
    with pytest.raises(
        KeyError,
        match=r"missing keys \['heads.1.bias'\] \(1 in all\), "
        r"unexpected keys \['extra.weight'\]",
    ):
        net.load_state_dict(state)
    net.load_state_dict(state, strict=False)
    state = net.state_dict()
    state["heads.0.weight"] = np.zeros((3, 2))
    with pytest.raises(
        ValueError,
        match=r"Net.load_state_dict: expected 'heads.0.weight' "
        r"with shape \(2, 3\), got shape \(3, 2\)",
    ):
        net.load_state_dict(state)


def test_sequential_names_and_errors():
    seq = Sequential({"conv0": Conv(1, 2, 1, rng=0), "relu0": ReLU()})
    assert list(seq.named_parameters()) == ["conv0.weight", "conv0.bias"]
    assert seq["relu0"] is seq[1] and len(seq) == 2
    with pytest.raises(TypeError, match="Sequential: expected Module layers"):
        Sequential(ReLU(), np.zeros(2))
    with pytest.raises(
        ValueError, match="layer names that are not Module attributes, got 'params'"
    ):
        Sequential({"params": ReLU()})
    assert "Sequential()\n  (conv0): Conv(in_channels=1" in repr(seq)


# --- layers: values --------------------------------------------------------------------
def test_conv_matches_direct_sum_and_init_is_seeded():
    conv = Conv(2, 3, (3, 2), stride=(2, 1), padding=1, rng=5, dtype=F64)
    conv.params["bias"][:] = [0.5, -1.0, 2.0]
    x = rand(2, 2, 5, 4)
    out = conv(x)
    w, b = conv.params["weight"], conv.params["bias"]
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    expected = np.zeros((2, 3, 3, 5))
    for i in range(3):
        for j in range(5):
            patch = xp[:, :, 2 * i : 2 * i + 3, j : j + 2]
            expected[:, :, i, j] = np.einsum("nchw,fchw->nf", patch, w) + b
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    bound = np.sqrt(6 / (2 * 3 * 2))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.7 * bound
    np.testing.assert_array_equal(
        Conv(2, 3, (3, 2), rng=5).params["weight"],
        Conv(2, 3, (3, 2), rng=5).params["weight"],
    )


def test_batchnorm_running_stats_and_eval():
    bn = BatchNorm(2, momentum=0.25, dtype=F64)
    x = rand(4, 2, 3, 3)
    out = bn(x)
    mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3), ddof=1)
    np.testing.assert_allclose(bn.buffers["running_mean"], 0.25 * mean)
    np.testing.assert_allclose(bn.buffers["running_var"], 0.75 + 0.25 * var)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    bn.params["weight"][:] = [2.0, 3.0]
    bn.eval()
    rm, rv = bn.buffers["running_mean"].copy(), bn.buffers["running_var"].copy()
    got = bn(x)
    expected = (x - rm[:, None, None]) / np.sqrt(rv[:, None, None] + 1e-5)
    np.testing.assert_allclose(got, expected * np.array([2.0, 3.0])[:, None, None])
    np.testing.assert_array_equal(bn.buffers["running_mean"], rm)  # eval: no update


def test_stateless_layers_values():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(MaxPool(2)(x)[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(AvgPool(2)(x)[0, 0], [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_array_equal(GlobalAvgPool()(x), [[7.5]])
    assert Upsample(2)(x).shape == (1, 1, 8, 8)
    assert ConvTranspose(1, 2, 2, stride=2, rng=0, dtype=F64)(x).shape == (1, 2, 8, 8)
    assert Conv(1, 2, 3, ndim=3, padding=1, rng=0, dtype=F64)(x[None]).shape == (
        1,
        2,
        1,
        4,
        4,
    )


# --- layers: gradient checks (float64) -------------------------------------------------
@pytest.mark.parametrize(
    "layer, shape",
    [
        (lambda: Conv(2, 3, 3, stride=2, padding=1, rng=0, dtype=F64), (2, 2, 5, 6)),
        (
            lambda: Conv(
                2, 3, (2, 3, 1), padding=(1, 0, 0), bias=False, ndim=3, rng=0, dtype=F64
            ),
            (2, 2, 3, 4, 2),
        ),
        (lambda: Conv(2, 2, 3, ndim=1, rng=0, dtype=F64), (2, 2, 6)),
        (lambda: ConvTranspose(2, 3, 2, stride=2, rng=0, dtype=F64), (2, 2, 3, 3)),
        (
            lambda: ConvTranspose(
                2, 1, 3, stride=1, padding=1, ndim=3, rng=0, dtype=F64
            ),
            (1, 2, 3, 2, 3),
        ),
        (lambda: BatchNorm(3, dtype=F64), (4, 3, 2, 3)),
        (lambda: BatchNorm(2, dtype=F64), (3, 2, 2, 2, 2)),
        (lambda: BatchNorm(3, dtype=F64).eval(), (4, 3, 2, 3)),
        (lambda: ReLU(), (2, 3, 4)),
        (lambda: MaxPool(2), (2, 2, 4, 4)),
        (lambda: MaxPool(3, stride=2, padding=1), (2, 2, 5, 5)),
        (lambda: AvgPool(2), (2, 2, 4, 6)),
        (lambda: GlobalAvgPool(), (2, 3, 3, 2)),
        (lambda: Upsample(2), (2, 2, 2, 3)),
        (lambda: Linear(5, 3, rng=0, dtype=F64), (4, 5)),
        (
            lambda: Sequential(
                Conv(2, 3, 3, padding=1, rng=0, dtype=F64),
                BatchNorm(3, dtype=F64),
                ReLU(),
                MaxPool(2),
            ),
            (2, 2, 4, 4),
        ),
    ],
    ids=[
        "conv2d",
        "conv3d",
        "conv1d",
        "convT2d",
        "convT3d",
        "bn2d",
        "bn3d",
        "bn-eval",
        "relu",
        "maxpool",
        "maxpool-pad",
        "avgpool",
        "gap",
        "upsample",
        "linear",
        "sequential",
    ],
)
def test_layer_gradients(layer, shape):
    module = layer()
    if isinstance(module, BatchNorm) and not module.training:
        module.buffers["running_mean"][:] = [0.5, -0.2, 0.1]
        module.buffers["running_var"][:] = [2.0, 0.5, 1.5]
        module.params["weight"][:] = [1.5, -0.5, 2.0]
    gradcheck(module, rand(*shape, seed=3))


# --- spatial hyperparameters: one rule with the kernels (ints only) ------------------
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Conv(1, 1, 3, stride=2.0),
            r"^Conv: expected stride as an int or a "
            r"tuple of 2 ints, got 2\.0\.$",
        ),
        (
            lambda: Conv(1, 1, 3, stride=(2, 2.0)),
            r"^Conv: expected stride as an int or "
            r"a tuple of 2 ints, got \(2, 2\.0\)\.$",
        ),
        (lambda: Conv(1, 1, 3.0), r"^Conv: expected kernel as an int"),
        (lambda: Conv(1, 1, 3, padding=True), r"^Conv: expected padding as an int"),
        (
            lambda: ConvTranspose(1, 1, 2, stride=2.0, ndim=3),
            r"^ConvTranspose: "
            r"expected stride as an int or a tuple of 3 ints, got 2\.0\.$",
        ),
    ],
)
def test_conv_layers_reject_float_and_bool_hyperparameters(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_conv_layers_accept_numpy_ints_and_lists():
    conv = Conv(1, 2, np.int64(3), stride=[1, np.int32(2)], padding=(1, 1), rng=0)
    assert conv.params["weight"].shape == (2, 1, 3, 3)
    assert conv(np.ones((1, 1, 5, 5), np.float32)).shape == (1, 2, 5, 3)


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        (
            MaxPool(2, stride=2.0),
            r"^max_pool_forward: expected stride as an int or a "
            r"tuple of 2 ints, got 2\.0\.$",
        ),
        (MaxPool(2.0), r"^max_pool_forward: expected kernel as an int"),
        (
            MaxPool(3, stride=2, padding=1.0),
            r"^max_pool_forward: expected padding as "
            r"an int",
        ),
        (
            AvgPool(2, stride=2.0),
            r"^avg_pool_forward: expected stride as an int or a "
            r"tuple of 2 ints, got 2\.0\.$",
        ),
        (Upsample(2.0), r"^upsample_forward: expected scale as an int"),
    ],
)
def test_pooling_layers_reject_float_hyperparameters(layer, message):
    with pytest.raises(TypeError, match=message):
        layer(np.ones((1, 1, 4, 4)))
