"""Extraction on stand-in networks: tracing, discretizing to a minimal machine, labelling states,
regression to formulas, the table fallback and program assembly."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl import expr as E
from mipsdsl.check import load_task
from mipsdsl.extract.assemble import Formulas, StateVariable, assemble
from mipsdsl.extract.fsm import (
    ExtractionError,
    StateMachine,
    coarsest_quotient,
    discretize,
    minimize,
)
from mipsdsl.extract.labelling import decision_tree, formulas_for, table_formulas
from mipsdsl.extract.trace import CHECK_STREAM, Trace, domain_inputs, run_network, trace
from mipsdsl.verify import verify
from tests.conftest import SPECS
from tests.extract_standins import StandIn, circle, line


def machine_of(network, task, n=500):
    alphabets = tuple(c.values for c in task.inputs)
    fit = trace(network, task, n, 0)
    check = trace(network, task, n, 0, CHECK_STREAM)
    return discretize(network, alphabets, fit, check)


def counter(k: int, noise: float = 0.0, embedding=None):
    """y = s' = (s + x) % k, states embedded on a circle unless told otherwise."""
    embed, decode = embedding or circle(k)
    return StandIn(
        update=lambda s, x: (s + x[:, 0]) % k,
        output=lambda s, x: ((s + x[:, 0]) % k)[:, None],
        embed=embed,
        decode=decode,
        noise=noise,
    )


@pytest.fixture(scope="module")
def add_mod_5():
    return load_task(SPECS / "add_mod_5.mips")[0]


@pytest.fixture(scope="module")
def parity():
    return load_task(SPECS / "parity_all.mips")[0]


# ---------------------------------------------------------------- trace


def test_trace_records_the_networks_steps(add_mod_5):
    network = counter(5)
    t = trace(network, add_mod_5, 50, 0)
    assert t.before.shape == t.after.shape == t.x.shape[:2] + (3,)
    np.testing.assert_array_equal(t.before[:, 1:], t.after[:, :-1])
    expected = np.cumsum(t.x[..., 0], axis=1) % 5
    np.testing.assert_array_equal(t.outputs[..., 0][t.valid], expected[t.valid])
    # every short sequence is in the trace, so every state within that many steps is seen
    assert len(t.x) > 50


def test_domain_inputs_of_an_examples_task_never_read_its_outputs(tmp_path):
    x = np.random.default_rng(0).integers(0, 2, (40, 6, 1))
    y = np.full((40, 6, 1), 7)  # nonsense outputs: extraction must not care
    np.savez(tmp_path / "ex.npz", x=x, y=y)
    spec = tmp_path / "ex.mips"
    spec.write_text('task ex "by example"\ninput x in {0, 1}\nexamples "ex.npz"\noutput y\n')
    task, _ = load_task(spec)
    got, lengths = domain_inputs(task, 10, 0, CHECK_STREAM)
    assert got.shape == (10, 6, 1) and (lengths == 6).all()
    rows = {r.tobytes() for r in x}
    assert all(r.tobytes() in rows for r in got)


# ---------------------------------------------------------------- discretize


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


def test_states_no_grid_separates_are_told_apart_by_their_behaviour(add_mod_5):
    # each visit puts the state at a random place along a long diagonal, 0.1 apart per state:
    # every grid cell fine enough to part two states still holds several, but what the network
    # does from a state (its outputs on each next input) says which state it is
    rng = np.random.default_rng(0)

    def embed(s):
        r = rng.uniform(0, 1000, len(s))
        return np.stack([r, r + 0.1 * s], axis=1)

    def decode(h):
        return np.rint((h[:, 1].astype(np.float64) - h[:, 0]) / 0.1).astype(np.int64)

    found = machine_of(counter(5, embedding=(embed, decode)), add_mod_5)
    assert found.resolution is None and found.behaviour_steps == 1
    assert found.machine.states == 5


# ---------------------------------------------------------------- labelling and formulas


def run_formulas(formulas: Formulas, x: np.ndarray) -> np.ndarray:
    program = assemble(formulas)
    return program.run(x)


def test_the_circle_counter_becomes_s_plus_x_mod_5(add_mod_5):
    machine = machine_of(counter(5), add_mod_5).machine
    labelled = formulas_for(machine, ("x",), ("y",), seconds=20)
    assert labelled.symbolic
    program = assemble(labelled.formulas)
    assert len(program.states) == 1
    text = repr(program.steps[-1].expr)
    assert "'%'" in text and "Const(value=5)" in text
    assert verify(add_mod_5, program).passed


def test_a_machine_without_a_formula_becomes_a_verified_table():
    rng = np.random.default_rng(3)
    next_state = rng.integers(0, 6, (6, 3))
    next_state[:, 0] = (np.arange(6) + 1) % 6  # keep every state reachable
    output = rng.integers(0, 4, (6, 3, 1))
    m = StateMachine(((0, 1, 2),), 0, next_state, output)
    formulas = table_formulas(m, ("x",), ("y",))
    x = rng.integers(0, 3, (200, 12, 1))
    expected, _ = m.run(x)
    np.testing.assert_array_equal(run_formulas(formulas, x), expected)


def test_decision_tree_is_exact_and_merges_identical_branches():
    s = np.repeat(np.arange(4), 3)
    x = np.tile(np.arange(3), 4)
    target = (x * 7) % 5  # does not depend on s
    tree = decision_tree([("s", s), ("x", x)], target)
    assert "s" not in E.free_vars(tree)
    np.testing.assert_array_equal(E.evaluate(tree, {"s": s, "x": x}, (12,), 0), target)


def test_previous_input_is_found_as_a_register():
    # y = x[t-1] xor x: output on (s, x) where the state is the last input
    next_state = np.array([[1, 2], [1, 2], [1, 2]])  # 0 = start, 1 = last was 0, 2 = last was 1
    output = np.array([[0, 1], [0, 1], [1, 0]])[..., None]
    m = StateMachine(((0, 1),), 0, next_state, output)
    labelled = formulas_for(m, ("x",), ("y",), seconds=10)
    assert labelled.symbolic and "last 1 input" in labelled.method
    x = np.random.default_rng(0).integers(0, 2, (50, 8, 1))
    expected, _ = m.run(x)
    np.testing.assert_array_equal(run_formulas(labelled.formulas, x), expected)


def parenthesis_machine(deepest: int) -> StateMachine:
    """Balanced parentheses as a network trained on short inputs keeps them: depths 0..deepest
    (state d), then a dead state (deepest + 1) that one ')' too many, or one '(' past the
    deepest, leads to. '(' is 0, ')' is 1; y = 1 when a ')' closes the prefix."""
    dead = deepest + 1
    opening = [d + 1 for d in range(deepest)] + [dead, dead]
    closing = [dead] + list(range(deepest)) + [dead]
    output = np.zeros((dead + 1, 2, 1), dtype=np.int64)
    output[1, 1, 0] = 1
    return StateMachine(((0, 1),), 0, np.array([opening, closing]).T, output)


def balanced(x: np.ndarray) -> np.ndarray:
    depth = np.cumsum(np.where(x[..., 0] == 0, 1, -1), axis=1)
    return ((depth == 0) & (np.minimum.accumulate(depth, axis=1) >= 0)).astype(np.int64)


def test_a_counter_cut_off_past_the_trained_length_is_continued():
    # depth 6 cannot close within 10 inputs, so the machine's cut-off never shows by then
    machine = parenthesis_machine(5)
    labelled = formulas_for(machine, ("p",), ("y",), seconds=10, length=10)
    assert labelled.symbolic and "continued" in labelled.method
    x = np.random.default_rng(0).integers(0, 2, (2000, 100, 1))
    np.testing.assert_array_equal(run_formulas(labelled.formulas, x)[..., 0], balanced(x))
    # without the trained length nothing may be continued
    assert "continued" not in formulas_for(machine, ("p",), ("y",), seconds=10).method


def test_a_counter_is_not_continued_where_the_cut_off_shows_within_the_length():
    # "((((()))))" closes at length 10, but this machine went dead at depth 5
    machine = parenthesis_machine(4)
    labelled = formulas_for(machine, ("p",), ("y",), seconds=10, length=10)
    assert "continued" not in labelled.method
    x = np.random.default_rng(1).integers(0, 2, (500, 10, 1))
    expected, _ = machine.run(x)
    np.testing.assert_array_equal(run_formulas(labelled.formulas, x), expected)


# ---------------------------------------------------------------- assembly


def test_assembly_orders_a_shift_register_and_drops_unused_states():
    formulas = Formulas(
        inputs=("x",),
        states=(
            StateVariable("p1", 0, E.Var("x")),
            StateVariable("p2", 0, E.Var("p1")),
            StateVariable("unused", 3, E.Binary("+", E.Var("unused"), E.Var("x"))),
        ),
        outputs=(("y", E.Binary("+", E.Var("p2"), E.Var("x"))),),
    )
    program = assemble(formulas)
    assert program.state_names == ("p1", "p2")
    x = np.arange(1, 7)[None, :, None]
    # y_t = x_t + x_{t-2}, reading the old states before they shift
    np.testing.assert_array_equal(program.run(x)[0, :, 0], [1, 2, 4, 6, 8, 10])


def test_assembly_breaks_a_swap_cycle_with_lets():
    formulas = Formulas(
        inputs=("x",),
        states=(StateVariable("a", 1, E.Var("b")), StateVariable("b", 2, E.Var("a"))),
        outputs=(("y", E.Binary("+", E.Binary("*", E.Var("a"), E.Const(10)), E.Var("x"))),),
    )
    program = assemble(formulas)
    x = np.zeros((1, 4, 1), dtype=np.int64)
    np.testing.assert_array_equal(program.run(x)[0, :, 0], [10, 20, 10, 20])


def test_an_output_equal_to_a_state_update_reads_the_state():
    update = E.Binary("%", E.Binary("+", E.Var("s"), E.Var("x")), E.Const(3))
    program = assemble(Formulas(("x",), (StateVariable("s", 0, update),), (("y", update),)))
    assert program.outputs == (("y", E.Var("s")),)
    assert all(step.kind == "update" for step in program.steps)
