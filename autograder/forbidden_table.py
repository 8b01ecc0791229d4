"""Each lesson's forbidden set: the table the integrity rule starts from.

`FORBIDDEN` maps a lesson file (``"week2/diagnostic_metrics.py"``) to the
dotted names its exercises may not use (`autograder.forbidden`): the reference
implementation of what they ask for (a module forbids everything defined in it)
and its library equivalents. `autograder.registry` copies each lesson's entry
into the ``forbidden`` of its rows; a row's own ``forbidden`` adds to it, and
``solutions`` is always forbidden (`autograder.forbidden.ALWAYS`). The building
blocks a lesson reuses stay allowed: the ``reference.ops`` kernels in the model
blocks, ``reference.metrics.roc_curve`` in thresholds, ``roc_auc_score`` in
bootstrap.
"""

from __future__ import annotations

__all__ = ["FORBIDDEN"]

_FRAMEWORKS = ("torch", "tensorflow", "keras", "jax")
_METRICS = ("reference.metrics", "sklearn.metrics")
_KERNELS = ("reference.ops._fast", "reference.nn", *_FRAMEWORKS)

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "week1/activations.py": (
        "reference.ops.activations",
        "scipy.special.expit",
        *_KERNELS,
    ),
    "week1/convolution.py": (
        "reference.ops.conv",
        "reference.ops.conv_transpose",
        "numpy.convolve",
        "numpy.correlate",
        "scipy.signal",
        "scipy.ndimage.convolve",
        "scipy.ndimage.correlate",
        *_KERNELS,
    ),
    "week1/pooling.py": (
        "reference.ops.pooling",
        "scipy.ndimage.maximum_filter",
        *_KERNELS,
    ),
    "week1/batchnorm.py": ("reference.ops.norm", *_KERNELS),
    "week1/data_leakage.py": ("reference.data.splits", "sklearn.model_selection"),
    "week1/class_imbalance.py": (
        "reference.data.preprocess",
        "reference.data.sampling",
        "sklearn.utils.resample",
        "imblearn",
    ),
    "week1/weighted_loss.py": ("reference.losses", "sklearn.metrics"),
    "week1/augmentation.py": ("reference.data.augment2d", "scipy.ndimage.shift"),
    "week1/consensus.py": ("reference.data.preprocess", "scipy.stats.mode"),
    "week1/standardization.py": ("reference.data.preprocess", "sklearn.preprocessing"),
    "week1/densenet_blocks.py": ("reference.nn", "reference.gradcam", *_FRAMEWORKS),
    "week2/diagnostic_metrics.py": _METRICS,
    "week2/confusion_matrix.py": _METRICS,
    "week2/roc_auc.py": (
        *_METRICS,
        "numpy.trapezoid",
        "numpy.trapz",
        "scipy.integrate.trapezoid",
        "scipy.stats.mannwhitneyu",
    ),
    "week2/thresholds.py": ("reference.metrics.optimal_threshold", "sklearn.metrics"),
    "week2/bootstrap.py": (
        "reference.metrics.uncertainty",
        "sklearn.metrics",
        "scipy.stats.bootstrap",
    ),
    "week2/precision_recall.py": _METRICS,
    "week2/calibration.py": (*_METRICS, "sklearn.calibration"),
    "week3/sub_volumes.py": ("reference.data.subvolume",),
    "week3/standardization.py": ("reference.data.subvolume", "sklearn.preprocessing"),
    "week3/dice.py": (*_METRICS, "reference.losses"),
    "week3/soft_dice.py": ("reference.losses", "reference.metrics.segmentation"),
    "week3/sens_spec.py": _METRICS,
    "week3/augmentation3d.py": ("reference.data.subvolume",),
    "week3/tiled_prediction.py": ("reference.data.subvolume",),
    "week3/registration.py": (
        "reference.data.registration",
        "scipy.ndimage.affine_transform",
        "skimage.registration",
    ),
    "week3/unet_2d_vs_3d.py": ("reference.nn",),
    "week3/unet_blocks.py": (
        "reference.nn",
        "reference.ops.upsample_backward",
        *_FRAMEWORKS,
    ),
}  # data_exploration, transfer_learning: only `solutions` (nothing computes them)
