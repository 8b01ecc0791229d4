"""The worker side of grading: a fork server and the children that run learner code.

``python -m autograder.worker CONTROL_FD`` starts the *fork server*. It imports
NumPy and the child's own machinery, then waits for ``spawn`` requests from the
grader on the control socket. Before the first child of a lesson it imports the
libraries that lesson's file imports (SciPy, `reference`, ...; read from its
syntax tree, never run), so the children of the lesson inherit them; nothing
else is imported and nothing is compiled (small layers run NumPy code, see
`reference.ops._fast.dispatch.compiled_pays`). Each request carries two file
descriptors (a duplex channel and an output pipe); the server forks a *child*
that

1. starts its own session (so a learner's ``killpg`` reaches nobody else),
   closes stdin, sends stdout/stderr to the output pipe, disables core dumps
   and caps its address space; then `autograder.confine.enter` makes it a
   subreaper, caps the size of the files it writes, gives it a private
   temporary folder and, under a root grader, an unprivileged user;
2. imports the learner's module by file path and replies ``ready`` or
   ``import-error``;
3. answers requests (`Call`, `Roundtrip`, `Gradcheck`; see
   `autograder.procedures`) with a `Reply`, sent as plain data by
   `autograder.wire`; a value that cannot be encoded is replied as
   ``bad-result``.

Requests, replies and events are the dataclasses of `autograder.protocol`.

After every call the child kills whatever the call left running and empties
its temporary folder (`autograder.confine.Confinement.after_call`).

The server is a subreaper too: it reaps its children and reports each exit
status (code or signal) to the grader, and on a `Sweep` (after each
exercise) kills every process left below it. Learner code never runs in the
server or in the grader; the grader enforces time limits from outside with
SIGKILL.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import resource
import select
import signal
import socket
import stat
import sys
import traceback

from autograder import confine, reaper, wire
from autograder.protocol import (
    CHILD_LOST_EXIT,
    Event,
    EventKind,
    Ping,
    Reply,
    ReplyStatus,
    Spawn,
    Sweep,
    decode_request,
    send,
)

_CHILDREN: set[int] = set()  # worker children not yet reaped
_REPORTED: set[int] = set()  # those whose exit was reported (zombies, kept)
_GROUPS: set[int] = set()  # every worker child's process group (its pid)

# Imported once, before the server says it is ready: what every child needs.
# What a lesson itself imports comes with its first child (`_preload_lesson`), so
# grading a week-2 metric never imports SciPy, Numba or the convolution code.
_PRELOAD = ("numpy", "autograder.procedures", "autograder.forbidden")
# The libraries a lesson's imports may bring into the server; other names (the
# learner's own modules, anything else) are left for the child to import.
_LIBRARIES = ("numpy", "scipy", "numba", "matplotlib", "reference")
_SCAN_BYTES = 1 << 20  # larger lesson files are not scanned (the child imports)


def _preload(names=_PRELOAD) -> bool:
    """Import ``names`` in the server; return True if that loaded new modules."""
    before = len(sys.modules)
    for name in names:
        try:
            importlib.import_module(name)
        except (Exception, SystemExit):  # the child reports it
            pass
    return len(sys.modules) != before


def _read_lesson(path: str) -> str | None:
    """Return the text of a regular file of at most `_SCAN_BYTES`, else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > _SCAN_BYTES:
            return None
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read(_SCAN_BYTES + 1).decode("utf-8", "replace")
    except OSError:
        return None
    finally:
        os.close(fd)


def lesson_imports(source: str) -> list[str]:
    r"""Return the library modules a lesson's source imports when it is imported.

    Only absolute imports of `_LIBRARIES` that run at import count (not those
    inside functions, which the lessons keep for their ungraded demos), without
    private parts; ``from X import Y`` gives X and X.Y (Y may be a submodule).
    Nothing runs: this reads the syntax tree.

    Examples
    --------
    >>> lesson_imports("import numpy as np\nfrom reference.metrics import auc")
    ['numpy', 'reference.metrics', 'reference.metrics.auc']
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    names: list[str] = []
    for node in _import_time_nodes(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names if a.name != "*"]
    return [
        name
        for name in dict.fromkeys(names)
        if name.split(".")[0] in _LIBRARIES
        and not any(part.startswith("_") for part in name.split("."))
    ]


def _import_time_nodes(tree: ast.AST):
    """Yield the nodes of ``tree`` that run on import (function bodies do not)."""
    todo = [tree]
    while todo:
        node = todo.pop(0)  # breadth first: the file's own order at each level
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))


def _preload_lesson(path: str) -> None:
    """Import, in the server, the libraries the lesson at ``path`` imports.

    Its children (one per exercise of the lesson) then inherit them instead
    of each importing them within its time limit. A package found next to the
    learner's file (a planted ``numpy.py``) is never imported here.
    """
    source = _read_lesson(path)
    if source is None:
        return
    lesson_folder = os.path.dirname(os.path.realpath(path))
    learners = {lesson_folder, os.path.dirname(lesson_folder)}  # weekN/ and the target
    wanted = []
    for name in lesson_imports(source):
        top = name.split(".")[0]
        if top not in sys.modules:
            try:
                spec = importlib.util.find_spec(top)
            except (ImportError, ValueError):
                continue
            if spec is None or not spec.origin:
                continue
            where = os.path.dirname(os.path.realpath(spec.origin))  # numpy.py, numpy/
            if where in learners or os.path.dirname(where) in learners:
                continue
        parent, _, last = name.rpartition(".")
        if parent and hasattr(sys.modules.get(parent), last):
            continue  # an attribute (a function), not a submodule
        wanted.append(name)
    if _preload(wanted):
        from autograder import forbidden

        forbidden.prepare()  # index the new modules too (see `serve`)


def _vm_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _limit_memory(cap_bytes: int) -> None:
    """Cap the address space at what is mapped now plus ``cap_bytes``."""
    try:
        base = _vm_bytes()
    except OSError:  # no /proc (macOS): cap the total instead
        base = 0
    try:
        resource.setrlimit(resource.RLIMIT_AS, (base + cap_bytes, base + cap_bytes))
    except (ValueError, OSError):
        pass
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _learner_traceback(exc: BaseException, path: str) -> str:
    """Format ``exc`` keeping only frames outside the grader (the learner's own)."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if f.filename == path]
    lines = traceback.format_list((own or frames[-1:])[-8:])
    head = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return (head + "\n" + "".join(lines)).rstrip()


def import_learner(path: str, module_name: str, loader=None):
    """Import the learner's file ``path`` as ``module_name`` (in sys.modules)."""
    spec = importlib.util.spec_from_file_location(module_name, path, loader=loader)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _child_main(chan: socket.socket, out_fd: int, job: Spawn) -> None:
    """Run in the forked child: import the learner module, then serve requests."""
    os.setsid()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    sys.stdin = open(0, closefd=False)  # reads give EOF
    sys.stdout = open(1, "w", buffering=1, closefd=False)
    sys.stderr = open(2, "w", buffering=1, closefd=False)
    _limit_memory(job.memory_bytes)
    fd = os.dup(chan.fileno())  # private copy: the learner may close fds 0-2 freely
    from autograder import forbidden, procedures  # imported before learner code runs

    path = job.path
    # The integrity rule: guards first, then the static check (a file that uses
    # what its exercise may not is never imported); a violation answers every
    # request with `forbidden`.
    rules = forbidden.install(job.forbidden, path)
    jail = confine.enter(job)  # limits, private folder, unprivileged user
    module = None
    try:
        if rules.violation is None:
            module = import_learner(path, job.module_name, jail.source)
    except BaseException as exc:  # report every failure, even SystemExit
        if rules.violation is None:
            message = _learner_traceback(exc, path)
            send(fd, Reply(ReplyStatus.IMPORT_ERROR, message=message))
            os._exit(0)
    send(fd, jail.after_call(Reply(ReplyStatus.READY), "after the import"))
    while True:
        try:
            request = decode_request(wire.read_frame(fd))
        except wire.WireError:
            os._exit(0)
        reply = rules.reply() or procedures.run(
            module, request, path, _learner_traceback
        )
        reply = rules.reply() or reply  # a violation during the call wins
        reply = jail.after_call(reply)  # kill what it left running, empty its folder
        try:
            payload = wire.encode(reply.to_message())
        except Exception as exc:  # e.g. an int too long to print
            detail = f"{type(exc).__name__}: {exc}"[:300]
            payload = wire.encode(
                Reply(ReplyStatus.BAD_RESULT, message=detail).to_message()
            )
        wire.write_frame(fd, payload)


def _spawn(control: socket.socket) -> None:
    message, fds, _, _ = socket.recv_fds(control, 1 << 16, 2)
    if not message:
        raise EOFError
    job = decode_request(message)
    if isinstance(job, Ping):
        send(control.fileno(), Event(EventKind.PONG, token=job.token))
        return
    if isinstance(job, Sweep):  # after an exercise: what its child left running
        _reap(control)  # the child the grader killed, if it is gone already
        count = reaper.kill_descendants(uncounted=_CHILDREN, killed_groups=_GROUPS)
        _release()  # the grader is done with the children that ended
        send(control.fileno(), Event(EventKind.SWEPT, token=job.token, count=count))
        return
    chan = socket.socket(fileno=fds[0])
    out_fd = fds[1]
    _preload_lesson(job.path)  # before the fork: its time limit starts after it
    pid = os.fork()
    if pid == 0:
        try:
            control.close()
            _child_main(chan, out_fd, job)
        finally:
            os._exit(CHILD_LOST_EXIT)
    _CHILDREN.add(pid)
    _GROUPS.add(pid)
    chan.close()
    os.close(out_fd)
    send(control.fileno(), Event(EventKind.SPAWNED, pid=pid, token=job.token))


def _reap(control: socket.socket) -> None:
    """Report each child that ended, but keep it a zombie until `_release`.

    A zombie keeps its pid: the grader may still signal the child (and its
    group) by pid without ever reaching an unrelated process that got the
    pid once it was free again.
    """
    for pid in list(_CHILDREN - _REPORTED):
        try:
            info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            _CHILDREN.discard(pid)
            continue
        if info is None:
            continue
        _REPORTED.add(pid)
        if info.si_code in (os.CLD_KILLED, os.CLD_DUMPED):
            event = Event(EventKind.EXITED, pid=pid, signal=info.si_status)
        else:
            event = Event(EventKind.EXITED, pid=pid, code=info.si_status)
        send(control.fileno(), event)


def _release() -> None:
    """Reap the children that ended (after a `Sweep`: the grader is done with them)."""
    for pid in list(_REPORTED):
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        _REPORTED.discard(pid)
        _CHILDREN.discard(pid)


def serve(control_fd: int) -> None:
    """Run the fork server on an inherited Unix socket until the grader hangs up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's business
    control = socket.socket(fileno=control_fd)
    reaper.become_subreaper()  # orphans of a killed child come here, not to init
    _preload()  # the rest on demand: `_preload_lesson`; nothing is compiled here
    from autograder import forbidden

    forbidden.prepare()  # children guard forbidden objects without a full scan
    send(control.fileno(), Event(EventKind.READY, pid=os.getpid()))
    while True:
        readable, _, _ = select.select([control], [], [], 0.05)
        _reap(control)
        if readable:
            try:
                _spawn(control)
            except (EOFError, ConnectionError, OSError):
                break
    os._exit(0)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
