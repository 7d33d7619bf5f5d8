"""Membership tests: a 0/1 target over one small alphabet as `x in (...)`, where no formula is
found; evaluated, printed, bounded and encoded like any other node."""

from __future__ import annotations

import numpy as np
import z3

from mipsdsl import expr as E
from mipsdsl.emit.printer import PythonPrinter, to_mips
from mipsdsl.extract.enumerative import RegressionResult
from mipsdsl.extract.membership import membership, with_membership
from mipsdsl.program import expr_bounds
from mipsdsl.prove.encode import as_int, encode

SQUARES = (0, 1, 4, 9, 16)
X = np.arange(20)
IS_SQUARE = np.isin(X, SQUARES).astype(np.int64)


def test_a_truth_table_of_one_column_becomes_its_set_of_ones():
    found = membership({"s": np.zeros(20, dtype=np.int64), "x": X}, IS_SQUARE)
    assert found == E.Member(E.Var("x"), SQUARES)
    assert E.size(found) == 7  # the node, its argument, and one per value


def test_the_smaller_side_is_taken_and_a_target_of_two_columns_has_none():
    not_square = 1 - IS_SQUARE
    assert membership({"x": X}, not_square) == E.Unary("not", E.Member(E.Var("x"), SQUARES))
    mostly = np.isin(X, (3, 7)).astype(np.int64)
    assert membership({"x": X}, 1 - mostly) == E.Unary("not", E.Member(E.Var("x"), (3, 7)))
    a, b = np.repeat(np.arange(4), 4), np.tile(np.arange(4), 4)
    assert membership({"a": a, "b": b}, (a == b).astype(np.int64)) is None


def test_the_wrapper_fills_in_only_what_the_search_left_unsolved():
    def search(columns, targets, constants=(), budget=None, masks=None):
        return RegressionResult((E.Var("x"), None), 0, 0.0, True)

    result = with_membership(search)({"x": X}, [X, IS_SQUARE])
    assert result.expressions == (E.Var("x"), E.Member(E.Var("x"), SQUARES))


def test_a_member_evaluates_prints_bounds_and_encodes_as_the_set_it_is():
    member = E.Member(E.Binary("+", E.Var("x"), E.Const(1)), (1, 5))
    values = E.evaluate(member, {"x": X}, (20,), 0)
    np.testing.assert_array_equal(values, np.isin(X + 1, (1, 5)).astype(np.int64))
    assert PythonPrinter({"x": "x"}, {"x": (0, 19)}).value(member) == "int(x + 1 in (1, 5))"
    assert to_mips(member) == "x + 1 == 1 or x + 1 == 5"  # .mips has no membership test
    assert expr_bounds(member, {"x": (0, 19)}) == (0, 1)
    for x in (0, 3, 4, 7):
        encoded = encode(member, {"x": z3.IntVal(x)})
        assert z3.simplify(as_int(encoded.value)).as_long() == int(x + 1 in (1, 5))
