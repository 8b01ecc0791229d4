"""Gradient-checking helpers: central-difference numerical gradients and relative error.

Public names: `numerical_gradient`, `numerical_gradients`, `rel_error`,
`check_module_gradients`.
Every backward in `reference` is
tested against `numerical_gradient` in float64; the autograder uses the same
helpers to tell a learner whether their forward or their backward is wrong.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "check_module_gradients",
    "numerical_gradient",
    "numerical_gradients",
    "rel_error",
]


def numerical_gradient(
    f: Callable[[np.ndarray], np.ndarray], x, dout, h: float = 1e-6, *, indices=None
) -> np.ndarray:
    """Estimate d sum(f(x) * dout) / dx by central differences.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x`` and returns an array shaped like ``dout``
        (for example ``lambda x_: conv_forward(x_, w)[0]``). Called twice per
        checked element; it must not keep or modify its argument.
    x : ndarray, float
        Point at which to differentiate; never modified (a private copy is
        perturbed).
    dout : ndarray or float
        Upstream gradient; the scalar being differentiated is ``sum(f(x) * dout)``.
    h : float, optional
        Step size (default 1e-6, right for float64; use about 1e-2 for float32).
    indices : sequence of int, optional
        Flat indices of ``x`` to check ("sparse" gradient check for large
        inputs). By default every element is checked.

    Returns
    -------
    grad : ndarray, same shape and dtype as ``x``
        The estimated gradient; entries not in ``indices`` are NaN.

    Notes
    -----
    grad[i] = (L(x + h e_i) - L(x - h e_i)) / (2 h) with L(x) = sum(f(x) * dout);
    the error is O(h^2) for smooth f.

    Examples
    --------
    >>> x = np.array([1.0, 2.0, 3.0])
    >>> numerical_gradient(lambda v: v ** 2, x, np.ones(3)).round(6)
    array([2., 4., 6.])
    """
    work = np.array(x, copy=True)
    flat = work.reshape(-1)
    grad = np.full(work.shape, np.nan if indices is not None else 0.0, dtype=work.dtype)
    grad_flat = grad.reshape(-1)
    todo = range(flat.size) if indices is None else np.asarray(indices, dtype=np.intp)

    # perturb one entry at a time in both directions, then restore it
    for i in todo:
        saved = flat[i]
        flat[i] = saved + h
        plus = np.sum(f(work) * dout)
        flat[i] = saved - h
        minus = np.sum(f(work) * dout)
        flat[i] = saved
        grad_flat[i] = (plus - minus) / (2 * h)
    return grad


def numerical_gradients(forward, args, wrt, dout, h: float = 1e-6) -> list:
    """Return numerical gradients of sum(forward(*args)[0] * dout), one per args[i].

    Each is `numerical_gradient` with respect to args[i], for i in ``wrt``. For
    a forward/backward pair whose forward returns ``(out, cache)``; every
    argument is taken in float64, so the estimate is accurate to about 1e-8.

    Examples
    --------
    >>> def forward(a, b):
    ...     return a * b, None
    >>> a, b = np.array([2.0]), np.array([3.0])
    >>> da, db = numerical_gradients(forward, (a, b), (0, 1), 1.0)
    >>> da.round(6), db.round(6)
    (array([3.]), array([2.]))
    """
    args = [np.array(a, dtype=np.float64) for a in args]

    def varying(i):  # forward as a function of args[i] alone
        return lambda v: forward(*args[:i], v, *args[i + 1 :])[0]

    return [numerical_gradient(varying(i), args[i], dout, h) for i in wrt]


def rel_error(a, b) -> float:
    """Return the largest elementwise relative error max |a - b| / max(1e-8, |a| + |b|).

    Parameters
    ----------
    a, b : array_like of the same shape
        Typically an analytic and a numerical gradient. NaN entries (unchecked
        entries of a sparse `numerical_gradient`) are ignored.

    Returns
    -------
    float
        0 for identical arrays; below about 1e-7 for a correct float64 gradient.

    Examples
    --------
    >>> rel_error(np.array([1.0, 3.0]), np.array([1.0, 1.0]))  # |3 - 1| / (3 + 1)
    0.5
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"rel_error: expected a and b with the same shape, "
            f"got {a.shape} and {b.shape}."
        )
    ratio = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    ratio = ratio[~np.isnan(ratio)]
    return float(ratio.max()) if ratio.size else 0.0


def check_module_gradients(
    module, x, *, seed=0, samples=6, x_samples=None, h=1e-6, tol=1e-6, dense_up_to=12
) -> None:
    """Check a Module's dx and every parameter gradient by central differences.

    The loss is ``L = sum(module.forward(x) * weights)`` with seeded standard-normal
    ``weights``, so ``dout = weights``. Arrays with at most ``dense_up_to``
    entries are checked everywhere; larger ones at ``samples`` random entries
    (``x_samples`` for ``x`` when given). Use float64 modules and inputs.

    Raises
    ------
    AssertionError
        Naming the array whose relative error
        ``|numeric - analytic| / (|numeric| + |analytic|)`` (vector norms over the
        checked entries) exceeds ``tol`` and whose largest absolute difference
        exceeds 1e-9 (exact zeros leave only round-off).
    """
    rng = np.random.default_rng(seed)
    x = x.copy()
    weights = rng.standard_normal(module.forward(x).shape)
    dx = module.backward(weights)
    grads = {k: v.copy() for k, v in module.named_grads().items()}
    params = module.named_parameters()
    assert set(grads) == set(params), "grads and parameters must share their names"

    def loss() -> float:
        return float(np.sum(module.forward(x) * weights))

    for name, array, analytic in [("x", x, dx)] + [
        (k, params[k], grads[k]) for k in params
    ]:
        assert analytic.shape == array.shape, f"{name}: gradient shape {analytic.shape}"
        count = x_samples if name == "x" and x_samples else samples
        flat = (
            range(array.size)
            if array.size <= dense_up_to
            else rng.choice(array.size, min(count, array.size), replace=False)
        )
        numeric, picked = [], []
        for i in flat:
            idx = np.unravel_index(i, array.shape)
            old = array[idx]
            array[idx] = old + h
            plus = loss()
            array[idx] = old - h
            minus = loss()
            array[idx] = old
            numeric.append((plus - minus) / (2 * h))
            picked.append(analytic[idx])
        numeric, picked = np.array(numeric), np.array(picked)
        err = np.linalg.norm(numeric - picked) / max(
            1e-8, np.linalg.norm(numeric) + np.linalg.norm(picked)
        )
        assert err < tol or np.abs(numeric - picked).max() < 1e-9, (
            f"{name}: relative error {err:.2e}"
        )
