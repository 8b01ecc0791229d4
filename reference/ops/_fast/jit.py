"""The Numba shim every kernel module imports: `JIT_ENABLED` and `njit`.

``JIT_ENABLED`` is False under ``NUMBA_DISABLE_JIT=1`` (the kernels then run
as plain Python, which a debugger can step through) or if Numba is missing, in
which case `njit` returns the function unchanged.
"""

from __future__ import annotations

try:
    from numba import config, njit

    JIT_ENABLED = not config.DISABLE_JIT
except ImportError:  # pragma: no cover - numba is a runtime dependency
    JIT_ENABLED = False

    def njit(*args, **kwargs):
        """Return the function unchanged (stand-in when numba is missing)."""
        if args and callable(args[0]):
            return args[0]
        return lambda func: func


__all__ = ["JIT_ENABLED", "njit"]
