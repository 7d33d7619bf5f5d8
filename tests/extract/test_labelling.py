"""Labelling a machine's states: formulas, registers, continued counters, tables and
decision trees."""

from __future__ import annotations

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract.assemble import Formulas, assemble
from mipsdsl.extract.fsm import StateMachine
from mipsdsl.extract.labelling import _factorings, decision_tree, formulas_for, table_formulas
from mipsdsl.verify import verify
from tests.extract.conftest import counter, machine_of


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


def _mod3_after_zero() -> StateMachine:
    """States (sum mod 3, previous input was 0) numbered u + 3 * flag; y = u' == 0 and flag.
    Starts at (0, 1): before the first input the previous value reads as the pad, 0."""
    next_state = np.zeros((6, 3), dtype=np.int64)
    output = np.zeros((6, 3, 1), dtype=np.int64)
    for state in range(6):
        u, flag = state % 3, state // 3
        for x in range(3):
            u2 = (u + x) % 3
            next_state[state, x] = u2 + 3 * (x == 0)
            output[state, x, 0] = int(u2 == 0 and flag == 1)
    return StateMachine(((0, 1, 2),), 3, next_state, output)


def test_a_product_machine_is_found_as_two_variables_side_by_side():
    machine = _mod3_after_zero()
    labelled = formulas_for(machine, ("x",), ("y",), seconds=20)
    assert labelled.symbolic and labelled.method == "two variables side by side (2 x 3 values)"
    assert len(labelled.formulas.states) == 2
    x = np.random.default_rng(1).integers(0, 3, (300, 12, 1))
    expected, _ = machine.run(x)
    np.testing.assert_array_equal(run_formulas(labelled.formulas, x), expected)


def _seen_flags(symbols: int) -> StateMachine:
    """States are the sets of symbols seen so far (bit i for symbol i); y is how many there are
    after the step: a product of one flag per symbol, whose output reads the flags after it."""
    states = 1 << symbols
    next_state = np.array([[s | (1 << x) for x in range(symbols)] for s in range(states)])
    output = np.array(
        [[[bin(s | (1 << x)).count("1")] for x in range(symbols)] for s in range(states)]
    )
    return StateMachine((tuple(range(symbols)),), 0, next_state, output)


def test_a_machine_of_independent_flags_is_split_into_one_variable_per_flag():
    machine = _seen_flags(3)
    labelled = formulas_for(machine, ("x",), ("y",), seconds=20)
    assert labelled.method == "three variables side by side (2 x 2 x 2 values)"
    assert labelled.formulas.outputs_read_new  # y = s + s_2 + s_3, over the flags after the step
    x = np.random.default_rng(1).integers(0, 3, (300, 12, 1))
    expected, _ = machine.run(x)
    np.testing.assert_array_equal(run_formulas(labelled.formulas, x), expected)
    sizes = [len(factors) for factors in _factorings(machine)]
    assert sizes[0] == 3 and 2 in sizes  # the split product first, then the pairs it came from


def _since_last_zero(length: int) -> StateMachine:
    """Inputs since the last 0, as a network trained on `length` keeps it: the count stops at
    length - 1, whose successor no trained sequence reaches (its output, length, is trained)."""
    top = length - 1
    next_state = np.array([[0, min(s + 1, top)] for s in range(length)])
    output = np.array([[[0], [s + 1]] for s in range(length)])
    return StateMachine(((0, 1),), 0, next_state, output)


def test_a_count_since_a_reset_is_continued_past_the_trained_length():
    labelled = formulas_for(_since_last_zero(10), ("x",), ("y",), seconds=20, length=10)
    assert "continued past the states first reached at step 9" in labelled.method
    x = np.random.default_rng(3).integers(0, 2, (300, 60, 1))
    x[:, 10:40] = 1  # runs of 30 ones and more
    runs = np.zeros(x.shape[:2], dtype=np.int64)
    for t in range(x.shape[1]):
        runs[:, t] = np.where(x[:, t, 0] == 1, (runs[:, t - 1] if t else 0) + 1, 0)
    np.testing.assert_array_equal(run_formulas(labelled.formulas, x)[..., 0], runs)


def _last_one_position(length: int) -> StateMachine:
    """The position of the latest 1 (-1 before any), as a network trained on `length` keeps it:
    a state per (position, latest 1) up to position length - 1, whose successors no output reads,
    so that the coarsest machine lumps them with states of that same position."""
    states = [(t, p) for t in range(length) for p in range(-1, t)]
    number = {state: k for k, state in enumerate(states)}
    next_state, output = [], []
    for t, p in states:
        after = [(t + 1, p), (t + 1, t)] if t < length - 1 else [(t, p), (t, p)]
        next_state.append([number[s] for s in after])
        output.append([[p], [t]])
    return StateMachine(((0, 1),), 0, np.array(next_state), np.array(output))


def test_a_position_beside_an_entry_value_is_continued_past_the_trained_length():
    machine = _last_one_position(8)
    labelled = formulas_for(machine, ("x",), ("y",), seconds=20, length=8)
    assert labelled.symbolic and labelled.method == "the position beside the value of y on entry"
    x = np.random.default_rng(5).integers(0, 2, (300, 50, 1))
    expected = np.where(x[..., 0] == 1, np.arange(50), -1)
    expected = np.maximum.accumulate(expected, axis=1)
    np.testing.assert_array_equal(run_formulas(labelled.formulas, x)[..., 0], expected)


def _first_one_position(length: int) -> StateMachine:
    """The position of the first 1 (-1 before any): a state per position until a 1 comes, then
    one per position it came at, where the network forgets the position (the 1 at the last
    trained position leads to any state)."""
    waiting = list(range(length))  # state t: no 1 yet, at position t
    came = [length + p for p in range(length)]  # the first 1 came at position p
    next_state = [
        [waiting[min(t + 1, length - 1)], came[t] if t < length - 1 else came[0]]
        for t in range(length)
    ]
    next_state += [[state, state] for state in came]
    output = [[[-1], [t]] for t in range(length)] + [[[p], [p]] for p in range(length)]
    return StateMachine(((0, 1),), 0, np.array(next_state), np.array(output))


def test_a_position_kept_until_an_event_is_read_beside_the_value_it_leaves():
    labelled = formulas_for(_first_one_position(8), ("x",), ("y",), seconds=20, length=8)
    assert labelled.symbolic and labelled.method == "the position beside the value of y on entry"
    x = np.random.default_rng(6).integers(0, 2, (300, 50, 1))
    x[:100, :30] = 0  # first 1s late, past the trained length
    ones = x[..., 0] == 1
    first = np.where(ones.any(axis=1), ones.argmax(axis=1), 10**6)[:, None]
    expected = np.where(np.arange(50) >= first, first, -1)
    np.testing.assert_array_equal(run_formulas(labelled.formulas, x)[..., 0], expected)
