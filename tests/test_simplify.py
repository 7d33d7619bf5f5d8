"""The simplifier: every rewrite keeps values and undefinedness exactly, and the identities it
knows make formulas read cleanly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mipsdsl import expr as E
from mipsdsl.simplify import simplify
from tests.strategies import expressions

V, C, B, U = E.Var, E.Const, E.Binary, E.Unary
x, y = V("x"), V("y")


def outcome(e: E.Expr, env: dict, shape: tuple[int, int]):
    """The values of `e`, or where it first divides by zero."""
    try:
        return "values", E.evaluate(e, env, shape, np.arange(shape[1])).tolist()
    except E.EvaluationError as exc:
        return "undefined at", exc.index


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(depth=4, constants=(-3, 3)), st.integers(0, 2**32 - 1))
def test_simplify_evaluates_exactly_like_the_original(e, seed):
    rng = np.random.default_rng(seed)
    shape = (12, 6)
    env = {"x": rng.integers(-3, 4, size=shape), "y": rng.integers(-2, 3, size=shape)}
    simple = simplify(e)
    assert outcome(simple, env, shape) == outcome(e, env, shape)
    assert simplify(simple) == simple  # a fixpoint: simplifying twice changes nothing more


@pytest.mark.parametrize(
    "before, after",
    [
        (B("+", B("*", C(2), C(3)), C(1)), C(7)),  # constant folding
        (B("//", C(-7), C(2)), C(-4)),  # floor division, as in Python
        (B("%", C(-7), C(3)), C(2)),
        (B("+", x, C(0)), x),
        (B("+", C(0), x), x),
        (B("-", x, C(0)), x),
        (B("-", C(0), x), U("neg", x)),
        (B("*", x, C(1)), x),
        (B("*", C(1), x), x),
        (B("*", x, C(0)), C(0)),
        (B("*", x, C(-1)), U("neg", x)),
        (B("//", x, C(1)), x),
        (B("%", x, C(1)), C(0)),
        (U("neg", U("neg", x)), x),
        (U("neg", B("-", x, y)), B("-", y, x)),
        (U("abs", U("neg", x)), U("abs", x)),
        (U("not", U("not", B("<", x, y))), B("<", x, y)),
        (U("not", U("not", x)), B("!=", x, C(0))),
        (U("not", B("<", x, y)), B(">=", x, y)),
        (B("+", B("+", x, C(2)), C(3)), B("+", x, C(5))),
        (B("-", B("+", x, C(2)), C(5)), B("-", x, C(3))),
        (B("+", x, C(-4)), B("-", x, C(4))),
        (B("+", x, U("neg", y)), B("-", x, y)),
        (B("*", C(3), x), B("*", x, C(3))),
        (B("<", C(3), x), B(">", x, C(3))),
        (B("==", B("<", x, y), C(1)), B("<", x, y)),
        (B("==", B("<", x, y), C(0)), B(">=", x, y)),
        (B("and", x, C(1)), B("!=", x, C(0))),
        (B("and", x, C(0)), C(0)),
        (B("or", B("==", x, y), C(0)), B("==", x, y)),
        (B("xor", B("==", x, y), C(1)), B("!=", x, y)),
        (B("min", x, x), x),
        (B("-", x, x), C(0)),
        (E.Cond(C(1), x, y), x),
        (E.Cond(C(0), x, y), y),
        (E.Cond(B("<", x, y), C(1), C(0)), B("<", x, y)),
        (E.Cond(B("<", x, y), C(0), C(1)), B(">=", x, y)),
        (E.Cond(U("not", B("==", x, C(0))), x, y), E.Cond(B("!=", x, C(0)), x, y)),
        (E.Cond(B("<", x, y), x, x), x),
    ],
)
def test_identities(before, after):
    assert simplify(before) == after


@pytest.mark.parametrize(
    "kept",
    [
        B("*", B("//", x, y), C(0)),  # x // y is undefined where y == 0: the product is too
        B("%", B("//", x, y), C(1)),
        B("-", B("%", x, y), B("%", x, y)),
        E.Cond(B("//", x, y), C(4), C(4)),
        B("and", B("//", x, y), C(0)),
        B("//", C(5), C(0)),  # folding would have to invent a value
    ],
)
def test_subterms_that_may_divide_by_zero_are_never_dropped(kept):
    assert simplify(kept) == kept


def test_inside_shifts_and_aggregates_too():
    e = E.Aggregate("sum", E.Shift(B("+", x, C(0)), 1, 2), window=3)
    assert simplify(e) == E.Aggregate("sum", E.Shift(x, 1, 2), window=3)
