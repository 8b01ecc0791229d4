"""The grading engine against hostile learner code.

Each hostile function is graded as its own exercise beside well-behaved ones in
the same module; every hostile one must score zero with the right status and a
message naming what happened, while every well-behaved exercise keeps its
points. One grading session (one fork server) serves the whole module, so these
tests also show that grading goes on after a worker dies.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograder.engine import Grader
from autograder.spec import Case, Exercise

HOSTILE = textwrap.dedent("""
    import os, signal, sys, threading, time
    import numpy as np

    def good(a, b):
        return a + b

    def loops_forever(a, b):
        while True:
            pass

    def ignores_signals(a, b):
        for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGALRM})
        while True:
            try:
                time.sleep(10)
            except BaseException:
                pass

    def hard_exit(a, b):
        os._exit(3)

    def calls_sys_exit(a, b):
        sys.exit(0)

    def calls_pytest_exit(a, b):
        import pytest
        pytest.exit("bye")

    def segfaults(a, b):
        import ctypes
        ctypes.string_at(0)

    def keyboard_interrupt(a, b):
        raise KeyboardInterrupt

    def reads_stdin(a, b):
        return a + float(input("number? "))

    def allocates_too_much(a, b):
        big = np.ones(600_000_000)  # 4.8 GB of float64
        return a + b + big[:a.size]

    def mutates_input(a, b):
        a += b
        return a

    def returns_nan(a, b):
        return np.full_like(a, np.nan)

    def wrong_shape(a, b):
        return (a + b)[:-1]

    def wrong_type(a, b):
        return list(a + b)

    class AlwaysEqual:
        def __eq__(self, other):
            return True
        __hash__ = object.__hash__

    def always_equal(a, b):
        return AlwaysEqual()

    class Exploit:
        def __reduce__(self):
            return (os.system, ("touch {marker}",))

    def unpickle_exploit(a, b):
        return Exploit()

    def kills_parent(a, b):
        os.kill(os.getppid(), signal.SIGKILL)
        return a + b

    def kills_group(a, b):
        os.killpg(0, signal.SIGKILL)

    def closes_its_files(a, b):
        os.closerange(0, 4096)
        return a + b

    def starts_a_program(a, b):
        import subprocess
        subprocess.run(["true"])
        return a + b

    def raises(a, b):
        return a / undefined_name

    def not_implemented(a, b):
        raise NotImplementedError("week0.demo.not_implemented: not implemented yet")

    def noisy_but_right(a, b):
        for _ in range(20000):
            print("x" * 500)
            print("e" * 100, file=sys.stderr)
        os.chdir("/")
        os.environ["PATH"] = ""
        threading.Thread(target=time.sleep, args=(60,), daemon=False).start()
        return a + b
""")

PATCHES_NUMPY = textwrap.dedent("""
    import numpy as np
    import reference

    np.allclose = lambda *args, **kwargs: True
    np.array_equal = lambda *args, **kwargs: True
    np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), bool)
    np.testing.assert_allclose = lambda *args, **kwargs: None
    reference.__dict__["__version__"] = "patched"

    def good(a, b):
        return a + b

    def wrong_but_patched(a, b):
        return a - b
""")


def _exercise(module: str, name: str) -> Exercise:
    return Exercise(
        module=module,
        name=name,
        points=2,
        oracle=lambda a, b: a + b,
        public=lambda: [Case((np.arange(3.0), np.ones(3)))],
        hidden=lambda rng: [Case((rng.normal(size=5), rng.normal(size=5)))],
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("target")
    marker = root / "pwned"
    (root / "week0").mkdir()
    (root / "week0" / "hostile.py").write_text(HOSTILE.replace("{marker}", str(marker)))
    (root / "week0" / "patches.py").write_text(PATCHES_NUMPY)
    (root / "week0" / "syntax.py").write_text("def good(a, b)\n    return a + b\n")
    (root / "week0" / "hangs.py").write_text("while True:\n    pass\n")
    (root / "week0" / "exits.py").write_text("import sys\nsys.exit(1)\n")
    names = [
        line.split("(")[0][4:]
        for line in HOSTILE.splitlines()
        if line.startswith("def ")
    ]
    exercises = [_exercise("week0/hostile.py", n) for n in names]
    exercises += [
        _exercise("week0/patches.py", "good"),
        _exercise("week0/patches.py", "wrong_but_patched"),
        _exercise("week0/syntax.py", "good"),
        _exercise("week0/syntax.py", "other"),
        _exercise("week0/hangs.py", "good"),
        _exercise("week0/exits.py", "good"),
        _exercise("week0/absent.py", "good"),
        _exercise("week0/hostile.py", "no_such_function"),
    ]
    with Grader(root, timeout=3.0, memory_bytes=1 << 30) as grader:
        results = {f"{e.lesson}.{e.name}": grader.grade(e) for e in exercises}
    return results, marker


@pytest.mark.parametrize(
    "name, status, words",
    [
        ("hostile.loops_forever", "timeout", "did not finish within 3 s"),
        ("hostile.ignores_signals", "timeout", "did not finish within 3 s"),
        ("hostile.hard_exit", "exited", "exited with code 3"),
        ("hostile.calls_sys_exit", "exited", "sys.exit(0)"),
        ("hostile.calls_pytest_exit", "exited", "pytest.exit"),
        ("hostile.segfaults", "crashed", "SIGSEGV"),
        ("hostile.keyboard_interrupt", "interrupt", "KeyboardInterrupt"),
        ("hostile.reads_stdin", "exception", "EOFError"),
        ("hostile.allocates_too_much", "memory", "memory"),
        ("hostile.mutates_input", "mutated-input", "argument 1"),
        ("hostile.returns_nan", "nan", "NaN"),
        ("hostile.wrong_shape", "wrong-shape", "expected (3,), got (2,)"),
        ("hostile.wrong_type", "wrong-type", "got list"),
        ("hostile.always_equal", "wrong-type", "AlwaysEqual"),
        ("hostile.unpickle_exploit", "wrong-type", "Exploit"),
        ("hostile.kills_parent", "crashed", "parent"),
        ("hostile.kills_group", "crashed", "SIGKILL"),
        ("hostile.closes_its_files", "exited", "lost its connection to the grader"),
        ("hostile.starts_a_program", "forbidden", "started another program"),
        (
            "hostile.raises",
            "exception",
            "NameError: name 'undefined_name' is not defined",
        ),
        ("hostile.not_implemented", "not-implemented", "not implemented"),
        ("hostile.no_such_function", "missing", "no function named 'no_such_function'"),
        ("patches.wrong_but_patched", "wrong-value", "expected 1, got -1"),
        ("syntax.good", "import-error", "SyntaxError"),
        ("syntax.other", "import-error", "SyntaxError"),
        ("hangs.good", "import-error", "did not finish within 3 s"),
        ("exits.good", "import-error", "SystemExit"),
        ("absent.good", "missing", "file not found"),
    ],
)
def test_hostile_code_scores_zero_with_a_clear_message(graded, name, status, words):
    result = graded[0][name]
    assert (result.status, result.score) == (status, 0), result.message
    assert words in result.message


@pytest.mark.parametrize(
    "name", ["hostile.good", "hostile.noisy_but_right", "patches.good"]
)
def test_well_behaved_exercises_keep_full_marks(graded, name):
    result = graded[0][name]
    assert (result.status, result.score) == ("passed", 2), result.message


def test_nothing_learner_sent_was_unpickled(graded):
    assert not Path(graded[1]).exists()


def test_the_case_that_failed_is_named(graded):
    message = graded[0]["hostile.wrong_shape"].message
    assert message.startswith("public case 1: wrong_shape([0., 1., 2.], [1., 1., 1.])")


def test_hidden_failures_print_the_seed(tmp_path):
    (tmp_path / "week0").mkdir()
    (tmp_path / "week0" / "m.py").write_text(
        "def good(a, b):\n    return a + b if a.size == 3 else a * b\n"
    )
    with Grader(tmp_path, timeout=5.0, seed=77) as grader:
        result = grader.grade(_exercise("week0/m.py", "good"))
    assert result.status == "wrong-value"
    assert "hidden case 1 of 1" in result.message
    assert "--seed 77" in result.message


def test_grading_leaves_no_process_behind(tmp_path):
    (tmp_path / "week0").mkdir()
    (tmp_path / "week0" / "m.py").write_text("def good(a, b):\n    return a + b\n")
    grader = Grader(tmp_path, timeout=5.0)
    assert grader.grade(_exercise("week0/m.py", "good")).passed
    server_pid = grader._server._proc.pid
    grader.close()
    with pytest.raises(ProcessLookupError):
        os.kill(server_pid, 0)
