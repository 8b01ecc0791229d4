"""Keep a graded exercise from borrowing the answer: the course's integrity rule.

Every exercise has a *forbidden set*: dotted names its lesson file may not use
(``Exercise.forbidden``, filled in per lesson from `autograder.forbidden_table`),
always with `ALWAYS` added (`for_exercise`): ``solutions``, and the grader's
oracles in ``autograder.cases``. A name is either a module, which forbids the
module, its submodules and everything defined in them (``"reference.metrics"``,
``"sklearn.metrics"``, ``"scipy.signal"``), or one object
(``"reference.metrics.optimal_threshold"``, ``"numpy.convolve"``). The
reference building blocks a lesson is meant to reuse (the kernels of
``reference.ops`` in the model blocks, ``reference.metrics.roc_curve`` in the
thresholds lesson, ...) are simply not in its set.

The worker child that grades one exercise calls `install` before it imports the
learner's file, and checks twice:

Statically (`autograder.forbidden_scan`)
    `scan` reads the lesson file's syntax tree: imports, ``importlib.import_module``
    and ``__import__`` with a literal name, ``sys.modules["..."]`` and attribute
    chains such as ``np.convolve`` or ``reference.metrics.sensitivity``. A name
    is forbidden when it is (or lies under) a forbidden name, or when it is
    already loaded and resolves to a forbidden object under another name (a
    re-export). The rule is module-wide: an exercise scores 0 if any line of its
    lesson file uses what *that exercise* may not use. The file is then not
    imported at all.
At call time (`autograder.forbidden_guard`)
    Every forbidden function is replaced, in the child's copy of every loaded
    module that holds it, by a guard; the methods of forbidden classes are
    guarded in place. A guard called from its own library's code (a reference
    building block that uses a forbidden helper internally) runs the original;
    called from anywhere else it records the violation and raises
    `ForbiddenUse`. An import hook at the front of ``sys.meta_path`` refuses
    ``solutions`` and guards forbidden modules again whenever they are
    (re)imported (``importlib.reload``, a ``sys.modules`` deletion, a library
    first imported by the learner such as scikit-learn); an audit hook refuses
    to open the solutions' files. A recorded violation is sticky: every later
    request is answered ``forbidden``, even if the learner caught the exception.
    No program may start (`autograder.no_programs`): a fresh interpreter would
    run without these guards.

Messages (the learner reads them as the exercise's result)::

    line 3 of diagnostic_metrics.py imports the reference implementation
    `reference.metrics.sensitivity`; write it yourself
    your code called `sklearn.metrics.recall_score`, which this exercise may
    not use; write it yourself

This is a rule for honest learners, not a wall: code running in the child can
always reach past it deliberately (for example by copying the library's source),
which is plagiarism and is handled as such. Compiled (Numba) kernels are checked
statically only.

This module is the rule's one entry point: it re-exports the public names of
both modules (the shared vocabulary, `ALWAYS`, `for_exercise`, the exceptions
and the messages, lives with the static check, which the guards import).
"""

from __future__ import annotations

from autograder.forbidden_guard import Guard, install, prepare
from autograder.forbidden_scan import (
    ALWAYS,
    ForbiddenImport,
    ForbiddenUse,
    Use,
    call_message,
    for_exercise,
    read_message,
    scan,
    static_message,
    uses,
)

__all__ = [
    "ALWAYS",
    "ForbiddenImport",
    "ForbiddenUse",
    "Guard",
    "Use",
    "call_message",
    "for_exercise",
    "install",
    "prepare",
    "read_message",
    "scan",
    "static_message",
    "uses",
]
