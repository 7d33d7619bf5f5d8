"""Integer linear regression: the sparsest exact linear formula."""

from __future__ import annotations

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract.linear import integer_linear


def test_integer_linear_regression_finds_the_sparsest_exact_formula():
    rng = np.random.default_rng(0)
    s, x, p = (rng.integers(-20, 20, 200) for _ in range(3))
    columns = {"s": s, "x": x, "p": p}
    found = integer_linear(columns, 3 * s - x + 7)
    assert found is not None and E.free_vars(found) == {"s", "x"}
    np.testing.assert_array_equal(E.evaluate(found, columns, (200,), 0), 3 * s - x + 7)
    # collinear on the table: a register that equals the input is not split between them
    assert integer_linear({"r": x, "x": x}, x) == E.Var("r")
    assert integer_linear(columns, s * x) is None  # not linear
