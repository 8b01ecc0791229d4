"""Tests for ``ai4md show`` (autograder/show.py, autograder/show_recipes.py).

Each recipe draws non-empty PNGs from the reference solutions and asks for
the first unwritten function on the untouched exercises; an unknown lesson
lists the choices; a lesson file that hangs, crashes or raises is reported
and the command still returns.
"""

import struct
import time
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.show import RECIPES, find_recipe

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXPECTED = {
    "data_exploration": ["data_exploration.png"],
    "densenet_blocks": ["gradcam.png"],
    "roc_auc": ["roc_auc.png"],
    "precision_recall": ["precision_recall.png"],
    "calibration": ["calibration.png"],
    "sub_volumes": ["sub_volumes.png"],
    "standardization": ["standardization.png"],
    "dice": ["dice.png"],
}


def _lessons():
    """Every recipe; the Grad-CAM one trains a tiny DenseNet (Numba kernels)."""
    marks = {"densenet_blocks": [pytest.mark.numba]}
    return [pytest.param(r.lesson, marks=marks.get(r.lesson, [])) for r in RECIPES]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])  # IHDR: width, height


def test_every_recipe_is_tested():
    assert sorted(EXPECTED) == sorted(r.lesson for r in RECIPES)


@pytest.mark.parametrize("lesson", _lessons())
def test_solutions_draw_pngs(lesson, tmp_path, capfd):
    out = tmp_path / "figs"
    assert main(["show", lesson, "--target", "solutions", "--out", str(out)]) == 0
    printed = capfd.readouterr().out.split()
    for name in EXPECTED[lesson]:
        path = out / name
        assert str(path) in printed
        width, height = _png_size(path)
        assert width >= 400 and height >= 300
        assert path.stat().st_size > 10_000


@pytest.mark.parametrize("lesson", [r.lesson for r in RECIPES])
def test_exercises_say_what_to_write_first(lesson, tmp_path, capfd):
    recipe = find_recipe(lesson)
    assert main(["show", lesson, "--out", str(tmp_path)]) == 1
    err = capfd.readouterr().err
    assert f"exercises/{recipe.module} first" in err
    assert "ai4md show: write " in err
    assert not list(tmp_path.iterdir())


def test_no_lesson_lists_them(capfd):
    assert main(["show"]) == 0
    out = capfd.readouterr().out
    assert all(r.lesson in out for r in RECIPES)


def test_unknown_lesson_lists_the_choices(capfd):
    assert main(["show", "roc_aux"]) == 2
    err = capfd.readouterr().err
    assert "Did you mean 'roc_auc'?" in err
    assert all(r.lesson in err for r in RECIPES)


def test_dotted_and_path_names():
    assert find_recipe("week3.standardization").id == "week3.standardization"
    assert find_recipe("week2/roc_auc.py").id == "week2.roc_auc"
    with pytest.raises(LookupError):
        find_recipe("week1.standardization")  # that lesson draws nothing


def _target(tmp_path: Path, source: str) -> Path:
    lesson = tmp_path / "target" / "week2" / "roc_auc.py"
    lesson.parent.mkdir(parents=True)
    lesson.write_text(source)
    return lesson.parent.parent


def test_a_hanging_lesson_is_stopped(tmp_path, capfd):
    target = _target(tmp_path, "while True:\n    pass\n")
    args = [
        "show",
        "roc_auc",
        "--target",
        str(target),
        "--out",
        str(tmp_path / "o"),
        "--timeout",
        "3",
    ]
    assert main(args) == 1
    err = capfd.readouterr().err
    assert "did not finish within 3 s and was stopped" in err


def test_a_hanging_lesson_leaves_no_process_behind(tmp_path, capfd):
    # the lesson starts a process in a session of its own (out of the child's
    # group), then hangs: stopping the child must stop that process too
    pid_file = tmp_path / "escaped.pid"
    source = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        f"    open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "    time.sleep(120)\n"
        "    os._exit(0)\n"
        "while True:\n"
        "    time.sleep(0.05)\n"
    )
    target = _target(tmp_path, source)
    out = str(tmp_path / "o")
    args = ["show", "roc_auc", "--target", str(target), "--out", out, "--timeout", "3"]
    assert main(args) == 1
    assert "did not finish within 3 s" in capfd.readouterr().err
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(pid), f"process {pid} outlived the lesson"


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def test_a_crashing_lesson_is_reported(tmp_path, capfd):
    target = _target(
        tmp_path, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
    )
    assert (
        main(["show", "roc_auc", "--target", str(target), "--out", str(tmp_path / "o")])
        == 1
    )
    assert "crashed (signal SIGKILL)" in capfd.readouterr().err


def test_a_raising_function_shows_its_own_lines(tmp_path, capfd):
    source = "def roc_curve(y_true, y_score):\n    raise ValueError('oops')\n"
    target = _target(tmp_path, source)
    assert (
        main(["show", "roc_auc", "--target", str(target), "--out", str(tmp_path / "o")])
        == 1
    )
    err = capfd.readouterr().err
    assert "your roc_curve raised ValueError: oops" in err
    assert "line 2, in roc_curve" in err


def test_a_missing_function_is_named(tmp_path, capfd):
    source = (
        "import numpy as np\n\ndef roc_curve(y_true, y_score):\n"
        "    return np.array([0.0, 1.0]), np.array([0.0, 1.0]), None\n"
    )
    target = _target(tmp_path, source)
    assert (
        main(["show", "roc_auc", "--target", str(target), "--out", str(tmp_path / "o")])
        == 1
    )
    assert "has no function auc_trapezoid" in capfd.readouterr().err
