"""Discretize: from a network's hidden states to a minimal finite-state (Mealy) machine.

The paper rounded hidden states to an integer lattice and failed wherever rounding made the
transition table contradictory (mod-k counters kept on a circle, nonlinear states). Here hidden
states are grouped into grid cells of a fine resolution relative to their spread, whatever their
geometry: a cell is a provisional state. Transitions and outputs come from what the network did
on the trace (majority per cell and symbol); pairs the trace never showed are filled by stepping
the network from the cell's representative. Over-splitting is harmless, because the machine is
then minimised (states with the same outputs and equivalent successors merge, Moore's partition
refinement), and the result must reproduce the network's outputs on a second trace it was not
built from. A grid too coarse to separate states fails that check and the next, finer grid is
tried; a task whose states never settle (a running sum) gives more states than the limit.

A network may also keep an absorbing state that runs off (a flag once set, held as a value that
grows and flips sign at every step while its readout stays 1). Its spread is then thousands of
times that of the other states, which any grid of a share of it lumps together. Where no grid
works and the spread is more than `RUNAWAY` times the interquartile range, the grids are tried
again on a symmetric-log scale of each unit about the initial state (in units of the distance of
the nearest tenth of the states), where the far states are compressed and the near ones keep
their distances.

A network trained on short sequences often keeps a few clean states near the start and drifts
away from them later, so its exact minimal machine is a long tail of near-copies that are right
up to the trained length only (parity of the last 4 bits with 166 states). The machine offered
first is therefore the coarsest one that still reproduces the network on the check trace: states
merged when they agree on every input sequence up to some horizon k (the k-th step of the
partition refinement), successors by majority over the merged states, the smallest k that passes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np

from mipsdsl.extract import ExtractionError, mechanisms
from mipsdsl.extract.trace import Network, Trace

RESOLUTIONS = (1 / 16, 1 / 64, 1 / 256, 1 / 1024)  # cell size, as a share of the states' spread
MAX_CELLS = 50_000  # provisional states at one resolution
MAX_PAIRS = 1_000_000  # (cell, symbol) pairs in the provisional table
MAX_STATES = 256  # states of the minimal machine, beyond which this is not the path to take
MAX_SYMBOLS = 1024  # input symbols (products of channel values) a table can have
RUNAWAY = 50  # spread over interquartile range past which states are also gridded on a log scale
NEAR = 0.1  # the log scale's unit: the distance from the initial state of this share of states


@dataclass(frozen=True, eq=False)
class StateMachine:
    """A Mealy machine: `next_state[s, i]` and `output[s, i]` (O values) for state s and the
    i-th input symbol. `symbols[i]` is that symbol's value in each input channel; `alphabets`
    are the channels' values, whose product (in order) the symbols are."""

    alphabets: tuple[tuple[int, ...], ...]
    initial: int
    next_state: np.ndarray  # (S, X) int64
    output: np.ndarray  # (S, X, O) int64

    @property
    def states(self) -> int:
        return self.next_state.shape[0]

    @property
    def symbols(self) -> np.ndarray:
        return symbol_table(self.alphabets)

    def run(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Outputs (N, L, O) and the state after each step (N, L) for inputs x (N, L, C)."""
        symbols = symbol_index(self.alphabets, x)
        state = np.full(len(x), self.initial, dtype=np.int64)
        outputs = np.empty(x.shape[:2] + (self.output.shape[-1],), dtype=np.int64)
        states = np.empty(x.shape[:2], dtype=np.int64)
        for t in range(x.shape[1]):
            outputs[:, t] = self.output[state, symbols[:, t]]
            state = self.next_state[state, symbols[:, t]]
            states[:, t] = state
        return outputs, states


def symbol_table(alphabets: tuple[tuple[int, ...], ...]) -> np.ndarray:
    """Every input symbol (X, C): the product of the channels' alphabets, in order."""
    return np.asarray(list(itertools.product(*alphabets)), dtype=np.int64).reshape(
        -1, len(alphabets)
    )


def symbol_index(alphabets: tuple[tuple[int, ...], ...], x: np.ndarray) -> np.ndarray:
    """The symbol number of each input vector x (..., C)."""
    index = np.zeros(x.shape[:-1], dtype=np.int64)
    for c, alphabet in enumerate(alphabets):
        index = index * len(alphabet) + np.searchsorted(np.asarray(alphabet), x[..., c])
    return index


@dataclass(frozen=True)
class Discretized:
    machine: StateMachine  # the coarsest quotient of `minimal` that passes the check
    minimal: StateMachine  # the exact minimal machine of the cells
    horizon: int | None  # the k of the quotient; None when it is the minimal machine itself
    resolution: float  # the grid's cell size, as a share of the hidden states' spread
    cells: int  # provisional states before minimisation
    filled: int  # (cell, symbol) pairs the trace never showed, filled by stepping the network
    log_scale: bool = False  # the grid was laid on a symmetric-log scale of the hidden units

    def to_json(self) -> dict:
        found = {
            "states": self.machine.states,
            "exact_minimal_states": self.minimal.states,
            "horizon": self.horizon,
            "resolution": self.resolution,
            "cells": self.cells,
            "filled_transitions": self.filled,
        }
        return found | ({"log_scale": True} if self.log_scale else {})


def discretize(
    network: Network, alphabets: tuple[tuple[int, ...], ...], fit: Trace, check: Trace
) -> Discretized:
    """The minimal machine that reproduces the network's outputs on `check`, built from `fit`:
    on grids of the hidden units, then, where states run off, on grids of their log scale."""
    try:
        return _gridded(network, alphabets, fit, check)
    except ExtractionError as linear:
        scale = _LogScale.of(fit, network.initial_hidden())
        if scale is None or not mechanisms.on("log-cells"):
            raise
        try:
            found = _gridded(
                scale.network(network), alphabets, scale.trace(fit), scale.trace(check)
            )
        except ExtractionError as logged:
            raise ExtractionError(f"{linear}\n  on a log scale, {logged}") from None
    mechanisms.use("log-cells")
    return replace(found, log_scale=True)


@dataclass(frozen=True)
class _LogScale:
    """z = sign(h - centre) * log(1 + |h - centre| / width) per hidden unit, and back."""

    centre: np.ndarray
    width: np.ndarray

    @classmethod
    def of(cls, fit: Trace, initial: np.ndarray) -> _LogScale | None:
        """The scale of the trace's states about the initial one, in units of the distance of
        the nearest tenth of them, or None where no unit's spread is past RUNAWAY times its
        interquartile range (nothing runs off)."""
        points = np.concatenate([fit.before[fit.valid], fit.after[fit.valid]]).astype(np.float64)
        low, high = np.quantile(points, [0.25, 0.75], axis=0)
        spread = points.max(axis=0) - points.min(axis=0)
        if not (spread > RUNAWAY * (high - low)).any():
            return None
        centre = np.asarray(initial, dtype=np.float64)
        distance = np.abs(points - centre)
        width = np.array(
            [np.quantile(d[d > 0], NEAR) if (d > 0).any() else 1.0 for d in distance.T]
        )
        return cls(centre, width)

    def to(self, h: np.ndarray) -> np.ndarray:
        d = np.asarray(h, dtype=np.float64) - self.centre
        return np.sign(d) * np.log1p(np.abs(d) / self.width)

    def back(self, z: np.ndarray) -> np.ndarray:
        return self.centre + np.sign(z) * self.width * np.expm1(np.abs(z))

    def trace(self, trace: Trace) -> Trace:
        return replace(trace, before=self.to(trace.before), after=self.to(trace.after))

    def network(self, network: Network) -> Network:
        return _OnScale(network, self)


@dataclass(frozen=True)
class _OnScale:
    """A network whose hidden states are given and returned on a `_LogScale`."""

    inner: Network
    scale: _LogScale

    def initial_hidden(self) -> np.ndarray:
        return self.scale.to(self.inner.initial_hidden())

    def step(self, z: np.ndarray, x: np.ndarray) -> np.ndarray:
        h = self.scale.back(z).astype(np.float32)
        return self.scale.to(self.inner.step(h, x))

    def readout(self, z: np.ndarray) -> np.ndarray:
        return self.inner.readout(self.scale.back(z).astype(np.float32))


def _gridded(
    network: Network, alphabets: tuple[tuple[int, ...], ...], fit: Trace, check: Trace
) -> Discretized:
    """The minimal machine on the first grid of `RESOLUTIONS` whose machine passes `check`."""
    symbols = int(np.prod([len(a) for a in alphabets]))
    if symbols > MAX_SYMBOLS:
        raise ExtractionError(
            f"{symbols} input symbols is too many for a state table (at most {MAX_SYMBOLS})"
        )
    valid = fit.valid
    points = np.concatenate([fit.before[valid], fit.after[valid]])
    origin = points.min(axis=0)
    spread = float((points.max(axis=0) - origin).max()) or 1.0
    reasons = []
    for resolution in RESOLUTIONS:
        label = f"cells of {resolution:g} of the spread"
        try:
            found = _on_grid(network, alphabets, fit, origin, spread * resolution)
            result, mismatch = _machine_of(found, check, resolution=resolution)
        except ExtractionError as exc:
            reasons.append(f"{label}: {exc}")
            break  # too many cells or states: finer cells only make more of them
        if result is not None:
            return result
        reasons.append(f"{label}: {mismatch}")
    raise ExtractionError(
        "the hidden states do not form a finite-state machine:\n  " + "\n  ".join(reasons)
    )


def _machine_of(
    found: _Cells, check: Trace, resolution: float
) -> tuple[Discretized | None, str | None]:
    """The minimal machine of the cells and its coarsest quotient, if it reproduces `check`;
    else (None, where it differs). Raises ExtractionError when it has too many states."""
    machine = minimize(found.machine)
    mismatch = disagreement(machine, check)
    states = machine.states
    if mismatch is None:
        horizon, coarsest = (None, machine)
        if mechanisms.on("coarsest-machine"):
            horizon, coarsest = coarsest_quotient(machine, check)
        if coarsest.states <= MAX_STATES:
            return (
                Discretized(
                    coarsest,
                    machine,
                    horizon,
                    resolution=resolution,
                    cells=found.cells,
                    filled=found.filled,
                ),
                "",
            )
        states = coarsest.states
    if states > MAX_STATES:
        raise ExtractionError(f"{states} states after minimisation (at most {MAX_STATES})")
    return None, mismatch


@dataclass(frozen=True)
class _Cells:
    machine: StateMachine
    cells: int
    filled: int


def _on_grid(network, alphabets, fit: Trace, origin, size: float) -> _Cells:
    """A cell per grid box of side `size` that holds a hidden state."""
    points = np.concatenate([fit.before[fit.valid], fit.after[fit.valid]])
    keys = np.round((points - origin) / size).astype(np.int64)
    unique_keys, first, cell = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    representatives = points[first]
    index = {k.tobytes(): i for i, k in enumerate(unique_keys)}

    def locate(h: np.ndarray) -> np.ndarray:
        wanted = np.round((h - origin) / size).astype(np.int64)
        return _look_up(index, wanted, representatives, h)

    return _table(network, alphabets, fit, cell.ravel(), representatives, locate)


def _table(network, alphabets, fit: Trace, cell, representatives, locate) -> _Cells:
    """A provisional state per cell (`cell` numbers the trace's states before, then after, each
    step): transitions and outputs by majority over the trace; (cell, symbol) pairs the trace
    never showed by stepping the network from the cell's representative and `locate`-ing where
    it lands."""
    valid = fit.valid
    cells = len(representatives)
    if cells > MAX_CELLS:
        raise ExtractionError(f"{cells} distinct cells (at most {MAX_CELLS})")
    n_symbols = int(np.prod([len(a) for a in alphabets]))
    if cells * n_symbols > MAX_PAIRS:
        raise ExtractionError(
            f"{cells} cells by {n_symbols} input symbols (at most {MAX_PAIRS:,} pairs)"
        )
    steps = int(valid.sum())
    source, target = cell[:steps], cell[steps:]
    symbol = symbol_index(alphabets, fit.x[valid])
    next_state = _majority(source * n_symbols + symbol, target, cells * n_symbols)
    outputs = fit.outputs[valid]
    output = np.stack(
        [
            _majority(source * n_symbols + symbol, outputs[:, o], cells * n_symbols)
            for o in range(outputs.shape[1])
        ],
        axis=-1,
    )
    missing = np.flatnonzero(next_state == _MISSING)
    if len(missing):
        from_cell, with_symbol = missing // n_symbols, missing % n_symbols
        h = network.step(
            representatives[from_cell].astype(np.float32), symbol_table(alphabets)[with_symbol]
        )
        next_state[missing] = locate(h)
        output[missing] = network.readout(h).astype(np.int64)
    h0 = np.asarray(network.initial_hidden(), dtype=np.float64)
    return _Cells(
        StateMachine(
            alphabets,
            int(locate(h0[None])[0]),
            next_state.reshape(cells, n_symbols),
            output.reshape(cells, n_symbols, -1),
        ),
        cells,
        len(missing),
    )


_MISSING = np.iinfo(np.int64).min


def _majority(group: np.ndarray, value: np.ndarray, groups: int) -> np.ndarray:
    """Per group, its most frequent value (smallest on ties); _MISSING for empty groups."""
    pairs, counts = np.unique(np.stack([group, value], axis=1), axis=0, return_counts=True)
    order = np.lexsort((pairs[:, 1], -counts, pairs[:, 0]))  # by group, count desc, value asc
    pairs = pairs[order]
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs[1:, 0] != pairs[:-1, 0]
    out = np.full(groups, _MISSING, dtype=np.int64)
    out[pairs[first, 0]] = pairs[first, 1]
    return out


def _look_up(index: dict, keys: np.ndarray, representatives, points) -> np.ndarray:
    """The cell of each point: the one its key names if there is one, else the cell whose
    representative is nearest."""
    out = np.empty(len(points), dtype=np.int64)
    for j, (key, point) in enumerate(zip(keys, points, strict=True)):
        hit = index.get(key.tobytes())
        if hit is None:
            hit = int(np.argmin(((representatives - point) ** 2).sum(axis=1)))
        out[j] = hit
    return out


def minimize(machine: StateMachine) -> StateMachine:
    """The minimal equivalent machine: reachable states only, equivalent states merged
    (partition refinement), numbered in breadth-first order from the initial state."""
    kept = reachable(machine)
    remap = np.full(machine.states, -1, dtype=np.int64)
    remap[kept] = np.arange(len(kept))
    next_state = remap[machine.next_state[kept]]
    output = machine.output[kept]
    block = _classes(output.reshape(len(kept), -1))
    while True:
        refined = _classes(np.concatenate([block[:, None], block[next_state]], axis=1))
        if refined.max() == block.max():
            break
        block = refined
    quotient_next = np.zeros((block.max() + 1, next_state.shape[1]), dtype=np.int64)
    quotient_output = np.zeros((block.max() + 1,) + output.shape[1:], dtype=np.int64)
    quotient_next[block] = block[next_state]
    quotient_output[block] = output
    merged = StateMachine(
        machine.alphabets, int(block[remap[machine.initial]]), quotient_next, quotient_output
    )
    return _renumbered(merged)


def coarsest_quotient(machine: StateMachine, check: Trace) -> tuple[int | None, StateMachine]:
    """The smallest horizon k, and its quotient machine, that reproduces the network on `check`;
    (None, machine) when only the minimal machine itself does. `machine` must be minimal."""
    output = machine.output.reshape(machine.states, -1)
    block = _classes(output)
    for horizon in itertools.count():
        if block.max() + 1 == machine.states:
            return None, machine
        quotient = _quotient(machine, block)
        if disagreement(quotient, check) is None:
            return horizon, quotient
        block = _classes(np.concatenate([block[:, None], block[machine.next_state]], axis=1))
    raise AssertionError("unreachable")


def _quotient(machine: StateMachine, block: np.ndarray) -> StateMachine:
    """States merged by `block`; each merged transition goes where most of its members' go."""
    classes, symbols = block.max() + 1, machine.next_state.shape[1]
    successor = block[machine.next_state]  # (S, X)
    group = block[:, None] * symbols + np.arange(symbols)[None, :]
    next_state = _majority(group.ravel(), successor.ravel(), classes * symbols)
    output = np.zeros((classes,) + machine.output.shape[1:], dtype=np.int64)
    output[block] = machine.output  # members of a block share their outputs
    merged = StateMachine(
        machine.alphabets,
        int(block[machine.initial]),
        next_state.reshape(classes, symbols),
        output,
    )
    return _renumbered(merged)


def _classes(rows: np.ndarray) -> np.ndarray:
    return np.unique(rows, axis=0, return_inverse=True)[1].ravel().astype(np.int64)


def reachable(machine: StateMachine) -> np.ndarray:
    """States reachable from the initial one, in breadth-first order (symbols in order)."""
    order, seen = [machine.initial], {machine.initial}
    for state in order:
        for successor in machine.next_state[state]:
            if int(successor) not in seen:
                seen.add(int(successor))
                order.append(int(successor))
    return np.asarray(order, dtype=np.int64)


def _renumbered(machine: StateMachine) -> StateMachine:
    order = reachable(machine)
    number = np.empty(machine.states, dtype=np.int64)
    number[order] = np.arange(len(order))
    return StateMachine(
        machine.alphabets, 0, number[machine.next_state[order]], machine.output[order]
    )


def disagreement(machine: StateMachine, check: Trace) -> str | None:
    """Where the machine's outputs differ from the network's on `check`, or None."""
    outputs, _ = machine.run(check.x)
    wrong = (outputs != check.outputs).any(axis=-1) & check.valid
    if not wrong.any():
        return None
    sequences = int(wrong.any(axis=1).sum())
    return f"differs from the network on {sequences} of {len(check.x)} check sequences"
