"""The symbol-counts path: an order-invariant network read as counts of each input symbol."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.extract import ExtractionError
from mipsdsl.extract.assemble import assemble
from mipsdsl.extract.context import Context, Regression
from mipsdsl.extract.enumerative import regress
from mipsdsl.extract.paths import symbol_counts
from mipsdsl.extract.trace import run_network
from tests.extract_standins import Brackets, DriftingVote


def context(network, n=2000, length=10) -> Context:
    x = np.random.default_rng(0).integers(0, 2, size=(n, length, 1))
    fit = run_network(network, x, np.full(n, length))
    return Context(
        network, "classify", ((0, 1),), ("x",), ("y",), fit, fit, Regression(5, 9, regress)
    )


def majority(x: np.ndarray) -> np.ndarray:
    ones = np.cumsum(x[..., 0] == 1, axis=1)
    return (ones > np.cumsum(x[..., 0] == 0, axis=1)).astype(np.int64)[..., None]


def test_a_vote_becomes_two_counters_right_far_past_the_traced_length():
    found = symbol_counts.extract(context(DriftingVote(gain=1.0)))
    assert found.path == symbol_counts.NAME and found.symbolic
    assert found.method == "counts of the 2 input symbols (an order-invariant network)"
    assert found.regression in ("integer linear", "integer linear and enumerative")
    long = np.random.default_rng(1).integers(0, 2, size=(200, 150, 1))
    np.testing.assert_array_equal(assemble(found.formulas).run(long), majority(long))


def test_an_order_dependent_network_is_not_this_path():
    with pytest.raises(ExtractionError, match="order"):
        symbol_counts.extract(context(Brackets()))
