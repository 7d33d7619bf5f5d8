"""The recent-inputs path: a network whose state holds only its last k inputs (a shift register),
however large the alphabet.

`x - x[t-1]` over 200 values is a 200-state machine, too many to build from a trace and, with
an output near a rounding edge, one the machine path cannot read exactly. But all the state
carries forward is the previous input. This path tests that with the network itself, for the
smallest k from 0 to `MAX_BACK`: hidden states reached after the same last k inputs, stepped on
the same probe input, give the same output (the state may hold more, such as its own last output,
as long as the future does not depend on it). The outputs are then the network's (the most
common one per key, where a rare rounding edge disagrees) regressed over the current input and
the k registers; before the start a register holds `start`.

When the future depends on more, the outputs may still be running totals of a function of the
recent inputs (the distance travelled, `sum(abs(x - x[t-1]))`): then each output's increment over
the step before is regressed instead, and the program keeps a total per output beside the
registers. Only the trace's outputs test this; verification decides. Where no formula fits the
first positions and the rest alike, they are regressed apart and joined by a test of the oldest
register (which holds `start`, outside the alphabet, until the registers are full). Where the
increments depend on the position as well (a sum of the inputs at even positions), they are
regressed over its phase, t modulo 2 to `MAX_PERIOD`, too, kept in a counter of its own.
"""

from __future__ import annotations

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract import ExtractionError, fresh, mechanisms
from mipsdsl.extract.assemble import Formulas, StateVariable
from mipsdsl.extract.context import Context, Extraction
from mipsdsl.extract.fsm import symbol_table
from mipsdsl.extract.tables import regress_table
from mipsdsl.extract.trace import Trace

NAME = "recent inputs"
MECHANISM = "recent-inputs"
MAX_BACK = 3  # registers per input channel at most
MIN_GROUP = 2  # rows per key on average: fewer test nothing
MAX_PROBES = 16  # input symbols each group's states are stepped on
MAX_DISAGREEING = 0.001  # rows whose output is not their key's most common one
MAX_PERIOD = 4  # of the position's phase that running totals' increments may read


@mechanisms.extraction_path(MECHANISM)
def extract(ctx: Context) -> Extraction:
    fit = ctx.fit
    for back in range(MAX_BACK + 1):
        for start in _starts(ctx.alphabets):
            after = _history(fit, back, start, after=True)
            if back and len(np.unique(after, axis=0)) * MIN_GROUP > len(after):
                break
            if _disagreeing(ctx, after) > MAX_DISAGREEING:
                break  # the future depends on more: the next k
            formulas = _formulas(ctx, _history(fit, back, start), back, start, accumulate=False)
            if formulas is not None:
                return _extraction(formulas, back, start, "a shift register")
    totals = range(MAX_BACK + 1) if mechanisms.on("running-totals") else ()
    periods = range(2, MAX_PERIOD + 1) if mechanisms.on("position-phase") else ()
    for period in (1, *periods):  # the outputs' increments, summed in a total each
        for back in totals:
            for start in _starts(ctx.alphabets):
                history = _history(fit, back, start)
                formulas = _formulas(ctx, history, back, start, accumulate=True, period=period)
                if formulas is not None:
                    kind = "a shift register and running totals"
                    if period > 1:
                        kind += f" over the position modulo {period}"
                    return _extraction(formulas, back, start, kind)
    raise ExtractionError(
        f"neither the network's outputs nor their increments are a function of its last "
        f"{MAX_BACK} inputs"
    )


def _extraction(formulas: Formulas, back: int, start: int, kind: str) -> Extraction:
    method = f"the last {back} input{'s' if back != 1 else ''} ({kind})"
    details = {"inputs_back": back, "start": start}
    return Extraction(NAME, formulas, True, method, "enumerative", details)


def _disagreeing(ctx: Context, keys: np.ndarray) -> float:
    """The share of hidden states (after each valid step) whose output on a probe input differs
    from the most common one among the states with the same `keys`, over every probe."""
    fit = ctx.fit
    hidden = fit.after[fit.valid]
    _, group = np.unique(keys, axis=0, return_inverse=True) if keys.shape[1] else (None, None)
    group = np.zeros(len(hidden), dtype=np.int64) if group is None else group.ravel()
    symbols = symbol_table(ctx.alphabets)
    probes = symbols[np.linspace(0, len(symbols) - 1, min(MAX_PROBES, len(symbols))).astype(int)]
    worst = 0.0
    for probe in probes:
        outputs = ctx.network.readout(
            ctx.network.step(hidden, np.repeat(probe[None], len(hidden), 0))
        )
        worst = max(worst, (_most_common(outputs, group)[group] != outputs).any(axis=1).mean())
    return float(worst)


def _most_common(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Per group (rows), the most common row of `values` (one column at a time)."""
    groups = int(group.max()) + 1
    common = np.empty((groups, values.shape[1]), dtype=np.int64)
    for o in range(values.shape[1]):
        lo = int(values[:, o].min())
        counts = np.zeros((groups, int(values[:, o].max()) - lo + 1), dtype=np.int64)
        np.add.at(counts, (group, values[:, o] - lo), 1)
        common[:, o] = counts.argmax(axis=1) + lo
    return common


def _starts(alphabets) -> list[int]:
    """What a register holds before the start: 0, or one below every input value."""
    below = min(min(a) for a in alphabets) - 1
    if all(0 not in a for a in alphabets) or not mechanisms.on("register-start-below"):
        return [0]
    return [0, below]


def _history(fit: Trace, back: int, start: int, after: bool = False) -> np.ndarray:
    """Per valid step, the registers (x[t-1], ..., x[t-back] per channel, `start` before the
    beginning) then the current inputs; `after`: the registers as the step leaves them, the
    inputs x[t], ..., x[t-back+1]."""
    x = fit.x.astype(np.int64)
    first = 0 if after else 1
    shifted = []
    for k in range(first, back + first):
        past = np.full_like(x, start)
        past[:, k:] = x[:, : x.shape[1] - k]
        shifted.append(past)
    if not after:
        shifted.append(x)
    columns = np.concatenate(shifted, axis=-1) if shifted else np.zeros(x.shape[:2] + (0,))
    return columns[fit.valid].astype(np.int64)


def _formulas(
    ctx, history, back: int, start: int, accumulate: bool, period: int = 1
) -> Formulas | None:
    """Each output (with `accumulate`, each output's increment over the step before, summed in
    a running total) regressed over the registers and the inputs, and where `period` > 1 the
    position modulo it, or None."""
    fit = ctx.fit
    outputs = fit.outputs
    if accumulate:
        outputs = outputs - np.concatenate([np.zeros_like(outputs[:, :1]), outputs[:, :-1]], 1)
    outputs = outputs[fit.valid]
    if period > 1:
        phases = np.broadcast_to(
            np.arange(fit.x.shape[1]) % period, fit.lengths.shape + (fit.x.shape[1],)
        )
        history = np.column_stack([phases[fit.valid], history])
    keys, group = np.unique(history, axis=0, return_inverse=True)
    group = group.ravel()
    common = _most_common(outputs, group)
    if (common[group] != outputs).any(axis=1).mean() > MAX_DISAGREEING:
        return None
    taken = set(ctx.inputs) | set(ctx.outputs)
    registers = [
        [fresh(f"prev_{name}" if k == 1 else f"prev{k}_{name}", taken) for name in ctx.inputs]
        for k in range(1, back + 1)
    ]
    phase = [fresh("phase", taken)] if period > 1 else []
    names = phase + [name for row in registers for name in row] + list(ctx.inputs)
    columns = {name: keys[:, i] for i, name in enumerate(names)}
    targets = [common[:, o] for o in range(common.shape[1])]
    formulas = _regressed(ctx, columns, targets, start)
    if formulas is None and back and all(start not in a for a in ctx.alphabets):
        oldest = registers[-1][0]  # holds `start` exactly while the registers are filling
        if mechanisms.on("split-start"):
            formulas = mechanisms.kept(lambda: _split(ctx, columns, targets, start, oldest))
    if formulas is None:
        return None
    if start:
        mechanisms.use("register-start-below")
    states = []
    for k, row in enumerate(registers):
        sources = ctx.inputs if k == 0 else registers[k - 1]
        states += [
            StateVariable(reg, start, E.Var(src)) for reg, src in zip(row, sources, strict=True)
        ]
    if not accumulate:
        outs = tuple(zip(ctx.outputs, formulas, strict=True))
        return Formulas(tuple(ctx.inputs), tuple(states), outs)
    mechanisms.use("running-totals")
    if phase:
        mechanisms.use("position-phase")
        counted = E.Binary("+", E.Var(phase[0]), E.Const(1))
        states.append(StateVariable(phase[0], 0, E.Binary("%", counted, E.Const(period))))
    totals = [fresh(f"total_{name}", taken) for name in ctx.outputs]
    states += [
        StateVariable(total, 0, E.Binary("+", E.Var(total), increment))
        for total, increment in zip(totals, formulas, strict=True)
    ]
    outs = tuple((name, E.Var(total)) for name, total in zip(ctx.outputs, totals, strict=True))
    return Formulas(tuple(ctx.inputs), tuple(states), outs, outputs_read_new=True)


def _regressed(ctx, columns, targets, start: int) -> list[E.Expr] | None:
    """A formula per target, or None (and no mechanism recorded) when one has none."""
    seconds, max_size, regressor = ctx.regression.budget()

    def attempt():
        found, _ = regress_table(columns, targets, seconds, max_size, regressor, constants=[start])
        formulas = [expression for expression in found if expression is not None]
        return formulas if len(formulas) == len(found) else None

    return mechanisms.kept(attempt)


def _split(ctx, columns, targets, start: int, oldest: str) -> list[E.Expr] | None:
    """Formulas for the first positions (the oldest register still `start`) and the rest
    regressed apart, joined by a test of that register: the start is often its own case (a
    difference with the previous input is 0 where there is none)."""
    early = columns[oldest] == start
    if early.all() or not early.any():
        return None
    parts = []
    for rows in (early, ~early):
        part = _regressed(
            ctx, {n: c[rows] for n, c in columns.items()}, [t[rows] for t in targets], start
        )
        if part is None:
            return None
        parts.append(part)
    test = E.Binary("==", E.Var(oldest), E.Const(start))
    mechanisms.use("split-start")
    return [E.Cond(test, first, rest) for first, rest in zip(*parts, strict=True)]
