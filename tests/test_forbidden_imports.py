"""The integrity rule: a lesson may not borrow the answer it is asked to write.

Edited copies of the solutions are graded with the real engine and the real
registry rows (each variant is its own lesson file, graded as the row's
exercise); every way of reaching the answer scores zero with a message naming
what was used, while honest submissions keep their points. The static check is
also tested on its own, and every solution file must pass it.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from autograder import forbidden
from autograder.engine import Grader
from autograder.registry import EXERCISES, FORBIDDEN, lessons, select

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
SENS = "def get_sensitivity(y, pred, th=0.5):\n"

# ---------------------------------------------------------------- the variants
# name -> (exercise, lesson text); the text is graded as that exercise's lesson.


def _solution(module: str) -> str:
    return (SOLUTIONS / module).read_text()


def _sensitivity(body: str, head: str = "import numpy as np\n") -> str:
    """A diagnostic_metrics lesson whose get_sensitivity is ``body``."""
    return head + "\n\n" + SENS + textwrap.indent(textwrap.dedent(body), "    ")


VARIANTS = {
    # the cases
    "imports_solutions": (
        "get_sensitivity",
        _sensitivity(
            "return _theirs(y, pred, th)\n",
            "from solutions.week2.diagnostic_metrics import get_sensitivity as _theirs",
        ),
    ),
    "reference_renamed": (
        "get_sensitivity",
        _sensitivity(
            "return get_sens(y, np.asarray(pred) >= th)\n",
            "import numpy as np\n"
            "from reference.metrics import sensitivity as get_sens\n",
        ),
    ),
    "sklearn_recall": (
        "get_sensitivity",
        _sensitivity(
            "return recall_score(y, np.asarray(pred) >= th)\n",
            "import numpy as np\nfrom sklearn.metrics import recall_score\n",
        ),
    ),
    "sklearn_hidden_name": (
        "get_sensitivity",
        _sensitivity(
            """\
            metrics = importlib.import_module("sk" + "learn.metrics")
            return metrics.recall_score(y, np.asarray(pred) >= th)
            """,
            "import importlib\nimport numpy as np\n",
        ),
    ),
    "import_module_literal": (
        "get_sensitivity",
        _sensitivity(
            """\
            metrics = importlib.import_module("reference.metrics")
            return metrics.sensitivity(y, np.asarray(pred) >= th)
            """,
            "import importlib\nimport numpy as np\n",
        ),
    ),
    "import_module_built": (
        "get_sensitivity",
        _sensitivity(
            """\
            metrics = importlib.import_module(".".join(["reference", "metrics"]))
            return metrics.sensitivity(y, np.asarray(pred) >= th)
            """,
            "import importlib\nimport numpy as np\n",
        ),
    ),
    "dunder_import_literal": (
        "get_sensitivity",
        _sensitivity(
            """\
            metrics = __import__("reference.metrics", fromlist=["sensitivity"])
            return metrics.sensitivity(y, np.asarray(pred) >= th)
            """
        ),
    ),
    "dunder_import_built": (
        "get_sensitivity",
        _sensitivity(
            """\
            metrics = __import__("refer" + "ence.metrics", fromlist=["x"])
            return getattr(metrics, "sensi" + "tivity")(y, np.asarray(pred) >= th)
            """
        ),
    ),
    # other ways round the guards
    "reload": (
        "get_sensitivity",
        _sensitivity(
            """\
            name = "reference.metrics." + "classification"
            module = importlib.reload(importlib.import_module(name))
            return module.sensitivity(y, np.asarray(pred) >= th)
            """,
            "import importlib\nimport numpy as np\n",
        ),
    ),
    "sys_modules_deleted": (
        "get_sensitivity",
        _sensitivity(
            """\
            for name in [n for n in sys.modules if n.startswith("reference.me")]:
                del sys.modules[name]
            metrics = importlib.import_module("reference." + "metrics")
            return metrics.sensitivity(y, np.asarray(pred) >= th)
            """,
            "import importlib\nimport sys\nimport numpy as np\n",
        ),
    ),
    "solutions_built_name": (
        "get_sensitivity",
        _sensitivity(
            """\
            theirs = importlib.import_module("solu" + "tions.week2.diagnostic_metrics")
            return theirs.get_sensitivity(y, pred, th)
            """,
            "import importlib\n",
        ),
    ),
    "solutions_by_path": (
        "get_sensitivity",
        _sensitivity(
            """\
            import reference
            root = pathlib.Path(reference.__file__).parent.parent
            path = root / ("solu" + "tions") / "week2" / "diagnostic_metrics.py"
            spec = importlib.util.spec_from_file_location("theirs", path)
            theirs = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(theirs)
            return theirs.get_sensitivity(y, pred, th)
            """,
            "import importlib.util\nimport pathlib\n",
        ),
    ),
    "caught_and_hidden": (
        "get_sensitivity",
        _sensitivity(
            """\
            decided = np.asarray(pred) >= th
            try:
                metrics = importlib.import_module("reference" + ".metrics")
                metrics.sensitivity(y, decided)
            except Exception:
                pass
            y = np.asarray(y)
            return np.sum(decided & (y == 1)) / np.sum(y == 1)
            """,
            "import importlib\nimport numpy as np\n",
        ),
    ),
    # the grader's own oracles
    "oracle_imported": (
        "label_counts",
        "from autograder.cases.week1_explore import label_counts_oracle\n\n\n"
        "def label_counts(labels, names):\n"
        "    return label_counts_oracle(labels, names)\n",
    ),
    "oracle_from_the_registry": (
        "label_counts",
        "import importlib\n\n\n"
        "def label_counts(labels, names):\n"
        "    registry = importlib.import_module('autograder.' + 'registry')\n"
        "    row = registry.select(['label_counts'])[0]\n"
        "    return row.oracle(labels, names)\n",
    ),
    # module-wide: a forbidden helper in another function still counts
    "np_convolve_elsewhere": (
        "conv_forward_naive",
        _solution("week1/convolution.py")
        + "\n\ndef _smooth(a, k):\n    return np.convolve(a, k)\n",
    ),
    "roc_curve_from_reference": (
        "roc_curve",
        _solution("week2/roc_auc.py").replace(
            "import numpy as np\n",
            "import numpy as np\n\nfrom reference.metrics import roc_curve  # noqa\n",
            1,
        ),
    ),
    "dense_block_from_reference": (
        "dense_block_forward",
        _solution("week1/densenet_blocks.py") + "\n\ndef _block(x, layers):\n"
        "    from reference.nn import DenseBlock\n"
        "    return DenseBlock\n",
    ),
    # another program would run outside the guards (autograder.no_programs)
    "subprocess_runs_reference": (
        "get_sensitivity",
        _sensitivity(
            """\
            code = (
                "import sys, numpy as np; from reference import metrics; "
                "y, p, th = eval(sys.stdin.read()); "
                "print(float(metrics.sensitivity(np.array(y), np.array(p) >= th)))"
            )
            out = subprocess.run(
                [sys.executable, "-c", code],
                input=repr((np.asarray(y).tolist(), np.asarray(pred).tolist(), th)),
                capture_output=True, text=True, check=True,
            )
            return np.float64(out.stdout)
            """,
            "import subprocess\nimport sys\nimport numpy as np\n",
        ),
    ),
    "os_system_caught": (
        "get_sensitivity",
        _sensitivity(
            """\
            try:
                os.system("true")
            except OSError:
                pass
            y, decided = np.asarray(y), np.asarray(pred) >= th
            return np.sum(decided & (y == 1)) / np.sum(y == 1)
            """,
            "import os\nimport numpy as np\n",
        ),
    ),
    "os_popen": (
        "get_sensitivity",
        _sensitivity(
            'return np.float64(os.popen("echo 0.5").read())\n',
            "import os\nimport numpy as np\n",
        ),
    ),
    "ctypes_libc_system": (
        "get_sensitivity",
        _sensitivity(
            'ctypes.CDLL(None).system(b"true")\nreturn np.float64(0.5)\n',
            "import ctypes\nimport numpy as np\n",
        ),
    ),
    # honest work keeps its points
    "plots_while_computing": (
        "get_sensitivity",
        _sensitivity(
            """\
            import io

            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            figure, axes = plt.subplots()
            axes.set_title("scores")  # text: matplotlib may look for fonts
            axes.hist(np.asarray(pred))
            figure.savefig(io.BytesIO(), format="png")
            plt.close(figure)
            y, decided = np.asarray(y), np.asarray(pred) >= th
            return np.sum(decided & (y == 1)) / np.sum(y == 1)
            """
        ),
    ),
    "numpy_only": (
        "get_sensitivity",
        _sensitivity(
            """\
            y, decided = np.asarray(y), np.asarray(pred) >= th
            return np.sum(decided & (y == 1)) / np.sum(y == 1)
            """
        ),
    ),
    "solution_sensitivity": (
        "get_sensitivity",
        _solution("week2/diagnostic_metrics.py"),
    ),
    "thresholds_reuse_roc_curve": (
        "threshold_youden",
        _solution("week2/thresholds.py"),
    ),
    "bootstrap_reuses_auc": ("bootstrap_auc_ci", _solution("week2/bootstrap.py")),
    "densenet_reuses_kernels": (
        "transition_forward",
        _solution("week1/densenet_blocks.py"),
    ),
    "unet_reuses_kernels": (
        "decoder_level_forward",
        _solution("week3/unet_blocks.py"),
    ),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("target")
    (root / "week9").mkdir()
    rows = {e.name: e for e in EXERCISES}
    exercises = {}
    for variant, (name, text) in VARIANTS.items():
        (root / "week9" / f"{variant}.py").write_text(text)
        exercises[variant] = replace(rows[name], module=f"week9/{variant}.py")
    with Grader(root) as grader:
        return {variant: grader.grade(e) for variant, e in exercises.items()}


def _result(graded, variant):
    result = graded[variant]
    return result, f"{variant}: {result.status} {result.message}"


REF = "reference implementation `reference.metrics.sensitivity`; write it yourself"
MAY_NOT = ", which this exercise may not use; write it yourself"


@pytest.mark.parametrize(
    "variant, words",
    [
        ("imports_solutions", "imports the course's solutions (`solutions.week2"),
        ("reference_renamed", "line 2 of reference_renamed.py imports the " + REF),
        ("sklearn_recall", "imports `sklearn.metrics.recall_score`" + MAY_NOT),
        ("sklearn_hidden_name", "called `sklearn.metrics.recall_score`" + MAY_NOT),
        ("import_module_literal", "imports the reference implementation"),
        ("import_module_built", "your code called the " + REF),
        ("dunder_import_literal", "imports the " + REF),
        ("dunder_import_built", "your code called the " + REF),
        ("reload", "your code called the " + REF),
        ("sys_modules_deleted", "your code called the " + REF),
        ("solutions_built_name", "your code imported the course's solutions (`"),
        ("solutions_by_path", "read the course's solutions (`solutions/week2/"),
        ("caught_and_hidden", "your code called the " + REF),
        ("oracle_imported", "imports the grader's own `autograder.cases.week1_explore"),
        (
            "oracle_from_the_registry",
            "called the grader's own "
            "`autograder.cases.week1_explore.label_counts_oracle`; write it yourself",
        ),
        ("np_convolve_elsewhere", "uses `numpy.convolve`" + MAY_NOT),
        ("roc_curve_from_reference", "`reference.metrics.roc_curve`; write it"),
        ("dense_block_from_reference", "`reference.nn.DenseBlock`; write it"),
        ("subprocess_runs_reference", "started another program (`subprocess.Popen`)"),
        ("os_system_caught", "started another program (`os.system`)"),
        ("os_popen", "started another program (`subprocess.Popen`)"),
        ("ctypes_libc_system", "another program (libc's `system` through ctypes)"),
    ],
)
def test_borrowing_the_answer_scores_zero_and_says_what(graded, variant, words):
    result, seen = _result(graded, variant)
    assert result.status == "forbidden" and result.score == 0, seen
    assert words in result.message, seen
    assert "public case" not in result.message, seen  # about the file, not a case
    assert "Hint" not in result.message, seen


@pytest.mark.parametrize(
    "variant",
    [
        "numpy_only",
        "plots_while_computing",
        "solution_sensitivity",
        "thresholds_reuse_roc_curve",
        "bootstrap_reuses_auc",
        "densenet_reuses_kernels",
        "unet_reuses_kernels",
    ],
)
def test_honest_work_and_allowed_building_blocks_keep_full_marks(graded, variant):
    result, seen = _result(graded, variant)
    assert result.passed and result.score == result.exercise.points, seen


def test_the_learners_stubs_still_say_not_implemented():
    chosen = select(["get_sensitivity", "dense_layer_forward", "threshold_youden"])
    with Grader(ROOT / "exercises") as grader:
        results = [grader.grade(e) for e in chosen]
    for result in results:
        assert result.status == "not-implemented", (result.exercise, result.message)


# ------------------------------------------------------------- the static check


def _first(source: str, entries) -> str | None:
    use = forbidden.scan(textwrap.dedent(source), entries)
    return use and f"{use.line}:{use.kind}:{use.name}"


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import numpy as np\nnp.mean([1])\n", None),
        ("import numpy as np\nnp.convolve([1], [1])\n", "2:use:numpy.convolve"),
        ("from numpy import convolve as c\n", "1:import:numpy.convolve"),
        ("import scipy.signal as s\n", "1:import:scipy.signal"),
        ("from scipy import signal\n", "1:import:scipy.signal"),
        ("import scipy\nscipy.signal.convolve2d\n", "2:use:scipy.signal.convolve2d"),
        ("import numpy\ngetattr(numpy, 'convolve')\n", "2:use:numpy.convolve"),
        (
            "import importlib\nimportlib.import_module('solutions')\n",
            "2:import:solutions",
        ),
        ("__import__('scipy.signal', fromlist=['x'])\n", "1:import:scipy.signal.x"),
        ("import sys\nsys.modules['solutions.week2']\n", "2:import:solutions.week2"),
        ("def f():\n    from solutions import week2\n", "2:import:solutions.week2"),
        ("from . import helpers\n", None),
        ("import numpy.linalg\nnumpy.convolution_like = 1\n", None),
    ],
)
def test_the_static_check_finds_imports_and_attribute_chains(source, expected):
    entries = forbidden.for_exercise(
        replace(EXERCISES[0], forbidden=("numpy.convolve", "scipy.signal"))
    )
    assert _first(source, entries) == expected


def test_the_static_check_sees_re_exports_under_other_names():
    from reference.metrics import classification

    guard = forbidden.Guard(("reference.metrics.sensitivity",), "x.py")
    sensitivity = classification.sensitivity
    source = "from reference.metrics.classification import sensitivity as s\n"
    use = forbidden.scan(source, guard.entries, lambda obj: obj is sensitivity)
    assert use is not None and use.name.endswith("classification.sensitivity")


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_solution_passes_the_static_check(exercise):
    guard = forbidden.Guard(forbidden.for_exercise(exercise), "x.py")
    found = guard._collect()  # the forbidden objects, without guarding anything
    use = forbidden.scan(
        _solution(exercise.module), guard.entries, lambda obj: id(obj) in found
    )
    assert use is None, f"{exercise.id} uses {use}"


def test_every_lesson_in_the_table_exists_and_solutions_is_always_forbidden():
    assert set(FORBIDDEN) <= set(lessons())
    for exercise in EXERCISES:
        assert forbidden.for_exercise(exercise)[0] == "solutions"
        assert set(FORBIDDEN.get(exercise.module, ())) <= set(exercise.forbidden)
