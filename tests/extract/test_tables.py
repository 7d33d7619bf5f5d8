"""Regression on a table of columns: linear first, then enumeration on a growing sample, then a
linear threshold."""

from __future__ import annotations

import numpy as np

from mipsdsl import expr as E
from mipsdsl.emit.printer import to_mips
from mipsdsl.extract.linear import linear_threshold
from mipsdsl.extract.tables import regress_table


def test_regress_table_falls_back_to_enumeration_on_a_growing_sample():
    rng = np.random.default_rng(1)
    m, x = rng.integers(0, 50, 2000), rng.integers(0, 50, 2000)
    found, kinds = regress_table(
        {"m": m, "x": x}, [np.maximum(m, x), m + x], seconds=10, max_size=5
    )
    assert kinds == ["enumerative", "integer linear"]
    assert found[1] == E.Binary("+", E.Var("m"), E.Var("x"))
    values = E.evaluate(found[0], {"m": m, "x": x}, (2000,), 0)
    np.testing.assert_array_equal(values, np.maximum(m, x))


def pair_majority(rows: int, seed: int = 0):
    """Counts of six symbols and whether the first three together outnumber the other three:
    an 11-node comparison, past the enumerative search's 9 nodes."""
    counts = np.random.default_rng(seed).integers(0, 6, size=(rows, 6))
    names = [f"c{i}" for i in range(6)]
    target = (counts[:, :3].sum(axis=1) > counts[:, 3:].sum(axis=1)).astype(np.int64)
    return dict(zip(names, counts.T, strict=True)), target


def test_a_majority_of_symbol_groups_is_a_linear_threshold():
    columns, target = pair_majority(3000)
    (found,), (kind,) = regress_table(columns, [target], seconds=2, max_size=9)
    assert kind == "linear threshold"
    assert to_mips(found) == "c0 + c1 + c2 > c3 + c4 + c5"
    fresh, fresh_target = pair_majority(3000, seed=1)
    np.testing.assert_array_equal(E.evaluate(found, fresh, (3000,), 0), fresh_target)


def test_a_target_no_threshold_separates_gets_none():
    rng = np.random.default_rng(2)
    a, b = rng.integers(0, 4, 500), rng.integers(0, 4, 500)
    parity = (a + b) % 2  # no half-plane holds the odd sums
    assert linear_threshold({"a": a, "b": b}, parity) is None
    assert linear_threshold({"a": a}, np.full(500, 1)) is None  # one value: not a comparison
