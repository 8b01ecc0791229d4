"""HDF5 checkpoints (model state, optimizer state, metadata) and ``.npz`` weights.

Public names: `save_checkpoint`, `load_checkpoint`, `load_npz_state`.

File layout (h5py)::

    /                 attrs: format="ai4md-checkpoint", version=1
    /model/<name>     one dataset per state-dict entry ("features.conv0.weight")
    /optimizer        attrs: class, hparams (JSON)
    /optimizer/state/<param name>/<key>   e.g. ".../exp_avg", ".../step"
    /metadata         attrs: one JSON string per metadata keyword (config, epoch, ...)

Arrays round-trip exactly (dtype and values). Metadata goes through JSON:
tuples come back as lists; NumPy scalars and arrays, and dataclasses (such as
a config), are converted to plain numbers, lists and dicts on the way in.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import h5py
import numpy as np

from reference._validation import fail

__all__ = ["load_checkpoint", "load_npz_state", "save_checkpoint"]

_FORMAT, _VERSION = "ai4md-checkpoint", 1


def _to_json(value):
    """JSON fallback for NumPy values and dataclasses."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(
        f"save_checkpoint: metadata value of type {type(value).__name__} "
        "is not JSON-serialisable; pass numbers, strings, lists or dicts"
    )


def save_checkpoint(path, model, optimizer=None, **metadata) -> None:
    """Write the model's state dict, the optimizer state and metadata to HDF5.

    Parameters
    ----------
    path : str or Path
        File to (over)write, conventionally ``*.h5``.
    model : Module
        Its ``state_dict()`` (params and buffers) is saved.
    optimizer : Optimizer, optional
        Its ``state_dict()`` (hyperparameters, per-parameter state) is saved.
    **metadata
        JSON-serialisable values, e.g. ``config=..., epoch=3, metrics={...}``.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from reference.nn import Linear
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.h5")
    >>> save_checkpoint(path, Linear(2, 1, rng=0), epoch=3)
    >>> load_checkpoint(path, Linear(2, 1, rng=1))
    {'epoch': 3}
    """
    with h5py.File(path, "w") as f:
        f.attrs["format"], f.attrs["version"] = _FORMAT, _VERSION
        group = f.create_group("model")
        for name, array in model.state_dict().items():
            group.create_dataset(name, data=array)
        if optimizer is not None:
            _save_optimizer(f.create_group("optimizer"), optimizer)
        meta = f.create_group("metadata")
        for key, value in metadata.items():
            meta.attrs[key] = json.dumps(value, default=_to_json)


def _save_optimizer(group, optimizer) -> None:
    state_dict = optimizer.state_dict()
    group.attrs["class"] = type(optimizer).__name__
    group.attrs["hparams"] = json.dumps(state_dict["hparams"], default=_to_json)
    states = group.create_group("state")
    for name, entry in state_dict["state"].items():
        sub = states.create_group(name)
        for key, value in entry.items():
            sub.create_dataset(key, data=value)


def load_checkpoint(path, model, optimizer=None, *, strict=True) -> dict:
    """Restore a model (and optimizer) from `save_checkpoint`'s file; return metadata.

    Parameters
    ----------
    path : str or Path
    model : Module
        Built with the same architecture; arrays are copied in place.
    optimizer : Optimizer, optional
        Restored when given (the file must hold an optimizer state).
    strict : bool, optional
        Passed to ``model.load_state_dict`` (default True).

    Returns
    -------
    metadata : dict
        The keywords given to `save_checkpoint`, decoded from JSON.

    Raises
    ------
    ValueError
        If the file is not an ai4md checkpoint, or an optimizer was requested
        but none was saved.
    """
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != _FORMAT:
            fail(
                "load_checkpoint",
                f"an {_FORMAT} file",
                f"{Path(path).name!r} without that format mark",
                "Use load_npz_state for .npz weights.",
            )
        model.load_state_dict(
            {name: ds[()] for name, ds in f["model"].items()}, strict=strict
        )
        if optimizer is not None:
            if "optimizer" not in f:
                fail(
                    "load_checkpoint",
                    "an optimizer state in the file",
                    "none",
                    "Save with save_checkpoint(path, model, optimizer) first.",
                )
            optimizer.load_state_dict(_load_optimizer(f["optimizer"]))
        return {key: json.loads(value) for key, value in f["metadata"].attrs.items()}


def _load_optimizer(group) -> dict:
    hparams = json.loads(group.attrs["hparams"])
    hparams = {k: tuple(v) if isinstance(v, list) else v for k, v in hparams.items()}
    state = {
        name: {key: ds[()] for key, ds in sub.items()}
        for name, sub in group["state"].items()
    }
    return {"hparams": hparams, "state": state}


def load_npz_state(path) -> dict[str, np.ndarray]:
    """Read a state dict saved with ``np.savez`` (e.g. exported from torchvision).

    Export from PyTorch with ``np.savez(path, **{k: v.numpy() for k, v in
    model.state_dict().items()})``; then ``model.load_state_dict(load_npz_state(
    path))``. torchvision's ``num_batches_tracked`` entries are ignored by
    ``load_state_dict``.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "w.npz")
    >>> np.savez(path, **{"classifier.bias": np.zeros(2)})
    >>> load_npz_state(path)
    {'classifier.bias': array([0., 0.])}
    """
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}
