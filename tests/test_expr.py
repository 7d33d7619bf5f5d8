"""The expression IR and its vectorised evaluator, checked against plain-Python references.

Sequence level: variables are (N, L) arrays and `position` is `np.arange(L)`. Step level: variables
are (N,) arrays and `position` is an int. The reference implementations below loop over sequences
and positions one value at a time, with Python's own integer semantics.
"""

from __future__ import annotations

import operator
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mipsdsl import expr as E
from mipsdsl.check.patterns import automaton
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


def seq(e, **variables):
    """Evaluate `e` at sequence level over (N, L) integer arrays (lists are accepted)."""
    env = {name: np.asarray(value, dtype=np.int64) for name, value in variables.items()}
    shape = next(iter(env.values())).shape if env else (1, 4)
    return evaluate(e, env, shape, np.arange(shape[-1]))


X, Y = Var("x"), Var("y")


# ---------------------------------------------------------------- arithmetic


def test_floor_division_and_modulo_follow_python_on_negatives():
    a = [-7, -7, 7, 7, -1, 1, 0, -6, 6, -9]
    b = [2, -2, 2, -2, 3, -3, 5, 3, -3, 4]
    got_div = seq(Binary("//", X, Y), x=[a], y=[b])
    got_mod = seq(Binary("%", X, Y), x=[a], y=[b])
    assert got_div.tolist() == [[p // q for p, q in zip(a, b, strict=True)]]
    assert got_mod.tolist() == [[p % q for p, q in zip(a, b, strict=True)]]
    # spelled out, so that a truncating (C-style) implementation cannot pass by accident
    assert got_div[0, :4].tolist() == [-4, 3, 3, -4]
    assert got_mod[0, :4].tolist() == [1, -1, 1, -1]
    assert got_div.dtype == np.int64 and got_mod.dtype == np.int64


@pytest.mark.parametrize(
    "op, fn",
    [
        ("+", operator.add),
        ("-", operator.sub),
        ("*", operator.mul),
        ("min", min),
        ("max", max),
    ],
)
def test_arithmetic_operators_agree_with_python(op, fn):
    a = [-5, -1, 0, 3, 4, -2]
    b = [2, -3, 0, 3, -4, -6]
    got = seq(Binary(op, X, Y), x=[a, b], y=[b, a])
    assert got.tolist() == [
        [fn(p, q) for p, q in zip(a, b, strict=True)],
        [fn(q, p) for p, q in zip(a, b, strict=True)],
    ]


def test_unary_operators():
    a = [-3, -1, 0, 2, 5]
    assert seq(Unary("neg", X), x=[a]).tolist() == [[3, 1, 0, -2, -5]]
    assert seq(Unary("abs", X), x=[a]).tolist() == [[3, 1, 0, 2, 5]]
    assert seq(Unary("not", X), x=[a]).tolist() == [[0, 0, 1, 0, 0]]


def test_constants_and_position_broadcast_to_the_shape():
    x = np.zeros((3, 5), dtype=np.int64)
    assert seq(Const(-4), x=x).tolist() == [[-4] * 5] * 3
    assert seq(Position(), x=x).tolist() == [[0, 1, 2, 3, 4]] * 3
    assert seq(Binary("*", Position(), Const(2)), x=x).shape == (3, 5)


@pytest.mark.parametrize(
    "op, fn",
    [
        ("==", operator.eq),
        ("!=", operator.ne),
        ("<", operator.lt),
        ("<=", operator.le),
        (">", operator.gt),
        (">=", operator.ge),
    ],
)
def test_comparisons_give_zero_or_one(op, fn):
    a = [-2, 0, 3, 3, 1]
    b = [-1, 0, 3, 2, 4]
    got = seq(Binary(op, X, Y), x=[a], y=[b])
    assert got.dtype == np.int64
    assert got.tolist() == [[int(fn(p, q)) for p, q in zip(a, b, strict=True)]]


@pytest.mark.parametrize(
    "op, fn",
    [
        ("and", lambda p, q: bool(p) and bool(q)),
        ("or", lambda p, q: bool(p) or bool(q)),
        ("xor", lambda p, q: bool(p) != bool(q)),
    ],
)
def test_logic_treats_any_nonzero_as_true_and_gives_zero_or_one(op, fn):
    a = [0, 0, 2, -3, 5, 0]
    b = [0, 7, 0, -1, 1, -2]
    got = seq(Binary(op, X, Y), x=[a], y=[b])
    assert got.dtype == np.int64
    assert set(np.unique(got)) <= {0, 1}
    assert got.tolist() == [[int(fn(p, q)) for p, q in zip(a, b, strict=True)]]


def test_cond_picks_elementwise_and_any_nonzero_test_is_true():
    test = [0, 1, -2, 5, 0]
    got = seq(Cond(X, Y, Unary("neg", Y)), x=[test], y=[[1, 2, 3, 4, 5]])
    assert got.tolist() == [[-1, 2, 3, 4, -5]]


# ---------------------------------------------------------------- shifts


def test_shift_reads_the_past_and_the_pad_before_the_start():
    x = [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]
    assert seq(Shift(X, 1), x=x).tolist() == [[0, 1, 2, 3, 4], [0, 6, 7, 8, 9]]
    assert seq(Shift(X, 2, pad=7), x=x).tolist() == [[7, 7, 1, 2, 3], [7, 7, 6, 7, 8]]
    assert seq(Shift(X, 3, pad=-1), x=x).tolist() == [[-1, -1, -1, 1, 2], [-1, -1, -1, 6, 7]]


def test_shift_longer_than_the_sequence_is_all_pad():
    x = [[1, 2, 3]]
    assert seq(Shift(X, 3, pad=9), x=x).tolist() == [[9, 9, 9]]
    assert seq(Shift(X, 50, pad=-2), x=x).tolist() == [[-2, -2, -2]]


def test_shift_of_an_expression_and_nested_shifts():
    x = [[1, 2, 3, 4]]
    # (x + t)[t-1]
    assert seq(Shift(Binary("+", X, Position()), 1, pad=5), x=x).tolist() == [[5, 1, 3, 5]]
    # x[t-1][t-1] == x[t-2] with the inner pad shifted along
    assert seq(Shift(Shift(X, 1, pad=8), 1, pad=9), x=x).tolist() == [[9, 8, 1, 2]]
    # a shifted constant is the constant after the pad
    assert seq(Shift(Const(4), 2, pad=0), x=x).tolist() == [[0, 0, 4, 4]]


# ---------------------------------------------------------------- aggregates


def ref_fold(kind, values, ties="smallest"):
    """One aggregate over an explicit list of values (the window, oldest first)."""
    if kind == "sum":
        return sum(values)
    if kind == "count":
        return sum(1 for v in values if v != 0)
    if kind == "min":
        return min(values)
    if kind == "max":
        return max(values)
    if kind == "all":
        return int(all(v != 0 for v in values))
    if kind == "any":
        return int(any(v != 0 for v in values))
    if kind == "palindrome":
        return int(list(values) == list(values)[::-1])
    if kind == "run":
        return next((i for i in range(1, len(values)) if values[-i - 1] != values[-1]), len(values))
    if kind == "distinct":
        return len(set(values))
    if kind == "changes":
        return sum(1 for a, b in zip(values[:-1], values[1:], strict=True) if a != b)
    if kind == "mode":
        counts = Counter(values)
        best = max(counts.values())
        winners = [v for v, c in counts.items() if c == best]
        return min(winners) if ties == "smallest" else max(winners)
    raise ValueError(kind)


def ref_aggregate(kind, array, window=None, ties="smallest"):
    out = []
    for row in np.asarray(array).tolist():
        out_row = []
        for t in range(len(row)):
            start = 0 if window is None else max(0, t - window + 1)
            out_row.append(ref_fold(kind, row[start : t + 1], ties))
        out.append(out_row)
    return out


RNG_ARRAY = np.random.default_rng(1234).integers(-2, 4, size=(12, 9))
BITS_ARRAY = np.random.default_rng(99).integers(0, 2, size=(12, 9))
WINDOWS = [None, 1, 2, 3, 9, 20]


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize(
    "kind", ["sum", "count", "min", "max", "all", "any", "run", "distinct", "changes"]
)
def test_aggregate_matches_reference(kind, window):
    for array in (RNG_ARRAY, BITS_ARRAY):
        got = seq(Aggregate(kind, X, window), x=array)
        assert got.dtype == np.int64
        assert got.tolist() == ref_aggregate(kind, array, window)


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("ties", ["smallest", "largest"])
def test_mode_matches_reference(window, ties):
    for array in (RNG_ARRAY, BITS_ARRAY):
        got = seq(Aggregate("mode", X, window, ties), x=array)
        assert got.tolist() == ref_aggregate("mode", array, window, ties)


def test_mode_ties_by_hand():
    x = [[1, 2, 2, 1, 3, 3]]
    assert seq(Aggregate("mode", X, ties="smallest"), x=x).tolist() == [[1, 1, 2, 1, 1, 1]]
    assert seq(Aggregate("mode", X, ties="largest"), x=x).tolist() == [[1, 2, 2, 2, 2, 3]]
    # window 2: (1,3) at t=4 ties; (3,3) at t=5
    assert seq(Aggregate("mode", X, 2, "smallest"), x=x).tolist() == [[1, 1, 2, 1, 1, 3]]
    assert seq(Aggregate("mode", X, 2, "largest"), x=x).tolist() == [[1, 2, 2, 2, 3, 3]]


def test_mode_only_considers_values_of_its_own_sequence_and_window():
    # Value 0 is frequent in the other sequence but absent from the first one's window.
    x = [[5, 5, 7, 7, 7], [0, 0, 0, 0, 0]]
    assert seq(Aggregate("mode", X, 2), x=x).tolist() == [[5, 5, 5, 7, 7], [0] * 5]


def test_palindrome_matches_reference():
    for array in (RNG_ARRAY, BITS_ARRAY):
        got = seq(Aggregate("palindrome", X), x=array)
        assert got.tolist() == ref_aggregate("palindrome", array)
    assert seq(Aggregate("palindrome", X), x=[[1, 0, 1, 1, 0, 1]]).tolist() == [[1, 0, 1, 0, 0, 1]]


@pytest.mark.parametrize("window", [1, 2, 3])
def test_palindrome_with_window_reads_the_window(window):
    got = seq(Aggregate("palindrome", X, window), x=BITS_ARRAY)
    assert got.tolist() == ref_aggregate("palindrome", BITS_ARRAY, window)


def test_count_all_any_treat_negative_values_as_true():
    x = [[-1, 0, -3, 2]]
    assert seq(Aggregate("count", X), x=x).tolist() == [[1, 1, 2, 3]]
    assert seq(Aggregate("all", X), x=x).tolist() == [[1, 0, 0, 0]]
    assert seq(Aggregate("all", X, 1), x=x).tolist() == [[1, 0, 1, 1]]
    assert seq(Aggregate("any", X, 1), x=x).tolist() == [[1, 0, 1, 1]]
    assert seq(Aggregate("any", X), x=[[0, 0, -1, 0]]).tolist() == [[0, 0, 1, 1]]


def test_windowed_min_max_are_truncated_at_the_start_not_padded():
    x = [[5, 9, 1, 7]]
    # a zero pad would give min 0 at t=0, 1; truncation keeps the real values
    assert seq(Aggregate("min", X, 3), x=x).tolist() == [[5, 5, 1, 1]]
    assert seq(Aggregate("max", X, 2), x=[[-5, -9, -1, -7]]).tolist() == [[-5, -5, -1, -1]]


def test_aggregate_of_an_expression_and_of_a_constant():
    x = [[1, 2, 3, 4]]
    assert seq(Aggregate("sum", Binary("*", X, X)), x=x).tolist() == [[1, 5, 14, 30]]
    assert seq(Aggregate("sum", Const(1)), x=x).tolist() == [[1, 2, 3, 4]]
    assert seq(Aggregate("sum", Const(1), 2), x=x).tolist() == [[1, 2, 2, 2]]
    assert seq(Aggregate("sum", Position(), 2), x=x).tolist() == [[0, 1, 3, 5]]


# ---------------------------------------------------------------- division by zero


def test_division_by_zero_at_a_valid_position_raises_with_its_index():
    x = [[6, 6, 6], [6, 6, 6]]
    y = [[1, 2, 3], [3, 0, 1]]
    for op in ("//", "%"):
        with pytest.raises(EvaluationError) as info:
            seq(Binary(op, X, Y), x=x, y=y)
        assert info.value.index == (1, 1)


def test_constant_division_by_zero_raises():
    with pytest.raises(EvaluationError):
        seq(Binary("//", Const(3), Const(0)), x=[[1, 2]])
    with pytest.raises(EvaluationError):
        seq(Binary("%", X, Const(0)), x=[[1, 2]])


def test_unselected_branch_may_divide_by_zero():
    x = [[6, 6, 6, 6]]
    y = [[2, 0, 3, 0]]
    safe = Cond(Binary("!=", Y, Const(0)), Binary("//", X, Y), Const(-1))
    assert seq(safe, x=x, y=y).tolist() == [[3, -1, 2, -1]]
    safe_else = Cond(Binary("==", Y, Const(0)), Const(-1), Binary("%", X, Y))
    assert seq(safe_else, x=x, y=y).tolist() == [[0, -1, 0, -1]]
    # the guard on the wrong side does reach the zero
    unsafe = Cond(Binary("==", Y, Const(0)), Binary("//", X, Y), Const(-1))
    with pytest.raises(EvaluationError) as info:
        seq(unsafe, x=x, y=y)
    assert info.value.index == (0, 1)


def test_division_by_zero_in_the_test_of_a_cond_raises():
    with pytest.raises(EvaluationError):
        seq(Cond(Binary("//", X, Y), Const(1), Const(2)), x=[[1, 1]], y=[[1, 0]])


def test_valid_masks_undefined_positions():
    x = np.array([[6, 6, 6], [6, 6, 6]])
    y = np.array([[1, 2, 0], [3, 3, 3]])
    e = Binary("//", X, Y)
    env, positions = {"x": x, "y": y}, np.arange(3)
    valid = np.array([[True, True, False], [True, True, True]])
    got = evaluate(e, env, (2, 3), positions, valid)
    assert got[valid].tolist() == [6, 3, 2, 2, 2]
    with pytest.raises(EvaluationError) as info:
        evaluate(e, env, (2, 3), positions, np.ones((2, 3), dtype=bool))
    assert info.value.index == (0, 2)


def test_undefined_values_move_with_shifts_and_spread_through_aggregates():
    x = np.array([[6, 6, 6, 6, 6]])
    y = np.array([[1, 0, 1, 1, 1]])
    env, positions, shape = {"x": x, "y": y}, np.arange(5), (1, 5)
    div = Binary("//", X, Y)

    def bad_positions(e):
        """Positions p such that evaluating with only p valid raises."""
        out = []
        for p in range(5):
            valid = np.zeros(shape, dtype=bool)
            valid[0, p] = True
            try:
                evaluate(e, env, shape, positions, valid)
            except EvaluationError as exc:
                assert exc.index == (0, p)
                out.append(p)
        return out

    assert bad_positions(div) == [1]
    assert bad_positions(Shift(div, 2)) == [3]
    assert bad_positions(Shift(div, 5)) == []
    assert bad_positions(Aggregate("sum", div)) == [1, 2, 3, 4]
    assert bad_positions(Aggregate("max", div, 2)) == [1, 2]
    assert bad_positions(Aggregate("mode", div, 3)) == [1, 2, 3]
    assert bad_positions(Aggregate("palindrome", div)) == [1, 2, 3, 4]
    assert bad_positions(Cond(Binary("==", Position(), Const(1)), Const(0), div)) == []


def test_zero_divisor_that_is_only_a_pad_is_fine():
    # y[t-1] reads the pad 0 at t = 0, but the guard `t > 0` keeps it away.
    e = Cond(Binary(">", Position(), Const(0)), Binary("//", X, Shift(Y, 1)), Const(0))
    assert seq(e, x=[[4, 4, 4]], y=[[2, 1, 9]]).tolist() == [[0, 2, 4]]
    with pytest.raises(EvaluationError) as info:
        seq(Binary("//", X, Shift(Y, 1)), x=[[4, 4, 4]], y=[[2, 1, 9]])
    assert info.value.index == (0, 0)


# ---------------------------------------------------------------- step level


def test_step_level_evaluation():
    x = np.array([3, -7, 0, 5])
    s = np.array([1, 2, -3, 0])
    env = {"x": x, "s": s}
    e = Binary(
        "+", Binary("%", Binary("+", Var("s"), X), Const(4)), Binary("*", Position(), Const(10))
    )
    got = evaluate(e, env, (4,), 2)
    assert got.shape == (4,) and got.dtype == np.int64
    assert got.tolist() == [
        (si + xi) % 4 + 20 for si, xi in zip(s.tolist(), x.tolist(), strict=True)
    ]
    assert evaluate(Position(), env, (4,), 7).tolist() == [7] * 4
    assert evaluate(Const(3), env, (4,), 0).tolist() == [3] * 4


def test_step_level_division_by_zero_respects_valid():
    env = {"x": np.array([4, 4, 4]), "y": np.array([2, 0, 1])}
    e = Binary("//", X, Y)
    with pytest.raises(EvaluationError) as info:
        evaluate(e, env, (3,), 0)
    assert info.value.index == (1,)
    got = evaluate(e, env, (3,), 0, np.array([True, False, True]))
    assert got[[0, 2]].tolist() == [2, 4]


# ---------------------------------------------------------------- tree helpers


def test_fold_joins_from_the_left_and_one_item_is_itself():
    a, b, c = Var("a"), Var("b"), Var("c")
    assert E.fold("min", [a, b, c]) == Binary("min", Binary("min", a, b), c)
    assert E.fold("and", (a,)) is a


def test_walk_free_vars_and_sequence_level():
    e = Binary("+", Cond(X, Aggregate("sum", Var("a"), 2), Const(1)), Unary("neg", Var("b")))
    assert [type(n).__name__ for n in E.walk(e)] == [
        "Binary",
        "Cond",
        "Var",
        "Aggregate",
        "Var",
        "Const",
        "Unary",
        "Var",
    ]
    assert E.free_vars(e) == {"x", "a", "b"}
    assert E.is_sequence_level(e)
    assert E.is_sequence_level(Shift(X, 1))
    assert not E.is_sequence_level(Binary("*", X, Cond(Y, Position(), Const(2))))


def test_every_operator_in_the_table_has_what_its_readers_need():
    assert E.UNARY_OPS + E.ARITHMETIC_OPS + E.COMPARISON_OPS + E.LOGIC_OPS == tuple(E.OPERATORS)
    for name, op in E.OPERATORS.items():
        assert op.name == name and op.arity == (1 if name in E.UNARY_OPS else 2)
        assert callable(op.numpy)
        assert op.python and isinstance(op.python_level, E.PythonLevel)
        assert op.mips and isinstance(op.mips_level, E.MipsLevel)
        assert op.kind in ("unary", "arithmetic", "comparison", "logic")
        assert op.truth_valued == (op.kind in ("comparison", "logic") or name == "not")
        assert not (op.partial and op.arity == 1)
        for other in (op.flipped, op.negated):
            assert other is None or E.OPERATORS[other].arity == op.arity == 2
        assert op.negated is None or (op.truth_valued and E.OPERATORS[op.negated].negated == name)


GRID = np.array(list(np.ndindex(9, 9)), dtype=np.int64).T - 4  # every pair of values in -4..4


@pytest.mark.parametrize("op", E.ARITHMETIC_OPS + E.COMPARISON_OPS + E.LOGIC_OPS)
def test_the_tables_flipped_and_negated_operators_mean_what_they_say(op):
    env = {"x": GRID[0], "y": np.where(GRID[1] == 0, 1, GRID[1])}  # no zero divisor either way
    value = evaluate(Binary(op, X, Y), env, GRID[0].shape, 0)
    flipped, negated = E.OPERATORS[op].flipped, E.OPERATORS[op].negated
    if flipped is not None:
        assert (evaluate(Binary(flipped, Y, X), env, value.shape, 0) == value).all()
    else:  # the table claims no flip: it would have found one among these
        assert not any(
            (evaluate(Binary(other, Y, X), env, value.shape, 0) == value).all()
            for other in E.OPERATORS
            if E.OPERATORS[other].arity == 2 and other not in ("//", "%")
        )
    if negated is not None:
        assert (evaluate(Binary(negated, X, Y), env, value.shape, 0) == 1 - value).all()


def test_unknown_node_is_a_type_error():
    with pytest.raises(TypeError):
        evaluate("x", {"x": np.zeros((1, 2), dtype=np.int64)}, (1, 2), np.arange(2))


# ---------------------------------------------------------------- property: vectorised == reference


class Undefined(Exception):
    pass


def ref_eval(e, env, t):
    """Value of `e` for one sequence (`env`: name -> list of ints) at position t."""
    if isinstance(e, Const):
        return e.value
    if isinstance(e, Var):
        return env[e.name][t]
    if isinstance(e, Position):
        return t
    if isinstance(e, Unary):
        a = ref_eval(e.arg, env, t)
        return {"neg": -a, "not": int(a == 0), "abs": abs(a)}[e.op]
    if isinstance(e, Binary):
        a = ref_eval(e.left, env, t)
        b = ref_eval(e.right, env, t)
        if e.op in ("//", "%"):
            if b == 0:
                raise Undefined
            return a // b if e.op == "//" else a % b
        return {
            "+": lambda: a + b,
            "-": lambda: a - b,
            "*": lambda: a * b,
            "min": lambda: min(a, b),
            "max": lambda: max(a, b),
            "==": lambda: int(a == b),
            "!=": lambda: int(a != b),
            "<": lambda: int(a < b),
            "<=": lambda: int(a <= b),
            ">": lambda: int(a > b),
            ">=": lambda: int(a >= b),
            "and": lambda: int(bool(a) and bool(b)),
            "or": lambda: int(bool(a) or bool(b)),
            "xor": lambda: int(bool(a) != bool(b)),
        }[e.op]()
    if isinstance(e, Cond):
        if ref_eval(e.test, env, t) != 0:
            return ref_eval(e.then, env, t)
        return ref_eval(e.orelse, env, t)
    if isinstance(e, Shift):
        return e.pad if t - e.k < 0 else ref_eval(e.arg, env, t - e.k)
    if isinstance(e, Aggregate):
        start = 0 if e.window is None else max(0, t - e.window + 1)
        values = [ref_eval(e.arg, env, s) for s in range(start, t + 1)]
        return ref_fold(e.kind, values, e.ties)
    raise TypeError(e)


def magnitude(e, length, inputs_abs):
    """A crude bound on |value| (also of the placeholder values at undefined elements)."""
    if isinstance(e, Const):
        return abs(e.value)
    if isinstance(e, Var):
        return inputs_abs
    if isinstance(e, Position):
        return length
    kids = [magnitude(c, length, inputs_abs) for c in E.children(e)]
    if isinstance(e, Binary):
        if e.op == "*":
            return kids[0] * kids[1]
        if e.op in ("+", "-"):
            return kids[0] + kids[1]
        if e.op in E.COMPARISON_OPS or e.op in E.LOGIC_OPS:
            return 1
        return max(kids)
    if isinstance(e, Shift):
        return max(kids[0], abs(e.pad))
    if isinstance(e, Aggregate):
        if e.kind == "sum":
            return kids[0] * length
        if e.kind in ("count",):
            return length
        return max(kids[0], 1)
    return max(kids)


@st.composite
def environments(draw):
    n = draw(st.integers(2, 4))
    length = draw(st.integers(2, 7))
    cells = st.lists(st.integers(-3, 3), min_size=length, max_size=length)
    rows = st.lists(cells, min_size=n, max_size=n)
    return {name: draw(rows) for name in NAMES}, n, length


def assert_agrees_with_reference(e, rows, n, length):
    expected = np.zeros((n, length), dtype=np.int64)
    defined = np.zeros((n, length), dtype=bool)
    for i in range(n):
        env = {name: rows[name][i] for name in NAMES}
        for t in range(length):
            try:
                expected[i, t] = ref_eval(e, env, t)
                defined[i, t] = True
            except Undefined:
                pass
    arrays = {name: np.array(rows[name], dtype=np.int64) for name in NAMES}
    shape, positions = (n, length), np.arange(length)
    # Where the reference is defined, the values agree and nothing is reported.
    got = evaluate(e, arrays, shape, positions, defined)
    assert got.shape == shape and got.dtype == np.int64
    np.testing.assert_array_equal(got[defined], expected[defined], err_msg=repr(e))
    # Where it is not, the first such element (in row-major order) is the one reported.
    if defined.all():
        np.testing.assert_array_equal(evaluate(e, arrays, shape, positions), expected)
    else:
        with pytest.raises(EvaluationError) as info:
            evaluate(e, arrays, shape, positions)
        assert info.value.index == tuple(int(i) for i in np.argwhere(~defined)[0]), repr(e)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), environments())
def test_vectorised_evaluation_agrees_with_the_reference(e, environment):
    rows, n, length = environment
    assume(magnitude(e, length, 3) < 2**60)
    # Every subtree too: a wrong value deep inside is often hidden by a comparison above it.
    for sub in dict.fromkeys(E.walk(e)):
        assert_agrees_with_reference(sub, rows, n, length)


@pytest.mark.parametrize("window", [None, 3])
@pytest.mark.parametrize("ties", ["smallest", "largest"])
def test_mode_over_a_large_alphabet_matches_reference(window, ties):
    """More values than positions: counted by rank within each sequence, not by value."""
    import tracemalloc

    array = np.random.default_rng(1).integers(0, 2**40, size=(2000, 12))
    tracemalloc.start()
    got = seq(Aggregate("mode", X, window, ties), x=array)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * 2**20  # counting by value would take 2000 * 12 * 24,000 cells, 4.3 GiB
    assert got[:100].tolist() == ref_aggregate("mode", array[:100].tolist(), window, ties)


# ---------------------------------------------------------------- `full` windows and matches


def test_distinct_over_a_long_prefix_of_many_values():
    array = np.random.default_rng(5).integers(0, 50, size=(4, 30))
    assert seq(Aggregate("distinct", X), x=array).tolist() == ref_aggregate("distinct", array)
    windowed = seq(Aggregate("distinct", X, 4), x=array)  # more values than positions: by rank
    assert windowed.tolist() == ref_aggregate("distinct", array, 4)


@pytest.mark.parametrize("kind", ["all", "any", "sum", "run", "changes", "distinct"])
def test_a_full_window_is_zero_until_it_is_full_then_the_window(kind):
    got = seq(Aggregate(kind, X, 3, full=True), x=RNG_ARRAY)
    cut = seq(Aggregate(kind, X, 3), x=RNG_ARRAY)
    assert (got[:, :2] == 0).all() and (got[:, 2:] == cut[:, 2:]).all()


def test_a_full_window_is_never_undefined_before_it_is_full():
    # a sequence of one position: the window of 3 is never full, so the division never counts
    x, valid = np.array([[0, 1, 1]]), np.array([[True, False, False]])
    inverse = Binary("//", Const(1), X)
    full = evaluate(Aggregate("all", inverse, 3, full=True), {"x": x}, x.shape, np.arange(3), valid)
    assert full[0, 0] == 0
    with pytest.raises(EvaluationError):
        evaluate(Aggregate("all", inverse, 3), {"x": x}, x.shape, np.arange(3), valid)


ATOMS = ("0", "1", "2", "[01]", "[^2]", ".", "(0|1)", "(12)")


@st.composite
def regexes(draw, depth=3):
    """A random regular expression over the digits 0, 1 and 2."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(ATOMS))
    kind = draw(st.sampled_from(("concat", "alt", "star", "plus", "opt")))
    a = draw(regexes(depth - 1))
    if kind in ("concat", "alt"):
        b = draw(regexes(depth - 1))
        return a + b if kind == "concat" else f"({a}|{b})"
    return f"({a}){dict(star='*', plus='+', opt='?')[kind]}"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(regexes(), st.integers(0, 2**32 - 1))
def test_matches_agrees_with_re_fullmatch_on_every_prefix(pattern, seed):
    compiled, _ = automaton(pattern, ("0", "1", "2"), (0, 1, 2))
    x = np.random.default_rng(seed).integers(0, 3, size=(20, 8))
    got = seq(E.Matches(X, compiled), x=x)
    for row, out in zip(x.tolist(), got.tolist(), strict=True):
        text = "".join(map(str, row))
        want = [int(re.fullmatch(pattern, text[: t + 1]) is not None) for t in range(len(text))]
        assert out == want, (pattern, text)


def test_matches_reads_values_that_are_no_symbol_as_a_dead_end():
    compiled, _ = automaton("1*", ("1",), (1,))
    assert seq(E.Matches(X, compiled), x=np.array([[1, 1, 7, 1]])).tolist() == [[1, 1, 0, 0]]
