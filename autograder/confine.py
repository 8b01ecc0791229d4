"""Keep learner code inside its exercise: processes, files, privileges.

Nothing a submission does may outlive or outgrow the exercise that does it.
This module holds both sides of that rule; `autograder.sandbox` (the grader)
and `autograder.worker` (the fork server and its children) call it.

Grader side: `Supervisor`
    Chooses the user learner code runs as (`learner_identity`: ``nobody``
    when the grader runs as root, see below), makes the grader a child
    subreaper (so that the processes of a fork server killed by learner code
    come back to it rather than to init), creates one private temporary
    folder per worker child (under a grader-owned base folder, owned by the
    learner's user) and removes it once the child is gone, and kills any
    process re-parented to the grader (`Supervisor.kill_orphans`).
Worker side: `enter`, run by each child before it imports the learner module
    The child becomes a subreaper itself, caps the size of any file it writes
    (``RLIMIT_FSIZE``; ``SIGXFSZ`` is ignored so a write fails with ``EFBIG``
    instead of killing it), points ``TMPDIR``/``TEMP``/``TMP``/``HOME`` and
    `tempfile.tempdir` at its private folder, reads the learner's source
    while still privileged, and, when the grader runs as root, caps the
    number of processes (``RLIMIT_NPROC``), drops to the unprivileged user
    (no supplementary groups, no new privileges) and points Numba's cache at
    the grading's own copy of the grader's (never the grader's). It dies
    with the fork server (``PR_SET_PDEATHSIG``). The returned `Confinement`
    imports the learner module from the bytes read and, after every call
    (`Confinement.after_call`), kills every process the call left running
    and empties the temporary folder.

Unprivileged user
    When the grader runs as root (as on Gradescope), learner code runs as
    ``nobody`` (or ``AI4MD_GRADE_USER``: a user name or ``uid[:gid]``;
    ``root`` keeps root, for debugging), so it cannot write to the grader's
    files, the Numba cache or anything else root owns, nor signal the fork
    server. When ``AI4MD_GRADE_USER`` is not set, this is done only if that
    user can read the Python installation and this package (a Python under
    ``/root`` cannot be read by ``nobody``); otherwise learner code runs as
    root and a warning says why. Learner code that runs as the grader's
    own user can, deliberately, still write or signal anything that user
    can: `autograder.tamper` then at least notices changed grader files.
"""

from __future__ import annotations

import errno
import importlib.abc
import importlib.util
import linecache
import os
import re
import resource
import shutil
import signal
import stat
import sys
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from types import CodeType

from autograder import reaper
from autograder.identity import USER_VARIABLE, Identity, learner_identity
from autograder.protocol import Reply, ReplyStatus, Spawn

__all__ = [
    "DEFAULT_DISK_BYTES",
    "DEFAULT_NPROC",
    "USER_VARIABLE",
    "Confinement",
    "Identity",
    "Supervisor",
    "disk_limit_detail",
    "enter",
    "escaped_detail",
    "learner_identity",
    "mentions_escape",
    "too_large",
]

DEFAULT_DISK_BYTES = 256 << 20  # largest file learner code may write (--disk)
DEFAULT_NPROC = 256  # processes of the learner's user (RLIMIT_NPROC; not for root)


# ------------------------------------------------------------------ messages


def escaped_detail(count: int, when: str = "after the call") -> str:
    """Return the detail of an ``escaped`` failure: how many processes, killed when."""
    if count == 1:
        return (
            f"1 process running {when} (a background or double-forked "
            "process?); it was killed"
        )
    return (
        f"{count} processes running {when} (background or double-forked "
        "processes?); they were killed"
    )


_ESCAPE = re.compile(r"left \d+ process(es)? running after the (call|import) ")


def mentions_escape(message: str) -> bool:
    """Whether a failure's message carries a note that processes were left running."""
    return _ESCAPE.search(message) is not None


def _mib(n: int) -> str:
    return f"{n / 2**20:g} MiB"


def too_large(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from) is a file-size ``EFBIG``."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def disk_limit_detail(text: str) -> str:
    """Return the detail of a ``disk-limit`` failure: the limit, then ``text``."""
    limit, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    shown = "its" if limit == resource.RLIM_INFINITY else _mib(limit)
    return f"{shown} (--disk):\n{text}"


# --------------------------------------------------------------- grader side


def remove_tree(path: str | os.PathLike[str]) -> None:
    """Remove a folder and everything in it, whatever its permissions say."""

    def retry(func, failed, _exc_info) -> None:
        try:
            parent = os.path.dirname(failed)
            os.chmod(parent, stat.S_IRWXU)
            if os.path.isdir(failed) and not os.path.islink(failed):
                os.chmod(failed, stat.S_IRWXU)
            func(failed)
        except OSError:
            pass

    if os.path.lexists(path):
        shutil.rmtree(path, onerror=retry)


_lock = threading.Lock()
_supervisors = 0  # open `Supervisor`s in this process (the subreaper flag is shared)
_was_subreaper = False  # before the first one
_servers: set[int] = set()  # every running fork server of this process


_PREFIX = "ai4md-grading-"  # then the grader's pid


def _remove_stale_folders() -> None:
    """Remove the folders of graders that were killed before they could."""
    folder = tempfile.gettempdir()
    try:
        names = [n for n in os.listdir(folder) if n.startswith(_PREFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            remove_tree(os.path.join(folder, name))  # its grader is gone
        except OSError:
            pass  # alive (another user's): not ours to remove


def _seed_numba_cache(source: str | None, folder: Path, who: Identity) -> str:
    """Give the unprivileged children of one grading a Numba cache of their own.

    They can neither read the grader's (under root's home) nor, of course,
    write it: Numba's cache files are pickles that a later grading would load.
    ``folder`` starts as a copy of ``source`` (hard links where the file is
    readable by all: its owner stays root, so it cannot be changed, and Numba
    replaces rather than rewrites a file) and belongs to ``who``; it goes
    with the grading's other folders.
    """
    folder.mkdir(mode=0o700)
    os.chown(folder, who.uid, who.gid)
    if not source or not os.path.isdir(source):
        return str(folder)
    for parent, dirs, names in os.walk(source):
        here = folder / os.path.relpath(parent, source)
        for name in dirs:
            (here / name).mkdir(mode=0o700, exist_ok=True)
            os.chown(here / name, who.uid, who.gid)
        for name in names:
            src, dst = os.path.join(parent, name), here / name
            try:
                mode = os.lstat(src).st_mode
                if not stat.S_ISREG(mode):
                    continue
                if mode & stat.S_IROTH:
                    try:
                        os.link(src, dst)
                        continue
                    except OSError:
                        pass
                shutil.copyfile(src, dst)
                os.chown(dst, who.uid, who.gid)  # a copy: theirs to change
            except OSError:
                continue
    return str(folder)


class Supervisor:
    """The grader's side of confinement, for one `autograder.sandbox.ForkServer`.

    Parameters
    ----------
    disk_bytes : int
        The largest file a worker child may write.
    numba_cache : str, optional
        The fork server's Numba cache folder. Unprivileged children get a
        copy of it instead (`_seed_numba_cache`).
    """

    def __init__(
        self, disk_bytes: int = DEFAULT_DISK_BYTES, numba_cache: str | None = None
    ) -> None:
        self.disk_bytes = disk_bytes
        self.identity = learner_identity()
        self.children: set[int] = set()  # worker children (the server's own)
        self._since: int | None = None  # start time of the first fork server
        global _supervisors, _was_subreaper
        with _lock:
            if _supervisors == 0:
                _was_subreaper = reaper.is_subreaper()
            _supervisors += 1
            self.subreaper = reaper.become_subreaper()
        self._closed = False
        _remove_stale_folders()
        self.base = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
        self.numba_dir = ""
        if self.identity is not None:  # the learner's user may enter, not list
            os.chmod(self.base, 0o711)
            self.numba_dir = _seed_numba_cache(
                numba_cache, self.base / "numba", self.identity
            )
        self._dirs: list[Path] = []
        self._removals: list[threading.Thread] = []

    def server_started(self, pid: int) -> None:
        """Note a (re)started fork server: orphans are processes started since."""
        _servers.add(pid)
        if self._since is None:
            info = reaper.process_table().get(pid)
            self._since = info.start if info is not None else 0

    def spawn_fields(self, token: int) -> dict:
        """Return the confinement fields of a `Spawn`: a new folder, user, caps."""
        folder = self.base / f"child-{token}"
        folder.mkdir(mode=0o700)
        who = self.identity
        if who is not None:
            os.chown(folder, who.uid, who.gid)
        self._dirs.append(folder)
        return {
            "disk_bytes": self.disk_bytes,
            "tmpdir": str(folder),
            "uid": -1 if who is None else who.uid,
            "gid": -1 if who is None else who.gid,
            "nproc": 0 if who is None else DEFAULT_NPROC,
            "numba_dir": self.numba_dir,
        }

    def remove_folders(self, wait: bool = False) -> None:
        """Remove the children's folders (call once their processes are gone).

        In the background (file system calls can be slow on a busy machine),
        unless ``wait``; `close` waits for every removal.
        """
        folders, self._dirs = self._dirs, []
        if folders:
            removal = threading.Thread(
                target=lambda: [remove_tree(f) for f in folders], daemon=True
            )
            removal.start()
            self._removals.append(removal)
        if wait:
            for removal in self._removals:
                removal.join()
            self._removals.clear()

    def server_stopped(self, pid: int) -> None:
        """Note that fork server ``pid`` was stopped and reaped."""
        _servers.discard(pid)

    def kill_orphans(self, server_pid: int | None) -> int:
        """Kill the processes re-parented to the grader; return how many ran.

        Those are what learner code left running after it killed the fork
        server: direct children of this process, in a session of their own,
        started since the first fork server, other than the fork server
        ``server_pid``; and everything below them. Worker children are
        killed but not counted.
        """
        if not self.subreaper or self._since is None:
            return 0
        me, session, since = os.getpid(), os.getsid(0), self._since

        def find(table):
            roots = {
                info.pid
                for info in table.values()
                if info.ppid == me
                and info.pid != server_pid
                and info.pid not in _servers  # this process's other graders
                and info.sid != session
                and info.start >= since
            }
            found = set(roots)
            for pid in roots:
                found |= reaper.descendants(pid, table)
            return found

        return reaper.kill_processes(
            find, uncounted=self.children, killed_groups=self.children
        )

    def close(self) -> None:
        """Remove every folder and stop being a subreaper (if we were not before)."""
        global _supervisors
        self.remove_folders(wait=True)
        remove_tree(self.base)
        if self._closed:
            return
        self._closed = True
        with _lock:
            _supervisors -= 1
            if _supervisors == 0 and self.subreaper and not _was_subreaper:
                reaper.become_subreaper(False)
        self.subreaper = False


# --------------------------------------------------------------- worker side


class _Source(importlib.abc.InspectLoader):
    """Loads a learner module from source bytes read before privileges were dropped."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.error: OSError | None = None
        try:
            with open(path, "rb") as f:
                self.data = f.read()
        except OSError as exc:
            self.data, self.error = b"", exc

    def get_source(self, fullname: str) -> str:
        """Return the module's text (for tracebacks)."""
        return importlib.util.decode_source(self.data)

    def get_code(self, fullname: str) -> CodeType:
        """Compile the source under its real path, so tracebacks name the file."""
        if self.error is not None:
            raise self.error
        return compile(self.data, self.path, "exec", dont_inherit=True)

    def remember_lines(self) -> None:
        """Put the source in `linecache`, readable whatever the file's permissions."""
        try:
            text = self.get_source("")
        except (SyntaxError, UnicodeDecodeError, ValueError):
            return
        lines = text.splitlines(keepends=True)
        linecache.cache[self.path] = (len(text), None, lines, self.path)


def _empty(folder: str) -> None:
    """Remove everything inside ``folder`` (and recreate it if it was removed)."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        entries = []
    except OSError:
        remove_tree(folder)
        entries = []
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                remove_tree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            remove_tree(entry.path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        pass


def _numba_cache(folder: str) -> None:
    """Point Numba's cache at ``folder`` (an unprivileged child's; see `Supervisor`).

    Numba is usually imported later, by the first kernel call, and reads
    ``NUMBA_CACHE_DIR`` then. If it is loaded already, its functions compiled
    by the fork server still name the grader's cache, which this user cannot
    read: loading or saving there quietly does nothing (the function is
    compiled in memory) instead of failing the learner's call.
    """
    os.environ["NUMBA_CACHE_DIR"] = folder
    config = sys.modules.get("numba.core.config")
    if config is not None:
        config.CACHE_DIR = folder
    caching = sys.modules.get("numba.core.caching")
    if caching is None:
        return
    load, save = caching.Cache.load_overload, caching.Cache.save_overload

    def load_overload(self, sig, target_context):
        try:
            return load(self, sig, target_context)
        except OSError:
            return None

    def save_overload(self, sig, data):
        try:
            save(self, sig, data)
        except OSError:
            pass

    caching.Cache.load_overload = load_overload
    caching.Cache.save_overload = save_overload


def _set_limit(which: int, value: int) -> None:
    try:
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):
        pass


@dataclass
class Confinement:
    """A worker child's confinement, once `enter` set it up."""

    source: _Source
    tmpdir: str | None  # TMPDIR, HOME: emptied after every call
    dropped: bool  # runs as the unprivileged user

    def after_call(self, reply: Reply, when: str = "after the call") -> Reply:
        """Kill what the call left running, empty the temporary folder; the reply.

        An ``ok`` reply becomes ``escaped`` if a process had to be killed; a
        failure keeps its status, with a note appended.
        """
        killed = reaper.kill_descendants()
        if self.tmpdir is not None:
            _empty(self.tmpdir)
        if not killed:
            return reply
        detail = escaped_detail(killed, when)
        if reply.status in (ReplyStatus.OK, ReplyStatus.READY):
            return Reply(ReplyStatus.ESCAPED, message=detail)
        note = ReplyStatus.ESCAPED.describe(detail)
        return replace(reply, message=f"{reply.message}\n{note}".strip())


def enter(job: Spawn) -> Confinement:
    """Confine this worker child before it imports learner code.

    ``job`` is the `autograder.protocol.Spawn` the child was forked for. Runs
    with the fork server's privileges; returns with the learner's.
    """
    server = os.getppid()
    reaper.become_subreaper()
    if job.disk_bytes > 0:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, not death
        _set_limit(resource.RLIMIT_FSIZE, job.disk_bytes)
    source = _Source(job.path)  # read while still allowed to
    source.remember_lines()
    home = os.environ.get("HOME")
    if home and "MPLCONFIGDIR" not in os.environ:
        os.environ["MPLCONFIGDIR"] = os.path.join(home, ".config", "matplotlib")
    dropped = job.uid >= 0 and os.geteuid() == 0
    if dropped:
        if job.nproc > 0:
            _set_limit(resource.RLIMIT_NPROC, job.nproc)
        os.setgroups([])
        os.setresgid(job.gid, job.gid, job.gid)
        os.setresuid(job.uid, job.uid, job.uid)
        reaper.no_new_privileges()
    tmpdir = None
    if job.tmpdir:  # made by the grader's `Supervisor`, which also removes it
        tmpdir = os.path.join(job.tmpdir, "tmp")
        os.makedirs(tmpdir, mode=0o700, exist_ok=True)
        for name in ("TMPDIR", "TEMP", "TMP", "HOME"):
            os.environ[name] = tmpdir
        tempfile.tempdir = tmpdir
    if dropped and job.numba_dir:
        _numba_cache(job.numba_dir)
    # Die with the fork server (set after the change of user, which clears
    # it): once learner code killed the server, the grader (a subreaper)
    # would be this process's parent, and the next `os.getppid()` the grader.
    reaper.die_with_parent()
    if os.getppid() != server:
        os._exit(70)
    return Confinement(source, tmpdir, dropped)
