"""Discretizing hidden states to a minimal finite-state machine, and its coarsest quotient."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.check import load_task
from mipsdsl.extract import mechanisms
from mipsdsl.extract.fsm import (
    ExtractionError,
    StateMachine,
    coarsest_quotient,
    discretize,
    minimize,
)
from mipsdsl.extract.trace import CHECK_STREAM, Trace, run_network, trace
from tests.extract.conftest import counter, machine_of
from tests.extract_standins import RunawayFlag, StandIn, line


def test_a_mod_5_counter_on_a_circle_becomes_a_5_state_machine(add_mod_5):
    found = machine_of(counter(5, noise=0.01), add_mod_5)
    m = found.machine
    assert m.states == 5 and m.initial == 0
    # the machine is the counter, up to the numbering of its states
    x = np.random.default_rng(1).integers(0, 5, (100, 10, 1))
    outputs, _ = m.run(x)
    np.testing.assert_array_equal(outputs[..., 0], np.cumsum(x[..., 0], axis=1) % 5)


def test_any_geometry_works_when_states_are_far_apart_relative_to_noise(parity):
    # parity kept at two points of a bent 3-d curve, with noise
    embed = lambda s: np.stack([np.cos(s * 2.0), s**2 * 0.3, np.sin(s * 2.0)], 1)  # noqa: E731
    decode = lambda h: (np.abs(h[:, 1]) > 0.15).astype(np.int64)  # noqa: E731
    network = StandIn(
        update=lambda s, x: s ^ x[:, 0],
        output=lambda s, x: (s ^ x[:, 0])[:, None],
        embed=embed,
        decode=decode,
        noise=0.02,
    )
    assert machine_of(network, parity).machine.states == 2


def test_minimisation_merges_equivalent_states():
    # 4 states where 2 and 3 duplicate 0 and 1: a parity machine in disguise
    next_state = np.array([[0, 1], [1, 2], [2, 3], [3, 0]])
    output = np.array([[0, 1], [1, 0], [0, 1], [1, 0]])[..., None]
    m = minimize(StateMachine(((0, 1),), 0, next_state, output))
    assert m.states == 2
    np.testing.assert_array_equal(m.next_state, [[0, 1], [1, 0]])


def test_minimisation_drops_unreachable_states():
    next_state = np.array([[0, 0], [1, 0]])
    output = np.array([[0, 1], [5, 5]])[..., None]
    assert minimize(StateMachine(((0, 1),), 0, next_state, output)).states == 1


def test_the_coarsest_machine_merges_a_drifting_tail_the_short_check_cannot_see():
    # parity, unrolled for 12 steps with a copy per step; at step 12 the copy turns wrong (as a
    # network trained on length 10 may): the exact minimal machine keeps all 24 states
    depth = 12
    next_state = np.array(
        [
            [2 * min(d + 1, depth) + (q ^ x) for x in (0, 1)]
            for d in range(depth + 1)
            for q in (0, 1)
        ]
    )
    output = np.array(
        [[(q ^ x) if d < depth else 0 for x in (0, 1)] for d in range(depth + 1) for q in (0, 1)]
    )[..., None]
    minimal = minimize(StateMachine(((0, 1),), 0, next_state, output))
    assert minimal.states == 2 * depth  # the start, and both parities at steps 1..12
    x = np.random.default_rng(0).integers(0, 2, size=(300, 10, 1))
    parity = np.cumsum(x, axis=1) % 2
    check = Trace(x, np.full(300, 10), x, x, parity)
    horizon, coarsest = coarsest_quotient(minimal, check)
    assert (horizon, coarsest.states) == (0, 2)
    longer = np.random.default_rng(1).integers(0, 2, size=(100, 50, 1))
    outputs, _ = coarsest.run(longer)
    np.testing.assert_array_equal(outputs, np.cumsum(longer, axis=1) % 2)


def test_a_clean_minimal_machine_is_its_own_coarsest_quotient():
    # a mod-3 counter: no coarser machine reproduces it
    next_state = np.array([[(s + x) % 3 for x in (0, 1)] for s in range(3)])
    output = next_state[..., None]
    machine = minimize(StateMachine(((0, 1),), 0, next_state, output))
    x = np.random.default_rng(0).integers(0, 2, size=(300, 10, 1))
    check = Trace(x, np.full(300, 10), x, x, np.cumsum(x, axis=1) % 3)
    assert coarsest_quotient(machine, check) == (None, machine)


def test_an_unbounded_counter_is_not_a_finite_machine(add_mod_5):
    network = StandIn(
        update=lambda s, x: s + x[:, 0] + 1,
        output=lambda s, x: (s + x[:, 0] + 1 > 100)[:, None].astype(np.int64),
        embed=line()[0],
        decode=line()[1],
    )
    fit = trace(network, add_mod_5, 200, 0)
    # checked on 30x longer inputs, whose states the short ones never reached
    check = trace(network, add_mod_5, 200, 0, CHECK_STREAM)
    longer = run_network(network, np.tile(check.x, (1, 30, 1)), check.lengths * 30)
    with pytest.raises(ExtractionError, match="finite-state"):
        discretize(network, ((0, 1, 2, 3, 4),), fit, longer)


def test_too_many_symbols_are_refused_clearly(tmp_path):
    spec = tmp_path / "wide.mips"
    spec.write_text("task wide\ninput a, b in [0, 40)\nlength 3\noutput y = a + b\n")
    task, _ = load_task(spec)
    network = counter(5)
    fit = trace(network, task, 10, 0)
    with pytest.raises(ExtractionError, match="too many"):
        discretize(network, tuple(c.values for c in task.inputs), fit, fit)


def test_a_flag_held_in_states_that_run_off_is_gridded_on_a_log_scale(parity):
    network = RunawayFlag()
    fit, check = trace(network, parity, 500, 0), trace(network, parity, 500, 0, CHECK_STREAM)
    assert np.abs(fit.after).max() > 10_000
    with mechanisms.switched_off(frozenset({"log-cells"})):
        with pytest.raises(ExtractionError, match="finite-state"):
            discretize(network, ((0, 1),), fit, check)
    found = discretize(network, ((0, 1),), fit, check)
    assert found.log_scale and found.to_json()["log_scale"] and found.machine.states == 2
    expected = np.maximum.accumulate(check.x[..., 0], axis=1)[..., None]
    np.testing.assert_array_equal(found.machine.run(check.x)[0], expected)
