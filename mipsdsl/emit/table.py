"""A verified state table as a lookup: the program's values at every state and input, as tuples.

When extraction finds no formula, the program is the network's state machine written as decision
trees over the state number and the inputs: exact, but a page of nested conditionals that no one
can review. The same program is a small table: `TABLE[s][a][b]` holds the new state and the
outputs for state `s` and inputs `a`, `b`. The table is filled by evaluating the program itself
(at every state it can reach and every input of each channel's range), so it computes the same
values on every input of the alphabet; the emitted module is verified again like any other.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from mipsdsl import expr as E
from mipsdsl.program import Program
from mipsdsl.task import Task

MAX_CELLS = 4096  # beyond this the decision trees stay: a table no one reads is no better
MAX_STATES = 256


@dataclass(frozen=True)
class Table:
    """`cells[s][i][j]...`: the new state value (when there is a state) and then the outputs, or
    the one value alone; indexed by the state value and each input's offset from its lowest."""

    state: str | None  # the one state variable, if any
    states: int  # the state values 0..states-1 (1 when there is no state)
    inputs: tuple[tuple[int, int], ...]  # per input channel: (lowest, highest) value
    cells: tuple


def state_table(program: Program, task: Task) -> Table | None:
    """The program as a table, or None when it is not a small one: more than one state variable,
    a state value outside 0..MAX_STATES-1, more than MAX_CELLS cells, or a division by zero."""
    if len(program.states) > 1:
        return None
    ranges = [range(c.lo, c.hi + 1) for c in task.inputs]
    states = _reachable(program, task)
    if states is None:
        return None
    size = states * int(np.prod([len(r) for r in ranges]))
    if size > MAX_CELLS:
        return None
    grid = list(itertools.product(range(states), *ranges))
    columns = np.array(grid, dtype=np.int64).T
    try:
        new, outputs = _step(program, columns[0], columns[1:])
    except E.EvaluationError:
        return None
    values = ([new] if program.states else []) + outputs
    flat = [tuple(int(v[i]) for v in values) for i in range(len(grid))]
    flat_cells = [cell[0] if len(cell) == 1 else cell for cell in flat]
    shape = [states] + [len(r) for r in ranges]
    return Table(
        program.state_names[0] if program.states else None,
        states,
        tuple((c.lo, c.hi) for c in task.inputs),
        _nest(flat_cells, shape if program.states else shape[1:]),
    )


def _reachable(program: Program, task: Task) -> int | None:
    """How many state values the table needs (0..n-1 holds every state reachable from the
    initial one on the alphabet), or None when they are not small non-negative ints."""
    if not program.states:
        return 1
    inputs = np.array(list(itertools.product(*(c.values for c in task.inputs))), dtype=np.int64)
    seen, frontier = set(), {program.states[0][1]}
    while frontier:
        if min(frontier) < 0 or max(frontier) >= MAX_STATES:
            return None
        seen |= frontier
        values = np.repeat(np.array(sorted(frontier), dtype=np.int64), len(inputs))
        tiled = np.tile(inputs, (len(frontier), 1)).T
        try:
            new, _ = _step(program, values, tiled)
        except E.EvaluationError:
            return None
        frontier = {int(v) for v in new} - seen
    return max(seen) + 1


def _step(program: Program, state: np.ndarray, inputs: np.ndarray):
    """One step of the program at each column: (new state values, [output values])."""
    shape = state.shape
    scope = dict(zip(program.inputs, inputs, strict=True))
    if program.states:
        scope[program.state_names[0]] = state
    for step in program.steps:
        scope[step.name] = E.evaluate(step.expr, scope, shape, 0, exact=True)
    outputs = [E.evaluate(expr, scope, shape, 0, exact=True) for _, expr in program.outputs]
    return (scope[program.state_names[0]] if program.states else state), outputs


def _nest(flat: list, shape: list[int]) -> tuple:
    """A flat row-major list as nested tuples of `shape`."""
    if len(shape) == 1:
        return tuple(flat)
    part = len(flat) // shape[0]
    return tuple(_nest(flat[i * part : (i + 1) * part], shape[1:]) for i in range(shape[0]))
