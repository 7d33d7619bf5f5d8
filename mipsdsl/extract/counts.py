"""Symbol counts: a network that only counts how often it has seen each input symbol.

Unbounded counters (a majority vote, the number of even values so far) are out of reach of the
other paths: a network trained on length 10 keeps its counts exactly enough for length 10 only,
so its states drift off any lattice and its state machine is a chain that ends where training
did. What such a network does keep is order invariance: prefixes with the same number of each
symbol reach (nearly) the same hidden state and give the same outputs, whatever their order.

This path tests exactly that on the trace, the hidden states within half a typical step of their
count group's mean (99th percentile) and the outputs a function of the counts without exception,
and then regresses the network's outputs on the counts. The program's state is the counts, one
unbounded integer per symbol; its outputs read the counts after the step.

A symbol is one channel's value. Where the channels matter together (how often a exceeded b),
the per-channel counts do not determine the state; then the symbols are the tuples of every
channel's value at a position, as long as there are at most MAX_SYMBOLS of them.
"""

from __future__ import annotations

import itertools

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract import ExtractionError, fresh, mechanisms
from mipsdsl.extract.assemble import Formulas, StateVariable
from mipsdsl.extract.trace import Trace

MAX_SYMBOLS = 16  # symbols over all channels; each is a state variable and a regression column
SPREAD = 0.5  # largest spread of hidden states within a count group, in typical steps
QUANTILE = 0.99  # of the spreads, so that a few rounding outliers do not decide


Symbol = tuple[tuple[int, int], ...]  # the (channel, value) pairs that hold at a position


def symbol_count_columns(
    alphabets: tuple[tuple[int, ...], ...],
    inputs: tuple[str, ...],
    fit: Trace,
    joint: bool = False,
) -> tuple[list[tuple[Symbol, str]], np.ndarray]:
    """The symbols (their (channel, value) pairs and count name) and their counts after each
    valid step (rows, symbols): each channel's values, or where `joint`, the tuples of every
    channel's values. Raises ExtractionError past MAX_SYMBOLS."""
    values = [[(c, int(v)) for v in alphabet] for c, alphabet in enumerate(alphabets)]
    chosen: list[Symbol] = (
        list(itertools.product(*values))
        if joint
        else [(pair,) for pairs in values for pair in pairs]
    )
    if len(chosen) > MAX_SYMBOLS:
        raise ExtractionError(f"more than {MAX_SYMBOLS} input symbols to count")
    taken = set(inputs)
    symbols, counts = [], []
    for symbol in chosen:
        label = "_".join(f"{inputs[c]}_{f'm{-v}' if v < 0 else v}" for c, v in symbol)
        symbols.append((symbol, fresh(f"count_{label}", taken)))
        here = np.all([fit.x[..., c] == v for c, v in symbol], axis=0)
        counts.append(np.cumsum(here, axis=1)[fit.valid])
    return symbols, np.stack(counts, axis=1).astype(np.int64)


def group_spread(fit: Trace, keys: np.ndarray) -> float:
    """How far the hidden states after each valid step stray from the mean of their group (the
    rows with equal `keys`, such as the symbol counts): the QUANTILE of the distances, in units
    of the root-mean-square length of one step."""
    after = fit.after[fit.valid].astype(np.float64)
    before = fit.before[fit.valid].astype(np.float64)
    step = float(np.sqrt(np.mean(np.sum((after - before) ** 2, axis=1))))
    if step == 0.0:
        return 0.0
    _, group = np.unique(keys, axis=0, return_inverse=True)
    group = group.ravel()
    means = np.zeros((group.max() + 1, after.shape[1]))
    np.add.at(means, group, after)
    means /= np.bincount(group)[:, None]
    distances = np.linalg.norm(after - means[group], axis=1)
    return float(np.quantile(distances, QUANTILE)) / step


def symbol_counts(
    alphabets: tuple[tuple[int, ...], ...],
    inputs: tuple[str, ...],
    outputs: tuple[str, ...],
    fit: Trace,
    solve,
) -> tuple[Formulas, dict]:
    """Formulas whose state is the symbol counts, with each output regressed on them by
    `solve(columns, targets) -> [Expr | None]`: per-channel symbols first, the fewer counters,
    then joint ones. Raises ExtractionError when the network is not order-invariant in either or
    an output has no formula."""
    try:
        return _counted(alphabets, inputs, outputs, fit, solve, joint=False)
    except ExtractionError as per_channel:
        if len(alphabets) == 1 or not mechanisms.on("joint-symbols"):
            raise
        try:
            found = _counted(alphabets, inputs, outputs, fit, solve, joint=True)
        except ExtractionError as joint:
            raise ExtractionError(f"{per_channel}; over joint symbols, {joint}") from None
    mechanisms.use("joint-symbols")
    return found


def _counted(alphabets, inputs, outputs, fit, solve, joint: bool) -> tuple[Formulas, dict]:
    symbols, counts = symbol_count_columns(alphabets, inputs, fit, joint)
    spread = group_spread(fit, counts)
    if spread > SPREAD:
        raise ExtractionError(
            f"the hidden states depend on the order of the inputs, not only on how often each "
            f"symbol came (spread {spread:.2f} steps within a count group)"
        )
    names = [name for _, name in symbols]
    table = np.unique(np.column_stack([counts, fit.outputs[fit.valid]]), axis=0)
    keys = table[:, : len(names)]
    if len(np.unique(keys, axis=0)) != len(keys):
        raise ExtractionError("the network's outputs are not a function of the symbol counts")
    columns = {name: table[:, i] for i, name in enumerate(names)}
    targets = [table[:, len(names) + o] for o in range(len(outputs))]
    found = solve(columns, targets)
    unsolved = [name for name, expression in zip(outputs, found, strict=True) if expression is None]
    if unsolved:
        raise ExtractionError(
            f"no formula over the symbol counts within the budget for {', '.join(unsolved)}"
        )
    read = set().union(*(E.free_vars(expression) for expression in found))
    states = tuple(
        StateVariable(name, 0, E.Binary("+", E.Var(name), _holds(symbol, inputs)))
        for symbol, name in symbols
        if name in read
    )
    formulas = Formulas(
        inputs, states, tuple(zip(outputs, found, strict=True)), outputs_read_new=True
    )
    details = {"symbols": len(symbols), "order_spread": round(spread, 3), "rows": len(table)}
    return formulas, details | ({"joint": True} if joint else {})


def _holds(symbol: Symbol, inputs: tuple[str, ...]) -> E.Expr:
    """1 where every channel of the symbol has its value."""
    return E.fold("and", [E.Binary("==", E.Var(inputs[c]), E.Const(v)) for c, v in symbol])
