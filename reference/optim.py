"""Optimisers: pure update rules (`sgd`, `adam`) and classes that apply them to a model.

A rule maps ``(w, dw, state)`` to ``(new_w, new_state)`` and mutates nothing;
hyperparameters are keyword arguments and the state is a separate dict (the
first call gets ``{}``). `SGD` and `Adam` walk ``model.trainable_parameters()``
and ``model.named_grads()`` (same qualified names), keep one state dict per
name, and write each update in place (``param[...] = new_w``) so the layers'
dictionaries stay valid. Frozen parameters (``module.requires_grad_(False)``)
are skipped.

Public names: `sgd`, `adam`, `Optimizer`, `SGD`, `Adam`.
"""

from __future__ import annotations

import numpy as np

from reference._validation import fail

__all__ = ["SGD", "Adam", "Optimizer", "adam", "sgd"]


def sgd(w, dw, state, *, lr, momentum=0.0, weight_decay=0.0):
    """One SGD step with optional momentum and L2 weight decay (PyTorch's rule).

    Parameters
    ----------
    w, dw : ndarray
        Parameter and its gradient (same shape).
    state : dict
        ``{}`` on the first step, then the ``new_state`` of the previous step.
    lr : float
        Learning rate.
    momentum : float, optional
        Default 0 (plain SGD, no state kept).
    weight_decay : float, optional
        L2 coefficient added to the gradient (default 0).

    Returns
    -------
    new_w : ndarray
    new_state : dict
        ``{"velocity": v}`` when momentum > 0, else ``{}``.

    Notes
    -----
    ``g = dw + weight_decay * w``; with momentum ``v = momentum * v + g``
    (``v = g`` on the first step) and ``new_w = w - lr * v``; without momentum
    ``new_w = w - lr * g``.

    Examples
    --------
    >>> import numpy as np
    >>> w, state = np.array([1.0]), {}
    >>> for _ in range(2):
    ...     w, state = sgd(w, np.array([1.0]), state, lr=0.1, momentum=0.9)
    >>> w  # steps of 0.1 and 0.19
    array([0.71])
    """
    grad = dw + weight_decay * w if weight_decay else dw
    if not momentum:
        return w - lr * grad, {}
    if "velocity" in state:
        velocity = momentum * state["velocity"] + grad
    else:
        velocity = np.array(grad, copy=True)  # a copy: the state never aliases dw
    return w - lr * velocity, {"velocity": velocity}


def adam(w, dw, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """One Adam step with bias correction (Kingma and Ba 2015; PyTorch's defaults).

    Parameters
    ----------
    w, dw : ndarray
        Parameter and its gradient.
    state : dict
        ``{}`` first, then the previous ``new_state``.
    lr : float, optional
        Default 1e-3.
    betas : tuple of float, optional
        (beta1, beta2), default (0.9, 0.999).
    eps : float, optional
        Default 1e-8.
    weight_decay : float, optional
        L2 coefficient added to the gradient (PyTorch's ``Adam``, not ``AdamW``).

    Returns
    -------
    new_w : ndarray
    new_state : dict
        ``{"step": t, "exp_avg": m, "exp_avg_sq": v}`` (PyTorch's names).

    Notes
    -----
    ``g = dw + weight_decay * w``; ``t = t + 1``; ``m = b1 * m + (1 - b1) * g``;
    ``v = b2 * v + (1 - b2) * g**2``; ``m_hat = m / (1 - b1**t)``;
    ``v_hat = v / (1 - b2**t)``; ``new_w = w - lr * m_hat / (sqrt(v_hat) + eps)``.

    Examples
    --------
    >>> import numpy as np
    >>> w, state = adam(np.array([1.0]), np.array([3.0]), {}, lr=0.1)
    >>> w  # the first step moves by lr whatever the gradient's size
    array([0.9])
    """
    beta1, beta2 = betas
    grad = dw + weight_decay * w if weight_decay else dw
    step = state.get("step", 0) + 1
    exp_avg = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * grad
    exp_avg_sq = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * grad * grad
    m_hat = exp_avg / (1 - beta1**step)
    v_hat = exp_avg_sq / (1 - beta2**step)
    new_w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return new_w.astype(w.dtype, copy=False), {
        "step": step,
        "exp_avg": exp_avg.astype(w.dtype, copy=False),
        "exp_avg_sq": exp_avg_sq.astype(w.dtype, copy=False),
    }


class Optimizer:
    """Apply a pure update ``rule`` to every trainable parameter of ``model``.

    Parameters
    ----------
    model : Module
        Anything with ``trainable_parameters()`` and ``named_grads()``.
    rule : callable
        ``rule(w, dw, state, **hparams) -> (new_w, new_state)``.
    **hparams
        Keyword hyperparameters for the rule (``lr``, ...); change them
        between steps through ``optimizer.hparams`` (learning-rate schedules).

    Attributes
    ----------
    state : dict of str to dict
        Per qualified parameter name, the rule's state.
    """

    def __init__(self, model, rule, **hparams):
        self.model = model
        self.rule = rule
        self.hparams = dict(hparams)
        self.state: dict[str, dict] = {}

    @property
    def lr(self) -> float:
        """The learning rate (``hparams["lr"]``)."""
        return self.hparams["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        self.hparams["lr"] = value

    def step(self) -> None:
        """Update every trainable parameter in place from the model's current grads."""
        grads = self.model.named_grads()
        for name, param in self.model.trainable_parameters().items():
            if name not in grads:
                fail(
                    f"{type(self).__name__}.step",
                    f"a gradient for {name!r}",
                    "none",
                    "Run model.backward(dout) after model.forward(x) before step().",
                )
            new_param, self.state[name] = self.rule(
                param, grads[name], self.state.get(name, {}), **self.hparams
            )
            param[...] = new_param

    def state_dict(self) -> dict:
        """Return ``{"hparams": ..., "state": {name: {key: value}}}`` (copies)."""
        state = {
            name: {k: np.copy(v) for k, v in entry.items()}
            for name, entry in self.state.items()
        }
        return {"hparams": dict(self.hparams), "state": state}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyperparameters and per-parameter state from `state_dict` output."""
        self.hparams.update(state_dict["hparams"])
        self.state = {
            name: {k: np.copy(v) for k, v in entry.items()}
            for name, entry in state_dict["state"].items()
        }
        for entry in self.state.values():  # scalars come back from files as 0-d arrays
            if "step" in entry:
                entry["step"] = int(entry["step"])


class SGD(Optimizer):
    """SGD with optional momentum and weight decay; see `sgd`.

    Examples
    --------
    >>> import numpy as np
    >>> from reference.nn import Linear
    >>> layer = Linear(2, 1, rng=0, dtype=np.float64)
    >>> _ = layer(np.ones((1, 2))); _ = layer.backward(np.ones((1, 1)))
    >>> SGD(layer, lr=0.5).step()
    >>> layer.params["bias"]  # 0 - 0.5 * 1
    array([-0.5])
    """

    def __init__(self, model, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(
            model, sgd, lr=lr, momentum=momentum, weight_decay=weight_decay
        )


class Adam(Optimizer):
    """Adam with PyTorch's defaults and bias correction; see `adam`.

    Examples
    --------
    >>> import numpy as np
    >>> from reference.nn import Linear
    >>> layer = Linear(2, 1, rng=0, dtype=np.float64)
    >>> _ = layer(np.ones((1, 2))); _ = layer.backward(np.ones((1, 1)))
    >>> Adam(layer, lr=0.01).step()
    >>> layer.params["bias"]
    array([-0.01])
    """

    def __init__(self, model, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(
            model, adam, lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay
        )
