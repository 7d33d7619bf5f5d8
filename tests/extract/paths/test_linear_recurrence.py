"""The linear-recurrence path: a linear network's outputs as an integer recurrence."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.extract import ExtractionError
from mipsdsl.extract.assemble import assemble
from mipsdsl.extract.context import Context, Regression
from mipsdsl.extract.enumerative import regress
from mipsdsl.extract.paths import linear_recurrence
from mipsdsl.extract.trace import run_network
from tests.extract_standins import StandIn, circle


class DelayLine:
    """A 3-unit shift register read at its end: y = the x of two steps back."""

    def initial_hidden(self):
        return np.zeros(3)

    def step(self, h, x):
        return h @ np.eye(3, k=-1).T + x @ np.array([[1.0, 0.0, 0.0]])

    def readout(self, h):
        return np.rint(h[:, 2:]).astype(np.int64)


def context(network, x) -> Context:
    fit = run_network(network, x, np.full(len(x), x.shape[1]))
    alphabets = ((*range(50),),)
    regression = Regression(5.0, 7, regress)
    return Context(network, "regress", alphabets, ("x",), ("y",), fit, fit, regression)


def test_a_delay_line_is_read_as_an_order_2_recurrence():
    x = np.random.default_rng(0).integers(0, 50, size=(300, 10, 1))
    found = linear_recurrence.extract(context(DelayLine(), x))
    assert found.path == linear_recurrence.NAME and found.symbolic
    assert found.method.startswith("an order-2 integer linear recurrence")
    assert found.regression == "integer linear" and found.details["order"] == 2
    longer = np.random.default_rng(1).integers(0, 50, size=(30, 40, 1))
    expected = np.zeros_like(longer)
    expected[:, 2:] = longer[:, :-2]
    np.testing.assert_array_equal(assemble(found.formulas).run(longer), expected)


def test_a_nonlinear_network_is_not_this_path():
    embed, decode = circle(5)
    network = StandIn(
        update=lambda s, x: (s + x[:, 0]) % 5,
        output=lambda s, x: ((s + x[:, 0]) % 5)[:, None],
        embed=embed,
        decode=decode,
    )
    x = np.random.default_rng(0).integers(0, 5, size=(200, 10, 1))
    with pytest.raises(ExtractionError):
        linear_recurrence.extract(context(network, x))
