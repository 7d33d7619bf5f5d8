"""Regression on a growing sample of a wide table's rows.

The enumerative search keeps the value vector of every distinct candidate, so its memory, not its
budget, runs out first on tables of thousands of rows (a register of the last input over 200
symbols has 40,200). Searching a few hundred evenly spaced rows, then adding the rows where the
formula found was wrong, finds the same formulas: a wrong formula is refuted by one row.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract import mechanisms
from mipsdsl.extract.enumerative import RegressionBudget, RegressionResult

SAMPLE_ROWS = 300  # rows the search starts from
ROUNDS = 4  # searches at most, each on the rows of the last plus those its formulas got wrong
ADDED_ROWS = 50  # wrong rows added per target and round


def on_growing_sample(regressor, sample_rows: int = SAMPLE_ROWS):
    """`regressor` (the contract of `enumerative.regress`) run on `sample_rows` of the rows, a
    sample that grows by the rows its formulas get wrong, each round with 1/ROUNDS of the budget;
    a formula is returned only when it is right on every row (of its mask)."""

    def search(columns, targets, constants=(), budget=RegressionBudget(), masks=None):
        rows = len(targets[0]) if targets else 0
        if rows <= sample_rows or not mechanisms.on("growing-sample"):
            return regressor(columns, targets, constants, budget=budget, masks=masks)
        masks = [None] * len(targets) if masks is None else list(masks)
        found: list[E.Expr | None] = [None] * len(targets)
        pending = list(range(len(targets)))
        sample = np.unique(np.linspace(0, rows - 1, sample_rows).astype(np.int64))
        spent = dict(candidates=0, seconds=0.0, work=0)
        exhausted = True
        round_budget = replace(budget, seconds=budget.seconds / ROUNDS)
        for _ in range(ROUNDS):
            result = regressor(
                {name: column[sample] for name, column in columns.items()},
                [targets[i][sample] for i in pending],
                constants,
                budget=round_budget,
                masks=[None if masks[i] is None else masks[i][sample] for i in pending],
            )
            for key in spent:
                spent[key] += getattr(result, key)
            exhausted = result.exhausted
            added, still = [], []
            for i, expression in zip(pending, result.expressions, strict=True):
                if expression is None:
                    continue  # nothing within the budget: more rows will not help
                wrong = _wrong_rows(expression, columns, targets[i], masks[i])
                if len(wrong):
                    added.append(wrong[:ADDED_ROWS])
                    still.append(i)
                else:
                    found[i] = expression
            if not added:
                break
            sample = np.union1d(sample, np.concatenate(added))
            pending = still
        if any(expression is not None for expression in found):
            mechanisms.use("growing-sample")
        return RegressionResult(tuple(found), exhausted=exhausted, **spent)

    return search


def _wrong_rows(expression: E.Expr, columns: dict, target: np.ndarray, mask=None) -> np.ndarray:
    """The rows where the expression is undefined (anywhere, as the search demands), or else
    where it differs from the target (on the mask's rows)."""
    rows = len(target)
    try:
        values = E.evaluate(expression, columns, (rows,), 0)
    except E.EvaluationError as exc:
        return np.asarray([exc.index[0]])
    wrong = values != target
    return np.flatnonzero(wrong if mask is None else wrong & np.asarray(mask, dtype=bool))
