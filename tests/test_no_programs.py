"""`autograder.no_programs`: no program starts while an exercise is graded.

An audit hook cannot be removed, so the hook is installed in a fresh
interpreter; the grader end to end is in test_forbidden_imports.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from autograder import no_programs

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent("""
    import ctypes, json, os, subprocess, sys, tempfile
    os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp()  # no font cache yet
    from autograder import no_programs

    popen, recorded, refused = [], [], []
    sys.addaudithook(lambda e, a: popen.append(e) if e == "subprocess.Popen" else None)
    no_programs.install(recorded.append)

    # a library probing for a tool: refused, handled by the library, not recorded
    import matplotlib
    from matplotlib import font_manager
    fonts = font_manager._get_fontconfig_fonts.__wrapped__()
    library = {"popen": len(popen), "recorded": list(recorded), "fonts": fonts}

    # this file is the learner's code: refused and recorded
    for start in (
        lambda: subprocess.run([sys.executable, "-c", "print(1)"]),
        lambda: os.system("true"),
        lambda: os.execv(sys.executable, [sys.executable, "-c", "print(1)"]),
        lambda: ctypes.CDLL(None).system,
    ):
        try:
            start()
        except PermissionError as exc:
            refused.append(str(exc))
    pid = os.fork()  # forking stays allowed: the child keeps the hook
    if pid == 0:
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"library": library, "recorded": recorded, "refused": refused,
                      "fork_status": status}))
""")


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    script = tmp_path_factory.mktemp("learner") / "lesson.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_library_probing_for_a_tool_is_refused_but_not_blamed(outcome):
    library = outcome["library"]
    assert library["popen"] >= 1  # matplotlib did try to run fc-list
    assert library["recorded"] == [] and library["fonts"] == []


def test_the_learners_own_programs_are_refused_and_recorded(outcome):
    hows = ["`subprocess.Popen`", "`os.system`", "`os.exec`", "libc's `system`"]
    assert len(outcome["refused"]) == len(hows)
    for how, refused, recorded in zip(
        hows, outcome["refused"], outcome["recorded"], strict=True
    ):
        assert "starting a program is not allowed while grading" in refused
        assert recorded == no_programs.program_message(
            how + (" through ctypes" if "libc" in how else "")
        )
    assert outcome["fork_status"] == 0


def _frames(*files):
    """A fake stack, innermost first, of code objects from ``files``."""
    frame = None
    for file in reversed(files):
        frame = SimpleNamespace(f_code=SimpleNamespace(co_filename=file), f_back=frame)
    return frame


@pytest.mark.parametrize(
    ("files", "learner"),
    [
        # a system Python: site-packages lies inside the standard library folder
        (("/usr/lib/py/subprocess.py", "/usr/lib/py/site/mpl/fm.py", "/h/l.py"), False),
        (("/usr/lib/py/subprocess.py", "/usr/lib/py/os.py", "/h/l.py"), True),
        (("<frozen os>", "/h/lesson.py"), True),
        (("<string>", "/h/lesson.py"), True),  # code the learner exec'd
        (("/usr/lib/py/subprocess.py",), False),  # nobody but the library
    ],
)
def test_the_caller_is_the_innermost_frame_outside_the_standard_library(files, learner):
    stdlib, site = ("/usr/lib/py/",), ("/usr/lib/py/site/",)
    assert no_programs._asked_by_learner(_frames(*files), stdlib, site, site) is learner
