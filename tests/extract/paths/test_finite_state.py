"""The finite-state-machine path on stand-in networks: the coarsest machine, labelled, its tables
regressed, and the discretized machine made once for both machine paths."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.extract import ExtractionError
from mipsdsl.extract.assemble import assemble
from mipsdsl.extract.paths import finite_state
from mipsdsl.verify import verify
from tests.extract.conftest import context_of
from tests.extract_standins import StandIn, circle


def parity_network(noise: float = 0.01) -> StandIn:
    embed, decode = circle(2)
    return StandIn(
        update=lambda s, x: s ^ x[:, 0],
        output=lambda s, x: (s ^ x[:, 0])[:, None],
        embed=embed,
        decode=decode,
        noise=noise,
    )


def test_a_parity_network_becomes_a_verified_two_state_program(parity):
    ctx = context_of(parity_network(), parity)
    found = finite_state.extract(ctx)
    assert found.path == finite_state.NAME and found.symbolic
    assert found.method.startswith("a 2-state machine, states labelled by")
    assert found.details["states"] == 2 and found.details["horizon"] is None
    assert found.regression == "enumerative"
    program = assemble(found.formulas)
    assert verify(parity, program).passed
    x = np.random.default_rng(0).integers(0, 2, (50, 40, 1))
    np.testing.assert_array_equal(program.run(x), np.cumsum(x, axis=1) % 2)


def test_the_machine_is_discretized_once_and_a_failure_is_kept(parity, monkeypatch):
    ctx = context_of(parity_network(), parity, n=100)
    made = finite_state.discretized(ctx)
    assert finite_state.discretized(ctx) is made and ctx.memo["discretized"] is made

    calls = []

    def refuse(*_):
        calls.append(1)
        raise ExtractionError("not a machine")

    monkeypatch.setattr(finite_state, "discretize", refuse)
    failing = context_of(parity_network(), parity, n=100)
    for _ in range(2):
        with pytest.raises(ExtractionError, match="not a machine"):
            finite_state.extract(failing)
    assert len(calls) == 1
