"""End-to-end tasks behind ``ai4md train`` and ``ai4md evaluate``.

Each task module provides ``add_arguments(parser)`` (its command-line options),
``run(args) -> int`` (generate the seeded data, train, evaluate, write figures,
tables and an HDF5 checkpoint) and ``evaluate(args) -> int`` (re-evaluate a
checkpoint). Checkpoints record their task in the metadata (``task``), so
`evaluate_checkpoint` can dispatch on the file alone.

Public names: `TASKS`, `task_module`, `checkpoint_task`, `evaluate_checkpoint`.
"""

from __future__ import annotations

import importlib
import json

from reference._validation import fail

__all__ = ["TASKS", "checkpoint_task", "evaluate_checkpoint", "task_module"]

# task name (the command-line word) -> module that implements it
TASKS = {
    "chest-xray": "reference.tasks.chest_xray",
    "brain-mri": "reference.tasks.brain_mri",
}


def task_module(name: str):
    """Import and return the module of task ``name`` (a key of `TASKS`).

    Examples
    --------
    >>> task_module("chest-xray").__name__
    'reference.tasks.chest_xray'
    """
    if name not in TASKS:
        fail("task_module", f"a task in {sorted(TASKS)}", repr(name))
    return importlib.import_module(TASKS[name])


def checkpoint_task(path) -> str:
    """Return the ``task`` recorded in a checkpoint's metadata."""
    import h5py

    with h5py.File(path, "r") as f:
        meta = f["metadata"].attrs if "metadata" in f else {}
        if "task" not in meta:
            fail(
                "checkpoint_task",
                "a checkpoint written by `ai4md train`",
                f"{str(path)!r} without a 'task' entry in its metadata",
            )
        return json.loads(meta["task"])


def evaluate_checkpoint(args) -> int:
    """Re-evaluate ``args.checkpoint`` with the task that wrote it; return 0 or 1."""
    return task_module(checkpoint_task(args.checkpoint)).evaluate(args)
