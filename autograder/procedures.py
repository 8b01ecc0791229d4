"""What a worker child does with one request (runs inside the untrusted process).

Each procedure calls the learner's functions and returns a plain reply dict:
``{"status": "ok", "value": ..., "inputs": ...}`` or a failure status. The
grader, in another process, compares the value with the reference oracle.

Procedures:

``call``
    ``value = func(*args, **kwargs)``, then for each ``(args, kwargs)`` in
    ``then``: ``value = value(*args, **kwargs)`` (for exercises that return a
    function, such as ``get_weighted_loss``). ``inputs`` holds the arguments
    after the call so the grader can detect in-place modification.
``roundtrip``
    ``out, cache = forward(*args, **kwargs)``; ``grads = backward(dout, cache)``.
    The learner's backward always consumes the learner's own cache.
``gradcheck``
    A float64 central-difference gradient of ``sum(forward(...)[0] * dout)``
    with respect to the positional arguments listed in ``wrt``, on a few
    sampled coordinates, beside the learner's analytic gradient.
"""

from __future__ import annotations

import copy

import numpy as np

from reference.testing import numerical_gradient

__all__ = ["run"]


def _fail(status: str, exc: BaseException, path: str, fmt) -> dict:
    return {"status": status, "kind": type(exc).__name__, "message": fmt(exc, path)}


def run(module, request: dict, path: str, fmt) -> dict:
    """Run ``request`` against the learner ``module``; never raises."""
    try:
        handler = _PROCEDURES[request["proc"]]
        return handler(module, request)
    except NotImplementedError as exc:
        return _fail("not-implemented", exc, path, fmt)
    except MemoryError as exc:
        return _fail("memory", exc, path, fmt)
    except SystemExit as exc:
        return {
            "status": "exit",
            "kind": "SystemExit",
            "message": f"called sys.exit({exc.code!r})",
        }
    except KeyboardInterrupt as exc:
        return _fail("interrupt", exc, path, fmt)
    except _MissingFunction as exc:
        return {"status": "missing", "kind": "AttributeError", "message": str(exc)}
    except BaseException as exc:  # noqa: BLE001 - learner code may raise anything
        if type(exc).__module__.startswith("_pytest") and type(exc).__name__ == "Exit":
            return {
                "status": "exit",
                "kind": "Exit",
                "message": f"called pytest.exit({exc})",
            }
        return _fail("exception", exc, path, fmt)


class _MissingFunction(Exception):
    pass


def _function(module, name: str):
    func = getattr(module, name, None)
    if func is None or not callable(func):
        raise _MissingFunction(f"the module defines no function named {name!r}")
    return func


def _call(module, request: dict) -> dict:
    args, kwargs = request["args"], request.get("kwargs", {})  # fresh copies already
    value = _function(module, request["func"])(*args, **kwargs)
    for step_args, step_kwargs in request.get("then", ()):
        if not callable(value):
            return {
                "status": "ok",
                "value": value,
                "inputs": [args, kwargs],
                "not_callable": True,
            }
        value = value(*step_args, **step_kwargs)
    pick = request.get("pick")
    if pick is not None:
        if not isinstance(value, tuple) or len(value) <= pick:
            raise TypeError(
                f"{request['func']} must return a tuple with at least "
                f"{pick + 1} items, got {type(value).__name__}"
            )
        value = value[pick]
    return {"status": "ok", "value": value, "inputs": [args, kwargs]}


def _as_tuple(grads) -> tuple:
    return tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)


def _forward_backward(module, request: dict, args, kwargs):
    forward = _function(module, request["forward"])
    backward = _function(module, request["backward"])
    result = forward(*args, **kwargs)
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError(
            f"{request['forward']} must return (out, cache), "
            f"got {type(result).__name__}"
        )
    out, cache = result
    grads = backward(request["dout"], cache)
    return out, grads


def _roundtrip(module, request: dict) -> dict:
    args, kwargs = request["args"], request.get("kwargs", {})
    out, grads = _forward_backward(module, request, args, kwargs)
    return {
        "status": "ok",
        "value": {"out": out, "grads": grads},
        "inputs": [args, kwargs, request["dout"]],
    }


def _gradcheck(module, request: dict) -> dict:
    """Numerical vs analytic gradient of L = sum(forward(*args)[0] * dout)."""
    args = [
        np.array(a, dtype=np.float64) if i in request["wrt"] else copy.deepcopy(a)
        for i, a in enumerate(request["args"])
    ]
    kwargs = copy.deepcopy(request.get("kwargs", {}))
    dout = np.asarray(request["dout"], dtype=np.float64)
    forward = _function(module, request["forward"])
    _, grads = _forward_backward(module, dict(request, dout=dout), args, kwargs)
    inputs_after = copy.deepcopy([args, kwargs, dout])  # before any perturbation
    grads = _as_tuple(grads)
    rng = np.random.default_rng(request.get("seed", 0))
    step, max_coords = request.get("h", 1e-6), request.get("max_coords", 20)

    report = []
    for position, index in enumerate(request["wrt"]):
        x = args[index]
        coords = rng.choice(x.size, size=min(max_coords, x.size), replace=False)

        def output(value, index=index):
            varied = args[:index] + [value] + args[index + 1 :]
            return np.asarray(forward(*varied, **kwargs)[0], dtype=np.float64)

        estimate = numerical_gradient(output, x, dout, step, indices=coords)
        numeric = estimate.reshape(-1)[coords]
        analytic = grads[position] if position < len(grads) else None
        report.append(
            {
                "index": index,
                "coords": coords.astype(np.int64),
                "numeric": numeric,
                "analytic": analytic,
            }
        )
    return {"status": "ok", "value": report, "inputs": inputs_after}


_PROCEDURES = {"call": _call, "roundtrip": _roundtrip, "gradcheck": _gradcheck}
