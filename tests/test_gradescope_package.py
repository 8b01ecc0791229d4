"""`ai4md gradescope build`: the autograder zip, unpacked and run as Gradescope does.

The zip is unpacked into a temporary root laid out like Gradescope's
(``source/``, ``submission/``, ``results/``) and ``run_autograder`` runs there
(AUTOGRADER_ROOT) with this interpreter and the unpacked source on PYTHONPATH
(nothing is pip-installed). A fresh source path would recompile every Numba
kernel; NUMBA_DISABLE_JIT keeps the run short (the kernels are not under test).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import gradefiles
from autograder.batch import Settings
from autograder.gradescope import build, finish
from autograder.registry import select

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "week2" / "diagnostic_metrics.py"
NAMES = ("true_positives", "get_prevalence", "get_sensitivity", "get_npv")
SELECTORS = [f"week2.diagnostic_metrics.{name}" for name in NAMES]
GRADESCOPE_FIELDS = {"name", "score", "max_score", "status", "output", "visibility"}


def ai4md(*args):
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("package") / "autograder.zip"
    run = ai4md(
        "gradescope",
        "build",
        *SELECTORS,
        "--out",
        str(out),
        "--hidden-visibility",
        "hidden",
        "--timeout",
        "3",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def test_the_zip_holds_the_scripts_and_the_source_and_nothing_else(package):
    with zipfile.ZipFile(package) as z:
        infos = {i.filename: i for i in z.infolist()}
        constraints = z.read("constraints.txt").decode()
        run_autograder = z.read("run_autograder").decode()
    names = set(infos)
    assert {
        "setup.sh",
        "run_autograder",
        "constraints.txt",
        "pyproject.toml",
        "README.md",
        "reference/__init__.py",
        "autograder/cli.py",
        "exercises/week2/diagnostic_metrics.py",
    } <= names
    tops = {n.split("/")[0] for n in names}
    assert tops <= {
        "setup.sh",
        "run_autograder",
        "constraints.txt",
        "fallback_results.json",
        "pyproject.toml",
        "README.md",
        "reference",
        "autograder",
        "exercises",
    }
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    for script in ("setup.sh", "run_autograder"):
        assert infos[script].external_attr >> 16 & stat.S_IXUSR, script
    for dist in ("numpy", "scipy", "numba", "matplotlib", "h5py", "nibabel", "tqdm"):
        assert f"{dist}=={importlib.metadata.version(dist)}" in constraints
    assert "--hidden-visibility hidden" in run_autograder
    assert " ".join(SELECTORS) in run_autograder


def _root(tmp_path: Path, package: Path, submission: str) -> Path:
    root = tmp_path / "autograder"
    for part in ("source", "submission", "results"):
        (root / part).mkdir(parents=True)
    with zipfile.ZipFile(package) as z:
        z.extractall(root / "source")
    (root / "source" / "run_autograder").chmod(0o755)
    (root / "submission" / "diagnostic_metrics.py").write_text(submission)
    return root


def _environment(root: Path, **env) -> dict:
    return {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "AI4MD_PYTHON": sys.executable,
        "PYTHONPATH": str(root / "source"),
        "NUMBA_DISABLE_JIT": "1",
        **env,
    }


def run_autograder(root: Path, **env) -> dict:
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        cwd=root,
        env=_environment(root, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def _by_exercise(data: dict) -> dict:
    return gradefiles.tests_by_exercise(data, select(SELECTORS))


def _check_gradescope_format(data: dict) -> None:
    """Gradescope's fields; one test per exercise or per case group."""
    assert isinstance(data["score"], (int, float))
    assert isinstance(data["execution_time"], int) and data["execution_time"] >= 0
    assert isinstance(data["output"], str)
    assert data["visibility"] == "visible" and data["stdout_visibility"] == "hidden"
    grouped = _by_exercise(data)
    assert sum(len(tests) for tests in grouped.values()) == len(data["tests"])
    for tests in grouped.values():
        assert tests and sum(t["max_score"] for t in tests) == pytest.approx(1)
    for test in data["tests"]:
        assert GRADESCOPE_FIELDS <= set(test)
        assert test["status"] in ("passed", "failed")
        group = (test.get("extra_data") or {}).get("group", "all")
        on_hidden = "hidden case" in test["output"]
        hidden = group in ("hidden", "edge") or (group == "all" and on_hidden)
        assert test["visibility"] == ("hidden" if hidden else "visible"), test


def test_a_correct_submission_gets_full_marks(tmp_path, package):
    root = _root(tmp_path, package, SOLUTION.read_text())
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import autograder, reference; "
            "print(autograder.__file__, reference.__file__)",
        ],
        cwd=tmp_path,
        env=_environment(root),
        capture_output=True,
        text=True,
    )
    assert where.stdout.count(str(root / "source")) == 2, where  # the zip's code
    data = run_autograder(root)
    _check_gradescope_format(data)
    assert data["score"] == 4
    assert all(t["status"] == "passed" for t in data["tests"])


def test_a_broken_submission_shows_public_failures_and_hides_hidden_ones(
    tmp_path, package
):
    source = SOLUTION.read_text()
    for old, new in [
        ("    return tp / (tp + fn)", "    return tp / max(tp + fn, 1)"),  # hidden
        ("    return np.mean(y == 1)", "    raise ValueError('no idea')"),  # public
        ("    return tn / (tn + fn)", "    import os\n    os._exit(3)"),
    ]:
        assert source.count(old) == 1
        source = source.replace(old, new)
    data = run_autograder(_root(tmp_path, package, source))
    _check_gradescope_format(data)
    grouped = {
        key.rsplit(".", 1)[1]: tests for key, tests in _by_exercise(data).items()
    }
    scores = {name: sum(t["score"] for t in tests) for name, tests in grouped.items()}
    assert scores["true_positives"] == 1
    assert all(scores[name] < 1 for name in NAMES[1:])
    assert data["score"] == pytest.approx(sum(scores.values())) and data["score"] < 2
    failed = {
        name: [t for t in tests if t["status"] == "failed"]
        for name, tests in grouped.items()
    }
    sensitivity = failed["get_sensitivity"]  # passes the public cases only
    assert sensitivity and all("hidden case" in t["output"] for t in sensitivity)
    assert all(t["visibility"] == "hidden" for t in sensitivity)
    prevalence = failed["get_prevalence"][0]
    assert "ValueError: no idea" in prevalence["output"]
    assert prevalence["visibility"] == "visible"
    assert "exited with code 3" in failed["get_npv"][0]["output"]


def test_run_autograder_fails_closed_when_python_cannot_run(tmp_path, package):
    root = _root(tmp_path, package, SOLUTION.read_text())
    data = run_autograder(root, AI4MD_PYTHON=shutil.which("false"))
    assert data["score"] == 0
    assert [(t["name"], t["score"], t["max_score"]) for t in data["tests"]] == [
        (name, 0, 1) for name in SELECTORS
    ]


def test_hidden_visibility_must_be_one_of_gradescopes(tmp_path):
    with pytest.raises(ValueError, match="after_published"):
        build(tmp_path / "a.zip", Settings(tuple(SELECTORS), hidden_visibility="no"))
    run = ai4md(
        "gradescope",
        "build",
        "--out",
        str(tmp_path / "a.zip"),
        "--hidden-visibility",
        "sometimes",
    )
    assert run.returncode == 2 and "after_due_date" in run.stderr
    assert not (tmp_path / "a.zip").exists()


def test_finish_adds_gradescopes_timing_and_keeps_the_graders_visibility():
    data = {
        "score": 0,
        "stdout_visibility": "visible",
        "tests": [
            {"name": "a", "status": "failed", "visibility": "after_due_date"},
            {"name": "b", "status": "failed"},
        ],
    }
    done = finish(data, 12.4)
    assert [t["visibility"] for t in done["tests"]] == ["after_due_date", "visible"]
    assert done["execution_time"] == 12 and done["visibility"] == "visible"
    assert done["stdout_visibility"] == "visible"
    assert finish({"tests": []}, 0.2)["stdout_visibility"] == "hidden"


# A stand-in interpreter for setup.sh: it "creates" the venv, "installs" with
# pip, and answers the smoke grade of the stubs as FAKE_GRADE says.
FAKE_PYTHON = """#!/usr/bin/env bash
case "$1 $2" in
    "-c "*) exit 0 ;;
    "-m venv") mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && exit 0 ;;
    "-m pip") exit 0 ;;
    "-m autograder")
        json="" previous=""
        for word in "$@"; do
            [ "$previous" = "--json" ] && json="$word"
            previous="$word"
        done
        case "$FAKE_GRADE" in
            zero) echo '{"score": 0, "tests": []}' > "$json"; exit 1 ;;
            crash) echo "ImportError: numpy is broken" >&2; exit 1 ;;
            grader) echo '{"score": 0, "tests": []}' > "$json"; exit 4 ;;
        esac ;;
esac
exit 99
"""


@pytest.mark.parametrize(
    ("grade", "builds"), [("zero", True), ("crash", False), ("grader", False)]
)
def test_setup_fails_the_image_when_grading_the_stubs_breaks(
    tmp_path, package, grade, builds
):
    root = tmp_path / "autograder"
    with zipfile.ZipFile(package) as z:
        z.extractall(root / "source")
    fake = tmp_path / "bin"
    fake.mkdir()
    python = fake / f"python{sys.version_info.major}.{sys.version_info.minor}"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    done = subprocess.run(
        ["bash", str(root / "source" / "setup.sh")],
        env={
            "PATH": f"{fake}:/usr/bin:/bin",
            "AUTOGRADER_ROOT": str(root),
            "FAKE_GRADE": grade,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode == 0) is builds, done.stdout + done.stderr
    assert (root / "venv" / "bin" / "python").exists()
    if not builds:
        assert "grading the untouched stubs failed" in done.stderr
        if grade == "crash":
            assert "ImportError: numpy is broken" in done.stderr  # the log is shown
