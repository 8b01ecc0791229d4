"""Size budgets (house style): no module past 600 lines, docstrings included.

Modules over the 400-line target are listed in the failure message of the hard
limit only; the target itself is a guideline, not a test.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HARD_LIMIT = 600
MODULES = sorted(
    p
    for tree in ("reference", "autograder", "solutions")
    for p in (ROOT / tree).rglob("*.py")
    if "__pycache__" not in p.parts
)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_within_the_hard_line_limit(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= HARD_LIMIT, f"{path.relative_to(ROOT)} has {lines} lines; split it"
