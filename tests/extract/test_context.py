"""The context every path reads and the extraction it returns."""

from __future__ import annotations

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract.assemble import Formulas, StateVariable
from mipsdsl.extract.context import Context, Extraction, Regression
from mipsdsl.extract.enumerative import regress
from mipsdsl.extract.trace import Trace


def a_trace() -> Trace:
    x = np.zeros((2, 3, 1), dtype=np.int64)
    return Trace(x, np.array([3, 2]), x, x, x)


def test_a_regression_budget_is_handed_on_as_the_regression_functions_take_it():
    assert Regression(2.5, 7, regress).budget() == (2.5, 7, regress)


def test_each_context_keeps_its_own_memo_and_is_equal_only_to_itself():
    fit = a_trace()
    make = lambda: Context(None, "classify", ((0, 1),), ("x",), ("y",), fit, fit, None)  # noqa
    first, second = make(), make()
    first.memo["discretized"] = "made once"
    assert second.memo == {} and first != second and first == first
    np.testing.assert_array_equal(fit.valid, [[True, True, True], [True, True, False]])


def test_an_extraction_is_a_value_whose_details_do_not_count_for_its_hash():
    formulas = Formulas(("x",), (StateVariable("s", 0, E.Var("x")),), (("y", E.Var("s")),))
    one = Extraction("integer lattice", formulas, True, "a lattice", "integer linear", {"rows": 4})
    other = Extraction("integer lattice", formulas, True, "a lattice", "integer linear", {})
    assert hash(one) == hash(other) and one != other
    assert formulas.size() == 2
