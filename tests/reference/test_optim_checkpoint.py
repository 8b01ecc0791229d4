"""Update rules (hand-computed and PyTorch's formulas), Optimizer bookkeeping, checkpoints."""

import dataclasses

import h5py
import numpy as np
import pytest

from reference.checkpoint import load_checkpoint, load_npz_state, save_checkpoint
from reference.nn import BatchNorm, Linear, ReLU, Sequential
from reference.optim import SGD, Adam, adam, sgd

F64 = np.float64


def small_model(seed=0, dtype=F64):
    return Sequential(
        Linear(3, 4, rng=seed, dtype=dtype),
        BatchNorm(4, dtype=dtype),
        ReLU(),
        Linear(4, 2, rng=seed + 1, dtype=dtype),
    )


def train_steps(model, optimizer, steps, seed=0):
    rng = np.random.default_rng(seed)
    dtype = model[0].params["weight"].dtype
    for _ in range(steps):
        x = rng.standard_normal((5, 3)).astype(dtype)
        out = model.forward(x)
        model.backward(out - 1.0)  # gradient of 0.5 * sum((out - 1)**2)
        optimizer.step()


# --- pure rules ---------------------------------------------------------------------------
def test_sgd_hand_computed_and_pure():
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 1.0])
    new_w, state = sgd(w, dw, {}, lr=0.1)
    np.testing.assert_allclose(new_w, [0.95, -2.1])
    assert state == {}
    new_w, state = sgd(w, dw, {}, lr=0.1, momentum=0.9, weight_decay=0.1)
    np.testing.assert_allclose(state["velocity"], [0.6, 0.8])  # dw + 0.1 * w
    new_w, state = sgd(new_w, dw, state, lr=0.1, momentum=0.9, weight_decay=0.1)
    # w1 = [0.94, -2.08]; g = dw + 0.1 * w1 = [0.594, 0.792]; v = 0.9 * [0.6, 0.8] + g
    np.testing.assert_allclose(state["velocity"], [1.134, 1.512])
    np.testing.assert_allclose(new_w, [0.94 - 0.1134, -2.08 - 0.1512])
    np.testing.assert_array_equal(w, [1.0, -2.0])  # inputs untouched
    np.testing.assert_array_equal(dw, [0.5, 1.0])


def torch_style_adam(w, grads, lr, betas, eps, weight_decay):
    """PyTorch's Adam step as documented: step_size = lr / bc1, denom = sqrt(v)/sqrt(bc2)+eps."""
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * w
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g**2
        denom = np.sqrt(v) / np.sqrt(1 - betas[1] ** t) + eps
        w = w - lr / (1 - betas[0] ** t) * m / denom
    return w, m, v


def test_adam_matches_pytorch_formula_over_several_steps():
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(6)
    grads = [rng.standard_normal(6) for _ in range(5)]
    w, state = w0, {}
    for g in grads:
        w, state = adam(
            w, g, state, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1
        )
    expected_w, m, v = torch_style_adam(w0, grads, 0.01, (0.8, 0.99), 1e-6, 0.1)
    np.testing.assert_allclose(w, expected_w, rtol=1e-12)
    np.testing.assert_allclose(state["exp_avg"], m, rtol=1e-12)
    np.testing.assert_allclose(state["exp_avg_sq"], v, rtol=1e-12)
    assert state["step"] == 5


def test_adam_first_step_and_float32():
    w = np.array([1.0, 1.0], np.float32)
    new_w, state = adam(w, np.array([100.0, -0.01], np.float32), {}, lr=0.1)
    np.testing.assert_allclose(
        new_w, [0.9, 1.1], rtol=1e-5
    )  # bias-corrected: lr * sign
    assert new_w.dtype == np.float32 and state["exp_avg"].dtype == np.float32


# --- Optimizer classes --------------------------------------------------------------------
def test_optimizer_updates_in_place_with_per_name_state():
    model = small_model()
    weight = model[0].params["weight"]
    before = {k: v.copy() for k, v in model.named_parameters().items()}
    optimizer = SGD(model, lr=0.1, momentum=0.9)
    train_steps(model, optimizer, 1)
    assert model[0].params["weight"] is weight  # in place
    assert set(optimizer.state) == set(model.named_parameters())
    for name, param in model.named_parameters().items():
        np.testing.assert_allclose(
            param, before[name] - 0.1 * optimizer.state[name]["velocity"]
        )


def test_frozen_parameters_are_skipped():
    model = small_model()
    model[0].requires_grad_(False)
    frozen = model[0].params["weight"].copy()
    head = model[3].params["weight"].copy()
    optimizer = Adam(model, lr=0.1)
    train_steps(model, optimizer, 2)
    np.testing.assert_array_equal(model[0].params["weight"], frozen)
    assert not np.allclose(model[3].params["weight"], head)
    assert "0.weight" not in optimizer.state and "3.weight" in optimizer.state
    model[0].requires_grad_(True)
    train_steps(model, optimizer, 1)
    assert not np.allclose(model[0].params["weight"], frozen)


def test_step_without_backward_names_parameter():
    optimizer = SGD(small_model(), lr=0.1)
    with pytest.raises(
        ValueError,
        match=r"SGD.step: expected a gradient for '0.weight', "
        r"got none. Run model.backward",
    ):
        optimizer.step()


def test_learning_rate_can_change():
    optimizer = Adam(small_model(), lr=0.1)
    optimizer.lr = 0.05
    assert optimizer.hparams["lr"] == 0.05 == optimizer.lr


# --- checkpoints --------------------------------------------------------------------------
@dataclasses.dataclass
class Config:
    lr: float = 0.01
    sizes: tuple = (2, 3)


def test_checkpoint_round_trip_is_exact_and_training_resumes_identically(tmp_path):
    path = tmp_path / "ckpt.h5"
    model = small_model(dtype=np.float32)
    optimizer = Adam(model, lr=0.01, betas=(0.8, 0.9))
    train_steps(model, optimizer, 3)
    save_checkpoint(
        path,
        model,
        optimizer,
        config=Config(),
        epoch=3,
        metrics={"auc": np.float64(0.75), "per_class": np.array([0.5, 1.0])},
    )

    restored = small_model(seed=7, dtype=np.float32)
    restored_opt = Adam(restored, lr=1.0)
    metadata = load_checkpoint(path, restored, restored_opt)
    assert metadata == {
        "config": {"lr": 0.01, "sizes": [2, 3]},
        "epoch": 3,
        "metrics": {"auc": 0.75, "per_class": [0.5, 1.0]},
    }
    for key, value in model.state_dict().items():
        got = restored.state_dict()[key]
        assert got.dtype == value.dtype
        np.testing.assert_array_equal(got, value)
    assert restored_opt.hparams == optimizer.hparams
    assert restored_opt.state["0.weight"]["step"] == 3

    # continuing from the checkpoint equals continuing the original run
    train_steps(model, optimizer, 2, seed=9)
    train_steps(restored, restored_opt, 2, seed=9)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(restored.state_dict()[key], value)


def test_checkpoint_layout_and_errors(tmp_path):
    path = tmp_path / "model.h5"
    model = small_model()
    save_checkpoint(path, model)
    with h5py.File(path) as f:
        assert f.attrs["format"] == "ai4md-checkpoint"
        assert sorted(f["model"]) == sorted(model.state_dict())
        assert "optimizer" not in f
    with pytest.raises(
        ValueError,
        match="load_checkpoint: expected an optimizer state in the file, got none",
    ):
        load_checkpoint(path, small_model(), SGD(small_model(), lr=0.1))
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = 1
    with pytest.raises(
        ValueError,
        match=r"expected an ai4md-checkpoint file, got "
        r"'other.h5' without that format mark",
    ):
        load_checkpoint(other, model)
    wider = Sequential(Linear(3, 5, rng=0, dtype=F64))
    with pytest.raises(KeyError, match="missing keys"):
        load_checkpoint(path, wider)
    with pytest.raises(TypeError, match="metadata value of type object"):
        save_checkpoint(tmp_path / "bad.h5", model, note=object())


def test_load_npz_state_torchvision_style(tmp_path):
    model = small_model()
    state = {k: v * 2 for k, v in model.state_dict().items()}
    state["1.num_batches_tracked"] = np.array(10)  # torchvision's counter
    path = tmp_path / "weights.npz"
    np.savez(path, **state)
    loaded = load_npz_state(path)
    assert set(loaded) == set(state)
    model.load_state_dict(loaded)
    np.testing.assert_array_equal(model[1].buffers["running_var"], 2 * np.ones(4))
