"""A formula for a few-valued output as a decision list: `v1 if p1 else v2 if p2 else v3`.

An output with a handful of values, each chosen by its own short condition, is a long formula
(the most frequent of three symbols over their counts is 13 nodes) that a bottom-up search, which
keeps every smaller candidate's values, cannot reach. Its conditions are short, though: each is
found by the same exact search, as the smallest expression that is 1 on the rows with that value
and 0 on the rows still undecided, the rows an earlier condition took being don't-care. At every
level the value with the smallest condition goes first.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract import mechanisms, sampling
from mipsdsl.extract.enumerative import RegressionBudget

MAX_VALUES = 4  # outputs with more distinct values are left to the plain search
# Conditions are searched on a growing sample that starts this small: a condition is one
# comparison of a few maxima, which few rows pin down, and fewer rows leave the search memory for
# larger candidates (the most frequent of 4 counts needs 7-node conditions, which a larger first
# sample leaves no room for).
SAMPLE_ROWS = 64


def decision_list(
    regressor, columns: dict, target: np.ndarray, constants, budget: RegressionBudget
) -> tuple[E.Expr | None, int]:
    """The decision list for `target` over `columns` (None if a level has no condition within
    its share of the budget), and the work spent. `regressor` has the contract of
    `enumerative.regress`."""
    values = [int(v) for v in np.unique(target)]
    if not 2 <= len(values) <= MAX_VALUES:
        return None, 0
    small = mechanisms.on("decision-sample")
    regressor = sampling.on_growing_sample(
        regressor, SAMPLE_ROWS if small else sampling.SAMPLE_ROWS
    )
    undecided = np.ones(len(target), dtype=bool)
    level_budget = replace(budget, seconds=budget.seconds / (len(values) - 1))
    branches, work = [], 0
    while len(values) > 1:
        result = regressor(
            columns,
            [(target == v).astype(np.int64) for v in values],
            constants,
            budget=level_budget,
            masks=[undecided] * len(values),
        )
        work += result.work
        found = [(E.size(c), i, c) for i, c in enumerate(result.expressions) if c is not None]
        if not found:
            return None, work
        _, i, condition = min(found, key=lambda item: item[:2])
        branches.append((condition, values.pop(i)))
        undecided &= target != branches[-1][1]
    expression: E.Expr = E.Const(values[0])
    for condition, value in reversed(branches):
        expression = E.Cond(condition, E.Const(value), expression)
    if len(target) > SAMPLE_ROWS:
        mechanisms.use("decision-sample")
    return expression, work
