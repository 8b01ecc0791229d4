"""The helper threads behind the two-thread kernels (reference/ops/_fast/threads.py):
runs are split evenly, results come back in order, helpers are reused, a busy
pool or a nested call falls back to fresh threads, and a forked child starts
its own helpers."""

import os
import threading
import weakref

import pytest

from reference.ops._fast import threads


@pytest.mark.parametrize(
    ("items", "workers", "runs"),
    [
        (10, 3, [(0, 3), (3, 6), (6, 10)]),
        (10, 1, [(0, 10)]),
        (4, 2, [(0, 2), (2, 4)]),
        (2, 5, [(0, 1), (1, 2)]),  # more workers than items
        (0, 3, [(0, 0)]),  # nothing to do: one empty run
        (3, 0, [(0, 3)]),
    ],
)
def test_run_split_cuts_even_runs(items, workers, runs):
    assert threads.run_split(lambda a, b: (a, b), items, workers) == runs


def test_thread_count(monkeypatch):
    monkeypatch.setattr(threads, "blas_thread_count", lambda: 2)
    assert threads.thread_count(8, 1e9, 2e7) == 2  # enough work: BLAS's budget
    assert threads.thread_count(8, 1e6, 2e7) == 1  # too little
    assert threads.thread_count(1, 1e9, 2e7) == 1  # one item
    assert threads.thread_count(3, 0, 2e7, workers=4) == 3  # given, capped
    assert threads.thread_count(3, 1e9, 2e7, workers=0) == 1


def test_runs_go_to_a_reused_helper_thread():
    names = []

    def work(a, b):
        names.append((a, threading.get_ident()))
        return a * b

    assert threads.run_threads(work, [(1, 2), (3, 4)]) == [2, 12]
    first = dict(names)
    names.clear()
    assert threads.run_threads(work, [(1, 2), (3, 4)]) == [2, 12]
    assert dict(names)[1] == threading.get_ident()  # the caller takes run 0
    assert dict(names)[3] == first[3] != threading.get_ident()  # the same helper


def test_a_nested_call_runs_in_fresh_threads_without_deadlock():
    def inner(a, b):
        return a + b

    def outer(a, b):
        return threads.run_threads(inner, [(a, b), (b, a)])

    assert threads.run_threads(outer, [(1, 2), (3, 4)]) == [[3, 3], [7, 7]]


def test_errors_of_helper_runs_are_raised_after_all_runs_end():
    ended = []

    def work(a, b):
        if a:
            raise KeyError(a)
        ended.append(a)
        return b

    with pytest.raises(KeyError):
        threads.run_threads(work, [(0, 1), (5, 6)])
    assert ended == [0]
    assert threads.run_threads(work, [(0, 1), (0, 2)]) == [1, 2]  # helper still serves


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_starts_its_own_helpers():
    threads.run_threads(lambda a, b: a, [(0, 0), (1, 1)])  # the parent has a helper
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: the parent's helper thread does not exist here
        try:
            out = threads.run_threads(lambda a, b: a + b, [(1, 2), (3, 4)])
            os.write(write, repr(out).encode())
        finally:
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    assert os.read(read, 100) == b"[3, 7]"
    assert status == 0


def test_helpers_keep_no_reference_to_finished_work():
    # a helper holding its last job would keep the caller's arrays alive
    # (the 3D U-Net's peak memory rose by 0.3 GB when it did)
    class Payload:
        pass

    payload = Payload()
    ref = weakref.ref(payload)

    def work(a, b, held=payload):
        return a

    assert threads.run_threads(work, [(0, 0), (1, 1)]) == [0, 1]
    del work, payload
    assert ref() is None
