"""The exercise generator: solution blocks become hints plus NotImplementedError."""

import textwrap

import pytest

from autograder.stubgen import StubError, build, make_stub

SOURCE = textwrap.dedent('''\
    """A lesson."""

    import numpy as np


    def get_ppv(y, pred, th=0.5):
        """Positive predictive value."""
        y = np.asarray(y)
        ### BEGIN SOLUTION
        # Hint: PPV = TP / (TP + FP).
        # Hint: threshold with pred >= th.
        tp = np.sum((y == 1) & (pred >= th))
        return tp / np.sum(pred >= th)
        ### END SOLUTION


    def get_weighted_loss(pos, neg):
        """Return a loss function."""
        def weighted_loss(y_true, y_pred):
            ### BEGIN SOLUTION
            return 0.0
            ### END SOLUTION
        return weighted_loss
''')


def test_blocks_become_hints_and_a_named_raise():
    stub = make_stub(SOURCE, "week2.lesson")
    assert "tp = np.sum" not in stub and "return 0.0" not in stub
    assert (
        textwrap.indent(
            textwrap.dedent("""\
        y = np.asarray(y)
        ### START CODE HERE ###
        # Hint: PPV = TP / (TP + FP).
        # Hint: threshold with pred >= th.
        raise NotImplementedError("week2.lesson.get_ppv: not implemented yet")
        ### END CODE HERE ###
    """),
            "    ",
        )
        in stub
    )
    assert (
        '        raise NotImplementedError("week2.lesson.get_weighted_loss: not implemented yet")'
        in stub
    )
    namespace = {}
    exec(compile(stub, "stub", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="week2.lesson.get_ppv"):
        namespace["get_ppv"]([1], [1.0])
    assert namespace["get_ppv"].__doc__ == "Positive predictive value."


@pytest.mark.parametrize(
    "broken, message",
    [
        ("### BEGIN SOLUTION\nx = 1\n", "without ### END SOLUTION"),
        ("x = 1\n### END SOLUTION\n", "without ### BEGIN SOLUTION"),
        (
            "def f():\n    ### BEGIN SOLUTION\n    x = 1\n    ### BEGIN SOLUTION\n    ### END SOLUTION\n",
            "nested",
        ),
        (
            "def f():\n    ### BEGIN SOLUTION\n    return 1\n### END SOLUTION\n",
            "not indented",
        ),
    ],
)
def test_malformed_markers_are_reported_with_their_line(broken, message):
    with pytest.raises(StubError, match=message):
        make_stub(broken, "week0.bad", "bad.py")


def test_build_writes_checks_and_removes_extra_files(tmp_path):
    (tmp_path / "solutions" / "week9").mkdir(parents=True)
    (tmp_path / "solutions" / "week9" / "lesson.py").write_text(SOURCE)
    (tmp_path / "solutions" / "week9" / "__init__.py").write_text('"""Week 9."""\n')
    (tmp_path / "exercises" / "week9").mkdir(parents=True)
    (tmp_path / "exercises" / "week9" / "old.py").write_text("x = 1\n")
    assert sorted(build(tmp_path, check=True)) == [
        "exercises/week9/__init__.py",
        "exercises/week9/lesson.py",
        "exercises/week9/old.py",
    ]
    build(tmp_path)
    assert build(tmp_path, check=True) == []
    assert not (tmp_path / "exercises" / "week9" / "old.py").exists()
    text = (tmp_path / "exercises" / "week9" / "lesson.py").read_text()
    assert "week9.lesson.get_ppv: not implemented yet" in text
