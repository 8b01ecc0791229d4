"""Start-up cost of grading (issues 12 and 17): import only what is needed.

No timings here (``benchmarks/grading.py`` measures them): these tests pin what
is imported. ``ai4md list`` and a week-2 grade never import Numba or SciPy; the
fork server imports a lesson's libraries on demand; nothing is compiled.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from autograder import worker
from autograder.protocol import Call
from autograder.sandbox import ForkServer

HEAVY = ("numba", "scipy", "matplotlib", "reference.ops", "reference.tasks.chest_xray")


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_ai4md_list_imports_no_numba_scipy_or_training_code():
    out = _run(f"""
        import contextlib, io, sys
        from autograder.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["list"]) == 0
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))
    """)
    assert out.strip() == "[]"


def test_train_help_still_lists_the_tasks_options():
    out = _run("""
        import contextlib, io
        from autograder.cli import build_parser
        text = io.StringIO()
        with contextlib.redirect_stdout(text), contextlib.suppress(SystemExit):
            build_parser(["train", "chest-xray", "--help"]).parse_args(
                ["train", "chest-xray", "--help"])
        print(text.getvalue())
    """)
    assert "--epochs" in out and "--model" in out


def test_grading_a_week2_exercise_imports_no_numba_or_scipy_in_the_grader():
    out = _run(f"""
        import sys
        from autograder import registry, runner
        from autograder.cli import PACKAGE_ROOT
        exercises = registry.select(["get_sensitivity", "bootstrap_auc_ci"])
        results = runner.grade(exercises, PACKAGE_ROOT / "solutions")
        assert all(r.passed for r in results), [(r.status, r.message) for r in results]
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))
    """)
    assert out.strip() == "[]"


PROBE = """
import sys

import numpy as np
{extra}

def loaded(names):
    {call}
    return sorted(m for m in names if m in sys.modules)
"""


def _loaded_in_worker(tmp_path, extra="", call="pass") -> list:
    path = tmp_path / "probe.py"
    path.write_text(PROBE.format(extra=extra, call=call))
    with ForkServer(2 << 30) as server:
        child = server.spawn(str(path), "ai4md_probe.probe", 60.0)
        try:
            reply = child.request(Call("loaded", [list(HEAVY)], {}), 60.0)
        finally:
            child.kill()
    return reply.value


def test_a_numpy_only_lesson_runs_without_numba_or_scipy(tmp_path):
    # a week-2 lesson imports NumPy only: so does its worker
    assert _loaded_in_worker(tmp_path) == []


def test_the_worker_imports_a_lessons_libraries_but_compiles_nothing(tmp_path):
    # a model-block lesson imports reference.ops (preloaded in the fork server);
    # its tiny layers run NumPy code, so Numba is never imported
    call = (
        "from reference.ops import conv_forward, max_pool_forward\n"
        "    out, _ = conv_forward(np.ones((1, 2, 5, 5)), np.ones((3, 2, 3, 3)))\n"
        "    max_pool_forward(out, 2)"
    )
    loaded = _loaded_in_worker(tmp_path, "import reference.ops", call)
    assert loaded == ["reference.ops"]


def test_lesson_imports_reads_what_runs_on_import():
    source = textwrap.dedent("""
        import os
        import numpy as np
        from reference.metrics import roc_auc_score
        from . import helper
        try:
            import scipy.ndimage
        except ImportError:
            pass

        def demo():
            import matplotlib.pyplot  # only when called: not preloaded
            from reference.tasks import brain_mri
    """)
    assert worker.lesson_imports(source) == [
        "numpy",
        "reference.metrics",
        "reference.metrics.roc_auc_score",
        "scipy.ndimage",
    ]
    assert worker.lesson_imports("import numpy._core\nthis is not Python") == []


def test_the_fork_server_never_imports_a_module_planted_in_the_target(
    tmp_path, monkeypatch
):
    # a learner's folder holding a library's name (a `numpy.py`): the server
    # leaves it to the child, which runs it under the child's limits
    (tmp_path / "week2").mkdir()
    lesson = tmp_path / "week2" / "lesson.py"
    lesson.write_text("import ai4md_planted\nimport ai4md_planted_too.sub\n")
    (tmp_path / "ai4md_planted.py").write_text(
        "raise SystemExit('ran in the server')\n"
    )
    (tmp_path / "week2" / "ai4md_planted_too").mkdir()
    (tmp_path / "week2" / "ai4md_planted_too" / "__init__.py").write_text("x = 1\n")
    monkeypatch.setattr(
        worker, "_LIBRARIES", (*worker._LIBRARIES, "ai4md_planted", "ai4md_planted_too")
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(tmp_path / "week2"))
    worker._preload_lesson(str(lesson))
    assert "ai4md_planted" not in sys.modules
    assert "ai4md_planted_too" not in sys.modules
