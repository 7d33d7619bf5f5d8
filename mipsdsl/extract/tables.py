"""Formulas for tables of integer columns: integer-linear when one fits, else the smallest
enumerated one (on a growing sample of the rows), else, for a 0/1 target, a linear threshold,
else, for a target of a few values, a decision list. The lattice, symbol-counts and
recent-inputs paths regress their tables this way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract import mechanisms
from mipsdsl.extract.decisions import decision_list
from mipsdsl.extract.enumerative import RegressionBudget, regress
from mipsdsl.extract.linear import integer_linear, linear_threshold
from mipsdsl.extract.membership import with_membership
from mipsdsl.extract.sampling import on_growing_sample
from mipsdsl.extract.search.grammar import BUILT_IN

MAX_CONSTANT = 1000  # larger values from the data are not offered as constants
INTEGER_LINEAR, ENUMERATED, THRESHOLD = "integer linear", "enumerative", "linear threshold"


def regress_table(
    columns: dict[str, np.ndarray],
    targets: list[np.ndarray],
    seconds: float,
    max_size: int,
    regressor=regress,
    constants: Sequence[int] = (),
) -> tuple[list[E.Expr | None], list[str | None]]:
    """A formula per target (None: not found), and how each was found (`INTEGER_LINEAR`,
    `ENUMERATED` or `THRESHOLD`): linear when one fits, else the smallest enumerated one (searched
    on a growing sample of the rows), else, for a 0/1 target, a linear threshold, else, for a
    target of a few values, a decision list of enumerated conditions (with as much budget again).
    `constants` are offered beside those drawn from the targets."""
    linear_on = mechanisms.on("integer-linear")
    found = [integer_linear(columns, target) if linear_on else None for target in targets]
    kinds: list[str | None] = [INTEGER_LINEAR if e is not None else None for e in found]
    if any(kinds):
        mechanisms.use("integer-linear")
    pending = [i for i, expression in enumerate(found) if expression is None]
    values, moduli = _constants(targets)
    values |= set(constants)
    offered = with_moduli(values, moduli)
    budget = RegressionBudget(max_size=max_size, seconds=seconds)
    if pending:
        result = with_membership(on_growing_sample(regressor))(
            columns, [targets[i] for i in pending], offered, budget=budget
        )
        for i, expression in zip(pending, result.expressions, strict=True):
            found[i], kinds[i] = expression, ENUMERATED if expression is not None else None
    if mechanisms.on("linear-threshold"):
        for i in [i for i in pending if found[i] is None]:
            found[i] = linear_threshold(columns, targets[i])
            if found[i] is not None:
                kinds[i] = THRESHOLD
                mechanisms.use("linear-threshold")
    if mechanisms.on("decision-lists"):
        for i in [i for i in pending if found[i] is None]:
            found[i], _ = decision_list(regressor, columns, targets[i], offered, budget)
            if found[i] is not None:
                kinds[i] = ENUMERATED
                mechanisms.use("decision-lists")
    note_moduli(found, values, moduli)
    return found, kinds


def regression_label(kinds: Sequence[str | None]) -> str:
    """How a table's formulas were found, in words, for a report."""
    if all(kind == INTEGER_LINEAR for kind in kinds):
        return INTEGER_LINEAR
    label = f"{INTEGER_LINEAR} and {ENUMERATED}"
    return f"{label}, with a {THRESHOLD}" if THRESHOLD in kinds else label


def _constants(targets: list[np.ndarray]) -> tuple[set[int], set[int]]:
    """Constants drawn from the data, where they are small: each target's extremes, and the
    moduli, one past each target's largest value."""
    values, moduli = set(), set()
    for target in targets:
        if len(target):
            values |= {int(target.min()), int(target.max())}
            moduli.add(int(target.max()) + 1)
    small = {v for v in values | moduli if abs(v) <= MAX_CONSTANT}
    return values & small, moduli & small


def with_moduli(values: set[int], moduli: set[int]) -> list[int]:
    """The constants offered to a search, sorted: `values`, and the moduli (one past a largest
    value: base-7 digits are `% 7`) unless that mechanism is off."""
    return sorted(values | moduli if mechanisms.on("modulus-constant") else values)


def note_moduli(expressions: Iterable[E.Expr | None], values: set[int], moduli: set[int]):
    """Record the modulus constant as used when a formula holds a constant only it offered."""
    only = moduli - values - set(BUILT_IN)
    for expression in expressions:
        nodes = E.walk(expression) if expression is not None else ()
        if any(isinstance(node, E.Const) and node.value in only for node in nodes):
            mechanisms.use("modulus-constant")
