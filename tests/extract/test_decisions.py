"""Decision lists for few-valued outputs whose single formula is beyond the exact search."""

from __future__ import annotations

import itertools

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract.decisions import decision_list
from mipsdsl.extract.enumerative import RegressionBudget, regress
from mipsdsl.extract.tables import regress_table


def most_frequent(symbols: int):
    """Every count vector of up to 10 inputs, and its most frequent symbol."""
    rows = [r for r in itertools.product(range(11), repeat=symbols) if 0 < sum(r) <= 10]
    counts = np.asarray(rows)
    columns = {f"c{i}": counts[:, i] for i in range(symbols)}
    return columns, np.argmax(counts, axis=1)  # ties go to the smaller symbol


def test_the_most_frequent_of_three_counts_is_a_two_level_decision_list():
    columns, target = most_frequent(3)
    budget = RegressionBudget(max_size=9, seconds=10)
    assert regress(columns, [target], budget=budget).expressions == (None,)
    found, work = decision_list(regress, columns, target, (), budget)
    assert isinstance(found, E.Cond) and isinstance(found.orelse, E.Cond) and work > 0
    np.testing.assert_array_equal(E.evaluate(found, columns, target.shape, 0), target)


def test_regress_table_falls_back_to_a_decision_list():
    columns, target = most_frequent(3)
    (found,), (kind,) = regress_table(columns, [target], 10, 9)
    assert found is not None and kind == "enumerative"
    np.testing.assert_array_equal(E.evaluate(found, columns, target.shape, 0), target)


def test_the_most_frequent_of_four_needs_conditions_of_7_nodes():
    columns, target = most_frequent(4)
    found, _ = decision_list(regress, columns, target, (), RegressionBudget(max_size=9, seconds=30))
    assert found is not None
    np.testing.assert_array_equal(E.evaluate(found, columns, target.shape, 0), target)


def test_outputs_with_many_values_are_left_to_the_plain_search():
    columns = {"x": np.arange(20)}
    found, work = decision_list(regress, columns, np.arange(20) ** 2 % 11, (), RegressionBudget())
    assert found is None and work == 0
