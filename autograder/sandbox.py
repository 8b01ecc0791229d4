"""The grader's side of process isolation: start the fork server, run children.

`ForkServer` starts ``python -m autograder.worker`` in its own session and
keeps it alive (it is restarted if learner code kills it). `ForkServer.spawn`
returns a `Child` bound to one learner module; `Child.request` sends one
request and waits for the reply with a wall-clock deadline enforced here, in
the grader, by SIGKILL — so it holds even when learner code ignores or blocks
signals. Every way a child can go wrong surfaces as a `ChildFailure` with a
`Status` and a message. `ForkServer.sweep`, after each exercise, kills what
learner code left running; `autograder.confine.Supervisor` holds the rest of
the confinement (private folders, the learner's user, orphans). Requests
and replies are those of `autograder.protocol`; nothing a child sends is
unpickled.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from itertools import count
from pathlib import Path

from autograder import confine, wire
from autograder.protocol import (
    CHILD_LOST_EXIT,
    Event,
    EventKind,
    Ping,
    ProtocolError,
    Reply,
    ReplyStatus,
    Request,
    Spawn,
    Status,
    Sweep,
    encode_request,
)

__all__ = ["ChildFailure", "Child", "ForkServer", "OUTPUT_CAP_BYTES"]

OUTPUT_CAP_BYTES = 16_384  # learner output kept for messages; the rest is drained
_SERVER_START_TIMEOUT = 180.0  # cold imports (Numba, SciPy) on a slow machine
_EXIT_STATUS_WAIT = 2.0
_REPO_ROOT = Path(__file__).resolve().parent.parent


class ChildFailure(Exception):
    """A child did not produce a reply: ``status`` says why, ``message`` explains."""

    def __init__(self, status: Status, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def worker_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Build the fork server's environment: Agg, a Numba cache, the repo on the path."""
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    # The server forks after imports: a Numba OpenMP pool in it would kill every child.
    env.setdefault("NUMBA_THREADING_LAYER", "workqueue")
    env.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "ai4md" / "numba"))
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(_REPO_ROOT), env.get("PYTHONPATH")])
    )
    env.update(extra or {})
    return env


@dataclass
class _Output:
    """Drains a child's stdout/stderr pipe, keeping the first bytes only."""

    fd: int
    head: bytearray = field(default_factory=bytearray)
    total: int = 0

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        try:
            while chunk := os.read(self.fd, 65536):
                self.total += len(chunk)
                if len(self.head) < OUTPUT_CAP_BYTES:
                    self.head += chunk[: OUTPUT_CAP_BYTES - len(self.head)]
        except OSError:
            pass
        finally:
            os.close(self.fd)

    def text(self) -> str:
        shown = self.head.decode("utf-8", "replace")
        if self.total > len(self.head):
            shown += (
                f"\n... ({self.total - len(self.head)} more bytes of output not shown)"
            )
        return shown


class Child:
    """One forked worker that has imported one learner module."""

    def __init__(
        self, server: ForkServer, pid: int, chan: socket.socket, output: _Output
    ) -> None:
        self.server, self.pid, self.chan, self.output = server, pid, chan, output
        self.alive = True

    def request(self, request: Request, timeout: float) -> Reply:
        """Send ``request`` and return the checked reply, or raise `ChildFailure`."""
        if not self.alive:
            raise ChildFailure(Status.CRASHED, "the worker is no longer running")
        try:
            wire.write_frame(self.chan.fileno(), encode_request(request))
        except OSError:
            raise self._died() from None
        return self.receive(timeout)

    def receive(self, timeout: float) -> Reply:
        """Wait up to ``timeout`` seconds for one reply."""
        try:
            frame = wire.read_frame(self.chan.fileno(), time.monotonic() + timeout)
            return Reply.from_message(wire.decode(frame))
        except TimeoutError:
            self.kill()
            raise ChildFailure(
                Status.TIMEOUT,
                f"did not finish within {timeout:g} s "
                "(infinite loop? waiting for input?)",
            ) from None
        except wire.Closed:
            raise self._died() from None
        except ProtocolError as exc:
            self.kill()
            raise ChildFailure(Status.CRASHED, str(exc)) from None
        except wire.WireError as exc:
            self.kill()
            raise ChildFailure(
                Status.CRASHED, f"the worker sent a malformed reply ({exc})"
            ) from None

    def _died(self) -> ChildFailure:
        self.alive = False
        status = self.server.exit_status(self.pid, _EXIT_STATUS_WAIT)
        self.kill()
        if status is None:
            return ChildFailure(
                Status.CRASHED, "the worker process vanished (its parent was killed?)"
            )
        kind, value = status
        if kind == "signal":
            name = _signal_name(value)
            if value == signal.SIGSEGV:
                return ChildFailure(
                    Status.CRASHED, f"crashed with {name} (segmentation fault)"
                )
            if value == signal.SIGKILL:
                return ChildFailure(
                    Status.CRASHED,
                    f"killed by {name} (out of memory, or killed itself?)",
                )
            return ChildFailure(Status.CRASHED, f"crashed with {name}")
        if value == CHILD_LOST_EXIT:
            return ChildFailure(
                Status.EXITED,
                "lost its connection to the grader before answering "
                "(closed the process's file descriptors, e.g. os.closerange?)",
            )
        return ChildFailure(
            Status.EXITED,
            f"the process exited with code {value} "
            "(os._exit or exit from C code?) before answering",
        )

    def kill(self) -> None:
        """Kill the child (and anything in its session); idempotent."""
        self.alive = False
        for target in (
            lambda: os.killpg(self.pid, signal.SIGKILL),
            lambda: os.kill(self.pid, signal.SIGKILL),
        ):
            try:
                target()
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.chan.close()
        except OSError:
            pass

    def output_text(self) -> str:
        """Return what the learner's code printed so far (capped)."""
        self.output.thread.join(0.2)
        return self.output.text()


class ForkServer:
    """Owns the fork-server process and the stream of its events."""

    def __init__(
        self,
        memory_bytes: int,
        env: dict[str, str] | None = None,
        disk_bytes: int = confine.DEFAULT_DISK_BYTES,
    ) -> None:
        self.memory_bytes, self.disk_bytes = memory_bytes, disk_bytes
        self.env = worker_environment(env)
        self._tokens = count()
        self._proc = None
        # processes, folders and the user of learner code (autograder.confine)
        self.jail = confine.Supervisor(disk_bytes, self.env.get("NUMBA_CACHE_DIR"))
        try:
            self._start()
        except BaseException:
            self.jail.close()
            raise

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "autograder.worker", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env=self.env,
            cwd=os.getcwd(),
        )
        self.jail.server_started(self._proc.pid)
        theirs.close()
        self._control = ours
        self._events: queue.Queue = queue.Queue()
        self._exits: dict[int, tuple[str, int]] = {}
        self._lock = threading.Condition()
        threading.Thread(
            target=self._listen, args=(ours, self._events), daemon=True
        ).start()
        event = self._next_event(EventKind.READY, _SERVER_START_TIMEOUT)
        if event is None:
            detail = (
                self._proc.stderr.read().decode(errors="replace")[-2000:]
                if self._proc.poll() is not None
                else "no answer"
            )
            raise RuntimeError(f"the grading worker did not start: {detail}")

    def _listen(self, control: socket.socket, events: queue.Queue) -> None:
        fd = control.fileno()
        try:
            while True:
                event = Event.from_message(wire.decode(wire.read_frame(fd)))
                if event.kind is EventKind.EXITED:
                    with self._lock:
                        self._exits[event.pid] = event.exit_status
                        self._lock.notify_all()
                else:
                    events.put(event)
        except (wire.WireError, OSError):
            events.put(None)
            with self._lock:
                self._lock.notify_all()

    def _next_event(self, kind: EventKind, timeout: float) -> Event | None:
        try:
            event = self._events.get(timeout=timeout)
        except queue.Empty:
            return None
        return event if event is not None and event.kind is kind else None

    def alive(self) -> bool:
        """Whether the fork server process is still running."""
        return self._proc is not None and self._proc.poll() is None

    def exit_status(self, pid: int, timeout: float) -> tuple[str, int] | None:
        """Wait up to ``timeout`` for a child's exit: ("code"|"signal", n) or None."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while pid not in self._exits:
                left = deadline - time.monotonic()
                if left <= 0 or not self.alive():
                    return self._exits.get(pid)
                self._lock.wait(left)
            return self._exits.pop(pid)

    def ping(self, timeout: float = 5.0) -> bool:
        """Whether the fork server still answers (False once learner code killed it)."""
        if self._proc is None or not self.alive():
            return False
        token = next(self._tokens)
        try:
            socket.send_fds(self._control, [encode_request(Ping(token))], [])
        except OSError:
            return False
        event = self._next_event(EventKind.PONG, timeout)
        return event is not None and event.token == token

    def spawn(
        self, path: str, module_name: str, timeout: float, forbidden: tuple = ()
    ) -> Child:
        """Fork a child that imports ``path``; raise `ChildFailure` if that fails.

        ``forbidden``: dotted names the exercise may not use (`autograder.forbidden`).
        """
        if not self.ping():  # learner code may have killed the previous server
            self._stop()
            self._start()
        ours, theirs = socket.socketpair()
        out_read, out_write = os.pipe()
        job = Spawn(
            path, module_name, next(self._tokens), self.memory_bytes, tuple(forbidden)
        )
        job = replace(job, **self.jail.spawn_fields(job.token))
        try:
            socket.send_fds(
                self._control, [encode_request(job)], [theirs.fileno(), out_write]
            )
        finally:
            theirs.close()
            os.close(out_write)
        event = self._next_event(EventKind.SPAWNED, 30.0)
        if event is None:
            ours.close()
            os.close(out_read)
            raise ChildFailure(
                Status.CRASHED, "the grading worker did not start a process"
            )
        self.jail.children.add(event.pid)
        child = Child(self, event.pid, ours, _Output(out_read))
        reply = child.receive(timeout)
        if reply.status is not ReplyStatus.READY:
            child.kill()
            raise ChildFailure(Status.IMPORT_ERROR, reply.message)
        return child

    def sweep(self, timeout: float = 30.0) -> int:
        """After an exercise, kill what learner code left running; return how many.

        Call `Child.kill` first. The fork server kills every process below it
        but its children; if it is gone (killed by learner code), its
        processes came back to the grader, a subreaper, which kills them.
        The children's private folders are then removed.
        """
        killed = None
        if self.alive():
            token = next(self._tokens)
            try:
                socket.send_fds(self._control, [encode_request(Sweep(token))], [])
                event = self._next_event(EventKind.SWEPT, timeout)
            except OSError:
                event = None
            if event is not None and event.token == token:
                killed = event.count or 0
        if killed is None and self._proc is not None:
            killed = self.jail.kill_orphans(self._proc.pid)
        self.jail.remove_folders()
        return killed or 0

    def close(self) -> None:
        """Stop the fork server, kill what learner code left, remove its folders."""
        self._stop()
        self.jail.close()

    def _stop(self) -> None:
        """Stop the fork server and everything below it."""
        if self._proc is None:
            return
        if self.alive():
            self.sweep(5.0)
        try:
            self._control.close()
        except OSError:
            pass
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._proc.wait()
        self._proc.stderr.close()
        self.jail.server_stopped(self._proc.pid)
        self._proc = None
        self.jail.kill_orphans(None)  # what the server left is the grader's now
        self.jail.remove_folders()

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
