"""The docstring examples of `reference` and `solutions` run and hold."""

import doctest
import importlib
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for tree in ("reference", "solutions")
    for p in (ROOT / tree).rglob("*.py")
    if "__pycache__" not in p.parts
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(
        module, optionflags=flags, extraglobs={"np": np}, report=True, verbose=False
    )
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_there_are_examples_to_run():
    finder = doctest.DocTestFinder()
    examples = sum(
        len(t.examples)
        for n in MODULES
        for t in finder.find(importlib.import_module(n))
    )
    assert examples > 150
