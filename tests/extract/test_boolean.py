"""Boolean regression: truth tables minimised into small formulas."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl import expr as E
from mipsdsl.extract.boolean import boolean_formula
from tests.extract.test_enumerative import grid, size, value


def bits(n: int) -> dict[str, np.ndarray]:
    return grid(**{name: [0, 1] for name in "abcdefghijkl"[:n]})


@pytest.mark.parametrize(
    "n, function",
    [
        (2, lambda c: c["a"] ^ c["b"]),
        (3, lambda c: (c["a"] + c["b"] + c["c"] >= 2).astype(np.int64)),
        (3, lambda c: c["a"] ^ c["b"] ^ c["c"]),
        (3, lambda c: c["a"] & (c["b"] | 1 - c["c"])),
        (4, lambda c: (c["a"] & c["b"]) | (c["c"] & c["d"])),
    ],
)
def test_boolean_formula_reproduces_truth_tables(n, function):
    columns = bits(n)
    target = np.asarray(function(columns), dtype=np.int64)
    e = boolean_formula(columns, target)
    assert np.array_equal(value(e, columns), target)
    assert all(isinstance(node, E.Var | E.Unary | E.Binary) for node in E.walk(e))


def test_boolean_formula_majority_is_minimal():
    columns = bits(3)
    target = (columns["a"] + columns["b"] + columns["c"] >= 2).astype(np.int64)
    assert size(boolean_formula(columns, target)) == 11  # three products, two ors


def test_boolean_formula_uses_dont_cares():
    columns = bits(3)
    target = columns["a"] & columns["b"]
    seen = (columns["a"] == columns["b"]) & (columns["c"] == 0)  # only a = b rows, c = 0
    subset = {name: column[seen] for name, column in columns.items()}
    assert boolean_formula(subset, target[seen]) in (E.Var("a"), E.Var("b"))


def test_boolean_formula_constants():
    columns = bits(2)
    assert boolean_formula(columns, np.zeros(4, np.int64)) == E.Const(0)
    assert boolean_formula(columns, np.ones(4, np.int64)) == E.Const(1)


def test_boolean_formula_rejects_contradictions():
    columns = {"a": np.array([0, 1, 1]), "b": np.array([1, 0, 0])}
    with pytest.raises(ValueError, match="contradictory"):
        boolean_formula(columns, np.array([0, 1, 0]))


def test_boolean_formula_on_a_wide_sparse_table_is_quick():
    """Twelve columns, forty rows: 4000 don't-cares, which only dropping columns makes cheap."""
    rng = np.random.default_rng(0)
    columns = {f"h{i}": rng.integers(0, 2, 40) for i in range(12)}
    target = (columns["h3"] & columns["h7"]) | columns["h10"]
    e = boolean_formula(columns, target)
    assert np.array_equal(value(e, columns), target)
    assert size(e) <= 7  # h10 or h3 and h7, or another as small that fits these rows


def test_boolean_formula_declines_non_bits_and_wide_tables():
    assert boolean_formula({"a": np.array([0, 2])}, np.array([0, 1])) is None
    assert boolean_formula({"a": np.array([0, 1])}, np.array([0, 3])) is None
    wide = {f"v{i}": np.array([0, 1]) for i in range(13)}
    assert boolean_formula(wide, np.array([0, 1])) is None
