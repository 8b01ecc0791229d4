"""The user learner code runs as: ``nobody`` when the grader runs as root.

Public names: `Identity`, `learner_identity`, `unreadable`, `USER_VARIABLE`.

When the grader runs as root (as on Gradescope), learner code runs as
``nobody`` (or ``AI4MD_GRADE_USER``: a user name or ``uid[:gid]``; ``root``
keeps root, for debugging), so it cannot write to the grader's files, the
Numba cache or anything else root owns. When ``AI4MD_GRADE_USER`` is not set,
this is done only if that user can read the Python installation and this
package; otherwise learner code runs as root and a warning says why.
`autograder.confine` applies the choice in each worker child.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["USER_VARIABLE", "Identity", "learner_identity", "unreadable"]

USER_VARIABLE = "AI4MD_GRADE_USER"
_NOBODY = 65534
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Identity:
    """The user learner code runs as."""

    uid: int
    gid: int
    name: str


_warned: set[str] = set()


def _warn_once(text: str) -> None:
    if text not in _warned:
        _warned.add(text)
        print(f"ai4md grade: {text}", file=sys.stderr)


def _allows(st: os.stat_result, who: Identity, bits: int) -> bool:
    """Whether ``who`` has the ``bits`` (an ``rwx`` mask, 0-7) on a file."""
    if st.st_uid == who.uid:
        mode = st.st_mode >> 6
    elif st.st_gid == who.gid:
        mode = st.st_mode >> 3
    else:
        mode = st.st_mode
    return mode & bits == bits


def unreadable(path: Path, who: Identity) -> Path | None:
    """Return the first folder on the way to ``path`` that ``who`` cannot read."""
    path = path.resolve()
    for folder in [*reversed(path.parents), path]:
        try:
            st = folder.stat()
        except OSError:
            return folder
        if not _allows(st, who, 1 | (4 if folder == path else 0)):
            return folder
    return None


def _lookup(name: str) -> Identity:
    import pwd

    if name.replace(":", "").isdigit():
        uid, _, gid = name.partition(":")
        try:
            entry = pwd.getpwuid(int(uid))
            return Identity(int(uid), int(gid or entry.pw_gid), entry.pw_name)
        except KeyError:
            return Identity(int(uid), int(gid or uid), f"uid {uid}")
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        if name != "nobody":
            raise ValueError(f"{USER_VARIABLE}={name!r}: no such user") from None
        return Identity(_NOBODY, _NOBODY, "nobody")
    return Identity(entry.pw_uid, entry.pw_gid, entry.pw_name)


def learner_identity() -> Identity | None:
    """Return the user to run learner code as, or None to keep the grader's own.

    Only a grader running as root changes user: to ``AI4MD_GRADE_USER`` if set
    (``root`` or ``0``: no change), else to ``nobody`` provided it can read
    the Python installation and this package (if not, a warning says so).
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    name = os.environ.get(USER_VARIABLE, "").strip()
    if name in ("root", "0", "0:0"):
        return None
    who = _lookup(name or "nobody")
    if who.uid == 0:
        return None
    if name:
        return who
    needed = [Path(os.__file__).parent, _PACKAGE_ROOT]
    numpy = sys.modules.get("numpy")
    if numpy is not None and getattr(numpy, "__file__", None):
        needed.append(Path(numpy.__file__).parent)
    for path in needed:
        blocked = unreadable(path, who)
        if blocked is not None:
            _warn_once(
                f"learner code runs as root (not as {who.name!r}), because "
                f"{who.name!r} cannot read {blocked}, which holds Python or "
                f"ai4md. Install them where every user can read them, or set "
                f"{USER_VARIABLE} (a user, or root to keep root and silence this)."
            )
            return None
    return who
