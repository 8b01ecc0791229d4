"""Transfer learning: reuse a trained backbone, train only a new classifier head.

CheXNet starts from a DenseNet-121 pre-trained on ImageNet: the convolutional
layers (the *backbone*, ``features.*``) already detect edges, textures and
shapes, so a new task with few labelled images only needs a new last layer
(the *head*, ``classifier.*``: one logit per finding). Freezing the backbone
means its parameters are not updated: `reference.nn.Module.requires_grad_`
(False) marks the modules as frozen and the optimizers (`reference.optim`)
update only ``model.trainable_parameters()``.

Graded:

- `freeze_backbone_names`: from the qualified parameter names, the ones that
  stay trainable when only the head trains;
- `count_parameters`: how many numbers are trained, out of how many.

Given (not graded): `freeze_backbone` does the freezing on a real model, and
`transfer_learning_experiment` pre-trains a small DenseNet on 7 synthetic
findings, moves it to the 7 other findings with a new head trained on a few
hundred images, and compares it with the same network trained from scratch on
those images. Note that frozen batch-norm layers still update their running
statistics in training mode (as in PyTorch); only the parameters stay fixed.
"""

import numpy as np

__all__ = ["count_parameters", "freeze_backbone_names"]


def freeze_backbone_names(parameter_names, head="classifier"):
    """Return the parameters that stay trainable when only the head trains.

    Parameters
    ----------
    parameter_names : sequence of str
        Qualified names, as the keys of ``model.named_parameters()``, such as
        ``"features.conv0.weight"`` or ``"classifier.bias"``.
    head : str, default "classifier"
        The attribute name of the head module.

    Returns
    -------
    trainable : list of str
        The names of the head's parameters, that is those that start with
        ``head + "."``, in the order of ``parameter_names``. A name such as
        ``"features.classifier.weight"`` (a sub-module of the backbone that
        happens to have the same name) or ``"classifier_old.weight"`` is not
        part of the head.

    Examples
    --------
    >>> freeze_backbone_names(["features.conv0.weight", "classifier.weight",
    ...                        "classifier.bias"])
    ['classifier.weight', 'classifier.bias']
    """
    ### BEGIN SOLUTION
    # Hint: a head parameter's name starts with the head's name followed by a dot; the
    # Hint: dot stops "classifier_old.weight" from matching. Keep the input order.
    prefix = head + "."
    return [name for name in parameter_names if name.startswith(prefix)]
    ### END SOLUTION


def count_parameters(parameter_shapes, trainable_names):
    """Count the trainable numbers and all the numbers of a model.

    Parameters
    ----------
    parameter_shapes : dict of str to tuple of int
        Qualified name -> shape, such as
        ``{k: v.shape for k, v in model.named_parameters().items()}``.
    trainable_names : sequence of str
        The names (keys of ``parameter_shapes``) that are trained.

    Returns
    -------
    n_trainable : int
        Sum over the trainable names of the product of the shape.
    n_total : int
        Sum over every name of the product of the shape (a shape ``()`` holds
        one number).

    Examples
    --------
    >>> count_parameters({"features.w": (4, 3), "classifier.weight": (2, 4),
    ...                   "classifier.bias": (2,)}, ["classifier.weight",
    ...                                              "classifier.bias"])
    (10, 22)
    """
    ### BEGIN SOLUTION
    # Hint: a parameter holds the product of its shape's entries (np.prod; a shape ()
    # Hint: holds one number). Return Python ints: (trainable, total).
    sizes = {name: int(np.prod(shape)) for name, shape in parameter_shapes.items()}
    n_trainable = sum(sizes[name] for name in trainable_names)
    return n_trainable, sum(sizes.values())
    ### END SOLUTION


def freeze_backbone(model, head="classifier"):
    """Freeze every parameter of ``model`` except those of ``model.<head>``.

    Given code (not graded): the Module API of `reference.nn`.

    Parameters
    ----------
    model : reference.nn.Module
        A DenseNet, say; changed in place.
    head : str
        The head's attribute name.

    Returns
    -------
    model : reference.nn.Module
        The same model; ``model.trainable_parameters()`` now holds only the
        head's parameters, which the optimizers update.
    """
    model.requires_grad_(False)
    getattr(model, head).requires_grad_(True)
    return model


def _new_head(model, num_classes, rng):
    """Replace ``model.classifier`` by a freshly initialised Linear layer."""
    from reference.nn import Linear

    weight = model.classifier.params["weight"]
    model.classifier = Linear(weight.shape[1], num_classes, rng=rng, dtype=weight.dtype)
    model.hparams["num_classes"] = num_classes
    return model


def _make_data(n_source, n_target, n_test, image_size, seed):
    """Source, target and test sets (patient-disjoint), standardised, float32."""
    from reference.data import (
        apply_standardization,
        fit_standardization,
        make_chest_xrays,
        split_by_patient,
    )

    total = n_source + n_target + n_test
    # every finding common enough to have positives in a few hundred images
    xrays = make_chest_xrays(total, image_size=image_size, seed=seed, prevalence=0.2)
    splits = split_by_patient(
        xrays.patient_ids,
        xrays.labels,
        (n_source / total, n_target / total, n_test / total),
        seed=seed,
    )
    stats = fit_standardization(xrays.images[np.concatenate(splits[:2])])
    images = apply_standardization(xrays.images, stats.mean, stats.std)
    return [(images[idx].astype(np.float32), xrays.labels[idx]) for idx in splits]


def _train(model, x, y, *, epochs, batch_size, lr, rng):
    """Train the trainable parameters of ``model`` with Adam and the weighted BCE."""
    from reference.optim import Adam
    from reference.tasks.chest_xray import make_loss
    from reference.train import fit

    fit(
        model,
        Adam(model, lr=lr),
        make_loss(y),
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        rng=rng,
        show_progress=False,
    )
    return model


def _mean_auc(model, x, y, batch_size):
    """Mean ROC AUC over the findings of ``y`` on ``(x, y)``."""
    from reference.metrics.ranking import roc_auc_score
    from reference.train import predict

    return float(roc_auc_score(y, predict(model, x, batch_size=batch_size)))


def transfer_learning_experiment(
    *,
    n_source=1500,
    n_target=300,
    n_test=500,
    image_size=32,
    source_epochs=4,
    target_epochs=10,
    batch_size=32,
    lr=3e-3,
    seed=0,
    architecture=None,
):
    """Pre-train on 7 findings, transfer to the 7 others; compare with scratch.

    Given code (not graded). Steps: (1) train a DenseNet on the source
    findings (``FINDINGS[:7]``) of ``n_source`` images; (2) freeze its
    backbone, put a new head for the target findings (``FINDINGS[7:]``) and
    train only the head on ``n_target`` images; (3) train the same network
    from scratch on those ``n_target`` images; (4) compare the test mean AUCs.

    Returns
    -------
    result : dict
        ``"source_auc"`` (pre-trained model on the source findings),
        ``"transfer_auc"`` and ``"scratch_auc"`` (target findings, test set),
        ``"trainable"`` / ``"total"`` (parameters trained in step 2),
        ``"before"`` (state dict after step 1) and ``"transfer_model"``.
    """
    from reference.nn import DenseNet
    from reference.tasks.chest_xray import SMALL_DENSENET

    arch = SMALL_DENSENET if architecture is None else architecture
    rng = np.random.default_rng(seed)
    source, target, test = _make_data(n_source, n_target, n_test, image_size, seed)
    src, tgt = slice(0, 7), slice(7, 14)
    train = dict(batch_size=batch_size, lr=lr, rng=rng)
    # (1) pre-train every parameter on the source findings
    model = DenseNet(**arch, num_classes=7, in_channels=1, rng=seed)
    _train(model, source[0], source[1][:, src], epochs=source_epochs, **train)
    result = {
        "source_auc": _mean_auc(model, test[0], test[1][:, src], batch_size),
        "before": model.state_dict(),
    }
    # (2) freeze the backbone, new head for the target findings, train the head
    freeze_backbone(_new_head(model, 7, rng))
    shapes = {k: v.shape for k, v in model.named_parameters().items()}
    result["trainable"], result["total"] = count_parameters(
        shapes, freeze_backbone_names(list(shapes))
    )
    _train(model, target[0], target[1][:, tgt], epochs=target_epochs, **train)
    result["transfer_auc"] = _mean_auc(model, test[0], test[1][:, tgt], batch_size)
    result["transfer_model"] = model
    # (3) the same network from scratch on the same few target images
    scratch = DenseNet(**arch, num_classes=7, in_channels=1, rng=seed + 1)
    _train(scratch, target[0], target[1][:, tgt], epochs=target_epochs, **train)
    result["scratch_auc"] = _mean_auc(scratch, test[0], test[1][:, tgt], batch_size)
    return result
