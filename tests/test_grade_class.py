"""`ai4md grade-class`: a synthetic class of 22 students, graded as a batch.

The students are edited copies of solutions/week2/diagnostic_metrics.py,
graded on four of its exercises: correct (folders, flat files and zips), wrong
values (on a public or only on a hidden case), raising, hanging, exiting the
worker, a syntax error, an empty folder, a zip that tries to escape its folder.
The Numba kernels are not what is tested here: NUMBA_DISABLE_JIT keeps every
grader's start-up short.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from autograder import gradefiles
from autograder.batch import Settings
from autograder.classroom import grade_class
from autograder.gradebook import failure_message
from autograder.registry import select
from autograder.submissions import (
    Submission,
    UnsafeSubmission,
    discover,
    extract_zip,
    lesson_root,
    submission_hash,
)

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "week2" / "diagnostic_metrics.py"
LESSON = "week2.diagnostic_metrics"
NAMES = ("true_positives", "get_prevalence", "get_sensitivity", "get_npv")
SELECTORS = [f"{LESSON}.{name}" for name in NAMES]
TIMEOUT = "3"

EDITS = {  # student kind -> (solution line, replacement)
    "tp_wrong": (
        "    return np.sum((y == 1) & thresholded)",
        "    return np.sum((y == 1) & thresholded) + 1",
    ),
    "sens_hidden": ("    return tp / (tp + fn)", "    return tp / max(tp + fn, 1)"),
    "prev_raises": ("    return np.mean(y == 1)", "    raise ValueError('no idea')"),
    "prev_hangs": ("    return np.mean(y == 1)", "    while True:\n        pass"),
    "npv_exits": ("    return tn / (tn + fn)", "    import os\n    os._exit(3)"),
    "syntax": ("    return np.mean(y == 1)", "    return np.mean(y == 1"),
}
# kind -> (how many students, which exercises pass); a failed exercise may keep
# partial credit (the case groups it passed) but never its full point
CLASS = {
    "correct": (6, (1, 1, 1, 1)),
    "zip": (2, (1, 1, 1, 1)),
    "tp_wrong": (2, (0, 1, 0, 1)),  # get_sensitivity calls true_positives
    "sens_hidden": (2, (1, 1, 0, 1)),
    "prev_raises": (3, (1, 0, 1, 1)),
    "prev_hangs": (2, (1, 0, 1, 1)),
    "npv_exits": (2, (1, 1, 1, 0)),
    "syntax": (1, (0, 0, 0, 0)),
    "empty": (1, (0, 0, 0, 0)),
    "escaping_zip": (1, (0, 0, 0, 0)),
}
NOTHING_RUNS = ("syntax", "empty", "escaping_zip")


def _check_scores(kind: str, total: float, scores) -> None:
    for score, passed in zip(scores, CLASS[kind][1], strict=True):
        assert score == 1 if passed else 0 <= score < 1, (kind, scores)
    assert total == pytest.approx(sum(scores)), (kind, total, scores)
    if kind in NOTHING_RUNS:
        assert total == 0, kind


def _source(kind: str) -> str:
    text = SOLUTION.read_text()
    if kind in EDITS:
        old, new = EDITS[kind]
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _write_student(folder: Path, kind: str, i: int) -> None:
    name = f"{kind}_{i}"
    if kind == "zip":
        with zipfile.ZipFile(folder / f"{name}.zip", "w") as z:  # a zip of exercises/
            z.writestr("exercises/week2/diagnostic_metrics.py", _source("correct"))
        return
    if kind == "escaping_zip":
        with zipfile.ZipFile(folder / f"{name}.zip", "w") as z:
            z.writestr("diagnostic_metrics.py", _source("correct"))
            z.writestr("../diagnostic_metrics.py", _source("correct"))
        return
    student = folder / name
    student.mkdir()
    if kind == "empty":
        return
    nested = i % 2 == 0  # half laid out like exercises/, half flat
    path = student / ("week2" if nested else "") / "diagnostic_metrics.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(_source(kind))


def _make_class(folder: Path, kinds=CLASS) -> dict:
    """Write the class; return student name -> kind."""
    folder.mkdir(parents=True)
    students = {}
    for kind, (count, _) in kinds.items():
        for i in range(count):
            _write_student(folder, kind, i)
            students[f"{kind}_{i}"] = kind
    return students


def _environment() -> dict:
    env = dict(os.environ)
    env["NUMBA_DISABLE_JIT"] = "1"
    env.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))
    return env


def grade_class_cli(*args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "autograder", "grade-class", *args],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _gradebook(out: Path) -> list[dict]:
    with open(out / "gradebook.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    students = _make_class(base / "submissions")
    out = base / "out"
    args = [str(base / "submissions"), *SELECTORS, "--out", str(out)]
    run = grade_class_cli(*args, "--jobs", "2", "--timeout", TIMEOUT)
    return base, students, out, args, run


# ------------------------------------------------------------------- the batch


@pytest.mark.slow
def test_every_student_is_in_the_gradebook_with_the_right_scores(graded_class):
    _, students, out, _, run = graded_class
    assert run.returncode == 0, run.stdout + run.stderr
    rows = _gradebook(out)
    assert list(rows[0]) == ["student", "total", *SELECTORS]
    assert [r["student"] for r in rows] == sorted(students) and len(rows) >= 20
    for row in rows:
        scores = [float(row[s]) for s in SELECTORS]
        _check_scores(students[row["student"]], float(row["total"]), scores)


@pytest.mark.slow
def test_each_student_has_results_json_with_the_reason(graded_class):
    _, students, out, _, _ = graded_class
    expected_words = {
        "prev_raises": "ValueError: no idea",
        "prev_hangs": "did not finish within 3 s",
        "npv_exits": "exited with code 3",
        "syntax": "could not be imported",
        "empty": "file not found: week2/diagnostic_metrics.py",
        "escaping_zip": "points outside the submission",
    }
    for name, kind in students.items():
        data = json.loads((out / "students" / name / "results.json").read_text())
        grouped = gradefiles.tests_by_exercise(data, select(SELECTORS))
        assert sum(map(len, grouped.values())) == len(data["tests"])  # no strays
        maxima = [sum(t["max_score"] for t in grouped[s]) for s in SELECTORS]
        assert maxima == pytest.approx([1, 1, 1, 1]), (name, maxima)
        scores = gradefiles.exercise_scores(data, select(SELECTORS))
        _check_scores(kind, data["score"], [scores[s] for s in SELECTORS])
        # paths as the learner knows them, not in the grader's temporary copy
        assert f"{tempfile.gettempdir()}/ai4md-" not in json.dumps(data)
        if kind in expected_words:
            assert expected_words[kind] in json.dumps(data), (name, data)
        assert (out / "students" / name / "manifest.json").is_file()
    refused = json.loads(
        (out / "students" / "escaping_zip_0" / "results.json").read_text()
    )
    assert refused["extra_data"]["grading_failed"] is True


@pytest.mark.slow
def test_summary_text_and_histogram(graded_class):
    _, students, out, _, run = graded_class
    summary = (out / "summary.txt").read_text()
    assert summary in run.stdout
    assert f"{len(students)} students, 4 exercises, 4 points" in summary
    assert "escaping_zip_0" in summary  # listed as not graded
    table = summary.split("\n\n", 1)[1]
    prevalence = table.split(f"\n{LESSON}.get_prevalence")[1].split(f"\n{LESSON}.")[0]
    assert "most common failure (3x): exception: raised an exception: " in prevalence
    assert "ValueError: no idea" in prevalence
    assert (out / "histogram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_a_second_run_skips_everyone_and_an_edit_is_regraded(graded_class):
    base, students, out, args, _ = graded_class
    before = (out / "gradebook.csv").read_bytes()
    stamps = {
        n: (out / "students" / n / "results.json").stat().st_mtime_ns for n in students
    }
    again = grade_class_cli(*args, "--jobs", "2", "--timeout", TIMEOUT)
    assert again.returncode == 0, again.stderr
    assert f"graded 0, already graded {len(students)}" in again.stdout
    assert (out / "gradebook.csv").read_bytes() == before
    # the student fixes their file: only they are graded again
    fixed = base / "submissions" / "tp_wrong_1" / "diagnostic_metrics.py"
    fixed.write_text(_source("correct"))
    third = grade_class_cli(*args, "--jobs", "2", "--timeout", TIMEOUT)
    assert f"graded 1, already graded {len(students) - 1}" in third.stdout
    rows = {r["student"]: r for r in _gradebook(out)}
    assert float(rows["tp_wrong_1"]["total"]) == 4
    assert float(rows["tp_wrong_0"]["total"]) < 4
    for name in students:
        if name != "tp_wrong_1":
            stamp = (out / "students" / name / "results.json").stat().st_mtime_ns
            assert stamp == stamps[name], name
    # other settings (a different seed) make every grade stale
    changed = grade_class_cli(
        *args,
        "--seed",
        "7",
        "--timeout",
        TIMEOUT,
        "--student-timeout",
        "1e-3",
        "--quiet",
    )
    assert f"graded {len(students)}, already graded 0" in changed.stdout


# ----------------------------------------------------- small batches, the API


def test_force_regrades_and_the_gradebook_follows(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_DISABLE_JIT", "1")
    _make_class(tmp_path / "subs", {"correct": (1, ()), "sens_hidden": (1, ())})
    settings = Settings(tuple(SELECTORS), timeout=float(TIMEOUT))
    first = grade_class(
        tmp_path / "subs", tmp_path / "out", settings, jobs=1, progress=False
    )
    assert sorted(first.graded) == ["correct_0", "sens_hidden_0"]
    rows = {r["student"]: float(r["total"]) for r in _gradebook(tmp_path / "out")}
    assert rows["correct_0"] == 4 and 3 <= rows["sens_hidden_0"] < 4
    skipped = grade_class(tmp_path / "subs", tmp_path / "out", settings, progress=False)
    assert skipped.graded == [] and sorted(skipped.skipped) == sorted(rows)
    forced = grade_class(
        tmp_path / "subs", tmp_path / "out", settings, force=True, progress=False
    )
    assert sorted(forced.graded) == sorted(rows)


def test_a_student_over_the_wall_clock_cap_gets_zero_with_the_reason(tmp_path):
    _make_class(tmp_path / "subs", {"correct": (1, ())})
    settings = Settings(tuple(SELECTORS), student_timeout=0.2)
    run = grade_class(tmp_path / "subs", tmp_path / "out", settings, progress=False)
    data = run.results["correct_0"]
    assert data["score"] == 0 and data["extra_data"]["grading_failed"]
    assert all("did not finish within 0.2 s" in t["output"] for t in data["tests"])
    manifest = json.loads(
        (tmp_path / "out/students/correct_0/manifest.json").read_text()
    )
    assert manifest["grading_failed"] and "0.2 s" in manifest["reason"]
    assert "correct_0" in (tmp_path / "out" / "summary.txt").read_text()


def test_a_stopped_student_leaves_no_process_behind(tmp_path, monkeypatch):
    """The grader's workers run in sessions of their own: the whole tree is killed."""
    monkeypatch.setenv("NUMBA_DISABLE_JIT", "1")
    pid_file = tmp_path / "pid"
    spin = (
        f"    open({str(pid_file)!r}, 'w').write(str(__import__('os').getpid()))\n"
        "    while True:\n        pass"
    )
    student = tmp_path / "subs" / "spinner"
    student.mkdir(parents=True)
    text = SOLUTION.read_text().replace("    return np.mean(y == 1)", spin)
    (student / "diagnostic_metrics.py").write_text(text)
    settings = Settings((f"{LESSON}.get_prevalence",), timeout=300, student_timeout=20)
    run = grade_class(tmp_path / "subs", tmp_path / "out", settings, progress=False)
    assert "did not finish within 20 s" in run.results["spinner"]["output"]
    if not pid_file.exists():
        pytest.skip("on this busy machine the grader did not reach the code in 20 s")
    pid = int(pid_file.read_text())  # the learner's code was spinning when stopped
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Path(f"/proc/{pid}").exists(), f"process {pid} is still running"


def test_bad_selector_and_bad_jobs_are_refused(tmp_path):
    (tmp_path / "subs").mkdir()
    with pytest.raises(ValueError, match="no exercise matches 'week9'"):
        grade_class(tmp_path / "subs", tmp_path / "out", Settings(("week9",)))
    with pytest.raises(ValueError, match="jobs"):
        grade_class(tmp_path / "subs", tmp_path / "out", Settings(), jobs=-1)
    with pytest.raises(ValueError, match="student_timeout"):
        Settings(student_timeout=0)
    run = grade_class_cli(str(tmp_path / "subs"), "week9", "--out", str(tmp_path))
    assert run.returncode == 2 and "no exercise matches" in run.stderr


# --------------------------------------------------------------- submissions


def _zip(path: Path, members: dict) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "member", ["../evil.py", "/etc/evil.py", "a/../../evil.py", "C:/evil.py"]
)
def test_zip_members_that_escape_are_refused(tmp_path, member):
    archive = _zip(tmp_path / "s.zip", {"ok.py": "x = 1", member: "x = 2"})
    with pytest.raises(UnsafeSubmission, match="outside the submission"):
        extract_zip(archive, tmp_path / "dest")
    assert not (tmp_path / "evil.py").exists()


def test_zip_links_bombs_and_junk_are_refused(tmp_path):
    link = zipfile.ZipInfo("link.py")
    link.external_attr = 0o120777 << 16
    with zipfile.ZipFile(tmp_path / "link.zip", "w") as z:
        z.writestr(link, "/etc/passwd")
    with pytest.raises(UnsafeSubmission, match="is a link"):
        extract_zip(tmp_path / "link.zip", tmp_path / "d1")
    big = _zip(tmp_path / "big.zip", {"big.py": "#" * 5000})
    with pytest.raises(UnsafeSubmission, match="MiB"):
        extract_zip(big, tmp_path / "d2", max_bytes=1000)
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(UnsafeSubmission, match="could not be read"):
        extract_zip(tmp_path / "junk.zip", tmp_path / "d3")


def test_discover_lists_folders_and_zips_and_refuses_a_student_twice(tmp_path):
    for name in ("bob", "alice", ".hidden", "__MACOSX", "out"):
        (tmp_path / name).mkdir()
    _zip(tmp_path / "carol.zip", {"a.py": ""})
    (tmp_path / "notes.txt").write_text("")
    found = discover(tmp_path, exclude=[tmp_path / "out"])
    assert [(s.name, s.is_zip) for s in found] == [
        ("alice", False),
        ("bob", False),
        ("carol", True),
    ]
    _zip(tmp_path / "bob.zip", {"a.py": ""})
    with pytest.raises(ValueError, match="both belong to student 'bob'"):
        discover(tmp_path)


def test_lesson_root_finds_nested_lessons_and_hash_sees_edits(tmp_path):
    nested = tmp_path / "s" / "course" / "exercises" / "week2"
    nested.mkdir(parents=True)
    (nested / "diagnostic_metrics.py").write_text("x = 1")
    modules = ["week2/diagnostic_metrics.py"]
    assert lesson_root(tmp_path / "s", modules) == nested.parent
    assert lesson_root(tmp_path, ["week1/other.py"]) == tmp_path
    student = Submission("s", tmp_path / "s")
    before = submission_hash(student)
    (nested / "__pycache__").mkdir()
    (nested / "__pycache__" / "x.pyc").write_bytes(b"cache")
    assert submission_hash(student) == before
    (nested / "diagnostic_metrics.py").write_text("x = 2")
    assert submission_hash(student) != before


def test_results_are_completed_from_the_exercise_table():
    exercises = select(SELECTORS)
    partial = {
        "score": 99,
        "tests": [
            {"name": SELECTORS[0], "score": 5, "max_score": 5, "status": "passed"}
        ],
    }
    data = gradefiles.complete(partial, exercises)
    assert [t["name"] for t in data["tests"]] == SELECTORS
    assert data["tests"][0]["score"] == 1 and data["tests"][0]["max_score"] == 1
    assert data["score"] == 1 and data["extra_data"]["max_score"] == 4
    assert data["tests"][1]["output"] == "not graded by the grader"
    groups = {  # one test per case group; a stray test; a forged score
        "tests": [
            {"name": f"{SELECTORS[1]}: public cases", "score": 0.4, "max_score": 0.4},
            {"name": f"{SELECTORS[1]}: hidden cases", "score": 9, "max_score": 0.6},
            {"name": "week9.nothing", "score": 100, "max_score": 100},
            {"name": "x", "score": 1, "extra_data": {"exercise": SELECTORS[2]}},
        ]
    }
    data = gradefiles.complete(groups, exercises)
    assert [t["name"] for t in data["tests"]] == [
        SELECTORS[0],
        f"{SELECTORS[1]}: public cases",
        f"{SELECTORS[1]}: hidden cases",
        "x",
        SELECTORS[3],
    ]
    assert gradefiles.exercise_scores(data, exercises) == {
        SELECTORS[0]: 0,
        SELECTORS[1]: 1,
        SELECTORS[2]: 1,
        SELECTORS[3]: 0,
    }
    assert data["score"] == 2


def test_failure_message_keeps_the_gist():
    output = (
        "timeout: hidden case 3 of 9 (arguments: ...)\n"
        "did not finish within 2 s (infinite loop?)"
    )
    assert (
        failure_message(output) == "timeout: did not finish within 2 s (infinite loop?)"
    )
    assert failure_message("") == ""


def test_a_submission_that_rewrites_other_students_changes_no_grade(
    tmp_path, monkeypatch
):
    """Graded as the same user, one student's code rewrites an earlier student's
    results and a later student's submission: the first is put back, the second
    is not graded (every exercise 0, with the reason) rather than graded wrong."""
    monkeypatch.setenv("NUMBA_DISABLE_JIT", "1")
    subs, out = tmp_path / "subs", tmp_path / "out"
    for name in ("a_early", "b_saboteur", "c_victim"):
        (subs / name).mkdir(parents=True)
        (subs / name / "diagnostic_metrics.py").write_text(_source("correct"))
    forged = {"score": 999, "tests": []}
    sabotage = (
        "import json, pathlib\n"
        f"pathlib.Path({str(subs / 'c_victim' / 'diagnostic_metrics.py')!r})"
        ".write_text('import numpy as np\\n')\n"
        f"pathlib.Path({str(out / 'students' / 'a_early' / 'results.json')!r})"
        f".write_text(json.dumps({forged!r}))\n"
    )
    (subs / "b_saboteur" / "diagnostic_metrics.py").write_text(
        _source("correct") + "\n" + sabotage
    )
    settings = Settings(tuple(SELECTORS), timeout=float(TIMEOUT))
    run = grade_class(subs, out, settings, jobs=1, progress=False)

    assert run.restored == ["a_early"]
    early = gradefiles.read_results(out / "students" / "a_early")
    assert early == run.results["a_early"] and early["score"] == 4
    victim = run.results["c_victim"]
    assert victim["score"] == 0 and victim["extra_data"]["grading_failed"]
    assert all("changed on disk" in t["output"] for t in victim["tests"])
    rows = {r["student"]: float(r["total"]) for r in _gradebook(out)}
    assert rows == {"a_early": 4, "b_saboteur": 4, "c_victim": 0}
