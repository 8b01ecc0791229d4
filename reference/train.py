"""Training and prediction loops for `reference.nn` models, with a progress bar.

Public names: `iterate_minibatches`, `make_progress`, `train_epoch`, `fit`,
`predict`.

A training step is ``logits = model.forward(xb)``; ``loss, dlogits =
loss_and_grad(logits, yb)``; ``model.backward(dlogits)``; ``optimizer.step()``.
Nothing here keeps global state: randomness (shuffling, augmentation) comes
from the ``rng`` argument, and the progress bar is an ordinary `tqdm` object
that the caller may create (`make_progress`) and pass in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from tqdm.auto import tqdm

from reference._validation import fail

__all__ = ["fit", "iterate_minibatches", "make_progress", "predict", "train_epoch"]


def _check_batch_size(batch_size, func: str) -> None:
    if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
        fail(func, "batch_size as a positive int", repr(batch_size))


def iterate_minibatches(n, batch_size, *, rng, shuffle=True) -> Iterator[np.ndarray]:
    """Yield index arrays that cover ``range(n)`` once, ``batch_size`` at a time.

    Parameters
    ----------
    n : int
        Number of samples (>= 0).
    batch_size : int
        Indices per batch; the last batch holds the remaining ``n % batch_size``.
    rng : np.random.Generator or None
        Source of the shuffling order (unused when ``shuffle=False``).
    shuffle : bool, default True
        Visit the samples in a random permutation.

    Yields
    ------
    indices : ndarray of int64, shape (<= batch_size,)

    Examples
    --------
    >>> [b.tolist() for b in iterate_minibatches(5, 2, rng=None, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    func = "iterate_minibatches"
    if not (isinstance(n, (int, np.integer)) and n >= 0):
        fail(func, "n as a non-negative int", repr(n))
    _check_batch_size(batch_size, func)
    if shuffle and not isinstance(rng, np.random.Generator):
        fail(
            func,
            "rng a numpy.random.Generator when shuffle=True",
            type(rng).__name__,
            "Make one with np.random.default_rng(seed).",
            kind=TypeError,
        )
    order = rng.permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def make_progress(total, *, desc="train", disable=None):
    """Return a `tqdm` bar over ``total`` batches (shows rate and time left).

    ``disable=None`` hides the bar when stderr is not a terminal.

    Examples
    --------
    >>> bar = make_progress(3, disable=True)
    >>> bar.total
    3
    >>> bar.close()
    """
    return tqdm(
        total=total,
        desc=desc,
        unit="batch",
        disable=disable,
        dynamic_ncols=True,
        leave=True,
    )


def _check_xy(x, y, func: str):
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim < 2:
        fail(func, "x with a leading sample axis (N, C, *S)", f"shape {x.shape}")
    if y.shape[:1] != x.shape[:1]:
        fail(func, f"y with {x.shape[0]} rows (one per image in x)", f"shape {y.shape}")
    return x, y


def train_epoch(
    model,
    optimizer,
    loss_and_grad,
    x,
    y,
    *,
    batch_size,
    rng,
    augment=None,
    progress=None,
) -> float:
    """Train ``model`` for one pass over ``(x, y)``; return the mean loss.

    Parameters
    ----------
    model : Module
        Set to training mode here (batch norm uses batch statistics).
    optimizer : Optimizer
        Its ``step()`` applies the gradients after each batch.
    loss_and_grad : callable
        ``loss_and_grad(logits, targets) -> (loss, dlogits)``, with ``dlogits``
        the gradient of the batch loss with respect to ``logits``.
    x : ndarray of shape (N, C, *S)
        Inputs (not modified).
    y : ndarray of shape (N, ...)
        Targets, one row per input.
    batch_size : int
    rng : np.random.Generator
        Shuffles the order and feeds ``augment``.
    augment : callable, optional
        ``augment(xb, rng) -> xb'`` applied to each batch of inputs.
    progress : tqdm-like, optional
        Gets ``update(1)`` and ``set_postfix(loss=...)`` after every batch.

    Returns
    -------
    mean_loss : float
        ``sum over batches of loss_b * n_b / N``.

    Examples
    --------
    >>> from reference.nn import Linear
    >>> from reference.optim import SGD
    >>> x = np.array([[1.0], [2.0]]); y = np.array([[2.0], [4.0]])
    >>> def mse(out, t):
    ...     return float(((out - t) ** 2).mean()), 2 * (out - t) / out.size
    >>> model = Linear(1, 1, rng=0, dtype=np.float64)
    >>> rng = np.random.default_rng(0)
    >>> losses = [train_epoch(model, SGD(model, lr=0.1), mse, x, y,
    ...                       batch_size=2, rng=rng) for _ in range(200)]
    >>> bool(losses[0] > 1.0 and losses[-1] < 1e-3)
    True
    """
    func = "train_epoch"
    x, y = _check_xy(x, y, func)
    _check_batch_size(batch_size, func)
    model.train()
    total = 0.0
    for idx in iterate_minibatches(len(x), batch_size, rng=rng):
        xb, yb = x[idx], y[idx]
        if augment is not None:
            xb = augment(xb, rng)
        # forward, loss, backward, update
        logits = model.forward(xb)
        loss, dlogits = loss_and_grad(logits, yb)
        model.backward(dlogits)
        optimizer.step()
        total += float(loss) * len(idx)
        if progress is not None:
            progress.update(1)
            progress.set_postfix(loss=f"{float(loss):.4f}", refresh=False)
    return total / max(len(x), 1)


def fit(
    model,
    optimizer,
    loss_and_grad,
    x,
    y,
    *,
    epochs,
    batch_size,
    rng,
    augment=None,
    show_progress=None,
    on_epoch_end: Callable | None = None,
) -> list[float]:
    """Run `train_epoch` ``epochs`` times under one progress bar; return the losses.

    The bar counts batches over all epochs, so its time left is for the whole
    run; its label shows the epoch and its postfix the last batch loss.
    ``on_epoch_end(epoch, mean_loss)`` (epoch from 1) is called after each epoch.
    ``show_progress=None`` shows the bar only on a terminal.

    Examples
    --------
    >>> from reference.nn import Linear
    >>> from reference.optim import SGD
    >>> model = Linear(1, 1, rng=0, dtype=np.float64)
    >>> def mse(out, t):
    ...     return float(((out - t) ** 2).mean()), 2 * (out - t) / out.size
    >>> losses = fit(model, SGD(model, lr=0.1), mse, np.ones((4, 1)),
    ...              np.ones((4, 1)), epochs=3, batch_size=2,
    ...              rng=np.random.default_rng(0), show_progress=False)
    >>> len(losses)
    3
    """
    per_epoch = -(-len(x) // batch_size)
    disable = None if show_progress is None else not show_progress
    losses = []
    with make_progress(epochs * per_epoch, disable=disable) as bar:
        for epoch in range(1, epochs + 1):
            bar.set_description(f"epoch {epoch}/{epochs}")
            losses.append(
                train_epoch(
                    model,
                    optimizer,
                    loss_and_grad,
                    x,
                    y,
                    batch_size=batch_size,
                    rng=rng,
                    augment=augment,
                    progress=bar,
                )
            )
            if on_epoch_end is not None:
                on_epoch_end(epoch, losses[-1])
    return losses


def predict(model, x, *, batch_size) -> np.ndarray:
    """Return the model's outputs for ``x`` in evaluation mode, batch by batch.

    The model's previous mode (training or evaluation) is restored afterwards.

    Parameters
    ----------
    model : Module
    x : ndarray of shape (N, C, *S)
    batch_size : int

    Returns
    -------
    logits : ndarray of shape (N, ...)
        The concatenated outputs of ``model.forward`` on consecutive batches.

    Examples
    --------
    >>> from reference.nn import Linear
    >>> model = Linear(2, 3, rng=0)
    >>> predict(model, np.ones((5, 2), np.float32), batch_size=2).shape
    (5, 3)
    """
    func = "predict"
    x = np.asarray(x)
    if x.ndim < 2 or len(x) == 0:
        fail(
            func,
            "x with a leading sample axis and at least one sample",
            f"shape {x.shape}",
        )
    _check_batch_size(batch_size, func)
    was_training = model.training
    model.eval()
    try:
        outputs = [
            model.forward(x[idx])
            for idx in iterate_minibatches(len(x), batch_size, rng=None, shuffle=False)
        ]
    finally:
        model.train(was_training)
    return np.concatenate(outputs, axis=0)
