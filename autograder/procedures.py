"""What a worker child does with one request (runs inside the untrusted process).

Each procedure calls the learner's functions and returns a `Reply`: ``ok``
with ``value`` and ``inputs``, or a failure status. The grader, in another
process, compares the value with the reference oracle. The requests are the
dataclasses of `autograder.protocol`:

`Call`
    ``value = func(*args, **kwargs)``, then for each ``(args, kwargs)`` in
    ``then``: ``value = value(*args, **kwargs)`` (for exercises that return a
    function, such as ``get_weighted_loss``). ``inputs`` holds the arguments
    after the call so the grader can detect in-place modification.
`Roundtrip`
    ``out, cache = forward(*args, **kwargs)``; ``grads = backward(dout, cache)``.
    The learner's backward always consumes the learner's own cache.
`Gradcheck`
    A float64 central-difference gradient of ``sum(forward(...)[0] * dout)``
    with respect to the positional arguments listed in ``wrt``, on a few
    sampled coordinates, beside the learner's analytic gradient.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from autograder.confine import disk_limit_detail, too_large
from autograder.protocol import Call, Gradcheck, GradcheckEntry, Reply, Roundtrip
from autograder.protocol import ReplyStatus as R
from reference.testing import numerical_gradient

__all__ = ["run"]

Formatter = Callable[[BaseException, str], str]  # (exception, learner file) -> text


def run(
    module: ModuleType,
    request: Call | Roundtrip | Gradcheck,
    path: str,
    fmt: Formatter,
) -> Reply:
    """Run ``request`` against the learner ``module``; never raises.

    Parameters
    ----------
    module : module
        The learner's imported lesson.
    request : Call, Roundtrip or Gradcheck
        What to run.
    path : str
        The learner's file, so ``fmt`` can keep the learner's own frames.
    fmt : callable (exception, path) -> str
        Formats an exception raised by learner code.
    """
    try:
        return _PROCEDURES[type(request)](module, request)
    except NotImplementedError as exc:
        return Reply(R.NOT_IMPLEMENTED, message=fmt(exc, path))
    except MemoryError as exc:
        return Reply(R.MEMORY, message=fmt(exc, path))
    except SystemExit as exc:
        return Reply(R.EXIT, message=f"called sys.exit({exc.code!r})")
    except KeyboardInterrupt as exc:
        return Reply(R.INTERRUPT, message=fmt(exc, path))
    except _MissingFunction as exc:
        return Reply(R.MISSING, message=str(exc))
    except BaseException as exc:  # learner code may raise anything
        if type(exc).__module__.startswith("_pytest") and type(exc).__name__ == "Exit":
            return Reply(R.EXIT, message=f"called pytest.exit({exc})")
        if too_large(exc):  # a write beyond the file-size limit (--disk)
            return Reply(R.DISK_LIMIT, message=disk_limit_detail(fmt(exc, path)))
        return Reply(R.EXCEPTION, message=fmt(exc, path))


class _MissingFunction(Exception):
    pass


def _function(module: ModuleType, name: str) -> Callable:
    func = getattr(module, name, None)
    if func is None or not callable(func):
        raise _MissingFunction(f"the module defines no function named {name!r}")
    return func


def _call(module: ModuleType, request: Call) -> Reply:
    args, kwargs = request.args, request.kwargs  # fresh copies already
    value = _function(module, request.func)(*args, **kwargs)
    for step_args, step_kwargs in request.then:
        if not callable(value):
            return Reply(R.OK, value, [args, kwargs], not_callable=True)
        value = value(*step_args, **step_kwargs)
    pick = request.pick
    if pick is not None:
        if not isinstance(value, tuple) or len(value) <= pick:
            raise TypeError(
                f"{request.func} must return a tuple with at least "
                f"{pick + 1} items, got {type(value).__name__}"
            )
        value = value[pick]
    return Reply(R.OK, value, [args, kwargs])


def _as_tuple(grads: Any) -> tuple:
    return tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)


def _forward_backward(
    module: ModuleType,
    request: Roundtrip | Gradcheck,
    args: list,
    kwargs: dict,
    dout: Any,
) -> tuple[Any, Any]:
    forward = _function(module, request.forward)
    backward = _function(module, request.backward)
    result = forward(*args, **kwargs)
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError(
            f"{request.forward} must return (out, cache), got {type(result).__name__}"
        )
    out, cache = result
    grads = backward(dout, cache)
    return out, grads


def _roundtrip(module: ModuleType, request: Roundtrip) -> Reply:
    args, kwargs = request.args, request.kwargs
    out, grads = _forward_backward(module, request, args, kwargs, request.dout)
    return Reply(R.OK, {"out": out, "grads": grads}, [args, kwargs, request.dout])


def _gradcheck(module: ModuleType, request: Gradcheck) -> Reply:
    """Numerical vs analytic gradient of L = sum(forward(*args)[0] * dout)."""
    args = [
        np.array(a, dtype=np.float64) if i in request.wrt else copy.deepcopy(a)
        for i, a in enumerate(request.args)
    ]
    kwargs = copy.deepcopy(request.kwargs)
    dout = np.asarray(request.dout, dtype=np.float64)
    forward = _function(module, request.forward)
    _, grads = _forward_backward(module, request, args, kwargs, dout)
    inputs_after = copy.deepcopy([args, kwargs, dout])  # before any perturbation
    grads = _as_tuple(grads)
    rng = np.random.default_rng(request.seed)

    report = []
    for position, index in enumerate(request.wrt):
        x = args[index]
        size = min(request.max_coords, x.size)
        coords = rng.choice(x.size, size=size, replace=False)

        def output(value, index=index):
            varied = args[:index] + [value] + args[index + 1 :]
            return np.asarray(forward(*varied, **kwargs)[0], dtype=np.float64)

        estimate = numerical_gradient(output, x, dout, request.h, indices=coords)
        numeric = estimate.reshape(-1)[coords]
        analytic = grads[position] if position < len(grads) else None
        entry = GradcheckEntry(index, coords.astype(np.int64), numeric, analytic)
        report.append(entry.to_message())
    return Reply(R.OK, report, inputs_after)


_PROCEDURES = {Call: _call, Roundtrip: _roundtrip, Gradcheck: _gradcheck}
