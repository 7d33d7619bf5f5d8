"""Linear recurrence: the outputs of a linear network, as an integer linear recurrence.

A network whose step is affine, h_t = A h_{t-1} + B x_t + c, and whose readout is affine obeys a
linear recurrence of order at most its hidden size n (Cayley-Hamilton: A's characteristic
polynomial annihilates A):

    y_t = sum_i a_i y_{t-i} + sum_j b_j x_{t-j} + k,   i = 1..r, j = 0..r, r <= n.

Where the network solves an integer task its rounded outputs obey such a recurrence with small
integer coefficients even when its hidden states are only close to an integer lattice: a Newton
integrator keeps the velocity exactly enough for the position up to the trained length, no more,
so the states drift off any lattice while the outputs stay exact. The coefficients are fitted
exactly (`integer_linear`, the sparsest fit) to the network's own outputs on the trace, with the
values before the start taken as 0, which the first positions' rows confirm or refute; the
smallest order that fits every output wins. The state of the program is the registers of the
past outputs and inputs the recurrence reads.
"""

from __future__ import annotations

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract import ExtractionError, fresh
from mipsdsl.extract.assemble import Formulas, StateVariable
from mipsdsl.extract.linear import MAX_COLUMNS, integer_linear
from mipsdsl.extract.trace import Network, Trace

AFFINE_TOLERANCE = 1e-3  # largest deviation from affinity, relative to the states' spread
SEARCH_ROWS = 4000  # distinct rows the fit is searched on; it must then hold on every row


def linear_recurrence(
    network: Network, inputs: tuple[str, ...], outputs: tuple[str, ...], fit: Trace
) -> tuple[Formulas, dict]:
    """Formulas of the smallest-order integer recurrence that reproduces the network's outputs
    on `fit`, and figures about it; raises ExtractionError when there is none."""
    deviation = affine_deviation(network, fit)
    if deviation > AFFINE_TOLERANCE:
        raise ExtractionError(
            f"the network's step is not affine (off by {deviation:.2g} of the states' spread)"
        )
    hidden = len(network.initial_hidden())
    taken = set(inputs) | set(outputs)
    lagged_outputs = {
        o: [fresh(_lag_name(i, o), taken) for i in range(1, hidden + 1)] for o in outputs
    }
    lagged_inputs = {
        c: [fresh(_lag_name(i, c), taken) for i in range(1, hidden + 1)] for c in inputs
    }
    valid = fit.valid
    for order in range(1, hidden + 1):
        columns = {}
        for c, name in enumerate(inputs):
            columns[name] = fit.x[..., c][valid]
            for i, lag in enumerate(lagged_inputs[name][:order], start=1):
                columns[lag] = _shifted(fit.x[..., c], i)[valid]
        for o, name in enumerate(outputs):
            for i, lag in enumerate(lagged_outputs[name][:order], start=1):
                columns[lag] = _shifted(fit.outputs[..., o], i)[valid]
        if len(columns) > MAX_COLUMNS:
            break
        found = [_fit(columns, fit.outputs[..., o][valid]) for o in range(len(outputs))]
        if all(expression is not None for expression in found):
            return _formulas(inputs, outputs, found, lagged_inputs, lagged_outputs, order), {
                "order": order,
                "hidden": hidden,
                "affine_deviation": float(f"{deviation:.3g}"),
            }
    raise ExtractionError(
        f"the network's outputs obey no integer linear recurrence of order up to {hidden} "
        f"(within {MAX_COLUMNS} columns)"
    )


def affine_deviation(network: Network, fit: Trace, samples: int = 256) -> float:
    """How far the network's step is from affine in (h, x): the largest gap between the step
    at a midpoint and the midpoint of the steps, relative to the hidden states' spread."""
    rng = np.random.default_rng(0)
    h = fit.before[fit.valid]
    x = fit.x[fit.valid]
    a, b = rng.integers(0, len(h), size=(2, samples))
    mid_h = (h[a] + h[b]) / 2
    mid_x = (x[a] + x[b]) / 2
    together = network.step(mid_h.astype(np.float32), mid_x)
    apart = (network.step(h[a], x[a]) + network.step(h[b], x[b])) / 2
    spread = float(np.ptp(h, axis=0).max()) or 1.0
    return float(np.abs(together - apart).max()) / spread


def _fit(columns: dict, target: np.ndarray) -> E.Expr | None:
    """integer_linear on a sample of the distinct rows, confirmed on all of them."""
    names = list(columns)
    table = np.unique(np.column_stack([columns[n] for n in names] + [target]), axis=0)
    sample = table[np.linspace(0, len(table) - 1, min(len(table), SEARCH_ROWS)).astype(int)]
    expression = integer_linear({n: sample[:, i] for i, n in enumerate(names)}, sample[:, -1])
    if expression is None:
        return None
    env = {n: table[:, i] for i, n in enumerate(names)}
    value = E.evaluate(expression, env, (len(table),), 0)
    return expression if np.array_equal(value, table[:, -1]) else None


def _formulas(inputs, outputs, found, lagged_inputs, lagged_outputs, order) -> Formulas:
    """Outputs from the recurrence; registers shift the outputs and inputs along."""
    states = []
    for name, expression in zip(outputs, found, strict=True):
        lags = lagged_outputs[name][:order]
        states.append(StateVariable(lags[0], 0, expression))
        states += [StateVariable(lags[i], 0, E.Var(lags[i - 1])) for i in range(1, order)]
    for name in inputs:
        lags = lagged_inputs[name][:order]
        states.append(StateVariable(lags[0], 0, E.Var(name)))
        states += [StateVariable(lags[i], 0, E.Var(lags[i - 1])) for i in range(1, order)]
    return Formulas(inputs, tuple(states), tuple(zip(outputs, found, strict=True)))


def _lag_name(lag: int, name: str) -> str:
    return f"prev{'' if lag == 1 else lag}_{name}"


def _shifted(values: np.ndarray, lag: int) -> np.ndarray:
    """values (N, L) moved `lag` positions later along each sequence, 0 before the start."""
    out = np.zeros_like(values)
    out[:, lag:] = values[:, :-lag]
    return out
