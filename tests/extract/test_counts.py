"""The symbol-counts path: an order-invariant network's outputs regressed on its symbol counts."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.extract import ExtractionError, mechanisms
from mipsdsl.extract.assemble import assemble
from mipsdsl.extract.counts import group_spread, symbol_count_columns, symbol_counts
from mipsdsl.extract.tables import regress_table
from mipsdsl.extract.trace import run_network
from tests.extract_standins import Brackets, DriftingVote, PairVote

ALPHABET = ((0, 1),)


def solve(columns, targets):
    return regress_table(columns, targets, seconds=5.0, max_size=9)[0]


def trace_of(network, n=3000, length=10, seed=0):
    x = np.random.default_rng(seed).integers(0, 2, size=(n, length, 1))
    return run_network(network, x, np.full(n, length))


def majority(x: np.ndarray) -> np.ndarray:
    ones = np.cumsum(x[..., 0] == 1, axis=1)
    zeros = np.cumsum(x[..., 0] == 0, axis=1)
    return (ones > zeros).astype(np.int64)[..., None]


def test_a_drifting_vote_becomes_unbounded_counters_right_far_past_the_trained_length():
    network = DriftingVote()
    fit = trace_of(network)
    assert np.array_equal(fit.outputs, majority(fit.x))  # right on the trained length...
    long = np.random.default_rng(1).integers(0, 2, size=(500, 200, 1))
    assert not np.array_equal(trace_of(network, 500, 200, 1).outputs, majority(long))  # ...only
    formulas, details = symbol_counts(ALPHABET, ("x",), ("y",), fit, solve)
    program = assemble(formulas)
    assert len(program.states) == 2 and details["order_spread"] <= 0.5
    assert np.array_equal(program.run(long), majority(long))


def test_counts_are_per_channel_value_and_named_for_negative_values_too():
    x = np.array([[[-1, 0], [-1, 1], [2, 1]]])
    fit = run_network(DriftingVote(), x[..., :1], np.array([3]))
    fit = type(fit)(x, fit.lengths, fit.before, fit.after, fit.outputs)
    symbols, counts = symbol_count_columns(((-1, 2), (0, 1)), ("a", "b"), fit)
    assert [name for *_, name in symbols] == ["count_a_m1", "count_a_2", "count_b_0", "count_b_1"]
    assert counts.tolist() == [[1, 0, 1, 0], [2, 0, 1, 1], [2, 1, 1, 2]]


def test_an_order_dependent_network_is_refused():
    fit = trace_of(Brackets())
    _, counts = symbol_count_columns(ALPHABET, ("x",), fit)
    assert group_spread(fit, counts) > 0.5
    with pytest.raises(ExtractionError, match="order"):
        symbol_counts(ALPHABET, ("x",), ("y",), fit, solve)


def test_too_many_symbols_are_refused():
    fit = trace_of(DriftingVote())
    with pytest.raises(ExtractionError, match="symbols"):
        symbol_counts((tuple(range(17)),), ("x",), ("y",), fit, solve)


def pair_majority(x: np.ndarray) -> np.ndarray:
    wins = np.cumsum(x[..., 0] > x[..., 1], axis=1)
    losses = np.cumsum(x[..., 1] > x[..., 0], axis=1)
    return (wins > losses).astype(np.int64)[..., None]


def test_channels_that_count_together_are_counted_as_joint_symbols():
    alphabets = ((0, 1, 2), (0, 1, 2))
    x = np.random.default_rng(0).integers(0, 3, size=(3000, 10, 2))
    fit = run_network(PairVote(), x, np.full(3000, 10))
    assert np.array_equal(fit.outputs, pair_majority(x))
    with (
        pytest.raises(ExtractionError, match="order"),
        mechanisms.switched_off(frozenset({"joint-symbols"})),
    ):
        symbol_counts(alphabets, ("a", "b"), ("y",), fit, solve)
    formulas, details = symbol_counts(alphabets, ("a", "b"), ("y",), fit, solve)
    assert details["joint"] and details["symbols"] == 9
    program = assemble(formulas)
    assert len(program.states) == 6  # the pairs with a != b
    long = np.random.default_rng(1).integers(0, 3, size=(300, 200, 2))
    assert np.array_equal(program.run(long), pair_majority(long))
