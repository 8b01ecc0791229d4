"""Importable helpers shared by the test modules (fixtures stay in conftest.py).

Test modules import these as ``from helpers import NAME``: pytest puts the
``tests/`` folder on ``sys.path`` when it collects them.
"""

from __future__ import annotations

# How a planted mistake may show: a wrong answer or the learner's exception, never a
# crash of the grader.
WRONG_ANSWER_STATUSES = (
    "wrong-value",
    "wrong-shape",
    "wrong-dtype",
    "wrong-type",
    "nan",
    "exception",
)
