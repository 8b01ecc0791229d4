"""Cases and oracles for week 1's data exploration and transfer learning lessons.

Lessons ``week1/data_exploration.py`` and ``week1/transfer_learning.py``. The
oracles are NumPy one-liners with the learner's signatures (``np.sum``,
``np.unique``, ``np.histogram``, ``np.prod``); the transfer-learning cases use
the parameter names of real `reference.nn.DenseNet` models (imported lazily,
never `solutions`).
"""

from __future__ import annotations

import numpy as np

from autograder.cases import edge
from autograder.spec import Case

__all__ = [
    "count_parameters_hidden",
    "count_parameters_oracle",
    "count_parameters_public",
    "freeze_names_hidden",
    "freeze_names_oracle",
    "freeze_names_public",
    "histogram_hidden",
    "histogram_oracle",
    "histogram_public",
    "label_counts_hidden",
    "label_counts_oracle",
    "label_counts_public",
    "patients_hidden",
    "patients_oracle",
    "patients_public",
]

FOUR = ("Atelectasis", "Effusion", "Hernia", "Mass")


# ------------------------------------------------------------------------- oracles


def label_counts_oracle(labels, names):
    """Oracle: the column sums of ``labels`` as Python ints, keyed by name."""
    totals = np.sum(np.asarray(labels), axis=0)
    return {name: int(total) for name, total in zip(names, totals, strict=True)}


def patients_oracle(patient_ids):
    """Oracle: ``np.unique(patient_ids, return_counts=True)``."""
    return tuple(np.unique(np.asarray(patient_ids), return_counts=True))


def histogram_oracle(images, bins=20, range=None):  # np.histogram's name
    """Oracle: ``np.histogram`` of the flattened images."""
    return tuple(np.histogram(np.ravel(np.asarray(images)), bins=bins, range=range))


def freeze_names_oracle(parameter_names, head="classifier"):
    """Oracle: the names under ``head + "."``, in order."""
    return [name for name in parameter_names if name.startswith(head + ".")]


def count_parameters_oracle(parameter_shapes, trainable_names):
    """Oracle: sums of ``np.prod(shape)`` over the trainable and over all names."""
    sizes = {name: int(np.prod(shape)) for name, shape in parameter_shapes.items()}
    return sum(sizes[name] for name in trainable_names), sum(sizes.values())


# ---------------------------------------------------------------- data exploration


def label_counts_public() -> list[Case]:
    """Return a hand-written 5 x 4 label matrix."""
    labels = np.array(
        [[1, 0, 0, 1], [1, 1, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0]]
    )
    return [
        Case(
            args=(labels, list(FOUR)), label="5 images x 4 findings (counts 3, 2, 1, 1)"
        )
    ]


def label_counts_hidden(rng: np.random.Generator) -> list[Case]:
    """Random labels; bool, float and list labels; a finding on no image; N = 1."""
    from reference.data import FINDINGS

    findings = list(FINDINGS)
    random = (rng.random((200, 14)) < rng.uniform(0.01, 0.3, 14)).astype(np.int64)
    none = (rng.random((30, 4)) < 0.4).astype(np.int64)
    none[:, 2] = 0
    return [
        Case(args=(random, findings)),
        Case(args=(random[:50].astype(bool), tuple(findings))),
        Case(args=(random[:40, :4].astype(np.float64), list(FOUR))),
        *edge(Case(args=(none, list(FOUR)))),  # a finding on no image
        Case(args=(random[:6, :3].tolist(), ["a", "b", "c"])),
        *edge(Case(args=(np.ones((1, 2), dtype=np.int64), ["Edema", "Mass"]))),  # N = 1
    ]


def patients_public() -> list[Case]:
    """Unsorted integer ids and string ids."""
    return [
        Case(args=(np.array([7, 3, 7, 7, 5]),), label="patient_ids [7, 3, 7, 7, 5]"),
        Case(
            args=(np.array(["p2", "p1", "p2"]),), label='patient_ids ["p2", "p1", "p2"]'
        ),
    ]


def patients_hidden(rng: np.random.Generator) -> list[Case]:
    """NIH-like follow-ups in shuffled order, a list, one patient, one image each."""
    from reference.data import sample_images_per_patient

    index = sample_images_per_patient(300, rng) + 1
    return [
        Case(args=(rng.permutation(index).astype(np.int64),)),
        Case(args=(index[:60].astype(np.int64),)),
        Case(args=(rng.integers(1000, 1020, size=50).tolist(),)),
        Case(args=(np.array([f"{i:08d}" for i in rng.integers(0, 12, size=40)]),)),
        *edge(
            Case(args=(np.full(9, 42, dtype=np.int64),)),  # one patient
            Case(args=(np.arange(10, 0, -1, dtype=np.int64),)),  # one image each
            Case(args=(np.array([5], dtype=np.int64),)),
        ),  # one image
    ]


def histogram_public() -> list[Case]:
    """Four pixels in two bins; a float32 batch with an explicit range."""
    images = np.linspace(0, 1, 2 * 1 * 4 * 4, dtype=np.float32).reshape(2, 1, 4, 4)
    return [
        Case(
            args=(np.array([[0.0, 0.2], [0.6, 1.0]]),),
            kwargs={"bins": 2},
            label="[[0.0, 0.2], [0.6, 1.0]], bins=2",
        ),
        Case(
            args=(images,),
            kwargs={"bins": 4, "range": (0.0, 1.0)},
            label="(2, 1, 4, 4) float32 in [0, 1], bins=4, range=(0, 1)",
        ),
    ]


def histogram_hidden(rng: np.random.Generator) -> list[Case]:
    """Default bins, float32/float64, values outside the range, integers, constant."""
    raw = rng.random((6, 1, 8, 8)).astype(np.float32)
    standardized = rng.standard_normal((5, 1, 8, 8))
    return [
        Case(args=(raw,)),
        Case(args=(raw,), kwargs={"bins": 7}),
        Case(args=(standardized,), kwargs={"bins": 10, "range": (-2.0, 2.0)}),
        Case(args=(standardized.astype(np.float32), 5)),
        Case(args=(rng.integers(0, 256, size=(3, 1, 6, 6)),), kwargs={"bins": 8}),
        *edge(
            Case(args=(np.full((2, 1, 4, 4), 0.5),), kwargs={"bins": 3}),  # constant
            Case(args=(raw[:1, :, :1, :1],), kwargs={"bins": 1}),
        ),  # one pixel
    ]


# --------------------------------------------------------------- transfer learning


def _densenet_names(block_config, rng) -> list[str]:
    """Return the qualified parameter names of a small reference DenseNet."""
    from reference.nn import DenseNet

    model = DenseNet(
        block_config,
        growth_rate=4,
        num_init_features=8,
        bn_size=2,
        num_classes=3,
        in_channels=1,
        rng=rng,
    )
    return list(model.named_parameters())


def _densenet_shapes(block_config, rng) -> dict:
    from reference.nn import DenseNet

    model = DenseNet(
        block_config,
        growth_rate=4,
        num_init_features=8,
        bn_size=2,
        num_classes=5,
        in_channels=1,
        rng=rng,
    )
    return {
        name: tuple(int(s) for s in p.shape)
        for name, p in model.named_parameters().items()
    }


def freeze_names_public() -> list[Case]:
    """Return a few hand-written names, and a small DenseNet's."""
    names = [
        "features.conv0.weight",
        "features.norm0.weight",
        "classifier.weight",
        "classifier.bias",
    ]
    return [
        Case(args=(names,), label=f"parameter_names {names}"),
        Case(
            args=(_densenet_names((1, 1), 0),),
            label="the 'named_parameters' names of DenseNet((1, 1), ...)",
        ),
    ]


def freeze_names_hidden(rng: np.random.Generator) -> list[Case]:
    """Real names in any order; look-alike names; another head; no head; empty."""
    names = _densenet_names((2, 1, 1), 1)
    trap = [
        "features.classifier.weight",
        "classifier_old.weight",
        "classifier.weight",
        "classifierbias",
        "classifier.bias",
        "xclassifier.bias",
    ]
    resnet = [
        "conv1.weight",
        "bn1.weight",
        "layer1.0.conv1.weight",
        "fc.weight",
        "fc.bias",
        "fcn.weight",
    ]
    return [
        Case(args=(names,)),
        Case(args=([names[i] for i in rng.permutation(len(names))],)),
        Case(args=(trap,)),
        Case(args=(tuple(resnet), "fc")),
        Case(args=(resnet,), kwargs={"head": "layer1"}),
        *edge(
            Case(args=(["features.conv0.weight", "features.norm5.bias"],)),  # no head
            Case(args=([],)),
        ),  # no names
    ]


def count_parameters_public() -> list[Case]:
    """Return the docstring's example."""
    shapes = {
        "features.w": (4, 3),
        "classifier.weight": (2, 4),
        "classifier.bias": (2,),
    }
    return [
        Case(
            args=(shapes, ["classifier.weight", "classifier.bias"]),
            label=f"parameter_shapes {shapes}, the two classifier names",
        )
    ]


def count_parameters_hidden(rng: np.random.Generator) -> list[Case]:
    """Real DenseNet shapes: head only, everything, nothing; a scalar; a subset."""
    shapes = _densenet_shapes((2, 2), 2)
    names = list(shapes)
    head = [name for name in names if name.startswith("classifier.")]
    subset = [names[i] for i in np.sort(rng.choice(len(names), 5, replace=False))]
    return [
        Case(args=(shapes, head)),
        Case(args=(shapes, names)),
        *edge(Case(args=(shapes, []))),  # nothing trainable
        Case(args=(shapes, tuple(subset))),
        *edge(
            Case(args=({"scale": (), "w": (3, 1, 2, 2)}, ["scale"])),  # a scalar
            Case(args=({"w": (0, 3), "b": (3,)}, ["w", "b"])),
        ),  # an empty shape
    ]
