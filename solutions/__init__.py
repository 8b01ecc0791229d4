"""The course's exercises, one lesson module per topic under ``week1`` to ``week3``.

``solutions/`` holds the completed exercises and is the single source;
``exercises/`` holds the learner's stubs, generated from it by
``autograder.stubgen`` (each solution region replaced by a ``NotImplementedError``),
so both trees have the same files, names, signatures and docstrings.
"""
