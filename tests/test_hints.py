"""Hints teach the idea, not the answer (issue 17, part 3).

Two kinds of hint reach the learner: the leading comment lines of a solution
block, which `ai4md build-exercises` copies into the stub, and a registry row's
``hint=``, printed after a failed check. Either may name an idea, a formula, a
docstring section, a pitfall or a function, but must not hand over the
solution block's own code:

- no hint contains a statement of its block (or the value it assigns or
  returns), compared without whitespace, once it is at least
  ``MIN_FRAGMENT`` characters long;
- no hint looks like code: a dotted call with arguments (``np.sum(x...``), a
  call inside a call, slicing (``x[:, :C]``), an augmented assignment, an
  assignment of a call, or ``return`` of an expression. Plain indexing such as
  ``out[n, f, i, j]`` is the docstrings' maths notation and stays allowed.
"""

from __future__ import annotations

import ast
import io
import re
import textwrap
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.registry import EXERCISES
from autograder.stubgen import BEGIN, END

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
MIN_FRAGMENT = 12  # characters, whitespace removed: shorter code is a formula

# What pasteable code looks like in a line of English (see the module docstring).
CODE_PATTERNS = {
    "a dotted call with arguments": re.compile(
        r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+\((?!\))"
    ),
    "a call inside a call": re.compile(r"\b[A-Za-z_][\w.]*\([^()]*\b[A-Za-z_][\w.]*\("),
    "slicing": re.compile(r"\[[^\[\]]*:[^\[\]]*\]"),
    "an augmented assignment": re.compile(r"\s(?:[-+*/|&@]|//|\*\*)=\s"),
    "an assignment of a call": re.compile(r"\s=\s[^=;,:]*?\b[A-Za-z_][\w.]*\("),
    "a return statement": re.compile(r"\breturn\s+[\w.]+\s*[(\[]"),
}


@dataclass(frozen=True)
class Block:
    """One ``### BEGIN SOLUTION`` region of a solution file."""

    path: str  # relative to solutions/, such as "week2/roc_auc.py"
    line: int  # 1-based line of the BEGIN marker
    function: str  # the top-level function around it
    hints: tuple[str, ...]  # the leading comment lines, without "#" and "Hint:"
    code: str  # the rest of the region, dedented

    @property
    def id(self) -> str:
        return f"{self.path}::{self.function}"


def _enclosing_function(tree: ast.Module, line: int) -> str:
    for node in tree.body:
        end = node.end_lineno or node.lineno
        if (
            isinstance(node, (ast.FunctionDef, ast.ClassDef))
            and node.lineno <= line <= end
        ):
            return node.name
    return "<module>"


def _hint_text(comment: str) -> str:
    text = comment.strip().lstrip("#").strip()
    return text.removeprefix("Hint:").strip()


def solution_blocks() -> list[Block]:
    """Every solution region under solutions/, in file and line order."""
    blocks = []
    for path in sorted(SOLUTIONS.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        tree, lines = ast.parse(source), source.splitlines()
        starts = [i for i, line in enumerate(lines) if line.strip() == BEGIN]
        for start in starts:
            end = next(
                i for i in range(start + 1, len(lines)) if lines[i].strip() == END
            )
            body = lines[start + 1 : end]
            n_hints = 0
            while n_hints < len(body) and body[n_hints].strip().startswith("#"):
                n_hints += 1
            blocks.append(
                Block(
                    path=str(path.relative_to(SOLUTIONS)),
                    line=start + 1,
                    function=_enclosing_function(tree, start + 1),
                    hints=tuple(_hint_text(c) for c in body[:n_hints]),
                    code=textwrap.dedent("\n".join(body[n_hints:])) + "\n",
                )
            )
    return blocks


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def code_fragments(code: str) -> set[str]:
    """The block's statements (each line, each simple statement, and the value it
    assigns, returns or tests), whitespace removed, at least MIN_FRAGMENT long.

    A value that is a bare name or element, such as ``dout[n, c, i, j]``, is left
    out: hints may use the docstrings' notation.
    """
    # every code line without its comment
    comments = {}
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.start[1]
    fragments = [
        line[: comments.get(row, len(line))]
        for row, line in enumerate(code.splitlines(), start=1)
    ]
    # every simple statement (also when it spans lines) and its value
    tree = ast.parse(code)
    for node in ast.walk(tree):
        parts = []
        if isinstance(
            node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)
        ):
            parts = [node]
            # a value that is only a name or an element (dout[n, c, i, j]) is notation
            if not isinstance(node.value, (ast.Name, ast.Attribute, ast.Subscript)):
                parts.append(node.value)
        elif isinstance(node, (ast.If, ast.While)):
            parts = [node.test]
        elif isinstance(node, ast.For):
            parts = [node.iter]
        fragments += [
            ast.get_source_segment(code, p) or "" for p in parts if p is not None
        ]
    return {s for s in map(_squash, fragments) if len(s) >= MIN_FRAGMENT}


def looks_like_code(text: str) -> list[str]:
    """Names of the CODE_PATTERNS that ``text`` matches, each with the match."""
    return [
        f"{name} ({m.group(0)!r})"
        for name, pattern in CODE_PATTERNS.items()
        if (m := pattern.search(text))
    ]


def pasted_statements(hint: str, block: Block) -> list[str]:
    """The block's code fragments that appear verbatim in ``hint``."""
    squashed = _squash(hint)
    return sorted(f for f in code_fragments(block.code) if f in squashed)


BLOCKS = solution_blocks()
BLOCK_OF = {(b.path, b.function): b for b in BLOCKS}


def test_every_graded_exercise_has_one_solution_block():
    assert len(BLOCK_OF) == len(BLOCKS), "two blocks in one function"
    missing = [e.id for e in EXERCISES if (e.module, e.name) not in BLOCK_OF]
    assert not missing


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.id)
def test_stub_hints_do_not_contain_the_solution(block):
    assert block.hints, f"{block.id}: the block has no hint lines"
    # the joined text also catches a statement wrapped over two hint lines
    pasted = pasted_statements(" ".join(block.hints), block)
    assert not pasted, f"{block.id}: the hints paste the solution's code: {pasted}"
    code_like = {h: found for h in block.hints if (found := looks_like_code(h))}
    assert not code_like, f"{block.id}: hint lines that read as code: {code_like}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_failure_hints_do_not_contain_the_solution(exercise):
    block = BLOCK_OF[(exercise.module, exercise.name)]
    assert exercise.hint, f"{exercise.id} has no failure hint"
    pasted = pasted_statements(exercise.hint, block)
    assert not pasted, f"{exercise.id}: the hint pastes the solution's code: {pasted}"
    found = looks_like_code(exercise.hint)
    assert not found, f"{exercise.id}: the hint reads as code: {found}"


BAD = [  # hints of the kind issue 17 removed
    "Return a bool: len(set(df1[patient_col]) & set(df2[patient_col])) > 0",
    "-np.mean(pos_weights[i] * y * np.log(p + epsilon)",
    "np.maximum(x, 0) builds a new array",
    "Accumulate total[:, window] += tile and count += 1",
    "alpha = dactivations.mean(axis=(2, 3), keepdims=True)",
    "return np.moveaxis(slices, 0, -1)",
    "x fed the concat AND the path: dx = dout[:, :C] + the path's dx.",
    "then total / np.maximum(count, 1) (uncovered voxels stay 0)",
]
GOOD = [  # formulas, function names, docstring pointers and pitfalls
    "sensitivity = TP / (TP + FN): out of the diseased patients.",
    "np.argmax returns the FIRST maximum, which is the tie rule.",
    "See Notes: the output-size rule; a score equal to th counts as positive.",
    "Mean over the images (axis 0), then sum over the findings; epsilon inside log(p + eps).",
    "Per axis the output size is 1 + (size + 2 * padding - kernel) // stride.",
    'A name belongs to the head when it starts with head + "."; keep the input order.',
    "out[n, f, i, j] is b[f] plus the sum of window times w[f]; overlaps add up.",
    "Pull: output voxel p reads the label at q = M p; inside 0 <= q <= n - 1, else 0.",
]


@pytest.mark.parametrize("text", BAD)
def test_the_checker_flags_pasteable_code(text):
    assert looks_like_code(text)


@pytest.mark.parametrize("text", GOOD)
def test_the_checker_accepts_formulas_and_names(text):
    assert not looks_like_code(text)


def test_the_checker_finds_statements_pasted_into_a_hint():
    # the old hints of true_positives and get_weighted_loss (wrapped over lines)
    counts = BLOCK_OF[("week2/diagnostic_metrics.py", "true_positives")]
    assert pasted_statements("threshold first (thresholded = pred >= th)", counts)
    loss = BLOCK_OF[("week1/weighted_loss.py", "get_weighted_loss")]
    old = (
        "add -np.mean(pos_weights[i] * y * np.log(p + epsilon)\n"
        "         + neg_weights[i] * (1 - y) * np.log(1 - p + epsilon))"
    )
    assert pasted_statements(old, loss)
    assert not pasted_statements("per finding the mean over the images", loss)
