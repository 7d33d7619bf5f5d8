"""Interval analysis: hand cases per operator, exactness where the analysis claims it, and a
soundness property (every value the evaluator produces lies inside the computed interval)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mipsdsl import expr as E
from mipsdsl.bounds import RULES, hull, interval
from mipsdsl.expr import (
    Aggregate,
    Binary,
    Cond,
    Const,
    EvaluationError,
    Position,
    Shift,
    Unary,
    Var,
    evaluate,
)
from tests.strategies import NAMES, expressions

X, Y = Var("x"), Var("y")


def bound(e, length=10, **env):
    return interval(e, env, length)


# ---------------------------------------------------------------- leaves


def test_leaves():
    assert bound(Const(-7)) == (-7, -7)
    assert bound(X, x=(-3, 8)) == (-3, 8)
    assert bound(Position(), length=1) == (0, 0)
    assert bound(Position(), length=12) == (0, 11)


# ---------------------------------------------------------------- unary


@pytest.mark.parametrize(
    "arg, neg, absolute",
    [
        ((2, 5), (-5, -2), (2, 5)),
        ((-5, -2), (2, 5), (2, 5)),
        ((-3, 5), (-5, 3), (0, 5)),  # across zero: the minimum is 0, not |lo| or |hi|
        ((-7, 2), (-2, 7), (0, 7)),
        ((0, 0), (0, 0), (0, 0)),
        ((-4, 0), (0, 4), (0, 4)),
    ],
)
def test_neg_and_abs(arg, neg, absolute):
    assert bound(Unary("neg", X), x=arg) == neg
    assert bound(Unary("abs", X), x=arg) == absolute
    assert bound(Unary("not", X), x=arg) == (0, 1)


# ---------------------------------------------------------------- binary, by hand


def test_add_sub_mul():
    assert bound(Binary("+", X, Y), x=(-2, 3), y=(10, 20)) == (8, 23)
    assert bound(Binary("-", X, Y), x=(-2, 3), y=(10, 20)) == (-22, -7)
    assert bound(Binary("*", X, Y), x=(-2, 3), y=(-4, 1)) == (-12, 8)
    assert bound(Binary("*", X, Y), x=(-5, -2), y=(-3, -1)) == (2, 15)
    assert bound(Binary("*", X, X), x=(-3, 2)) == (-6, 9)  # sound, not tight: x*x >= 0


def test_min_max():
    assert bound(Binary("min", X, Y), x=(0, 10), y=(3, 5)) == (0, 5)
    assert bound(Binary("max", X, Y), x=(0, 10), y=(3, 5)) == (3, 10)
    assert bound(Binary("min", X, Y), x=(-4, -1), y=(2, 9)) == (-4, -1)


def test_every_operator_has_an_interval_rule():
    assert set(RULES) == set(E.OPERATORS)


@pytest.mark.parametrize("op", tuple(E.OPERATORS))
def test_each_rule_holds_every_value_on_small_intervals(op):
    """Every pair of intervals within -3..3, every value in them: the rule's interval holds the
    operator's value wherever it is defined."""
    spans = [(lo, hi) for lo in range(-3, 4) for hi in range(lo, 4)]
    unary = E.OPERATORS[op].arity == 1
    for a, b in itertools.product(spans, [(0, 0)] if unary else spans):
        lo, hi = RULES[op](a) if unary else RULES[op](a, b)
        for x, y in itertools.product(range(a[0], a[1] + 1), range(b[0], b[1] + 1)):
            e = Unary(op, X) if unary else Binary(op, X, Y)
            env = {"x": np.array([x]), "y": np.array([y])}
            try:
                value = int(evaluate(e, env, (1,), 0)[0])
            except EvaluationError:
                continue
            assert lo <= value <= hi, (op, a, b, x, y)


@pytest.mark.parametrize("op", E.COMPARISON_OPS + E.LOGIC_OPS)
def test_comparisons_and_logic_are_boolean(op):
    assert bound(Binary(op, X, Y), x=(-100, 100), y=(5, 500)) == (0, 1)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ((7, 10), (2, 3), (2, 5)),  # positive divisor
        ((-7, -1), (2, 3), (-4, -1)),  # floor, not truncation: -7 // 2 == -4, -1 // 3 == -1
        ((7, 10), (-3, -2), (-5, -3)),  # negative divisor
        ((-10, 10), (-2, 3), (-10, 10)),  # divisor spans zero: +-1 are possible divisors
        ((3, 9), (0, 4), (0, 9)),  # divisor touches zero: 0 is left out, 1 is the smallest
        ((3, 9), (-4, 0), (-9, -1)),
        ((3, 9), (0, 0), (0, 0)),  # always undefined
        ((-6, 6), (5, 5), (-2, 1)),
    ],
)
def test_floor_division(a, b, expected):
    assert bound(Binary("//", X, Y), x=a, y=b) == expected


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ((0, 10), (3, 3), (0, 2)),
        ((0, 1), (5, 5), (0, 1)),  # never larger than a non-negative dividend
        ((-5, 5), (3, 3), (0, 2)),  # a negative dividend can reach divisor - 1
        ((0, 10), (-3, -3), (-2, 0)),  # takes the divisor's sign
        ((-1, 0), (-5, -5), (-1, 0)),  # ... and is no larger in size than a non-positive dividend
        ((-10, 10), (-3, 4), (-2, 3)),  # divisor spans zero: both signs
        ((4, 9), (0, 0), (0, 0)),
    ],
)
def test_modulo(a, b, expected):
    assert bound(Binary("%", X, Y), x=a, y=b) == expected


# ---------------------------------------------------------------- binary, by enumeration


def small_intervals():
    return [(lo, hi) for lo in range(-4, 4) for hi in range(lo, 4) if hi - lo <= 4]


INTERVAL_PAIRS = list(itertools.product(small_intervals(), repeat=2))


def exact_range(op, a, b):
    values = []
    for p in range(a[0], a[1] + 1):
        for q in range(b[0], b[1] + 1):
            if op in ("//", "%") and q == 0:
                continue
            values.append(
                {
                    "+": p + q,
                    "-": p - q,
                    "*": p * q,
                    "//": p // q if q else 0,
                    "%": p % q if q else 0,
                    "min": min(p, q),
                    "max": max(p, q),
                }[op]
            )
    return (min(values), max(values)) if values else None


@pytest.mark.parametrize("op", ["+", "-", "*", "//", "min", "max"])
def test_arithmetic_bounds_are_exact_for_two_variables(op):
    """Corners give the exact range for these operators on independent variables."""
    for a, b in INTERVAL_PAIRS:
        exact = exact_range(op, a, b)
        if exact is None:
            continue
        assert bound(Binary(op, X, Y), x=a, y=b) == exact, (op, a, b)


def test_modulo_bounds_contain_every_value_and_are_exact_for_a_constant_divisor():
    for a, b in INTERVAL_PAIRS:
        exact = exact_range("%", a, b)
        if exact is None:
            continue
        lo, hi = bound(Binary("%", X, Y), x=a, y=b)
        assert lo <= exact[0] and exact[1] <= hi, (a, b)
    # a constant positive divisor and a wide dividend: exactly 0..m-1
    for m in range(1, 7):
        assert bound(Binary("%", X, Const(m)), x=(-20, 20)) == (0, m - 1)
        assert bound(Binary("%", X, Const(-m)), x=(-20, 20)) == (-(m - 1), 0)


@pytest.mark.parametrize("arg", small_intervals())
def test_abs_bounds_are_exact(arg):
    values = [abs(v) for v in range(arg[0], arg[1] + 1)]
    assert bound(Unary("abs", X), x=arg) == (min(values), max(values))


# ---------------------------------------------------------------- cond, shift, aggregates


def test_cond_is_the_hull_of_its_branches():
    assert bound(Cond(X, Const(5), Const(-2)), x=(0, 1)) == (-2, 5)
    assert bound(Cond(X, Y, Const(0)), x=(0, 1), y=(3, 4)) == (0, 4)


def test_hull_holds_both_intervals_and_is_unbounded_with_either():
    assert hull((0, 3), (-2, 1)) == (-2, 3)
    assert hull((5, 5), None) is None and hull(None, (0, 1)) is None


def test_shift_includes_the_pad():
    assert bound(Shift(X, 1), x=(3, 5)) == (0, 5)
    assert bound(Shift(X, 2, pad=9), x=(3, 5)) == (3, 9)
    assert bound(Shift(X, 1, pad=-1), x=(-4, 5)) == (-4, 5)


def test_sum_scales_with_the_number_of_terms():
    assert bound(Aggregate("sum", X), length=10, x=(-1, 2)) == (-10, 20)
    assert bound(Aggregate("sum", X, 3), length=10, x=(-1, 2)) == (-3, 6)
    assert bound(Aggregate("sum", X, 50), length=10, x=(-1, 2)) == (-10, 20)  # window > length
    # all positive: a single term is the smallest sum
    assert bound(Aggregate("sum", X), length=10, x=(2, 5)) == (2, 50)
    assert bound(Aggregate("sum", X), length=10, x=(-5, -2)) == (-50, -2)
    assert bound(Aggregate("sum", X), length=1, x=(-5, 7)) == (-5, 7)


def test_count_and_boolean_aggregates():
    assert bound(Aggregate("count", X), length=8, x=(-9, 9)) == (0, 8)
    assert bound(Aggregate("count", X, 3), length=8, x=(-9, 9)) == (0, 3)
    for kind in ("all", "any", "palindrome"):
        assert bound(Aggregate(kind, X), length=8, x=(-9, 9)) == (0, 1)


@pytest.mark.parametrize("kind", ["min", "max", "mode"])
def test_selecting_aggregates_keep_the_argument_bounds(kind):
    assert bound(Aggregate(kind, X), x=(-3, 11)) == (-3, 11)
    assert bound(Aggregate(kind, X, 2), x=(-3, 11)) == (-3, 11)


def test_run_changes_and_distinct_count_positions_and_values():
    assert bound(Aggregate("run", X), length=8, x=(-9, 9)) == (1, 8)
    assert bound(Aggregate("run", X, 3), length=8, x=(-9, 9)) == (1, 3)
    assert bound(Aggregate("changes", X), length=8, x=(-9, 9)) == (0, 7)
    assert bound(Aggregate("changes", X, 3), length=8, x=(-9, 9)) == (0, 2)
    assert bound(Aggregate("distinct", X), length=8, x=(0, 2)) == (1, 3)
    assert bound(Aggregate("distinct", X, 4), length=8, x=(-9, 9)) == (1, 4)


def test_a_full_window_may_also_be_zero_and_matches_is_boolean():
    assert bound(Aggregate("run", X, 3, full=True), length=8, x=(0, 1)) == (0, 3)
    assert bound(Aggregate("sum", X, 3, full=True), length=8, x=(2, 5)) == (0, 15)
    automaton = E.Automaton("1*", (1,), ((0,),), (0,))
    assert bound(E.Matches(X, automaton), length=8, x=(0, 100)) == (0, 1)


def test_nested_expression():
    # sum(abs(x - 2)) over 4 positions, x in [0, 5]: |x - 2| in [0, 3], so [0, 12]
    e = Aggregate("sum", Unary("abs", Binary("-", X, Const(2))))
    assert bound(e, length=4, x=(0, 5)) == (0, 12)
    # (sum(x) % 3) is 0..2 whatever the sum's bounds
    assert bound(Binary("%", Aggregate("sum", X), Const(3)), length=100, x=(-9, 9)) == (0, 2)


def test_unknown_node_is_a_type_error():
    with pytest.raises(TypeError):
        interval("x", {}, 3)


# ---------------------------------------------------------------- soundness property


@st.composite
def intervals_and_inputs(draw):
    n = draw(st.integers(1, 4))
    length = draw(st.integers(1, 6))
    env, arrays = {}, {}
    for name in NAMES:
        lo = draw(st.integers(-6, 6))
        hi = lo + draw(st.integers(0, 6))
        env[name] = (lo, hi)
        # the interval's ends are the likeliest to break a bound, so draw them often
        value = st.one_of(st.sampled_from((lo, hi)), st.integers(lo, hi))
        cells = st.lists(value, min_size=n * length, max_size=n * length)
        arrays[name] = np.array(draw(cells), dtype=np.int64).reshape(n, length)
    return env, arrays, n, length


def defined_values(e, arrays, shape):
    """Values of `e` and the mask of elements that are defined (no division by zero reached)."""
    positions = np.arange(shape[-1])
    valid = np.ones(shape, dtype=bool)
    while True:
        try:
            return evaluate(e, arrays, shape, positions, valid), valid
        except EvaluationError as exc:
            assert valid[exc.index]
            valid[exc.index] = False  # skip the undefined element and look for the next one


SAFE = 1 << 60


NEW_KINDS = ("run", "changes", "distinct", "sum", "all")


@st.composite
def with_new_aggregates(draw):
    """A random expression under one of the aggregates `expressions` does not draw, or `full`."""
    inner = draw(expressions(depth=2, constants=(-6, 6), windows=(1, 4)))
    window = draw(st.one_of(st.none(), st.integers(1, 4)))
    full = window is not None and draw(st.booleans())
    return Aggregate(draw(st.sampled_from(NEW_KINDS)), inner, window, full=full)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        expressions(constants=(-6, 6), shifts=(1, 3), pads=(-4, 4), windows=(1, 4)),
        with_new_aggregates(),
    ),
    intervals_and_inputs(),
)
def test_every_evaluated_value_lies_within_its_interval(e, data):
    env, arrays, n, length = data
    subtrees = list(dict.fromkeys(E.walk(e)))
    bounds = {sub: interval(sub, env, length) for sub in subtrees}
    assume(all(max(abs(lo), abs(hi)) < SAFE for lo, hi in bounds.values()))  # no int64 overflow
    for sub in subtrees:  # every subtree: an unsound inner bound is often hidden further up
        lo, hi = bounds[sub]
        assert lo <= hi, (sub, env)
        values, defined = defined_values(sub, arrays, (n, length))
        inside = values[defined]
        assert ((inside >= lo) & (inside <= hi)).all(), (
            f"{sub!r} with {env} over length {length}: values {sorted(set(inside.tolist()))} "
            f"escape [{lo}, {hi}]"
        )
