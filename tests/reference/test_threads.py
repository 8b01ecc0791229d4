"""The helper threads behind the two-thread kernels (reference/ops/_threads.py):
runs are split evenly, results come back in order, helpers are reused, a busy
pool or a nested call falls back to fresh threads, and a forked child starts
its own helpers."""

import os
import threading

import pytest

from reference.ops import _threads as threads


def test_run_split_cuts_even_runs():
    def span(a, b):
        return (a, b)

    assert threads.run_split(span, 10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert threads.run_split(span, 3, 8) == [(0, 1), (1, 2), (2, 3)]
    assert threads.run_split(span, 0, 2) == [(0, 0)]


def test_thread_count_follows_budget_and_threshold(monkeypatch):
    monkeypatch.setattr(threads, "blas_thread_count", lambda: 2)
    assert threads.thread_count(8, flops=1e9, min_flops=1e8) == 2
    assert threads.thread_count(8, flops=1e7, min_flops=1e8) == 1
    assert threads.thread_count(1, flops=1e9, min_flops=1e8) == 1
    assert threads.thread_count(8, flops=1, min_flops=1e8, workers=3) == 3


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
