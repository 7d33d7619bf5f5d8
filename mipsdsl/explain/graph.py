"""What the network's state is, step by step, and the graph of its states that explain draws.

Every traced hidden state gets the extracted program's state variables after that step (the
program reproduces the network, so these are the values the network holds there). A machine
path's graph is its state machine, each state labelled with the variables' values on it. A
lattice, recurrence or count has no finite machine: its graph is the part of the program's state
space reached within a few steps from the start, as many steps as keep it readable.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from mipsdsl.extract.fsm import StateMachine
from mipsdsl.extract.trace import Trace, short_inputs
from mipsdsl.program import Program, unroll
from mipsdsl.task import Task

MAX_NODES = 40  # states drawn for a program with no finite machine
EDGE_PAIRS = 6  # input/output pairs written on one edge


@dataclass(frozen=True)
class Edge:
    source: int
    target: int
    label: str  # "input/output" pairs, comma-separated when several inputs take the same edge


@dataclass(frozen=True)
class Graph:
    labels: tuple[str, ...]  # one per node
    initial: int
    edges: tuple[Edge, ...]
    finite: bool  # the network's whole state machine, not a part of an unbounded state space
    depth: int | None = None  # for a part: every state reached within this many steps


@dataclass(frozen=True, eq=False)
class States:
    """Each traced hidden state after a step (M, n), the program's state variables there
    (M, k), and the graph node it sits at (M,), -1 where the graph does not reach it."""

    hidden: np.ndarray
    values: np.ndarray
    node: np.ndarray
    names: tuple[str, ...]  # the state variables
    graph: Graph


def read_states(task: Task, program: Program, trace: Trace, machine: StateMachine | None):
    """The traced states with the program's values and the graph they are drawn on."""
    valid = trace.valid
    values = _values(program, trace.x, trace.lengths)
    if machine is not None:
        _, visited = machine.run(trace.x)
        graph = machine_graph(task, machine, visited[valid], values[valid], program.state_names)
        node = visited[valid]
    else:
        graph, index = program_graph(task, program)
        node = np.array([index.get(tuple(v), -1) for v in values[valid].tolist()])
    return States(trace.after[valid], values[valid], node, program.state_names, graph)


def _values(program: Program, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The program's state variables after every step (N, L, k)."""
    n, length, _ = x.shape
    valid = np.arange(length)[None, :] < lengths[:, None]
    env = {name: x[..., i] for i, name in enumerate(program.inputs)}
    recorded, _ = unroll(program.states, program.steps, env, valid, program.state_names)
    columns = [np.asarray(recorded[name], dtype=np.int64) for name in program.state_names]
    return np.stack(columns, axis=-1) if columns else np.zeros((n, length, 0), dtype=np.int64)


def machine_graph(
    task: Task, machine: StateMachine, visited: np.ndarray, values: np.ndarray, names
) -> Graph:
    """The machine with each state labelled by the values the program holds on it (the most
    common, should a state carry several) and edges labelled input/output."""
    seen: dict[int, Counter] = {}
    for state, row in zip(visited.tolist(), values.tolist(), strict=True):
        seen.setdefault(state, Counter())[tuple(row)] += 1
    labels = []
    for state in range(machine.states):
        label = f"q{state}"
        if state in seen and names:
            label += "\n" + _assignment(names, seen[state].most_common(1)[0][0])
        labels.append(label)
    symbols = [_symbol(task, row) for row in machine.symbols.tolist()]
    grouped: dict[tuple[int, int], dict[str, None]] = {}
    for state in range(machine.states):
        for i, symbol in enumerate(symbols):
            output = ",".join(map(str, machine.output[state, i].tolist()))
            key = (state, int(machine.next_state[state, i]))
            grouped.setdefault(key, {})[f"{symbol}/{output}"] = None
    edges = tuple(Edge(s, t, _joined(pairs)) for (s, t), pairs in grouped.items())
    return Graph(tuple(labels), machine.initial, edges, finite=True)


def program_graph(task: Task, program: Program) -> tuple[Graph, dict[tuple, int]]:
    """The states the program reaches from its start within as many steps as keep the graph
    to MAX_NODES states, and each state's node number. Every input sequence of each length is
    run, so a step that reaches no new state shows that the drawing is the whole state space."""
    x, lengths = short_inputs(task)
    initial = tuple(value for _, value in program.states)
    index: dict[tuple, int] = {initial: 0}
    if not len(x):
        return Graph((_assignment(program.state_names, initial),), 0, (), False, 0), index
    values = _values(program, x, lengths)
    outputs = program.run(x, lengths)
    start = np.broadcast_to(np.asarray(initial, dtype=np.int64), values[:, :1].shape)
    before = np.concatenate([start, values[:, :-1]], axis=1)
    edges: dict[tuple[int, int], dict[str, None]] = {}
    depth, closed = 0, False
    for t in range(x.shape[1]):
        reached = {tuple(v) for v in values[:, t].tolist()} - index.keys()
        if len(index) + len(reached) > MAX_NODES:
            break
        for value in sorted(reached):
            index[value] = len(index)
        depth = t + 1
        steps = zip(before[:, t].tolist(), values[:, t].tolist(), strict=True)
        for row, (old, new) in enumerate(steps):
            label = f"{_symbol(task, x[row, t].tolist())}/{','.join(map(str, outputs[row, t]))}"
            edges.setdefault((index[tuple(old)], index[tuple(new)]), {})[label] = None
        if not reached:
            closed = True
            break
    labels = tuple(_assignment(program.state_names, v) for v in index)
    found = tuple(Edge(s, t, _joined(pairs)) for (s, t), pairs in edges.items())
    return Graph(labels, 0, found, finite=closed, depth=None if closed else depth), index


def _joined(pairs) -> str:
    """An edge's input/output pairs, the first EDGE_PAIRS of them when there are many."""
    pairs = list(pairs)
    if len(pairs) <= EDGE_PAIRS:
        return ", ".join(pairs)
    return ", ".join(pairs[:EDGE_PAIRS]) + f", ... ({len(pairs) - EDGE_PAIRS} more)"


def _assignment(names, values) -> str:
    return ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True)) or "(no state)"


def _symbol(task: Task, row: list[int]) -> str:
    """An input symbol as the spec writes it: a character where the alphabet has them."""
    shown = []
    for channel, value in zip(task.inputs, row, strict=True):
        if channel.symbols:
            shown.append(repr(channel.symbols[channel.values.index(value)]))
        else:
            shown.append(str(value))
    return shown[0] if len(shown) == 1 else "(" + ",".join(shown) + ")"
