"""Membership tests: a truth table over one small alphabet, written `x in (0, 1, 4, 9, 16)`.

"1 when x is a perfect square" has no small arithmetic formula over 20 values: the enumerative
search gives up and the machine becomes a table. But a 0/1 target that depends on one column
alone is exactly the set of that column's values where it is 1. `with_membership` wraps a
regressor (the contract of `enumerative.regress`) so that each target it leaves unsolved gets
that test, where the set is small enough to read.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract import mechanisms

MAX_MEMBERS = 8  # values in a membership test at most: beyond, a table reads as well


def with_membership(regressor):
    def search(columns, targets, constants=(), budget=None, masks=None):
        kwargs = {} if budget is None else {"budget": budget}
        result = regressor(columns, targets, constants, masks=masks, **kwargs)
        found = list(result.expressions)
        for i, expression in enumerate(found):
            if expression is None and mechanisms.on("membership"):
                mask = None if masks is None else masks[i]
                found[i] = membership(columns, np.asarray(targets[i]), mask)
                if found[i] is not None:
                    mechanisms.use("membership")
        return replace(result, expressions=tuple(found))

    return search


def membership(columns, target: np.ndarray, mask: np.ndarray | None = None) -> E.Expr | None:
    """The smallest `column in (values)` (or its negation) equal to a 0/1 target on the rows of
    `mask`, over the columns the target is a function of; None when there is none."""
    rows = np.ones(len(target), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    target = target[rows]
    if not np.isin(target, (0, 1)).all():
        return None
    best: E.Expr | None = None
    for name, column in columns.items():
        column = np.asarray(column)[rows]
        values = np.unique(column)
        ones = np.unique(column[target == 1])
        zeros = np.unique(column[target == 0])
        if np.intersect1d(ones, zeros).size:  # not a function of this column
            continue
        for chosen, negated in ((ones, False), (zeros, True)):
            if not 2 <= len(chosen) <= MAX_MEMBERS or len(chosen) == len(values):
                continue
            test: E.Expr = E.Member(E.Var(name), tuple(int(v) for v in chosen))
            test = E.Unary("not", test) if negated else test
            if best is None or E.size(test) < E.size(best):
                best = test
    return best
