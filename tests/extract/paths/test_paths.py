"""The extraction paths and the order they are tried in, which depends on the output head."""

from __future__ import annotations

import numpy as np

from mipsdsl.extract import ExtractionError
from mipsdsl.extract.context import Context
from mipsdsl.extract.fsm import Discretized, StateMachine
from mipsdsl.extract.paths import (
    ORDER,
    exact_machine,
    finite_state,
    in_order,
    integer_lattice,
    linear_recurrence,
    recent_inputs,
    symbol_counts,
)
from mipsdsl.extract.trace import Trace


def context(head: str, memo: dict) -> Context:
    x = np.zeros((1, 2, 1), dtype=np.int64)
    fit = Trace(x, np.array([2]), x, x, x)
    return Context(None, head, ((0, 1),), ("x",), ("y",), fit, fit, None, memo)


def discretized(horizon) -> Discretized:
    machine = StateMachine(((0, 1),), 0, np.zeros((1, 2), dtype=np.int64), np.zeros((1, 2, 1)))
    return Discretized(machine, machine, horizon, None, 1, 0)


def test_every_path_has_a_name_and_an_entry_point():
    paths = {path for order in ORDER.values() for path in order}
    assert paths == {
        exact_machine,
        finite_state,
        integer_lattice,
        linear_recurrence,
        recent_inputs,
        symbol_counts,
    }
    assert len({path.NAME for path in paths}) == len(paths)
    assert all(callable(path.extract) for path in paths)


def test_a_regressed_output_tries_the_integer_paths_first_and_a_classified_one_the_machine():
    assert list(in_order(context("regress", {}))) == [
        integer_lattice,
        linear_recurrence,
        finite_state,
        symbol_counts,
        recent_inputs,
    ]
    assert list(in_order(context("classify", {})))[:2] == [finite_state, integer_lattice]


def test_the_exact_machine_comes_after_a_coarser_machine_was_made_and_only_then():
    assert exact_machine not in in_order(context("classify", {"discretized": discretized(None)}))
    failed = {"discretized": ExtractionError("no machine")}
    assert exact_machine not in in_order(context("classify", failed))
    coarser = list(in_order(context("classify", {"discretized": discretized(0)})))
    assert coarser[-2:] == [exact_machine, recent_inputs]  # the shift register is tried last


def test_whether_the_exact_machine_applies_is_decided_when_its_turn_comes():
    memo: dict = {}
    paths = in_order(context("classify", memo))
    assert next(paths) is finite_state
    memo["discretized"] = discretized(3)  # what the finite-state path made meanwhile
    assert list(paths)[-2] is exact_machine
