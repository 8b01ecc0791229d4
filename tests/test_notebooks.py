"""The example notebooks: stored without outputs, and they run top to bottom.

Each notebook runs in a Jupyter kernel started with this very interpreter (a
kernel spec written to a temporary folder on ``JUPYTER_PATH``, so nothing has
to be installed with ``ipython kernel install``), with ``AI4MD_LESSONS=solutions``
so that it imports and checks the reference solutions; every ``check(...)``
must report full marks.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "ai4md-test-python"
TOTAL = re.compile(r"^total: ([\d.]+)/([\d.]+)$", re.MULTILINE)


def test_there_is_one_notebook_per_week():
    assert [p.name for p in NOTEBOOKS] == [
        "week1_chest_xray.ipynb",
        "week2_evaluation.ipynb",
        "week3_brain_mri.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] for c in code), "clear the outputs"
    assert all(c.execution_count is None for c in code), "clear the outputs"
    assert nb.metadata.kernelspec.name == "python3"
    assert any("check(" in c.source for c in code)


@pytest.fixture
def run_notebook(tmp_path, monkeypatch):
    """Return run(nb) -> nb: execute in a kernel of this interpreter, solutions on."""
    spec = tmp_path / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("AI4MD_LESSONS", "solutions")
    monkeypatch.delenv("AI4MD_TARGET", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")  # the notebooks switch to inline

    def run(nb):
        client = nbclient.NotebookClient(
            nb,
            timeout=300,
            kernel_name=KERNEL,
            resources={"metadata": {"path": str(ROOT / "notebooks")}},
        )
        client.execute()  # raises CellExecutionError on the first failing cell
        return nb

    return run


def _text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
    return "".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_with_full_marks_on_the_solutions(path, run_notebook):
    nb = nbformat.read(path, as_version=4)
    probe = nbformat.v4.new_code_cell("import sys\nprint(sys.executable)")
    nb.cells.insert(0, probe)
    run_notebook(nb)
    assert _text(nb.cells[0]).strip() == sys.executable  # the kernel is this venv's

    checks = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        calls = len(re.findall(r"^check\(", cell.source, re.MULTILINE))
        totals = TOTAL.findall(_text(cell))
        assert len(totals) == calls, (cell.source, _text(cell))
        assert all(float(a) == float(b) > 0 for a, b in totals), _text(cell)
        checks += calls
    assert checks >= 3
    images = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "display_data" and "image/png" in o.data
    ]
    assert images, "figures are shown inline"


@pytest.mark.slow
def test_check_grades_a_function_defined_in_a_cell(run_notebook):
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": KERNEL, "display_name": KERNEL}
    cells = [
        "from autograder import check",
        "import numpy as np\n\n\n"
        "def get_sensitivity(y, pred, th=0.5):\n"
        "    y, pred = np.asarray(y), np.asarray(pred)\n"
        "    tp = np.sum((y == 1) & (pred >= th))\n"
        "    return tp / np.sum(y == 1)",
        "def get_specificity(y, pred, th=0.5):\n    return 1 / 0",
        "good = check(get_sensitivity)\nbad = check(get_specificity, quiet=True)",
        "print(good.passed, bad.passed)\nprint(bad.results[0].message)",
    ]
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    run_notebook(nb)
    assert "total: 1/1" in _text(nb.cells[3])
    report = _text(nb.cells[4])
    assert report.startswith("True False")
    assert "ZeroDivisionError" in report and "return 1 / 0" in report
    assert "ai4md-check-" not in report  # the cell, not the temporary copy
