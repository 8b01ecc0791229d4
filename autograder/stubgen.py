"""Write ``exercises/`` from ``solutions/`` (maintainers only).

Every region of a solution file between a ``### BEGIN SOLUTION`` line and a
``### END SOLUTION`` line becomes, at the same indentation::

    ### START CODE HERE ###
    <the region's leading comment lines: the hints>
    raise NotImplementedError("week2.diagnostic_metrics.get_ppv: not implemented yet")
    ### END CODE HERE ###

Everything else (imports, signatures, docstrings, given helper code) is copied
verbatim, so the docstring a learner reads is the one the solution satisfies.
``build(check=True)`` writes nothing and lists the stale files instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["StubError", "build", "make_stub"]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
LINE_LENGTH = 88  # ruff format's line length (pyproject.toml): the stubs are formatted


class StubError(ValueError):
    """A solution file's markers are malformed."""


def _enclosing_function(tree: ast.Module, line: int) -> str:
    for node in tree.body:
        if isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ) and node.lineno <= line <= (node.end_lineno or node.lineno):
            return node.name
    return "<module>"


def make_stub(source: str, dotted_module: str, filename: str = "<solution>") -> str:
    """Return the exercise text for one solution file's ``source``."""
    tree = ast.parse(source, filename)
    lines = source.splitlines(keepends=True)
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if line.strip() != BEGIN:
            if line.strip() == END:
                raise StubError(f"{filename}:{i + 1}: {END} without {BEGIN}")
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        start = i
        i += 1
        hints = []
        while (
            i < len(lines)
            and lines[i].strip().startswith("#")
            and lines[i].strip() not in (BEGIN, END)
        ):
            hints.append(lines[i])
            i += 1
        while i < len(lines) and lines[i].strip() != END:
            if lines[i].strip() == BEGIN:
                raise StubError(f"{filename}:{i + 1}: nested {BEGIN}")
            i += 1
        if i == len(lines):
            raise StubError(f"{filename}:{start + 1}: {BEGIN} without {END}")
        if lines[i][: len(lines[i]) - len(lines[i].lstrip())] != indent:
            raise StubError(
                f"{filename}:{i + 1}: {END} is not indented like its {BEGIN}"
            )
        name = f"{dotted_module}.{_enclosing_function(tree, start + 1)}"
        out.append(f"{indent}### START CODE HERE ###\n")
        out.extend(hints)
        out.append(_raise_line(indent, f"{name}: not implemented yet"))
        out.append(f"{indent}### END CODE HERE ###\n")
        i += 1
    stub = "".join(out)
    ast.parse(stub, filename)  # the stub must still be valid Python
    return stub


def _raise_line(indent: str, message: str) -> str:
    """Return the stub's ``raise``, wrapped as ruff format wraps a long line."""
    line = f'{indent}raise NotImplementedError("{message}")'
    if len(line) <= LINE_LENGTH:
        return line + "\n"
    return f'{indent}raise NotImplementedError(\n{indent}    "{message}"\n{indent})\n'


def _expected_files(solutions: Path) -> dict[Path, str]:
    files = {}
    for path in sorted(solutions.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        relative = path.relative_to(solutions)
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            dotted = ".".join(relative.with_suffix("").parts)
            text = make_stub(text, dotted, str(path))
        files[relative] = text
    return files


def build(root: Path = PACKAGE_ROOT, check: bool = False) -> list[str]:
    """Generate ``root/exercises`` from ``root/solutions``; return the stale paths.

    With ``check=True`` nothing is written: the returned list names every file
    that is missing, different or extra in ``exercises/``.
    """
    solutions, exercises = root / "solutions", root / "exercises"
    expected = _expected_files(solutions)
    stale = []
    for relative, text in expected.items():
        target = exercises / relative
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(str(Path("exercises") / relative))
            if not check:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    for path in sorted(exercises.rglob("*")):
        if (
            path.is_file()
            and "__pycache__" not in path.parts
            and path.suffix != ".pyc"
            and path.relative_to(exercises) not in expected
        ):
            stale.append(str(Path("exercises") / path.relative_to(exercises)))
            if not check:
                path.unlink()
    return stale
