"""The extraction paths and the order they are tried in, which depends on the output head."""

from __future__ import annotations

import numpy as np

from mipsdsl.extract.context import Context
from mipsdsl.extract.paths import (
    ORDER,
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


def test_every_path_has_a_name_and_an_entry_point():
    paths = {path for order in ORDER.values() for path in order}
    assert paths == {
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
