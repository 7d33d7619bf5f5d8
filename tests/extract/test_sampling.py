"""Regression on a growing sample of a wide table's rows."""

from __future__ import annotations

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract import sampling
from mipsdsl.extract.enumerative import RegressionBudget, regress


def wide_table(rows=40_000, seed=0):
    rng = np.random.default_rng(seed)
    x, p = rng.integers(-100, 100, rows), rng.integers(-100, 100, rows)
    return {"x": x, "p": p}, np.abs(x) - np.abs(p)


def test_a_wide_table_is_solved_on_a_sample_and_right_on_every_row():
    columns, target = wide_table()
    result = sampling.on_growing_sample(regress)(
        columns, [target], budget=RegressionBudget(seconds=5)
    )
    (found,) = result.expressions
    assert found is not None
    np.testing.assert_array_equal(E.evaluate(found, columns, target.shape, 0), target)
    assert result.work > 0


def test_a_formula_right_on_the_sample_only_is_refuted_by_the_added_rows(monkeypatch):
    # the first sample holds only rows where y = x; the rest of the table says y = x + p
    columns = {"x": np.arange(1000), "p": np.where(np.arange(1000) % 500 == 7, 1, 0)}
    target = columns["x"] + columns["p"]
    monkeypatch.setattr(sampling, "SAMPLE_ROWS", 10)  # rows 0, 111, 222...: p = 0 on all
    result = sampling.on_growing_sample(regress)(
        columns, [target], budget=RegressionBudget(seconds=5)
    )
    (found,) = result.expressions
    np.testing.assert_array_equal(E.evaluate(found, columns, target.shape, 0), target)


def test_rows_outside_the_mask_are_not_held_against_a_formula():
    columns, target = wide_table(rows=2000, seed=1)
    mask = np.ones(len(target), dtype=bool)
    mask[::7] = False
    spoiled = np.where(mask, target, 12345)
    result = sampling.on_growing_sample(regress)(
        columns, [spoiled], budget=RegressionBudget(seconds=5), masks=[mask]
    )
    (found,) = result.expressions
    values = E.evaluate(found, columns, target.shape, 0)
    np.testing.assert_array_equal(values[mask], target[mask])
