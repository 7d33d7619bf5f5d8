"""The integer-lattice path: for running sums, windows, previous values, unbounded counters.

The hidden states are read as integer coordinates on a lattice (`mipsdsl.extract.lattice`), then
each new coordinate and each output is regressed on the old coordinates and the inputs.
"""

from __future__ import annotations

import numpy as np

from mipsdsl.extract import ExtractionError, fresh, mechanisms
from mipsdsl.extract.assemble import Formulas, StateVariable
from mipsdsl.extract.context import Context, Extraction
from mipsdsl.extract.lattice import find_lattice
from mipsdsl.extract.tables import regress_table, regression_label
from mipsdsl.extract.trace import Network, Trace

NAME = "integer lattice"
MECHANISM = "integer-lattice"
PROBES = 8  # states from which the network is probed for lattice vectors


@mechanisms.extraction_path(MECHANISM)
def extract(ctx: Context) -> Extraction:
    """Integer coordinates read off the hidden states, each new coordinate and each output
    regressed on the old coordinates and the inputs."""
    inputs, outputs, fit = ctx.inputs, ctx.outputs, ctx.fit
    valid = fit.valid
    z_before, z_after, lattice = _lattice_coordinates(ctx.network, ctx.alphabets, fit)
    taken = set(inputs) | set(outputs)
    k = lattice.dimensions
    names = [fresh("s" if k == 1 else f"s{i + 1}", taken) for i in range(k)]
    columns = {name: z_before[:, i] for i, name in enumerate(names)}
    columns.update({name: fit.x[valid][:, c] for c, name in enumerate(inputs)})
    targets = [z_after[:, i] for i in range(k)]
    targets += [fit.outputs[valid][:, o] for o in range(len(outputs))]
    columns, targets = _distinct_rows(columns, targets)
    found, kinds = regress_table(columns, targets, *ctx.regression.budget())
    unsolved = [
        (names + list(outputs))[i] for i, expression in enumerate(found) if expression is None
    ]
    if unsolved:
        raise ExtractionError(
            f"on a {k}-dimensional lattice, no formula within the budget for {', '.join(unsolved)}"
        )
    solved = [expression for expression in found if expression is not None]
    states = tuple(StateVariable(name, 0, solved[i]) for i, name in enumerate(names))
    formulas = Formulas(inputs, states, tuple(zip(outputs, solved[k:], strict=True)))
    return Extraction(
        NAME,
        formulas,
        True,
        f"a {k}-dimensional integer lattice in the hidden states",
        regression_label(kinds),
        {"dimensions": k, "rows": len(targets[0]) if targets else 0},
    )


def _probe(network: Network, alphabets, states: np.ndarray, x: np.ndarray) -> np.ndarray | None:
    """Lattice vectors read off the network by experiment: how the state after a step moves
    when one input channel is one value higher, and how that difference moves on through the
    next steps (a register shifting it along, a counter keeping it)."""
    rng = np.random.default_rng(0)
    pick = rng.choice(len(states), size=min(PROBES, len(states)), replace=False)
    h, inputs = states[pick].astype(np.float32), x[pick]
    found = []
    for c, alphabet in enumerate(alphabets):
        higher = np.searchsorted(alphabet, inputs[:, c]) + 1
        usable = higher < len(alphabet)
        if not usable.any():
            continue
        moved = inputs[usable].copy()
        moved[:, c] = np.asarray(alphabet)[higher[usable]]
        base = network.step(h[usable], inputs[usable])
        delta = network.step(h[usable], moved) - base
        for _ in range(len(h[0])):
            found.append(delta.astype(np.float64))
            delta = network.step(base + delta, inputs[usable]) - network.step(base, inputs[usable])
    return np.concatenate(found) if found else None


def _lattice_coordinates(network: Network, alphabets, fit: Trace):
    """Integer coordinates of every hidden state before and after each step, and the lattice
    through the initial state h0."""
    valid = fit.valid
    before, after = fit.before[valid], fit.after[valid]
    h0 = np.asarray(network.initial_hidden(), dtype=np.float64)
    hints = None
    if mechanisms.on("lattice-probes"):
        hints = _probe(network, alphabets, before, fit.x[valid])
    probed = () if hints is None else ("lattice-probes",)
    lattice = find_lattice(np.concatenate([before, after, h0[None]]), h0, hints=hints)
    if lattice is not None:
        z_before, z_after = lattice.integer_coordinates(before), lattice.integer_coordinates(after)
        if z_before is not None and z_after is not None:
            mechanisms.use(*probed)
            return z_before, z_after, lattice
    raise ExtractionError("the hidden states lie on no integer lattice")


def _distinct_rows(columns: dict, targets: list) -> tuple[dict, list]:
    """The table's distinct rows; raises if equal columns ever lead to different targets."""
    names = list(columns)
    table = np.column_stack([columns[n] for n in names] + targets)
    table = np.unique(table, axis=0)
    keys = table[:, : len(names)]
    if len(np.unique(keys, axis=0)) != len(keys):
        raise ExtractionError(
            "the lattice coordinates and inputs do not determine the next coordinates and outputs"
        )
    return (
        {name: table[:, i] for i, name in enumerate(names)},
        [table[:, len(names) + j] for j in range(len(targets))],
    )
