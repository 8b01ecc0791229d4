"""The Numba shim every kernel module imports: `JIT_ENABLED`, `njit`, `on_compile`.

``JIT_ENABLED`` is False under ``NUMBA_DISABLE_JIT=1`` (the kernels then run
as plain Python, which a debugger can step through) or if Numba is missing, in
which case `njit` returns the function unchanged.

Numba is imported lazily: ``@njit(...)`` wraps a kernel in a `LazyKernel`, and
only the first call of a kernel imports Numba and turns every kernel of that
module into a Numba dispatcher (so kernels that call each other are compiled
together). Importing `reference.ops` therefore costs no Numba import, and a
program that only runs small layers, which ``"auto"`` sends to the NumPy twins
(`reference.ops._fast.dispatch.compiled_pays`), never compiles or loads a
kernel. Each kernel still compiles once per signature (``cache=True`` keeps
the machine code on disk, in ``NUMBA_CACHE_DIR``).

`on_compile` registers a callback for Numba's compile events (a real compile,
not a load from the cache), for a progress line on a terminal.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["JIT_ENABLED", "LazyKernel", "njit", "on_compile"]


def _numba_jit_enabled() -> bool:
    """Whether Numba is installed and not disabled, without importing Numba.

    ``NUMBA_DISABLE_JIT`` is read the way Numba reads it (an int; empty or
    malformed means 0).
    """
    if importlib.util.find_spec("numba") is None:
        return False
    try:
        return not int(os.environ.get("NUMBA_DISABLE_JIT") or 0)
    except ValueError:
        return True


JIT_ENABLED = _numba_jit_enabled()

_lock = threading.RLock()  # two helper threads may call a new kernel at once
_listeners: list[Callable[[str, bool], None]] = []
_installed = False
_ours: set[int] = set()  # ids of the dispatchers made here (not Numba's own helpers)


class LazyKernel:
    """A Numba kernel that imports Numba and compiles on its first call.

    Calls go to the dispatcher (``compiled``); ``py_func`` is the Python
    function, as on a Numba dispatcher.
    """

    def __init__(self, func: Callable, options: dict) -> None:
        self.py_func, self.options = func, options
        self.dispatcher = None
        functools.update_wrapper(self, func)

    @property
    def compiled(self) -> Callable[..., Any]:
        """The Numba dispatcher (created, with its module's kernels, on first use)."""
        if self.dispatcher is None:
            _materialise(self)
        return self.dispatcher

    def __call__(self, *args, **kwargs):
        dispatcher = self.dispatcher or self.compiled
        return dispatcher(*args, **kwargs)

    def __repr__(self) -> str:
        state = "compiled" if self.dispatcher is not None else "not compiled yet"
        return f"<LazyKernel {self.py_func.__qualname__} ({state})>"


def _materialise(kernel: LazyKernel) -> None:
    """Give ``kernel`` and every `LazyKernel` of its module a Numba dispatcher.

    The module's names then hold the dispatchers: what other kernels call.
    """
    with _lock:
        import numba

        _install_listener()
        module = sys.modules.get(kernel.py_func.__module__)
        found = [
            (name, value)
            for name, value in (vars(module).items() if module is not None else ())
            if isinstance(value, LazyKernel)
        ]
        for name, value in [*found, (None, kernel)]:
            if value.dispatcher is None:
                value.dispatcher = numba.njit(**value.options)(value.py_func)
                _ours.add(id(value.dispatcher))
            if name is not None:
                setattr(module, name, value.dispatcher)


def njit(*args: Any, **options: Any) -> Callable[..., Any]:
    """``numba.njit`` that defers importing Numba to the kernel's first call.

    Use as ``@njit`` or ``@njit(cache=True, ...)``; without the JIT the
    function is returned unchanged.
    """

    def wrap(func):
        return LazyKernel(func, options) if JIT_ENABLED else func

    if args and callable(args[0]):
        return wrap(args[0])
    return wrap


def on_compile(callback: Callable[[str, bool], None]) -> None:
    """Call ``callback(kernel name, started)`` when Numba compiles a kernel.

    ``started`` is True before the compile and False after it. Only the
    kernels of `reference.ops._fast` are reported (not what Numba compiles
    inside them), and loads from Numba's disk cache are not compiles.
    Registering does not import Numba.
    """
    with _lock:
        _listeners.append(callback)
        if "numba" in sys.modules:
            _install_listener()


def _install_listener() -> None:
    global _installed
    if _installed or not _listeners:
        return
    from numba.core import event

    class _Listener(event.Listener):
        def on_start(self, ev):
            _notify(ev, True)

        def on_end(self, ev):
            _notify(ev, False)

    event.register("numba:compile", _Listener())
    _installed = True


def _notify(ev, started: bool) -> None:
    dispatcher = (getattr(ev, "data", None) or {}).get("dispatcher")
    if id(dispatcher) not in _ours:
        return  # an overload Numba compiles inside one of our kernels
    name = getattr(getattr(dispatcher, "py_func", None), "__name__", "kernel")
    for callback in list(_listeners):
        try:
            callback(name, started)
        except Exception:  # a progress line must not break a compile
            pass
