"""The registry's vocabulary: `Case` (one input), `Exercise` (one graded function).

An exercise is graded by *kind*:

``call``
    ``func(*args, **kwargs)`` (then any ``then`` calls on the result) compared
    with ``oracle(*args, **kwargs)`` (same ``then`` calls).
``roundtrip``
    The learner's forward (``name`` with ``_backward`` replaced by ``_forward``)
    then the learner's backward on its own cache, compared with
    ``oracle = (forward, backward)`` from `reference` fed the same ``dout``:
    the value compared is ``{"out": out, "grads": grads}``.
``gradcheck``
    A central-difference gradient of the learner's own forward against the
    learner's backward, at sampled coordinates (no oracle needed); this tells
    a learner whether the forward or the backward is wrong.

Kinds combine with ``+`` (``"roundtrip+gradcheck"``). Every kind checks that
the inputs were not modified in place. ``verify`` replaces value comparison by
a property check when the answer is not unique.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from autograder.compare import Compare

if TYPE_CHECKING:
    from autograder.mistakes import Mistake

__all__ = ["Case", "Exercise"]


@dataclass(frozen=True)
class Case:
    """One set of inputs for an exercise.

    Parameters
    ----------
    args, kwargs
        Passed to the learner's function (and to the oracle).
    then
        ``((args, kwargs), ...)``: calls applied to the returned value in turn
        (for exercises that return a function).
    dout
        Upstream gradient for ``roundtrip``/``gradcheck`` kinds.
    wrt
        Positions in ``args`` that the gradient check differentiates.
    label
        How feedback describes a public case (defaults to a summary of ``args``).
    group
        The case group it is scored in (`autograder.scoring`): a hidden
        builder's cases are ``"hidden"`` unless tagged ``"edge"``
        (`autograder.cases.edge`); public cases are always ``"public"``.
    """

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    then: tuple = ()
    dout: Any = None
    wrt: tuple = ()
    label: str = ""
    group: str = "hidden"


@dataclass(frozen=True)
class Exercise:
    """One graded function and everything needed to grade it.

    Parameters
    ----------
    module : str
        Path of the lesson file relative to the exercises root, such as
        ``"week2/diagnostic_metrics.py"``.
    name : str
        The learner's function in that module.
    points : int
        Maximum score, split over the case groups (`autograder.scoring`).
    oracle
        A `reference` callable with the learner function's signature (``call``)
        or a ``(forward, backward)`` pair (``roundtrip``). Never `solutions`.
    public : callable () -> list of Case
        Small fixed cases shown in feedback.
    hidden : callable (numpy.random.Generator) -> list of Case
        Seeded random and edge cases, made at grading time.
    kind : str
        ``"call"``, ``"roundtrip"``, ``"gradcheck"`` or a ``+`` combination.
    compare : Compare
        Tolerances and dtype strictness.
    verify : callable (Case, value) -> str or None, optional
        Property check replacing the oracle comparison (returns a message on failure).
    pick : int, optional
        For ``call``: compare only item ``pick`` of the returned tuple (for a
        forward returning ``(out, cache)``, ``pick=0`` grades ``out``; the
        learner's cache never leaves the worker).
    hint : str
        Shown after a failure.
    forbidden : tuple of str
        Dotted names (modules or objects) the lesson file may not use for this
        exercise: the reference implementation of what it asks for and its
        library equivalents (`autograder.forbidden`; ``solutions`` always).
    split : dict, optional
        Weight of each case group (``"public"``, ``"hidden"``, ``"edge"``),
        renormalised over the groups the exercise has; None: the default
        split of `autograder.scoring`.
    all_or_nothing : bool
        Score every case as one group: full points or none.
    names : tuple of str
        Names of the returned tuple's items (of the gradients for a
        ``roundtrip``), as the docstring's Returns section gives them; a
        mismatch message names the item.
    mistakes : tuple of Mistake
        Usual mistakes (`autograder.mistakes`): when a wrong answer equals
        one of these variants of the oracle, the message names the mistake.
    """

    module: str
    name: str
    points: int
    oracle: Any
    public: Callable[[], list]
    hidden: Callable[[Any], list]
    kind: str = "call"
    compare: Compare = Compare()
    verify: Callable | None = None
    pick: int | None = None
    hint: str = ""
    forbidden: tuple[str, ...] = ()
    split: dict | None = None
    all_or_nothing: bool = False
    names: tuple = ()
    mistakes: tuple[Mistake, ...] = ()

    @property
    def week(self) -> str:
        """The course week, such as ``"week2"``."""
        return self.module.split("/")[0]

    @property
    def lesson(self) -> str:
        """The lesson module's name, such as ``"diagnostic_metrics"``."""
        return self.module.rsplit("/", 1)[-1].removesuffix(".py")

    @property
    def id(self) -> str:
        """Dotted id, such as ``"week2.diagnostic_metrics.get_sensitivity"``."""
        return f"{self.module.removesuffix('.py').replace('/', '.')}.{self.name}"

    @property
    def forward_name(self) -> str:
        """The learner's forward that feeds a backward exercise."""
        return self.name.replace("_backward", "_forward")

    def kinds(self) -> tuple[str, ...]:
        """Return the grading kinds, in order."""
        return tuple(self.kind.split("+"))

    def __str__(self) -> str:
        return self.name
