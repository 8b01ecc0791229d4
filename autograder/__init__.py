"""The ai4md autograder: grades a learner's exercises against `reference`.

`registry` is the one table of graded exercises (case builders in `cases`);
`runner.grade` grades a selection with one `engine.Grader`, which runs the
learner's code in worker processes (`sandbox`, `worker`, `procedures`) that
speak `protocol` over `wire` frames, and scores each exercise with `compare`;
`report` prints the table and Gradescope's results.json; `cli` is the
``ai4md`` command; `stubgen` writes ``exercises/`` from ``solutions/``;
`notebook.check` grades one exercise from Python or Jupyter; `rebuild.case`
returns the inputs of one graded case (points split over case groups:
`scoring`; what a failure says about its case: `feedback`).
"""

from autograder.notebook import check
from autograder.rebuild import case

__all__ = ["case", "check"]
