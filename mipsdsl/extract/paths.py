"""The two ways from a traced network to formulas: a finite-state machine or an integer lattice.

Both read the network (its hidden states, its steps, its outputs) and the input alphabets only,
and both end in `Formulas` over integer state variables, for `assemble` to turn into a program.

- finite state: cluster hidden states into a minimal machine, label its states, regress
  (`fsm`, `labelling`): for parity, mod-k counters, carries, bounded registers;
- integer lattice: read integer coordinates off the hidden states (`lattice`), then regress each
  new coordinate and output on the old coordinates and the inputs, integer-linear first and
  enumerative otherwise: for running sums, windows, previous values, unbounded counters;
- linear recurrence: a linear network's outputs as an integer recurrence over its past outputs
  and inputs (`recurrence`), for linear networks whose states are only close to a lattice;
- symbol counts: an order-invariant network's outputs regressed on how often each symbol came
  (`counts`), for unbounded counters such as a majority vote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract.assemble import Formulas, StateVariable, fresh
from mipsdsl.extract.counts import symbol_counts
from mipsdsl.extract.decisions import decision_list
from mipsdsl.extract.enumerative import RegressionBudget, regress
from mipsdsl.extract.fsm import Discretized, ExtractionError, discretize
from mipsdsl.extract.labelling import formulas_for
from mipsdsl.extract.lattice import find_lattice
from mipsdsl.extract.linear import integer_linear
from mipsdsl.extract.recurrence import linear_recurrence
from mipsdsl.extract.sampling import on_growing_sample
from mipsdsl.extract.trace import Network, Trace

MAX_CONSTANT = 1000  # larger values from the data are not offered as constants
PROBES = 8  # states from which the network is probed for lattice vectors


@dataclass(frozen=True)
class Extraction:
    path: str  # "finite-state machine", "integer lattice", "linear recurrence", "symbol counts"
    formulas: Formulas
    symbolic: bool  # False: a state table, not formulas
    method: str  # how the state was read, in words
    regression: str  # what turned the tables into formulas
    details: dict = field(default_factory=dict, hash=False)  # JSON-able figures


def finite_state(
    network: Network,
    alphabets: tuple[tuple[int, ...], ...],
    inputs: tuple[str, ...],
    outputs: tuple[str, ...],
    fit: Trace,
    check: Trace,
    seconds: float,
    max_size: int,
    regressor=regress,
    exact: bool = False,
    found: Discretized | None = None,
) -> Extraction:
    """Formulas from the coarsest machine that reproduces the network on `check`, or with
    `exact` from its exact minimal machine (when that is a different one). `found`: the
    discretization, when it was made already."""
    found = found or discretize(network, alphabets, fit, check)
    machine = found.machine
    if exact:
        machine = found.minimal
    length = int(fit.lengths.max())  # the longest input the network was traced (and trained) on
    labelled = formulas_for(machine, inputs, outputs, seconds, max_size, regressor, length)
    states = machine.states
    method = f"a {states}-state machine"
    if states > 1:
        method += f", states labelled by {labelled.method}"
    if not labelled.symbolic:
        regression = "none (decision-tree table)"
    elif "Boolean" in labelled.method:
        regression = "Boolean minimisation"
    else:
        regression = "enumerative"
    return Extraction(
        "finite-state machine",
        labelled.formulas,
        labelled.symbolic,
        method,
        regression,
        {
            **found.to_json(),
            **({"states": machine.states, "horizon": None} if exact else {}),
            "labellings_tried": list(labelled.tried),
        },
    )


def integer_lattice(
    network: Network,
    alphabets: tuple[tuple[int, ...], ...],
    inputs: tuple[str, ...],
    outputs: tuple[str, ...],
    fit: Trace,
    seconds: float,
    max_size: int,
    regressor=regress,
) -> Extraction:
    valid = fit.valid
    z_before, z_after, lattice = _lattice_coordinates(network, alphabets, fit)
    taken = set(inputs) | set(outputs)
    k = lattice.dimensions
    names = [fresh("s" if k == 1 else f"s{i + 1}", taken) for i in range(k)]
    columns = {name: z_before[:, i] for i, name in enumerate(names)}
    columns.update({name: fit.x[valid][:, c] for c, name in enumerate(inputs)})
    targets = [z_after[:, i] for i in range(k)]
    targets += [fit.outputs[valid][:, o] for o in range(len(outputs))]
    columns, targets = _distinct_rows(columns, targets)
    found, linear = regress_table(columns, targets, seconds, max_size, regressor)
    unsolved = [
        (names + list(outputs))[i] for i, expression in enumerate(found) if expression is None
    ]
    if unsolved:
        raise ExtractionError(
            f"on a {k}-dimensional lattice, no formula within the budget for {', '.join(unsolved)}"
        )
    states = tuple(StateVariable(name, 0, found[i]) for i, name in enumerate(names))
    formulas = Formulas(inputs, states, tuple(zip(outputs, found[k:])))
    return Extraction(
        "integer lattice",
        formulas,
        True,
        f"a {k}-dimensional integer lattice in the hidden states",
        "integer linear" if all(linear) else "integer linear and enumerative",
        {"dimensions": k, "rows": len(targets[0]) if targets else 0},
    )


def recurrence(
    network: Network, inputs: tuple[str, ...], outputs: tuple[str, ...], fit: Trace
) -> Extraction:
    formulas, details = linear_recurrence(network, inputs, outputs, fit)
    order = details["order"]
    return Extraction(
        "linear recurrence",
        formulas,
        True,
        f"an order-{order} integer linear recurrence of the outputs of a linear network",
        "integer linear",
        details,
    )


def counts(
    alphabets: tuple[tuple[int, ...], ...],
    inputs: tuple[str, ...],
    outputs: tuple[str, ...],
    fit: Trace,
    seconds: float,
    max_size: int,
    regressor=regress,
) -> Extraction:
    linear = []

    def solve(columns, targets):
        found, found_linear = regress_table(columns, targets, seconds, max_size, regressor)
        linear.extend(found_linear)
        return found

    formulas, details = symbol_counts(alphabets, inputs, outputs, fit, solve)
    return Extraction(
        "symbol counts",
        formulas,
        True,
        f"counts of the {details['symbols']} input symbols (an order-invariant network)",
        "integer linear" if all(linear) else "integer linear and enumerative",
        details,
    )


def _probe(network: Network, alphabets, states: np.ndarray, x: np.ndarray) -> np.ndarray:
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
    """Integer coordinates of every hidden state before and after each step, and the lattice.

    First the lattice through the initial state h0. A network with a bias settles into its
    lattice only after a few steps (the first states sit off it by the bias's transient), so
    failing that, the lattice is read from the second half of each sequence, its origin moved
    to the lattice point nearest h0, and early states are rounded to their nearest points: the
    regression table then says whether that reading is consistent.
    """
    valid = fit.valid
    before, after = fit.before[valid], fit.after[valid]
    h0 = np.asarray(network.initial_hidden(), dtype=np.float64)
    hints = _probe(network, alphabets, before, fit.x[valid])
    lattice = find_lattice(np.concatenate([before, after, h0[None]]), h0, hints=hints)
    if lattice is not None:
        z_before, z_after = lattice.integer_coordinates(before), lattice.integer_coordinates(after)
        if z_before is not None and z_after is not None:
            return z_before, z_after, lattice
    late = fit.after[valid & (np.arange(fit.x.shape[1])[None, :] >= fit.lengths[:, None] // 2)]
    if len(late):
        settled = find_lattice(late, late[0], hints=hints)
        if settled is not None:
            shift = np.rint(settled.coordinates(h0[None]))[0] @ settled.basis
            lattice = type(settled)(settled.origin + shift, settled.basis)
            z_before = lattice.integer_coordinates(before, tolerance=None)
            return z_before, lattice.integer_coordinates(after, tolerance=None), lattice
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


def regress_table(
    columns: dict[str, np.ndarray],
    targets: list[np.ndarray],
    seconds: float,
    max_size: int,
    regressor=regress,
) -> tuple[list[E.Expr | None], list[bool]]:
    """A formula per target (None: not found), and whether each is integer-linear: linear when
    one fits, else the smallest enumerated one (searched on a growing sample of the rows), else,
    for a target of a few values, a decision list of enumerated conditions (with as much budget
    again)."""
    found = [integer_linear(columns, target) for target in targets]
    linear = [expression is not None for expression in found]
    pending = [i for i, expression in enumerate(found) if expression is None]
    constants = _constants(targets)
    budget = RegressionBudget(max_size=max_size, seconds=seconds)
    if pending:
        result = on_growing_sample(regressor)(
            columns, [targets[i] for i in pending], constants, budget=budget
        )
        for i, expression in zip(pending, result.expressions):
            found[i] = expression
    for i in [i for i in pending if found[i] is None]:
        found[i], _ = decision_list(regressor, columns, targets[i], constants, budget)
    return found, linear


def _constants(targets: list[np.ndarray]) -> list[int]:
    """Constants drawn from the data: each target's extremes and one past its largest value (a
    modulus), where they are small."""
    values = set()
    for target in targets:
        if len(target):
            values |= {int(target.min()), int(target.max()), int(target.max()) + 1}
    return sorted(v for v in values if abs(v) <= MAX_CONSTANT)
