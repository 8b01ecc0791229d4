"""Find and kill every process below a given one (Linux; no-ops elsewhere).

Learner code may leave processes behind: a background ``subprocess.Popen``, a
double fork with ``setsid()`` (a daemon), a fork bomb. Sessions and process
groups do not hold them (``setsid`` leaves both), but the process tree does if
every ancestor on the grading side is a *child subreaper*
(``prctl(PR_SET_CHILD_SUBREAPER)``): an orphan is then re-parented to the
nearest living subreaper above it instead of to init, so it stays below the
worker child, the fork server or the grader, which can find it in ``/proc``
and kill it.

`become_subreaper` sets the flag, `descendants` walks ``/proc/*/stat`` and
`kill_descendants` kills a whole subtree, round after round until none is
left (a fork bomb keeps forking while it is being killed), reaping the
zombies that are its own children.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = [
    "ProcInfo",
    "become_subreaper",
    "descendants",
    "die_with_parent",
    "has_children",
    "is_subreaper",
    "kill_descendants",
    "kill_processes",
    "kill_tree",
    "no_new_privileges",
    "process_table",
]

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_PR_GET_CHILD_SUBREAPER = 37
_PR_SET_NO_NEW_PRIVS = 38
_ROUNDS = 200  # of find-and-kill; a fork bomb is usually gone after a few
_DEADLINE = 10.0  # seconds spent killing one subtree at most


def _prctl(option: int, arg) -> int | None:
    """Call prctl(2); None where there is none (not Linux) or it failed."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        result = libc.prctl(option, arg, 0, 0, 0)
    except (OSError, AttributeError):
        return None
    return None if result != 0 else result


def become_subreaper(on: bool = True) -> bool:
    """Make this process a child subreaper (or stop being one); True if it worked."""
    return _prctl(_PR_SET_CHILD_SUBREAPER, 1 if on else 0) is not None


def is_subreaper() -> bool:
    """Whether this process is a child subreaper (False where that cannot be known)."""
    value = ctypes.c_int(0)
    if _prctl(_PR_GET_CHILD_SUBREAPER, ctypes.byref(value)) is None:
        return False
    return bool(value.value)


def die_with_parent() -> bool:
    """Get SIGKILL when the parent dies (``PR_SET_PDEATHSIG``); True if it worked."""
    return _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) is not None


def no_new_privileges() -> bool:
    """Forbid gaining privileges through exec (setuid programs); True if it worked."""
    return _prctl(_PR_SET_NO_NEW_PRIVS, 1) is not None


@dataclass(frozen=True)
class ProcInfo:
    """The fields of ``/proc/PID/stat`` used here."""

    pid: int
    state: str  # R, S, D, Z, T, ...
    ppid: int
    pgid: int
    sid: int
    start: int  # start time, clock ticks after boot

    @property
    def zombie(self) -> bool:
        """Whether the process has exited and waits to be reaped."""
        return self.state in ("Z", "X")


def process_table() -> dict[int, ProcInfo]:
    """Read every process's state, parent, group, session and start time."""
    table: dict[int, ProcInfo] = {}
    try:
        names = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return table
    for name in names:
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid pgrp session ..."; comm may hold spaces and ")"
        fields = stat[stat.rindex(b")") + 2 :].split()
        try:
            table[int(name)] = ProcInfo(
                int(name),
                fields[0].decode(),
                int(fields[1]),
                int(fields[2]),
                int(fields[3]),
                int(fields[19]),
            )
        except (IndexError, ValueError):
            continue
    return table


def descendants(pid: int, table: dict[int, ProcInfo] | None = None) -> set[int]:
    """Return the pids of every process below ``pid`` (not ``pid`` itself)."""
    table = process_table() if table is None else table
    children: dict[int, list[int]] = {}
    for info in table.values():
        children.setdefault(info.ppid, []).append(info.pid)
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found and child != pid:
                found.add(child)
                todo.append(child)
    return found


def has_children() -> bool:
    """Whether this process has any child, running or exited (one cheap syscall)."""
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    except (OSError, AttributeError):  # no waitid: assume there may be some
        return True
    return True


def _signal(pid: int, group: bool = False, signum: int = signal.SIGKILL) -> None:
    try:
        (os.killpg if group else os.kill)(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def kill_tree(pid: int) -> None:
    """Kill process ``pid``, its process group and every process below it.

    For a process started in a session of its own (``start_new_session``)
    whose descendants may have left the group (learner code calling
    ``setsid``): the tree is frozen (SIGSTOP, so nothing forks meanwhile),
    read again until no new process appears, then killed. The caller still
    waits for ``pid`` itself.
    """
    _signal(pid, group=True, signum=signal.SIGSTOP)
    frozen: set[int] = set()
    for _ in range(5):
        new = descendants(pid) - frozen
        if not new:
            break
        for child in new:
            _signal(child, signum=signal.SIGSTOP)
        frozen |= new
    _signal(pid, group=True)
    for child in frozen:
        _signal(child)


def _reap(pids: Iterable[int]) -> None:
    """Reap those of ``pids`` that are exited children of this process."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except (ChildProcessError, OSError):
            pass


def kill_processes(
    find: Callable[[dict[int, ProcInfo]], Iterable[int]],
    *,
    spare: Iterable[int] = (),
    uncounted: Iterable[int] = (),
    killed_groups: Iterable[int] = (),
) -> int:
    """Kill, round after round, the processes ``find(table)`` returns.

    Parameters
    ----------
    find : callable (process table) -> set of pids
        The processes to kill, re-read every round (new ones may appear).
    spare : pids
        Process groups never signalled as a whole (the caller's own).
    uncounted : pids
        Killed but neither counted nor reaped (a worker child the caller
        already knows about and reaps itself).
    killed_groups : pgids
        Process groups the grader killed already (``killpg`` of a worker
        child after a timeout): their members are dying, and not counted.

    Returns
    -------
    int
        How many processes that were still running (not zombies) were killed.
    """
    spare, uncounted = set(spare) | {os.getpgrp()}, set(uncounted)
    killed_groups = set(killed_groups)
    me = os.getpid()
    killed: set[int] = set()
    dying: set[int] = set()  # in one of the killed groups
    deadline = time.monotonic() + _DEADLINE
    for _ in range(_ROUNDS):
        table = process_table()
        targets = {pid for pid in find(table) if pid in table and pid != me}
        running = {pid for pid in targets if not table[pid].zombie}
        _reap(
            pid
            for pid in targets - uncounted
            if table[pid].zombie and table[pid].ppid == me
        )
        dying |= {pid for pid in running if table[pid].pgid in killed_groups}
        if not running - uncounted or time.monotonic() > deadline:
            break  # (an uncounted process was killed by the caller: not waited for)
        for pid in running:
            info = table[pid]
            if info.pgid not in spare and info.pgid > 1:
                _signal(info.pgid, group=True)  # forks racing in the same group
            _signal(pid)
        if running <= killed:  # all signalled already: let them die
            time.sleep(0.002)
        killed |= running
    _reap(pid for pid in killed - uncounted)
    return len(killed - uncounted - dying)


def kill_descendants(
    pid: int | None = None,
    *,
    uncounted: Iterable[int] = (),
    killed_groups: Iterable[int] = (),
    spare: Iterable[int] = (),
) -> int:
    """Kill every process below ``pid`` (default: this process); return the count.

    Zombies are not counted; those that are this process's children are
    reaped, except the ``uncounted`` ones (see `kill_processes`).
    """
    pid = os.getpid() if pid is None else pid
    if pid == os.getpid() and not has_children():
        return 0  # the usual case, without reading /proc
    return kill_processes(
        lambda table: descendants(pid, table),
        spare=set(spare) | {pid},
        uncounted=uncounted,
        killed_groups=killed_groups,
    )
