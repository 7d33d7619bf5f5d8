"""The exact-minimal-machine path: tried only when the finite-state path read a coarser machine,
it reads the exact minimal one."""

from __future__ import annotations

import numpy as np

from mipsdsl.extract import ExtractionError
from mipsdsl.extract.assemble import assemble
from mipsdsl.extract.context import Context, Regression
from mipsdsl.extract.enumerative import regress
from mipsdsl.extract.fsm import Discretized, StateMachine, coarsest_quotient, minimize
from mipsdsl.extract.paths import exact_machine, finite_state
from mipsdsl.extract.trace import Trace

DEPTH = 4  # enough steps that each merged transition has a clear majority


def drifting_parity() -> tuple[Discretized, Trace]:
    """Parity unrolled with a copy per step for DEPTH steps, whose copy turns wrong past DEPTH
    inputs: the check, on DEPTH inputs, never sees it, so the coarsest machine is parity."""
    next_state = np.array(
        [
            [2 * min(d + 1, DEPTH) + (q ^ x) for x in (0, 1)]
            for d in range(DEPTH + 1)
            for q in (0, 1)
        ]
    )
    output = np.array(
        [[(q ^ x) if d < DEPTH else 0 for x in (0, 1)] for d in range(DEPTH + 1) for q in (0, 1)]
    )[..., None]
    minimal = minimize(StateMachine(((0, 1),), 0, next_state, output))
    x = np.random.default_rng(0).integers(0, 2, size=(200, DEPTH, 1))
    check = Trace(x, np.full(200, DEPTH), x, x, np.cumsum(x, axis=1) % 2)
    horizon, coarsest = coarsest_quotient(minimal, check)
    return Discretized(coarsest, minimal, horizon, None, minimal.states, 0), check


def context(memo: dict, fit: Trace) -> Context:
    regression = Regression(10.0, 7, regress)
    return Context(None, "classify", ((0, 1),), ("x",), ("y",), fit, fit, regression, memo)


def test_it_applies_only_after_a_machine_coarser_than_the_exact_one():
    found, check = drifting_parity()
    assert found.horizon is not None and found.machine.states < found.minimal.states
    assert exact_machine.applies(context({"discretized": found}, check))
    assert not exact_machine.applies(context({}, check))
    assert not exact_machine.applies(context({"discretized": ExtractionError("no")}, check))
    same = Discretized(found.minimal, found.minimal, None, None, found.cells, 0)
    assert not exact_machine.applies(context({"discretized": same}, check))


def test_it_reads_the_exact_minimal_machine_where_the_finite_state_path_read_the_coarsest():
    found, check = drifting_parity()
    ctx = context({"discretized": found}, check)
    coarse = finite_state.extract(ctx)
    exact = exact_machine.extract(ctx)
    assert coarse.method.startswith(f"a {found.machine.states}-state machine")
    assert exact.method.startswith(f"a {found.minimal.states}-state machine")
    assert exact.details["states"] == found.minimal.states and exact.details["horizon"] is None
    # the exact machine's program is that machine, inputs past DEPTH included
    x = np.random.default_rng(1).integers(0, 2, size=(300, DEPTH + 2, 1))
    expected, _ = found.minimal.run(x)
    np.testing.assert_array_equal(assemble(exact.formulas).run(x)[:, :DEPTH], expected[:, :DEPTH])
