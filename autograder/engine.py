"""Grade one exercise: run its cases in a worker child, compare with the oracle.

`Grader.grade(exercise)` always returns a `Result` and never raises for
anything the learner's code does: the learner's function runs in a child of the
fork server (`autograder.sandbox`), which answers the requests of
`autograder.protocol`; the oracle runs here, and `autograder.verdict` judges
each reply (inputs changed, the value, the gradient check). The cases are
graded group by group (public, hidden, edge: `autograder.scoring`), each group
stopping at its first failing case, and each group earns its share of the
exercise's points; after a timeout or a crash the remaining groups score 0
without running. The first failing case decides the `Status` and the message,
and every maximum comes from the registry (fail-closed).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder import confine, feedback, forbidden, scoring
from autograder.compare import describe
from autograder.feedback import describe_case
from autograder.protocol import (
    WRONG_ANSWERS,
    Call,
    Gradcheck,
    Reply,
    ReplyStatus,
    Request,
    Roundtrip,
    Status,
)
from autograder.rebuild import case_rng
from autograder.sandbox import Child, ChildFailure, ForkServer
from autograder.spec import Case, Exercise
from autograder.verdict import Problem as _Problem  # the engine's name for it
from autograder.verdict import gradcheck_problem, reply_problem, value_problem

__all__ = [
    "DEFAULT_MEMORY_BYTES",
    "DEFAULT_SEED",
    "DEFAULT_TIMEOUT",
    "Grader",
    "GroupResult",
    "Result",
    "describe_case",
]

DEFAULT_SEED = 2026
DEFAULT_TIMEOUT = 10.0
DEFAULT_MEMORY_BYTES = 2 << 30


@dataclass
class GroupResult:
    """The outcome of one case group of an exercise (`autograder.scoring`).

    ``max_score`` is the group's share of the registry's points; ``message``
    (with the hint after a wrong answer) is empty when it passed;
    ``on_hidden`` says the failing case was a hidden one; ``ran`` is False
    for a group not run after an earlier group's timeout or crash.
    """

    group: str
    score: float
    max_score: float
    status: Status  # a plain string is converted
    message: str = ""
    on_hidden: bool = False
    ran: bool = True

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @property
    def passed(self) -> bool:
        """Whether the group earned its points."""
        return self.status == Status.PASSED

    @property
    def title(self) -> str:
        """The group's name in reports, such as ``"edge cases"``."""
        return scoring.group_title(self.group)


@dataclass
class Result:
    """The outcome of grading one exercise.

    ``score`` is the sum of the ``groups``' scores (2 decimals); ``status``
    and ``message`` are those of the first failing case. ``groups`` is empty
    for an exercise that was never graded (fail-closed results).
    """

    exercise: Exercise
    score: float
    status: Status  # a plain string is converted
    message: str = ""
    seconds: float = 0.0
    groups: list[GroupResult] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @property
    def passed(self) -> bool:
        """Whether the exercise earned all its points."""
        return self.status == Status.PASSED


@dataclass(frozen=True)
class _Planned:
    """One case as graded: where it comes from and the group it is scored in."""

    case: Case
    kind: str  # "public" or "hidden"
    index: int  # 1-based, within its kind (as `autograder.rebuild.case` counts)
    count: int  # the number of cases of its kind
    group: str


# After these a group's failure is about that group only: the worker is still
# running, so the next groups are graded; anything else ends the exercise.
_NEXT_GROUP_RUNS = WRONG_ANSWERS | {Status.MUTATED_INPUT}


class Grader:
    """Grades exercises found under ``target`` (a folder laid out like ``exercises/``).

    Parameters
    ----------
    target : path
        Root folder holding ``week*/lesson.py`` files.
    timeout : float
        Wall-clock seconds allowed per call (and for importing a module).
    memory_bytes : int
        Extra address space a worker child may map beyond what it starts with.
    seed : int
        Grading seed; each exercise's hidden cases come from
        ``default_rng([seed, crc32(exercise id)])``.
    disk_bytes : int
        The largest file a call may write (``RLIMIT_FSIZE``; ``--disk``).
    """

    def __init__(
        self,
        target: str | os.PathLike[str],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        memory_bytes: int = DEFAULT_MEMORY_BYTES,
        seed: int = DEFAULT_SEED,
        disk_bytes: int = confine.DEFAULT_DISK_BYTES,
    ) -> None:
        self.target = Path(target)
        self.timeout, self.memory_bytes, self.seed = timeout, memory_bytes, seed
        self.disk_bytes = disk_bytes  # the largest file a call may write
        self._server: ForkServer | None = None
        self._import_failures: dict[Path, _Problem] = {}

    def close(self) -> None:
        """Stop the worker processes."""
        if self._server is not None:
            self._server.close()
            self._server = None

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def grade(self, exercise: Exercise) -> Result:
        """Grade one exercise; never raises for anything the learner's code does."""
        start = time.monotonic()
        try:
            outcomes = self._grade(exercise)
        except Exception as exc:  # a grader bug must not stop grading
            problem = _Problem(
                Status.GRADER_ERROR, f"the grader itself failed: {exc!r}"
            )
            outcomes = [(scoring.ALL, problem)]
        killed = self._server.sweep() if self._server is not None else 0
        outcomes = _contained(outcomes, killed)
        return _result(exercise, outcomes, time.monotonic() - start)

    def lesson_path(self, exercise: Exercise) -> Path:
        """Locate the learner's file: ``weekN/lesson.py`` or flat ``lesson.py``."""
        nested = (self.target / exercise.module).resolve()
        flat = (self.target / Path(exercise.module).name).resolve()
        return flat if not nested.is_file() and flat.is_file() else nested

    def rerun_note(self, exercise: Exercise) -> str:
        """How to re-run an exercise's hidden cases exactly ("" at the default seed)."""
        seed = self.seed
        if seed == DEFAULT_SEED:
            return ""
        return f"grading seed {seed}; re-run: ai4md grade {exercise.name} --seed {seed}"

    def _cases(self, exercise: Exercise) -> list[_Planned]:
        """Every case of ``exercise`` in grading order, public ones first.

        Hidden cases come from `autograder.rebuild.case_rng` (the derivation
        `autograder.rebuild.case` repeats) and keep their builder's order and
        numbering; their ``group`` is the builder's tag.
        """
        public = exercise.public()
        hidden = exercise.hidden(case_rng(exercise.id, self.seed))
        return [
            _Planned(case, "public", i, len(public), "public")
            for i, case in enumerate(public, 1)
        ] + [
            _Planned(case, "hidden", i, len(hidden), case.group)
            for i, case in enumerate(hidden, 1)
        ]

    def _case_header(self, exercise: Exercise, item: _Planned) -> str:
        """Return the first line of a failure: the case, and its call when short."""
        call = describe_case(exercise, item.case)
        if item.kind == "public":
            return f"public case {item.index}: {call}"
        edge = " (an edge case)" if item.group == "edge" else ""
        return f"hidden case {item.index} of {item.count}{edge}: {call}"

    def _case_message(
        self, exercise: Exercise, item: _Planned, problem: _Problem, printed: str
    ) -> str:
        """Return the case, what went wrong, its inputs, the output and the seed."""
        seed = self.seed if item.kind == "hidden" else None
        parts = [
            self._case_header(exercise, item),
            problem.message,
            feedback.input_details(exercise, item.case, item.kind, item.index, seed),
            feedback.printed_block(printed),
            self.rerun_note(exercise) if item.kind == "hidden" else "",
        ]
        return "\n".join(part for part in parts if part)

    def _server_ready(self) -> ForkServer:
        if self._server is None:
            self._server = ForkServer(self.memory_bytes, disk_bytes=self.disk_bytes)
        return self._server

    def _grade(self, exercise: Exercise) -> list[tuple[str, _Problem | None]]:
        """Return each case group with its first failure (None: it passed)."""
        planned = self._cases(exercise)
        order = scoring.group_order(exercise, (item.group for item in planned))

        def every_group(problem: _Problem) -> list[tuple[str, _Problem]]:
            return [(group, problem) for group in order]

        path = self.lesson_path(exercise)
        if not path.is_file():
            return every_group(_Problem(Status.MISSING, f"file not found: {path}"))
        if path in self._import_failures:
            return every_group(self._import_failures[path])
        module_name = "ai4md_submission." + exercise.id.rsplit(".", 1)[0]
        try:
            child = self._server_ready().spawn(
                str(path), module_name, self.timeout, forbidden.for_exercise(exercise)
            )
        except ChildFailure as failure:
            problem = self._import_problem(path, failure)
            self._import_failures[path] = problem
            return every_group(problem)
        try:
            outcomes: list[tuple[str, _Problem | None]] = []
            stop: tuple[str, _Problem] | None = None
            for group in order:
                if stop is not None:
                    title = scoring.group_title(stop[0])
                    outcomes.append(
                        (
                            group,
                            _Problem(
                                stop[1].status,
                                f"not run after the {title} ({stop[1].status.label})",
                                ran=False,
                            ),
                        )
                    )
                    continue
                items = [i for i in planned if group in (scoring.ALL, i.group)]
                problem = self._run_group(child, exercise, items)
                if problem is not None and problem.status is Status.FORBIDDEN:
                    return every_group(problem)  # about the file, not about a case
                outcomes.append((group, problem))
                if problem is not None and problem.status not in _NEXT_GROUP_RUNS:
                    stop = group, problem
            if not self._server.ping():
                return every_group(
                    _Problem(
                        Status.CRASHED,
                        "killed the grader's worker process (the parent "
                        "of the process that runs your code)",
                    )
                )
            return outcomes
        finally:
            child.kill()

    def _run_group(
        self, child: Child, exercise: Exercise, items: list[_Planned]
    ) -> _Problem | None:
        """Grade one group's cases in order; return the first failure."""
        for item in items:
            since = _output_mark(child)
            for kind in exercise.kinds():
                problem = self._run(child, exercise, kind, item.case)
                if problem is None:
                    continue
                if problem.status is Status.FORBIDDEN:
                    return problem
                printed = ""
                if problem.status in _NEXT_GROUP_RUNS:  # the worker still runs
                    printed = _output_since(child, since)
                return _Problem(
                    problem.status,
                    self._case_message(exercise, item, problem, printed),
                    on_hidden=item.kind == "hidden",
                )
        return None

    def _import_problem(self, path: Path, failure: ChildFailure) -> _Problem:
        try:
            shown = path.relative_to(self.target.resolve()).as_posix()
        except ValueError:
            shown = path.name
        if failure.status is Status.TIMEOUT:
            message = (
                f"importing {shown} did not finish within "
                f"{self.timeout:g} s (code at module level that never ends?)"
            )
        elif failure.status is Status.IMPORT_ERROR:
            message = f"{shown} {ReplyStatus.IMPORT_ERROR.describe(failure.message)}"
        else:
            message = f"importing {shown} {failure.message}"
        return _Problem(Status.IMPORT_ERROR, feedback.without_frozen(message))

    def _request(
        self, child: Child, request: Request
    ) -> tuple[Reply | None, _Problem | None]:
        try:
            reply = child.request(request, self.timeout)
        except ChildFailure as failure:
            printed = child.output_text().strip()
            tail = f"\nIt printed:\n{printed[-800:]}" if printed else ""
            return None, _Problem(failure.status, f"{failure.message}{tail}")
        return reply, reply_problem(reply, self.memory_bytes)

    def _run(
        self, child: Child, exercise: Exercise, kind: str, case: Case
    ) -> _Problem | None:
        if kind == "call":
            return self._run_call(child, exercise, case)
        if kind == "roundtrip":
            return self._run_roundtrip(child, exercise, case)
        if kind == "gradcheck":
            return self._run_gradcheck(child, exercise, case)
        raise ValueError(f"unknown grading kind {kind!r} for {exercise.id}")

    def _run_call(
        self, child: Child, exercise: Exercise, case: Case
    ) -> _Problem | None:
        expected = None
        if exercise.verify is None:
            expected = exercise.oracle(*case.args, **case.kwargs)
            for args, kwargs in case.then:
                expected = expected(*args, **kwargs)
            if exercise.pick is not None:
                expected = expected[exercise.pick]
        request = Call(
            exercise.name,
            list(case.args),
            dict(case.kwargs),
            tuple(case.then),
            exercise.pick,
        )
        reply, problem = self._request(child, request)
        if problem is not None:
            return problem
        if reply.not_callable:
            return _Problem(
                Status.WRONG_TYPE,
                "wrong type: expected a function to be returned, "
                f"got {describe(reply.value)}",
            )
        return value_problem(
            exercise, case, expected, reply, [list(case.args), dict(case.kwargs)]
        )

    def _run_roundtrip(
        self, child: Child, exercise: Exercise, case: Case
    ) -> _Problem | None:
        forward, backward = exercise.oracle
        out, cache = forward(*case.args, **case.kwargs)
        expected = {"out": out, "grads": backward(case.dout, cache)}
        request = Roundtrip(
            exercise.forward_name,
            exercise.name,
            list(case.args),
            dict(case.kwargs),
            case.dout,
        )
        reply, problem = self._request(child, request)
        if problem is not None:
            return problem
        return value_problem(
            exercise,
            case,
            expected,
            reply,
            [list(case.args), dict(case.kwargs), case.dout],
        )

    def _run_gradcheck(
        self, child: Child, exercise: Exercise, case: Case
    ) -> _Problem | None:
        request = Gradcheck(
            exercise.forward_name,
            exercise.name,
            list(case.args),
            dict(case.kwargs),
            case.dout,
            tuple(case.wrt),
        )
        reply, problem = self._request(child, request)
        if problem is not None:
            return problem
        return gradcheck_problem(exercise, case, reply)


def _output_mark(child: Child) -> int:
    """Return how much the learner's code has printed so far (bytes kept)."""
    return len(getattr(getattr(child, "output", None), "head", b""))


def _output_since(child: Child, mark: int) -> str:
    """Return what the learner's code printed after ``mark`` (waits briefly)."""
    text = child.output_text()
    head = getattr(getattr(child, "output", None), "head", None)
    if head is None:
        return text
    return bytes(head[mark:]).decode("utf-8", "replace")


def _contained(
    outcomes: list[tuple[str, _Problem | None]], killed: int
) -> list[tuple[str, _Problem | None]]:
    """Zero the whole exercise if its code left processes running.

    ``killed``: how many the fork server (or the grader) killed after the
    exercise (`autograder.confine`). Its status is ``escaped``, unless the
    exercise already failed for another reason: then a note is appended.
    """
    problems = [p for _, p in outcomes if p is not None and p.ran]
    escaped = [  # ended as escaped, or another failure with the note
        p
        for p in problems
        if p.status is Status.ESCAPED or confine.mentions_escape(p.message)
    ]
    if not killed and not escaped:
        return outcomes
    culprit = (escaped or problems or [None])[0]
    if killed:
        note = ReplyStatus.ESCAPED.describe(
            confine.escaped_detail(killed, "after its last call")
        )
        culprit = (
            _Problem(Status.ESCAPED, note)
            if culprit is None
            else _Problem(
                culprit.status, f"{culprit.message}\n{note}", culprit.on_hidden
            )
        )
    original = (escaped or problems or [None])[0]
    return [
        (group, culprit if p is None or p is original else p) for group, p in outcomes
    ]


def _result(
    exercise: Exercise,
    outcomes: list[tuple[str, _Problem | None]],
    seconds: float,
) -> Result:
    """Score each group from the registry's split and build the `Result`."""
    points = scoring.split_points(exercise, [group for group, _ in outcomes])
    hint = f"\nHint: {exercise.hint}" if exercise.hint else ""
    groups = []
    for group, problem in outcomes:
        if problem is None:
            groups.append(
                GroupResult(group, points[group], points[group], Status.PASSED)
            )
            continue
        message = problem.message
        if hint and problem.status in WRONG_ANSWERS:
            message += hint
        groups.append(
            GroupResult(
                group,
                0,
                points[group],
                problem.status,
                message,
                problem.on_hidden,
                problem.ran,
            )
        )
    score = round(sum(g.score for g in groups), 2)
    failures = [(g, p) for g, (_, p) in zip(groups, outcomes, strict=True) if p]
    if not failures:
        return Result(exercise, exercise.points, Status.PASSED, "", seconds, groups)
    first, problem = failures[0]
    message = problem.message
    if len({id(p) for _, p in failures}) > 1:  # not one failure of the whole file
        for group, other in failures[1:]:
            if other.ran:
                what = _first_line(other.message)
                message += f"\n{group.title} also failed: {what}"
            else:
                message += f"\n{group.title}: {other.message}"
    if hint and problem.status in WRONG_ANSWERS:
        message += hint
    return Result(exercise, score, first.status, message, seconds, groups)


def _first_line(message: str) -> str:
    """Return the case line and what went wrong, on one line."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return ": ".join(lines[:2])
