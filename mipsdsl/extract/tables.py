"""Formulas for tables of integer columns: integer-linear when one fits, else the smallest
enumerated one (on a growing sample of the rows), else, for a target of a few values, a decision
list. The lattice and symbol-counts paths regress their tables this way."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract.decisions import decision_list
from mipsdsl.extract.enumerative import RegressionBudget, regress
from mipsdsl.extract.linear import integer_linear
from mipsdsl.extract.membership import with_membership
from mipsdsl.extract.sampling import on_growing_sample

MAX_CONSTANT = 1000  # larger values from the data are not offered as constants


def regress_table(
    columns: dict[str, np.ndarray],
    targets: list[np.ndarray],
    seconds: float,
    max_size: int,
    regressor=regress,
    constants: Sequence[int] = (),
) -> tuple[list[E.Expr | None], list[bool]]:
    """A formula per target (None: not found), and whether each is integer-linear: linear when
    one fits, else the smallest enumerated one (searched on a growing sample of the rows), else,
    for a target of a few values, a decision list of enumerated conditions (with as much budget
    again). `constants` are offered beside those drawn from the targets."""
    found = [integer_linear(columns, target) for target in targets]
    linear = [expression is not None for expression in found]
    pending = [i for i, expression in enumerate(found) if expression is None]
    constants = sorted(set(_constants(targets)) | set(constants))
    budget = RegressionBudget(max_size=max_size, seconds=seconds)
    if pending:
        result = with_membership(on_growing_sample(regressor))(
            columns, [targets[i] for i in pending], constants, budget=budget
        )
        for i, expression in zip(pending, result.expressions, strict=True):
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
