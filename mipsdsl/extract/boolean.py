"""Boolean regression: a small and/or/not formula for a truth table.

Two-level minimisation (sympy's Quine-McCluskey in `SOPform` and `POSform`) gives small sums of
products and products of sums, and uses don't-cares: an assignment of the variables that no row of
the table shows may take either value, which is what lets a formula stay small when a network only
ever visits part of its input space. Of the two forms, the one with fewer IR nodes is returned.

sympy's Quine-McCluskey is quadratic in the number of terms, up to 2**n with don't-cares: about a
second at 9 variables, half a minute at 10, many minutes at 12. So above EXACT_VARIABLES, columns
the table does not need are dropped first (greedily, the last column first, while no two rows that
agree on the remaining columns differ in target); the result is then minimal only over the
columns kept.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy
from sympy.logic import POSform, SOPform

from mipsdsl import expr as E

MAX_VARIABLES = 12  # larger tables are refused
EXACT_VARIABLES = 8  # up to this many columns the minimisation sees them all


def boolean_formula(columns: Mapping[str, np.ndarray], target: np.ndarray) -> E.Expr | None:
    """A minimised two-level formula (sum of products or product of sums, whichever has fewer
    IR nodes) equal to `target` on every row; None when the table is not 0/1 or has more than
    MAX_VARIABLES columns.

    Raises ValueError when two rows with the same variable values want different targets.
    """
    names = list(columns)
    if len(names) > MAX_VARIABLES:
        return None
    arrays = [np.asarray(columns[name]) for name in names]
    target = np.asarray(target)
    if not all(_is_bits(array) for array in arrays + [target]):
        return None
    if any(array.shape != target.shape for array in arrays) or target.ndim != 1:
        raise ValueError("columns and target must be 1-D arrays of one length")
    bits = np.stack(arrays, axis=1).astype(np.int64) if names else np.zeros((len(target), 0), int)
    clash = _clash(bits, target)
    if clash is not None:
        values = ", ".join(
            f"{name}={int(bit)}" for name, bit in zip(names, bits[clash], strict=True)
        )
        raise ValueError(
            f"contradictory truth table: rows with {values or 'no variables'} "
            "have target 0 and target 1"
        )
    keep = list(range(len(names)))
    for column in reversed(range(len(names))):
        if len(keep) <= EXACT_VARIABLES:
            break
        fewer = [c for c in keep if c != column]
        if _clash(bits[:, fewer], target) is None:
            keep = fewer
    return _minimise(bits[:, keep], target, [names[c] for c in keep])


def _minimise(bits: np.ndarray, target: np.ndarray, names: list[str]) -> E.Expr:
    codes = _codes(bits)
    ones, zeros = set(codes[target == 1].tolist()), set(codes[target == 0].tolist())
    if not names or not ones or not zeros:
        return E.Const(1 if ones else 0)
    width = len(names)
    symbols = [sympy.Symbol(f"v{index:02d}") for index in range(width)]
    minterms = [_bits(code, width) for code in sorted(ones)]
    shown = ones | zeros
    dontcares = [_bits(code, width) for code in range(1 << width) if code not in shown]
    forms = [_to_ir(form(symbols, minterms, dontcares), names) for form in (SOPform, POSform)]
    return min(forms, key=E.size)  # min keeps the first (sum of products) on a tie


def _codes(bits: np.ndarray) -> np.ndarray:
    """Each row's assignment as an integer, first column most significant (sympy's order)."""
    return bits @ (1 << np.arange(bits.shape[1] - 1, -1, -1, dtype=np.int64))


def _clash(bits: np.ndarray, target: np.ndarray) -> int | None:
    """A row whose assignment also appears with the other target value, if any."""
    codes = _codes(bits)
    both = np.intersect1d(codes[target == 1], codes[target == 0])
    return int(np.flatnonzero(codes == both[0])[0]) if both.size else None


def _is_bits(array: np.ndarray) -> bool:
    integral = array.dtype == bool or np.issubdtype(array.dtype, np.integer)
    return integral and bool(np.isin(array, (0, 1)).all())


def _bits(code: int, width: int) -> list[int]:
    return [(code >> shift) & 1 for shift in range(width - 1, -1, -1)]


def _to_ir(formula, names: list[str]) -> E.Expr:
    """sympy's And/Or/Not/Symbol/true/false over v00, v01, ... as IR over `names`."""
    if formula is sympy.true:
        return E.Const(1)
    if formula is sympy.false:
        return E.Const(0)
    if isinstance(formula, sympy.Symbol):
        return E.Var(names[int(formula.name[1:])])
    if isinstance(formula, sympy.Not):
        return E.Unary("not", _to_ir(formula.args[0], names))
    if isinstance(formula, sympy.And | sympy.Or):
        op = "and" if isinstance(formula, sympy.And) else "or"
        return E.fold(op, [_to_ir(arg, names) for arg in formula.args])
    raise TypeError(f"unexpected sympy formula {formula!r}")
