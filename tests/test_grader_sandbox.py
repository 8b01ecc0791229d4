"""Nothing a submission does may outlive or outgrow its exercise.

Hostile functions are graded beside well-behaved ones in one session (one fork
server), as in test_grader_isolation.py: a process left running (a double fork
with ``setsid``, with or without a timeout), a 3 GB write to the temporary
folder, a fork bomb, killing the fork server after leaving a process behind.
Each hostile one scores zero with a message naming what happened, every other
exercise keeps its points, and afterwards no process the learner code started
is still running (each writes its pid to a marks folder; the test looks them
up in /proc) and nothing it wrote is left.

The session runs twice when the tests run as root: with learner code as root
(``AI4MD_GRADE_USER=root``) and as ``nobody``; otherwise once, as the test's
own user. The tamper checks (learner code rewriting the grader's ``reference``
package) run ``python -m autograder grade`` on a copy of the packages, never
on this repository.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.engine import Grader
from autograder.spec import Case, Exercise

ROOT = Path(__file__).resolve().parent.parent
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
DISK = 16 << 20  # --disk in these tests
CHUNK = 4 << 20  # what the disk filler writes at a time
TIMEOUT = 2.0

HOSTILE = textwrap.dedent("""
    import os, resource, signal, sys, tempfile, time
    import numpy as np

    MARKS = {marks!r}

    def _mark(tag, text=""):
        try:
            with open(os.path.join(MARKS, f"{{tag}}-{{os.getpid()}}"), "w") as f:
                f.write(text)
        except OSError:
            pass

    def _daemon(tag, seconds=60):
        # double fork + setsid: a busy-looping grandchild, bounded in time in
        # case containment fails
        if os.fork() == 0:
            try:
                os.setsid()
                if os.fork() == 0:
                    _mark(tag)
                    end = time.monotonic() + seconds
                    while time.monotonic() < end:
                        pass
            finally:
                os._exit(0)
        os.wait()

    def good(a, b):
        return a + b

    def numba_cached(a, b):
        import numba

        @numba.njit(cache=True)  # the cache folder must work for the learner's user
        def add(x, y):
            return x + y

        _mark("numba", str(add._cache.cache_path))
        return a + b

    good_after_disk = good_after_bomb = good_after_daemons = good

    def leaves_daemon(a, b):
        _daemon("daemon")
        return a + b

    def leaves_daemon_then_loops(a, b):
        _daemon("daemon")
        while True:
            time.sleep(0.05)

    def leaves_daemon_then_raises(a, b):
        _daemon("daemon")
        raise ValueError("and then this")

    def fills_disk(a, b):
        chunk = b"\\0" * {chunk}
        path = os.path.join(tempfile.gettempdir(), "big.bin")
        biggest = 0
        try:
            with open(path, "wb", buffering=0) as f:
                for _ in range((3 << 30) // len(chunk)):  # 3 GB
                    f.write(chunk)
                    biggest = max(biggest, os.path.getsize(path))
        finally:
            biggest = max(biggest, os.path.getsize(path))
            _mark("disk", f"{{biggest}} {{path}}")
        return a + b

    def fork_bomb(a, b):
        me = os.getpid()
        for _ in range(7):  # at most 2**7 processes, in case containment fails
            try:
                if os.fork() == 0:
                    _mark("bomb")
            except OSError:
                pass
        if os.getpid() != me:
            end = time.monotonic() + 60
            while time.monotonic() < end:
                time.sleep(0.05)
            os._exit(0)
        while True:
            time.sleep(0.05)

    def reports_identity(a, b):
        folder = tempfile.gettempdir()
        nproc = resource.getrlimit(resource.RLIMIT_NPROC)[0]
        fsize = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        text = (f"{{os.getuid()}} {{os.stat(folder).st_uid}} {{nproc}} {{fsize}} "
                f"{{os.environ['HOME'] == folder}} {{folder}}")
        _mark("identity", text)
        return a + b

    def writes_root_file(a, b):
        with open({protected!r}, "a") as f:
            f.write("# tampered")
        return a + b

    def kills_server(a, b):
        _daemon("orphan")
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(1)  # the server is gone: is the grader the parent now?
        os.kill(os.getppid(), signal.SIGKILL)
        os._exit(3)
""")

# (name, status, words) for each mode; None: the exercise is not graded there
EXPECTED = {
    "good": ("passed", ""),
    "leaves_daemon": (
        "escaped",
        "left 1 process running after the call (a background or double-forked "
        "process?); it was killed",
    ),
    "leaves_daemon_then_loops": ("timeout", "left 1 process running after its last"),
    "leaves_daemon_then_raises": ("exception", "left 1 process running after the"),
    "good_after_daemons": ("passed", ""),
    "fills_disk": (
        "disk-limit",
        "tried to write a file larger than the grader's limit of 16 MiB (--disk)",
    ),
    "good_after_disk": ("passed", ""),
    "fork_bomb": ("timeout", f"did not finish within {TIMEOUT:g} s"),
    "good_after_bomb": ("passed", ""),
    "reports_identity": ("passed", ""),
    "numba_cached": ("passed", ""),
}
SAME_USER = {"kills_server": ("crashed", "left 1 process running after its last")}
UNPRIVILEGED = {
    "writes_root_file": ("exception", "PermissionError"),
    "kills_server": ("exception", "PermissionError"),
}
MODES = ["same-user", "unprivileged"] if IS_ROOT else ["same-user"]


def _readable_by_nobody() -> bool:
    """Whether ``nobody`` can read Python and NumPy here (for imports in a child)."""
    from autograder import identity

    nobody = identity.Identity(65534, 65534, "nobody")
    folders = [Path(os.__file__).parent, Path(np.__file__).parent, ROOT]
    return all(identity.unreadable(f, nobody) is None for f in folders)


# Here a child running as nobody cannot import what the fork server did not
# (Python under /root, say): the exercise that imports Numba is then left out.
NOBODY_IMPORTS = IS_ROOT and _readable_by_nobody()


def _exercise(name: str) -> Exercise:
    return Exercise(
        module="week0/hostile.py",
        name=name,
        points=2,
        oracle=lambda a, b: a + b,
        public=lambda: [Case((np.arange(3.0), np.ones(3)))],
        hidden=lambda rng: [Case((rng.normal(size=5), rng.normal(size=5)))],
    )


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie does not) as a grading worker's fork."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    state = stat[stat.rindex(b")") + 2 :].split()[0]
    return state not in (b"Z", b"X") and b"autograder.worker" in cmdline


@pytest.fixture(scope="module", params=MODES)
def session(request, tmp_path_factory):
    mode = request.param
    root = tmp_path_factory.mktemp(f"target-{mode}")
    marks = Path(tempfile.mkdtemp(prefix="ai4md-test-marks-"))
    marks.chmod(0o1777)  # the learner's user may not be ours
    protected = marks / "protected" / "grader_file.py"
    protected.parent.mkdir()
    protected.write_text("# the grader's\n")
    protected.parent.chmod(0o755)
    (root / "week0").mkdir()
    (root / "week0" / "hostile.py").write_text(
        HOSTILE.format(marks=str(marks), chunk=CHUNK, protected=str(protected))
    )
    expected = {**EXPECTED, **(UNPRIVILEGED if mode == "unprivileged" else SAME_USER)}
    if mode == "unprivileged" and not NOBODY_IMPORTS:
        del expected["numba_cached"]
    user = {"same-user": "root", "unprivileged": "nobody"}[mode]
    patch = pytest.MonkeyPatch()
    if IS_ROOT:
        patch.setenv("AI4MD_GRADE_USER", user)
    try:
        with Grader(
            root, timeout=TIMEOUT, memory_bytes=1 << 30, disk_bytes=DISK
        ) as grader:
            server = grader._server_ready()
            base = server.jail.base
            results = {name: grader.grade(_exercise(name)) for name in expected}
        time.sleep(0.2)  # SIGKILL is asynchronous
        survivors = [
            m.name
            for m in marks.iterdir()
            if "-" in m.name and _alive(int(m.name.rsplit("-", 1)[1]))
        ]
        yield {
            "mode": mode,
            "target": root,
            "results": results,
            "expected": expected,
            "marks": marks,
            "base": base,
            "survivors": survivors,
            "protected": protected.read_text(),
        }
    finally:
        patch.undo()
        for m in marks.iterdir():  # best effort, if containment failed
            if "-" in m.name and _alive(pid := int(m.name.rsplit("-", 1)[1])):
                os.kill(pid, 9)
        shutil.rmtree(marks, ignore_errors=True)


def _mark(session, tag: str) -> str:
    found = [m for m in session["marks"].iterdir() if m.name.startswith(f"{tag}-")]
    assert found, f"the learner code wrote no {tag!r} mark"
    return found[0].read_text()


def test_each_hostile_exercise_scores_zero_with_its_message(session):
    for name, (status, words) in session["expected"].items():
        result = session["results"][name]
        if status == "passed":
            assert result.passed, f"{name}: {result.message}"
            assert result.score == 2
        else:
            assert (result.status, result.score) == (status, 0), (
                f"{name}: {result.status}\n{result.message}"
            )
            assert words in result.message, f"{name}: {result.message}"


def test_no_process_started_by_learner_code_survives(session):
    marks = [m.name for m in session["marks"].iterdir()]
    assert any(m.startswith("daemon-") for m in marks)
    assert any(m.startswith("bomb-") for m in marks)
    assert session["survivors"] == []


def test_a_write_stops_at_the_disk_limit_and_nothing_is_left(session):
    biggest, path = _mark(session, "disk").split(" ", 1)
    assert int(biggest) <= DISK + CHUNK
    assert not Path(path).exists()
    assert not session["base"].exists()  # every child's private folder is gone


def test_learner_code_runs_in_a_private_folder_with_limits(session):
    uid, owner, nproc, fsize, home, folder = _mark(session, "identity").split()
    assert uid == owner and home == "True" and int(fsize) == DISK
    assert Path(folder).is_relative_to(session["base"])
    if session["mode"] == "unprivileged":
        assert int(uid) != 0 and 0 < int(nproc) < 10_000
        assert session["protected"] == "# the grader's\n"  # could not write there


def test_learner_code_never_writes_the_graders_numba_cache(session):
    if session["mode"] != "unprivileged":
        pytest.skip("learner code running as the grader's user can write anything")
    if not NOBODY_IMPORTS:
        pytest.skip("nobody cannot read Python here, so it cannot import Numba")
    assert session["results"]["numba_cached"].passed
    cache_path = Path(_mark(session, "numba"))
    assert cache_path.is_relative_to(session["base"])  # the grading's own copy
    real = os.environ.get("NUMBA_CACHE_DIR") or Path.home() / ".cache/ai4md/numba"
    source = os.path.abspath(session["target"] / "week0")
    name = f"week0_{hashlib.sha1(source.encode()).hexdigest()}"  # Numba's naming
    assert not (Path(real) / name).exists()


def test_an_escape_after_a_failure_keeps_the_failure_and_zeroes_everything(session):
    result = session["results"]["leaves_daemon_then_raises"]
    assert "ValueError: and then this" in result.message
    assert all(group.score == 0 for group in result.groups)


# ------------------------------------------------------- tampering with the grader

TAMPERING = textwrap.dedent("""
    import numpy as np

    TARGET = {target!r}

    def true_positives(y, pred, th=0.5):
        try:
            with open(TARGET, "a") as f:  # a fake oracle, for the next grading
                f.write("\\n\\ndef fake_oracle(*args, **kwargs):\\n    return 0\\n")
            with open({added!r}, "w") as f:
                f.write("print('imported by the next grading')\\n")
        except OSError:
            pass
        y, pred = np.asarray(y), np.asarray(pred)
        return np.sum((y == 1) & (pred >= th))
""")


@pytest.fixture(scope="module")
def grader_copy():
    """A copy of the ``reference`` and ``autograder`` packages that anyone may read."""
    copy = Path(tempfile.mkdtemp(prefix="ai4md-test-copy-"))
    copy.chmod(0o755)
    for package in ("reference", "autograder"):
        shutil.copytree(
            ROOT / package,
            copy / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    yield copy
    shutil.rmtree(copy, ignore_errors=True)


def _grade_tampering(copy: Path, tmp_path: Path, user: str | None):
    target = copy / "reference" / "metrics" / "__init__.py"
    added = copy / "reference" / "fake_oracle.py"
    original = target.read_bytes()
    (tmp_path / "sub" / "week2").mkdir(parents=True)
    (tmp_path / "sub" / "week2" / "diagnostic_metrics.py").write_text(
        TAMPERING.format(target=str(target), added=str(added))
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(copy),
        "AI4MD_TAMPER_GUARD": "restore",
        "NUMBA_DISABLE_JIT": "1",  # the copy's kernels are not in Numba's cache
        "NUMBA_CACHE_DIR": str(tmp_path / "numba"),
    }
    if user is not None:
        env["AI4MD_GRADE_USER"] = user
    out = tmp_path / "results.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            "week2.diagnostic_metrics.true_positives",
            "--target",
            str(tmp_path / "sub"),
            "--json",
            str(out),
            "--timeout",
            "20",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    kept = re.search(r"kept in (\S+)", run.stderr)
    if kept:
        shutil.rmtree(kept.group(1), ignore_errors=True)
    return run, json.loads(out.read_text()), target, original, added


def test_a_run_that_changed_the_grader_is_restored_and_untrustworthy(
    grader_copy, tmp_path
):
    user = "root" if IS_ROOT else None
    run, data, target, original, added = _grade_tampering(grader_copy, tmp_path, user)
    assert run.returncode == 3, run.stdout + run.stderr
    assert data["score"] == 1  # full marks, yet untrustworthy
    assert data["output"].startswith("UNTRUSTWORTHY RUN")
    assert f"modified: {target}" in data["extra_data"]["tampered"]
    assert f"added: {added}" in data["extra_data"]["tampered"]
    assert "UNTRUSTWORTHY RUN" in run.stderr and str(target) in run.stderr
    assert target.read_bytes() == original and not added.exists()


@pytest.mark.skipif(not IS_ROOT, reason="learner code changes user only under root")
def test_an_unprivileged_learner_cannot_change_the_grader(grader_copy, tmp_path):
    run, data, target, original, added = _grade_tampering(
        grader_copy, tmp_path, "nobody"
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert data["score"] == 1 and "UNTRUSTWORTHY" not in data["output"]
    assert "tampered" not in data["extra_data"]
    assert target.read_bytes() == original and not added.exists()


def test_the_guard_tells_byte_code_from_tampering(tmp_path):
    import py_compile

    from autograder import tamper

    package = tmp_path / "pkg"
    package.mkdir()
    module = package / "mod.py"
    module.write_text("def oracle():\n    return 1\n")
    guard = tamper.Guard(roots=[tamper.Root(package)])
    fresh = Path(py_compile.compile(str(module)))  # what an import writes
    assert guard.check(report=False) == []
    forged = fresh.read_bytes()[:16] + __import__("marshal").dumps(
        compile("def oracle():\n    return 0\n", str(module), "exec")
    )
    fresh.write_bytes(forged)  # same header, other code: a planted .pyc
    module.chmod(0o666)
    (package / "extra.py").write_text("")
    changes = guard.check(restore=False, report=False)
    assert changes == [
        f"added: {fresh}",
        f"added: {package / 'extra.py'}",
        f"permissions: {module}",
    ]
    assert fresh.read_bytes() == forged  # report only: nothing was put back
    assert guard.check(restore=True, report=False) == changes  # now put back
    assert not fresh.exists() and not (package / "extra.py").exists()
    assert module.stat().st_mode & 0o777 != 0o666
    if guard.quarantine is not None:
        shutil.rmtree(guard.quarantine)


def test_the_folders_of_a_killed_grader_are_removed_by_the_next_one():
    from autograder import confine

    done = subprocess.Popen(["true"])
    done.wait()  # its pid now names no process (a killed grader's)
    stale = Path(tempfile.gettempdir(), f"ai4md-grading-{done.pid}-test")
    (stale / "child-0" / "tmp").mkdir(parents=True)
    (stale / "child-0" / "tmp" / "big.bin").write_bytes(b"0" * 1024)
    supervisor = confine.Supervisor()
    try:
        assert not stale.exists()
        assert supervisor.base.name.startswith(f"ai4md-grading-{os.getpid()}-")
    finally:
        supervisor.close()
        shutil.rmtree(stale, ignore_errors=True)
    assert not supervisor.base.exists()
