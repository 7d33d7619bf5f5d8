"""Exact integers: labels, bounds and program runs agree with Python's unbounded ints, using int64
only where interval bounds show it cannot overflow (issue 14)."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl import bounds
from mipsdsl import expr as E
from mipsdsl.check import check
from mipsdsl.data import make_dataset
from mipsdsl.data.label import label
from mipsdsl.diagnostics import Severity, SpecError
from mipsdsl.errors import DataError
from mipsdsl.program import Program, Step, program_from_task, unroll
from mipsdsl.syntax import parse
from mipsdsl.verify import VerifyOptions, verify

BIG = 4611686018427387903  # 2**62 - 1, the largest literal a spec may hold
V, C, B = E.Var, E.Const, E.Binary


def checked(text):
    return check(parse(text, "exact.mips"))


def errors_of(text):
    with pytest.raises(SpecError) as info:
        checked(text)
    return [d.message for d in info.value.diagnostics if d.severity is Severity.ERROR]


def doubling() -> Program:
    """s doubles at every step: 2**(t+1) after step t, beyond int64 from t = 62 on."""
    return Program(
        ("x",), (("s", 1),), (Step("update", "s", B("*", V("s"), C(2))),), (("y", V("s")),)
    )


def test_a_let_beyond_int64_gives_the_exact_label():
    task, _ = checked(
        f'task t "a"\ninput x in {{0, 1}}\nlength 10\nlet a = x * {BIG} * 4\n'
        f"output y = (a // {BIG}) % 3\n"
    )
    data = make_dataset(task, n=50, seed=1)
    expected = [[(v * BIG * 4 // BIG) % 3 for v in row] for row in data.x[..., 0].tolist()]
    assert data.y.dtype == np.int64
    assert data.y[..., 0].tolist() == expected
    assert (task.outputs[0].lo, task.outputs[0].hi) == (0, 2)


def test_an_intermediate_beyond_int64_inside_one_expression_is_exact():
    task, _ = checked(
        f'task t "a"\ninput x in {{0, 1}}\nlength 4\noutput y = x * {BIG} * 4 // {BIG}\n'
    )
    data = make_dataset(task, n=20, seed=2)
    assert data.y[..., 0].tolist() == (data.x[..., 0] * 4).tolist()


def test_output_bounds_beyond_int64_are_not_clipped():
    task, warnings = checked(
        f'task t "a"\ninput x in {{0, 1}}\nlength 4\noutput y = x * {BIG} * 4\n'
    )
    assert (task.outputs[0].lo, task.outputs[0].hi) == (0, BIG * 4)
    assert any("64-bit" in w.message and str(BIG * 4) in w.message for w in warnings)


def test_labels_beyond_int64_are_refused_naming_the_output():
    task, _ = checked(f'task t "a"\ninput x in {{0, 1}}\nlength 4\noutput y = x * {BIG} * 4 + 1\n')
    x = np.ones((3, 4, 1), dtype=np.int64)
    with pytest.raises(DataError) as info:
        label(task, x, np.full(3, 4))
    assert info.value.output == "y" and "'y'" in str(info.value) and "64-bit" in str(info.value)
    assert str(BIG * 4 + 1) in str(info.value)


def test_exact_labels_hold_python_ints_beyond_int64():
    task, _ = checked(f'task t "a"\ninput x in {{0, 1}}\nlength 4\noutput y = x * {BIG} * 4 + 1\n')
    x = np.array([[[1], [0], [1], [1]]], dtype=np.int64)
    y = label(task, x, np.array([3]), exact=True)
    assert y[0, :, 0].tolist() == [BIG * 4 + 1, 1, BIG * 4 + 1, 0]


def test_a_state_that_doubles_is_exact_at_ten_times_the_length():
    task, _ = checked(
        'task t "a"\ninput x in {0, 1}\nlength 10\nstate s = 1\nupdate s = s * 2 + x\n'
        "output y = s % 1000\n"
    )
    data = make_dataset(task, n=30, seed=3, length=100)
    for row, got in zip(data.x[..., 0].tolist(), data.y[..., 0].tolist(), strict=True):
        s, want = 1, []
        for v in row:
            s = s * 2 + v
            want.append(s % 1000)
        assert got == want


def test_a_program_whose_state_doubles_runs_exactly():
    x = np.zeros((2, 100, 1), dtype=np.int64)
    y = doubling().run(x)
    assert y[1, :, 0].tolist() == [2 ** (t + 1) for t in range(100)]


def test_a_program_within_int64_keeps_int64():
    x = np.zeros((2, 60, 1), dtype=np.int64)
    y = doubling().run(x)
    assert y.dtype == np.int64 and y[0, -1, 0] == 2**60


def test_evaluate_exact_uses_python_ints():
    e = B("+", B("*", V("x"), C(BIG)), B("*", C(BIG), C(4)))
    x = np.array([[3, 0, 1]], dtype=np.int64)
    got = E.evaluate(e, {"x": x}, x.shape, np.arange(3), exact=True)
    assert got.tolist() == [[3 * BIG + 4 * BIG, 4 * BIG, 5 * BIG]]


@pytest.mark.parametrize("kind", ["sum", "min", "max", "mode", "count", "palindrome"])
def test_exact_aggregates_agree_with_python(kind):
    x = np.array([[2, 1, 2, 3, 1, 1]], dtype=np.int64)
    arg = B("*", V("x"), C(BIG * 4))
    values = [v * BIG * 4 for v in x[0].tolist()]
    got = E.evaluate(E.Aggregate(kind, arg, 3), {"x": x}, x.shape, np.arange(6), exact=True)
    windows = [values[max(0, t - 2) : t + 1] for t in range(6)]
    want = {
        "sum": [sum(w) for w in windows],
        "min": [min(w) for w in windows],
        "max": [max(w) for w in windows],
        "mode": [min(set(w), key=lambda v: (-w.count(v), v)) for w in windows],
        "count": [len(w) for w in windows],
        "palindrome": [int(values[: t + 1] == values[: t + 1][::-1]) for t in range(6)],
    }[kind]
    if kind == "palindrome":
        got = E.evaluate(E.Aggregate(kind, arg), {"x": x}, x.shape, np.arange(6), exact=True)
    assert got.tolist()[0] == want


def test_fits_int64_looks_at_every_node_not_just_the_result():
    env = {"x": (0, 1)}
    inner = B("//", B("*", V("x"), C(BIG * 4)), C(BIG))
    assert bounds.interval(inner, env, 1) == (0, 4)
    assert not bounds.fits_int64(inner, env, 1)
    assert bounds.fits_int64(B("*", V("x"), C(BIG)), env, 1)


def test_unrolled_bounds_stop_at_a_fixpoint(monkeypatch):
    steps = [Step("update", "c", B("%", B("+", V("c"), V("x")), C(3)))]
    calls = []
    counted = bounds.interval
    monkeypatch.setattr(bounds, "interval", lambda *a: calls.append(a) or counted(*a))
    found = bounds.unrolled({"x": (0, 1)}, (("c", 0),), steps, 10_000)
    assert found["c"] == (0, 2)
    assert len(calls) < 100  # a few rounds of a few nodes, not 10,000 rounds


def test_a_state_growing_too_fast_to_compute_exactly_is_refused():
    messages = errors_of(
        'task t "a"\ninput x in {0, 1}\nlength 20\nstate s = 2\nupdate s = s * s\n'
        "output y = s % 7\n"
    )
    assert any("'s'" in m and "bits" in m for m in messages)


def test_an_initial_state_beyond_int64_is_exact():
    task, _ = checked(
        f'task t "a"\ninput x in {{0, 1}}\nlength 3\nstate s = {BIG} * 4\nupdate s = s + x\n'
        f"output y = s - {BIG} * 4\n"
    )
    assert task.states == (("s", BIG * 4),)
    data = make_dataset(task, n=10, seed=4)
    assert data.y[..., 0].tolist() == np.cumsum(data.x[..., 0], axis=1).tolist()


def test_loose_bounds_do_not_force_python_ints_where_the_values_fit():
    task, _ = checked(
        'task t "a"\ninput F in [-10, 11)\nlength 10\nstate v = 0, p = 0\nlet a = F - p\n'
        "update v = v + a\nupdate p = p + v\noutput y = p\n"
    )
    x = np.random.default_rng(0).integers(-10, 11, size=(50, 100, 1))
    steps = [s for s in task.steps if not s.sequence_level]
    valid = np.ones((50, 100), dtype=bool)
    recorded, known = unroll(task.states, steps, {"F": x[..., 0]}, valid, {"p"})
    assert not bounds.in_int64(known["p"])  # the bounds leave int64 ...
    assert recorded["p"].dtype == np.int64  # ... but the values do not, so int64 is kept
    p = v = np.zeros(50, dtype=object)
    for t in range(100):
        v = v + x[:, t, 0] - p
        p = p + v
        assert recorded["p"][:, t].tolist() == p.tolist()


def test_verification_at_ten_times_the_length_compares_exactly():
    task, _ = checked(
        'task t "a"\ninput x in {0, 1}\nlength 10\nstate s = 1\nupdate s = s * 2 + x\n'
        "output y = s\n"
    )
    options = VerifyOptions(held_out=100, longer=100)
    assert verify(task, program_from_task(task), options).passed
    grow = B("+", B("*", V("s"), C(2)), V("x"))
    wraps = B("%", grow, B("*", C(2**62), C(4)))  # what int64 arithmetic would give
    wrong = Program(("x",), (("s", 1),), (Step("update", "s", wraps),), (("y", V("s")),))
    longer = {level.name: level for level in verify(task, wrong, options).levels}["longer"]
    assert not longer.passed and longer.counterexample.position == 63


def test_a_truth_value_meets_a_constant_beyond_int64():
    task, _ = checked(
        'task t "a"\ninput x in {0, 1}\nlength 2\n'
        "output y = (4611686018427387903 * 4 + (not x)) % 5\n"
    )
    x = np.array([[[0], [1]]])
    assert label(task, x, np.array([2])).tolist() == [[[(2**64 - 4 + 1) % 5], [(2**64 - 4) % 5]]]
