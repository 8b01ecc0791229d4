"""Grad-CAM: hand-computed maps, the head's gradient, localisation on a trained toy task."""

import matplotlib.image
import numpy as np
import pytest

from reference.gradcam import gradcam, gradcam_map
from reference.nn import DenseNet, Linear
from reference.optim import Adam
from reference.viz_overlay import overlay_heatmap, save_overlay_png

F64 = np.float64


def test_gradcam_map_hand_computed():
    activations = np.zeros((1, 2, 2, 2))
    activations[0, 0] = [[2.0, 1.0], [0.0, 0.0]]
    activations[0, 1] = [[0.0, 0.0], [4.0, 1.0]]
    dactivations = np.zeros((1, 2, 2, 2))
    dactivations[0, 0] = [[1.0, 1.0], [1.0, 1.0]]  # alpha_0 = 1
    dactivations[0, 1] = [[0.0, -1.0], [0.0, -1.0]]  # alpha_1 = -0.5
    # sum = [[2, 1], [-2, -0.5]] -> ReLU -> [[2, 1], [0, 0]] -> / 2
    np.testing.assert_allclose(
        gradcam_map(activations, dactivations)[0], [[1.0, 0.5], [0.0, 0.0]]
    )
    # activations >= 0 and every weight negative: nowhere positive, all zeros
    assert not gradcam_map(activations, -np.ones_like(activations)).any()


def test_gradcam_map_resize_keeps_range_and_peak():
    activations = np.zeros((2, 1, 4, 4))
    activations[0, 0, 1, 2] = 1.0
    activations[1, 0, 3, 0] = 1.0
    cam = gradcam_map(activations, np.ones_like(activations), size=(32, 32))
    assert cam.shape == (2, 32, 32)
    assert cam.min() >= 0 and np.allclose(cam.max(axis=(1, 2)), 1.0)
    peak = np.unravel_index(np.argmax(cam[0]), (32, 32))
    assert (
        8 <= peak[0] < 16 and 16 <= peak[1] < 24
    )  # inside cell (1, 2) of the 4x4 grid
    with pytest.raises(ValueError, match="gradcam_map: expected size with 2 entries"):
        gradcam_map(activations, activations, size=(4, 4, 4))
    with pytest.raises(
        ValueError,
        match="gradcam_map: expected activations and dactivations with the same shape",
    ):
        gradcam_map(activations, activations[:1])


def tiny_net(dtype=F64):
    return DenseNet(
        (3,),
        growth_rate=6,
        num_init_features=8,
        bn_size=2,
        num_classes=2,
        in_channels=1,
        rng=0,
        dtype=dtype,
    )


def test_backward_head_is_the_gradient_of_the_logit():
    net = tiny_net().eval()
    rng = np.random.default_rng(0)
    features = rng.standard_normal((1, 26, 3, 3))
    net.forward_head(features)
    dfeatures = net.backward_head(np.array([[1.0, 0.0]]))
    h = 1e-6
    for idx in [(0, 0, 0, 0), (0, 5, 1, 2), (0, 25, 2, 1)]:
        plus, minus = features.copy(), features.copy()
        plus[idx] += h
        minus[idx] -= h
        numeric = (net.forward_head(plus)[0, 0] - net.forward_head(minus)[0, 0]) / (
            2 * h
        )
        assert abs(numeric - dfeatures[idx]) < 1e-7


def make_squares(rng, count, size=32, side=8, both=False):
    """Noise images; class 0: a bright square, class 1: a dark square (each half the time)."""
    x = 0.3 * rng.standard_normal((count, 1, size, size))
    y = np.ones((count, 2)) if both else (rng.random((count, 2)) < 0.5).astype(float)
    boxes = np.zeros((count, 2, 2), int)
    for n in range(count):
        # the two squares sit in opposite halves, so they never overlap
        left = rng.random() < 0.5
        for k, sign in enumerate((3.0, -3.0)):
            col_range = (
                (0, size // 2 - side) if left == (k == 0) else (size // 2, size - side)
            )
            top, col = rng.integers(0, size - side), rng.integers(*col_range)
            boxes[n, k] = top, col
            if y[n, k]:
                x[n, 0, top : top + side, col : col + side] += sign
    return x, y, boxes


@pytest.fixture(scope="module")
def trained_net():
    rng = np.random.default_rng(1)
    net = tiny_net(dtype=np.float32)
    optimizer = Adam(net, lr=0.01)
    for _ in range(150):
        x, y, _ = make_squares(rng, 16)
        logits = net.forward(x.astype(np.float32))
        probs = 0.5 * (1 + np.tanh(0.5 * logits))  # sigmoid
        net.backward(((probs - y) / y.size).astype(np.float32))
        optimizer.step()
    return net.eval()


def test_gradcam_points_at_the_region_that_drives_the_class(trained_net):
    rng = np.random.default_rng(2)
    x, _, boxes = make_squares(rng, 12, both=True)  # both squares in every image
    x = x.astype(np.float32)
    probs = 0.5 * (1 + np.tanh(0.5 * trained_net(x)))
    assert probs.min() > 0.8  # the toy task was learned
    for k in (0, 1):
        cams = gradcam(trained_net, x, class_index=k)
        assert cams.shape == (12, 32, 32) and cams.max() <= 1 and cams.min() >= 0
        hits = 0
        for n in range(len(x)):
            own, other = boxes[n, k], boxes[n, 1 - k]
            inside = cams[n, own[0] : own[0] + 8, own[1] : own[1] + 8].mean()
            elsewhere = cams[n, other[0] : other[0] + 8, other[1] : other[1] + 8].mean()
            hits += inside > elsewhere
        assert hits >= 11, (k, hits)


def test_gradcam_errors():
    net = tiny_net().eval()
    with pytest.raises(
        ValueError, match=r"gradcam: expected class_index in \[0, 2\), got 2"
    ):
        gradcam(net, np.zeros((1, 1, 16, 16)), 2)
    with pytest.raises(
        TypeError, match="gradcam: expected a model with 'forward_head'"
    ):
        gradcam(Linear(2, 2), np.zeros((1, 2)), 0)


# --- overlay PNG --------------------------------------------------------------------------
def test_overlay_heatmap_blend(tmp_path):
    image = np.array([[0.0, 10.0], [5.0, 10.0]])
    heat = np.array([[0.0, 1.0], [0.5, 0.0]])
    grey = overlay_heatmap(image, heat, alpha=0.0)
    np.testing.assert_allclose(grey[..., 0], [[0.0, 1.0], [0.5, 1.0]])
    coloured = overlay_heatmap(image, heat, alpha=1.0, cmap="gray")
    np.testing.assert_allclose(coloured[..., 1], heat, atol=1 / 255)  # 256-colour map
    path = tmp_path / "cam.png"
    save_overlay_png(path, image, heat)
    assert matplotlib.image.imread(path).shape[:2] == (2, 2)
    with pytest.raises(
        ValueError,
        match="overlay_heatmap: expected image and heatmap with the same shape",
    ):
        overlay_heatmap(image, heat[:1])
    with pytest.raises(
        ValueError, match=r"overlay_heatmap: expected alpha in \[0, 1\]"
    ):
        overlay_heatmap(image, heat, alpha=2)
