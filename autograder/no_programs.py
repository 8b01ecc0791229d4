"""No other program starts while an exercise is graded.

A program started from the worker child runs outside the grader's checks: a
fresh ``python -c "import reference ..."`` could compute the answer with the
reference library, untouched by the guards of `autograder.forbidden_guard`.
So, in the child, an audit hook refuses every event that starts a program
(`PROGRAM_EVENTS`: ``subprocess``, ``os.system``, the ``exec`` and ``spawn``
families, and libc's own entry points looked up through ``ctypes``) with a
`PermissionError`.

A library that probes for a tool (matplotlib runs ``fc-list`` to list fonts)
handles that error as "tool not found" and goes on. When the learner's own
code asked, the refusal is also recorded as a violation, so the exercise
scores 0 with a message saying why. The caller is the innermost frame outside
the standard library: the learner's when its file is not part of an installed
library, ``reference`` or ``autograder``.

Like the rest of the integrity rule this is a guard for honest learners, not a
wall: code that reaches for private interpreter internals can get past it.
Processes the learner's code forks are allowed (they inherit every guard) and
cleaned up by `autograder.reaper`.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Callable

__all__ = ["PROGRAM_EVENTS", "install", "program_message"]

# audit events raised when a program is about to start
PROGRAM_EVENTS = frozenset(
    {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn"}
)
# libc functions that start a program, refused when looked up through ctypes
_LIBC_STARTERS = frozenset(
    {
        "system",
        "popen",
        "execl",
        "execle",
        "execlp",
        "execv",
        "execve",
        "execvp",
        "execvpe",
        "fexecve",
        "posix_spawn",
        "posix_spawnp",
    }
)


def program_message(what: str) -> str:
    """Return the learner's message for starting a program (``what`` names how)."""
    return (
        f"your code started another program ({what}); while it is graded it may "
        "only compute, and a program it starts would run outside the grader's checks"
    )


def _starts_a_program(event: str, args: tuple) -> str | None:
    """Return how ``event`` starts a program (for the message), or None."""
    if event in PROGRAM_EVENTS:
        return f"`{event}`"
    if event == "ctypes.dlsym" and len(args) > 1 and args[1] in _LIBC_STARTERS:
        return f"libc's `{args[1]}` through ctypes"
    return None


def _dirs(*keys: str) -> tuple[str, ...]:
    """Return the real paths of sysconfig's folders ``keys``, with a final separator."""
    paths = sysconfig.get_paths()
    return tuple({os.path.realpath(paths[k]) + os.sep for k in keys if paths.get(k)})


# computed once, when the fork server imports the guards (sysconfig takes ~10 ms)
_STDLIB, _SITE = _dirs("stdlib", "platstdlib"), _dirs("purelib", "platlib")


def _library_dirs(site: tuple[str, ...]) -> tuple[str, ...]:
    """Folders of trusted code: installed packages, ``autograder``, ``reference``."""
    found = set(site)
    found.add(os.path.dirname(os.path.realpath(__file__)) + os.sep)  # autograder
    reference = sys.modules.get("reference")
    if getattr(reference, "__file__", None):
        found.add(os.path.dirname(os.path.realpath(reference.__file__)) + os.sep)
    return tuple(sorted(found))


def _asked_by_learner(frame, stdlib, site, libraries) -> bool:
    """Whether the innermost caller outside the standard library is learner code.

    ``stdlib``, ``site`` and ``libraries`` are folder prefixes; a system
    Python's site-packages may lie inside its standard library's folder.
    """
    while frame is not None:
        file = frame.f_code.co_filename
        if file.startswith("<frozen "):
            frame = frame.f_back
            continue
        real = os.path.realpath(file)  # the prefixes are real paths too
        if real.startswith(stdlib) and not real.startswith(site):
            frame = frame.f_back
            continue
        return not real.startswith(libraries)
    return False


def install(record: Callable[[str], str]) -> None:
    """Refuse, from now on in this process, every event that starts a program.

    Parameters
    ----------
    record : callable
        Called with `program_message` when the learner's own code asked (the
        forbidden guard's ``record``: the exercise then scores 0).
    """
    stdlib, site = _STDLIB, _SITE
    libraries = _library_dirs(site)

    def audit(event: str, args: tuple) -> None:
        what = _starts_a_program(event, args)
        if what is None:
            return
        if _asked_by_learner(sys._getframe(1), stdlib, site, libraries):
            record(program_message(what))
        raise PermissionError(
            f"starting a program is not allowed while grading ({what})"
        )

    sys.addaudithook(audit)
