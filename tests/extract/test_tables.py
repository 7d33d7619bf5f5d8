"""Regression on a table of columns: linear first, then enumeration on a growing sample."""

from __future__ import annotations

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract.tables import regress_table


def test_regress_table_falls_back_to_enumeration_on_a_growing_sample():
    rng = np.random.default_rng(1)
    m, x = rng.integers(0, 50, 2000), rng.integers(0, 50, 2000)
    found, linear = regress_table(
        {"m": m, "x": x}, [np.maximum(m, x), m + x], seconds=10, max_size=5
    )
    assert linear == [False, True]
    assert found[1] == E.Binary("+", E.Var("m"), E.Var("x"))
    values = E.evaluate(found[0], {"m": m, "x": x}, (2000,), 0)
    np.testing.assert_array_equal(values, np.maximum(m, x))
