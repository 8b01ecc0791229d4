"""The `Module` base class (parameters, gradients, buffers, cache) and `Sequential`.

A Module is bookkeeping around pure kernels from `reference.ops`: it owns
``params`` (trainable arrays), ``grads`` (same keys, written by ``backward``),
``buffers`` (non-trainable state such as batch-norm running statistics),
``hparams`` (constructor keywords) and a ``cache`` slot filled by ``forward``
and consumed once by ``backward``. Sub-modules are found by one attribute
walk: every attribute holding a Module, or a list/tuple of Modules, is a child,
and qualified names join attribute names with dots
(``"features.denseblock1.denselayer1.conv1.weight"``), as in PyTorch.

Gradients are assigned, never accumulated: each ``backward`` overwrites
``grads``, so there is no ``zero_grad``.

Public names: `Module`, `Sequential`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from reference._validation import fail

__all__ = ["Module", "Sequential"]

_CONSUMED = object()  # marks a cache that backward has already used
_IGNORED = ("num_batches_tracked",)  # torchvision's batch-norm counter, unused here


def _match_state(targets, state, strict, func) -> dict[str, np.ndarray]:
    """Pair state entries with target arrays; check keys (if strict) and shapes."""
    given = {k: v for k, v in state.items() if k.rsplit(".", 1)[-1] not in _IGNORED}
    missing = [k for k in targets if k not in given]
    unexpected = [k for k in given if k not in targets]
    if strict and (missing or unexpected):
        raise KeyError(
            f"{func}: missing keys {missing[:10]} ({len(missing)} in all), "
            f"unexpected keys {unexpected[:10]} ({len(unexpected)} in all)"
        )
    matched = {k: np.asarray(v) for k, v in given.items() if k in targets}
    for key, value in matched.items():
        if value.shape != targets[key].shape:
            fail(
                func, f"{key!r} with shape {targets[key].shape}", f"shape {value.shape}"
            )
    return matched


class Module:
    """Base class: owns params, grads, buffers, hparams, training flag and cache.

    Parameters
    ----------
    **hparams
        Constructor keywords to remember (shown by ``repr``, saved in checkpoints).

    Attributes
    ----------
    params : dict of str to ndarray
        Trainable arrays, PyTorch names (``weight``, ``bias``).
    grads : dict of str to ndarray
        Same keys and shapes as ``params``, assigned by ``backward``.
    buffers : dict of str to ndarray
        Non-trainable state saved in checkpoints (``running_mean``, ...).
    training : bool
        Training mode; set recursively by `train` and `eval`.
    requires_grad : bool
        False when frozen: optimizers then skip this module's params.

    Examples
    --------
    >>> from reference.nn import Linear, ReLU, Sequential
    >>> model = Sequential(Linear(3, 2, rng=0), ReLU())
    >>> list(model.named_parameters())
    ['0.weight', '0.bias']
    """

    def __init__(self, **hparams: Any) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.hparams = dict(hparams)
        self.training = True
        self.requires_grad = True
        self.cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Compute the output for ``x``; store what backward needs in ``cache``."""
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Return d loss / d x given ``dout`` = d loss / d out; assign ``grads``."""
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Alias of `forward`."""
        return self.forward(x)

    def pop_cache(self) -> Any:
        """Return the cache of the last ``forward`` and mark it used.

        Raises
        ------
        RuntimeError
            If ``forward`` has not run, or ``backward`` already used its cache.
        """
        name = type(self).__name__
        if self.cache is None:
            raise RuntimeError(
                f"{name}.backward: no cache, forward has not run. "
                f"Call forward(x) before backward(dout)."
            )
        if self.cache is _CONSUMED:
            raise RuntimeError(
                f"{name}.backward: the cache of the last forward was "
                f"already used. Run forward(x) again before each backward."
            )
        cache, self.cache = self.cache, _CONSUMED
        return cache

    # --- the attribute walk ----------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield (name, child) for attributes holding a Module or a list of Modules."""
        for attr, value in vars(self).items():
            if isinstance(value, Module):
                yield attr, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{attr}.{i}", item

    def children(self) -> list[Module]:
        """Return the direct sub-modules in attribute order."""
        return [child for _, child in self.named_children()]

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """Yield (dotted prefix, module) for self and its descendants, depth first."""
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(f"{prefix}{name}.")

    def _collect(
        self, kind: str, trainable_only: bool = False
    ) -> dict[str, np.ndarray]:
        out = {}
        for prefix, module in self.named_modules():
            if not (trainable_only and not module.requires_grad):
                out.update({prefix + k: v for k, v in getattr(module, kind).items()})
        return out

    def named_parameters(self) -> dict[str, np.ndarray]:
        """Return qualified name -> parameter array (the live arrays, not copies)."""
        return self._collect("params")

    def named_grads(self) -> dict[str, np.ndarray]:
        """Return qualified name -> gradient, same names as `named_parameters`."""
        return self._collect("grads")

    def named_buffers(self) -> dict[str, np.ndarray]:
        """Return qualified name -> buffer array (running statistics)."""
        return self._collect("buffers")

    def trainable_parameters(self) -> dict[str, np.ndarray]:
        """Return the named parameters of modules that are not frozen."""
        return self._collect("params", trainable_only=True)

    def num_parameters(self) -> int:
        """Return the total number of parameter entries."""
        return sum(int(p.size) for p in self.named_parameters().values())

    # --- modes, freezing, dtype ---------------------------------------------------
    def _apply(self, fn) -> Module:
        for _, module in self.named_modules():
            fn(module)
        return self

    def train(self, mode: bool = True) -> Module:
        """Set training mode on self and every sub-module; return self."""
        return self._apply(lambda m: setattr(m, "training", bool(mode)))

    def eval(self) -> Module:
        """Set evaluation mode (batch norm uses running statistics); return self."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze (True) every parameter below self; return self.

        Frozen parameters still get ``grads`` from ``backward`` (the input gradient
        needs the same pass), but optimizers skip them.
        """
        return self._apply(lambda m: setattr(m, "requires_grad", bool(requires_grad)))

    def astype(self, dtype: npt.DTypeLike) -> Module:
        """Cast params, grads and buffers of every module to ``dtype``; return self."""

        def cast(m):
            for kind in (m.params, m.grads, m.buffers):
                kind.update({k: v.astype(dtype) for k, v in kind.items()})

        return self._apply(cast)

    # --- state dicts ----------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Return copies of params and buffers under qualified names (module order)."""
        out = {}
        for prefix, module in self.named_modules():
            for kind in (module.params, module.buffers):
                out.update({prefix + k: v.copy() for k, v in kind.items()})
        return out

    def load_state_dict(
        self, state: Mapping[str, np.ndarray], strict: bool = True
    ) -> Module:
        """Copy arrays from ``state`` into the model in place (dtype of the model kept).

        Keys ending in ``num_batches_tracked`` (torchvision's batch-norm counter)
        are ignored. With ``strict=True`` missing or unexpected keys raise.

        Raises
        ------
        KeyError
            With ``strict=True``: names the missing and unexpected keys.
        ValueError
            If a shape differs; names the key and both shapes.
        """
        func = f"{type(self).__name__}.load_state_dict"
        targets = {**self.named_parameters(), **self.named_buffers()}
        for key, value in _match_state(targets, state, strict, func).items():
            targets[key][...] = value
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hparams.items())
        lines = [f"{type(self).__name__}({args})"]
        for name, child in self.named_children():
            lines += [f"  ({name}): " + repr(child).replace("\n", "\n  ")]
        return "\n".join(lines)


class Sequential(Module):
    """Chain layers: forward in order, backward in reverse.

    Parameters
    ----------
    *layers : Module, or one dict of name -> Module
        Positional layers are named ``"0"``, ``"1"``, ...; a dict gives the
        names (torchvision's ``features.conv0``, ``features.norm0``, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from reference.nn import ReLU, Sequential
    >>> seq = Sequential(ReLU(), ReLU())
    >>> seq(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    >>> seq.backward(np.array([[5.0, 5.0]]))
    array([[0., 5.]])
    """

    def __init__(self, *layers: Module | dict[str, Module]) -> None:
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], dict):
            named = dict(layers[0])
        else:
            named = {str(i): layer for i, layer in enumerate(layers)}
        for name, layer in named.items():
            if not isinstance(layer, Module):
                fail(
                    "Sequential",
                    f"Module layers, got {type(layer).__name__} for {name!r}",
                    repr(layer)[:40],
                    kind=TypeError,
                )
            if hasattr(self, name):
                fail(
                    "Sequential",
                    "layer names that are not Module attributes",
                    repr(name),
                    "Rename the layer.",
                )
            setattr(self, name, layer)  # the attribute walk finds it under this name

    def __getitem__(self, key: int | str) -> Module:
        return getattr(self, key) if isinstance(key, str) else self.children()[key]

    def __len__(self) -> int:
        return len(self.children())

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Apply each layer in order (a BatchNorm + ReLU pair as one fused pass)."""
        layers = self.children()
        fused = _fused_relus(layers)
        for i, layer in enumerate(layers):
            if i in fused:  # already applied by the BatchNorm before it
                continue
            x = layer.forward(x, relu=True) if i + 1 in fused else layer.forward(x)
        self.cache = True  # backward may run once
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Apply each layer's backward in reverse order; return dx."""
        self.pop_cache()
        layers = self.children()
        fused = _fused_relus(layers)
        for i in reversed(range(len(layers))):
            if i not in fused:  # a fused ReLU's mask is in the BatchNorm's backward
                dout = layers[i].backward(dout)
        return dout


def _fused_relus(layers) -> set:
    """Return the indices of ReLUs that directly follow a BatchNorm in ``layers``.

    Such a pair runs as one pass (`reference.ops.batchnorm_forward` with
    ``relu=True``): the output and the gradients are identical to running the
    two layers, with one read and write of the activations fewer each way
    (DenseNet's BN-ReLU pairs: about 10% of a training step, measured).
    """
    return {
        i + 1
        for i, (first, second) in enumerate(zip(layers, layers[1:], strict=False))
        if getattr(first, "fuses_relu", False) and getattr(second, "is_relu", False)
    }
