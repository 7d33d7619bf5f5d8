"""The z3 encoding means what the numpy evaluator computes: the same value wherever the
evaluator's is defined, and undefined exactly where it divides by zero."""

from __future__ import annotations

import numpy as np
import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from mipsdsl import expr as E
from mipsdsl.prove.encode import as_int, encode
from tests.strategies import NAMES, expressions


def _step_level(e: E.Expr) -> E.Expr:
    """`e` with shifts and aggregates replaced by their argument and t by a variable."""
    if isinstance(e, E.Shift | E.Aggregate):
        return _step_level(e.arg)
    if isinstance(e, E.Position):
        return E.Var(NAMES[0])
    if isinstance(e, E.Unary):
        return E.Unary(e.op, _step_level(e.arg))
    if isinstance(e, E.Binary):
        return E.Binary(e.op, _step_level(e.left), _step_level(e.right))
    if isinstance(e, E.Cond):
        return E.Cond(_step_level(e.test), _step_level(e.then), _step_level(e.orelse))
    return e


def _solver_value(e: E.Expr, values: dict[str, int]) -> tuple[int, bool]:
    encoded = encode(e, {name: z3.IntVal(v) for name, v in values.items()})
    value = z3.simplify(as_int(encoded.value)).as_long()
    return value, z3.is_true(z3.simplify(encoded.undefined))


@settings(max_examples=400, deadline=None)
@given(expressions(depth=4, constants=(-7, 7)), st.integers(-9, 9), st.integers(-9, 9))
def test_encoding_agrees_with_the_evaluator(e, x, y):
    e = _step_level(e)
    values = {NAMES[0]: x, NAMES[1]: y}
    env = {name: np.array([v], dtype=np.int64) for name, v in values.items()}
    value, undefined = _solver_value(e, values)
    try:
        expected = int(E.evaluate(e, env, (1,), 0)[0])
    except E.EvaluationError:
        assert undefined
        return
    assert not undefined and value == expected


@pytest.mark.parametrize("a", [-7, -6, -1, 0, 1, 5, 7])
@pytest.mark.parametrize("b", [-3, -2, -1, 1, 2, 3])
def test_floor_division_and_modulo_follow_python_for_every_sign(a, b):
    for op, want in (("//", a // b), ("%", a % b)):
        symbolic = E.Binary(op, E.Var("a"), E.Var("b"))  # a variable divisor: the general rule
        constant = E.Binary(op, E.Var("a"), E.Const(b))  # a constant divisor: z3's own div/mod
        for e in (symbolic, constant):
            assert _solver_value(e, {"a": a, "b": b}) == (want, False)
