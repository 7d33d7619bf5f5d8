"""Bounds of lets, states and outputs, found by unrolling the steps over the longest sequence."""

from __future__ import annotations

from mipsdsl import bounds
from mipsdsl.check import bounding, load_task
from tests.check.conftest import checked


def test_windowed_sum_bounds_use_the_window_not_the_length():
    task, _ = checked('task d "d"\ninput x in [0, 100)\nlength 20\noutput y = sum(x, last 3)\n')
    assert (task.outputs[0].lo, task.outputs[0].hi) == (0, 297)


def test_state_bounds_come_from_unrolling_the_steps():
    task, _ = load_task("specs/newton_freebody.mips")
    # p after 10 steps of |F| <= 10: at most 10 * (1 + 2 + ... + 10) = 550
    assert (task.outputs[0].lo, task.outputs[0].hi) == (-550, 550)
    assert task.states == (("v", 0), ("p", 0))
    assert [s.kind for s in task.steps] == ["update", "update"]


def test_bounds_of_many_lets_take_work_linear_in_the_lets_not_lets_times_length(monkeypatch):
    lets = 2000
    text = 'task m "m"\ninput x in [0, 3)\nlength 1000\nstate s = 0\nupdate s = (s + x) % 5\n'
    text += "let a0 = x + s\n" + "".join(f"let a{i} = (a{i - 1} + x) % 7\n" for i in range(1, lets))
    text += f"output y = a{lets - 1} % 3\n"
    calls = []
    for module in (bounds, bounding):
        counted = module.interval
        monkeypatch.setattr(module, "interval", lambda *a, f=counted: calls.append(1) or f(*a))
    task, _ = checked(text)
    assert (task.outputs[0].lo, task.outputs[0].hi) == (0, 2)
    # the state's bounds repeat after a few steps: a few rounds over the lets, not 1,000
    assert lets <= len(calls) <= 10 * lets
